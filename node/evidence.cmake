# Checkpoint cosigning and evidence in the node (docs/node.md, "Checkpoint
# cosigning"): the peer messages validators exchange, and (added to the node
# core below) the checkpointer and the evidence side of the NodeService.
shulian_library(shulian_checkpoint_messages
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpoint_messages.cc
  DEPS shulian_crypto)
