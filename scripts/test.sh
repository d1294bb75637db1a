#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, and runs the whole
# test suite twice — a normal optimised build, then under ASan + UBSan — and
# finally a short run of every fuzz target when clang is present.
#
#   SHULIAN_SKIP_SANITIZE=1  skip the sanitizer pass (quick local iteration)
#   SHULIAN_SKIP_FUZZ=1      skip the fuzz smoke runs
#   SHULIAN_SOAK=1           also run the long soak tests (label "soak")
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh

jobs=$(nproc)
soak_filter=(-LE soak)
if [ "${SHULIAN_SOAK:-0}" = 1 ]; then
  soak_filter=()
fi

run_suite() {
  local dir=$1
  shift
  cmake -S . -B "$dir" -G Ninja "$@" >/dev/null
  cmake --build "$dir" -j "$jobs"
  ctest --test-dir "$dir" -j "$jobs" --output-on-failure "${soak_filter[@]}"
}

echo "== normal build"
run_suite build/release -DCMAKE_BUILD_TYPE=RelWithDebInfo

if [ "${SHULIAN_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== ASan + UBSan build"
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
    run_suite build/sanitize -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSHULIAN_SANITIZE=ON -DSHULIAN_BUILD_BENCH=OFF
fi

if [ "${SHULIAN_SKIP_FUZZ:-0}" != 1 ] && command -v clang++ >/dev/null; then
  echo "== fuzz smoke runs"
  bash scripts/fuzz.sh 20
fi
