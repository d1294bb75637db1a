# What a running node shows about itself, on three in-process nodes on 127.0.0.1:
# /v1/status (Raft membership, each peer's replication), `shulian status`; and
# the node's query list
# against docs/api.md and api/openapi.json.
shulian_test(node_observability_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/observability_test.cc
  DEPS shulian_node_core shulian_cli_core
  LABELS node
  TIMEOUT 120)
if(TARGET node_observability_test)
  target_compile_definitions(node_observability_test PRIVATE SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()
