package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestShadowAcceptAndReopen: findings accepted by name and from the CSV
// the shadow command writes leave the open list for --accepted, with who,
// why and until when; the history names who; bad requests are refused
// with the usage or not-found exit code and change nothing; reopen brings
// a finding back.
func TestShadowAcceptAndReopen(t *testing.T) {
	dir := demoDir(t)
	handbook := "github.com/acme/engineering-handbook"
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		return cli(t, stdin, append(args, "--data-dir", dir)...)
	}
	tags, _, _ := run("", "shadow", "--format", "csv", "--finding", "unknown-team-tag")
	before, _, _ := run("", "shadow")

	for _, tc := range []struct {
		name  string
		stdin string
		args  []string
		code  int
		says  string
	}{
		{"no reason", "", []string{"unmapped-repository", handbook}, exitUsage, "a reason is required"},
		{"not a finding", "", []string{"unowned-resource", handbook, "--reason", "r"}, exitNotFound, "unowned-resource of Repository:" + handbook},
		{"names nothing", "", []string{"unmapped-repository", "github.com/acme/nothing-here", "--reason", "r"}, exitNotFound, "nothing-here"},
		{"a date that is not one", "", []string{"unmapped-repository", handbook, "--reason", "r", "--until", "next week"}, exitUsage, `--until "next week"`},
		{"an end passed", "", []string{"unmapped-repository", handbook, "--reason", "r", "--until", "2020-01-31"}, exitUsage, "not after now"},
		{"args and --from", "", []string{"unmapped-repository", handbook, "--reason", "r", "--from", "-"}, exitUsage, "not both"},
		{"one arg", "", []string{"unmapped-repository", "--reason", "r"}, exitUsage, "FINDING REF"},
		{"a file without the columns", "finding,key\nunmapped-repository," + handbook + "\n", []string{"--from", "-", "--reason", "r"}, exitUsage, `no column "kind"`},
		{"a file with one wrong row", tags + "unmapped-repository,Repository,github.com/acme/payments-api\n", []string{"--from", "-", "--reason", "r"}, exitNotFound, "payments-api"},
	} {
		out, stderr, code := run(tc.stdin, append([]string{"shadow", "accept"}, tc.args...)...)
		if code != tc.code || !strings.Contains(stderr, tc.says) {
			t.Errorf("accept, %s: exit %d (want %d), %q%q, want it to say %q", tc.name, code, tc.code, out, stderr, tc.says)
		}
	}
	if after, _, _ := run("", "shadow"); after != before {
		t.Fatalf("refused accepts changed the report:\n%s", after)
	}

	if out, stderr, code := run("", "shadow", "accept", "unmapped-repository", handbook, "--reason", " DOC-3:  docs only ", "--by", "carla"); code != exitOK || out != "Accepted 1 finding with no end.\n" {
		t.Fatalf("accept one: exit %d: %s%s", code, out, stderr)
	}
	if out, stderr, code := run(tags, "shadow", "accept", "--from", "-", "--reason", "CHG-12", "--until", "2099-12-31", "--by", "dan"); code != exitOK ||
		out != "Accepted 9 findings until 2100-01-01T00:00:00Z.\n" {
		t.Fatalf("accept from the CSV: exit %d: %s%s", code, out, stderr)
	}
	out, _, code := run("", "shadow", "--accepted")
	if code != exitOK {
		t.Fatalf("shadow --accepted: exit %d", code)
	}
	goldenText(t, "shadow_accepted", out)
	if out, _, _ := run("", "shadow", "--finding", "unmapped-repository"); !strings.HasPrefix(out, "18 of 44 open findings (and 10 accepted: estate shadow --accepted)\n") ||
		strings.Contains(out, handbook) {
		t.Errorf("shadow after accepting 10:\n%s", out)
	}
	// The exceptions to review: dan's end in 2100, carla's never.
	if out, _, _ := run("", "shadow", "--accepted", "--ending-within", "36500"); !strings.HasPrefix(out, "9 of 10 accepted findings\n") || strings.Count(out, "CHG-12") != 9 || strings.Contains(out, handbook) {
		t.Errorf("shadow --accepted --ending-within 36500 days:\n%s", out)
	}
	if out, _, _ := run("", "shadow", "--accepted", "--ending-within", "30"); !strings.HasPrefix(out, "0 of 10 accepted findings\n") {
		t.Errorf("shadow --accepted --ending-within 30:\n%s", out)
	}
	if _, stderr, code := run("", "shadow", "--ending-within", "0"); code != exitUsage || !strings.Contains(stderr, "at least 1") {
		t.Errorf("--ending-within 0: exit %d: %s", code, stderr)
	}
	if out, _, _ := run("", "history", handbook); !strings.Contains(out, "carla") || !strings.Contains(out, "labels.shadow-accepted/unmapped-repository") {
		t.Errorf("history of %s does not show carla's label:\n%s", handbook, out)
	}

	if out, stderr, code := run("", "shadow", "reopen", "unmapped-repository", "github.com/acme/old-website"); code != exitNotFound || !strings.Contains(stderr, "not accepted") {
		t.Errorf("reopen a finding never accepted: exit %d: %s%s", code, out, stderr)
	}
	if out, stderr, code := run("", "shadow", "reopen", "unmapped-repository", handbook); code != exitOK || out != "Reopened 1 finding.\n" {
		t.Errorf("reopen: exit %d: %s%s", code, out, stderr)
	}
	if out, _, _ := run("", "shadow", "--accepted", "--format", "csv"); strings.Count(out, "\n") != 10 || strings.Contains(out, handbook) ||
		!strings.Contains(out, ",dan,") || !strings.Contains(out, "2100-01-01T00:00:00Z,CHG-12\n") {
		t.Errorf("accepted after reopening, as CSV:\n%s", out)
	}
}

