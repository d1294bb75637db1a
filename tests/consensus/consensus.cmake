# Tests of the Raft core (consensus/).
shulian_library(shulian_consensus_testing
  SOURCES cluster.cc
  DEPS shulian_consensus)

shulian_test(consensus_types_test
  SOURCES types_test.cc
  DEPS shulian_consensus)

shulian_test(consensus_storage_test
  SOURCES storage_test.cc
  DEPS shulian_consensus)

shulian_test(consensus_raw_node_test
  SOURCES raw_node_test.cc
  DEPS shulian_consensus_testing)

shulian_test(consensus_scenario_test
  SOURCES scenario_test.cc
  DEPS shulian_consensus_testing)
target_compile_definitions(consensus_scenario_test PRIVATE
  SHULIAN_CONSENSUS_TESTDATA="${CMAKE_CURRENT_SOURCE_DIR}/testdata")

shulian_test(consensus_randomized_test
  SOURCES randomized_test.cc
  DEPS shulian_consensus_testing)

# The same test with 50x the seeds; skipped unless SHULIAN_SOAK=1.
shulian_test(consensus_soak_test
  SOURCES randomized_test.cc
  DEPS shulian_consensus_testing
  LABELS soak
  TIMEOUT 3600)
target_compile_definitions(consensus_soak_test PRIVATE SHULIAN_CONSENSUS_SOAK=1)
