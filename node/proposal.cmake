# The node core builds blocks ahead of the applied head (ledger/proposal.h).
# Linked once the whole tree has been read, whichever directory came first.
function(shulian_link_node_proposal)
  if(TARGET shulian_node_core AND TARGET shulian_proposal)
    target_link_libraries(shulian_node_core PUBLIC shulian_proposal)
  endif()
endfunction()
cmake_language(DEFER DIRECTORY ${CMAKE_SOURCE_DIR} CALL shulian_link_node_proposal)
