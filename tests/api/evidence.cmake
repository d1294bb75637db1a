# The evidence routes (checkpoints, consistency, bundles, ledger export) on a real
# server over the in-memory service.
shulian_test(api_evidence_test
  SOURCES
    ${CMAKE_CURRENT_LIST_DIR}/evidence_routes_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/fake_service.cc
  DEPS shulian_api_server shulian_api_client Threads::Threads
  LABELS api
  TIMEOUT 60)
