# Compaction bounds, the block catch-up codec and client/server, and the
# membership decisions (node/catchup.h, node/membership.h); the node's log
# compaction over a real LevelDB (node/raft_storage.h).
shulian_test(node_membership_test SOURCES catchup_test.cc membership_test.cc DEPS shulian_node_membership)
shulian_test(node_raft_compaction_test SOURCES raft_compaction_test.cc
  DEPS shulian_raft_storage shulian_node_membership)
