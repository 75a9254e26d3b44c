package synthetic

import (
	"strings"
	"testing"
)

func TestWordLists(t *testing.T) {
	lists := map[string][]string{
		"domains": domains, "serviceWords": serviceWords, "platformServices": platformServices,
		"appSuffixes": appSuffixes, "libSuffixes": libSuffixes, "teamWords": teamWords,
		"buPrefixes": buPrefixes, "buSuffixes": buSuffixes, "firstNames": firstNames,
		"lastNames": lastNames, "miscPrefixes": miscPrefixes,
	}
	for name, l := range lists {
		seen := map[string]bool{}
		for _, w := range l {
			if seen[w] {
				t.Errorf("%s lists %q twice", name, w)
			}
			seen[w] = true
			if strings.ContainsAny(w, "-0123456789") || strings.ToLower(w) != w {
				t.Errorf("%s: %q must be a lower-case word without hyphens or digits", name, w)
			}
		}
	}
	if len(appSuffixes) < maxAppsOfSvc || len(libSuffixes) < maxAppsOfSvc {
		t.Errorf("an application suffix list is shorter than maxAppsOfSvc (%d)", maxAppsOfSvc)
	}
	for _, pair := range [][2][]string{
		{domains, serviceWords}, {domains, teamWords}, {buPrefixes, buSuffixes}, {firstNames, lastNames},
	} {
		if m := len(pair[0]) * len(pair[1]); m%comboStride == 0 {
			t.Errorf("comboStride divides a list product (%d)", m)
		}
	}
}

func TestComboIsInjective(t *testing.T) {
	seen := map[string]int{}
	for j := 0; j < 3*len(domains)*len(serviceWords)+10; j++ {
		s := combo(j, domains, serviceWords)
		if i, dup := seen[s]; dup {
			t.Fatalf("combo(%d) = combo(%d) = %q", j, i, s)
		}
		seen[s] = j
	}
	if got := title("retail-banking"); got != "Retail Banking" {
		t.Errorf("title = %q", got)
	}
}
