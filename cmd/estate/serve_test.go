package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary builds the estate binary once for the tests that run it as a user
// would: a real process, real signals, a real port.
func binary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "estate")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

type serverProc struct {
	cmd  *exec.Cmd
	base string
	log  *lockedBuffer
}

// lockedBuffer collects a child's output, which os/exec copies from another
// goroutine while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func startServer(t *testing.T, bin, dataDir string, args ...string) *serverProc {
	t.Helper()
	addr := freeAddr(t)
	log := &lockedBuffer{}
	cmd := exec.Command(bin, append([]string{"serve", "--addr", addr, "--data-dir", dataDir, "--log-format", "json"}, args...)...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &serverProc{cmd: cmd, base: "http://" + addr, log: log}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(p.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server not ready after 60s:\n%s", log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// stop sends SIGTERM and expects a clean, prompt exit.
func (p *serverProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("server exited with %v after SIGTERM:\n%s", err, p.log.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("server did not stop within 30s of SIGTERM")
	}
}

func (p *serverProc) query(t *testing.T, q string) string {
	t.Helper()
	return p.queryAs(t, "", q)
}

// queryAs sends q with token, if any, as its bearer token, and fails the
// test on an error.
func (p *serverProc) queryAs(t *testing.T, token, q string) string {
	t.Helper()
	code, b := p.post(t, token, q)
	if code != http.StatusOK || strings.Contains(b, `"errors"`) {
		t.Fatalf("query %s: HTTP %d: %s", q, code, b)
	}
	return b
}

// post sends q with token, if any, and returns the status and body.
func (p *serverProc) post(t *testing.T, token, q string) (int, string) {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"query": q})
	return p.postTo(t, token, "/graphql", string(body))
}

// postTo POSTs the JSON body to path with token, if any, and returns the
// status and body.
func (p *serverProc) postTo(t *testing.T, token, path, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, p.base+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestServeDemoAndRestart is the README's promise: serve --demo answers a
// query for a service with its applications, their repositories and the
// owning team; the demo's changes wait for decisions; health, readiness
// and metrics answer; and a restart keeps everything, including a manual
// edit.
func TestServeDemoAndRestart(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := binary(t)
	dir := t.TempDir()
	p := startServer(t, bin, dir, "--demo")

	const svcQuery = `{ service(key: "payments") { name applications { edges { node { key
		... on Application { repositories { edges { node { key } } } owners { edges { node { key kind } } } } } } } } }`
	first := p.query(t, svcQuery)
	for _, want := range []string{`"payments-api"`, `"github.com/acme/payments-api"`, `"payments-core"`, `"kind":"Team"`} {
		if !strings.Contains(first, want) {
			t.Errorf("service query lacks %s: %s", want, first)
		}
	}
	// The demo's changes: four waiting for a decision, one approved that
	// caused an incident, one rejected.
	changes := p.query(t, `{ pending: changes(status: PENDING) { totalCount }
		approved: changes(status: APPROVED) { nodes { key decidedBy incidents { totalCount } } }
		rejected: changes(status: REJECTED) { nodes { key } } }`)
	for _, want := range []string{`"pending":{"totalCount":4}`,
		`"approved":{"nodes":[{"key":"github.com/acme/order-export@51be0a9/production","decidedBy":"dana.checkout (demo)","incidents":{"totalCount":1}}]}`,
		`"rejected":{"nodes":[{"key":"github.com/acme/loyalty-api@9e07f3c/production"}]}`} {
		if !strings.Contains(changes, want) {
			t.Errorf("demo changes lack %s: %s", want, changes)
		}
	}
	for path, want := range map[string]string{"/healthz": "ok", "/readyz": "", "/metrics": "estate_http_requests_total"} {
		code, body := get(t, p.base+path)
		if code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("GET %s: %d %q", path, code, body[:min(len(body), 200)])
		}
	}

	// A manual edit needs an editor token; then it must survive a restart.
	tok, stderr, code := cli(t, "", "token", "create", "--role", "editor", "--name", "restart-test", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("token create: %s", stderr)
	}
	body := `{"query":"mutation { upsertEntities(input: [{kind: Service, key: \"restart-check\", name: \"Restart Check\"}]) { entities { key } } }"}`
	req, _ := http.NewRequest("POST", p.base+"/graphql", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+strings.TrimSpace(tok))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "restart-check") {
		t.Fatalf("upsert with an editor token: %d %s", resp.StatusCode, b)
	}
	p.stop(t)
	export1, stderr, code := cli(t, "", "export", "--data-dir", dir)
	if code != exitOK {
		t.Fatalf("export after stop: %s", stderr)
	}

	p = startServer(t, bin, dir, "--demo")
	if again := p.query(t, svcQuery); again != first {
		t.Fatalf("after restart the service query answers differently:\nbefore: %s\nafter:  %s", first, again)
	}
	if got := p.query(t, `{ service(key: "restart-check") { name } }`); !strings.Contains(got, "Restart Check") {
		t.Fatalf("manual edit lost across restart: %s", got)
	}
	if !strings.Contains(p.log.String(), "demo estate already loaded") {
		t.Errorf("restart with --demo reloaded the demo instead of keeping the data:\n%s", p.log.String())
	}
	p.stop(t)
	export2, _, _ := cli(t, "", "export", "--data-dir", dir)
	if export1 != export2 {
		t.Fatal("a restart changed the stored estate")
	}
}

// TestServeSingleSignOnFlags: a single sign-on configuration that cannot
// work is refused before the server starts, saying what to change.
func TestServeSingleSignOnFlags(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"--addr", "0.0.0.0:0", "--oidc-issuer", "https://login.acme.example", "--oidc-client-id", "estate"}, "--oidc-issuer needs --public-url when serving on 0.0.0.0:0"},
		{[]string{"--addr", "127.0.0.1:0", "--oidc-issuer", "http://login.acme.example", "--oidc-client-id", "estate"}, `issuer "http://login.acme.example": want an https URL`},
		{[]string{"--addr", "127.0.0.1:0", "--oidc-issuer", "https://login.acme.example"}, "no client id"},
		{[]string{"--addr", "127.0.0.1:0", "--oidc-issuer", "https://login.acme.example", "--oidc-client-id", "estate", "--public-url", "estate.acme.example"}, `public URL "estate.acme.example"`},
	} {
		_, stderr, code := cli(t, "", append(append([]string{"serve"}, tc.args...), "--data-dir", dir)...)
		if code != exitUsage || !strings.Contains(stderr, tc.msg) {
			t.Errorf("serve %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, exitUsage, tc.msg)
		}
	}
}
