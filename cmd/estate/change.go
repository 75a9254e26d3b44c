package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/graph/governance"
)

// Exit codes of `estate change assess`, one per outcome a pipeline acts on
// (docs/change-governance.md). Errors keep the usual codes: 1, 2 for bad
// input, 3 for an unknown repository.
const (
	exitChangeApproved = 0  // STANDARD, or a change already approved
	exitChangeNormal   = 10 // NORMAL, pending: the owning team approves
	exitChangeHigh     = 11 // HIGH, pending: the change advisory board approves
	exitChangeRejected = 12 // recorded as rejected: never deploy it
)

func (a *app) changeCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "change",
		Short: "Change governance: assess a change before deploying it; print the policy",
	}
	cmd.AddCommand(a.changeAssessCommand(), a.changePolicyCommand())
	return cmd
}

func (a *app) changeAssessCommand() *cobra.Command {
	var (
		in                     governance.AssessInput
		lines                  int
		coverage               float64
		committed              string
		format, policy, target string
		token                  string
	)
	cmd := &cobra.Command{
		Use:   "assess --repo REPO --commit SHA",
		Short: "Classify a change (STANDARD, NORMAL, HIGH) with its score and every factor, and record it",
		Long: `Assess a change about to be deployed: the blast radius from impact analysis,
its size and test coverage, the owning team's track record and the quality of
the CMDB data involved, under the change policy. The assessment is recorded as a
Change; assessing the same repository, commit and environment again returns the
recorded decision.

With --server (ESTATE_SERVER) it asks a running estate (POST
/hooks/changes/assess with --token, ESTATE_TOKEN, an editor token); without,
it opens the store itself (--policy picks the policy; default: the built-in one).

Exit codes: 0 approved (STANDARD, or approved since); 10 NORMAL, waiting for
the owning team; 11 HIGH, waiting for the change advisory board; 12 rejected;
2 bad input; 3 unknown repository; 1 other errors.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkFormat(format, "table", "json"); err != nil {
				return err
			}
			f := cmd.Flags()
			if f.Changed("lines-changed") {
				in.LinesChanged = &lines
			}
			if f.Changed("coverage") {
				in.Coverage = &coverage
			}
			if committed != "" {
				t, err := time.Parse(time.RFC3339, committed)
				if err != nil {
					return usageError("--committed-at %q: want an RFC 3339 time", committed)
				}
				in.CommittedAt = &t
			}
			var (
				c   *governance.Change
				err error
			)
			if target != "" {
				if policy != "" {
					return usageError("--policy applies without --server only: the server has its own")
				}
				c, err = assessRemote(cmd.Context(), target, token, in)
			} else {
				c, err = a.assessLocal(cmd.Context(), policy, in)
			}
			if err != nil {
				return answerError(err)
			}
			if format == "json" {
				err = writeJSON(a.stdout, c)
			} else {
				err = writeChange(a.stdout, c)
			}
			if err != nil {
				return err
			}
			decideAt := ""
			if target != "" {
				decideAt = strings.TrimSuffix(target, "/") + "/changes/" + url.PathEscape(c.Key)
			}
			return changeExit(c, decideAt)
		},
	}
	f := cmd.Flags()
	f.StringVar(&in.Repository, "repo", "", "repository key or clone URL (required)")
	f.StringVar(&in.Commit, "commit", "", "commit id (required)")
	f.StringVar(&in.Environment, "environment", "", "environment (default: the policy's default)")
	f.StringArrayVar(&in.ChangedPaths, "changed-path", nil, "a changed path, relative to the repository root (repeat)")
	f.IntVar(&lines, "lines-changed", 0, "lines changed")
	f.Float64Var(&coverage, "coverage", 0, "percent of the changed code covered by tests")
	f.StringVar(&committed, "committed-at", "", "commit time, RFC 3339 (for lead time)")
	f.StringVar(&format, "format", "table", "output format: table or json")
	f.StringVar(&policy, "policy", "", "policy file (local mode)")
	f.StringVar(&target, "server", "", "URL of a running estate, e.g. https://estate.example.com")
	f.StringVar(&token, "token", "", "API token for --server (editor role); prefer ESTATE_TOKEN")
	a.addStoreFlags(cmd)
	return cmd
}

func (a *app) assessLocal(ctx context.Context, policyFile string, in governance.AssessInput) (*governance.Change, error) {
	var p *governance.Policy
	if policyFile != "" {
		var err error
		if p, err = governance.LoadPolicy(policyFile); err != nil {
			return nil, err
		}
	}
	s, err := a.openStore(ctx)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	in.RequestedBy = "cli"
	return governance.New(s, p).Assess(ctx, in)
}

// assessRemote posts the change to a server's assessment webhook.
func assessRemote(ctx context.Context, base, token string, in governance.AssessInput) (*governance.Change, error) {
	if token == "" {
		return nil, usageError("--server needs --token (or ESTATE_TOKEN): an API token with the editor role")
	}
	body, err := json.Marshal(in)
	if err != nil {
		return nil, err
	}
	url := strings.TrimSuffix(base, "/") + "/hooks/changes/assess"
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, usageError("--server %q: %v", base, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := (&http.Client{Timeout: time.Minute}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("assess at %s: %w", base, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("assess at %s: %w", base, err)
	}
	if res.StatusCode != http.StatusOK {
		var e struct {
			Errors []struct {
				Message    string
				Extensions struct{ Code string }
			}
		}
		if json.Unmarshal(b, &e) != nil || len(e.Errors) == 0 {
			return nil, fmt.Errorf("assess at %s: HTTP %d", base, res.StatusCode)
		}
		return nil, &graph.Error{Code: graph.Code(e.Errors[0].Extensions.Code), Msg: e.Errors[0].Message}
	}
	var c governance.Change
	if err := json.Unmarshal(b, &c); err != nil {
		return nil, fmt.Errorf("assess at %s: the answer is not a change: %w", base, err)
	}
	return &c, nil
}

// changeExit maps a change's decision to its exit code, with a message on
// stderr for the codes that stop a pipeline. decideAt, when the server is
// known, is the change's page in its web UI: a pipeline's log then says
// where the approvers decide.
func changeExit(c *governance.Change, decideAt string) error {
	where := ""
	if decideAt != "" {
		where = "; decide at " + decideAt
	}
	switch {
	case c.Status == governance.Approved:
		return nil
	case c.Status == governance.Rejected:
		return &codedError{code: exitChangeRejected, err: fmt.Errorf("change %s was rejected by %s", c.Key, c.DecidedBy)}
	case c.Class == governance.High:
		return &codedError{code: exitChangeHigh, err: fmt.Errorf("change %s is HIGH: waiting for the change advisory board%s", c.Key, where)}
	}
	who := "its owning team"
	if c.Team != "" {
		who = "team " + c.Team
	}
	return &codedError{code: exitChangeNormal, err: fmt.Errorf("change %s is NORMAL: waiting for approval by %s%s", c.Key, who, where)}
}

func writeChange(w io.Writer, c *governance.Change) error {
	note := ""
	if c.Recorded {
		note = " (recorded decision)"
	}
	fmt.Fprintf(w, "%s: %s, score %d, %s%s\n", c.Key, c.Class, c.Score, c.Status, note)
	fmt.Fprintf(w, "policy %s", c.PolicyVersion)
	if c.Team != "" {
		fmt.Fprintf(w, ", owning team %s", c.Team)
	}
	if c.DecidedBy != "" {
		fmt.Fprintf(w, ", decided by %s", c.DecidedBy)
	}
	fmt.Fprint(w, "\n\n")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FACTOR\tPOINTS\tEXPLANATION")
	for _, f := range c.Factors {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", f.Name, f.Points, f.Explanation)
	}
	return tw.Flush()
}

func (a *app) changePolicyCommand() *cobra.Command {
	var check string
	cmd := &cobra.Command{
		Use:   "policy [--check FILE]",
		Short: "Print the built-in change policy, or validate a policy file",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if check == "" {
				_, err := a.stdout.Write(governance.DefaultPolicyYAML())
				return err
			}
			p, err := governance.LoadPolicy(check)
			if err != nil {
				if errors.Is(err, graph.ErrInvalid) {
					return &codedError{code: exitUsage, err: err}
				}
				return err
			}
			fmt.Fprintf(a.stdout, "%s: policy %s is valid\n", check, p.Version)
			return nil
		},
	}
	cmd.Flags().StringVar(&check, "check", "", "policy file to validate")
	return cmd
}
