package aws

// These tests run against moto, a real AWS API emulator, started with
//
//	set -a; eval "$(scripts/moto.sh start)"; set +a
//
// They fill moto through the same Go SDK the source uses. Each test works in
// its own freshly numbered AWS account (entered by sts:AssumeRole), so tests
// and repeated runs never see each other's resources and moto is never reset
// under someone else's feet.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	ekstypes "github.com/aws/aws-sdk-go-v2/service/eks/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	lambdatypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/aws-sdk-go-v2/service/organizations"
	orgtypes "github.com/aws/aws-sdk-go-v2/service/organizations/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rdstypes "github.com/aws/aws-sdk-go-v2/service/rds/types"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	snstypes "github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/aws/mototest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

// freshAccount returns a random 12-digit account id no other test uses.
func freshAccount(t testing.TB) string {
	n, err := rand.Int(rand.Reader, big.NewInt(8_999_999_999))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%012d", 300_000_000_000+n.Int64())
}

// accountCreds enters account through moto's sts:AssumeRole and returns
// static credentials for it.
func accountCreds(t testing.TB, ep, account string) aws.CredentialsProvider {
	t.Helper()
	ctx := context.Background()
	base := awsConfig(t, ep, "us-east-1", credentials.NewStaticCredentialsProvider("testing", "testing", ""))
	out, err := sts.NewFromConfig(base).AssumeRole(ctx, &sts.AssumeRoleInput{
		RoleArn: aws.String("arn:aws:iam::" + account + ":role/estate-test"), RoleSessionName: aws.String("estate-test"),
	})
	if err != nil {
		t.Fatalf("assume role into %s: %v", account, err)
	}
	c := out.Credentials
	return credentials.NewStaticCredentialsProvider(aws.ToString(c.AccessKeyId), aws.ToString(c.SecretAccessKey), aws.ToString(c.SessionToken))
}

func awsConfig(t testing.TB, ep, region string, creds aws.CredentialsProvider) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion(region),
		config.WithCredentialsProvider(creds), config.WithBaseEndpoint(ep))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// retriedCreate reports whether a create failed with the conflict code its
// service gives for a name or range already taken. In a fresh account only
// the create itself can have taken it: under load (other packages' tests
// share the server) the client now and then loses the answer to an attempt
// moto has carried out (the SDK then warns "failed to discard remaining
// HTTP response body … use of closed network connection"), and the SDK's
// retry meets what that attempt made. CI failed on it once for a subnet and
// once for an IAM role; the caller looks the resource up instead.
func retriedCreate(err error, code string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == code
}

// existingSubnet returns the id of the subnet with the given CIDR in a VPC.
func existingSubnet(t *testing.T, ctx context.Context, c *ec2.Client, vpc, cidr string) string {
	t.Helper()
	out, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{Filters: []ec2types.Filter{
		{Name: aws.String("vpc-id"), Values: []string{vpc}}, {Name: aws.String("cidr-block"), Values: []string{cidr}}}})
	if err != nil || len(out.Subnets) != 1 {
		t.Fatalf("moto: ec2 DescribeSubnets %s %s: %d subnets, %v", vpc, cidr, len(out.Subnets), err)
	}
	return aws.ToString(out.Subnets[0].SubnetId)
}

