# Tests of the LevelDB Raft log storage: unit tests, and a crash test that
# SIGKILLs a forked writer many times and checks nothing synced was lost, and
# crashes after every write around conf changes (membership and applied index agree).
shulian_test(node_raft_storage_test SOURCES raft_storage_test.cc DEPS shulian_raft_storage)
shulian_test(node_raft_storage_crash_test SOURCES raft_storage_crash_test.cc DEPS shulian_raft_storage
  LABELS crash TIMEOUT 120)
