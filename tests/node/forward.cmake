# Forwarding over the peer session (node/forward.h): the codec, the follower's
# client and the leader's bounded server. The node-level forwarding tests run
# three in-process nodes (observability_test.cc) and real processes (tests/process).
shulian_test(node_forward_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/forward_test.cc
  DEPS shulian_node_forward
  LABELS node
  TIMEOUT 60)
