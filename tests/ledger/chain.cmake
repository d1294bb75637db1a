# Tests of the chain: transaction and block codecs, the block store, the chain
# verifier, crash consistency (SIGKILLed writers) and corruption detection.
shulian_test(ledger_transaction_test SOURCES transaction_test.cc DEPS shulian_chain)
shulian_test(ledger_block_test SOURCES block_test.cc DEPS shulian_chain)
shulian_test(ledger_store_test SOURCES store_test.cc DEPS shulian_chain)
shulian_test(ledger_chain_verifier_test SOURCES chain_verifier_test.cc DEPS shulian_chain)
shulian_test(ledger_crash_test SOURCES crash_test.cc DEPS shulian_chain LABELS crash TIMEOUT 120)
shulian_test(ledger_corruption_test SOURCES corruption_test.cc DEPS shulian_chain)
