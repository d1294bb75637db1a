# The durable Raft log: consensus::Storage over the node's LevelDB (see raft_storage.h),
# and the node's applied-index record beside it (applied_index.h).
shulian_library(shulian_raft_storage
  SOURCES raft_storage.cc applied_index.cc
  DEPS shulian_consensus leveldb::leveldb)
