#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for SECONDS (default 60).
# Crashes leave their input in build/fuzz/artifacts/ and fail the script.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
CXX=clang++ cmake -S . -B build/fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DSHULIAN_FUZZ=ON -DSHULIAN_BUILD_TESTS=OFF -DSHULIAN_BUILD_BENCH=OFF >/dev/null
# Only the fuzz targets and what they link: the rest of the tree is built and
# tested by the other passes.
mapfile -t targets < <(ninja -C build/fuzz -t targets all | sed -n 's/^\(fuzz_[a-z0-9_]*\): phony$/\1/p')
if [ ${#targets[@]} -eq 0 ]; then
  echo "no fuzz targets found" >&2
  exit 1
fi
cmake --build build/fuzz -j "$(nproc)" --target "${targets[@]}"
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
