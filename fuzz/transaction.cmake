# Decoders of the chain: transactions and blocks must decode only canonical bytes.
shulian_fuzzer(fuzz_transaction_decode SOURCES fuzz_transaction_decode.cc DEPS shulian_chain)
shulian_fuzzer(fuzz_block_decode SOURCES fuzz_block_decode.cc DEPS shulian_chain)
