package terraform

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/graph/jsonl"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/cloudtags"
)

const (
	loki   = "testdata/0lehKondratov__AWS-TR-SR-Loki-Grafana__terraform.tfstate"
	strapi = "testdata/1308harshit__pearlThought-all-tasks-strapi__terraform5__terraform.tfstate.backup"
	cicd   = "testdata/0945wltjrwls__AWS_CICD_TEST__terraform.tfstate"
)

func TestParseStateFixtures(t *testing.T) {
	tests := []struct {
		file      string
		instances int
		serial    int64
		addresses []string
		tagged    map[string]map[string]string // address → tags that must be there
	}{
		{loki, 52, 52,
			[]string{`module.vpc.aws_subnet.private[0]`, `module.vpc.aws_subnet.public[2]`, `aws_s3_bucket.loki`,
				`module.eks.module.eks_managed_node_group["management"].aws_iam_role.this[0]`},
			map[string]map[string]string{
				// tags = null: the provider's default_tags are only in tags_all.
				"aws_kms_key.kms":    {"Team": "DevOps", "OwnerEmail": "devops@example.com"},
				"aws_s3_bucket.loki": {"Name": "demo-grafana-loki-storage", "Team": "DevOps"},
			}},
		{strapi, 17, 82, []string{"aws_ecs_service.strapi_service", "aws_subnet.strapi_subnet[1]"},
			map[string]map[string]string{"aws_lb.strapi_alb": {"Name": "strapi-alb"}}},
		{cicd, 20, 177, []string{"aws_codecommit_repository.PROJECT_CodeCommit_JSJ980412"}, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			data, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			st, err := ParseState(data)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Instances) != tt.instances || st.Serial != tt.serial {
				t.Errorf("%d instances, serial %d; want %d, %d", len(st.Instances), st.Serial, tt.instances, tt.serial)
			}
			by := map[string]Instance{}
			for _, in := range st.Instances {
				by[in.Address] = in
				if in.Provider != "aws" {
					t.Errorf("%s: provider %q", in.Address, in.Provider)
				}
				if in.Type == "aws_eks_cluster" {
					t.Errorf("the EKS cluster has no instance (its apply never finished) but was reported")
				}
			}
			for _, a := range tt.addresses {
				if _, ok := by[a]; !ok {
					t.Errorf("no instance at %s", a)
				}
			}
			for a, want := range tt.tagged {
				for k, v := range want {
					if got := by[a].Tags[k]; got != v {
						t.Errorf("%s tag %s = %q, want %q", a, k, got, v)
					}
				}
			}
		})
	}
}

func TestParseStateRejects(t *testing.T) {
	tests := map[string]string{
		"":                                "empty file",
		"{":                               "not a Terraform state",
		`[]`:                              "not a Terraform state",
		`{"resources": []}`:               `no "version"`,
		`{"version": 3, "resources": []}`: "format version 3",
		`{"version": 4}`:                  `no "resources"`,
		`{"version": 4, "resources": [{"mode": "managed"}]}`: "without type or name",
		`{"version": 4, "resources": {}}`:                    "not a Terraform state",
	}
	for in, want := range tests {
		_, err := ParseState([]byte(in))
		if err == nil || !errors.Is(err, ErrNotState) || !strings.Contains(err.Error(), want) {
			t.Errorf("ParseState(%q) = %v, want an ErrNotState saying %q", in, err, want)
		}
	}
}

