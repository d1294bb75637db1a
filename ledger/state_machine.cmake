# The deterministic state machine (ledger/state_machine.h), its rules (apply_*.cc),
# key layout and records (state_keys.h), outcomes (outcome.h), queries (queries.h)
# and the Ledger facade joining it with the block store (ledger.h).
shulian_library(shulian_state_machine
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/state_machine.cc
    ${CMAKE_CURRENT_LIST_DIR}/state_keys.cc
    ${CMAKE_CURRENT_LIST_DIR}/outcome.cc
    ${CMAKE_CURRENT_LIST_DIR}/genesis_import.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_common.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_rollup.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_governance.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_assets.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_sharing.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_access.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_objections.cc
    ${CMAKE_CURRENT_LIST_DIR}/apply_open.cc
    ${CMAKE_CURRENT_LIST_DIR}/ledger.cc
    ${CMAKE_CURRENT_LIST_DIR}/queries.cc
  DEPS shulian_bodies shulian_rules shulian_chain shulian_state_store)
