package notify

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/hashicorp/go-retryablehttp"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/analysis"
	"github.com/estate-cmdb/estate/graph/governance"
)

// Headers of a webhook delivery. The signature is GitHub's convention
// (X-Hub-Signature-256), which receivers already know how to check:
// "sha256=" and the hex HMAC-SHA256 of the body under the target's secret.
const (
	EventHeader     = "X-Estate-Event"
	DeliveryHeader  = "X-Estate-Delivery"
	SignatureHeader = "X-Estate-Signature-256"
)

// Events a webhook receives: a run's new findings, a change waiting for
// whoever decides it, and the test a person sends to check that a target
// is set up (Notifier.Ping), which carries nothing else.
const (
	EventNewFindings   = "shadow.new-findings"
	EventChangePending = "change.pending"
	EventPing          = "ping"
)

// MaxEventFindings bounds the findings an Event carries; New counts them
// all. A first run over a large estate can find thousands.
const MaxEventFindings = 500

// slackLines bounds the findings a chat message lists.
const slackLines = 20

// Event is the body of a webhook delivery: the findings a run found new,
// of the kinds the target hears of; or a change that waits for a decision.
type Event struct {
	Event string    `json:"event"`
	Run   *EventRun `json:"run,omitempty"`
	// New counts the new findings; Findings lists the first
	// MaxEventFindings of them, in the shadow estate's order.
	New      int                `json:"new,omitempty"`
	Findings []analysis.Finding `json:"findings,omitempty"`
	// Open counts every open finding of those kinds now, new or not.
	Open int `json:"open,omitempty"`
	// Change waits for DecidedBy: CAB, or its team's key.
	Change    *governance.Change `json:"change,omitempty"`
	DecidedBy string             `json:"decidedBy,omitempty"`
	// URL is the page to act on (the shadow estate, the changes), when
	// estate knows its public URL.
	URL string `json:"url,omitempty"`
}

// EventRun names the run that found them.
type EventRun struct {
	ID        string          `json:"id"`
	Source    string          `json:"source"`
	Status    graph.RunStatus `json:"status"`
	StartedBy string          `json:"startedBy,omitempty"`
	Started   time.Time       `json:"started"`
}

func (t Target) event(run graph.IngestRun, rep *analysis.ShadowReport, fresh []analysis.Finding, publicURL string) Event {
	ev := Event{
		Event: EventNewFindings,
		Run:   &EventRun{ID: run.ID, Source: run.Source, Status: run.Status, StartedBy: run.StartedBy, Started: run.Started},
	}
	for _, f := range fresh {
		if t.hears(f.Kind) {
			ev.New++
			if len(ev.Findings) < MaxEventFindings {
				ev.Findings = append(ev.Findings, f)
			}
		}
	}
	for i := range rep.Findings {
		if t.hears(rep.Findings[i].Kind) {
			ev.Open++
		}
	}
	if publicURL != "" {
		ev.URL = publicURL + "/shadow"
	}
	return ev
}

// body is ev as t takes it: a chat message, or the event as JSON.
func (t Target) body(ev Event) ([]byte, error) {
	if t.Type == TypeSlack {
		return json.Marshal(slackMessage{Text: slackText(ev)})
	}
	return json.Marshal(ev)
}

// deliver posts body, of the event named, to t, retrying what may pass (a
// 429 or 5xx answer, a connection that failed). Errors never carry t's
// URL.
func (n *Notifier) deliver(ctx context.Context, t Target, event string, body []byte) error {
	ctx, cancel := context.WithTimeout(ctx, n.opts.Timeout)
	defer cancel()
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, t.URL, body)
	if err != nil {
		return errors.New("the request could not be made")
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "estate")
	if t.Type == TypeWebhook {
		req.Header.Set(EventHeader, event)
		req.Header.Set(DeliveryHeader, uuid.NewString())
		if t.Secret != "" {
			req.Header.Set(SignatureHeader, Sign(t.Secret, body))
		}
	}
	resp, err := n.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return fmt.Errorf("not delivered after %d attempts: %w", n.opts.Attempts, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		// Slack says what is wrong in the body: invalid_payload,
		// no_service, channel_is_archived.
		what, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
		msg := fmt.Sprintf("answered HTTP %d", resp.StatusCode)
		if s := strings.TrimSpace(string(what)); s != "" {
			msg += ": " + strings.Join(strings.Fields(s), " ")
		}
		return errors.New(msg)
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	return nil
}

// Sign is the signature header's value for body under secret.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// slackMessage is an incoming webhook's message: text in Slack's mrkdwn.
type slackMessage struct {
	Text string `json:"text"`
}

func slackText(ev Event) string {
	switch ev.Event {
	case EventPing:
		return "*estate*: a test message. What it is set to tell will come here."
	case EventChangePending:
		return changeText(ev)
	}
	var b strings.Builder
	found := "1 new shadow finding"
	if ev.New != 1 {
		found = fmt.Sprintf("%d new shadow findings", ev.New)
	}
	fmt.Fprintf(&b, "*estate*: the run of %s found %s (%d open in all)", slackEscape(ev.Run.Source), found, ev.Open)
	if ev.Run.Status != graph.RunSucceeded {
		fmt.Fprintf(&b, "; the run %s", ev.Run.Status)
	}
	b.WriteString(".\n")
	for i, f := range ev.Findings {
		if i == slackLines {
			break
		}
		name := f.Item.Key
		if f.Item.Name != "" && f.Item.Name != f.Item.Key {
			name += " (" + f.Item.Name + ")"
		}
		fmt.Fprintf(&b, "• %s `%s`: %s\n", f.Kind, slackEscape(name), slackEscape(f.Explanation))
	}
	if more := ev.New - min(len(ev.Findings), slackLines); more > 0 {
		fmt.Fprintf(&b, "…and %d more.\n", more)
	}
	if ev.URL != "" {
		fmt.Fprintf(&b, "<%s|The shadow estate>\n", ev.URL)
	}
	return b.String()
}

// changeFactors bounds the factors a chat message names.
const changeFactors = 3

func changeText(ev Event) string {
	c := ev.Change
	var b strings.Builder
	who := "the CAB"
	if ev.DecidedBy != CAB {
		who = "team " + slackEscape(ev.DecidedBy)
	}
	fmt.Fprintf(&b, "*estate*: a %s change waits for %s: `%s` (score %d", c.Class, who, slackEscape(c.Key), c.Score)
	if c.RequestedBy != "" {
		fmt.Fprintf(&b, ", requested by %s", slackEscape(c.RequestedBy))
	}
	b.WriteString(").\n")
	for i, f := range c.Factors {
		if i == changeFactors {
			break
		}
		fmt.Fprintf(&b, "• %s (+%d): %s\n", f.Name, f.Points, slackEscape(f.Explanation))
	}
	if ev.URL != "" {
		fmt.Fprintf(&b, "<%s|The changes to decide>\n", ev.URL)
	}
	return b.String()
}

// slackEscape keeps what sources named (a cloud tag's value, a
// repository's name) from being read as a link or a mention such as
// <!channel>: Slack's three control characters, escaped as it asks.
var slackEscape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace
