package aws

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/ecs"
	ecstypes "github.com/aws/aws-sdk-go-v2/service/ecs/types"
	"github.com/aws/aws-sdk-go-v2/service/eks"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	rgt "github.com/aws/aws-sdk-go-v2/service/resourcegroupstaggingapi"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/aws/smithy-go"

	awsarn "github.com/estate-cmdb/estate/ingest/aws/arn"
)

// resource is one resource as read, before it is emitted.
type resource struct {
	arn, typ, region, account, name string
	created                         time.Time
	hostnames                       []string
	addresses                       []string // IP addresses
	tags                            map[string]string
	evidence                        string
}

// scopeErr is a failure to read part of an account: scope names it for
// the report, in is the scope of the graph it holds back from the sweep.
type scopeErr struct {
	scope, in string
	err       error
}

// inventory collects one account's resources from several services and
// regions at once, merging what different APIs say about one ARN.
type inventory struct {
	account string
	mu      sync.Mutex
	byARN   map[string]*resource
	errs    []scopeErr
}

func newInventory(account string) *inventory {
	return &inventory{account: account, byARN: map[string]*resource{}}
}

// add merges r into what is known of its ARN: non-empty fields fill in,
// tags union (the service API's spelling wins).
func (inv *inventory) add(r *resource) {
	if r.arn == "" {
		return
	}
	inv.mu.Lock()
	defer inv.mu.Unlock()
	if r.account == "" {
		r.account = inv.account
	}
	old, ok := inv.byARN[r.arn]
	if !ok {
		if r.typ == "" {
			r.typ = awsarn.Type(r.arn)
		}
		if r.name == "" {
			r.name = awsarn.Name(r.arn)
		}
		inv.byARN[r.arn] = r
		return
	}
	if r.typ != "" {
		old.typ = r.typ
	}
	if r.name != "" {
		old.name = r.name
	}
	if r.region != "" {
		old.region = r.region
	}
	if !r.created.IsZero() {
		old.created = r.created
	}
	if r.evidence != "" && (old.evidence == "" || strings.HasPrefix(old.evidence, "aws tagging")) {
		old.evidence = r.evidence
	}
	old.hostnames = append(old.hostnames, r.hostnames...)
	old.addresses = append(old.addresses, r.addresses...)
	for k, v := range r.tags {
		if old.tags == nil {
			old.tags = map[string]string{}
		}
		old.tags[k] = v
	}
}

func (inv *inventory) fail(scope, in string, err error) {
	inv.mu.Lock()
	defer inv.mu.Unlock()
	inv.errs = append(inv.errs, scopeErr{scope, in, err})
}

func (inv *inventory) sorted() []*resource {
	out := make([]*resource, 0, len(inv.byARN))
	for _, r := range inv.byARN {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].arn < out[j].arn })
	return out
}

func (r *run) enabled(service string) bool { return slices.Contains(r.src.cfg.Services, service) }

// collectGlobal reads the account-wide services: S3's bucket list and IAM.
// It returns the account alias, if any, as the account's name.
func (r *run) collectGlobal(ctx context.Context, cfg aws.Config, account string, inv *inventory, regions []string) string {
	scope := fmt.Sprintf("%s account %s global", r.src.cfg.Name, account)
	name := ""
	if r.enabled("iam") {
		cl := iam.NewFromConfig(cfg)
		if out, err := cl.ListAccountAliases(ctx, &iam.ListAccountAliasesInput{}); err == nil && len(out.AccountAliases) > 0 {
			name = out.AccountAliases[0]
		}
		if err := collectIAM(ctx, cl, inv); err != nil {
			inv.fail(scope+" iam", accountScope(account), err)
		}
	}
	if r.enabled("s3") {
		if err := r.collectS3(ctx, cfg, inv, regions); err != nil {
			inv.fail(scope+" s3", accountScope(account), err)
		}
	}
	return name
}

// collectRegion reads every regional service; a failing service is an
// error for its region and service only.
func (r *run) collectRegion(ctx context.Context, cfg aws.Config, account, region string, inv *inventory) {
	scope := fmt.Sprintf("%s account %s region %s", r.src.cfg.Name, account, region)
	steps := []struct {
		service string
		fn      func(context.Context, aws.Config, string, *inventory) error
	}{
		{"tagging", collectTagging},
		{"ec2", collectEC2},
		{"lambda", collectLambda},
		{"ecs", collectECS},
		{"eks", collectEKS},
		{"rds", collectRDS},
		{"dynamodb", collectDynamoDB},
		{"sqs", collectSQS},
		{"sns", collectSNS},
		{"elbv2", collectELBv2},
	}
	for _, s := range steps {
		if !r.enabled(s.service) {
			continue
		}
		if ctx.Err() != nil {
			return
		}
		if err := s.fn(ctx, cfg, region, inv); err != nil {
			inv.fail(scope+" "+s.service, regionScope(account, region), err)
			if isUnreachable(err) {
				// The region's endpoint does not answer: every other
				// service would fail the same way, slowly.
				return
			}
		}
	}
}

