# The evidence bundle parser and offline verifier: arbitrary text, and edits of a
# valid bundle that must never verify.
shulian_fuzzer(fuzz_bundle_verify SOURCES fuzz_bundle_verify.cc DEPS shulian_evidence_verify)
