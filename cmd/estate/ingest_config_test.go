package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/ingest"
	"github.com/estate-cmdb/estate/notify"
)

func TestIngestRunFromConfig(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "estate.yaml")
	missing := filepath.Join(t.TempDir(), "no-such-repo")
	if err := os.WriteFile(cfg, []byte("sources:\n  - name: demo\n    type: demo\n  - name: gone\n    type: git\n    target: "+missing+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	type report struct {
		Source, Status string
		Summary        map[string]int
	}
	reports := func(out string) []report {
		var rs []report
		dec := json.NewDecoder(strings.NewReader(out))
		for dec.More() {
			var r report
			if err := dec.Decode(&r); err != nil {
				t.Fatalf("report: %v\n%s", err, out)
			}
			rs = append(rs, r)
		}
		return rs
	}

	// One named source: its report, with the shadow figures of the run.
	out, stderr, code := cli(t, "", "ingest", "run", "demo", "--config", cfg, "--data-dir", dir)
	rs := reports(out)
	if code != exitOK || len(rs) != 1 || rs[0].Source != "demo" || rs[0].Status != "succeeded" {
		t.Fatalf("ingest run demo: exit %d, reports %+v: %s", code, rs, stderr)
	}
	if rs[0].Summary["shadow.total"] == 0 || rs[0].Summary["shadow.unregistered-account"] != 1 {
		t.Errorf("demo run summary %v, want the shadow counts (one unregistered account)", rs[0].Summary)
	}

	// All sources, in order, the file named by ESTATE_CONFIG: the second
	// fails, so the exit code is a failure's, and the first still ran.
	t.Setenv("ESTATE_CONFIG", cfg)
	out, stderr, code = cli(t, "", "ingest", "run", "--data-dir", dir)
	rs = reports(out)
	if code != exitError || len(rs) != 2 || rs[0].Status != "succeeded" || rs[1].Status != "failed" {
		t.Errorf("ingest run (all): exit %d, reports %+v, stderr %s", code, rs, stderr)
	}

	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"ingest", "run", "nope", "--data-dir", dir}, `no source "nope"`},
		{[]string{"ingest", "run", "--config", filepath.Join(dir, "absent.yaml"), "--data-dir", dir}, "absent.yaml"},
	} {
		if _, stderr, code := cli(t, "", tc.args...); code != exitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate %v: exit %d, stderr %q; want usage error mentioning %q", tc.args, code, stderr, tc.msg)
		}
	}
}