// isUnreachable reports a transport failure (no HTTP response at all).
func isUnreachable(err error) bool {
	var oe *smithy.OperationError
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return false
	}
	if errors.As(err, &oe) {
		var ue *url.Error
		return errors.As(err, &ue)
	}
	return false
}

func collectTagging(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	p := rgt.NewGetResourcesPaginator(rgt.NewFromConfig(cfg), &rgt.GetResourcesInput{ResourcesPerPage: aws.Int32(100)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, m := range page.ResourceTagMappingList {
			arn := aws.ToString(m.ResourceARN)
			tags := map[string]string{}
			for _, t := range m.Tags {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			reg := awsarn.Region(arn)
			if reg == "" && !strings.HasPrefix(arn, "arn:aws:s3:::") {
				reg = region
			}
			inv.add(&resource{arn: arn, region: reg, tags: tags, evidence: "aws tagging GetResources " + region})
		}
	}
	return nil
}

func collectEC2(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	p := ec2.NewDescribeInstancesPaginator(ec2.NewFromConfig(cfg), &ec2.DescribeInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, res := range page.Reservations {
			owner := aws.ToString(res.OwnerId)
			for _, in := range res.Instances {
				if in.State != nil && (in.State.Name == ec2types.InstanceStateNameTerminated || in.State.Name == ec2types.InstanceStateNameShuttingDown) {
					continue
				}
				acct := owner
				if acct == "" {
					acct = inv.account
				}
				id := aws.ToString(in.InstanceId)
				tags := map[string]string{}
				for _, t := range in.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				var hosts, addrs []string
				for _, h := range []*string{in.PublicDnsName, in.PrivateDnsName} {
					if s := aws.ToString(h); s != "" {
						hosts = append(hosts, s)
					}
				}
				for _, a := range []*string{in.PublicIpAddress, in.PrivateIpAddress} {
					if s := aws.ToString(a); s != "" {
						addrs = append(addrs, s)
					}
				}
				inv.add(&resource{
					arn: fmt.Sprintf("arn:aws:ec2:%s:%s:instance/%s", region, acct, id), typ: "AWS::EC2::Instance",
					region: region, name: id, created: aws.ToTime(in.LaunchTime), hostnames: hosts, addresses: addrs, tags: tags,
					evidence: "aws ec2 DescribeInstances " + region,
				})
			}
		}
	}
	return nil
}

func (r *run) collectS3(ctx context.Context, cfg aws.Config, inv *inventory, regions []string) error {
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = r.src.cfg.Endpoint != "" || r.src.cfg.endpointFor != nil })
	p := s3.NewListBucketsPaginator(cl, &s3.ListBucketsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, b := range page.Buckets {
			name := aws.ToString(b.Name)
			region := aws.ToString(b.BucketRegion)
			if region == "" {
				loc, err := cl.GetBucketLocation(ctx, &s3.GetBucketLocationInput{Bucket: b.Name})
				if err != nil {
					return fmt.Errorf("bucket %s: %w", name, err)
				}
				region = string(loc.LocationConstraint)
				if region == "" {
					region = "us-east-1" // S3's legacy spelling of us-east-1
				}
			}
			if !slices.Contains(regions, region) {
				continue // a bucket in a region not being read
			}
			tags := map[string]string{}
			out, err := cl.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: b.Name}, func(o *s3.Options) { o.Region = region })
			var ae smithy.APIError
			switch {
			case err == nil:
				for _, t := range out.TagSet {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			case errors.As(err, &ae) && ae.ErrorCode() == "NoSuchTagSet":
			default:
				return fmt.Errorf("bucket %s tags: %w", name, err)
			}
			inv.add(&resource{arn: "arn:aws:s3:::" + name, typ: "AWS::S3::Bucket", region: region, name: name,
				created: aws.ToTime(b.CreationDate), tags: tags, evidence: "aws s3 ListBuckets",
				hostnames: []string{name + ".s3." + region + ".amazonaws.com"}})
		}
	}
	return nil
}

// lambdaTime reads Lambda's LastModified: ISO 8601 with a numeric zone
// ("2019-08-14T22:24:34.140+0000"), or RFC 3339 as some emulators write it;
// anything else is no time.
func lambdaTime(s string) time.Time {
	for _, layout := range []string{"2006-01-02T15:04:05-0700", time.RFC3339} {
		if t, err := time.Parse(layout, s); err == nil {
			return t
		}
	}
	return time.Time{}
}

