package sources_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/ingest/sources"
)

// env is an environment holding the example file's tokens.
var env = sources.Env{Getenv: func(name string) string {
	return map[string]string{"GITHUB_TOKEN": "ghp-secret", "GITLAB_TOKEN": "glpat-secret", "AZURE_ACCESS_TOKEN": "az-secret"}[name]
}}

// TestExampleFile: the documented example parses and every source in it
// builds, with the provenance name each run will be recorded under.
func TestExampleFile(t *testing.T) {
	f, err := sources.Load("../../docs/estate.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"acme-github": "github:acme", "acme-gitlab": "gitlab:gitlab.example.com/acme/platform",
		"tools-repo": "git:github.com/acme/tools", "aws-org": "aws:audit", "infra-live": "terraform:github.com/acme/infra-live",
		"azure": "azure:default", "gcp": "gcp:default", "demo": "demo", "synthetic-s": "synthetic:S:1",
	}
	types := map[string]bool{}
	for _, c := range f.Sources {
		types[c.Type] = true
		src, err := c.Source(env)
		if err != nil {
			t.Errorf("%s: %v", c.Name, err)
			continue
		}
		if src.Name() != want[c.Name] {
			t.Errorf("%s builds source %q, want %q", c.Name, src.Name(), want[c.Name])
		}
	}
	if len(f.Sources) != len(want) || len(types) != len(sources.Types) {
		t.Errorf("example has %d sources of %d types, want %d covering all %d types", len(f.Sources), len(types), len(want), len(sources.Types))
	}
	gh, _ := f.Lookup("acme-github")
	if o := gh.Options.(*sources.GitHub); o.Org != "acme" || o.Concurrency != 4 || o.TokenEnv != "GITHUB_TOKEN" || o.Token != "" {
		t.Errorf("acme-github options %+v", o)
	}
	aws, _ := f.Lookup("aws-org")
	if o := aws.Options.(*sources.AWS); !o.Organization || len(o.Regions) != 2 || o.Tags.Team[1] != "owner" || o.OrganizationRole != "OrganizationAccountAccessRole" {
		t.Errorf("aws-org options %+v (the default organisation role must survive)", o.Config)
	}
	if len(f.Notify) != 3 || f.Notify[2].Changes[0] != "cab" || f.Notify[0].Name != "platform-slack" || f.Notify[0].URLEnv != "ESTATE_SLACK_WEBHOOK_URL" || len(f.Notify[0].Findings) != 3 ||
		f.Notify[1].Type != "webhook" || f.Notify[1].SecretEnv != "ESTATE_ITSM_WEBHOOK_SECRET" || !strings.HasPrefix(f.Notify[1].Where, "config ../../docs/estate.example.yaml:") {
		t.Errorf("example's notify targets: %+v %+v", f.Notify[0], f.Notify[1])
	}
	if _, err := f.Lookup("nope"); !errors.Is(err, graph.ErrNotFound) || !strings.Contains(err.Error(), "acme-github") {
		t.Errorf("Lookup(nope) = %v, want NOT_FOUND listing the configured names", err)
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // substrings of the error
	}{
		{"empty file", "", []string{"bad.yaml", "empty"}},
		{"not yaml", "sources: [", []string{"bad.yaml", "yaml"}},
		{"unknown top-level field", "sourcez: []", []string{"bad.yaml:1", `"sourcez"`}},
		{"sources not a list", "sources: {a: 1}", []string{"must be a list"}},
		{"source not a mapping", "sources: [demo]", []string{"source 1", "mapping"}},
		{"no name", "sources:\n  - type: demo", []string{"bad.yaml:2", "name is required"}},
		{"bad name", "sources:\n  - name: a b\n    type: demo", []string{`"a b"`}},
		{"no type", "sources:\n  - name: x", []string{`source "x"`, "type is required", "github"}},
		{"unknown type", "sources:\n  - name: x\n    type: svn", []string{`source "x"`, `unknown type "svn"`}},
		{"unknown option", "sources:\n  - name: gh\n    type: github\n    org: acme\n    orgs: [a]", []string{"bad.yaml", `source "gh"`, "line 5", `unknown option "orgs"`, "known: "}},
		{"unknown nested option", "sources:\n  - name: a\n    type: aws\n    tags:\n      teams: [x]", []string{`source "a" option tags`, `"teams"`}},
		{"secret in the file", "sources:\n  - name: gh\n    type: github\n    org: acme\n    token: ghp-abc", []string{`unknown option "token"`, "tokenEnv"}},
		{"missing required option", "sources:\n  - name: gh\n    type: github", []string{`source "gh"`, "option org is required"}},
		{"empty required list", "sources:\n  - name: tf\n    type: terraform\n    paths: []", []string{`source "tf"`, "option paths is required"}},
		{"gcp with neither exports nor scopes", "sources:\n  - name: g\n    type: gcp\n    registered: [p]", []string{`source "g"`, "option exports or scopes is required"}},
		{"wrong value type", "sources:\n  - name: gh\n    type: github\n    org: acme\n    concurrency: lots", []string{`source "gh"`, "line 5", "lots"}},
		{"bad schedule", "sources:\n  - name: d\n    type: demo\n    schedule: 0 3 * *", []string{`source "d"`, "line 4", `schedule "0 3 * *"`, "5 fields"}},
		{"schedule not a string", "sources:\n  - name: d\n    type: demo\n    schedule: [daily]", []string{`source "d"`, "line 4", "cron expression"}},
		{"duplicate name", "sources:\n  - name: d\n    type: demo\n  - name: d\n    type: synthetic", []string{`source "d"`, "line 2"}},
		{"notify not a list", "sources: []\nnotify: {name: x}", []string{"bad.yaml:2", `"notify" must be a list`}},
		{"notify target not a mapping", "sources: []\nnotify: [slack]", []string{"notify target 1", "mapping"}},
		{"notify target without urlEnv", "sources: []\nnotify:\n  - name: chat\n    type: slack", []string{"bad.yaml:3", `notify target "chat"`, "urlEnv"}},
		{"notify URL in the file", "sources: []\nnotify:\n  - name: chat\n    type: slack\n    url: https://hooks.slack.com/services/T0/B0/ghp-abc", []string{"notify target 1", "line 5", `unknown option "url"`, "with urlEnv"}},
		{"notify secret in the file", "sources: []\nnotify:\n  - name: h\n    type: webhook\n    urlEnv: U\n    secret: ghp-abc", []string{`unknown option "secret"`, "do not belong", "and secretEnv"}},
		{"notify findings not a list", "sources: []\nnotify:\n  - name: h\n    type: webhook\n    urlEnv: U\n    findings: 3", []string{"notify target 1", "line 6"}},
		{"notify bad name", "sources: []\nnotify:\n  - name: a b\n    type: slack\n    urlEnv: U", []string{`"a b"`}},
		{"notify duplicate name", "sources: []\nnotify:\n  - {name: h, type: slack, urlEnv: U}\n  - {name: h, type: webhook, urlEnv: V}", []string{"bad.yaml:4", `notify target "h"`, "bad.yaml:3"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := sources.Parse("bad.yaml", []byte(tc.yaml))
			if err == nil {
				t.Fatalf("parsed: %+v", f)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "ghp-abc") {
				t.Errorf("error shows the secret: %q", err)
			}
		})
	}
}

