# The load tool against a real 3-node network (and a real etcd where installed);
# a few seconds each. The tool is declared later, in bench/load.cmake, so this
# checks the option that builds it rather than its target.
if(SHULIAN_BUILD_BENCH AND TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(load_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/load_test.cc
    DEPS shulian_load_core shulian_cli_core
    LABELS process load TIMEOUT 120)
  if(TARGET load_test)
    target_compile_definitions(load_test PRIVATE
      SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>"
      SHULIAN_LOAD_BINARY="$<TARGET_FILE:shulian-load>")
    add_dependencies(load_test shulian-node shulian-load)
  endif()
endif()
