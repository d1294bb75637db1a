# raft_bench: the Raft core's cost in the simulator (entries committed per CPU-second).
if(TARGET shulian_consensus_sim)
  shulian_executable(raft_bench SOURCES raft_bench.cc DEPS shulian_consensus_sim)
endif()
