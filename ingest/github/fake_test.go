package github

import (
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeGitHub serves an organisation built from GitHub's documented example
// responses (testdata/), with Link pagination and injected faults.
type fakeGitHub struct {
	mu       sync.Mutex
	org      string
	repos    []string                     // repository names, in listing order
	files    map[string]map[string]string // repo → path → content
	pageSize int                          // the server's page size, whatever per_page says
	// faults are served before normal responses: path → queue of faults
	// ("secondary", "primary", "429", "500"); sticky ones stay forever.
	faults map[string][]string
	sticky map[string]int // path prefix → status always returned
	// rateReset is when an exhausted primary rate limit resets.
	rateReset time.Time
	// truncated repositories' trees are served as the API serves a tree
	// too large to list whole.
	truncated map[string]bool
	hits      map[string]int
	// etags turns on ETag / If-None-Match; notModified counts 304s.
	etags       bool
	notModified int
	srv         *httptest.Server
	// appKey verifies GitHub App JWTs; auth records Authorization headers.
	appKey *rsa.PublicKey
	auth   []string

	repoTmpl  map[string]any
	teams     []any
	teamMem   []any
	members   []any
	teamRepos map[string][]string // team slug → repos it administers
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

func newFake(t testing.TB, org string, nrepos int) *fakeGitHub {
	f := &fakeGitHub{org: org, files: map[string]map[string]string{}, pageSize: 100,
		faults: map[string][]string{}, sticky: map[string]int{}, hits: map[string]int{}, truncated: map[string]bool{},
		teamRepos: map[string][]string{}}
	var repos []map[string]any
	loadJSON(t, "repos__list-for-org.json", &repos)
	f.repoTmpl = repos[0]
	var teams, child []any
	loadJSON(t, "teams__list.json", &teams)
	loadJSON(t, "teams__list-child-in-org.json", &child)
	f.teams = append(teams, child...)
	loadJSON(t, "teams__list-members-in-org.json", &f.teamMem)
	loadJSON(t, "orgs__list-members.json", &f.members)
	for i := 0; i < nrepos; i++ {
		f.repos = append(f.repos, fmt.Sprintf("repo-%d", i))
	}
	return f
}

func (f *fakeGitHub) repoJSON(name string, i int) map[string]any {
	b, _ := json.Marshal(f.repoTmpl)
	var r map[string]any
	_ = json.Unmarshal(b, &r)
	r["name"] = name
	r["full_name"] = f.org + "/" + name
	r["html_url"] = "https://github.com/" + f.org + "/" + name
	r["id"] = 1000 + i
	r["owner"].(map[string]any)["login"] = f.org
	return r
}

func (f *fakeGitHub) fault(w http.ResponseWriter, p string) bool {
	for prefix, code := range f.sticky {
		if strings.HasPrefix(p, prefix) {
			http.Error(w, `{"message":"Server Error"}`, code)
			return true
		}
	}
	q := f.faults[p]
	if len(q) == 0 {
		return false
	}
	f.faults[p] = q[1:]
	w.Header().Set("Content-Type", "application/json")
	switch q[0] {
	case "secondary":
		w.Header().Set("Retry-After", "7")
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"You have exceeded a secondary rate limit.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`)
	case "primary":
		// As GitHub answers once the hourly quota is spent.
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Used", "5000")
		w.Header().Set("X-RateLimit-Resource", "core")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(f.rateReset.Unix(), 10))
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"message":"API rate limit exceeded for user ID 1.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits"}`)
	case "429":
		w.Header().Set("Retry-After", "3")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"message":"Too Many Requests"}`)
	case "slow":
		f.mu.Unlock()
		time.Sleep(300 * time.Millisecond) // past the client's timeout
		f.mu.Lock()
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `[]`)
	case "500":
		w.WriteHeader(http.StatusBadGateway)
		fmt.Fprint(w, `{"message":"Server Error"}`)
	}
	return true
}

func (f *fakeGitHub) page(w http.ResponseWriter, r *http.Request, items []any) {
	f.pageOf(w, r, len(items), func(i int) any { return items[i] })
}

