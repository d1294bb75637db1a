# Project-wide compile settings and helpers.

# Warnings are errors everywhere in our own code.
set(SHULIAN_WARNINGS -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
    -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wconversion
    -Wno-sign-conversion -Werror)
# GCC 12 at -O3 reports -Wrestrict and -Wstringop-overflow inside inlined
# std::string and std::vector code that is not ours (known false positives);
# they stay warnings so that a Release build still succeeds.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  list(APPEND SHULIAN_WARNINGS -Wno-error=restrict -Wno-error=stringop-overflow)
endif()

# Fuzzing instruments every library, not just the fuzz drivers, so coverage
# feedback and the sanitizers reach the decoders under test.
if(SHULIAN_FUZZ)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SHULIAN_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
  # GCC's sanitizer instrumentation makes -Wmaybe-uninitialized fire inside
  # inlined library code (std::regex, Beast's parser) that the normal build
  # compiles clean; the normal build keeps it an error, so nothing of ours escapes.
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    list(APPEND SHULIAN_WARNINGS -Wno-error=maybe-uninitialized)
  endif()
endif()

# A fragment naming a source that does not exist fails the configure, so no test
# can silently drop out of the suite. While several parts are being written at
# once, -DSHULIAN_STRICT_SOURCES=OFF skips such a target with a warning instead.
option(SHULIAN_STRICT_SOURCES "Fail when a declared source file is missing" ON)
macro(shulian_skip_if_missing name)
  foreach(source ${ARG_SOURCES})
    if(NOT IS_ABSOLUTE ${source})
      set(source ${CMAKE_CURRENT_SOURCE_DIR}/${source})
    endif()
    if(NOT EXISTS ${source} AND NOT SHULIAN_STRICT_SOURCES)
      message(WARNING "skipping ${name}: ${source} does not exist yet")
      return()
    endif()
  endforeach()
endmacro()

# shulian_library(NAME SOURCES ... DEPS ...): a module library with the project
# root on its include path, so includes read "crypto/sha256.h".
function(shulian_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  shulian_skip_if_missing(${name})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_compile_options(${name} PRIVATE ${SHULIAN_WARNINGS})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# shulian_test(NAME SOURCES ... DEPS ... [LABELS ...] [TIMEOUT s]): a GoogleTest
# executable registered with ctest, one ctest entry per test case.
function(shulian_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  shulian_skip_if_missing(${name})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${SHULIAN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gtest_main GTest::gmock)
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  gtest_discover_tests(${name}
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    PROPERTIES TIMEOUT ${ARG_TIMEOUT} LABELS "${ARG_LABELS}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# shulian_executable(NAME SOURCES ... DEPS ...): a program of ours.
function(shulian_executable name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  shulian_skip_if_missing(${name})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${SHULIAN_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
endfunction()
