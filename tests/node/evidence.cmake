# Checkpoint cosigning in the node: the peer message codec and channel prefix.
shulian_test(node_checkpoint_messages_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpoint_messages_test.cc
  DEPS shulian_checkpoint_messages
  LABELS node)
# The checkpointer against a real Ledger with three genesis validators.
shulian_test(node_checkpointer_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpointer_test.cc
  DEPS shulian_checkpointer shulian_state_machine
  LABELS node
  TIMEOUT 60)
