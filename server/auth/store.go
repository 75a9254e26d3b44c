package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/estate-cmdb/estate/graph"
)

// TokenPrefix starts every token, so a leaked one is easy to recognise
// (secret scanners, log filters).
const TokenPrefix = "est_"

// FileName is the conventional name of the token file in a data directory.
const FileName = "tokens.json"

// Token describes an API token. It never holds the secret.
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	CreatedAt time.Time `json:"createdAt"`
	Membership
}

// Membership is what a token may decide in change governance: NORMAL
// changes of the teams it names (team keys, as in the graph), and HIGH ones
// when it is on the change advisory board (CAB).
type Membership struct {
	Teams []string `json:"teams,omitempty"`
	CAB   bool     `json:"cab,omitempty"`
}

// record is a token as stored: the description and the secret's hash.
type record struct {
	Token
	// Hash is the hex SHA-256 of the whole plaintext token.
	Hash string `json:"sha256"`
}

type file struct {
	Tokens []record `json:"tokens"`
}

// Store keeps API tokens in a JSON file (mode 0600). It is safe for
// concurrent use, and for several processes sharing the file: writes take
// an advisory lock and replace the file atomically (temporary file and
// rename), and readers re-read it whenever it changed, so a token created
// by `estate token create` while the server runs works at once, and a
// revoked one stops working at once.
type Store struct {
	path string
	now  func() time.Time

	mu     sync.Mutex
	seen   os.FileInfo // the file as last read; nil when it did not exist
	tokens []record
	byHash map[string]int
}

// Open opens the token file at path; a missing file is an empty store (the
// file is created by the first Create), and a missing directory is created
// (mode 0700). Errors: an unreadable or malformed file.
func Open(path string) (*Store, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("token store: %w", err)
	}
	s := &Store{path: path, now: time.Now}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(); err != nil {
		return nil, err
	}
	if s.seen != nil && s.seen.Mode().Perm()&0o077 != 0 {
		// Someone loosened the mode; the hashes are not secrets, but the
		// file is nobody else's business either.
		if err := os.Chmod(path, 0o600); err != nil {
			return nil, fmt.Errorf("token store: %w", err)
		}
	}
	return s, nil
}

// Path returns the file the store uses.
func (s *Store) Path() string { return s.path }

// Create makes a new token with the given role and name and returns its
// plaintext, which is not stored anywhere and cannot be recovered.
// Errors: CodeInvalid (graph) for a bad role or name.
func (s *Store) Create(role Role, name string) (string, Token, error) {
	return s.CreateWith(role, name, Membership{})
}

// CreateWith is Create for a token with change-governance membership.
// Errors: as Create's, and CodeInvalid for an empty or control-character
// team name.
func (s *Store) CreateWith(role Role, name string, m Membership) (string, Token, error) {
	m.Teams = slices.Clone(m.Teams)
	for i, t := range m.Teams {
		m.Teams[i] = strings.TrimSpace(t)
		if m.Teams[i] == "" || strings.ContainsFunc(t, unicode.IsControl) {
			return "", Token{}, graph.Errorf(graph.CodeInvalid, "team %q is not a usable team key", t)
		}
	}
	if !role.Valid() {
		return "", Token{}, graph.Errorf(graph.CodeInvalid, "unknown role %q (known: viewer, editor, admin)", role)
	}
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return "", Token{}, graph.Errorf(graph.CodeInvalid, "a token needs a name (who or what uses it)")
	case len(name) > 200:
		return "", Token{}, graph.Errorf(graph.CodeInvalid, "token name is over 200 bytes")
	case strings.ContainsFunc(name, unicode.IsControl):
		return "", Token{}, graph.Errorf(graph.CodeInvalid, "token name contains control characters")
	}
	secret := make([]byte, 32)
	id := make([]byte, 8)
	if _, err := rand.Read(secret); err != nil {
		return "", Token{}, err
	}
	if _, err := rand.Read(id); err != nil {
		return "", Token{}, err
	}
	plain := TokenPrefix + base64.RawURLEncoding.EncodeToString(secret)
	t := Token{ID: "tok_" + hex.EncodeToString(id), Name: name, Role: role, CreatedAt: s.now().UTC().Truncate(time.Second), Membership: m}
	err := s.update(func(rs []record) ([]record, error) {
		return append(rs, record{Token: t, Hash: hashToken(plain)}), nil
	})
	if err != nil {
		return "", Token{}, err
	}
	return plain, t, nil
}

