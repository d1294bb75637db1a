# The node process: config, event loop joining Raft and the ledger, the
# NodeService behind the HTTP API, and the shulian-node program (docs/node.md).
shulian_library(shulian_node_config
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/config.cc
  DEPS shulian_transport shulian_chain nlohmann_json::nlohmann_json)
shulian_library(shulian_node_core
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/backup.cc
    ${CMAKE_CURRENT_LIST_DIR}/config_check.cc
    ${CMAKE_CURRENT_LIST_DIR}/node.cc
    ${CMAKE_CURRENT_LIST_DIR}/operations.cc
    ${CMAKE_CURRENT_LIST_DIR}/service.cc
    ${CMAKE_CURRENT_LIST_DIR}/query_json.cc
  DEPS shulian_node_config shulian_raft_storage shulian_transport shulian_state_machine
       shulian_api_server leveldb::leveldb Threads::Threads)
shulian_executable(shulian-node
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/main.cc
  DEPS shulian_node_core)
