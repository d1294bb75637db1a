# Tests of the state machine (ledger/state_machine.h) and the Ledger facade: one
# executable per area, each a few seconds.
shulian_test(sm_governance_test SOURCES sm_governance_test.cc DEPS shulian_state_machine)
shulian_test(sm_sharing_test SOURCES sm_sharing_test.cc DEPS shulian_state_machine)
shulian_test(sm_access_test SOURCES sm_access_test.cc DEPS shulian_state_machine)
shulian_test(sm_scenario_test SOURCES sm_scenario_test.cc DEPS shulian_state_machine)
shulian_test(sm_queries_test SOURCES sm_queries_test.cc DEPS shulian_state_machine)
shulian_test(sm_rules_test SOURCES sm_rules_test.cc DEPS shulian_state_machine)
shulian_test(sm_rollup_test SOURCES sm_rollup_test.cc DEPS shulian_state_machine)
