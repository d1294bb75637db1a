# merkle_bench: persistent Merkle log appends, proof generation and verification.
shulian_executable(merkle_bench SOURCES merkle_bench.cc DEPS shulian_merkle_log)
