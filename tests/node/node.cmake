# Tests of the node's own code: config parsing (the process-level tests of the
# running node are in tests/process/).
shulian_test(node_config_test SOURCES config_test.cc DEPS shulian_node_config shulian_checkpointer shulian_transport
  shulian_api_server)
# The event loop's persist/send order (node/node.cc HandleReady).
shulian_test(node_ready_order_test SOURCES ready_order_test.cc DEPS shulian_node_core)
shulian_test(node_append_clock_test SOURCES append_clock_test.cc DEPS shulian_node_core)
# Backup writing and manifest checks on a real LevelDB (node/backup.h); the
# end-to-end backup and restore of running nodes is tests/process/backup_test.cc.
shulian_test(node_backup_test SOURCES backup_test.cc DEPS shulian_node_core)
