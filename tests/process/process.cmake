# Starts three shulian-node processes per test; each test stays under a minute.
if(TARGET shulian-node AND TARGET shulian_node_core)
  shulian_test(process_network_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/network.cc ${CMAKE_CURRENT_LIST_DIR}/network_test.cc
    DEPS shulian_node_core shulian_node_config shulian_api_client shulian_transport
    LABELS process TIMEOUT 120)
  if(TARGET process_network_test)
    target_compile_definitions(process_network_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(process_network_test shulian-node)
  endif()
endif()
