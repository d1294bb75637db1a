# Decoders of the chain: transactions and blocks must decode only canonical bytes.
# The codec sources are compiled here, inside the fuzz directory, so that they get
# the fuzzer's coverage instrumentation; libraries built elsewhere do not, and a
# fuzzer that cannot see the decoder's branches is blind.
add_library(shulian_chain_codecs_fuzz OBJECT
  ${PROJECT_SOURCE_DIR}/ledger/transaction.cc
  ${PROJECT_SOURCE_DIR}/ledger/block.cc)
target_compile_options(shulian_chain_codecs_fuzz PRIVATE ${SHULIAN_WARNINGS})
target_link_libraries(shulian_chain_codecs_fuzz PUBLIC shulian_ledger_types shulian_crypto)

shulian_fuzzer(fuzz_transaction_decode
  SOURCES fuzz_transaction_decode.cc $<TARGET_OBJECTS:shulian_chain_codecs_fuzz>
  DEPS shulian_ledger_types shulian_crypto)
shulian_fuzzer(fuzz_block_decode
  SOURCES fuzz_block_decode.cc $<TARGET_OBJECTS:shulian_chain_codecs_fuzz>
  DEPS shulian_ledger_types shulian_crypto)
