// Package sso signs people in to estate through their organisation's
// OpenID Connect identity provider (Keycloak, Microsoft Entra ID, Okta...),
// so that a service desk of hundreds reads and edits the CMDB
// under their own names without anyone handing out API tokens; tokens stay
// for automation.
//
// The flow is the authorization code flow of a confidential client with
// PKCE (go-oidc and golang.org/x/oauth2 do the protocol): a state bound to
// the browser by a short-lived cookie, a nonce bound to the ID token. A
// signed-in person gets a server-side session named by an HttpOnly cookie.
// The provider's groups decide the role (viewer, editor, admin) and what
// the person may decide in change governance (teams, the CAB).
//
// Sessions live in this process's memory: a restart signs everyone out, and
// several replicas behind one address need sticky sessions.
package sso

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"golang.org/x/oauth2"

	"github.com/estate-cmdb/estate/server/auth"
)

// Defaults for Config's zero values.
const (
	DefaultGroupsClaim = "groups"
	DefaultName        = "SSO"
	DefaultSessionTTL  = 8 * time.Hour
)

// Paths of the sign-in routes. The callback is what the identity provider
// must have registered as a redirect URI: PublicURL + CallbackPath.
const (
	LoginPath    = "/auth/login"
	CallbackPath = "/auth/callback"
	LogoutPath   = "/auth/logout"
)

const (
	sessionCookie = "estate_session"
	// signinCookie binds a sign-in's state to the browser that started it,
	// so nobody can finish a sign-in of theirs in someone else's browser.
	signinCookie = "estate_signin"
	// signinTTL bounds how long a person may take at the provider's form.
	signinTTL = 10 * time.Minute
	// maxPending bounds the sign-ins in progress, which anyone can start.
	maxPending = 10_000
)

// Config configures single sign-on.
type Config struct {
	// Issuer is the provider's issuer URL; its discovery document is at
	// Issuer/.well-known/openid-configuration. https, or http on loopback.
	Issuer string
	// ClientID and ClientSecret are estate's registration at the provider.
	// The secret may be empty for a public client (PKCE protects the code).
	ClientID     string
	ClientSecret string
	// PublicURL is where people reach estate (scheme://host[:port]). The
	// provider sends them back to PublicURL + CallbackPath. Cookies are
	// marked Secure when it is https.
	PublicURL string
	// Name is what the sign-in button says: "Sign in with NAME".
	Name string
	// GroupsClaim is the ID token claim listing the person's groups.
	GroupsClaim string
	// ViewerGroups, EditorGroups and AdminGroups give a role: the highest
	// of the person's groups. With no ViewerGroups, every person the
	// provider signs in may read; with some, a person in none of the
	// three lists is refused.
	ViewerGroups, EditorGroups, AdminGroups []string
	// CABGroups put a person on the change advisory board.
	CABGroups []string
	// TeamGroupPrefix, when set, makes a group named PREFIX+KEY a
	// membership of the team KEY: the person may decide its NORMAL changes.
	TeamGroupPrefix string
	// SessionTTL is how long a sign-in lasts.
	SessionTTL time.Duration
}

// SSO is single sign-on for one server. It is safe for concurrent use.
type SSO struct {
	cfg    Config
	log    zerolog.Logger
	client *http.Client
	secure bool
	now    func() time.Time

	// signins counts sign-ins by result: a provider refusing estate's
	// secret (an expired one) shows here before anyone calls the desk.
	signins *prometheus.CounterVec

	mu       sync.Mutex
	provider *oidc.Provider
	sessions map[string]session       // by the SHA-256 of the cookie's value
	pending  map[string]pendingSignIn // by state
}

type session struct {
	principal auth.Principal
	expires   time.Time
	// idToken is the provider's ID token, the hint that lets its sign-out
	// end its own session without asking.
	idToken string
}

type pendingSignIn struct {
	nonce, verifier, returnTo string
	expires                   time.Time
}