func collectLambda(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := lambda.NewFromConfig(cfg)
	p := lambda.NewListFunctionsPaginator(cl, &lambda.ListFunctionsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, f := range page.Functions {
			arn := aws.ToString(f.FunctionArn)
			tags, err := cl.ListTags(ctx, &lambda.ListTagsInput{Resource: f.FunctionArn})
			if err != nil {
				return fmt.Errorf("function %s tags: %w", aws.ToString(f.FunctionName), err)
			}
			// Lambda keeps no creation time: the last change is the nearest it has.
			inv.add(&resource{arn: arn, typ: "AWS::Lambda::Function", region: region, name: aws.ToString(f.FunctionName),
				created: lambdaTime(aws.ToString(f.LastModified)), tags: tags.Tags, evidence: "aws lambda ListFunctions " + region})
		}
	}
	return nil
}

func collectECS(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := ecs.NewFromConfig(cfg)
	p := ecs.NewListClustersPaginator(cl, &ecs.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(page.ClusterArns, 100) {
			out, err := cl.DescribeClusters(ctx, &ecs.DescribeClustersInput{Clusters: chunk, Include: []ecstypes.ClusterField{ecstypes.ClusterFieldTags}})
			if err != nil {
				return err
			}
			for _, c := range out.Clusters {
				tags := map[string]string{}
				for _, t := range c.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				inv.add(&resource{arn: aws.ToString(c.ClusterArn), typ: "AWS::ECS::Cluster", region: region,
					name: aws.ToString(c.ClusterName), tags: tags, evidence: "aws ecs DescribeClusters " + region})
				if err := collectECSServices(ctx, cl, c.ClusterArn, region, inv); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func collectECSServices(ctx context.Context, cl *ecs.Client, cluster *string, region string, inv *inventory) error {
	p := ecs.NewListServicesPaginator(cl, &ecs.ListServicesInput{Cluster: cluster})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for chunk := range slices.Chunk(page.ServiceArns, 10) {
			out, err := cl.DescribeServices(ctx, &ecs.DescribeServicesInput{Cluster: cluster, Services: chunk, Include: []ecstypes.ServiceField{ecstypes.ServiceFieldTags}})
			if err != nil {
				return err
			}
			for _, s := range out.Services {
				tags := map[string]string{}
				for _, t := range s.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
				inv.add(&resource{arn: aws.ToString(s.ServiceArn), typ: "AWS::ECS::Service", region: region,
					name: aws.ToString(s.ServiceName), created: aws.ToTime(s.CreatedAt), tags: tags,
					evidence: "aws ecs DescribeServices " + region})
			}
		}
	}
	return nil
}

func collectEKS(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := eks.NewFromConfig(cfg)
	p := eks.NewListClustersPaginator(cl, &eks.ListClustersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, name := range page.Clusters {
			out, err := cl.DescribeCluster(ctx, &eks.DescribeClusterInput{Name: aws.String(name)})
			if err != nil {
				return fmt.Errorf("cluster %s: %w", name, err)
			}
			c := out.Cluster
			var hosts []string
			if u, err := url.Parse(aws.ToString(c.Endpoint)); err == nil && u.Hostname() != "" {
				hosts = append(hosts, u.Hostname())
			}
			inv.add(&resource{arn: aws.ToString(c.Arn), typ: "AWS::EKS::Cluster", region: region, name: name,
				created: aws.ToTime(c.CreatedAt), tags: c.Tags, hostnames: hosts, evidence: "aws eks DescribeCluster " + region})
		}
	}
	return nil
}

func collectRDS(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	p := rds.NewDescribeDBInstancesPaginator(rds.NewFromConfig(cfg), &rds.DescribeDBInstancesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, db := range page.DBInstances {
			tags := map[string]string{}
			for _, t := range db.TagList {
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			var hosts []string
			if db.Endpoint != nil && aws.ToString(db.Endpoint.Address) != "" {
				hosts = append(hosts, aws.ToString(db.Endpoint.Address))
			}
			inv.add(&resource{arn: aws.ToString(db.DBInstanceArn), typ: "AWS::RDS::DBInstance", region: region,
				name: aws.ToString(db.DBInstanceIdentifier), created: aws.ToTime(db.InstanceCreateTime), tags: tags,
				hostnames: hosts, evidence: "aws rds DescribeDBInstances " + region})
		}
	}
	return nil
}

func collectDynamoDB(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := dynamodb.NewFromConfig(cfg)
	p := dynamodb.NewListTablesPaginator(cl, &dynamodb.ListTablesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, name := range page.TableNames {
			out, err := cl.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
			if err != nil {
				return fmt.Errorf("table %s: %w", name, err)
			}
			t := out.Table
			tags := map[string]string{}
			in := &dynamodb.ListTagsOfResourceInput{ResourceArn: t.TableArn}
			for {
				tpage, err := cl.ListTagsOfResource(ctx, in)
				if err != nil {
					return fmt.Errorf("table %s tags: %w", name, err)
				}
				for _, tg := range tpage.Tags {
					tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
				}
				if aws.ToString(tpage.NextToken) == "" {
					break
				}
				in.NextToken = tpage.NextToken
			}
			inv.add(&resource{arn: aws.ToString(t.TableArn), typ: "AWS::DynamoDB::Table", region: region, name: name,
				created: aws.ToTime(t.CreationDateTime), tags: tags, evidence: "aws dynamodb DescribeTable " + region})
		}
	}
	return nil
}

func collectSQS(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := sqs.NewFromConfig(cfg)
	p := sqs.NewListQueuesPaginator(cl, &sqs.ListQueuesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, u := range page.QueueUrls {
			attrs, err := cl.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(u),
				AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn, sqstypes.QueueAttributeNameCreatedTimestamp}})
			if err != nil {
				return fmt.Errorf("queue %s: %w", u, err)
			}
			arn := attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
			var created time.Time
			if s := attrs.Attributes[string(sqstypes.QueueAttributeNameCreatedTimestamp)]; s != "" {
				var secs int64
				if _, err := fmt.Sscan(s, &secs); err == nil {
					created = time.Unix(secs, 0)
				}
			}
			tags, err := cl.ListQueueTags(ctx, &sqs.ListQueueTagsInput{QueueUrl: aws.String(u)})
			if err != nil {
				return fmt.Errorf("queue %s tags: %w", u, err)
			}
			inv.add(&resource{arn: arn, typ: "AWS::SQS::Queue", region: region, name: awsarn.Name(arn),
				created: created, tags: tags.Tags, evidence: "aws sqs ListQueues " + region})
		}
	}
	return nil
}

func collectSNS(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := sns.NewFromConfig(cfg)
	p := sns.NewListTopicsPaginator(cl, &sns.ListTopicsInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, t := range page.Topics {
			out, err := cl.ListTagsForResource(ctx, &sns.ListTagsForResourceInput{ResourceArn: t.TopicArn})
			if err != nil {
				return fmt.Errorf("topic %s tags: %w", aws.ToString(t.TopicArn), err)
			}
			tags := map[string]string{}
			for _, tg := range out.Tags {
				tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
			}
			inv.add(&resource{arn: aws.ToString(t.TopicArn), typ: "AWS::SNS::Topic", region: region,
				tags: tags, evidence: "aws sns ListTopics " + region})
		}
	}
	return nil
}

func collectELBv2(ctx context.Context, cfg aws.Config, region string, inv *inventory) error {
	cl := elbv2.NewFromConfig(cfg)
	p := elbv2.NewDescribeLoadBalancersPaginator(cl, &elbv2.DescribeLoadBalancersInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		byARN := map[string]*resource{}
		var arns []string
		for _, lb := range page.LoadBalancers {
			arn := aws.ToString(lb.LoadBalancerArn)
			res := &resource{arn: arn, typ: "AWS::ElasticLoadBalancingV2::LoadBalancer", region: region,
				name: aws.ToString(lb.LoadBalancerName), created: aws.ToTime(lb.CreatedTime),
				tags: map[string]string{}, evidence: "aws elbv2 DescribeLoadBalancers " + region}
			if dns := aws.ToString(lb.DNSName); dns != "" {
				res.hostnames = []string{dns}
			}
			byARN[arn] = res
			arns = append(arns, arn)
		}
		for chunk := range slices.Chunk(arns, 20) {
			out, err := cl.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: chunk})
			if err != nil {
				return fmt.Errorf("load balancer tags: %w", err)
			}
			for _, td := range out.TagDescriptions {
				if res := byARN[aws.ToString(td.ResourceArn)]; res != nil {
					for _, t := range td.Tags {
						res.tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
					}
				}
			}
		}
		for _, arn := range arns {
			inv.add(byARN[arn])
		}
	}
	return nil
}

func collectIAM(ctx context.Context, cl *iam.Client, inv *inventory) error {
	p := iam.NewListRolesPaginator(cl, &iam.ListRolesInput{})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		for _, role := range page.Roles {
			tags := map[string]string{}
			tp := iam.NewListRoleTagsPaginator(cl, &iam.ListRoleTagsInput{RoleName: role.RoleName})
			for tp.HasMorePages() {
				out, err := tp.NextPage(ctx)
				if err != nil {
					return fmt.Errorf("role %s tags: %w", aws.ToString(role.RoleName), err)
				}
				for _, t := range out.Tags {
					tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
				}
			}
			inv.add(&resource{arn: aws.ToString(role.Arn), typ: "AWS::IAM::Role", name: aws.ToString(role.RoleName),
				created: aws.ToTime(role.CreateDate), tags: tags, evidence: "aws iam ListRoles"})
		}
	}
	return nil
}
