# The durable Raft log: consensus::Storage over the node's LevelDB (see raft_storage.h).
shulian_library(shulian_raft_storage
  SOURCES raft_storage.cc
  DEPS shulian_consensus leveldb::leveldb)
