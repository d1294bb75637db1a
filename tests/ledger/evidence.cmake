# Evidence bundles and the offline verifier (including the exhaustive single-byte
# tamper test), checkpoint consistency, ledger export and audit.
shulian_test(evidence_test SOURCES evidence_test.cc DEPS shulian_evidence)
shulian_test(ledger_audit_test SOURCES ledger_audit_test.cc DEPS shulian_evidence)
shulian_test(evidence_soak_test SOURCES evidence_soak_test.cc DEPS shulian_evidence LABELS soak TIMEOUT 3600)