// pageOf serves items [0,n) built on demand, a page at a time.
func (f *fakeGitHub) pageOf(w http.ResponseWriter, r *http.Request, n int, item func(i int) any) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	if page < 1 {
		page = 1
	}
	size := f.pageSize
	if pp, _ := strconv.Atoi(r.URL.Query().Get("per_page")); pp > 0 && pp < size {
		size = pp
	}
	start := (page - 1) * size
	end := min(start+size, n)
	if start > n {
		start = end
	}
	if end < n {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(page+1))
		u.RawQuery = q.Encode()
		w.Header().Set("Link", fmt.Sprintf(`<http://%s%s>; rel="next"`, r.Host, u.RequestURI()))
	}
	w.Header().Set("Content-Type", "application/json")
	out := make([]any, 0, end-start)
	for i := start; i < end; i++ {
		out = append(out, item(i))
	}
	_ = json.NewEncoder(w).Encode(out)
}

// ServeHTTP answers like GitHub, with ETags when etags is set: a request
// whose If-None-Match equals the response's ETag gets 304.
func (f *fakeGitHub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.etags {
		f.serve(w, r)
		return
	}
	rec := httptest.NewRecorder()
	f.serve(rec, r)
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if rec.Code == http.StatusOK {
		sum := sha256.Sum256(rec.Body.Bytes())
		etag := `"` + hex.EncodeToString(sum[:8]) + `"`
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			f.notModified++
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	w.WriteHeader(rec.Code)
	_, _ = w.Write(rec.Body.Bytes())
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	if r.Method == http.MethodPost && p == "/app/installations/42/access_tokens" {
		jwt := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		parts := strings.Split(jwt, ".")
		sig, _ := base64.RawURLEncoding.DecodeString(parts[len(parts)-1])
		sum := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
		if len(parts) != 3 || f.appKey == nil || rsa.VerifyPKCS1v15(f.appKey, crypto.SHA256, sum[:], sig) != nil {
			http.Error(w, `{"message":"A JSON web token could not be decoded"}`, http.StatusUnauthorized)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"token":"ghs_installation","expires_at":%q}`, time.Now().Add(time.Hour).UTC().Format(time.RFC3339))
		return
	}
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.hits[p]++
	if f.fault(w, p) {
		return
	}
	parts := strings.Split(strings.Trim(p, "/"), "/")
	orgp := "/orgs/" + f.org
	switch {
	case p == orgp+"/repos":
		f.pageOf(w, r, len(f.repos), func(i int) any { return f.repoJSON(f.repos[i], i) })
	case p == orgp+"/teams":
		f.page(w, r, f.teams)
	case p == orgp+"/members":
		f.page(w, r, append(append([]any{}, f.members...), map[string]any{"login": "Alice", "id": 7, "type": "User"}))
	case len(parts) == 5 && parts[2] == "teams" && parts[4] == "members":
		f.page(w, r, f.teamMem)
	case len(parts) == 5 && parts[2] == "teams" && parts[4] == "repos":
		var items []any
		for _, n := range f.teamRepos[parts[3]] {
			for i, rn := range f.repos {
				if rn == n {
					rj := f.repoJSON(n, i)
					rj["permissions"] = map[string]any{"admin": true, "push": true, "pull": true}
					rj["role_name"] = "admin"
					items = append(items, rj)
				}
			}
		}
		f.page(w, r, items)
	case len(parts) >= 6 && parts[0] == "repos" && parts[3] == "git" && parts[4] == "trees":
		repo := parts[2]
		known := false
		for _, n := range f.repos {
			known = known || n == repo
		}
		if !known {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		var entries []map[string]any
		paths := make([]string, 0, len(f.files[repo]))
		for fp := range f.files[repo] {
			paths = append(paths, fp)
		}
		sort.Strings(paths)
		for _, fp := range paths {
			entries = append(entries, map[string]any{"path": fp, "mode": "100644", "type": "blob",
				"sha": hex.EncodeToString([]byte(repo + ":" + fp)), "size": len(f.files[repo][fp])})
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{"sha": "abc", "tree": entries, "truncated": f.truncated[repo]})
	case len(parts) == 6 && parts[0] == "repos" && parts[3] == "git" && parts[4] == "blobs":
		sha, _ := hex.DecodeString(parts[5])
		repo, fp, _ := strings.Cut(string(sha), ":")
		c, ok := f.files[repo][fp]
		if !ok {
			http.Error(w, `{"message":"Not Found"}`, http.StatusNotFound)
			return
		}
		fmt.Fprint(w, c)
	default:
		http.Error(w, `{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}`, http.StatusNotFound)
	}
}

// start starts the server once; later calls return the same one.
func (f *fakeGitHub) start(t testing.TB) *httptest.Server {
	if f.srv == nil {
		f.srv = httptest.NewServer(f)
		t.Cleanup(f.srv.Close)
	}
	return f.srv
}
