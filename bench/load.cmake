# shulian-load: drives a running Shulian network (or an etcd cluster) with
# pre-signed transactions and reports committed tx/s, latency, errors and peak
# memory (docs/benchmarks.md). The logic is a library so tests can reach it.
shulian_library(shulian_load_core
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/load/compare.cc
    ${CMAKE_CURRENT_LIST_DIR}/load/driver.cc
    ${CMAKE_CURRENT_LIST_DIR}/load/load_tool.cc
    ${CMAKE_CURRENT_LIST_DIR}/load/report.cc
    ${CMAKE_CURRENT_LIST_DIR}/load/workload.cc
  DEPS shulian_api_client shulian_bodies shulian_chain shulian_crypto nlohmann_json::nlohmann_json Threads::Threads)

shulian_executable(shulian-load
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/load/main.cc
  DEPS shulian_load_core)
