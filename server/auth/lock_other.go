//go:build !unix

package auth

// lockFile is a no-op where flock is unavailable: concurrent writers in
// different processes may then lose a change, but never corrupt the file
// (writes are still atomic renames).
func lockFile(string) (func(), error) { return func() {}, nil }
