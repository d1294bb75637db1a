shulian_library(shulian_state_store
  SOURCES state_store.cc
  DEPS shulian_crypto leveldb::leveldb)
