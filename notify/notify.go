// Package notify tells people's chat channels and systems what an ingest
// run found new in the shadow estate — an unregistered cloud account, a
// resource nobody owns, a repository mapped to nothing — so that the
// platform team hears of it the day it appears, not when the service desk
// takes the first call about it; and who must decide a change that waits
// for them (ChangePending): its team, or the change advisory board.
//
// A Notifier remembers the open findings it last saw (Seed, then each
// Observe): a finding is new when it is open now and was not then. Two
// runs that end together each report only what the other did not. The
// memory is the process's: a restarted server seeds again from the store
// and says nothing of what was open already.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/go-retryablehttp"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/governance"
)

// Types of target.
const (
	// TypeSlack posts a message to a Slack incoming webhook; Mattermost
	// and Rocket.Chat take the same.
	TypeSlack = "slack"
	// TypeWebhook posts the new findings as JSON (Event), signed with
	// HMAC-SHA256 when the target has a secret.
	TypeWebhook = "webhook"
)

// Target is where notifications go.
type Target struct {
	// Name names the target in logs, errors and metrics; its URL never
	// appears there, as a chat webhook's URL is its secret.
	Name string
	Type string
	URL  string
	// Secret, when set, signs a webhook's body (SignatureHeader).
	Secret string
	// Findings are the finding kinds the target hears of; none: all,
	// unless it names Changes (a channel for approvers only).
	Findings []string
	// Changes are whose waiting changes the target hears of: CAB for the
	// HIGH changes the change advisory board decides, a team's key for the
	// NORMAL changes that team decides. None: no changes.
	Changes []string
}

// CAB, among a target's Changes, is the change advisory board.
const CAB = "cab"

// Options tune a Notifier.
type Options struct {
	// PublicURL is where people reach estate's UI (scheme://host[:port]);
	// messages link to its shadow estate page when it is set.
	PublicURL string
	// Attempts is how often a delivery is tried (default 4), waiting
	// RetryWait, then twice as long each time, up to ten times as long
	// (default 1s), or what a 429's Retry-After asks.
	Attempts  int
	RetryWait time.Duration
	// Timeout bounds one delivery, its retries included (default 30s).
	Timeout time.Duration
	Logger  zerolog.Logger
}

// Notifier sends the new findings of each run to its targets.
type Notifier struct {
	targets []Target
	opts    Options
	client  *retryablehttp.Client
	sent    *prometheus.CounterVec

	mu   sync.Mutex
	open map[analysis.FindingRef]bool // nil until seeded

	// background are the changes' deliveries under way (Wait).
	background sync.WaitGroup
}

// New checks targets and makes their Notifier. Errors name the target and
// what is wrong with it, never its URL.
func New(targets []Target, opts Options) (*Notifier, error) {
	if opts.Attempts <= 0 {
		opts.Attempts = 4
	}
	if opts.RetryWait <= 0 {
		opts.RetryWait = time.Second
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 30 * time.Second
	}
	opts.PublicURL = strings.TrimRight(opts.PublicURL, "/")
	if u, err := url.Parse(opts.PublicURL); opts.PublicURL != "" && (err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "") {
		return nil, fmt.Errorf("notify: public URL %q: want scheme://host[:port], where people reach estate", opts.PublicURL)
	}
	names := map[string]bool{}
	for _, t := range targets {
		if err := t.check(); err != nil {
			return nil, err
		}
		if names[t.Name] {
			return nil, fmt.Errorf("notify target %q is named twice", t.Name)
		}
		names[t.Name] = true
	}
	c := retryablehttp.NewClient()
	c.RetryMax = opts.Attempts - 1
	c.RetryWaitMin, c.RetryWaitMax = opts.RetryWait, 10*opts.RetryWait
	// Its logger would print each request's URL: the secret.
	c.Logger = nil
	// The last answer or error comes back as it is, to be described here
	// without the URL retryablehttp's own error would carry.
	c.ErrorHandler = retryablehttp.PassthroughErrorHandler
	return &Notifier{
		targets: targets, opts: opts, client: c,
		sent: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "estate_notifications_total",
			Help: "Notifications (new shadow-estate findings, changes waiting for a decision) by target and result (sent, failed).",
		}, []string{"target", "result"}),
	}, nil
}

