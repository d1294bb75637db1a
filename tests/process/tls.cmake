# One shulian-node process serving its API over TLS, driven by the CLI over https://.
if(TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(process_tls_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/network.cc ${CMAKE_CURRENT_LIST_DIR}/tls_test.cc
    DEPS shulian_node_core shulian_node_config shulian_api_client shulian_transport shulian_cli_core
    LABELS process TIMEOUT 120)
  if(TARGET process_tls_test)
    target_compile_definitions(process_tls_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(process_tls_test shulian-node)
  endif()
endif()
