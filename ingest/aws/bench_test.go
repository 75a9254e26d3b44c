package aws

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/estate-cmdb/estate/bench/heapstat"
	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

const (
	benchResources = 100_000
	benchPageSize  = 100 // what collectTagging asks for
	benchAccount   = "123456789012"
)

// tagStream serves a generated Resource Groups Tagging API estate of n
// resources — EC2 instances, Lambda functions, SQS queues, DynamoDB tables
// and S3 buckets tagged with team, app and env — in GetResources pages, and
// the STS GetCallerIdentity the source asks first, in the wire shapes the
// SDK speaks (awsJson1_1 and awsQuery). Pages are encoded up front so that
// the server's cost is not measured.
func tagStream(tb testing.TB, n int) *httptest.Server {
	tb.Helper()
	var pages [][]byte
	for start := 0; start < n; start += benchPageSize {
		type tag struct{ Key, Value string }
		type mapping struct {
			ResourceARN string
			Tags        []tag
		}
		page := struct {
			PaginationToken        string `json:",omitempty"`
			ResourceTagMappingList []mapping
		}{}
		for i := start; i < min(start+benchPageSize, n); i++ {
			var arn string
			switch i % 5 {
			case 0:
				arn = fmt.Sprintf("arn:aws:ec2:us-east-1:%s:instance/i-%017x", benchAccount, i)
			case 1:
				arn = fmt.Sprintf("arn:aws:lambda:us-east-1:%s:function:fn-%d", benchAccount, i)
			case 2:
				arn = fmt.Sprintf("arn:aws:sqs:us-east-1:%s:queue-%d", benchAccount, i)
			case 3:
				arn = fmt.Sprintf("arn:aws:dynamodb:us-east-1:%s:table/table-%d", benchAccount, i)
			default:
				arn = fmt.Sprintf("arn:aws:s3:::bucket-%d", i)
			}
			page.ResourceTagMappingList = append(page.ResourceTagMappingList, mapping{arn, []tag{
				{"Name", fmt.Sprintf("res-%d", i)}, {"team", fmt.Sprintf("team-%d", i%20)},
				{"app", fmt.Sprintf("app-%d", i%50)}, {"env", "prod"},
			}})
		}
		if start+benchPageSize < n {
			page.PaginationToken = strconv.Itoa(len(pages) + 1)
		}
		b, err := json.Marshal(page)
		if err != nil {
			tb.Fatal(err)
		}
		pages = append(pages, b)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		switch r.Header.Get("X-Amz-Target") {
		case "ResourceGroupsTaggingAPI_20170126.GetResources":
			var in struct{ PaginationToken string }
			json.Unmarshal(body, &in)
			i, _ := strconv.Atoi(in.PaginationToken)
			if i < 0 || i >= len(pages) {
				http.Error(w, `{"__type":"PaginationTokenExpiredException","message":"bad token"}`, http.StatusBadRequest)
				return
			}
			w.Header().Set("Content-Type", "application/x-amz-json-1.1")
			w.Write(pages[i])
		case "":
			if q, _ := url.ParseQuery(string(body)); q.Get("Action") == "GetCallerIdentity" {
				w.Header().Set("Content-Type", "text/xml")
				fmt.Fprintf(w, `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>arn:aws:iam::%[1]s:user/bench</Arn><UserId>AIDABENCH</UserId><Account>%[1]s</Account></GetCallerIdentityResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></GetCallerIdentityResponse>`, benchAccount)
				return
			}
			fallthrough
		default:
			http.Error(w, "unexpected request", http.StatusNotImplemented)
		}
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func benchConfig(srv *httptest.Server) Config {
	return Config{Name: "aws:bench", Endpoint: srv.URL, Regions: []string{"us-east-1"}, Services: []string{"tagging"},
		Credentials: credentials.NewStaticCredentialsProvider("AKIABENCH", "bench-secret", "")}
}

// BenchmarkGetResources100k ingests 100,000 resources from a generated
// GetResources stream, read by the real SDK, through the engine into a
// fresh embedded store that knows the teams and applications the tags name
// (so each resource also gets IN_ACCOUNT, OWNS, PART_OF or RUNS_ON).
//
//	go test -run '^$' -bench GetResources100k -benchtime 1x -count 3 ./ingest/aws/
func BenchmarkGetResources100k(b *testing.B) {
	srv := tagStream(b, benchResources)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, err := embedded.Open(ctx, b.TempDir(), embedded.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		var known []graph.NodeInput
		for i := range 20 {
			known = append(known, graph.NodeInput{Kind: graph.KindTeam, Key: fmt.Sprintf("team-%d", i)})
		}
		for i := range 50 {
			known = append(known, graph.NodeInput{Kind: graph.KindApplication, Key: fmt.Sprintf("app-%d", i)})
		}
		if _, err := st.Apply(ctx, graph.Batch{Source: "seed", Run: "1", Nodes: known}); err != nil {
			b.Fatal(err)
		}
		cfg := benchConfig(srv)
		cfg.Resolve = cloudtags.StoreResolver(st.Resolve)
		src, err := New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		stop := heapstat.Peak()
		b.StartTimer()
		start := time.Now()
		rep, err := ingest.Run(ctx, st, src, ingest.Options{})
		took := time.Since(start)
		b.StopTimer()
		peak := stop()
		if err != nil || rep.Status != ingest.StatusSucceeded {
			b.Fatalf("run: %v %+v", err, rep)
		}
		stats, _ := st.Stats(ctx)
		if stats.Nodes[graph.KindCloudResource] != benchResources || stats.Edges[graph.RelOwns] != benchResources {
			b.Fatalf("stats %+v", stats)
		}
		b.ReportMetric(benchResources/took.Seconds(), "resources/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkGetResources100kRead is the in-run peer of
// BenchmarkGetResources100k: the same stream through the same SDK client
// and paginator into the source's in-memory inventory, with no engine and
// no store, so the ratio is what writing to the CMDB costs.
func BenchmarkGetResources100kRead(b *testing.B) {
	srv := tagStream(b, benchResources)
	ctx := context.Background()
	src, err := New(benchConfig(srv))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		b.StopTimer()
		cfg, err := src.loadConfig(ctx, "us-east-1")
		if err != nil {
			b.Fatal(err)
		}
		inv := newInventory(benchAccount)
		runtime.GC()
		stop := heapstat.Peak()
		b.StartTimer()
		start := time.Now()
		err = collectTagging(ctx, cfg, "us-east-1", inv)
		took := time.Since(start)
		b.StopTimer()
		peak := stop()
		if err != nil || len(inv.byARN) != benchResources {
			b.Fatalf("%v, %d resources", err, len(inv.byARN))
		}
		b.ReportMetric(benchResources/took.Seconds(), "resources/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		b.StartTimer()
	}
}