// TestShadowAcceptInTurns: a file of more findings than one call takes is
// written in turns of 500; a turn refused after others says how many were
// written, with the refusal's exit code.
func TestShadowAcceptInTurns(t *testing.T) {
	// The S estate beside the demo: 491 findings and 54.
	dir := demoDir(t)
	if _, stderr, code := cli(t, "", "ingest", "synthetic", "--tier", "S", "--data-dir", dir); code != exitOK {
		t.Fatalf("ingest synthetic: exit %d: %s", code, stderr)
	}
	run := func(stdin string, args ...string) (string, string, int) {
		t.Helper()
		return cli(t, stdin, append(args, "--data-dir", dir)...)
	}
	all, _, _ := run("", "shadow", "--format", "csv")
	n := strings.Count(all, "\n") - 1
	if n <= 500 {
		t.Fatalf("the S estate has %d findings, want more than one turn", n)
	}
	if out, stderr, code := run(all, "shadow", "accept", "--from", "-", "--reason", "REV-7", "--by", "edna"); code != exitOK || out != fmt.Sprintf("Accepted %d findings with no end.\n", n) {
		t.Fatalf("accept %d from a file: exit %d: %s%s", n, code, out, stderr)
	}
	if out, _, _ := run("", "shadow"); !strings.HasPrefix(out, fmt.Sprintf("0 open findings (and %d accepted", n)) {
		t.Errorf("after accepting all:\n%.200s", out)
	}
	// Reopen them all and one never accepted, last: the second turn is refused.
	extra := "unmapped-repository,Repository,no-such-repository\n"
	out, stderr, code := run(all+extra, "shadow", "reopen", "--from", "-")
	if code != exitNotFound || out != "" || !strings.Contains(stderr, fmt.Sprintf("Reopened 500 of %d findings; the rest was refused: ", n+1)) {
		t.Errorf("reopen with one wrong row last: exit %d: %s%s", code, out, stderr)
	}
	if out, _, _ := run("", "shadow"); !strings.HasPrefix(out, fmt.Sprintf("500 open findings (and %d accepted", n-500)) {
		t.Errorf("after the first turn was reopened:\n%.200s", out)
	}
}
