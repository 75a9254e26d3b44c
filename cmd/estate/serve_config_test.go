package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServeConfig: serve --config lists the example file's sources without
// secrets and with their schedules, serve --demo records its run with the
// shadow figures, and a bad file stops the start with the file named.
func TestServeConfig(t *testing.T) {
	example, err := filepath.Abs("../../docs/estate.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_TOKEN", "ghp-never-shown")
	p := startServer(t, binary(t), t.TempDir(), "--demo", "--config", example)
	var res struct {
		Data struct {
			IngestSources []struct {
				Name, Type, Problem string
				Source, Schedule    *string
				NextRunAt           *time.Time
			}
			IngestRuns struct {
				TotalCount int
				Nodes      []struct {
					Source, Status string
					ShadowFindings int
				}
			}
		}
	}
	body := p.query(t, `{ ingestSources { name type source problem schedule nextRunAt } ingestRuns { totalCount nodes { source status shadowFindings } } }`)
	if err := json.Unmarshal([]byte(body), &res); err != nil {
		t.Fatal(err)
	}
	src := res.Data.IngestSources
	if len(src) != 9 || src[0].Name != "acme-github" || src[0].Source == nil || *src[0].Source != "github:acme" {
		t.Errorf("ingestSources = %+v, want the example's 9 sources, acme-github first", src)
	}
	if src[1].Source != nil || !strings.Contains(src[1].Problem, "GITLAB_TOKEN") {
		t.Errorf("acme-gitlab without its token: %+v, want a problem naming GITLAB_TOKEN", src[1])
	}
	// A source that never ran waits for its first time: nothing but the
	// demo ran at start.
	if g := src[0]; g.Schedule == nil || *g.Schedule != "@every 6h" || g.NextRunAt == nil || time.Until(*g.NextRunAt) < 5*time.Hour {
		t.Errorf("acme-github: schedule %v next %v, want @every 6h, about six hours from now", g.Schedule, g.NextRunAt)
	}
	if g := src[1]; g.Schedule != nil || g.NextRunAt != nil {
		t.Errorf("acme-gitlab: schedule %v next %v, want none", g.Schedule, g.NextRunAt)
	}
	runs := res.Data.IngestRuns
	if runs.TotalCount != 1 || runs.Nodes[0].Source != "demo" || runs.Nodes[0].Status != "SUCCEEDED" || runs.Nodes[0].ShadowFindings == 0 {
		t.Errorf("ingestRuns after serve --demo = %+v, want the demo run with its shadow findings", runs)
	}
	p.stop(t)
	if strings.Contains(p.log.String(), "ghp-never-shown") || strings.Contains(body, "ghp-never-shown") {
		t.Error("the token from the environment appears in the log or the API")
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("sources:\n  - name: x\n    type: svn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "", "serve", "--config", bad, "--data-dir", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "bad.yaml:2") || !strings.Contains(stderr, "svn") {
		t.Errorf("serve with a bad config: exit %d, %q", code, stderr)
	}
}