func FuzzParseState(f *testing.F) {
	// The real states, cut to their first few resources: seeds of 30–90 KB
	// held the fuzzer at about one input a second, mostly minimising.
	for _, file := range []string{loki, strapi, cicd} {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		var state map[string]any
		if err := json.Unmarshal(data, &state); err != nil {
			f.Fatal(err)
		}
		if rs, ok := state["resources"].([]any); ok && len(rs) > 3 {
			state["resources"] = rs[:3]
		}
		if data, err = json.Marshal(state); err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"version":4,"resources":[{"mode":"managed","type":"aws_s3_bucket","name":"b","module":"module.x","instances":[{"index_key":"k","attributes":{"arn":"arn:aws:s3:::b","tags":{"team":"x"}}}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		st, err := ParseState(data)
		if err != nil {
			if st != nil || !errors.Is(err, ErrNotState) {
				t.Fatalf("error %v with state %v", err, st)
			}
			return
		}
		for _, in := range st.Instances {
			if in.Address == "" || in.Type == "" {
				t.Fatalf("instance without address or type: %+v", in)
			}
			if _, ok := describe(in, "", st.Lineage); ok && graph.NormalizeKey(in.ID) == "" && arnOf(in) == "" {
				t.Fatalf("keyed an instance without id or ARN: %+v", in)
			}
		}
	})
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

func TestIngestFixtures(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		file      string
		resources int // one per managed instance with an id (ParseStateFixtures' count): none collide
		account   string
		// names, each an alias of the resource keyed by the value: host
		// names (hostAttrs), IP addresses (addressAttrs) and an instance's
		// id.
		names map[string]string
	}{
		// 52 instances, 17 with an ARN naming the account, 35 without an
		// ARN (security group rules, route table associations, policy
		// attachments, the bucket's ACL, public access block and encryption
		// configuration — the last two both have the bucket name as id, and
		// were one node when non-ARN resources were keyed by bare id).
		{loki, 52, "aws:209038005832", map[string]string{
			"demo-grafana-loki-storage.s3.us-east-2.amazonaws.com": "arn:aws:s3:::demo-grafana-loki-storage",
			// A NAT gateway's elastic IP: its public DNS name.
			"ec2-3-129-117-79.us-east-2.compute.amazonaws.com": "aws:209038005832/aws_eip/eipalloc-0b27c046e4eb789a2",
		}},
		// 17 instances; aws_ecs_service has no arn attribute but its id is
		// its ARN.
		{strapi, 17, "aws:816069168735", map[string]string{
			"strapi-alb-672106960.us-east-1.elb.amazonaws.com": "arn:aws:elasticloadbalancing:us-east-1:816069168735:loadbalancer/app/strapi-alb/1243331f75334f16",
		}},
		{cicd, 20, "aws:553303225826", map[string]string{
			"i-041b8317ef11d9056":                      "arn:aws:ec2:us-east-2:553303225826:instance/i-041b8317ef11d9056",
			"ip-10-0-1-147.us-east-2.compute.internal": "arn:aws:ec2:us-east-2:553303225826:instance/i-041b8317ef11d9056",
			"10.0.1.147":                               "arn:aws:ec2:us-east-2:553303225826:instance/i-041b8317ef11d9056",
			"3.145.164.247":                            "arn:aws:ec2:us-east-2:553303225826:instance/i-041b8317ef11d9056",
			// The NAT gateway's elastic IP: its public address, not the
			// private one of the interface it is attached to.
			"3.133.3.165": "aws:553303225826/aws_eip/eipalloc-024c06f29d02e18c0",
		}},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.file), func(t *testing.T) {
			st := openStore(t)
			// The CMDB knows the DevOps team; the default tags name it.
			if _, err := st.Apply(ctx, graph.Batch{Source: "seed", Run: "1", Nodes: []graph.NodeInput{{Kind: graph.KindTeam, Key: "devops"}}}); err != nil {
				t.Fatal(err)
			}
			src, err := New(Config{Paths: []string{tt.file}, Repository: "https://github.com/acme/infra.git", Resolve: cloudtags.StoreResolver(st.Resolve)})
			if err != nil {
				t.Fatal(err)
			}
			if src.Name() != "terraform:github.com/acme/infra" {
				t.Errorf("name %q", src.Name())
			}
			rep, err := ingest.Run(ctx, st, src, ingest.Options{})
			if err != nil || rep.Status != ingest.StatusSucceeded {
				t.Fatalf("run: %v %+v", err, rep)
			}
			stats, err := st.Stats(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := stats.Nodes[graph.KindCloudResource]; got != tt.resources {
				t.Errorf("%d resources, want %d", got, tt.resources)
			}
			if got := stats.Edges[graph.RelDefines]; got != tt.resources {
				t.Errorf("%d DEFINES, want one per resource (%d)", got, tt.resources)
			}
			// Each state has one AWS provider configuration whose ARNs name
			// one account: resources without an account in their ARN (or
			// without an ARN) are in it too.
			if got := stats.Edges[graph.RelInAccount]; got != tt.resources {
				t.Errorf("%d IN_ACCOUNT, want one per resource (%d)", got, tt.resources)
			}
			if _, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudAccount, Key: tt.account}); err != nil {
				t.Errorf("account %s: %v", tt.account, err)
			}
			for name, key := range tt.names {
				if got, err := st.Resolve(ctx, name, nil); err != nil || len(got) != 1 || got[0].Key != key {
					var keys []string
					for _, n := range got {
						keys = append(keys, n.Key)
					}
					t.Errorf("Resolve(%q) = %v, %v; want %s", name, keys, err, key)
				}
			}
			var defines *graph.Edge
			st.ScanEdges(ctx, func(e *graph.Edge) error {
				if e.Type == graph.RelDefines && defines == nil {
					defines = e
				}
				return nil
			})
			if defines == nil || defines.From.Key != "github.com/acme/infra" || defines.Confidence() != graph.Declared ||
				!strings.HasPrefix(defines.Assertions[0].Evidence, "terraform state "+tt.file+": ") {
				t.Errorf("DEFINES = %+v, want from the repository, DECLARED, with file and address as evidence", defines)
			}
			var exp bytes.Buffer
			if _, err := jsonl.Export(ctx, st, &exp); err != nil {
				t.Fatal(err)
			}
			// Container environment values in the state are never copied.
			if strings.Contains(exp.String(), "myVerySecretJWT") {
				t.Error("the export holds a secret from container_definitions")
			}
			if tt.file == loki {
				if got := stats.Edges[graph.RelOwns]; got == 0 {
					t.Error("the Team=DevOps default tag made no OWNS")
				}
				bucket, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:s3:::demo-grafana-loki-storage"})
				if err != nil || bucket.Props["type"] != "AWS::S3::Bucket" || bucket.Name != "demo-grafana-loki-storage" || bucket.Labels["Team"] != "DevOps" ||
					bucket.Props["terraformAddress"] != "aws_s3_bucket.loki" || bucket.Props["terraformType"] != "aws_s3_bucket" {
					t.Errorf("bucket = %+v (%v)", bucket, err)
				}
				// The team tag resolved, so nothing is recorded as unknown.
				if v, ok := bucket.Labels[graph.UnknownTagLabel("team", "Team")]; !ok || v != "" {
					t.Errorf("bucket unknown-team label %q (set %v), want empty: DevOps is known", v, ok)
				}
				// The bucket's sub-resources share its name as id: each is its own node, in the account.
				for typ, addr := range map[string]string{
					"aws_s3_bucket_public_access_block":                  "aws_s3_bucket_public_access_block.loki",
					"aws_s3_bucket_server_side_encryption_configuration": "aws_s3_bucket_server_side_encryption_configuration.loki",
				} {
					ref := graph.Ref{Kind: graph.KindCloudResource, Key: "aws:209038005832/" + typ + "/demo-grafana-loki-storage"}
					n, err := st.Node(ctx, ref)
					if err != nil || n.Props["terraformType"] != typ || n.Props["terraformAddress"] != addr || n.Props["account"] != "209038005832" {
						t.Errorf("%s = %+v (%v)", ref.Key, n, err)
					}
				}
			}
			if tt.file == strapi {
				svc, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:ecs:us-east-1:816069168735:service/strapi-cluster/strapi-service"})
				if err != nil || svc.Props["type"] != "AWS::ECS::Service" || svc.Props["region"] != "us-east-1" {
					t.Errorf("ECS service keyed by its id, an ARN = %+v (%v)", svc, err)
				}
			}
		})
	}
}

func TestDirectoryAndBadFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, f := range []string{loki, cicd} {
		data, _ := os.ReadFile(f)
		os.MkdirAll(filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".tfstate")), 0o755)
		os.WriteFile(filepath.Join(dir, strings.TrimSuffix(filepath.Base(f), ".tfstate"), "terraform.tfstate"), data, 0o644)
	}
	os.MkdirAll(filepath.Join(dir, "x", ".terraform"), 0o755)
	os.WriteFile(filepath.Join(dir, "x", ".terraform", "terraform.tfstate"), []byte(`{"version":3}`), 0o644)
	files, err := Files([]string{dir})
	if err != nil || len(files) != 2 {
		t.Fatalf("Files = %v, %v; want the two states, not .terraform's", files, err)
	}

	st := openStore(t)
	src, _ := New(Config{Paths: []string{dir}})
	rep, err := ingest.Run(ctx, st, src, ingest.Options{})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("dir: %v %+v", err, rep)
	}
	stats, _ := st.Stats(ctx)
	if stats.Nodes[graph.KindCloudResource] != 72 || stats.Edges[graph.RelDefines] != 0 {
		t.Errorf("dir: stats %+v, want 72 resources (52 + 20) and no DEFINES without a repository", stats)
	}

	// A malformed file and a file over the size limit are item errors: the
	// run is partial and keeps what the file said, while the other state
	// files are swept — loki's state, gone from the directory, goes.
	lokiDir := filepath.Join(dir, filepath.Base(strings.TrimSuffix(loki, ".tfstate")))
	lokiState, _ := os.ReadFile(filepath.Join(lokiDir, "terraform.tfstate"))
	os.WriteFile(filepath.Join(dir, "broken.tfstate"), []byte(`{"version": 4, "resources": [`), 0o644)
	os.Rename(filepath.Join(lokiDir, "terraform.tfstate"), filepath.Join(dir, "gone"))
	src, _ = New(Config{Paths: []string{dir}})
	rep, _ = ingest.Run(ctx, st, src, ingest.Options{AllowMassDelete: true})
	if rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || !strings.Contains(rep.Errors[0].Item, "broken.tfstate") ||
		len(rep.KeptScopes) != 1 || !strings.HasSuffix(rep.KeptScopes[0], "/broken.tfstate") || rep.Swept == nil || rep.Swept.NodesRemoved == 0 {
		t.Fatalf("broken file: %+v", rep)
	}
	// The loki state is back but cut short: its resources are kept.
	os.WriteFile(filepath.Join(lokiDir, "terraform.tfstate"), lokiState, 0o644)
	if rep, err := ingest.Run(ctx, st, src, ingest.Options{}); err != nil || rep.Status != ingest.StatusPartial {
		t.Fatalf("loki back: %v %+v", err, rep)
	}
	before, _ := st.Stats(ctx)
	os.WriteFile(filepath.Join(lokiDir, "terraform.tfstate"), lokiState[:len(lokiState)/2], 0o644)
	rep, _ = ingest.Run(ctx, st, src, ingest.Options{})
	if after, _ := st.Stats(ctx); rep.Status != ingest.StatusPartial || len(rep.KeptScopes) != 2 || after.TotalNodes() != before.TotalNodes() {
		t.Fatalf("cut-short state: %d nodes, had %d; report %+v", after.TotalNodes(), before.TotalNodes(), rep)
	}
	os.Remove(filepath.Join(dir, "broken.tfstate"))
	src, _ = New(Config{Paths: []string{filepath.Join(dir, filepath.Base(strings.TrimSuffix(loki, ".tfstate")))}, MaxFileSize: 1000})
	rep, _ = ingest.Run(ctx, st, src, ingest.Options{})
	if rep.Status != ingest.StatusPartial || !strings.Contains(rep.Errors[0].Err, "over the limit of 1000 bytes") {
		t.Fatalf("huge file: %+v", rep)
	}
	if _, err := New(Config{}); err == nil {
		t.Error("New without paths succeeded")
	}
	src, _ = New(Config{Paths: []string{filepath.Join(dir, "missing")}})
	if rep, err := ingest.Run(ctx, st, src, ingest.Options{}); err == nil || rep.Status != ingest.StatusFailed {
		t.Errorf("missing path: %v %+v, want a failed run", err, rep)
	}
}

