# Checkpoint cosigning in the node: the peer message codec and channel prefix.
shulian_test(node_checkpoint_messages_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpoint_messages_test.cc
  DEPS shulian_checkpoint_messages
  LABELS node)