// A token variable the file names must be set when the source is built;
// the error names the variable, the file and the source, never a value.
func TestTokenEnv(t *testing.T) {
	f, err := sources.Parse("estate.yaml", []byte("sources:\n  - name: gh\n    type: github\n    org: acme\n    tokenEnv: NOT_SET_ANYWHERE\n"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = f.Sources[0].Source(env)
	if err == nil || !strings.Contains(err.Error(), "NOT_SET_ANYWHERE") || !strings.Contains(err.Error(), `source "gh"`) || !strings.Contains(err.Error(), "estate.yaml:2") {
		t.Errorf("unset tokenEnv: %v", err)
	}
	// Source-level validation errors name the file and source too.
	f, err = sources.Parse("estate.yaml", []byte("sources:\n  - name: syn\n    type: synthetic\n    tier: XL\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Sources[0].Source(env); err == nil || !strings.Contains(err.Error(), `source "syn" (synthetic)`) || !strings.Contains(err.Error(), "XL") {
		t.Errorf("bad tier: %v", err)
	}
}

// The cloud sources' tokenEnv is optional: unset in the file, the source
// builds with its own credential chain; named, the variable must be set.
func TestCloudTokenEnv(t *testing.T) {
	for _, c := range []struct {
		name, yaml, wantErr string
	}{
		{"azure without tokenEnv", "type: azure", ""},
		{"azure with a set tokenEnv", "type: azure\n    tokenEnv: AZURE_ACCESS_TOKEN", ""},
		{"azure with an unset tokenEnv", "type: azure\n    tokenEnv: NOT_SET_ANYWHERE", "NOT_SET_ANYWHERE"},
		{"gcp without tokenEnv", "type: gcp\n    exports: [/srv/assets.ndjson]", ""},
		{"gcp with scopes only", "type: gcp\n    scopes: [projects/acme-prod]", ""},
		{"gcp with a set tokenEnv", "type: gcp\n    exports: [/srv/assets.ndjson]\n    tokenEnv: AZURE_ACCESS_TOKEN", ""},
		{"gcp with an unset tokenEnv", "type: gcp\n    exports: [/srv/assets.ndjson]\n    tokenEnv: NOT_SET_ANYWHERE", "NOT_SET_ANYWHERE"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f, err := sources.Parse("estate.yaml", []byte("sources:\n  - name: cloud\n    "+c.yaml+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.Sources[0].Source(env)
			switch {
			case c.wantErr == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case c.wantErr != "" && (err == nil || !strings.Contains(err.Error(), c.wantErr)):
				t.Errorf("error %v, want one naming %s", err, c.wantErr)
			case err != nil && strings.Contains(err.Error(), "az-secret"):
				t.Errorf("the error shows a token: %v", err)
			}
		})
	}
}
