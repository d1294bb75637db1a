# Peer transport decoders: the hello parser, the handshake's checks and the frame reader.
shulian_fuzzer(fuzz_frame_decode SOURCES fuzz_frame_decode.cc DEPS shulian_transport)
