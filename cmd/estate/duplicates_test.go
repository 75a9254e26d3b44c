package main

import (
	"strings"
	"testing"

	"github.com/estate-cmdb/estate/graph"
)

// TestDuplicatesAndMerge: the catalog's record of a demo team is listed as
// a likely duplicate of it, merged by the command line, and the next
// listing is clean; an ambiguous or foreign ref merges nothing.
func TestDuplicatesAndMerge(t *testing.T) {
	dir := demoDir(t)
	out, stderr, code := cli(t, "", "duplicates", "--data-dir", dir)
	if code != exitOK || out != "No likely duplicates.\n" {
		t.Fatalf("duplicates of the demo: exit %d, %q %s", code, out, stderr)
	}
	const batch = `{"node":{"id":"` + "ID" + `","kind":"Team","key":"platform-sre-oncall","name":"Platform SRE","aliases":[{"value":"group:sre","source":"catalog"}],"assertions":[{"source":"catalog","confidence":"DECLARED","firstSeen":"2026-11-01T00:00:00Z","lastSeen":"2026-11-01T00:00:00Z"}],"firstSeen":"2026-11-01T00:00:00Z","lastSeen":"2026-11-01T00:00:00Z"}}`
	line := strings.Replace(batch, "ID", graph.NodeID(graph.KindTeam, "platform-sre-oncall").String(), 1)
	if _, stderr, code := cli(t, line, "import", "--merge", "--data-dir", dir); code != exitOK {
		t.Fatalf("import the duplicate: exit %d: %s", code, stderr)
	}
	const want = `KIND  KEY                  NAME          SPELLED ALIKE
Team  platform-sre         Platform SRE  platform-sre
Team  platform-sre-oncall  Platform SRE  

1 groups. Merge the entities that are one thing: estate merge KEEP DUPLICATE
`
	out, _, code = cli(t, "", "duplicates", "--kind", "team", "--data-dir", dir)
	if code != exitOK || out != want {
		t.Errorf("duplicates --kind team: exit %d\n%s\nwant\n%s", code, out, want)
	}

	// Each one's own group, as its page suggests it.
	for _, ref := range []string{"Team:platform-sre-oncall", "platform-sre"} {
		if out, stderr, code := cli(t, "", "duplicates", ref, "--data-dir", dir); code != exitOK || out != want {
			t.Errorf("duplicates %s: exit %d\n%s%s\nwant\n%s", ref, code, out, stderr, want)
		}
	}
	if out, _, code := cli(t, "", "duplicates", "Team:payments-core", "--data-dir", dir); code != exitOK || out != "No likely duplicates.\n" {
		t.Errorf("duplicates Team:payments-core: exit %d, %q", code, out)
	}

	for _, c := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"duplicates", "Team:nobody"}, exitNotFound, "nobody"},
		{[]string{"duplicates", "--kind", "Team", "Team:platform-sre"}, exitUsage, "--kind and a REF"},
		{[]string{"merge", "Team:platform-sre", "Application:payments-api"}, exitUsage, "is not a Team"},
		{[]string{"merge", "Team:platform-sre", "Team:nobody"}, exitNotFound, "nobody"},
		{[]string{"merge", "Team:platform-sre"}, exitUsage, "accepts 2 arg"},
	} {
		_, stderr, code := cli(t, "", append(c.args, "--data-dir", dir)...)
		if code != c.code || !strings.Contains(stderr, c.say) {
			t.Errorf("estate %v: exit %d (want %d): %s", c.args, code, c.code, stderr)
		}
	}
	// Recorded as two teams, they are not listed; the label is removed again.
	out, stderr, code = cli(t, "", "distinct", "Team:platform-sre", "Team:platform-sre-oncall", "--data-dir", dir)
	if code != exitOK || out != "Recorded 2 entities as distinct.\n" {
		t.Fatalf("distinct: exit %d: %s %s", code, out, stderr)
	}
	if out, _, _ := cli(t, "", "duplicates", "--data-dir", dir); out != "No likely duplicates.\n" {
		t.Errorf("duplicates after distinct:\n%s", out)
	}
	if _, stderr, code := cli(t, "", "distinct", "Team:platform-sre", "--data-dir", dir); code != exitUsage {
		t.Errorf("distinct of one entity: exit %d: %s", code, stderr)
	}
	// Withdrawn, the pair is listed again.
	out, stderr, code = cli(t, "", "distinct", "--withdraw", "Team:platform-sre-oncall", "Team:platform-sre", "--data-dir", dir)
	if code != exitOK || !strings.HasPrefix(out, "Withdrew the decision: 2 entities") {
		t.Fatalf("distinct --withdraw: exit %d: %s %s", code, out, stderr)
	}
	if out, _, _ := cli(t, "", "duplicates", "--kind", "team", "--data-dir", dir); out != want {
		t.Errorf("duplicates after the decision was withdrawn:\n%s\nwant\n%s", out, want)
	}

	out, stderr, code = cli(t, "", "merge", "Team:platform-sre", "Team:platform-sre-oncall", "--data-dir", dir)
	if code != exitOK || !strings.Contains(out, `Merged Team:platform-sre-oncall into Team:platform-sre; "platform-sre-oncall" is now an alias of it.`) {
		t.Fatalf("merge: exit %d: %s %s", code, out, stderr)
	}
	if out, _, _ := cli(t, "", "duplicates", "--data-dir", dir); out != "No likely duplicates.\n" {
		t.Errorf("duplicates after the merge:\n%s", out)
	}
	if out, _, code := cli(t, "", "owners", "Team:platform-sre-oncall", "--format", "json", "--data-dir", dir); code != exitOK || !strings.Contains(out, `"key": "platform-sre"`) {
		t.Errorf("the merged key does not name the team: exit %d\n%s", code, out)
	}
}
