package server_test

import (
	"context"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/ingest/gitrepo"
	"github.com/estate-cmdb/estate/ingest/ingesttest"
)

// gitMonorepo makes a real git repository: a catalog-declared API and a
// worker known only by its Dockerfile, with CODEOWNERS.
func gitMonorepo(t testing.TB) string {
	t.Helper()
	return ingesttest.GitRepo(t, "git@github.com:Acme/Shop.git", map[string]string{
		".github/CODEOWNERS": "*                 @acme/platform\n/services/worker/ @acme/payments\n",
		"services/api/catalog-info.yaml": `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
spec:
  type: service
  owner: group:payments
  system: payments
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: payments
spec:
  owner: payments
`,
		"services/worker/Dockerfile": "FROM golang\n",
	})
}

// The acceptance query of the git-host issue, on data a git source
// ingested: a repository's applications with the evidence, confidence and
// monorepo path of each BUILDS, the service an application is part of and
// why, and what a team owns and why.
func TestGitIngestedEstateOverGraphQL(t *testing.T) {
	repo := gitMonorepo(t)
	e := newEnv(t, withEstate(func(t testing.TB, st graph.Store) {
		src, err := gitrepo.New(gitrepo.Config{Target: repo})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := ingest.Run(context.Background(), st, src, ingest.Options{Now: func() time.Time { return fixtureTime }})
		if err != nil || rep.Status != ingest.StatusSucceeded {
			t.Fatalf("ingest: %s %v %v", rep.Status, err, rep.Errors)
		}
	}))
	const q = `{
  repository(url: "https://github.com/acme/shop") {
    key
    applications { edges {
      relationship { evidence confidence path }
      node { key partOf { edges { relationship { evidence confidence } node { key } } } }
    } }
  }
  team(name: "@acme/payments") {
    owns { edges { relationship { evidence confidence } node { kind key } } }
  }
}`
	var got struct {
		Repository struct {
			Key          string
			Applications struct {
				Edges []struct {
					Relationship struct{ Evidence, Confidence, Path string }
					Node         struct {
						Key    string
						PartOf struct {
							Edges []struct {
								Relationship struct{ Evidence, Confidence string }
								Node         struct{ Key string }
							}
						}
					}
				}
			}
		}
		Team struct {
			Owns struct {
				Edges []struct {
					Relationship struct{ Evidence, Confidence string }
					Node         struct{ Kind, Key string }
				}
			}
		}
	}
	e.do(t, e.viewer, q, nil).mustData(t, &got)
	if got.Repository.Key != "github.com/acme/shop" {
		t.Fatalf("repository %q", got.Repository.Key)
	}

	type link struct{ evidence, confidence, path string }
	apps := map[string]link{}
	partOf := map[string]link{}
	for _, ed := range got.Repository.Applications.Edges {
		r := ed.Relationship
		apps[ed.Node.Key] = link{r.Evidence, r.Confidence, r.Path}
		for _, p := range ed.Node.PartOf.Edges {
			partOf[ed.Node.Key+" → "+p.Node.Key] = link{p.Relationship.Evidence, p.Relationship.Confidence, ""}
		}
	}
	wantApps := map[string]link{
		"payments-api": {"github.com/acme/shop/services/api/catalog-info.yaml:4 Component payments-api", "DECLARED", "services/api"},
		"shop/worker":  {"github.com/acme/shop/services/worker/Dockerfile", "INFERRED", "services/worker"},
	}
	if len(apps) != len(wantApps) {
		t.Errorf("applications %v, want %v", apps, wantApps)
	}
	for k, w := range wantApps {
		if apps[k] != w {
			t.Errorf("BUILDS %s: %+v, want %+v", k, apps[k], w)
		}
	}
	if l, want := partOf["payments-api → payments"], (link{"github.com/acme/shop/services/api/catalog-info.yaml:8 spec.system: payments", "DECLARED", ""}); l != want {
		t.Errorf("PART_OF: %+v, want %+v (all: %v)", l, want, partOf)
	}

	owns := map[string]link{}
	for _, ed := range got.Team.Owns.Edges {
		owns[ed.Node.Kind+":"+ed.Node.Key] = link{ed.Relationship.Evidence, ed.Relationship.Confidence, ""}
	}
	wantOwns := map[string]link{
		"Application:payments-api": {"github.com/acme/shop/services/api/catalog-info.yaml:7 spec.owner: group:payments", "DECLARED", ""},
		"Application:shop/worker":  {"github.com/acme/shop/.github/CODEOWNERS:2 /services/worker/ @acme/payments", "INFERRED", ""},
		"Service:payments":         {"github.com/acme/shop/services/api/catalog-info.yaml:15 spec.owner: payments", "DECLARED", ""},
	}
	for k, w := range wantOwns {
		if owns[k] != w {
			t.Errorf("OWNS %s: %+v, want %+v (all: %v)", k, owns[k], w, owns)
		}
	}
}