func TestDescribeKeys(t *testing.T) {
	const pc, west = `provider["registry.terraform.io/hashicorp/aws"]`, `provider["registry.terraform.io/hashicorp/aws"].west`
	st := &State{Lineage: "L1", Instances: []Instance{
		{Address: "aws_iam_role.a", Type: "aws_iam_role", Provider: "aws", ProviderConfig: pc, ID: "a", ARN: "arn:aws:iam::111111111111:role/a"},
		{Address: "aws_s3_bucket.b", Type: "aws_s3_bucket", Provider: "aws", ProviderConfig: pc, ID: "b", ARN: "arn:aws:s3:::b"},
		{Address: "aws_s3_bucket_policy.b", Type: "aws_s3_bucket_policy", Provider: "aws", ProviderConfig: pc, ID: "b"},
		// The west configuration's ARNs name two accounts: which one a
		// resource without an ARN is in cannot be told.
		{Address: "aws_iam_role.w1", Type: "aws_iam_role", Provider: "aws", ProviderConfig: west, ID: "w1", ARN: "arn:aws:iam::222222222222:role/w1"},
		{Address: "aws_iam_role.w2", Type: "aws_iam_role", Provider: "aws", ProviderConfig: west, ID: "w2", ARN: "arn:aws:iam::333333333333:role/w2"},
		{Address: "aws_security_group_rule.w", Type: "aws_security_group_rule", Provider: "aws", ProviderConfig: west, ID: "sgrule-1"},
		{Address: "kubernetes_namespace.m", Type: "kubernetes_namespace", Provider: "kubernetes", ID: "monitoring"},
		{Address: "azurerm_resource_group.r", Type: "azurerm_resource_group", Provider: "azurerm", ID: "/subscriptions/ABC/resourceGroups/r"},
		{Address: "aws_instance.pending", Type: "aws_instance", Provider: "aws", ProviderConfig: pc},
	}}
	want := []struct{ key, account string }{
		{"arn:aws:iam::111111111111:role/a", "aws:111111111111"},
		{"arn:aws:s3:::b", "aws:111111111111"}, // no account in an S3 ARN: the configuration's
		{"aws:111111111111/aws_s3_bucket_policy/b", "aws:111111111111"},
		{"arn:aws:iam::222222222222:role/w1", "aws:222222222222"},
		{"arn:aws:iam::333333333333:role/w2", "aws:333333333333"},
		{"terraform:L1/aws_security_group_rule/sgrule-1", ""},
		{"terraform:L1/kubernetes_namespace/monitoring", ""},
		{"/subscriptions/ABC/resourceGroups/r", "azure:abc"},
		{"", ""}, // no id: not keyed
	}
	accounts := stateAccounts(st)
	for i, in := range st.Instances {
		c, ok := describe(in, accounts[in.ProviderConfig], st.Lineage)
		if ok != (want[i].key != "") || c.key != want[i].key || c.account != want[i].account {
			t.Errorf("%s: key %q account %q (ok %v), want %q %q", in.Address, c.key, c.account, ok, want[i].key, want[i].account)
		}
	}
}