// TestIngestRunNotifies: the targets a configuration file names hear of
// what a run found new in the shadow estate, once; a target that fails is
// a warning of the run, which keeps its figures; a target whose URL
// variable is not set stops the command before anything runs.
func TestIngestRunNotifies(t *testing.T) {
	const secretPath = "/services/T0001/B0001/s3cr3tW3bh00k"
	var mu sync.Mutex
	var chat, hook [][]byte
	chatAnswer := http.StatusOK
	recv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		switch r.URL.Path {
		case secretPath:
			chat = append(chat, body)
			if chatAnswer != http.StatusOK {
				http.Error(w, "channel_is_archived", chatAnswer)
			}
		case "/itsm":
			if r.Header.Get("X-Estate-Signature-256") == notify.Sign("hmac-key", body) {
				hook = append(hook, body)
			}
		}
	}))
	defer recv.Close()
	received := func() (int, int) {
		mu.Lock()
		defer mu.Unlock()
		return len(chat), len(hook)
	}
	cfg := filepath.Join(t.TempDir(), "estate.yaml")
	if err := os.WriteFile(cfg, []byte(`sources:
  - name: demo
    type: demo
notify:
  - name: chat
    type: slack
    urlEnv: ESTATE_TEST_CHAT_URL
    findings: [unregistered-account]
  - name: itsm
    type: webhook
    urlEnv: ESTATE_TEST_ITSM_URL
    secretEnv: ESTATE_TEST_ITSM_SECRET
`), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ESTATE_TEST_CHAT_URL", recv.URL+secretPath)
	t.Setenv("ESTATE_TEST_ITSM_URL", recv.URL+"/itsm")
	t.Setenv("ESTATE_TEST_ITSM_SECRET", "hmac-key")
	ingestDemo := func(dir string) (ingest.Report, string) {
		t.Helper()
		out, stderr, code := cli(t, "", "ingest", "run", "--config", cfg, "--data-dir", dir, "--log-level", "info")
		var rep ingest.Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != exitOK {
			t.Fatalf("ingest run: exit %d, %v: %s %s", code, err, out, stderr)
		}
		if strings.Contains(stderr, secretPath) || strings.Contains(out, secretPath) || strings.Contains(stderr, "hmac-key") {
			t.Errorf("a webhook's URL or secret shows: %s", stderr)
		}
		return rep, stderr
	}

	// Into an empty store, everything the demo run finds is new.
	dir := t.TempDir()
	rep, _ := ingestDemo(dir)
	if c, h := received(); c != 1 || h != 1 {
		t.Fatalf("after the first run the chat got %d messages and the webhook %d signed events, want 1 each", c, h)
	}
	var msg struct{ Text string }
	var ev notify.Event
	if err := errors.Join(json.Unmarshal(chat[0], &msg), json.Unmarshal(hook[0], &ev)); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg.Text, "the run of demo found 1 new shadow finding (1 open in all).") || !strings.Contains(msg.Text, "unregistered-account") {
		t.Errorf("chat message %q, want the demo's unregistered account", msg.Text)
	}
	if total := rep.Summary[analysis.SummaryShadowTotal]; total == 0 || ev.New != total || ev.Open != total || ev.Run.ID != rep.ID || ev.Run.Source != "demo" {
		t.Errorf("event of %d new and %d open findings from run %+v; the run (%s) counts %d", ev.New, ev.Open, ev.Run, rep.ID, total)
	}

	// The same findings again: nobody hears anything.
	ingestDemo(dir)
	if c, h := received(); c != 1 || h != 1 {
		t.Errorf("a run with nothing new sent %d and %d", c-1, h-1)
	}

	// A chat that refuses: the run succeeds, warns, and keeps its figures;
	// the webhook still hears.
	mu.Lock()
	chatAnswer = http.StatusGone
	mu.Unlock()
	rep, stderr := ingestDemo(t.TempDir())
	if len(rep.Warnings) != 1 || rep.Warnings[0].Err != "notify chat: answered HTTP 410: channel_is_archived" || rep.Summary[analysis.SummaryShadowTotal] == 0 {
		t.Errorf("a refused notification: warnings %+v, summary %v", rep.Warnings, rep.Summary)
	}
	if c, h := received(); c != 2 || h != 2 || !strings.Contains(stderr, "notification not delivered") {
		t.Errorf("chat tried %d times, webhook got %d, log %s", c, h, stderr)
	}

	// Testing the targets: each says whether it arrived; the webhook's
	// test is a signed ping.
	out, stderr, code := cli(t, "", "notify", "test", "--config", cfg)
	if code != exitError || out != "chat: not delivered: answered HTTP 410: channel_is_archived\nitsm: delivered\n" || !strings.Contains(stderr, "1 of 2 notify targets could not be told") {
		t.Errorf("notify test: exit %d, %q, %s", code, out, stderr)
	}
	mu.Lock()
	last := hook[len(hook)-1]
	mu.Unlock()
	if c, h := received(); c != 3 || h != 3 || string(last) != `{"event":"ping"}` {
		t.Errorf("notify test: chat tried %d times, webhook got %d, the last %s", c, h, last)
	}
	if _, stderr, code := cli(t, "", "notify", "test", "nope", "--config", cfg); code != exitUsage || !strings.Contains(stderr, `no notify target "nope" (configured: chat, itsm)`) {
		t.Errorf("notify test nope: exit %d, %s", code, stderr)
	}

	// A URL variable not set: nothing runs.
	t.Setenv("ESTATE_TEST_ITSM_URL", "")
	dir = t.TempDir()
	if _, stderr, code := cli(t, "", "ingest", "run", "--config", cfg, "--data-dir", dir); code != exitUsage || !strings.Contains(stderr, `notify target "itsm": the environment variable ESTATE_TEST_ITSM_URL (urlEnv) is not set`) {
		t.Errorf("unset urlEnv: exit %d, %s", code, stderr)
	}
	out, _, _ = cli(t, "", "shadow", "--data-dir", dir, "--format", "json")
	var left analysis.ShadowReport
	if err := json.Unmarshal([]byte(out), &left); err != nil || len(left.Findings) != 0 {
		t.Errorf("the run went ahead: %v %s", err, out)
	}
}

// TestSeedWhenReady: a server whose store does not answer at start still
// starts; the notifier's first look is taken once the store answers, and
// the tries end with the server.
func TestSeedWhenReady(t *testing.T) {
	n, err := notify.New([]notify.Target{{Name: "chat", Type: notify.TypeSlack, URL: "http://127.0.0.1:9/x"}}, notify.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	tries := 0
	shadow := func(context.Context) (*analysis.ShadowReport, error) {
		mu.Lock()
		defer mu.Unlock()
		if tries++; tries < 3 {
			return nil, graph.Errorf(graph.CodeUnavailable, "neo4j: connection refused")
		}
		return &analysis.ShadowReport{}, nil
	}
	var log bytes.Buffer
	a := &app{log: zerolog.New(&log)}
	wait := a.seedWhenReady(t.Context(), n, shadow, time.Millisecond)
	wait()
	if !n.Seeded() || tries != 3 || !strings.Contains(log.String(), "trying again") {
		t.Errorf("seeded %v after %d tries; log %s", n.Seeded(), tries, log.String())
	}

	// A store that never answers: the tries stop with the server.
	n, _ = notify.New(nil, notify.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	wait = a.seedWhenReady(ctx, n, func(context.Context) (*analysis.ShadowReport, error) { return nil, errors.New("down") }, time.Millisecond)
	time.Sleep(10 * time.Millisecond)
	cancel()
	wait()
	if n.Seeded() {
		t.Error("seeded from a store that never answered")
	}
}