// List returns every token, oldest first.
func (s *Store) List() ([]Token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(); err != nil {
		return nil, err
	}
	out := make([]Token, len(s.tokens))
	for i, r := range s.tokens {
		out[i] = r.Token
	}
	return out, nil
}

// Revoke deletes the token with the given id and returns it.
// Errors: CodeNotFound (graph).
func (s *Store) Revoke(id string) (Token, error) {
	var gone Token
	err := s.update(func(rs []record) ([]record, error) {
		i := slices.IndexFunc(rs, func(r record) bool { return r.ID == id })
		if i < 0 {
			return nil, graph.Errorf(graph.CodeNotFound, "no token with id %q", id)
		}
		gone = rs[i].Token
		return slices.Delete(rs, i, i+1), nil
	})
	return gone, err
}

// Verify returns the token whose plaintext this is. Errors: an *Error with
// CodeUnauthenticated for a malformed, unknown or revoked token; other
// errors when the file cannot be read.
func (s *Store) Verify(plaintext string) (Token, error) {
	if !strings.HasPrefix(plaintext, TokenPrefix) || len(plaintext) > 200 {
		return Token{}, &Error{Code: CodeUnauthenticated, Msg: "malformed API token"}
	}
	h := hashToken(plaintext)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.refreshLocked(); err != nil {
		return Token{}, err
	}
	i, ok := s.byHash[h]
	if !ok {
		return Token{}, &Error{Code: CodeUnauthenticated, Msg: "unknown or revoked API token"}
	}
	return s.tokens[i].Token, nil
}

func hashToken(plain string) string {
	sum := sha256.Sum256([]byte(plain))
	return hex.EncodeToString(sum[:])
}

// refreshLocked re-reads the file if it changed since it was last read. A
// rename always gives a new inode, so writes by any process are noticed
// even within the file system's timestamp granularity.
func (s *Store) refreshLocked() error {
	fi, err := os.Stat(s.path)
	if errors.Is(err, fs.ErrNotExist) {
		s.seen, s.tokens, s.byHash = nil, nil, map[string]int{}
		return nil
	}
	if err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	if s.seen != nil && os.SameFile(s.seen, fi) && s.seen.ModTime().Equal(fi.ModTime()) && s.seen.Size() == fi.Size() {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	var f file
	if err := json.Unmarshal(b, &f); err != nil {
		return fmt.Errorf("token store %s is malformed: %w", s.path, err)
	}
	byHash := make(map[string]int, len(f.Tokens))
	for i, r := range f.Tokens {
		if len(r.Hash) != sha256.Size*2 || !r.Role.Valid() || r.ID == "" {
			return fmt.Errorf("token store %s is malformed: token %d", s.path, i)
		}
		byHash[r.Hash] = i
	}
	s.seen, s.tokens, s.byHash = fi, f.Tokens, byHash
	return nil
}

// update applies fn to the current tokens and writes the result, holding
// the cross-process lock so that concurrent writers do not lose each
// other's changes.
func (s *Store) update(fn func([]record) ([]record, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	unlock, err := lockFile(s.path + ".lock")
	if err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	defer unlock()
	if err := s.refreshLocked(); err != nil {
		return err
	}
	next, err := fn(slices.Clone(s.tokens))
	if err != nil {
		return err
	}
	if next == nil {
		next = []record{}
	}
	b, err := json.MarshalIndent(file{Tokens: next}, "", "  ")
	if err != nil {
		return err
	}
	if err := writeAtomic(s.path, append(b, '\n')); err != nil {
		return fmt.Errorf("token store: %w", err)
	}
	// Force a re-read, which also records the new file's identity.
	s.seen = nil
	return s.refreshLocked()
}

// writeAtomic replaces path with data: readers see the old file or the new
// one, never a torn write, and a crash leaves one of the two.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, ".tokens-*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync() // persist the rename; not all platforms support it
		d.Close()
	}
	return nil
}
