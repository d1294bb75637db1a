# Backup of a running node and restore into a wiped data folder, and the
# refusals of damaged or foreign backups (tests/process/backup_test.cc).
if(TARGET shulian-node AND TARGET shulian_node_core)
  shulian_test(process_backup_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/network.cc ${CMAKE_CURRENT_LIST_DIR}/backup_test.cc
    DEPS shulian_node_core shulian_node_config shulian_api_client shulian_transport
    LABELS process TIMEOUT 300)
  if(TARGET process_backup_test)
    target_compile_definitions(process_backup_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(process_backup_test shulian-node)
  endif()
endif()
