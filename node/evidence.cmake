# Checkpoint cosigning and evidence in the node (docs/node.md, "Checkpoint
# cosigning"): the peer messages validators exchange, the checkpointer that signs,
# collects and stores checkpoint signatures, and (wired into the node core and
# the CLI below) the evidence side of the NodeService and the `shulian`
# evidence commands.
shulian_library(shulian_checkpoint_messages
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpoint_messages.cc
  DEPS shulian_crypto)

shulian_library(shulian_checkpointer
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpointer.cc
  DEPS shulian_checkpoint_messages shulian_ledger_evidence_core shulian_transport Threads::Threads)

# shulian_node_core and shulian_cli_core are declared in other fragments; add our
# sources and libraries once the whole directory has been read.
set(SHULIAN_NODE_EVIDENCE_DIR ${CMAKE_CURRENT_LIST_DIR})
function(shulian_wire_node_evidence)
  if(TARGET shulian_node_core)
    target_sources(shulian_node_core PRIVATE ${SHULIAN_NODE_EVIDENCE_DIR}/evidence_service.cc)
    target_link_libraries(shulian_node_core PUBLIC shulian_checkpointer shulian_evidence)
  endif()
  if(TARGET shulian_cli_core)
    target_sources(shulian_cli_core PRIVATE ${SHULIAN_NODE_EVIDENCE_DIR}/cli/cmd_evidence.cc)
    target_link_libraries(shulian_cli_core PUBLIC shulian_evidence)
  endif()
endfunction()
cmake_language(DEFER CALL shulian_wire_node_evidence)
