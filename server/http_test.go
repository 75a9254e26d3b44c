package server_test

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server"
)

func TestHealth(t *testing.T) {
	e := newEnv(t)
	if code, _, body := e.get(t, "/healthz"); code != 200 || !strings.Contains(body, `"ok"`) {
		t.Errorf("/healthz: %d %s", code, body)
	}
	if code, _, body := e.get(t, "/readyz"); code != 200 || !strings.Contains(body, `"ready"`) {
		t.Errorf("/readyz: %d %s", code, body)
	}

	down := newEnv(t, withStore(func(s graph.Store) graph.Store { return failingStore{s} }))
	if code, _, _ := down.get(t, "/healthz"); code != 200 {
		t.Errorf("/healthz with the store down: %d, want 200 (the process is alive)", code)
	}
	code, _, body := down.get(t, "/readyz")
	var v struct{ Status, Reason string }
	if err := json.Unmarshal([]byte(body), &v); err != nil || code != 503 || v.Reason != "the graph database is unreachable" {
		t.Errorf("/readyz with the store down: %d %s", code, body)
	}
}

func TestMetrics(t *testing.T) {
	e := newEnv(t)
	e.do(t, e.viewer, nestedQuery, map[string]any{"key": "payments"}).mustData(t, nil)
	e.do(t, e.viewer, `{ services(first: 500) { totalCount } }`, nil)
	e.get(t, "/healthz")
	code, hdr, body := e.get(t, "/metrics")
	if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", code, hdr.Get("Content-Type"))
	}
	for _, want := range []string{
		`estate_http_requests_total{code="200",method="post",route="/graphql"} 1`,
		`estate_http_requests_total{code="422",method="post",route="/graphql"} 1`,
		`estate_http_requests_total{code="200",method="get",route="/healthz"} 1`,
		`estate_http_request_duration_seconds_count{route="/graphql"} 2`,
		`estate_graphql_operations_total{outcome="ok",type="query"} 1`,
		`estate_graphql_operations_total{outcome="error",type="query"} 1`,
		`estate_graphql_errors_total{code="LIMIT_EXCEEDED"} 1`,
		`estate_store_call_duration_seconds_count{method="Neighbors",outcome="ok"}`,
		`estate_store_call_duration_seconds_count{method="Nodes",outcome="ok"} 1`,
		`go_goroutines`,
		`estate_changes_pending{class="HIGH"} 0`,
		`estate_changes_pending{class="NORMAL"} 0`,
	} {
		if !strings.Contains(body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

func TestWebAndPlayground(t *testing.T) {
	e := newEnv(t)
	// The playground is a page of the bundled UI (GraphiQL, no CDN).
	for _, path := range []string{"/", "/services/payments", "/playground"} {
		code, hdr, body := e.get(t, path)
		if code != 200 || !strings.HasPrefix(hdr.Get("Content-Type"), "text/html") || !strings.Contains(body, `<div id="root">`) {
			t.Errorf("%s: %d %s %.100s", path, code, hdr.Get("Content-Type"), body)
		}
	}
	if code, _, _ := e.get(t, "/assets/missing.js"); code != 404 {
		t.Errorf("a missing asset: %d, want 404", code)
	}
}

// TestRequestLog: one event per request with method, path, status,
// duration and request id; never the token.
func TestRequestLog(t *testing.T) {
	e := newEnv(t)
	e.do(t, e.editor, `query Who { viewer { name } }`, nil).mustData(t, nil)
	var events []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(e.logs.String()), "\n") {
		var ev map[string]any
		if err := json.Unmarshal([]byte(line), &ev); err != nil {
			t.Fatalf("log line is not JSON: %s", line)
		}
		if ev["message"] == "request" {
			events = append(events, ev)
		}
	}
	if len(events) != 1 {
		t.Fatalf("%d request events: %s", len(events), e.logs.String())
	}
	ev := events[0]
	for k, want := range map[string]any{"method": "POST", "path": "/graphql", "status": float64(200), "operation": "Who", "operation_type": "query"} {
		if ev[k] != want {
			t.Errorf("%s = %v, want %v", k, ev[k], want)
		}
	}
	for _, k := range []string{"request_id", "duration", "token_id"} {
		if ev[k] == nil {
			t.Errorf("no %s in %v", k, ev)
		}
	}
	if strings.Contains(e.logs.String(), e.editor) || strings.Contains(strings.ToLower(e.logs.String()), "authorization") {
		t.Error("the log holds the token or the Authorization header")
	}
}

// TestServeAndShutdown runs the real listener and stops it by cancelling
// the context, as SIGTERM does through the CLI.
func TestServeAndShutdown(t *testing.T) {
	e := newEnv(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.srv.Serve(ctx, ln) }()
	resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("/healthz over TCP: %d", resp.StatusCode)
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v after shutdown", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := http.Get("http://" + ln.Addr().String() + "/healthz"); err == nil {
		t.Error("still serving after shutdown")
	}
}

func TestConfig(t *testing.T) {
	if _, err := server.New(server.Config{MaxDepth: -1}, failingStore{}, nil, zeroLog()); err == nil {
		t.Error("a negative limit was accepted")
	}
	if _, err := server.New(server.Config{MaxPageSize: graph.MaxPageSize + 1}, failingStore{}, nil, zeroLog()); err == nil {
		t.Error("a page size over the store's was accepted")
	}
	for addr, want := range map[string]bool{
		"127.0.0.1:8080": true, "localhost:80": true, "[::1]:8080": true,
		"0.0.0.0:8080": false, ":8080": false, "10.0.0.1:8080": false, "bogus": false,
	} {
		if got := server.IsLoopback(addr); got != want {
			t.Errorf("IsLoopback(%q) = %v", addr, got)
		}
	}
}
