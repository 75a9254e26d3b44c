package sources_test

import (
	"strings"
	"testing"
	"time"

	"github.com/estate-cmdb/estate/ingest/sources"
)

func TestParseSchedule(t *testing.T) {
	// Without a zone, a schedule reads the server's local time.
	at := func(day, hour, minute int) time.Time { return time.Date(2026, 11, day, hour, minute, 0, 0, time.Local) }
	from := at(28, 10, 17)
	for _, tc := range []struct {
		spec string
		from time.Time // when it is not from
		next time.Time // after from; zero for a spec that must fail
		err  string
	}{
		{spec: "0 3 * * *", next: at(29, 3, 0)},
		{spec: "*/15 * * * *", next: at(28, 10, 30)},
		{spec: "0 6 * * MON-FRI", next: at(30, 6, 0)}, // the 28th is a Saturday
		{spec: "@hourly", next: at(28, 11, 0)},
		{spec: "@every 6h", next: from.Add(6 * time.Hour)},
		{spec: "CRON_TZ=Europe/Paris 0 3 * * *", from: time.Date(2026, 11, 28, 10, 17, 0, 0, time.UTC), next: time.Date(2026, 11, 29, 2, 0, 0, 0, time.UTC)},
		{spec: "0 3 * *", err: "expected exactly 5 fields"},
		{spec: "61 * * * *", err: "above maximum"},
		{spec: "@fortnightly", err: "unrecognized descriptor"},
		{spec: "@every soon", err: "failed to parse duration"},
		{spec: "CRON_TZ=Europe/Paris", err: "no schedule after it"},
		{spec: "CRON_TZ=Mars/Olympus 0 3 * * *", err: "Mars/Olympus"},
		{spec: "", err: "empty"},
		{spec: "0 0 30 2 *", err: "no such day"}, // the 30th of February
	} {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := sources.ParseSchedule(tc.spec)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ParseSchedule(%q) = %v, want an error with %q", tc.spec, err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			f := from
			if !tc.from.IsZero() {
				f = tc.from
			}
			if got := s.Next(f); !got.Equal(tc.next) {
				t.Errorf("next after %s = %s, want %s", f, got, tc.next)
			}
		})
	}
}

// FuzzParseSchedule: whatever a file says, ParseSchedule answers a
// schedule or an error, and a schedule's next time is later.
func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0 3 * * *", "@every 1h", "CRON_TZ=UTC 0 * * * *", "TZ=UTC", "CRON_TZ=\t", "*/0 * * * *", "@every -5s", "1-0 * * * *"} {
		f.Add(s)
	}
	from := time.Date(2026, 11, 28, 10, 17, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := sources.ParseSchedule(spec)
		if err != nil {
			return
		}
		if next := s.Next(from); !next.IsZero() && !next.After(from) {
			t.Errorf("ParseSchedule(%q).Next(%s) = %s, not later", spec, from, next)
		}
	})
}