func (t Target) check() error {
	if t.Name == "" {
		return errors.New("notify target: a name is required")
	}
	if t.Type != TypeSlack && t.Type != TypeWebhook {
		return fmt.Errorf("notify target %q: type %q (want %s or %s)", t.Name, t.Type, TypeSlack, TypeWebhook)
	}
	u, err := url.Parse(t.URL)
	if t.URL == "" || err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		// The URL itself is not repeated: it may be the secret.
		return fmt.Errorf("notify target %q: its URL must be an absolute http(s) URL", t.Name)
	}
	for _, c := range t.Changes {
		if strings.TrimSpace(c) == "" {
			return fmt.Errorf("notify target %q: an empty name among its changes (want %s or a team's key)", t.Name, CAB)
		}
	}
	for _, k := range t.Findings {
		if !slices.Contains(analysis.FindingKinds, k) {
			return fmt.Errorf("notify target %q: unknown finding kind %q (want one of %s)", t.Name, k, strings.Join(analysis.FindingKinds, ", "))
		}
	}
	return nil
}

// Collector is the notifications' counter, for /metrics.
func (n *Notifier) Collector() prometheus.Collector { return n.sent }

// Shadow makes the shadow estate as it is now: analysis.ShadowEstate of
// the store runs write to.
type Shadow func(context.Context) (*analysis.ShadowReport, error)

// Seed makes the shadow estate and remembers its open findings as seen,
// without telling anyone.
func (n *Notifier) Seed(ctx context.Context, shadow Shadow) error {
	_, _, err := n.look(ctx, shadow)
	return err
}

// look makes the shadow estate and remembers its open findings, returning
// it with those of the look before (nil before any). Looks are taken one
// at a time, so each is compared with the one made before it.
func (n *Notifier) look(ctx context.Context, shadow Shadow) (rep *analysis.ShadowReport, was map[analysis.FindingRef]bool, err error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if rep, err = shadow(ctx); err != nil {
		return nil, nil, err
	}
	was, n.open = n.open, openRefs(rep)
	return rep, was, nil
}

// Seeded reports whether Seed or Observe has been called.
func (n *Notifier) Seeded() bool {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.open != nil
}

// Observe makes the shadow estate after run, sends its findings that were
// not open at the last look to every target that hears of their kind, and
// returns it. Reports are made and compared one at a time, so that of two
// runs ending together the later report is compared with the earlier one:
// compared the other way round, what the later run closed would be news.
// Before any Seed it only seeds. The error names each target that could
// not be told, and why; the report comes with it.
func (n *Notifier) Observe(ctx context.Context, run graph.IngestRun, shadow Shadow) (*analysis.ShadowReport, error) {
	rep, was, err := n.look(ctx, shadow)
	if err != nil {
		return nil, err
	}
	if was == nil {
		n.opts.Logger.Warn().Str("run", run.ID).Msg("notify: no earlier look to compare this run with; its findings are the first look and nothing is sent")
		return rep, nil
	}
	var fresh []analysis.Finding
	for _, f := range rep.Findings {
		if !was[f.Ref()] {
			fresh = append(fresh, f)
		}
	}
	if len(fresh) == 0 {
		return rep, nil
	}
	// Each target is told beside the others: one that is slow to answer
	// (its retries take up to Options.Timeout) does not hold the rest.
	errs := make([]error, len(n.targets))
	var wg sync.WaitGroup
	log := n.opts.Logger.With().Str("run", run.ID).Logger()
	for i, t := range n.targets {
		ev := t.event(run, rep, fresh, n.opts.PublicURL)
		if ev.New == 0 {
			continue
		}
		wg.Go(func() {
			body, err := t.body(ev)
			if err == nil {
				err = n.told(ctx, t, ev.Event, body, log.With().Int("new", ev.New).Logger())
			}
			if err != nil {
				errs[i] = fmt.Errorf("notify %s: %w", t.Name, err)
			}
		})
	}
	wg.Wait()
	return rep, errors.Join(errs...)
}

