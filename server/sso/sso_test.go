package sso

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/estate-cmdb/estate/server/auth"
)

func TestNewChecksConfig(t *testing.T) {
	good := Config{Issuer: "https://login.acme.example/realms/acme", ClientID: "estate", PublicURL: "https://estate.acme.example"}
	for _, tc := range []struct {
		name   string
		change func(*Config)
		want   string // in the error; empty: accepted
	}{
		{"https everywhere", func(*Config) {}, ""},
		{"http issuer on loopback", func(c *Config) { c.Issuer = "http://127.0.0.1:18180/realms/estate" }, ""},
		{"trailing slash on the public URL", func(c *Config) { c.PublicURL += "/" }, ""},
		{"http issuer elsewhere", func(c *Config) { c.Issuer = "http://login.acme.example" }, `issuer "http://login.acme.example": want an https URL`},
		{"issuer not a URL", func(c *Config) { c.Issuer = "login.acme.example" }, "want an https URL"},
		{"no client id", func(c *Config) { c.ClientID = "" }, "no client id"},
		{"Google directly", func(c *Config) { c.Issuer = "https://accounts.google.com" }, "Google signs in any Google account and names no groups"},
		{"no public URL", func(c *Config) { c.PublicURL = "" }, `public URL ""`},
		{"public URL with a path", func(c *Config) { c.PublicURL = "https://acme.example/estate" }, "want scheme://host[:port]"},
		{"session under a minute", func(c *Config) { c.SessionTTL = time.Second }, "under a minute"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := good
			tc.change(&c)
			_, err := New(c, zerolog.Nop())
			if tc.want == "" && err != nil {
				t.Fatalf("refused: %v", err)
			}
			if tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("err = %v, want one saying %q", err, tc.want)
			}
		})
	}
}

func TestGroupsGiveRoles(t *testing.T) {
	cfg := Config{
		ViewerGroups: []string{"staff"}, EditorGroups: []string{"estate-editors"}, AdminGroups: []string{"/estate-admins"},
		CABGroups: []string{"cab"}, TeamGroupPrefix: "team-",
	}
	for _, tc := range []struct {
		name   string
		cfg    Config
		groups []string
		role   auth.Role
		member auth.Membership
		refuse bool
	}{
		{"viewer", cfg, []string{"staff"}, auth.RoleViewer, auth.Membership{}, false},
		{"the highest role wins", cfg, []string{"staff", "estate-editors", "estate-admins"}, auth.RoleAdmin, auth.Membership{}, false},
		{"editor of a team on the CAB", cfg, []string{"estate-editors", "team-payments", "cab"}, auth.RoleEditor, auth.Membership{Teams: []string{"payments"}, CAB: true}, false},
		{"the prefix alone names no team", cfg, []string{"staff", "team-"}, auth.RoleViewer, auth.Membership{}, false},
		{"in no listed group", cfg, []string{"contractors"}, "", auth.Membership{}, true},
		{"in no group at all", cfg, nil, "", auth.Membership{}, true},
		{"everyone reads without viewer groups", Config{EditorGroups: []string{"x"}}, nil, auth.RoleViewer, auth.Membership{}, false},
		{"a team group gives no role", cfg, []string{"team-payments"}, "", auth.Membership{}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := tc.cfg.principal("edna", tc.groups)
			if tc.refuse {
				if err == nil || !strings.Contains(err.Error(), "edna is signed in at the identity provider but in none of the groups") {
					t.Fatalf("principal = %+v, %v; want a refusal naming edna", p, err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name != "edna" || p.Role != tc.role || p.Anonymous || p.Membership.CAB != tc.member.CAB || !slices.Equal(p.Membership.Teams, tc.member.Teams) {
				t.Fatalf("principal = %+v, want edna %s %+v", p, tc.role, tc.member)
			}
		})
	}
}

func TestClaims(t *testing.T) {
	if got := claimStrings([]any{"/a", "b", 3}); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("list claim = %q", got)
	}
	if got := claimStrings("/solo"); !slices.Equal(got, []string{"solo"}) {
		t.Errorf("string claim = %q", got)
	}
	if got := claimStrings(nil); got != nil {
		t.Errorf("no claim = %q", got)
	}
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"email": " e@acme.example "}, "e@acme.example"},
		{map[string]any{"email": "e@acme.example", "email_verified": true}, "e@acme.example"},
		{map[string]any{"email": "e@acme.example", "email_verified": false}, ""},
	} {
		if got := verifiedEmail(tc.claims); got != tc.want {
			t.Errorf("verifiedEmail(%v) = %q, want %q", tc.claims, got, tc.want)
		}
	}
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"preferred_username": "edna", "email": "e@acme.example", "sub": "1"}, "edna"},
		{map[string]any{"preferred_username": " ", "email": "e@acme.example", "sub": "1"}, "e@acme.example"},
		{map[string]any{"sub": "1"}, "1"},
	} {
		if got := nameOf(tc.claims); got != tc.want {
			t.Errorf("nameOf(%v) = %q, want %q", tc.claims, got, tc.want)
		}
	}
}

