package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestHistoryCommand(t *testing.T) {
	before := time.Now().Add(-time.Second).UTC().Format(time.RFC3339)
	dir := demoDir(t)

	out, stderr, code := cli(t, "", "history", "payments-api", "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, "History of Application:payments-api") {
		t.Fatalf("history: exit %d: %s %s", code, out, stderr)
	}
	var created []string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Fields(l); len(f) > 2 && f[1] == "created" {
			created = append(created, strings.Join(f[2:], " "))
		}
	}
	if len(created) < 2 || !strings.Contains(out, "Application:payments-api") {
		t.Errorf("history of the demo's payments-api: want its creation and its relationships':\n%s", out)
	}

	out, stderr, code = cli(t, "", "history", "payments-api", "--format", "json", "--limit", "2", "--data-dir", dir)
	var events []struct{ Op, Actor, Source string }
	if code != exitOK || json.Unmarshal([]byte(out), &events) != nil {
		t.Fatalf("history --format json: exit %d: %s %s", code, out, stderr)
	}
	if len(events) != 2 || events[0].Op != "created" || events[0].Source != "demo" {
		t.Errorf("history --format json --limit 2: %s", out)
	}

	out, _, code = cli(t, "", "history", "payments-api", "--as-of", before, "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, "Did not exist then.") {
		t.Errorf("history --as-of before the demo was loaded: exit %d: %s", code, out)
	}
	out, _, code = cli(t, "", "history", "payments-api", "--as-of", time.Now().UTC().Format(time.RFC3339Nano), "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, "Name: Payments API") || !strings.Contains(out, "DEPENDS_ON") {
		t.Errorf("history --as-of now: exit %d: %s", code, out)
	}

	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"history", "no-such-thing-anywhere"}, exitNotFound, "names nothing"},
		{[]string{"history", "payments-api", "--since", "yesterday"}, exitUsage, "--since"},
		{[]string{"history", "payments-api", "--as-of", "2026-13-01"}, exitUsage, "--as-of"},
		{[]string{"history", "payments-api", "--limit", "0"}, exitUsage, "--limit"},
		{[]string{"history", "payments-api", "--format", "csv"}, exitUsage, "--format"},
	} {
		_, stderr, code := cli(t, "", append(tc.args, "--data-dir", dir)...)
		if code != tc.code || !strings.Contains(stderr, tc.msg) {
			t.Errorf("estate %v: exit %d, stderr %q; want exit %d mentioning %q", tc.args, code, stderr, tc.code, tc.msg)
		}
	}
}
