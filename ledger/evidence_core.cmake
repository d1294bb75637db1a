# The ledger's evidence core: validator sets and checkpoints (values and pure
# functions, ledger/validator_set.h, ledger/checkpoint.h) and the node-local
# checkpoint store (ledger/checkpoint_store.h).
shulian_library(shulian_ledger_checkpoint
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/validator_set.cc
    ${CMAKE_CURRENT_LIST_DIR}/checkpoint.cc
  DEPS shulian_bodies shulian_chain shulian_rules shulian_crypto nlohmann_json::nlohmann_json)

shulian_library(shulian_ledger_evidence_core
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/checkpoint_store.cc
  DEPS shulian_state_machine shulian_ledger_checkpoint leveldb::leveldb)

# The Ledger facade (ledger.cc, in shulian_state_machine) keeps the validator set and
# computes checkpoints, so it links shulian_ledger_checkpoint. The edge is added once
# the whole directory is read, because shulian_state_machine is declared in a later
# fragment.
function(shulian_link_ledger_checkpoint)
  if(TARGET shulian_state_machine AND TARGET shulian_ledger_checkpoint)
    target_link_libraries(shulian_state_machine PUBLIC shulian_ledger_checkpoint)
  endif()
endfunction()
cmake_language(DEFER CALL shulian_link_ledger_checkpoint)
