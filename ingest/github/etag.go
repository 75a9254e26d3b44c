package github

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// etagTransport makes GET requests conditional: it keeps each response that
// carried an ETag on disk and sends If-None-Match next time; a 304 (which
// GitHub does not count against the rate limit) is answered from the copy.
// Entries are keyed by a hash of the token, so one token never sees what
// another could read; the token itself is never written.
type etagTransport struct {
	base http.RoundTripper
	dir  string
	salt string
}

type etagEntry struct {
	ETag   string      `json:"etag"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

const maxCachedBody = 8 << 20

func newETagTransport(base http.RoundTripper, dir, token string) (*etagTransport, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	h := sha256.Sum256([]byte("estate-github-cache\x00" + token))
	return &etagTransport{base: base, dir: dir, salt: hex.EncodeToString(h[:])}, nil
}

func (t *etagTransport) path(req *http.Request) string {
	h := sha256.Sum256([]byte(t.salt + "\x00" + req.Header.Get("Accept") + "\x00" + req.URL.String()))
	return filepath.Join(t.dir, hex.EncodeToString(h[:]))
}

func (t *etagTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		return t.base.RoundTrip(req)
	}
	p := t.path(req)
	var cached *etagEntry
	if b, err := os.ReadFile(p); err == nil {
		var e etagEntry
		if json.Unmarshal(b, &e) == nil && e.ETag != "" {
			cached = &e
			req = req.Clone(req.Context())
			req.Header.Set("If-None-Match", e.ETag)
		}
	}
	resp, err := t.base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	switch {
	case resp.StatusCode == http.StatusNotModified && cached != nil:
		_ = resp.Body.Close()
		h := cached.Header.Clone()
		for k, v := range resp.Header { // fresh rate-limit and date headers
			h[k] = v
		}
		h.Set("X-From-Cache", "1")
		return &http.Response{Status: "200 OK", StatusCode: http.StatusOK, Proto: resp.Proto, ProtoMajor: resp.ProtoMajor,
			ProtoMinor: resp.ProtoMinor, Header: h, Body: io.NopCloser(bytes.NewReader(cached.Body)),
			ContentLength: int64(len(cached.Body)), Request: req}, nil
	case resp.StatusCode == http.StatusOK && resp.Header.Get("ETag") != "":
		body, err := io.ReadAll(io.LimitReader(resp.Body, maxCachedBody+1))
		_ = resp.Body.Close()
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if len(body) <= maxCachedBody {
			if b, err := json.Marshal(etagEntry{ETag: resp.Header.Get("ETag"), Header: resp.Header, Body: body}); err == nil {
				tmp := p + ".tmp"
				if os.WriteFile(tmp, b, 0o600) == nil {
					_ = os.Rename(tmp, p)
				}
			}
		}
	}
	return resp, nil
}
