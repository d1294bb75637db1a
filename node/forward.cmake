# Forwarding of submissions from a follower to the leader over the peer session
# (node/forward.h): the message codec, the leader's bounded server and the
# follower's client.
shulian_library(shulian_node_forward
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/forward.cc
  DEPS shulian_api_core shulian_state_machine Threads::Threads)

# The node core (node/node.cmake, read after this fragment) uses it: link it once
# the whole directory has been read.
function(shulian_link_node_forward)
  if(TARGET shulian_node_core AND TARGET shulian_node_forward)
    target_link_libraries(shulian_node_core PUBLIC shulian_node_forward)
  endif()
endfunction()
cmake_language(DEFER CALL shulian_link_node_forward)
