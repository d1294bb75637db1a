# Tests of the persistent Merkle log (ledger/merkle_log.h) on a real LevelDB.
shulian_test(merkle_log_test SOURCES merkle_log_test.cc DEPS shulian_merkle_log)
