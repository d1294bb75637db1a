# The `shulian` CLI: argument parsing and precedence, body building for every
# transaction type, network generation, the sample scenario, exit codes.
shulian_test(cli_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli_test.cc
  DEPS shulian_cli_core shulian_node_config
  LABELS node cli)
if(TARGET cli_test)
  target_compile_definitions(cli_test PRIVATE SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
endif()

# `shulian cert` and the CLI over https:// against a real TLS HttpServer.
shulian_test(cli_tls_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli_tls_test.cc ${PROJECT_SOURCE_DIR}/tests/api/fake_service.cc
  DEPS shulian_cli_core shulian_api_server Threads::Threads
  LABELS node cli)
