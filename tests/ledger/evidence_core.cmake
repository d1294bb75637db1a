# Tests of the ledger's evidence core: validator sets and checkpoints as values,
# the Ledger's outcome and block logs, checkpoints and validator history, and the
# checkpoint store.
shulian_test(ledger_checkpoint_test SOURCES checkpoint_test.cc DEPS shulian_ledger_checkpoint)
shulian_test(ledger_evidence_core_test SOURCES ledger_evidence_test.cc DEPS shulian_ledger_evidence_core)
shulian_test(ledger_checkpoint_store_test SOURCES checkpoint_store_test.cc DEPS shulian_ledger_evidence_core)