// fill creates one resource of every listed type in region, tagged with tags
// (plus Name), and returns their ARNs by type.
func fill(t *testing.T, ep string, creds aws.CredentialsProvider, account, region, prefix string, tags map[string]string) map[string]string {
	t.Helper()
	ctx := context.Background()
	cfg := awsConfig(t, ep, region, creds)
	arns := map[string]string{}
	must := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("moto: %s: %v", what, err)
		}
	}

	// IAM role (global; also the Lambda and EKS role).
	iamc := iam.NewFromConfig(cfg)
	var iamTags []iamtypes.Tag
	for k, v := range tags {
		iamTags = append(iamTags, iamtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	roleName := aws.String(prefix + "-role")
	created, err := iamc.CreateRole(ctx, &iam.CreateRoleInput{RoleName: roleName,
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`), Tags: iamTags})
	var role *iamtypes.Role
	if retriedCreate(err, "EntityAlreadyExists") {
		got, err := iamc.GetRole(ctx, &iam.GetRoleInput{RoleName: roleName})
		must("iam GetRole", err)
		role = got.Role
	} else {
		must("iam CreateRole", err)
		role = created.Role
	}
	arns["AWS::IAM::Role"] = aws.ToString(role.Arn)

	// EC2 instance (an AMI moto ships), in a VPC with two subnets for the load balancer.
	ec2c := ec2.NewFromConfig(cfg)
	imgs, err := ec2c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"amazon"}})
	must("ec2 DescribeImages", err)
	if len(imgs.Images) == 0 {
		t.Fatal("moto has no AMI")
	}
	var ec2Tags []ec2types.Tag
	for k, v := range tags {
		ec2Tags = append(ec2Tags, ec2types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	ec2Tags = append(ec2Tags, ec2types.Tag{Key: aws.String("Name"), Value: aws.String(prefix + "-web")})
	run, err := ec2c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: imgs.Images[0].ImageId, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		InstanceType:      ec2types.InstanceTypeT3Micro,
		TagSpecifications: []ec2types.TagSpecification{{ResourceType: ec2types.ResourceTypeInstance, Tags: ec2Tags}}})
	must("ec2 RunInstances", err)
	arns["AWS::EC2::Instance"] = fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", region, account, aws.ToString(run.Instances[0].InstanceId))
	vpc, err := ec2c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.0.0.0/16")})
	must("ec2 CreateVpc", err)
	var subnets []string
	for i, az := range []string{"a", "b"} {
		cidr := fmt.Sprintf("10.0.%d.0/24", i)
		sn, err := ec2c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String(cidr),
			AvailabilityZone: aws.String(region + az)})
		if retriedCreate(err, "InvalidSubnet.Conflict") {
			subnets = append(subnets, existingSubnet(t, ctx, ec2c, aws.ToString(vpc.Vpc.VpcId), cidr))
			continue
		}
		must("ec2 CreateSubnet", err)
		subnets = append(subnets, aws.ToString(sn.Subnet.SubnetId))
	}

	// S3 bucket.
	s3c := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })
	bucket := prefix + "-" + account + "-bucket" // bucket names are global
	in := &s3.CreateBucketInput{Bucket: aws.String(bucket)}
	if region != "us-east-1" {
		in.CreateBucketConfiguration = &s3types.CreateBucketConfiguration{LocationConstraint: s3types.BucketLocationConstraint(region)}
	}
	_, err = s3c.CreateBucket(ctx, in)
	must("s3 CreateBucket", err)
	var s3Tags []s3types.Tag
	for k, v := range tags {
		s3Tags = append(s3Tags, s3types.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	if len(s3Tags) > 0 {
		_, err = s3c.PutBucketTagging(ctx, &s3.PutBucketTaggingInput{Bucket: aws.String(bucket), Tagging: &s3types.Tagging{TagSet: s3Tags}})
		must("s3 PutBucketTagging", err)
	}
	arns["AWS::S3::Bucket"] = "arn:aws:s3:::" + bucket

	// Lambda function (creating and listing needs no Docker).
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	w, _ := zw.Create("handler.py")
	w.Write([]byte("def handler(event, context):\n    return 1\n"))
	zw.Close()
	fn, err := lambda.NewFromConfig(cfg).CreateFunction(ctx, &lambda.CreateFunctionInput{FunctionName: aws.String(prefix + "-fn"),
		Runtime: lambdatypes.RuntimePython312, Role: role.Arn, Handler: aws.String("handler.handler"),
		Code: &lambdatypes.FunctionCode{ZipFile: zbuf.Bytes()}, Tags: tags})
	must("lambda CreateFunction", err)
	arns["AWS::Lambda::Function"] = aws.ToString(fn.FunctionArn)

	// ECS cluster and service.
	ecsc := ecs.NewFromConfig(cfg)
	var ecsTags []ecstypes.Tag
	for k, v := range tags {
		ecsTags = append(ecsTags, ecstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	cl, err := ecsc.CreateCluster(ctx, &ecs.CreateClusterInput{ClusterName: aws.String(prefix + "-cluster"), Tags: ecsTags})
	must("ecs CreateCluster", err)
	arns["AWS::ECS::Cluster"] = aws.ToString(cl.Cluster.ClusterArn)
	td, err := ecsc.RegisterTaskDefinition(ctx, &ecs.RegisterTaskDefinitionInput{Family: aws.String(prefix + "-task"),
		ContainerDefinitions: []ecstypes.ContainerDefinition{{Name: aws.String("app"), Image: aws.String("nginx"), Memory: aws.Int32(128)}}})
	must("ecs RegisterTaskDefinition", err)
	svc, err := ecsc.CreateService(ctx, &ecs.CreateServiceInput{Cluster: cl.Cluster.ClusterArn, ServiceName: aws.String(prefix + "-svc"),
		TaskDefinition: td.TaskDefinition.TaskDefinitionArn, DesiredCount: aws.Int32(1), Tags: ecsTags})
	must("ecs CreateService", err)
	arns["AWS::ECS::Service"] = aws.ToString(svc.Service.ServiceArn)

	// EKS cluster (moto's tagging API does not list it: the source asks EKS).
	eksOut, err := eks.NewFromConfig(cfg).CreateCluster(ctx, &eks.CreateClusterInput{Name: aws.String(prefix + "-eks"), RoleArn: role.Arn,
		ResourcesVpcConfig: &ekstypes.VpcConfigRequest{SubnetIds: subnets}, Tags: tags})
	must("eks CreateCluster", err)
	arns["AWS::EKS::Cluster"] = aws.ToString(eksOut.Cluster.Arn)

	// RDS instance.
	var rdsTags []rdstypes.Tag
	for k, v := range tags {
		rdsTags = append(rdsTags, rdstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	db, err := rds.NewFromConfig(cfg).CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(prefix + "-db"),
		DBInstanceClass: aws.String("db.t3.micro"), Engine: aws.String("postgres"), AllocatedStorage: aws.Int32(20),
		MasterUsername: aws.String("estate"), MasterUserPassword: aws.String("not-a-secret-1"), Tags: rdsTags})
	must("rds CreateDBInstance", err)
	arns["AWS::RDS::DBInstance"] = aws.ToString(db.DBInstance.DBInstanceArn)

	// DynamoDB table.
	var ddbTags []ddbtypes.Tag
	for k, v := range tags {
		ddbTags = append(ddbTags, ddbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	tbl, err := dynamodb.NewFromConfig(cfg).CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String(prefix + "-table"),
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("id"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("id"), KeyType: ddbtypes.KeyTypeHash}},
		BillingMode:          ddbtypes.BillingModePayPerRequest, Tags: ddbTags})
	must("dynamodb CreateTable", err)
	arns["AWS::DynamoDB::Table"] = aws.ToString(tbl.TableDescription.TableArn)

	// SQS queue.
	_, err = sqs.NewFromConfig(cfg).CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(prefix + "-queue"), Tags: tags})
	must("sqs CreateQueue", err)
	arns["AWS::SQS::Queue"] = fmt.Sprintf("arn:aws:sqs:%s:%s:%s-queue", region, account, prefix)

	// SNS topic.
	var snsTags []snstypes.Tag
	for k, v := range tags {
		snsTags = append(snsTags, snstypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	topic, err := sns.NewFromConfig(cfg).CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(prefix + "-topic"), Tags: snsTags})
	must("sns CreateTopic", err)
	arns["AWS::SNS::Topic"] = aws.ToString(topic.TopicArn)

	// ELBv2 application load balancer.
	var elbTags []elbtypes.Tag
	for k, v := range tags {
		elbTags = append(elbTags, elbtypes.Tag{Key: aws.String(k), Value: aws.String(v)})
	}
	lb, err := elbv2.NewFromConfig(cfg).CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{Name: aws.String(prefix + "-alb"),
		Subnets: subnets, Tags: elbTags})
	must("elbv2 CreateLoadBalancer", err)
	arns["AWS::ElasticLoadBalancingV2::LoadBalancer"] = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	return arns
}

// seed stores what the CMDB already knows: a team (with the alias its
// CODEOWNERS handle gives it), an application and a repository.
func seed(t *testing.T, st *embedded.Store) {
	t.Helper()
	_, err := st.Apply(context.Background(), graph.Batch{Source: "seed", Run: "seed-1", Nodes: []graph.NodeInput{
		{Kind: graph.KindTeam, Key: "github.com/acme/team/checkout-team", Name: "Checkout Team", Aliases: []string{"checkout-team"}},
		{Kind: graph.KindApplication, Key: "checkout-api"},
		{Kind: graph.KindRepository, Key: "github.com/acme/checkout"},
	}})
	if err != nil {
		t.Fatal(err)
	}
}

func openStore(t *testing.T) *embedded.Store {
	t.Helper()
	st, err := embedded.Open(context.Background(), t.TempDir(), embedded.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func ingestOnce(t *testing.T, st *embedded.Store, cfg Config, log zerolog.Logger) *ingest.Report {
	t.Helper()
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(context.Background(), st, src, ingest.Options{Logger: log})
	if err != nil {
		t.Fatalf("ingest: %v (report %+v)", err, rep)
	}
	return rep
}

// export returns the store's JSONL export with the fields that change on
// every run (lastSeen times, run ids) blanked.
func export(t *testing.T, st *embedded.Store) string {
	t.Helper()
	var buf bytes.Buffer
	if _, err := jsonl.Export(context.Background(), st, &buf); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, line := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var rec map[string]map[string]any
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatal(err)
		}
		for _, item := range rec {
			delete(item, "lastSeen")
			as, _ := item["assertions"].([]any)
			for _, a := range as {
				delete(a.(map[string]any), "lastSeen")
				delete(a.(map[string]any), "run")
			}
		}
		b, _ := json.Marshal(rec)
		out = append(out, string(b))
	}
	return strings.Join(out, "\n")
}

func edgeSet(t *testing.T, st *embedded.Store) map[string]*graph.Edge {
	t.Helper()
	m := map[string]*graph.Edge{}
	if err := st.ScanEdges(context.Background(), func(e *graph.Edge) error {
		m[string(e.Type)+" "+e.From.String()+" -> "+e.To.String()] = e
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestFillAfterLostAnswer checks fill's recovery from a create whose first
// attempt moto did but whose answer was lost (retriedCreate): the role is
// there before fill asks for it, and fill goes on with that role.
func TestFillAfterLostAnswer(t *testing.T) {
	ep := mototest.Endpoint(t)
	account := freshAccount(t)
	creds := accountCreds(t, ep, account)
	made, err := iam.NewFromConfig(awsConfig(t, ep, "us-east-1", creds)).CreateRole(context.Background(), &iam.CreateRoleInput{
		RoleName: aws.String("again-role"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)})
	if err != nil {
		t.Fatal(err)
	}
	arns := fill(t, ep, creds, account, "us-east-1", "again", nil)
	if got, want := arns["AWS::IAM::Role"], aws.ToString(made.Role.Arn); got != want {
		t.Errorf("role %q, want the one already there, %q", got, want)
	}
}

func TestIngestFromMoto(t *testing.T) {
	ep := mototest.Endpoint(t)
	ctx := context.Background()
	account := freshAccount(t)
	creds := accountCreds(t, ep, account)
	tags := map[string]string{"team": "@acme/Checkout-Team", "app": "checkout-api", "repo": "https://github.com/acme/checkout.git", "env": "prod"}
	east := fill(t, ep, creds, account, "us-east-1", "east", tags)
	west := fill(t, ep, creds, account, "eu-west-1", "west", map[string]string{"team": "ghost-squad", "app": "unknown-app"})

	st := openStore(t)
	seed(t, st)
	cfg := Config{Name: "aws:test", Endpoint: ep, Credentials: creds, Regions: []string{"us-east-1", "eu-west-1"},
		Registered: []string{account}, Resolve: cloudtags.StoreResolver(st.Resolve), MaxAttempts: 3}
	rep := ingestOnce(t, st, cfg, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s, errors %+v", rep.Status, rep.Errors)
	}

	acct, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "aws:" + account})
	if err != nil {
		t.Fatalf("account node: %v", err)
	}
	if acct.Props["provider"] != "aws" || acct.Props["registered"] != true {
		t.Errorf("account props = %v, want provider aws, registered", acct.Props)
	}
	edges := edgeSet(t, st)
	for region, arns := range map[string]map[string]string{"us-east-1": east, "eu-west-1": west} {
		for typ, arn := range arns {
			n, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: arn})
			if err != nil {
				t.Errorf("%s %s not ingested: %v", typ, arn, err)
				continue
			}
			wantRegion := region
			if typ == "AWS::IAM::Role" {
				wantRegion = "" // IAM is global
			}
			got := fmt.Sprint(n.Props["type"], " ", n.Props["region"], " ", n.Props["account"], " ", n.Props["provider"])
			want := fmt.Sprint(typ, " ", map[bool]any{true: nil, false: wantRegion}[wantRegion == ""], " ", account, " aws")
			if got != want {
				t.Errorf("%s: props %q, want %q", arn, got, want)
			}
			// SNS topics and ECS clusters have no creation time in their
			// APIs; moto leaves out the ECS service's createdAt that AWS gives.
			if hasCreated, want := n.Props["createdAt"] != nil, !slices.Contains([]string{"AWS::SNS::Topic", "AWS::ECS::Cluster", "AWS::ECS::Service"}, typ); hasCreated != want {
				t.Errorf("%s: createdAt %v, want it set %v", arn, n.Props["createdAt"], want)
			}
			if region == "us-east-1" && (n.Labels["team"] != "@acme/Checkout-Team" || n.Labels["env"] != "prod") {
				t.Errorf("%s: labels %v, want the tags", arn, n.Labels)
			}
			if region == "eu-west-1" && n.Labels["team"] != "ghost-squad" {
				t.Errorf("%s: labels %v, want the unknown team kept as a label", arn, n.Labels)
			}
			if edges["IN_ACCOUNT CloudResource:"+arn+" -> CloudAccount:aws:"+account] == nil {
				t.Errorf("%s: no IN_ACCOUNT", arn)
			}
			owns := edges["OWNS Team:github.com/acme/team/checkout-team -> CloudResource:"+arn]
			if (owns != nil) != (region == "us-east-1") {
				t.Errorf("%s: OWNS from the checkout team present=%v, want %v", arn, owns != nil, region == "us-east-1")
			}
			if owns != nil && (owns.Confidence() != graph.Inferred || owns.Assertions[0].Evidence != "aws tag team=@acme/Checkout-Team") {
				t.Errorf("%s: OWNS %+v, want INFERRED with the tag as evidence", arn, owns.Assertions)
			}
			if region == "us-east-1" && edges["DEFINES Repository:github.com/acme/checkout -> CloudResource:"+arn] == nil {
				t.Errorf("%s: no DEFINES from the repo tag", arn)
			}
		}
	}
	if edges["RUNS_ON Application:checkout-api -> CloudResource:"+east["AWS::EC2::Instance"]] == nil {
		t.Error("the app tag on an instance gives no RUNS_ON")
	}
	if edges["DEPENDS_ON Application:checkout-api -> CloudResource:"+east["AWS::DynamoDB::Table"]] == nil {
		t.Error("the app tag on a table gives no DEPENDS_ON")
	}
	if inst, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: east["AWS::EC2::Instance"]}); inst == nil || inst.Name != "east-web" || inst.Props["createdAt"] == nil {
		t.Errorf("instance = %+v, want named by its Name tag, with createdAt", inst)
	}
	// A resource is found by its host names, an instance by its id and
	// IP addresses too.
	found := 0
	for _, arn := range east {
		n, _ := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: arn})
		names, _ := n.Props["hostnames"].([]string)
		if n.Props["type"] == "AWS::EC2::Instance" {
			id := arn[strings.LastIndex(arn, "/")+1:]
			out, err := ec2.NewFromConfig(awsConfig(t, ep, "us-east-1", creds)).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
			if err != nil {
				t.Fatal(err)
			}
			in := out.Reservations[0].Instances[0]
			names = append(names, id, aws.ToString(in.PrivateIpAddress), aws.ToString(in.PublicIpAddress))
		}
		for _, h := range names {
			found++
			if got, err := st.Resolve(ctx, h, nil); err != nil || len(got) != 1 || got[0].Key != arn {
				t.Errorf("Resolve(%q) = %v, %v; want %s", h, got, err, arn)
			}
		}
	}
	if found < 6 { // an instance's id, addresses and DNS name, an RDS endpoint, a load balancer's DNS name
		t.Errorf("only %d host names and ids to resolve", found)
	}
	// A tag naming an unknown team is a warning of the run, not an error.
	if !slices.ContainsFunc(rep.Warnings, func(w ingest.ItemError) bool {
		return strings.Contains(w.Err, "aws tag team=ghost-squad names no known team")
	}) {
		t.Errorf("no warning about the unknown team: %+v", rep.Warnings)
	}
	// A tag naming an unknown team never creates it.
	if nodes, _ := st.Resolve(ctx, "ghost-squad", nil); len(nodes) != 0 {
		t.Errorf("unknown team became %d nodes", len(nodes))
	}

	// Re-ingest: nothing changes but last-seen times.
	before := export(t, st)
	rep = ingestOnce(t, st, cfg, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded || rep.Applied.NodesCreated+rep.Applied.EdgesCreated != 0 {
		t.Fatalf("re-ingest: status %s, applied %+v", rep.Status, rep.Applied)
	}
	if after := export(t, st); after != before {
		t.Fatalf("re-ingest changed the export:\nbefore %s\nafter  %s", before, after)
	}

	// Delete a queue and a bucket in moto: gone after the next run.
	cfgEast := awsConfig(t, ep, "us-east-1", creds)
	q, err := sqs.NewFromConfig(cfgEast).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String("east-queue")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sqs.NewFromConfig(cfgEast).DeleteQueue(ctx, &sqs.DeleteQueueInput{QueueUrl: q.QueueUrl}); err != nil {
		t.Fatal(err)
	}
	if _, err := sns.NewFromConfig(cfgEast).DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(east["AWS::SNS::Topic"])}); err != nil {
		t.Fatal(err)
	}
	rep = ingestOnce(t, st, cfg, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded || rep.Swept == nil || rep.Swept.NodesRemoved != 2 {
		t.Fatalf("after deletes: status %s swept %+v held %q errors %+v", rep.Status, rep.Swept, rep.SweepHeld, rep.Errors)
	}
	for _, arn := range []string{east["AWS::SQS::Queue"], east["AWS::SNS::Topic"]} {
		if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: arn}); err == nil {
			t.Errorf("%s deleted in AWS but still in the CMDB", arn)
		}
	}

	// A region whose calls fail: the run is partial, names the region and
	// keeps what the region held, but sweeps what was deleted meanwhile
	// in a region that answered.
	if _, err := dynamodb.NewFromConfig(cfgEast).DeleteTable(ctx, &dynamodb.DeleteTableInput{TableName: aws.String("east-table")}); err != nil {
		t.Fatal(err)
	}
	bad := cfg
	bad.endpointFor = func(region string) string {
		if region == "eu-west-1" {
			return "http://127.0.0.1:1" // nothing listens there
		}
		return ""
	}
	src, err := New(bad)
	if err != nil {
		t.Fatal(err)
	}
	rep, err = ingest.Run(ctx, st, src, ingest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	westScope := "aws/" + account + "/eu-west-1"
	if rep.Status != ingest.StatusPartial || rep.Swept == nil || !slices.Equal(rep.KeptScopes, []string{westScope}) {
		t.Fatalf("failing region: status %s swept %+v held %q kept %q errors %+v; want partial, swept, keeping %s",
			rep.Status, rep.Swept, rep.SweepHeld, rep.KeptScopes, rep.Errors, westScope)
	}
	if !strings.Contains(rep.Errors[0].Item, "region eu-west-1") {
		t.Errorf("errors %+v do not name the failing region", rep.Errors)
	}
	for _, arn := range west {
		if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: arn}); err != nil {
			t.Errorf("%s, in the region that failed, lost: %v", arn, err)
		}
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: east["AWS::DynamoDB::Table"]}); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("the table deleted in a region that answered is still there: %v", err)
	}
}

// TestMemberAccounts reads a second account through assume-role.
func TestMemberAccounts(t *testing.T) {
	ep := mototest.Endpoint(t)
	root, member := freshAccount(t), freshAccount(t)
	rootCreds := accountCreds(t, ep, root)
	fill(t, ep, rootCreds, root, "us-east-1", "root", nil)
	memberArns := fill(t, ep, accountCreds(t, ep, member), member, "us-east-1", "member", map[string]string{"owner": "jane@acme.com"})

	st := openStore(t)
	cfg := Config{Name: "aws:org", Endpoint: ep, Credentials: rootCreds, Regions: []string{"us-east-1"},
		AssumeRoles: []string{"arn:aws:iam::" + member + ":role/estate-read"}, Registered: []string{root},
		Services: []string{"ec2", "s3", "sqs"}}
	rep := ingestOnce(t, st, cfg, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s errors %+v", rep.Status, rep.Errors)
	}
	ctx := context.Background()
	m, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "aws:" + member})
	if err != nil {
		t.Fatal(err)
	}
	if m.Props["registered"] != false {
		t.Errorf("member account registered = %v, want false (discovered only)", m.Props["registered"])
	}
	n, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: memberArns["AWS::SQS::Queue"]})
	if err != nil || n.Props["account"] != member {
		t.Fatalf("member queue: %+v %v", n, err)
	}
	// Services not asked for are not read.
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: memberArns["AWS::DynamoDB::Table"]}); err == nil {
		t.Error("dynamodb read although not among the configured services")
	}
}

func TestLambdaTime(t *testing.T) {
	for in, want := range map[string]string{
		"2019-08-14T22:24:34.140+0000":   "2019-08-14T22:24:34.14Z",     // AWS
		"2024-05-01T09:30:00.123456000Z": "2024-05-01T09:30:00.123456Z", // moto
		"yesterday":                      "0001-01-01T00:00:00Z",
	} {
		if got := lambdaTime(in).UTC().Format(time.RFC3339Nano); got != want {
			t.Errorf("lambdaTime(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	bad := []Config{
		{Regions: []string{"eu west 1"}},
		{Endpoint: "127.0.0.1:5055"},
		{AssumeRoles: []string{"arn:aws:iam::123:role/x"}},
		{Registered: []string{"acme"}},
		{Services: []string{"cloudtrail"}},
	}
	for _, c := range bad {
		if _, err := New(c); err == nil {
			t.Errorf("New(%+v) accepted a bad config", c)
		}
	}
	s, err := New(Config{Profile: "prod", Regions: []string{"eu-west-1"}})
	if err != nil || s.Name() != "aws:prod" {
		t.Fatalf("New: %v, name %q", err, s.Name())
	}
}

// TestOrganization lists the member accounts through AWS Organizations and
// enters each through the organization's access role.
func TestOrganization(t *testing.T) {
	ep := mototest.Endpoint(t)
	ctx := context.Background()
	root := freshAccount(t)
	creds := accountCreds(t, ep, root)
	org := organizations.NewFromConfig(awsConfig(t, ep, "us-east-1", creds))
	if _, err := org.CreateOrganization(ctx, &organizations.CreateOrganizationInput{FeatureSet: orgtypes.OrganizationFeatureSetAll}); err != nil {
		t.Fatalf("moto: CreateOrganization: %v", err)
	}
	created, err := org.CreateAccount(ctx, &organizations.CreateAccountInput{AccountName: aws.String("marketing-experiments"), Email: aws.String("mkt@acme.example")})
	if err != nil {
		t.Fatalf("moto: CreateAccount: %v", err)
	}
	member := aws.ToString(created.CreateAccountStatus.AccountId)
	arns := fill(t, ep, accountCreds(t, ep, member), member, "us-east-1", "mkt", map[string]string{"team": "growth-hackers"})

	st := openStore(t)
	rep := ingestOnce(t, st, Config{Name: "aws:org-root", Endpoint: ep, Credentials: creds, Regions: []string{"us-east-1"},
		Organization: true, Registered: []string{root}, Services: []string{"sqs"}}, zerolog.Nop())
	if rep.Status != ingest.StatusSucceeded {
		t.Fatalf("status %s errors %+v", rep.Status, rep.Errors)
	}
	m, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: "aws:" + member})
	if err != nil || m.Name != "marketing-experiments" || m.Props["registered"] != false {
		t.Fatalf("member account = %+v (%v), want named by Organizations, discovered only", m, err)
	}
	if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: arns["AWS::SQS::Queue"]}); err != nil {
		t.Errorf("member account's queue: %v", err)
	}
}
