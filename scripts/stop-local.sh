#!/usr/bin/env bash
# Stops the local network scripts/run-local.sh started: SIGTERM to each pid it
# recorded in the run directory, then SIGKILL to any still alive after 10 s.
# Only those pids are signalled, and only while they still run shulian-node.
#
#   SHULIAN_RUN_DIR   run directory (default .local-net)
set -euo pipefail
cd "$(dirname "$0")/.."
run_dir=${SHULIAN_RUN_DIR:-.local-net}

ours() {  # true if pid $1 is alive and is a shulian-node
  [ -r "/proc/$1/cmdline" ] && tr '\0' ' ' <"/proc/$1/cmdline" | grep -q shulian-node
}

pids=()
for file in "$run_dir"/node-*.pid; do
  [ -e "$file" ] || continue
  pid=$(cat "$file")
  if ours "$pid"; then
    kill -TERM "$pid"
    pids+=("$pid")
  fi
  rm -f "$file"
done
if [ ${#pids[@]} -eq 0 ]; then
  echo "no local network running (no live pids in $run_dir)"
  exit 0
fi
for _ in $(seq 1 50); do
  alive=()
  for pid in "${pids[@]}"; do
    if ours "$pid"; then alive+=("$pid"); fi
  done
  [ ${#alive[@]} -eq 0 ] && break
  sleep 0.2
done
for pid in "${pids[@]}"; do
  if ours "$pid"; then
    echo "node $pid did not stop on SIGTERM; killing it" >&2
    kill -KILL "$pid"
  fi
done
echo "stopped ${#pids[@]} nodes"
