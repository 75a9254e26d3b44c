package terraform

// These tests read state from a real S3 API: moto in server mode, started
// with  set -a; eval "$(scripts/moto.sh start)"; set +a  (ESTATE_AWS_ENDPOINT).
// The bucket is filled through the same Go SDK the source reads it with.

import (
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/embedded"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/aws/mototest"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

// stateBucket creates a fresh bucket in moto and uploads objects (key →
// local file, or literal content when the value starts with "{").
func stateBucket(t *testing.T, ep string, objects map[string]string) string {
	t.Helper()
	ctx := context.Background()
	cl := motoS3(t, ep)
	bucket := "estate-tfstate-" + strings.ToLower(rand.Text()[:12])
	if _, err := cl.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	for key, from := range objects {
		body := []byte(from)
		if !strings.HasPrefix(from, "{") {
			var err error
			if body, err = os.ReadFile(from); err != nil {
				t.Fatal(err)
			}
		}
		put(t, cl, bucket, key, body)
	}
	return bucket
}

// shape is what a user compares between two ingests of the same states.
type shape struct {
	stats   graph.Stats
	defines []string // the resources the repository DEFINES
}

func shapeOf(t *testing.T, st *embedded.Store) shape {
	t.Helper()
	ctx := context.Background()
	stats, err := st.Stats(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var defs []string
	st.ScanEdges(ctx, func(e *graph.Edge) error {
		if e.Type == graph.RelDefines {
			defs = append(defs, e.From.Key+" -> "+e.To.Key)
		}
		return nil
	})
	slices.Sort(defs)
	return shape{stats, defs}
}

func ingestPaths(t *testing.T, st *embedded.Store, cfg Config) (*ingest.Report, error) {
	t.Helper()
	cfg.Repository = "github.com/acme/infra"
	src, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return ingest.Run(context.Background(), st, src, ingest.Options{})
}

func TestS3Backend(t *testing.T) {
	ep := mototest.Endpoint(t)
	mototest.Credentials(t, "AKIAESTATES3TEST0001", "estate-s3-test-secret")
	bucket := stateBucket(t, ep, map[string]string{
		"infra/terraform.tfstate":              loki,   // the default workspace
		"env:/staging/infra/terraform.tfstate": strapi, // workspace "staging" of the same key
		"other/cicd.tfstate":                   cicd,
		"other/notes.txt":                      `{"not": "a state, not read"}`,
	})
	s3cfg := S3Config{Endpoint: ep}
	tests := []struct {
		name      string
		path      string
		local     []string // the same states as local files
		resources int
	}{
		// 52 + 17 + 20: TestIngestFixtures' counts.
		{"key and its workspaces", "s3://" + bucket + "/infra/terraform.tfstate", []string{loki, strapi}, 69},
		{"prefix", "s3://" + bucket + "/other/", []string{cicd}, 20},
		{"whole bucket", "s3://" + bucket, []string{loki, strapi, cicd}, 89},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fromS3 := openStore(t)
			rep, err := ingestPaths(t, fromS3, Config{Paths: []string{tt.path}, S3: s3cfg})
			if err != nil || rep.Status != ingest.StatusSucceeded {
				t.Fatalf("s3: %v %+v", err, rep)
			}
			fromFiles := openStore(t)
			if rep, err := ingestPaths(t, fromFiles, Config{Paths: tt.local}); err != nil || rep.Status != ingest.StatusSucceeded {
				t.Fatalf("files: %v %+v", err, rep)
			}
			got, want := shapeOf(t, fromS3), shapeOf(t, fromFiles)
			if got.stats.Nodes[graph.KindCloudResource] != tt.resources || len(got.defines) != tt.resources {
				t.Errorf("%d resources, %d DEFINES; want %d of each", got.stats.Nodes[graph.KindCloudResource], len(got.defines), tt.resources)
			}
			if fmt.Sprint(got.stats.Nodes, got.stats.Edges) != fmt.Sprint(want.stats.Nodes, want.stats.Edges) || !slices.Equal(got.defines, want.defines) {
				t.Errorf("from S3 %v %v, %d DEFINES; from the files %v %v, %d DEFINES",
					got.stats.Nodes, got.stats.Edges, len(got.defines), want.stats.Nodes, want.stats.Edges, len(want.defines))
			}
		})
	}

	t.Run("evidence names the object", func(t *testing.T) {
		st := openStore(t)
		if rep, err := ingestPaths(t, st, Config{Paths: []string{"s3://" + bucket + "/infra/terraform.tfstate"}, S3: s3cfg}); err != nil || rep.Status != ingest.StatusSucceeded {
			t.Fatalf("%v %+v", err, rep)
		}
		n, err := st.Node(context.Background(), graph.Ref{Kind: graph.KindCloudResource, Key: "arn:aws:ecs:us-east-1:816069168735:cluster/strapi-cluster"})
		if err != nil || !strings.HasPrefix(n.Assertions[0].Evidence, "terraform state s3://"+bucket+"/env:/staging/infra/terraform.tfstate: ") {
			t.Errorf("the staging workspace's cluster: %+v (%v)", n, err)
		}
	})

	t.Run("missing bucket or object", func(t *testing.T) {
		st := openStore(t)
		for path, want := range map[string]string{
			"s3://estate-no-such-bucket-" + strings.ToLower(rand.Text()[:8]) + "/terraform.tfstate": "does not exist",
			"s3://" + bucket + "/nothing/here/terraform.tfstate":                                    "no state object",
		} {
			rep, err := ingestPaths(t, st, Config{Paths: []string{path}, S3: s3cfg})
			if err == nil || rep.Status != ingest.StatusFailed || !strings.Contains(rep.Err, path) || !strings.Contains(rep.Err, want) {
				t.Errorf("%s: %v %+v, want a failed run saying %q", path, err, rep, want)
			}
		}
	})

	t.Run("an unreadable object is partial and keeps its data", func(t *testing.T) {
		st := openStore(t)
		path := "s3://" + bucket + "/infra/terraform.tfstate"
		if rep, err := ingestPaths(t, st, Config{Paths: []string{path}, S3: s3cfg}); err != nil || rep.Status != ingest.StatusSucceeded {
			t.Fatalf("%v %+v", err, rep)
		}
		before := shapeOf(t, st)
		// The staging workspace's state is now cut short.
		put(t, motoS3(t, ep), bucket, "env:/staging/infra/terraform.tfstate", []byte(`{"version": 4, "resources": [`))
		rep, _ := ingestPaths(t, st, Config{Paths: []string{path}, S3: s3cfg})
		if rep.Status != ingest.StatusPartial || len(rep.Errors) != 1 || rep.Errors[0].Item != "s3://"+bucket+"/env:/staging/infra/terraform.tfstate" ||
			!slices.Equal(rep.KeptScopes, []string{"state/s3:/" + bucket + "/env:/staging/infra/terraform.tfstate"}) {
			t.Fatalf("%+v, want partial with one error naming the object, keeping its scope", rep)
		}
		if after := shapeOf(t, st); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Errorf("a partial run changed the graph: %v, was %v", after.stats, before.stats)
		}
	})
}

