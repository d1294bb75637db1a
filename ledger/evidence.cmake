# Evidence bundles and the offline verifier (ledger/evidence.h), ledger export and
# audit (ledger/ledger_export.h).
# The verifier and the bundle JSON are pure code (no I/O, no Ledger): the CLI's
# offline `verify` and the fuzz target link only this library. It links
# shulian_state_machine only because TxOutcome's codec (outcome.cc) lives there.
shulian_library(shulian_evidence_verify
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/evidence_json.cc
    ${CMAKE_CURRENT_LIST_DIR}/evidence_verify.cc
  DEPS shulian_ledger_checkpoint shulian_state_machine shulian_bodies shulian_chain nlohmann_json::nlohmann_json)

# Builders (read a Ledger), export writer/reader and audit (replay into a fresh Ledger).
shulian_library(shulian_evidence
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/evidence_build.cc
    ${CMAKE_CURRENT_LIST_DIR}/ledger_export.cc
  DEPS shulian_evidence_verify shulian_ledger_evidence_core shulian_state_machine leveldb::leveldb)
