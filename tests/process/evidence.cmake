# Evidence on a real local network: cosigned checkpoints on three shulian-node
# processes, bundles exported and verified offline with the CLI, consistency,
# ledger export and audit.
if(TARGET shulian-node AND TARGET shulian_cli_core)
  shulian_test(evidence_process_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/evidence_test.cc
    DEPS shulian_cli_core
    LABELS process cli evidence TIMEOUT 180)
  if(TARGET evidence_process_test)
    target_compile_definitions(evidence_process_test PRIVATE SHULIAN_NODE_BINARY="$<TARGET_FILE:shulian-node>")
    add_dependencies(evidence_process_test shulian-node)
  endif()
endif()
