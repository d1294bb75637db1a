# shulian_proposal: building blocks ahead of the applied head (ledger/proposal.h).
shulian_library(shulian_proposal
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/proposal.cc
  DEPS shulian_chain shulian_merkle_log shulian_crypto)
