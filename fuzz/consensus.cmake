# Raft messages arrive from peers: decoding must bound everything and be canonical.
shulian_fuzzer(fuzz_raft_message_decode SOURCES fuzz_raft_message_decode.cc DEPS shulian_consensus)
