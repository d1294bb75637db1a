# Checkpoint votes and requests arrive from peers: decoding must bound everything and be canonical.
shulian_fuzzer(fuzz_checkpoint_message SOURCES fuzz_checkpoint_message.cc DEPS shulian_checkpoint_messages)
