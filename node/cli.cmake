# The `shulian` command-line tool. Its logic is a library so tests drive it
# in-process; main.cc only adapts argv and the environment.
shulian_library(shulian_cli_core
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/cli/args.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/body_builder.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cli.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cmd_cert.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cmd_keys.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cmd_query.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cmd_scenario.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/cmd_tx.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/context.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/network_init.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/network_plan.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/render.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/scenario.cc
    ${CMAKE_CURRENT_LIST_DIR}/cli/settings.cc
  DEPS shulian_api_client shulian_tx_json shulian_rules shulian_crypto shulian_x509 shulian_node_config
       nlohmann_json::nlohmann_json)

shulian_executable(shulian
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/cli/main.cc
  DEPS shulian_cli_core)
