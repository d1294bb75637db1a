# Raft log compaction with block catch-up, and validator-driven membership, on
# three real shulian-node processes per test (tests/process/membership_test.cc).
if(TARGET shulian-node AND TARGET shulian_node_core)
  shulian_test(process_membership_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/network.cc ${CMAKE_CURRENT_LIST_DIR}/membership_test.cc
    DEPS shulian_node_core shulian_node_config shulian_api_client shulian_transport
    LABELS process TIMEOUT 180)
  if(TARGET process_membership_test)
    target_compile_definitions(process_membership_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(process_membership_test shulian-node)
  endif()
endif()
