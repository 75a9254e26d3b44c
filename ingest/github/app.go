package github

import (
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"time"

	gh "github.com/google/go-github/v84/github"
)

// App authenticates as a GitHub App installation: a JWT signed with the
// App's private key is exchanged for an installation token, refreshed
// before it expires.
type App struct {
	ID             int64
	InstallationID int64
	// PrivateKeyPEM is the App's RSA private key (PKCS#1 or PKCS#8 PEM).
	PrivateKeyPEM []byte
}

func (a *App) key() (*rsa.PrivateKey, error) {
	block, _ := pem.Decode(a.PrivateKeyPEM)
	if block == nil {
		return nil, errors.New("github app: the private key is not PEM")
	}
	if k, err := x509.ParsePKCS1PrivateKey(block.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("github app: private key: %w", err)
	}
	rk, ok := k.(*rsa.PrivateKey)
	if !ok {
		return nil, errors.New("github app: the private key is not RSA")
	}
	return rk, nil
}

// appJWT is the App's own token (RS256, ten minutes at most).
func appJWT(id int64, key *rsa.PrivateKey, now time.Time) (string, error) {
	enc := base64.RawURLEncoding
	head := enc.EncodeToString([]byte(`{"alg":"RS256","typ":"JWT"}`))
	claims, _ := json.Marshal(map[string]any{"iat": now.Add(-time.Minute).Unix(), "exp": now.Add(9 * time.Minute).Unix(), "iss": fmt.Sprint(id)})
	signing := head + "." + enc.EncodeToString(claims)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		return "", err
	}
	return signing + "." + enc.EncodeToString(sig), nil
}

// appTransport adds the installation token to every request.
type appTransport struct {
	base    http.RoundTripper
	app     App
	key     *rsa.PrivateKey
	baseURL *url.URL

	mu      sync.Mutex
	token   string
	expires time.Time
}

func newAppTransport(base http.RoundTripper, app App, baseURL *url.URL) (*appTransport, error) {
	if app.ID <= 0 || app.InstallationID <= 0 {
		return nil, errors.New("github app: the App id and installation id are required")
	}
	k, err := app.key()
	if err != nil {
		return nil, err
	}
	return &appTransport{base: base, app: app, key: k, baseURL: baseURL}, nil
}

func (t *appTransport) installationToken(ctx context.Context) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.token != "" && time.Until(t.expires) > time.Minute {
		return t.token, nil
	}
	jwt, err := appJWT(t.app.ID, t.key, time.Now())
	if err != nil {
		return "", err
	}
	c := gh.NewClient(&http.Client{Transport: t.base, Timeout: time.Minute}).WithAuthToken(jwt)
	if t.baseURL != nil {
		c.BaseURL = t.baseURL
	}
	tok, _, err := c.Apps.CreateInstallationToken(ctx, t.app.InstallationID, nil)
	if err != nil {
		return "", fmt.Errorf("github app: installation token: %w", err)
	}
	t.token, t.expires = tok.GetToken(), tok.GetExpiresAt().Time
	return t.token, nil
}

func (t *appTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	tok, err := t.installationToken(req.Context())
	if err != nil {
		return nil, err
	}
	req = req.Clone(req.Context())
	req.Header.Set("Authorization", "Bearer "+tok)
	return t.base.RoundTrip(req)
}
