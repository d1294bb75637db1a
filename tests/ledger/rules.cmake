# Tests of calendars, deadline policies and the genesis format (shulian_rules).
shulian_test(rules_test
  SOURCES calendar_test.cc policy_test.cc genesis_test.cc
  DEPS shulian_rules shulian_crypto)
