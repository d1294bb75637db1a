# Throughput of the state machine for a realistic mix (mostly access records) with
# signature checks, and access-history query latency at a large stored volume.
shulian_executable(state_machine_bench
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/state_machine_bench.cc
  DEPS shulian_state_machine)