// New checks cfg and returns single sign-on with it. It does not reach the
// provider: discovery happens at the first sign-in (and again after a
// failure), so estate serves tokens and reads while the provider is down.
func New(cfg Config, log zerolog.Logger) (*SSO, error) {
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.GroupsClaim == "" {
		cfg.GroupsClaim = DefaultGroupsClaim
	}
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.SessionTTL < time.Minute {
		return nil, fmt.Errorf("sso: session lifetime %s is under a minute", cfg.SessionTTL)
	}
	iss, err := url.Parse(cfg.Issuer)
	if err != nil || iss.Host == "" || (iss.Scheme != "https" && !(iss.Scheme == "http" && IsLoopbackHost(iss.Hostname()))) {
		return nil, fmt.Errorf("sso: issuer %q: want an https URL (http only on loopback)", cfg.Issuer)
	}
	if strings.EqualFold(iss.Hostname(), "accounts.google.com") {
		// Its ID tokens carry no groups, and it signs in any Google account:
		// without viewer groups the world could read, with them nobody can.
		return nil, errors.New("sso: Google signs in any Google account and names no groups, so it cannot say who may use estate: put a provider that knows your groups in front of it (docs/single-sign-on.md)")
	}
	if cfg.ClientID == "" {
		return nil, errors.New("sso: no client id: register estate with the identity provider and give its client id")
	}
	pub, err := url.Parse(cfg.PublicURL)
	if err != nil || pub.Host == "" || (pub.Scheme != "https" && pub.Scheme != "http") || (pub.Path != "" && pub.Path != "/") {
		return nil, fmt.Errorf("sso: public URL %q: want scheme://host[:port], where people reach estate", cfg.PublicURL)
	}
	cfg.PublicURL = strings.TrimSuffix(cfg.PublicURL, "/")
	s := &SSO{
		cfg:      cfg,
		log:      log.With().Str("component", "sso").Logger(),
		client:   &http.Client{Timeout: 15 * time.Second},
		secure:   pub.Scheme == "https",
		now:      time.Now,
		sessions: map[string]session{},
		pending:  map[string]pendingSignIn{},
		signins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "estate_signins_total",
			Help: "Single sign-on attempts by result: ok, refused (in none of estate's groups), denied (by the provider, or its ID token did not verify), provider_error (unreachable, or it refused estate's client), invalid (a callback this browser did not start), busy.",
		}, []string{"result"}),
	}
	if !s.secure && !IsLoopbackHost(pub.Hostname()) {
		s.log.Warn().Str("public_url", cfg.PublicURL).Msg("session cookies go over plain http: put estate behind TLS and give an https public URL")
	}
	return s, nil
}

// Collector is the sign-in metrics, for the server's registry.
func (s *SSO) Collector() prometheus.Collector { return s.signins }

// Name is what the sign-in button says.
func (s *SSO) Name() string { return s.cfg.Name }

// PublicURL is where people reach estate: pages there may act with a
// session even when a proxy in between changes the Host header.
func (s *SSO) PublicURL() string { return s.cfg.PublicURL }

// ErrSessionEnded is returned by Session for a cookie naming no live
// session: it expired, its person signed out, or the server restarted.
var ErrSessionEnded = errors.New("your sign-in has ended: sign in again")

// Session returns the principal of the request's session cookie. ok is
// false when the request has none.
func (s *SSO) Session(r *http.Request) (p auth.Principal, ok bool, err error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return p, false, nil
	}
	key := hashKey(c.Value)
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, found := s.sessions[key]
	if !found || !s.now().Before(sess.expires) {
		delete(s.sessions, key)
		return p, true, ErrSessionEnded
	}
	return sess.principal, true, nil
}

// ClearSession tells the browser to forget its session cookie.
func (s *SSO) ClearSession(w http.ResponseWriter) {
	http.SetCookie(w, s.cookie(sessionCookie, "", "/", -1))
}

// discover returns the provider, fetching its discovery document once.
func (s *SSO) discover(ctx context.Context) (*oidc.Provider, error) {
	s.mu.Lock()
	p := s.provider
	s.mu.Unlock()
	if p != nil {
		return p, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, s.client), s.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discover the identity provider %s: %w", s.cfg.Issuer, err)
	}
	s.mu.Lock()
	s.provider = p
	s.mu.Unlock()
	return p, nil
}

func (s *SSO) oauth2Config(p *oidc.Provider) *oauth2.Config {
	return &oauth2.Config{
		ClientID:     s.cfg.ClientID,
		ClientSecret: s.cfg.ClientSecret,
		Endpoint:     p.Endpoint(),
		RedirectURL:  s.cfg.PublicURL + CallbackPath,
		Scopes:       []string{oidc.ScopeOpenID, "profile", "email"},
	}
}

// begin records a sign-in in progress and returns its state.
func (s *SSO) begin(returnTo string) (state string, p pendingSignIn, err error) {
	now := s.now()
	p = pendingSignIn{nonce: randomString(), verifier: oauth2.GenerateVerifier(), returnTo: returnTo, expires: now.Add(signinTTL)}
	state = randomString()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) >= maxPending {
		for k, v := range s.pending {
			if !now.Before(v.expires) {
				delete(s.pending, k)
			}
		}
		if len(s.pending) >= maxPending {
			return "", p, errors.New("too many sign-ins in progress: try again in a few minutes")
		}
	}
	s.pending[state] = p
	return state, p, nil
}

