package aws

// Tests where AWS misbehaves: a proxy in front of moto answers some
// requests itself (throttling, a denied assume-role, an account's own
// region list) and passes everything else on to moto.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/aws/mototest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

// awsRequest is what the proxy makes of a request.
type awsRequest struct {
	// action is the query protocol's Action or the JSON protocol's
	// X-Amz-Target operation.
	action string
	form   url.Values
	// keyID is the access key id the request is signed with.
	keyID, region string
}

var credentialRE = regexp.MustCompile(`Credential=([^/]+)/[^/]+/([^/]+)/`)

// motoProxy returns the URL of a proxy to moto at ep; answer, when it
// returns true, has answered the request itself.
func motoProxy(t *testing.T, ep string, answer func(w http.ResponseWriter, req awsRequest) bool) string {
	t.Helper()
	target, err := url.Parse(ep)
	if err != nil {
		t.Fatal(err)
	}
	moto := httputil.NewSingleHostReverseProxy(target)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		req := awsRequest{form: url.Values{}}
		if m := credentialRE.FindStringSubmatch(r.Header.Get("Authorization")); m != nil {
			req.keyID, req.region = m[1], m[2]
		}
		if target := r.Header.Get("X-Amz-Target"); target != "" {
			req.action = target[strings.LastIndex(target, ".")+1:]
		} else if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
			req.form, _ = url.ParseQuery(string(body))
			req.action = req.form.Get("Action")
		}
		if !answer(w, req) {
			moto.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// queryError answers in the query protocol's error shape (STS, SNS, IAM).
func queryError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "text/xml")
	w.WriteHeader(status)
	fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>proxy</RequestId></ErrorResponse>`, code, msg)
}

func keyID(t *testing.T, creds aws.CredentialsProvider) string {
	t.Helper()
	c, err := creds.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return c.AccessKeyID
}

func createQueue(t *testing.T, ep string, creds aws.CredentialsProvider, account, region, name string) string {
	t.Helper()
	if _, err := sqs.NewFromConfig(awsConfig(t, ep, region, creds)).CreateQueue(context.Background(), &sqs.CreateQueueInput{QueueName: aws.String(name)}); err != nil {
		t.Fatalf("moto: CreateQueue %s: %v", name, err)
	}
	return fmt.Sprintf("arn:aws:sqs:%s:%s:%s", region, account, name)
}

func hasNode(t *testing.T, st interface {
	Node(context.Context, graph.Ref) (*graph.Node, error)
}, kind graph.Kind, key string) bool {
	t.Helper()
	_, err := st.Node(context.Background(), graph.Ref{Kind: kind, Key: key})
	return err == nil
}

// TestEnabledRegionsPerAccount: without configured regions each account
// reads the regions it enabled itself. The caller here enabled two; the
// member (moto's own answer) all of them, so a queue in a region only the
// member enabled is found, and the caller's queue in a region it did not
// enable is not asked for.
func TestEnabledRegionsPerAccount(t *testing.T) {
	ep := mototest.Endpoint(t)
	root, member := freshAccount(t), freshAccount(t)
	rootCreds, memberCreds := accountCreds(t, ep, root), accountCreds(t, ep, member)
	rootQueue := createQueue(t, ep, rootCreds, root, "eu-west-1", "root-queue")
	rootElsewhere := createQueue(t, ep, rootCreds, root, "ap-southeast-2", "root-elsewhere")
	memberQueue := createQueue(t, ep, memberCreds, member, "ap-southeast-2", "member-queue")

	rootKey := keyID(t, rootCreds)
	var mu sync.Mutex
	askedBy := map[string]int{} // DescribeRegions calls by access key
	proxy := motoProxy(t, ep, func(w http.ResponseWriter, req awsRequest) bool {
		if req.action != "DescribeRegions" {
			return false
		}
		mu.Lock()
		askedBy[req.keyID]++
		mu.Unlock()
		if req.keyID != rootKey {
			return false
		}
		w.Header().Set("Content-Type", "text/xml")
		fmt.Fprint(w, `<DescribeRegionsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>proxy</requestId><regionInfo>`+
			`<item><regionName>eu-west-1</regionName><regionEndpoint>ec2.eu-west-1.amazonaws.com</regionEndpoint></item>`+
			`<item><regionName>us-east-1</regionName><regionEndpoint>ec2.us-east-1.amazonaws.com</regionEndpoint></item>`+
			`</regionInfo></DescribeRegionsResponse>`)
		return true
	})

	st := openStore(t)
	rep := ingestOnce(t, st, Config{Name: "aws:regions", Endpoint: proxy, Credentials: rootCreds,
		AssumeRoles: []string{"arn:aws:iam::" + member + ":role/estate-read"}, Services: []string{"sqs", "sns"}}, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s errors %+v", rep.Status, rep.Errors)
	}
	if len(askedBy) != 2 || askedBy[rootKey] != 1 {
		t.Errorf("DescribeRegions asked by %v, want once by each of the two accounts", askedBy)
	}
	for arn, want := range map[string]bool{rootQueue: true, memberQueue: true, rootElsewhere: false} {
		if got := hasNode(t, st, graph.KindCloudResource, arn); got != want {
			t.Errorf("%s ingested = %v, want %v", arn, got, want)
		}
	}
}

// TestFailingAccountKeepsItsData: a member account that can no longer be
// entered (its assume-role is denied) is reported in the run, which is
// partial, and what was read from it before stays: the sweep keeps the
// account's scope and removes nothing.
func TestFailingAccountKeepsItsData(t *testing.T) {
	ep := mototest.Endpoint(t)
	root, member := freshAccount(t), freshAccount(t)
	rootCreds := accountCreds(t, ep, root)
	memberQueue := createQueue(t, ep, accountCreds(t, ep, member), member, "us-east-1", "member-queue")
	memberRole := "arn:aws:iam::" + member + ":role/estate-read"
	deny := false
	proxy := motoProxy(t, ep, func(w http.ResponseWriter, req awsRequest) bool {
		if !deny || req.action != "AssumeRole" || req.form.Get("RoleArn") != memberRole {
			return false
		}
		queryError(w, http.StatusForbidden, "AccessDenied", "User is not authorized to perform: sts:AssumeRole on resource: "+memberRole)
		return true
	})
	cfg := Config{Name: "aws:failing", Endpoint: proxy, Credentials: rootCreds, Regions: []string{"us-east-1"},
		AssumeRoles: []string{memberRole}, Services: []string{"sqs"}}
	st := openStore(t)
	if rep := ingestOnce(t, st, cfg, zerolog.Nop()); rep.Status != ingest.StatusSucceeded || !hasNode(t, st, graph.KindCloudResource, memberQueue) {
		t.Fatalf("first run: status %s errors %+v, or the member's queue is missing", rep.Status, rep.Errors)
	}

	deny = true
	rep := ingestOnce(t, st, cfg, zerolog.Nop())
	if rep.Status != ingest.StatusPartial || rep.Swept == nil || rep.Swept.NodesRemoved+rep.Swept.EdgesRemoved != 0 ||
		!slices.Equal(rep.KeptScopes, []string{"aws/" + member}) {
		t.Fatalf("denied member: status %s swept %+v kept %v, want partial, the member's scope kept and nothing removed",
			rep.Status, rep.Swept, rep.KeptScopes)
	}
	if !slices.ContainsFunc(rep.Errors, func(e ingest.ItemError) bool {
		return strings.Contains(e.Item+" "+e.Err, member) && strings.Contains(e.Err, "AccessDenied")
	}) {
		t.Errorf("errors %+v do not name the failing account and its error", rep.Errors)
	}
	for _, ref := range []graph.Ref{{Kind: graph.KindCloudResource, Key: memberQueue}, {Kind: graph.KindCloudAccount, Key: "aws:" + member}} {
		if !hasNode(t, st, ref.Kind, ref.Key) {
			t.Errorf("%s lost after the member account failed", ref)
		}
	}
}

// TestThrottlingRetried: throttled calls (429 ThrottlingException, then
// 400 Throttling, the codes AWS uses) are retried by the SDK's standard
// retryer and the run gets through.
func TestThrottlingRetried(t *testing.T) {
	ep := mototest.Endpoint(t)
	account := freshAccount(t)
	creds := accountCreds(t, ep, account)
	arns := fill(t, ep, creds, account, "us-east-1", "thr", nil)
	var mu sync.Mutex
	calls := 0
	proxy := motoProxy(t, ep, func(w http.ResponseWriter, req awsRequest) bool {
		if req.action != "ListTopics" {
			return false
		}
		mu.Lock()
		defer mu.Unlock()
		calls++
		switch calls {
		case 1:
			queryError(w, http.StatusTooManyRequests, "ThrottlingException", "Rate exceeded")
		case 2:
			queryError(w, http.StatusBadRequest, "Throttling", "Rate exceeded")
		default:
			return false
		}
		return true
	})
	st := openStore(t)
	rep := ingestOnce(t, st, Config{Name: "aws:throttled", Endpoint: proxy, Credentials: creds, Regions: []string{"us-east-1"},
		Services: []string{"sns"}}, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded || calls != 3 {
		t.Fatalf("status %s errors %+v after %d ListTopics calls, want success on the third", rep.Status, rep.Errors, calls)
	}
	if !hasNode(t, st, graph.KindCloudResource, arns["AWS::SNS::Topic"]) {
		t.Error("the topic listed after the throttling is missing")
	}
}

// TestNamedProfile: with Profile set, the credentials are the profile's
// from the shared config and credentials files, not the environment's.
func TestNamedProfile(t *testing.T) {
	ep := mototest.Endpoint(t)
	account := freshAccount(t)
	creds := accountCreds(t, ep, account)
	queue := createQueue(t, ep, creds, account, "eu-west-1", "profile-queue")
	c, err := creds.Retrieve(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// The environment names another account (moto's default); the profile names ours.
	mototest.Credentials(t, "AKIAENVIRONMENTKEY01", "environment-secret")
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	t.Setenv("AWS_CONFIG_FILE", write("config", "[profile estate-audit]\nregion = eu-west-1\n"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", write("credentials", fmt.Sprintf(
		"[estate-audit]\naws_access_key_id = %s\naws_secret_access_key = %s\naws_session_token = %s\n", c.AccessKeyID, c.SecretAccessKey, c.SessionToken)))

	st := openStore(t)
	src, err := New(Config{Profile: "estate-audit", Endpoint: ep, Regions: []string{"eu-west-1"}, Services: []string{"sqs"}})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), st, src, ingest.Options{})
	if err != nil || rep.Status != ingest.StatusSucceeded || rep.Source != "aws:estate-audit" {
		t.Fatalf("%v: status %s source %s errors %+v", err, rep.Status, rep.Source, rep.Errors)
	}
	if !hasNode(t, st, graph.KindCloudAccount, "aws:"+account) || !hasNode(t, st, graph.KindCloudResource, queue) {
		t.Errorf("the profile's account %s or its queue is missing", account)
	}
}

// TestCredentialsNeverLeak runs with recognisable credentials against a
// region whose endpoint echoes the access key id and session token in its
// errors (as a misconfigured proxy or a future API might), plus a failing
// assume-role, and looks for them everywhere a user could see them.
func TestCredentialsNeverLeak(t *testing.T) {
	ep := mototest.Endpoint(t)
	const key, secret, token = "AKIAESTATELEAKCHECK1", "estate-fake-secret-Zm9vYmFyYmF6cXV4", "estate-fake-session-token-c2VjcmV0"
	echo := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		msg := fmt.Sprintf("The security token included in the request is invalid: %s %s", r.Header.Get("Authorization"), r.Header.Get("X-Amz-Security-Token"))
		if strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-amz-json") {
			w.Header().Set("Content-Type", "application/x-amz-json-1.0")
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(w, `{"__type":"InvalidClientTokenId","message":%q}`, msg)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprintf(w, `<Response><Errors><Error><Code>AuthFailure</Code><Message>%s</Message></Error></Errors><RequestID>echo</RequestID></Response>`, msg)
	}))
	t.Cleanup(echo.Close)
	var cfg Config
	ingesttest.SecretsNeverShow(t, func(log zerolog.Logger) []ingest.Source {
		cfg = Config{Name: "aws:leak", Endpoint: ep, Regions: []string{"us-east-1", "eu-west-1"},
			Credentials: credentials.NewStaticCredentialsProvider(key, secret, token), Logger: log, MaxAttempts: 1,
			AssumeRoles: []string{"arn:aws:iam::" + freshAccount(t) + ":role/estate-read"}, Services: []string{"ec2", "sqs", "iam"},
			endpointFor: func(region string) string {
				if region == "eu-west-1" {
					return echo.URL
				}
				return ""
			}}
		src, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return []ingest.Source{src}
	}, []string{key, secret, token}, "partial", "AuthFailure", "InvalidClientTokenId", "[REDACTED]")
	if b, err := json.Marshal(cfg); err != nil || bytes.Contains(b, []byte(secret)) || bytes.Contains(b, []byte(key)) {
		t.Errorf("the configuration serialises its credentials: %s (%v)", b, err)
	}
}

// TestTypeOnlyTaggingFinds: a tagged resource of a type no service
// collector lists (a VPC; the EC2 collector reads instances) comes from the
// Resource Groups Tagging API alone, with its region, account, tags and
// team link.
func TestTypeOnlyTaggingFinds(t *testing.T) {
	ep := mototest.Endpoint(t)
	account := freshAccount(t)
	creds := accountCreds(t, ep, account)
	out, err := ec2.NewFromConfig(awsConfig(t, ep, "eu-west-1", creds)).CreateVpc(context.Background(), &ec2.CreateVpcInput{
		CidrBlock: aws.String("10.9.0.0/16"),
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeVpc,
			Tags: []ec2types.Tag{{Key: aws.String("team"), Value: aws.String("ghost-squad")}, {Key: aws.String("cost-centre"), Value: aws.String("cc-9")}}}},
	})
	if err != nil {
		t.Fatalf("moto: CreateVpc: %v", err)
	}
	vpc := fmt.Sprintf("arn:aws:ec2:eu-west-1:%s:vpc/%s", account, aws.ToString(out.Vpc.VpcId))
	st := openStore(t)
	rep := ingestOnce(t, st, Config{Name: "aws:tagging-only", Endpoint: ep, Credentials: creds, Regions: []string{"eu-west-1"},
		Services: []string{"tagging", "ec2"}, Resolve: cloudtags.StoreResolver(st.Resolve)}, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s, errors %+v", rep.Status, rep.Errors)
	}
	n, err := st.Node(context.Background(), graph.Ref{Kind: graph.KindCloudResource, Key: vpc})
	if err != nil {
		t.Fatalf("the VPC only the tagging API lists is missing: %v", err)
	}
	if n.Props["region"] != "eu-west-1" || n.Labels["team"] != "ghost-squad" || n.Labels["cost-centre"] != "cc-9" {
		t.Errorf("VPC props %v labels %v, want region eu-west-1 and its tags", n.Props, n.Labels)
	}
	nb, err := st.Neighbors(context.Background(), []graph.ID{n.ID}, graph.NeighborQuery{Direction: graph.Out, Types: []graph.RelType{graph.RelInAccount}})
	if err != nil || len(nb[n.ID]) != 1 || nb[n.ID][0].Node.Key != "aws:"+account {
		t.Errorf("VPC IN_ACCOUNT %v %v, want aws:%s", nb[n.ID], err, account)
	}
	if n.Labels["unknown-team/team"] != "ghost-squad" {
		t.Errorf("an unknown team tag is not recorded as such: labels %v", n.Labels)
	}
}
