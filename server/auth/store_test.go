package auth_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/estate-cmdb/estate/graph"
	"github.com/estate-cmdb/estate/server/auth"
)

func open(t *testing.T, path string) *auth.Store {
	t.Helper()
	s, err := auth.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestCreateVerifyRevoke(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", auth.FileName)
	s := open(t, path)
	if ts, err := s.List(); err != nil || len(ts) != 0 {
		t.Fatalf("new store: %v %v", ts, err)
	}
	plain, tok, err := s.Create(auth.RoleEditor, " deploy bot ")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(plain, auth.TokenPrefix) || len(plain) != len(auth.TokenPrefix)+43 {
		t.Errorf("token %q: want est_ and 32 bytes of base64url", plain)
	}
	if tok.Name != "deploy bot" || tok.Role != auth.RoleEditor || tok.ID == "" || tok.CreatedAt.IsZero() {
		t.Errorf("token info %+v", tok)
	}

	got, err := s.Verify(plain)
	if err != nil || !reflect.DeepEqual(got, tok) {
		t.Errorf("Verify = %+v, %v", got, err)
	}
	for _, bad := range []string{"", "est_", plain + "x", strings.TrimPrefix(plain, auth.TokenPrefix), strings.ToUpper(plain)} {
		if _, err := s.Verify(bad); !errors.Is(err, auth.ErrUnauthenticated) {
			t.Errorf("Verify(%q) = %v, want UNAUTHENTICATED", bad, err)
		}
	}

	// The file holds the hash, never the token, and only its owner reads it.
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", fi.Mode().Perm())
	}
	b, _ := os.ReadFile(path)
	if strings.Contains(string(b), strings.TrimPrefix(plain, auth.TokenPrefix)) {
		t.Error("the file holds the plaintext token")
	}

	if _, err := s.Revoke(tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Verify(plain); !errors.Is(err, auth.ErrUnauthenticated) {
		t.Errorf("revoked token verifies: %v", err)
	}
	if _, err := s.Revoke(tok.ID); graph.CodeOf(err) != graph.CodeNotFound {
		t.Errorf("revoking twice: %v", err)
	}
}

func TestCreateRejects(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), auth.FileName))
	for _, tc := range []struct {
		role auth.Role
		name string
	}{{"root", "x"}, {auth.RoleViewer, ""}, {auth.RoleViewer, "  "}, {auth.RoleViewer, "a\nb"}, {auth.RoleViewer, strings.Repeat("n", 201)}} {
		if _, _, err := s.Create(tc.role, tc.name); graph.CodeOf(err) != graph.CodeInvalid {
			t.Errorf("Create(%q, %q) = %v, want INVALID_INPUT", tc.role, tc.name, err)
		}
	}
}

// TestSharedFile: a server and CLI processes share one file. Tokens made by
// one are seen by the others at once, and concurrent writers lose nothing.
func TestSharedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), auth.FileName)
	server := open(t, path)
	var wg sync.WaitGroup
	plains := make([]string, 20)
	for i := range plains {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cli, err := auth.Open(path) // a separate "process"
			if err != nil {
				t.Error(err)
				return
			}
			p, _, err := cli.Create(auth.RoleViewer, "cli")
			if err != nil {
				t.Error(err)
			}
			plains[i] = p
		}()
	}
	wg.Wait()
	for _, p := range plains {
		if _, err := server.Verify(p); err != nil {
			t.Errorf("a token made elsewhere does not verify: %v", err)
		}
	}
	if ts, _ := server.List(); len(ts) != len(plains) {
		t.Errorf("%d tokens listed, want %d", len(ts), len(plains))
	}
}

func TestMalformedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), auth.FileName)
	if err := os.WriteFile(path, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := auth.Open(path); err == nil || !strings.Contains(err.Error(), "malformed") {
		t.Errorf("Open of a malformed file: %v", err)
	}
}

func TestRequire(t *testing.T) {
	ctx := context.Background()
	editor := auth.WithPrincipal(ctx, auth.Principal{Name: "e", Role: auth.RoleEditor})
	anon := auth.WithPrincipal(ctx, auth.Anonymous)
	for _, tc := range []struct {
		ctx  context.Context
		need auth.Role
		want error
	}{
		{editor, auth.RoleViewer, nil},
		{editor, auth.RoleEditor, nil},
		{editor, auth.RoleAdmin, auth.ErrForbidden},
		{anon, auth.RoleViewer, nil},
		{anon, auth.RoleEditor, auth.ErrUnauthenticated},
		{ctx, auth.RoleViewer, auth.ErrUnauthenticated},
	} {
		if err := auth.Require(tc.ctx, tc.need); !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) {
			t.Errorf("Require(%s) = %v, want %v", tc.need, err, tc.want)
		}
	}
	if r, err := auth.ParseRole("ADMIN"); err != nil || r != auth.RoleAdmin {
		t.Errorf("ParseRole: %v %v", r, err)
	}
	if _, err := auth.ParseRole("root"); err == nil {
		t.Error("ParseRole accepted root")
	}
}

// A token's change-governance membership is kept and comes back on Verify;
// a blank team is refused.
func TestCreateWithMembership(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), auth.FileName))
	plain, tok, err := s.CreateWith(auth.RoleEditor, "carla", auth.Membership{Teams: []string{" checkout "}, CAB: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := open(t, s.Path()).Verify(plain)
	if err != nil || !reflect.DeepEqual(got, tok) || !reflect.DeepEqual(got.Teams, []string{"checkout"}) || !got.CAB {
		t.Errorf("Verify = %+v, %v; want teams [checkout] and CAB", got, err)
	}
	if _, _, err := s.CreateWith(auth.RoleEditor, "x", auth.Membership{Teams: []string{" "}}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Errorf("blank team: %v, want INVALID_INPUT", err)
	}
}