// finish takes the sign-in in progress with this state, once.
func (s *SSO) finish(state string) (pendingSignIn, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.pending[state]
	delete(s.pending, state)
	return p, ok && s.now().Before(p.expires)
}

// start creates a session for p and returns the cookie's value.
func (s *SSO) start(p auth.Principal, idToken string) string {
	value := randomString()
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.sessions {
		if !now.Before(v.expires) {
			delete(s.sessions, k)
		}
	}
	s.sessions[hashKey(value)] = session{principal: p, expires: now.Add(s.cfg.SessionTTL), idToken: idToken}
	return value
}

// end removes the request's session, if any, and returns it.
func (s *SSO) end(r *http.Request) (session, bool) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return session{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[hashKey(c.Value)]
	delete(s.sessions, hashKey(c.Value))
	return sess, ok
}

// providerLogout is the provider's sign-out for an ended session (OpenID
// Connect RP-initiated logout), back to estate's front page; empty when the
// provider has none. Without it, the next person at a shared desk who
// clicks "Sign in" would be signed in as the last one, by the provider's
// own session.
func (s *SSO) providerLogout(sess session) string {
	s.mu.Lock()
	p := s.provider
	s.mu.Unlock()
	if p == nil {
		return ""
	}
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&meta); err != nil || meta.EndSession == "" {
		return ""
	}
	u, err := url.Parse(meta.EndSession)
	if err != nil {
		return ""
	}
	q := u.Query()
	q.Set("client_id", s.cfg.ClientID)
	q.Set("post_logout_redirect_uri", s.cfg.PublicURL+"/")
	if sess.idToken != "" {
		q.Set("id_token_hint", sess.idToken)
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Refusal is a sign-in the provider allowed and estate does not: the
// person is in none of the groups that may use it.
type Refusal struct {
	Name   string
	Groups []string
}

func (e *Refusal) Error() string {
	in := "no groups"
	if len(e.Groups) > 0 {
		in = "the groups " + strings.Join(e.Groups, ", ")
	}
	return fmt.Sprintf("%s is signed in at the identity provider but in none of the groups that may use estate (in %s). Ask an administrator to add you to one.", e.Name, in)
}

// principal maps a person's name and groups to what they may do in estate.
func (c Config) principal(name string, groups []string) (auth.Principal, error) {
	in := func(list []string) bool {
		return slices.ContainsFunc(list, func(g string) bool { return slices.Contains(groups, normGroup(g)) })
	}
	p := auth.Principal{Name: name}
	switch {
	case in(c.AdminGroups):
		p.Role = auth.RoleAdmin
	case in(c.EditorGroups):
		p.Role = auth.RoleEditor
	case in(c.ViewerGroups) || len(c.ViewerGroups) == 0:
		p.Role = auth.RoleViewer
	default:
		return p, &Refusal{Name: name, Groups: groups}
	}
	p.Membership.CAB = in(c.CABGroups)
	if c.TeamGroupPrefix != "" {
		for _, g := range groups {
			if key, ok := strings.CutPrefix(g, normGroup(c.TeamGroupPrefix)); ok && key != "" {
				p.Membership.Teams = append(p.Membership.Teams, key)
			}
		}
	}
	return p, nil
}

// normGroup lets a group be named with or without the leading slash of a
// full path, as Keycloak writes it when its mapper includes full paths.
func normGroup(g string) string { return strings.TrimPrefix(strings.TrimSpace(g), "/") }

// claimStrings reads a claim holding a string or a list of strings.
func claimStrings(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{normGroup(v)}
	case []any:
		out := make([]string, 0, len(v))
		for _, e := range v {
			if s, ok := e.(string); ok {
				out = append(out, normGroup(s))
			}
		}
		return out
	}
	return nil
}

// verifiedEmail is the person's e-mail address unless the provider says it
// is unverified (some never say: Entra ID's addresses are the directory's).
func verifiedEmail(claims map[string]any) string {
	if v, ok := claims["email_verified"].(bool); ok && !v {
		return ""
	}
	e, _ := claims["email"].(string)
	return strings.TrimSpace(e)
}

// nameOf is the name a person is shown and recorded by in the audit trail.
func nameOf(claims map[string]any) string {
	for _, k := range []string{"preferred_username", "email", "sub"} {
		if v, ok := claims[k].(string); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func (s *SSO) cookie(name, value, path string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: name, Value: value, Path: path, MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	}
}

// randomString is 128 random bits, for states, nonces and session cookies.
func randomString() string { return rand.Text() }

func hashKey(v string) string {
	h := sha256.Sum256([]byte(v))
	return hex.EncodeToString(h[:])
}

// IsLoopbackHost reports whether host (a name or IP, no port) is this
// machine's loopback: localhost or any loopback address.
func IsLoopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