// ChangePending tells the targets that hear of whoever decides c — its
// team for a NORMAL change, the CAB for a HIGH one or one no team owns —
// that it waits for them. It returns at once (governance.Governor.Pending
// holds assessments while it runs): the deliveries run in the background, beyond ctx's end,
// each within Options.Timeout; Wait waits for them. Failures are logged
// and counted, as nobody waits for them.
func (n *Notifier) ChangePending(ctx context.Context, c *governance.Change) {
	// The CAB decides a HIGH change, and a NORMAL one no team owns.
	decider := c.Team
	if c.Class == governance.High || decider == "" {
		decider = CAB
	}
	if c.Status != governance.Pending {
		return
	}
	ev := Event{Event: EventChangePending, Change: c, DecidedBy: decider}
	if n.opts.PublicURL != "" {
		ev.URL = n.opts.PublicURL + "/changes"
	}
	ctx = context.WithoutCancel(ctx)
	log := n.opts.Logger.With().Str("change", c.Key).Str("class", string(c.Class)).Logger()
	for _, t := range n.targets {
		if !slices.Contains(t.Changes, decider) {
			continue
		}
		// The body is made now: c is the caller's once this returns.
		body, err := t.body(ev)
		if err != nil {
			log.Error().Str("target", t.Name).Err(err).Msg("notification not made")
			continue
		}
		n.background.Go(func() { _ = n.told(ctx, t, ev.Event, body, log) })
	}
}

// Wait waits for the deliveries ChangePending started.
func (n *Notifier) Wait() { n.background.Wait() }

// told delivers body, of the event named, to t, and logs and counts what
// came of it.
func (n *Notifier) told(ctx context.Context, t Target, event string, body []byte, log zerolog.Logger) error {
	err := n.deliver(ctx, t, event, body)
	if err != nil {
		n.sent.WithLabelValues(t.Name, "failed").Inc()
		log.Error().Str("target", t.Name).Str("error", err.Error()).Msg("notification not delivered")
		return err
	}
	n.sent.WithLabelValues(t.Name, "sent").Inc()
	log.Info().Str("target", t.Name).Msg("notification delivered")
	return nil
}

// TargetInfo describes a target, without its URL and secret.
type TargetInfo struct {
	Name, Type        string
	Findings, Changes []string
}

// Targets describes the targets, in the order they were given.
func (n *Notifier) Targets() []TargetInfo {
	out := make([]TargetInfo, len(n.targets))
	for i, t := range n.targets {
		out[i] = TargetInfo{Name: t.Name, Type: t.Type, Findings: slices.Clone(t.Findings), Changes: slices.Clone(t.Changes)}
	}
	return out
}

func (n *Notifier) names() string {
	names := make([]string, len(n.targets))
	for i, t := range n.targets {
		names[i] = t.Name
	}
	return strings.Join(names, ", ")
}

// Ping sends the named target a test message (EventPing), so that whoever
// sets it up sees it work, or why not, without waiting for a finding.
// Errors: graph.CodeNotFound for a name no target has.
func (n *Notifier) Ping(ctx context.Context, name string) error {
	i := slices.IndexFunc(n.targets, func(t Target) bool { return t.Name == name })
	if i < 0 {
		return graph.Errorf(graph.CodeNotFound, "no notify target %q (configured: %s)", name, n.names())
	}
	t := n.targets[i]
	body, err := t.body(Event{Event: EventPing})
	if err != nil {
		return err
	}
	return n.deliver(ctx, t, EventPing, body)
}

func openRefs(rep *analysis.ShadowReport) map[analysis.FindingRef]bool {
	out := make(map[analysis.FindingRef]bool, len(rep.Findings))
	for i := range rep.Findings {
		out[rep.Findings[i].Ref()] = true
	}
	return out
}

// hears reports whether t is told of findings of kind.
func (t Target) hears(kind string) bool {
	if len(t.Findings) == 0 {
		return len(t.Changes) == 0
	}
	return slices.Contains(t.Findings, kind)
}
