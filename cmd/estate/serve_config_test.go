package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/notify"
)

// TestServeConfig: serve --config lists the example file's sources without
// secrets and with their schedules, serve --demo records its run with the
// shadow figures, a run started from the API tells the file's notify
// targets what it found new (and nothing of what was open at the start),
// and a bad file stops the start with the file named.
func TestServeConfig(t *testing.T) {
	example, err := filepath.Abs("../../docs/estate.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GITHUB_TOKEN", "ghp-never-shown")
	var mu sync.Mutex
	got := map[string][][]byte{}
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if r.URL.Path == "/itsm" && r.Header.Get(notify.SignatureHeader) != notify.Sign("itsm-key", body) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		got[r.URL.Path] = append(got[r.URL.Path], body)
		if strings.Contains(string(body), "a test message") {
			http.Error(w, "channel_is_archived", http.StatusGone)
		}
	}))
	defer recv.Close()
	received := func(path string) [][]byte {
		mu.Lock()
		defer mu.Unlock()
		return got[path]
	}
	t.Setenv("ESTATE_SLACK_WEBHOOK_URL", recv.URL+"/services/T1/B1/chat-secret")
	t.Setenv("ESTATE_ITSM_WEBHOOK_URL", recv.URL+"/itsm")
	t.Setenv("ESTATE_ITSM_WEBHOOK_SECRET", "itsm-key")
	t.Setenv("ESTATE_CAB_WEBHOOK_URL", recv.URL+"/cab")
	dir := t.TempDir()
	token, stderr, code := cli(t, "", "token", "create", "--role", "editor", "--name", "ci", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("token create: %s", stderr)
	}
	admin, stderr, code := cli(t, "", "token", "create", "--role", "admin", "--name", "ada", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("token create: %s", stderr)
	}
	token, admin = strings.TrimSpace(token), strings.TrimSpace(admin)
	p := startServer(t, binary(t), dir, "--demo", "--config", example, "--public-url", "https://estate.acme.example")
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
	if len(received("/itsm")) != 0 {
		t.Errorf("the demo's findings, open before the server watched, were sent: %s", received("/itsm")[0])
	}

	// A synthetic estate brings unregistered accounts, among much else.
	p.queryAs(t, token, `mutation { startIngest(source: "synthetic-s") { id } }`)
	deadline := time.Now().Add(2 * time.Minute)
	for !strings.Contains(p.query(t, `{ ingestRuns(first: 1) { nodes { status } } }`), "SUCCEEDED") {
		if time.Now().After(deadline) {
			t.Fatalf("the synthetic run did not succeed:\n%s", p.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	chat, itsm := received("/services/T1/B1/chat-secret"), received("/itsm")
	if len(chat) != 1 || len(itsm) != 1 {
		t.Fatalf("after the synthetic run: %d chat messages and %d signed events, want 1 each", len(chat), len(itsm))
	}
	var ev notify.Event
	if err := json.Unmarshal(itsm[0], &ev); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, f := range ev.Findings {
		kinds[f.Kind]++
	}
	if ev.Run.Source != "synthetic:S:1" || ev.Run.StartedBy != "ci" || ev.New == 0 || ev.Open <= ev.New || kinds[analysis.FindingUnregisteredAccount] == 0 || ev.URL != "https://estate.acme.example/shadow" {
		t.Errorf("event: run %+v, %d new of %d open, kinds %v, url %q", ev.Run, ev.New, ev.Open, kinds, ev.URL)
	}
	if !strings.Contains(string(chat[0]), "the run of synthetic:S:1 found") || !strings.Contains(string(chat[0]), "unregistered-account") || strings.Contains(string(chat[0]), "unmapped-repository") {
		t.Errorf("chat message %s: want the run's unregistered accounts, only the kinds the target hears of", chat[0])
	}
	if _, metrics := get(t, p.base+"/metrics"); !strings.Contains(metrics, `estate_notifications_total{result="sent",target="platform-slack"} 1`) {
		t.Errorf("/metrics lacks the notification sent")
	}

	// Who hears of them, without URLs; a test message from an admin.
	targets := p.query(t, `{ notifyTargets { name type findings changes } }`)
	if want := `{"data":{"notifyTargets":[{"name":"platform-slack","type":"slack","findings":["unregistered-account","unowned-resource","departed-owner"],"changes":[]},` +
		`{"name":"itsm","type":"webhook","findings":[],"changes":[]},{"name":"cab-chat","type":"slack","findings":[],"changes":["cab"]}]}}`; targets != want {
		t.Errorf("notifyTargets = %s, want %s", targets, want)
	}
	test := func(token, name string) string {
		_, b := p.post(t, token, `mutation { testNotifyTarget(name: "`+name+`") { target delivered problem } }`)
		return b
	}
	if b := test(token, "itsm"); !strings.Contains(b, "FORBIDDEN") {
		t.Errorf("an editor tests a target: %s", b)
	}
	if b := test(admin, "itsm"); b != `{"data":{"testNotifyTarget":{"target":"itsm","delivered":true,"problem":""}}}` || !strings.HasPrefix(string(received("/itsm")[1]), `{"event":"ping"`) {
		t.Errorf("testNotifyTarget(itsm) = %s", b)
	}
	if b := test(admin, "platform-slack"); b != `{"data":{"testNotifyTarget":{"target":"platform-slack","delivered":false,"problem":"answered HTTP 410: channel_is_archived"}}}` {
		t.Errorf("testNotifyTarget(platform-slack) = %s", b)
	}
	if b := test(admin, "nope"); !strings.Contains(b, "NOT_FOUND") || !strings.Contains(b, "configured: platform-slack, itsm, cab-chat") {
		t.Errorf("testNotifyTarget(nope) = %s", b)
	}
	if len(received("/cab")) != 0 {
		t.Errorf("the CAB's channel heard of findings: %s", received("/cab")[0])
	}

	// A pipeline's change gate: a HIGH change waits for the CAB, whose
	// channel hears of it once (in the background: the gate is answered
	// at once).
	assessed := func() string {
		_, b := p.postTo(t, token, "/hooks/changes/assess",
			`{"repository":"github.com/acme/payments-api","commit":"9f8e7d6","changedPaths":["internal/charge/retry.go"],"linesChanged":120,"coverage":82}`)
		return b
	}
	if b := assessed(); !strings.Contains(b, `"class":"HIGH"`) || !strings.Contains(b, `"status":"PENDING"`) {
		t.Fatalf("assess: %s", b)
	}
	for deadline := time.Now().Add(20 * time.Second); len(received("/cab")) == 0 && time.Now().Before(deadline); {
		time.Sleep(50 * time.Millisecond)
	}
	var msg struct{ Text string }
	if cab := received("/cab"); len(cab) != 1 || json.Unmarshal(cab[0], &msg) != nil || !strings.Contains(msg.Text, "a HIGH change waits for the CAB: `github.com/acme/payments-api@9f8e7d6/production`") ||
		!strings.Contains(msg.Text, "<https://estate.acme.example/changes|The changes to decide>") {
		t.Errorf("the CAB's channel got %q", cab)
	}
	assessed()
	p.stop(t)
	if cab := received("/cab"); len(cab) != 1 {
		t.Errorf("the CAB's channel heard of the change %d times, want once: assessing it again is no news", len(cab))
	}
	for _, secret := range []string{"ghp-never-shown", "chat-secret", "itsm-key"} {
		if strings.Contains(p.log.String(), secret) || strings.Contains(body, secret) {
			t.Errorf("the secret %s from the environment appears in the log or the API", secret)
		}
	}

	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("sources:\n  - name: x\n    type: svn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, stderr, code := cli(t, "", "serve", "--config", bad, "--data-dir", t.TempDir()); code != exitUsage || !strings.Contains(stderr, "bad.yaml:2") || !strings.Contains(stderr, "svn") {
		t.Errorf("serve with a bad config: exit %d, %q", code, stderr)
	}
}
