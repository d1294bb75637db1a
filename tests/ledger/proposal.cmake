# Tests of the proposal chain (ledger/proposal.h) against a real block store.
shulian_test(ledger_proposal_test SOURCES proposal_test.cc DEPS shulian_proposal shulian_chain)
