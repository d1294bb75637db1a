# Scope before work: every read route, asked by accounts outside a subject's scope
# on a real local network with the sample scenario, answers the same whether or not
# records exist.
if(TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(scope_process_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/scope_test.cc
    DEPS shulian_node_core shulian_cli_core
    LABELS process cli TIMEOUT 180)
  if(TARGET scope_process_test)
    target_compile_definitions(scope_process_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(scope_process_test shulian-node)
  endif()
endif()
