# shulian_merkle_log: the persistent RFC 9162 Merkle log in LevelDB.
shulian_library(shulian_merkle_log
  SOURCES merkle_log.cc
  DEPS shulian_crypto leveldb::leveldb)
