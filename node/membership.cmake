# Raft log compaction, block catch-up (node/catchup.h) and validator-driven Raft
# membership (node/membership.h): the node's side of snapshots and conf changes.
shulian_library(shulian_node_membership
  SOURCES catchup.cc membership.cc
  DEPS shulian_consensus shulian_crypto Threads::Threads)

# The node core (node/node.cmake, declared after this fragment) uses this library:
# link it once the whole directory has been read.
function(shulian_link_node_membership)
  if(TARGET shulian_node_core AND TARGET shulian_node_membership)
    target_link_libraries(shulian_node_core PUBLIC shulian_node_membership)
  endif()
endfunction()
cmake_language(DEFER CALL shulian_link_node_membership)
