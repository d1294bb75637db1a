# Three- and five-node networks with every node in its own network namespace and
# address (tests/process/netns.h), TLS on every API, the operator's key, genesis and
# certificate flow; skipped without CAP_NET_ADMIN.
if(TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(netns_network_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/netns.cc ${CMAKE_CURRENT_LIST_DIR}/netns_network_test.cc
    DEPS shulian_cli_core
    LABELS process cli TIMEOUT 120)
  if(TARGET netns_network_test)
    target_compile_definitions(netns_network_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>"
                                                          SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_dependencies(netns_network_test shulian-node)
  endif()
endif()