// TestUnknownTeamTag: the Loki state's default tag Team=DevOps (in
// tags_all, capitalised) names no team of this CMDB: the resources record
// it, under the key as spelled, for the shadow report.
func TestUnknownTeamTag(t *testing.T) {
	ctx := context.Background()
	st := openStore(t)
	src, err := New(Config{Paths: []string{loki}, Resolve: cloudtags.StoreResolver(st.Resolve)})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := ingest.Run(ctx, st, src, ingest.Options{})
	if err != nil || rep.Status != ingest.StatusSucceeded {
		t.Fatalf("run: %v %+v", err, rep)
	}
	bucket, err := st.Node(ctx, graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:s3:::demo-grafana-loki-storage"})
	if err != nil || bucket.Labels[graph.UnknownTagLabel("team", "Team")] != "DevOps" {
		t.Fatalf("bucket labels %v (%v), want unknown-team/Team=DevOps", bucket.Labels, err)
	}
	if rep.WarningCount == 0 || !strings.Contains(rep.Warnings[0].Err, "tag Team=DevOps names no known team") {
		t.Errorf("warnings %+v, want the unknown team noted", rep.Warnings)
	}
}

// Host names as states hold them: a URL (EKS), upper case, a port, none.
func TestHostnames(t *testing.T) {
	raw := func(s string) json.RawMessage { b, _ := json.Marshal(s); return b }
	for _, tt := range []struct {
		typ   string
		attrs attributes
		want  []string
	}{
		{"aws_eks_cluster", attributes{Endpoint: raw("https://ABC123.gr7.us-east-1.eks.amazonaws.com")}, []string{"abc123.gr7.us-east-1.eks.amazonaws.com"}},
		{"aws_rds_cluster", attributes{Endpoint: raw("orders.cluster-c1.eu-west-1.rds.amazonaws.com:5432"), ReaderEndpoint: raw("orders.cluster-ro-c1.eu-west-1.rds.amazonaws.com")},
			[]string{"orders.cluster-c1.eu-west-1.rds.amazonaws.com", "orders.cluster-ro-c1.eu-west-1.rds.amazonaws.com"}},
		{"aws_instance", attributes{PublicDNS: raw(""), PrivateDNS: raw("ip-10-0-1-5.ec2.internal")}, []string{"ip-10-0-1-5.ec2.internal"}},
		// Not a host-name attribute of this type: an aws_eip's address is an IP.
		{"aws_eip", attributes{Address: raw("10.0.0.1"), PublicDNS: raw("ec2-1-2-3-4.compute-1.amazonaws.com")}, []string{"ec2-1-2-3-4.compute-1.amazonaws.com"}},
		{"aws_vpc", attributes{DNSName: raw("x.example")}, nil},
	} {
		if got := tt.attrs.hostnames(tt.typ); !slices.Equal(got, tt.want) {
			t.Errorf("%s: hostnames %q, want %q", tt.typ, got, tt.want)
		}
	}
	// Every attribute the tables name is read.
	var all attributes
	if err := json.Unmarshal([]byte(`{"public_dns":"x","private_dns":"x","address":"x","endpoint":"x","reader_endpoint":"x",
		"dns_name":"x","bucket_regional_domain_name":"x","default_hostname":"x","default_site_hostname":"x","public_ip":"x","private_ip":"x"}`), &all); err != nil {
		t.Fatal(err)
	}
	for _, table := range []map[string][]string{hostAttrs, addressAttrs} {
		for typ, attrs := range table {
			for _, attr := range attrs {
				if all.named(attr) == nil {
					t.Errorf("%s: attribute %q is never read", typ, attr)
				}
			}
		}
	}
	// Addresses: IPv4 and IPv6, normalised; no address, or not one.
	a := attributes{PublicIP: raw(""), PrivateIP: raw("2001:DB8::1")}
	if got := a.addresses("aws_instance"); !slices.Equal(got, []string{"2001:db8::1"}) {
		t.Errorf("addresses %q", got)
	}
	a = attributes{PublicIP: raw("not-an-ip"), PrivateIP: raw("10.0.0.1")}
	if got := a.addresses("aws_eip"); got != nil {
		t.Errorf("an elastic IP's addresses %q: want its public address only, and none that is not one", got)
	}
}
