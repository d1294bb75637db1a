# The evidence bundle parser and offline verifier: arbitrary text, and edits of a
# valid bundle that must never verify. The verifier's sources (and TxOutcome's
# codec) are compiled in directly rather than through shulian_evidence_verify,
# which links the whole state machine only for outcome.cc.
shulian_fuzzer(fuzz_bundle_verify
  SOURCES
    fuzz_bundle_verify.cc
    ${PROJECT_SOURCE_DIR}/ledger/evidence_json.cc
    ${PROJECT_SOURCE_DIR}/ledger/evidence_verify.cc
    ${PROJECT_SOURCE_DIR}/ledger/outcome.cc
  DEPS shulian_ledger_checkpoint shulian_bodies shulian_chain nlohmann_json::nlohmann_json)