func TestSafeReturn(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "/",
		"/shadow":                     "/shadow",
		"/entity/abc?tab=history#top": "/entity/abc?tab=history#top",
		"//evil.example/x":            "/",
		"/\\evil.example":             "/",
		"https://evil.example/":       "/",
		"javascript:alert(1)":         "/",
		"shadow":                      "/",
	} {
		if got := safeReturn(in); got != want {
			t.Errorf("safeReturn(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestSessions: a session lasts its lifetime, ends at sign-out, and a
// cookie naming none says so.
func TestSessions(t *testing.T) {
	s, err := New(Config{Issuer: "https://login.acme.example", ClientID: "estate", PublicURL: "https://estate.acme.example", SessionTTL: time.Hour}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	edna := auth.Principal{Name: "edna", Role: auth.RoleEditor}
	value := s.start(edna, "")
	req := func(v string) *http.Request {
		r := httptest.NewRequest("GET", "/graphql", nil)
		if v != "" {
			r.AddCookie(&http.Cookie{Name: sessionCookie, Value: v})
		}
		return r
	}
	if _, ok, err := s.Session(req("")); ok || err != nil {
		t.Fatalf("no cookie: ok %v, err %v", ok, err)
	}
	if p, ok, err := s.Session(req(value)); !ok || err != nil || p.Name != "edna" || p.Role != auth.RoleEditor {
		t.Fatalf("live session = %+v, %v, %v", p, ok, err)
	}
	if _, ok, err := s.Session(req("forged")); !ok || err != ErrSessionEnded {
		t.Fatalf("forged cookie: ok %v, err %v", ok, err)
	}
	now = now.Add(time.Hour)
	if _, _, err := s.Session(req(value)); err != ErrSessionEnded {
		t.Fatalf("after its lifetime: err %v", err)
	}

	value = s.start(edna, "")
	w := httptest.NewRecorder()
	s.Logout(w, req(value))
	if w.Code != http.StatusOK || strings.TrimSpace(w.Body.String()) != "{}" || !strings.Contains(w.Header().Get("Set-Cookie"), sessionCookie+"=; Path=/; Max-Age=0; HttpOnly; Secure; SameSite=Lax") {
		t.Fatalf("logout: %d %q", w.Code, w.Header().Get("Set-Cookie"))
	}
	if _, _, err := s.Session(req(value)); err != ErrSessionEnded {
		t.Fatalf("after sign-out: err %v", err)
	}
}

// TestPendingSignIns: a state is used once, within its time.
func TestPendingSignIns(t *testing.T) {
	s, err := New(Config{Issuer: "https://login.acme.example", ClientID: "estate", PublicURL: "https://estate.acme.example"}, zerolog.Nop())
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	s.now = func() time.Time { return now }
	state, _, err := s.begin("/shadow")
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := s.finish(state); !ok || p.returnTo != "/shadow" {
		t.Fatalf("first finish = %+v, %v", p, ok)
	}
	if _, ok := s.finish(state); ok {
		t.Fatal("a state was used twice")
	}
	state, _, _ = s.begin("/")
	now = now.Add(signinTTL)
	if _, ok := s.finish(state); ok {
		t.Fatal("a sign-in finished after its time")
	}
}
