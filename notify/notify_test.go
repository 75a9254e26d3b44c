package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/embedded/embeddedtest"
	"github.com/estate-cmdb/estate/graph/governance"
	"github.com/estate-cmdb/estate/graph/graphtest"
	"github.com/estate-cmdb/estate/notify"
)

// metricHead is how /metrics introduces the notifications' counter.
const metricHead = `# HELP estate_notifications_total Notifications (new shadow-estate findings, changes waiting for a decision) by target and result (sent, failed).
# TYPE estate_notifications_total counter`

// secretPath is the part of a chat webhook's URL that is its secret, as in
// Slack's https://hooks.slack.com/services/T…/B…/XXXX.
const secretPath = "/services/T0001/B0001/s3cr3tW3bh00k"

// delivery is one request a receiver got.
type delivery struct {
	header http.Header
	body   []byte
}

// receiver is a real HTTP server taking deliveries at secretPath,
// answering each with the next of answers (then 200 "ok", as Slack does).
type receiver struct {
	*httptest.Server
	mu      sync.Mutex
	got     []delivery
	answers []int
}

func newReceiver(t *testing.T, answers ...int) *receiver {
	r := &receiver{answers: answers}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		if req.URL.Path != secretPath || req.Method != http.MethodPost {
			http.Error(w, "no_service", http.StatusNotFound)
			return
		}
		r.got = append(r.got, delivery{req.Header.Clone(), body})
		code := http.StatusOK
		if len(r.answers) > 0 {
			code, r.answers = r.answers[0], r.answers[1:]
		}
		if code == http.StatusOK {
			_, _ = io.WriteString(w, "ok")
			return
		}
		http.Error(w, "invalid_payload", code)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) url() string { return r.URL + secretPath }

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.got)
}

