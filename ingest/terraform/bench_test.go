package terraform

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/bench/heapstat"
	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
)

// syntheticState writes a state of n EC2 instances in 50 modules, tagged
// with team, app and env like a real estate: the shape of the fixtures.
func syntheticState(tb testing.TB, n int) string {
	tb.Helper()
	var b bytes.Buffer
	b.WriteString(`{"version":4,"terraform_version":"1.9.0","serial":1,"lineage":"bench","outputs":{},"resources":[`)
	perModule := n / 50
	for m := 0; m < 50; m++ {
		if m > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"module":"module.svc%d","mode":"managed","type":"aws_instance","name":"this","provider":"provider[\"registry.terraform.io/hashicorp/aws\"]","instances":[`, m)
		for i := 0; i < perModule; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			id := fmt.Sprintf("i-%017x", m*perModule+i)
			fmt.Fprintf(&b, `{"index_key":%d,"schema_version":1,"attributes":{"id":%q,"arn":"arn:aws:ec2:eu-west-1:123456789012:instance/%s","instance_type":"t3.micro","tags":{"Name":"svc%d-%d","team":"team-%d","app":"app-%d"},"tags_all":{"Name":"svc%d-%d","team":"team-%d","app":"app-%d","env":"prod"}},"sensitive_attributes":[]}`,
				i, id, id, m, i, m%20, m, m, i, m%20, m)
		}
		b.WriteString(`]}`)
	}
	b.WriteString(`]}`)
	path := filepath.Join(tb.TempDir(), "terraform.tfstate")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		tb.Fatal(err)
	}
	return path
}

// BenchmarkIngest100k ingests 100,000 synthetic cloud resources from one
// state file into the embedded store (parse, engine, batching, tag
// resolution against a store that knows the teams and apps, sweep).
//
//	go test -run '^$' -bench Ingest100k -benchtime 1x ./ingest/terraform/
func BenchmarkIngest100k(b *testing.B) {
	const n = 100_000
	path := syntheticState(b, n)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		st, err := embedded.Open(ctx, b.TempDir(), embedded.Options{NoSync: true})
		if err != nil {
			b.Fatal(err)
		}
		var known []graph.NodeInput
		for i := 0; i < 20; i++ {
			known = append(known, graph.NodeInput{Kind: graph.KindTeam, Key: fmt.Sprintf("team-%d", i)})
		}
		for i := 0; i < 50; i++ {
			known = append(known, graph.NodeInput{Kind: graph.KindApplication, Key: fmt.Sprintf("app-%d", i)})
		}
		if _, err := st.Apply(ctx, graph.Batch{Source: "seed", Run: "1", Nodes: known}); err != nil {
			b.Fatal(err)
		}
		src, err := New(Config{Paths: []string{path}, Repository: "github.com/acme/infra"})
		if err != nil {
			b.Fatal(err)
		}
		src.SetResolver(func(ctx context.Context, ref string, kind graph.Kind) (string, bool) {
			nodes, err := st.Resolve(ctx, ref, []graph.Kind{kind})
			if err != nil || len(nodes) != 1 {
				return "", false
			}
			return nodes[0].Key, true
		})
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
		if stats.Nodes[graph.KindCloudResource] != n || stats.Edges[graph.RelOwns] != n || stats.Edges[graph.RelRunsOn] != n {
			b.Fatalf("stats %+v", stats)
		}
		b.ReportMetric(float64(n)/took.Seconds(), "resources/s")
		b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
		st.Close()
		b.StartTimer()
	}
}

// BenchmarkParseState100k is BenchmarkIngest100k's peer: the same file,
// parsed only, so the share of the store and engine is visible.
func BenchmarkParseState100k(b *testing.B) {
	path := syntheticState(b, 100_000)
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		st, err := ParseState(data)
		if err != nil || len(st.Instances) != 100_000 {
			b.Fatalf("%v %d", err, len(st.Instances))
		}
	}
}
