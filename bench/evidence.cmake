# evidence_bench: evidence bundle generation and verification time and bundle size
# over Merkle logs of 1,000,000 transactions in LevelDB.
shulian_executable(evidence_bench SOURCES evidence_bench.cc DEPS shulian_evidence_verify shulian_merkle_log)
