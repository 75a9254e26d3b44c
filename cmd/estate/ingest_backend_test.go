package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest/aws/mototest"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

// TestTerraformStateFoundByGitIngest: a repository whose Terraform root
// declares an S3 backend, ingested by `estate ingest git`, DEFINES the
// resources of that state (and its workspaces') when `estate ingest
// terraform` later reads the bucket — without --terraform-repository.
// Another state in the bucket, which no repository declares, is defined
// by none.
func TestTerraformStateFoundByGitIngest(t *testing.T) {
	ep := mototest.Endpoint(t)
	mototest.Credentials(t, "AKIAESTATEBACKEND001", "estate-backend-secret")
	bucket := "estate-backend-" + strings.ToLower(rand.Text()[:10])

	mainTF := `terraform {
  backend "s3" {
    bucket = "` + bucket + `"
    key    = "live/terraform.tfstate"
    region = "eu-west-1"
  }
}

provider "aws" {
  region = "eu-west-1"
}
`
	repo := ingesttest.GitRepo(t, "git@github.com:acme/infra-live.git", map[string]string{"live/main.tf": mainTF})

	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("eu-west-1"))
	if err != nil {
		t.Fatal(err)
	}
	cl := s3.NewFromConfig(cfg, func(o *s3.Options) { o.BaseEndpoint = aws.String(ep); o.UsePathStyle = true })
	if _, err := cl.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: aws.String(bucket),
		CreateBucketConfiguration: &s3types.CreateBucketConfiguration{LocationConstraint: "eu-west-1"}}); err != nil {
		t.Fatal(err)
	}
	const fixtures = "../../ingest/terraform/testdata/"
	for key, file := range map[string]string{
		"live/terraform.tfstate":              "0lehKondratov__AWS-TR-SR-Loki-Grafana__terraform.tfstate",                         // 52 resources
		"env:/staging/live/terraform.tfstate": "1308harshit__pearlThought-all-tasks-strapi__terraform5__terraform.tfstate.backup", // 17
		"adhoc/cicd.tfstate":                  "0945wltjrwls__AWS_CICD_TEST__terraform.tfstate",                                   // 20, declared by no repository
	} {
		body, err := os.ReadFile(fixtures + file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := cl.PutObject(context.Background(), &s3.PutObjectInput{Bucket: aws.String(bucket), Key: aws.String(key), Body: bytes.NewReader(body)}); err != nil {
			t.Fatal(err)
		}
	}

	dir := t.TempDir()
	if _, stderr, code := cli(t, "", "ingest", "git", repo, "--data-dir", dir); code != exitOK {
		t.Fatalf("ingest git: exit %d: %s", code, stderr)
	}
	out, stderr, code := cli(t, "", "ingest", "terraform", "--data-dir", dir, "s3://"+bucket)
	if code != exitOK {
		t.Fatalf("ingest terraform: exit %d: %s", code, stderr)
	}
	exp, _, _ := cli(t, "", "export", "--data-dir", dir)
	defines, resources := map[string]int{}, 0
	for line := range strings.Lines(exp) {
		var rec struct {
			Node *graph.Node
			Edge *graph.Edge
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("export line %q: %v", line, err)
		}
		if rec.Node != nil && rec.Node.Kind == graph.KindCloudResource {
			resources++
		}
		if n := rec.Node; n != nil && n.Kind == graph.KindRepository {
			// The backend block adds the alias, not its evidence: the
			// repository stays asserted by what the git ingest listed.
			i := slices.IndexFunc(n.Assertions, func(a graph.Assertion) bool { return strings.HasPrefix(a.Source, "git:") })
			if i < 0 || n.Assertions[i].Evidence != "git remote origin git@github.com:acme/infra-live.git" {
				t.Errorf("repository assertions %+v, want the git ingest's with the remote as evidence", n.Assertions)
			}
		}
		if e := rec.Edge; e != nil && e.Type == graph.RelDefines {
			defines[e.From.Key]++
			for _, a := range e.Assertions {
				if !strings.Contains(a.Evidence, "/live/terraform.tfstate: ") {
					t.Errorf("DEFINES evidence %q, want the state and address", a.Evidence)
				}
			}
		}
	}
	if resources != 52+17+20 || len(defines) != 1 || defines["github.com/acme/infra-live"] != 52+17 {
		t.Errorf("%d resources, DEFINES by repository %v; want 89, and 69 from github.com/acme/infra-live (the live state and its staging workspace)\n%s", resources, defines, out)
	}
}
