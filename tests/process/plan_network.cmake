# A network stood up from public keys only: keys generated per "host" (127.0.0.1..3),
# `shulian network init --plan`, three real shulian-node processes started from it.
if(TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(plan_network_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/plan_network_test.cc
    DEPS shulian_cli_core
    LABELS process cli TIMEOUT 120)
  if(TARGET plan_network_test)
    target_compile_definitions(plan_network_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>"
                                                         SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
    add_dependencies(plan_network_test shulian-node)
  endif()
endif()
