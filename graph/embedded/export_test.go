package embedded

// Logged exposes the log's record count to tests.
func (s *Store) Logged() int {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return s.logged
}
