#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 60).
# Crashes leave their input in build/fuzz/artifacts/ and fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSHULIAN_FUZZ=ON -DSHULIAN_BUILD_TESTS=OFF -DSHULIAN_BUILD_BENCH=OFF >/dev/null
cmake --build build/fuzz -j "$(nproc)"
mkdir -p build/fuzz/artifacts
shopt -s nullglob
for target in build/fuzz/fuzz/fuzz_*; do
  [ -x "$target" ] || continue
  name=$(basename "$target")
  corpus=build/fuzz/corpus/$name
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  echo "-- $name for ${seconds}s"
  "$target" -max_total_time="$seconds" -artifact_prefix=build/fuzz/artifacts/ \
    -print_final_stats=1 "$corpus" "${seeds[@]}" 2>&1 | tail -n 4
done
