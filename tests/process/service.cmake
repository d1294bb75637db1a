# The systemd unit and its install script: the unit verifies and is hardened, the
# script stages the files with their modes (docs/deployment.md).
if(TARGET shulian-node AND TARGET shulian)
  shulian_test(service_unit_test
    SOURCES ${CMAKE_CURRENT_LIST_DIR}/service_unit_test.cc
    DEPS shulian_common
    LABELS process)
  if(TARGET service_unit_test)
    target_compile_definitions(service_unit_test PRIVATE
      SHULIAN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
      SHULIAN_BIN_DIR="$<TARGET_FILE_DIR:shulian-node>")
    add_dependencies(service_unit_test shulian-node shulian)
  endif()
endif()
