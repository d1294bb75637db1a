# Peer transport decoders: the hello parser, the handshake's checks and the frame
# reader. As with the chain codecs, the sources under test are compiled here so that
# they carry the fuzzer's coverage instrumentation.
add_library(shulian_transport_codecs_fuzz OBJECT
  ${PROJECT_SOURCE_DIR}/node/frame.cc
  ${PROJECT_SOURCE_DIR}/node/handshake.cc)
target_compile_options(shulian_transport_codecs_fuzz PRIVATE ${SHULIAN_WARNINGS})
target_link_libraries(shulian_transport_codecs_fuzz PUBLIC shulian_crypto)

shulian_fuzzer(fuzz_frame_decode
  SOURCES fuzz_frame_decode.cc $<TARGET_OBJECTS:shulian_transport_codecs_fuzz>
  DEPS shulian_transport)