func newNotifier(t *testing.T, log io.Writer, targets ...notify.Target) *notify.Notifier {
	t.Helper()
	n, err := notify.New(targets, notify.Options{PublicURL: "https://estate.acme.example/", Attempts: 3, RetryWait: time.Millisecond, Logger: zerolog.New(zerolog.SyncWriter(log))})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

var run = graph.IngestRun{ID: "run-2", Source: "aws:audit", Status: graph.RunSucceeded, StartedBy: "scheduler", Started: time.Date(2026, 11, 29, 3, 0, 0, 0, time.UTC)}

// live makes the shadow estate of s as it is then.
func live(s graph.Store) notify.Shadow {
	return func(ctx context.Context) (*analysis.ShadowReport, error) {
		return analysis.ShadowEstate(ctx, s, time.Now())
	}
}

// fixed is a shadow estate made beforehand.
func fixed(rep *analysis.ShadowReport) notify.Shadow {
	return func(context.Context) (*analysis.ShadowReport, error) { return rep, nil }
}

// TestNewFindingsAreToldOnce: after a run, each target hears of the
// findings that were not open at the last look, of the kinds it hears of;
// the next run with nothing new tells nobody anything; a finding that
// closes and opens again is news again.
func TestNewFindingsAreToldOnce(t *testing.T) {
	s := embeddedtest.Harness(t)
	apply := func(nodes ...graph.NodeInput) {
		graphtest.MustApply(t, s, graph.Batch{Source: "aws:audit", Run: "r", At: time.Now(), Nodes: nodes})
	}
	account := func(id string) graph.NodeInput {
		return graph.NodeInput{Kind: graph.KindCloudAccount, Key: "aws:" + id, Name: "sandbox " + id}
	}
	chat, hook := newReceiver(t), newReceiver(t)
	var log bytes.Buffer
	n := newNotifier(t, &log,
		notify.Target{Name: "chat", Type: notify.TypeSlack, URL: chat.url(), Findings: []string{analysis.FindingUnregisteredAccount}},
		notify.Target{Name: "itsm", Type: notify.TypeWebhook, URL: hook.url(), Secret: "hmac-key"})

	apply(account("111111111111"))
	if n.Seeded() {
		t.Fatal("seeded before Seed")
	}
	// Before a seed, a look only seeds: what was open before is not news.
	if _, err := n.Observe(t.Context(), run, live(s)); err != nil || !n.Seeded() {
		t.Fatalf("first look: %v, seeded %v", err, n.Seeded())
	}
	if len(chat.deliveries())+len(hook.deliveries()) != 0 {
		t.Fatal("the first look told someone")
	}

	// A run brings a new account and a repository mapped to nothing.
	apply(account("222222222222"), graph.NodeInput{Kind: graph.KindRepository, Key: "github.com/acme/pricing-spike", Name: "pricing-spike"})
	if _, err := n.Observe(t.Context(), run, live(s)); err != nil {
		t.Fatal(err)
	}
	got := chat.deliveries()
	if len(got) != 1 {
		t.Fatalf("chat got %d messages, want 1", len(got))
	}
	var msg struct{ Text string }
	if err := json.Unmarshal(got[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"the run of aws:audit found 1 new shadow finding (2 open in all).", "unregistered-account `aws:222222222222 (sandbox 222222222222)`", "<https://estate.acme.example/shadow|The shadow estate>"} {
		if !strings.Contains(msg.Text, want) {
			t.Errorf("chat message %q does not say %q", msg.Text, want)
		}
	}
	if strings.Contains(msg.Text, "111111111111") || strings.Contains(msg.Text, "pricing-spike") {
		t.Errorf("chat message %q tells of what is not new or not its kind", msg.Text)
	}

	got = hook.deliveries()
	if len(got) != 1 {
		t.Fatalf("webhook got %d deliveries, want 1", len(got))
	}
	h := got[0].header
	if h.Get(notify.EventHeader) != notify.EventNewFindings || h.Get(notify.DeliveryHeader) == "" || h.Get("Content-Type") != "application/json" {
		t.Errorf("webhook headers %v", h)
	}
	if sig := h.Get(notify.SignatureHeader); sig != notify.Sign("hmac-key", got[0].body) || !strings.HasPrefix(sig, "sha256=") || notify.Sign("other-key", got[0].body) == sig {
		t.Errorf("signature %q does not sign the body under the target's secret", sig)
	}
	var ev notify.Event
	if err := json.Unmarshal(got[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, f := range ev.Findings {
		keys = append(keys, f.Kind+" "+f.Item.Key)
	}
	wantKeys := []string{"unregistered-account aws:222222222222", "unmapped-repository github.com/acme/pricing-spike"}
	if !slices.Equal(keys, wantKeys) || ev.New != 2 || ev.Open != 3 || ev.Run.ID != "run-2" || ev.Run.Source != "aws:audit" || ev.URL != "https://estate.acme.example/shadow" {
		t.Errorf("event: new %d open %d run %+v url %q findings %v; want new 2 open 3 of run-2 and %v", ev.New, ev.Open, ev.Run, ev.URL, keys, wantKeys)
	}

	// Nothing new: nobody hears anything.
	if _, err := n.Observe(t.Context(), run, live(s)); err != nil {
		t.Fatal(err)
	}
	if len(chat.deliveries()) != 1 || len(hook.deliveries()) != 1 {
		t.Errorf("a run with nothing new told %d and %d", len(chat.deliveries()), len(hook.deliveries()))
	}

	// The first account registered, then not: open again, news again.
	registered := account("111111111111")
	registered.Props = map[string]any{"registered": true}
	apply(registered)
	if _, err := n.Observe(t.Context(), run, live(s)); err != nil {
		t.Fatal(err)
	}
	registered.Props = map[string]any{"registered": false}
	apply(registered)
	if _, err := n.Observe(t.Context(), run, live(s)); err != nil {
		t.Fatal(err)
	}
	if got := chat.deliveries(); len(got) != 2 || !strings.Contains(string(got[1].body), "aws:111111111111") {
		t.Errorf("chat deliveries after the account opened again: %d", len(got))
	}
	if err := testutil.CollectAndCompare(n.Collector(), strings.NewReader(metricHead+`
estate_notifications_total{result="sent",target="chat"} 2
estate_notifications_total{result="sent",target="itsm"} 2
`)); err != nil {
		t.Error(err)
	}
	if strings.Contains(log.String(), secretPath) {
		t.Errorf("the log shows a webhook URL: %s", log.String())
	}
}

// TestDeliveryFailures: what may pass is tried again; what will not is
// said, naming the target and the receiver's answer, never the URL; one
// target failing does not keep the others from hearing.
func TestDeliveryFailures(t *testing.T) {
	finding := func(key string) analysis.Finding {
		return analysis.Finding{Kind: analysis.FindingUnregisteredAccount, Item: analysis.Item{Kind: graph.KindCloudAccount, Key: key}, Explanation: "no source registers it"}
	}
	before := &analysis.ShadowReport{}
	after := &analysis.ShadowReport{Findings: []analysis.Finding{finding("aws:1")}}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	for _, tc := range []struct {
		name     string
		answers  []int
		url      func(*receiver) string
		tries    int
		wantErr  string // "" for delivered
		wantSent string
	}{
		{name: "a 503, then ok", answers: []int{503}, tries: 2, wantSent: "sent"},
		{name: "503 every time", answers: []int{503, 503, 503}, tries: 3, wantErr: "notify t: answered HTTP 503: invalid_payload", wantSent: "failed"},
		{name: "a 400 is not tried again", answers: []int{400}, tries: 1, wantErr: "notify t: answered HTTP 400: invalid_payload", wantSent: "failed"},
		{name: "nobody listening", url: func(*receiver) string { return closed.URL + secretPath }, wantErr: "notify t: not delivered after 3 attempts: ", wantSent: "failed"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, other := newReceiver(t, tc.answers...), newReceiver(t)
			u := r.url()
			if tc.url != nil {
				u = tc.url(r)
			}
			var log bytes.Buffer
			n := newNotifier(t, &log, notify.Target{Name: "t", Type: notify.TypeSlack, URL: u}, notify.Target{Name: "other", Type: notify.TypeWebhook, URL: other.url()})
			if err := n.Seed(t.Context(), fixed(before)); err != nil {
				t.Fatal(err)
			}
			_, err := n.Observe(t.Context(), run, fixed(after))
			switch {
			case tc.wantErr == "" && err != nil:
				t.Fatalf("not delivered: %v", err)
			case tc.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tc.wantErr)):
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
			if len(r.deliveries()) != tc.tries {
				t.Errorf("tried %d times, want %d", len(r.deliveries()), tc.tries)
			}
			if len(other.deliveries()) != 1 {
				t.Errorf("the other target got %d deliveries, want 1", len(other.deliveries()))
			}
			if err != nil && strings.Contains(err.Error(), secretPath) || strings.Contains(log.String(), secretPath) {
				t.Errorf("the URL shows: error %v, log %s", err, log.String())
			}
			want := fmt.Sprintf(metricHead+`
estate_notifications_total{result="sent",target="other"} 1
estate_notifications_total{result=%q,target="t"} 1
`, tc.wantSent)
			if err := testutil.CollectAndCompare(n.Collector(), strings.NewReader(want)); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSlackMessage: what sources named cannot mention a channel or make a
// link in a chat message, and a long list is cut with a count.
func TestSlackMessage(t *testing.T) {
	r := newReceiver(t)
	n := newNotifier(t, io.Discard, notify.Target{Name: "chat", Type: notify.TypeSlack, URL: r.url()})
	if err := n.Seed(t.Context(), fixed(&analysis.ShadowReport{})); err != nil {
		t.Fatal(err)
	}
	rep := &analysis.ShadowReport{}
	for i := range 25 {
		rep.Findings = append(rep.Findings, analysis.Finding{
			Kind: analysis.FindingUnknownTagTeam, Item: analysis.Item{Kind: graph.KindCloudResource, Key: fmt.Sprintf("arn:aws:s3:::bucket-%02d", i)},
			Explanation: "tag team=<!channel> & <https://evil.example|click> names no team or person in the estate",
		})
	}
	partial := run
	partial.Status = graph.RunPartial
	if _, err := n.Observe(t.Context(), partial, fixed(rep)); err != nil {
		t.Fatal(err)
	}
	var msg struct{ Text string }
	if err := json.Unmarshal(r.deliveries()[0].body, &msg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(msg.Text), "\n")
	if len(lines) != 1+20+2 || !strings.HasSuffix(lines[0], "found 25 new shadow findings (25 open in all); the run partial.") || lines[21] != "…and 5 more." {
		t.Errorf("message of %d lines:\n%s", len(lines), msg.Text)
	}
	if strings.Contains(msg.Text, "<!channel>") || strings.Contains(msg.Text, "<https://evil") || !strings.Contains(msg.Text, "team=&lt;!channel&gt; &amp; &lt;https://evil.example|click&gt;") {
		t.Errorf("what a source named is not escaped: %s", lines[1])
	}
}

// TestNewRejects: a target that cannot work is refused when it is made,
// named, without its URL.
func TestNewRejects(t *testing.T) {
	ok := notify.Target{Name: "chat", Type: notify.TypeSlack, URL: "https://hooks.slack.com" + secretPath}
	with := func(f func(*notify.Target)) notify.Target { t := ok; f(&t); return t }
	for _, tc := range []struct {
		name    string
		targets []notify.Target
		public  string
		want    string
	}{
		{"no name", []notify.Target{with(func(t *notify.Target) { t.Name = "" })}, "", "a name is required"},
		{"unknown type", []notify.Target{with(func(t *notify.Target) { t.Type = "teams" })}, "", `notify target "chat": type "teams" (want slack or webhook)`},
		{"relative URL", []notify.Target{with(func(t *notify.Target) { t.URL = "hooks.slack.com" + secretPath })}, "", `notify target "chat": its URL must be an absolute http(s) URL`},
		{"other scheme", []notify.Target{with(func(t *notify.Target) { t.URL = "ftp://hooks.slack.com" + secretPath })}, "", "absolute http(s) URL"},
		{"unknown kind", []notify.Target{with(func(t *notify.Target) { t.Findings = []string{"unregistered-acount"} })}, "", `unknown finding kind "unregistered-acount" (want one of unregistered-account,`},
		{"twice", []notify.Target{ok, ok}, "", `notify target "chat" is named twice`},
		{"bad public URL", []notify.Target{ok}, "estate.acme.example", `public URL "estate.acme.example"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := notify.New(tc.targets, notify.Options{PublicURL: tc.public})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), secretPath) {
				t.Errorf("the error shows the URL: %v", err)
			}
		})
	}
}

// TestReportsAreComparedInOrder: of two runs ending together, the later
// report is made after the earlier one is compared, never beside it; made
// beside it and compared first, what the later run closed would be told
// as new by the earlier.
func TestReportsAreComparedInOrder(t *testing.T) {
	n := newNotifier(t, io.Discard, notify.Target{Name: "chat", Type: notify.TypeSlack, URL: newReceiver(t).url()})
	if err := n.Seed(t.Context(), fixed(&analysis.ShadowReport{})); err != nil {
		t.Fatal(err)
	}
	started, release := make(chan struct{}), make(chan struct{})
	var second sync.WaitGroup
	second.Add(1)
	secondMade := make(chan struct{})
	go func() {
		_, _ = n.Observe(t.Context(), run, func(context.Context) (*analysis.ShadowReport, error) {
			close(started)
			<-release
			return &analysis.ShadowReport{}, nil
		})
	}()
	<-started
	go func() {
		defer second.Done()
		_, _ = n.Observe(t.Context(), run, func(context.Context) (*analysis.ShadowReport, error) {
			close(secondMade)
			return &analysis.ShadowReport{}, nil
		})
	}()
	select {
	case <-secondMade:
		t.Error("the second report was made while the first was being made")
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	second.Wait()
}

// TestChangesWaiting: a change an assessment leaves waiting goes to the
// targets that hear of whoever decides it — the CAB for a HIGH change, its
// team for a NORMAL one — and to nobody else; a target for changes hears
// of no findings unless it names them.
func TestChangesWaiting(t *testing.T) {
	cab, team, findings, both := newReceiver(t), newReceiver(t), newReceiver(t), newReceiver(t)
	n := newNotifier(t, io.Discard,
		notify.Target{Name: "cab", Type: notify.TypeSlack, URL: cab.url(), Changes: []string{notify.CAB}},
		notify.Target{Name: "payments", Type: notify.TypeWebhook, URL: team.url(), Secret: "k", Changes: []string{"payments"}},
		notify.Target{Name: "findings", Type: notify.TypeSlack, URL: findings.url()},
		notify.Target{Name: "both", Type: notify.TypeSlack, URL: both.url(), Changes: []string{notify.CAB}, Findings: []string{analysis.FindingUnregisteredAccount}})
	change := func(class governance.Class, status governance.Status) *governance.Change {
		return &governance.Change{Key: "github.com/acme/payments-api@9f8e7d6/production", Class: class, Status: status, Team: "payments", Score: 78, RequestedBy: "ci",
			Factors: []governance.Factor{{Name: "tier", Points: 40, Explanation: "tier 1 service <!here>"}, {Name: "blast", Points: 20, Explanation: "3 services"},
				{Name: "fresh", Points: 10, Explanation: "new code"}, {Name: "fourth", Points: 8, Explanation: "not listed"}}}
	}
	n.ChangePending(t.Context(), change(governance.High, governance.Pending))
	n.ChangePending(t.Context(), change(governance.Normal, governance.Pending))
	n.ChangePending(t.Context(), change(governance.Standard, governance.Approved))
	unowned := change(governance.Normal, governance.Pending)
	unowned.Team, unowned.Key = "", "github.com/acme/orphan@1/production"
	n.ChangePending(t.Context(), unowned)
	n.Wait()

	text := func(r *receiver) []string {
		var out []string
		for _, d := range r.deliveries() {
			var m struct{ Text string }
			if err := json.Unmarshal(d.body, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m.Text)
		}
		return out
	}
	want := "*estate*: a HIGH change waits for the CAB: `github.com/acme/payments-api@9f8e7d6/production` (score 78, requested by ci).\n" +
		"• tier (+40): tier 1 service &lt;!here&gt;\n• blast (+20): 3 services\n• fresh (+10): new code\n<https://estate.acme.example/changes|The changes to decide>\n"
	got := text(cab)
	slices.Sort(got) // the two were sent side by side
	if len(got) != 2 || got[0] != want || !strings.HasPrefix(got[1], "*estate*: a NORMAL change waits for the CAB: `github.com/acme/orphan@1/production`") {
		t.Errorf("the CAB's channel got %q, want\n%q and the NORMAL change no team owns", got, want)
	}
	if got := text(both); len(got) != 2 || !slices.Contains(got, want) {
		t.Errorf("the channel for the CAB and accounts got %q", got)
	}
	if got := team.deliveries(); len(got) != 1 || got[0].header.Get(notify.EventHeader) != notify.EventChangePending || got[0].header.Get(notify.SignatureHeader) != notify.Sign("k", got[0].body) {
		t.Fatalf("the team's webhook got %d deliveries, want one signed change.pending", len(got))
	}
	var ev notify.Event
	if err := json.Unmarshal(team.deliveries()[0].body, &ev); err != nil {
		t.Fatal(err)
	}
	if ev.DecidedBy != "payments" || ev.Change == nil || ev.Change.Class != governance.Normal || ev.Change.Key != "github.com/acme/payments-api@9f8e7d6/production" || ev.URL != "https://estate.acme.example/changes" || ev.Run != nil || ev.New != 0 {
		t.Errorf("the team's event: %+v", ev)
	}
	if len(findings.deliveries()) != 0 {
		t.Error("a target for findings heard of changes")
	}

	// A run's new account: the findings target and the one that names the
	// kind hear of it; the channels for changes only do not.
	if err := n.Seed(t.Context(), fixed(&analysis.ShadowReport{})); err != nil {
		t.Fatal(err)
	}
	acct := analysis.Finding{Kind: analysis.FindingUnregisteredAccount, Item: analysis.Item{Kind: graph.KindCloudAccount, Key: "aws:3"}, Explanation: "no source registers it"}
	if _, err := n.Observe(t.Context(), run, fixed(&analysis.ShadowReport{Findings: []analysis.Finding{acct}})); err != nil {
		t.Fatal(err)
	}
	if len(findings.deliveries()) != 1 || len(both.deliveries()) != 3 || len(cab.deliveries()) != 2 || len(team.deliveries()) != 1 {
		t.Errorf("after a run: findings %d, both %d, cab %d, team %d deliveries", len(findings.deliveries()), len(both.deliveries()), len(cab.deliveries()), len(team.deliveries()))
	}
}
