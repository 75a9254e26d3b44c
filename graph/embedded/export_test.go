package embedded

import bolt "go.etcd.io/bbolt"

// Logged exposes the log's record count to tests.
func (s *Store) Logged() int {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.logged
}

// PendingAuditEntries exposes how many audit index entries wait in memory.
func (s *Store) PendingAuditEntries() int { return s.pending.len() }

// FlushAuditIndex writes the pending audit index entries, as Close does.
func (s *Store) FlushAuditIndex() error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.flushAuditIndex()
}

// WaitAuditFlush waits for the audit index flush under way, if any.
func (s *Store) WaitAuditFlush() {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.waitAuditFlush()
}

// Crash releases the data file as a crash would: without writing the
// pending audit index entries.
func (s *Store) Crash() error { return s.db.Close() }

// FailCommits makes every write's transaction fail with err, as a full
// disk would; nil lets them succeed again.
func (s *Store) FailCommits(err error) {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.beforeCommit = func(*bolt.Tx) error { return err }
}