// motoS3 is an S3 client for moto, with the credentials of the environment.
func motoS3(t *testing.T, ep string) *s3.Client {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	return s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(ep); o.UsePathStyle = true })
}

func put(t *testing.T, cl *s3.Client, bucket, key string, body []byte) {
	t.Helper()
	if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
		t.Fatalf("put %s: %v", key, err)
	}
}

func TestS3PathsRejected(t *testing.T) {
	for _, p := range []string{"s3://", "s3:///key", "s3://a/key", "s3://bad bucket/key"} {
		if _, err := New(Config{Paths: []string{p}}); err == nil || !strings.Contains(err.Error(), "not an S3 location") {
			t.Errorf("New(%q) = %v, want an error naming the location", p, err)
		}
	}
	if _, err := New(Config{Paths: []string{"s3://b1/k"}, S3: S3Config{Endpoint: "127.0.0.1:5055"}}); err == nil || !strings.Contains(err.Error(), "S3 endpoint") {
		t.Errorf("bad endpoint: %v", err)
	}
}

// TestS3CredentialsNeverLeak reads with recognisable credentials from the
// default chain — a good run, a partial one and a failed one — and looks for
// them wherever a user could see them: logs, reports, errors, the export.
func TestS3CredentialsNeverLeak(t *testing.T) {
	ep := mototest.Endpoint(t)
	const keyID, secret = "AKIAESTATES3LEAK0001", "estate-s3-leak-secret-Zm9vYmFyYmF6"
	mototest.Credentials(t, keyID, secret)
	bucket := stateBucket(t, ep, map[string]string{
		"infra/terraform.tfstate":  loki,
		"broken/terraform.tfstate": `{"version": 4, "resources": [`,
	})
	ingesttest.SecretsNeverShow(t, func(log zerolog.Logger) []ingest.Source {
		var srcs []ingest.Source
		for _, path := range []string{"s3://" + bucket, "s3://" + bucket + "-missing/terraform.tfstate"} {
			src, err := New(Config{Paths: []string{path}, S3: S3Config{Endpoint: ep}, Logger: log})
			if err != nil {
				t.Fatal(err)
			}
			srcs = append(srcs, src)
		}
		return srcs
	}, []string{keyID, secret}, "partial", "does not exist")
}
