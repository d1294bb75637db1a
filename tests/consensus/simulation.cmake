# The deterministic cluster simulator (simulator.h) and its seed suites. The soak
# runs far more seeds and only with SHULIAN_SOAK=1.
shulian_library(shulian_consensus_sim
  SOURCES simulator.cc
  DEPS shulian_consensus)

shulian_test(consensus_simulation_test
  SOURCES simulation_test.cc
  DEPS shulian_consensus_sim
  LABELS simulation
  TIMEOUT 180)

shulian_test(consensus_simulation_soak_test
  SOURCES simulation_soak_test.cc
  DEPS shulian_consensus_sim
  LABELS soak
  TIMEOUT 7200)
