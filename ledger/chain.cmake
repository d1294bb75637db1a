# The chain: transaction and block codecs, the LevelDB block store and the chain
# verifier (ledger/transaction.h, block.h, store.h, chain_verifier.h).
shulian_library(shulian_chain
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/transaction.cc
    ${CMAKE_CURRENT_LIST_DIR}/block.cc
    ${CMAKE_CURRENT_LIST_DIR}/store.cc
    ${CMAKE_CURRENT_LIST_DIR}/chain_verifier.cc
  DEPS shulian_ledger_types shulian_crypto shulian_merkle_log leveldb::leveldb)
