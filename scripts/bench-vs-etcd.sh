#!/usr/bin/env bash
# Issue #7's side-by-side benchmark: in one run on this machine, a fresh 3-node
# Shulian network and a fresh 3-node etcd cluster (Debian's etcd-server, default
# durability: every write fsynced by a quorum), both on loopback ports, driven by
# the same tool (shulian-load) at concurrency 1, 16, 64 and 256 with values of the
# same size. Prints one table with both systems' figures and the ratios, and
# whether each target is met. Stops everything it started, on any exit.
#
#   scripts/bench-vs-etcd.sh [--million] [--batch B] [--keep]
#     --million   also commit 1,000,000 transactions at concurrency 64 and report
#                 each node's RSS afterwards (long: minutes at thousands of tx/s)
#     --batch B   submit B transactions per request (etcd: one txn of B puts)
#     --keep      keep the run directory (configs, logs, JSON reports)
#   Environment:
#     SHULIAN_BUILD_DIR   build directory (default build/bench, a Release build)
#     BENCH_PORT_BASE     first of the loopback ports used (default 27000; 27101..27503)
#     BENCH_LEVELS        concurrency levels (default "1 16 64 256")
#     BENCH_TX_1, BENCH_TX_16, BENCH_TX_64, BENCH_TX_256   transactions per level
set -euo pipefail
cd "$(dirname "$0")/.."

million=0
batch=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --million) million=1 ;;
    --batch) batch=${2:?--batch needs a value}; shift ;;
    --keep) keep=1 ;;
    *) echo "bench-vs-etcd.sh: unknown option $1 (expected --million, --batch B, --keep)" >&2; exit 2 ;;
  esac
  shift
done

bash scripts/install-deps.sh
if ! command -v etcd >/dev/null 2>&1; then
  echo "installing etcd-server (Debian's etcd)"
  as_root=()
  if [ "$(id -u)" -ne 0 ]; then as_root=(sudo); fi
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq --no-install-recommends etcd-server
fi

build_dir=${SHULIAN_BUILD_DIR:-build/bench}
# Release at -O2: GCC 12 at CMake's default -O3 reports false -Wrestrict and
# -Wstringop-overflow warnings inside libstdc++, which -Werror turns into errors.
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "-DCMAKE_CXX_FLAGS_RELEASE=-O2 -DNDEBUG" >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target shulian-node shulian-load
node_bin=$build_dir/node/shulian-node
load_bin=$build_dir/bench/shulian-load

base=${BENCH_PORT_BASE:-27000}
peer_base=$((base + 100))  # Shulian peers 27101..27103
api_base=$((base + 200))   # Shulian API   27201..27203
etcd_client=$((base + 300))  # etcd clients 27301..27303
etcd_peer=$((base + 400))    # etcd peers   27401..27403
for port in $((peer_base + 1)) $((peer_base + 3)) $((api_base + 1)) $((api_base + 3)) \
            $((etcd_client + 1)) $((etcd_client + 3)) $((etcd_peer + 1)) $((etcd_peer + 3)); do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "bench-vs-etcd.sh: port $port is in use; set BENCH_PORT_BASE to a free range" >&2
    exit 1
  fi
done

run_dir=$(mktemp -d /tmp/shulian-bench-XXXXXX)
mkdir -p "$run_dir/logs" "$run_dir/pids/shulian" "$run_dir/pids/etcd" "$run_dir/results"
started=()

stop_all() {
  local pid
  for pid in "${started[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    local alive=0
    for pid in "${started[@]}"; do
      if kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ $alive -eq 0 ] && break
    sleep 0.2
  done
  for pid in "${started[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [ $keep -eq 1 ]; then
    echo "run directory kept: $run_dir"
  else
    rm -rf "$run_dir"
  fi
}
trap stop_all EXIT
trap 'exit 130' INT TERM

# Shulian: a fresh copy of the sample network local-3 (as scripts/run-local.sh
# uses it), moved to our ports, with empty data directories.
mkdir -p "$run_dir/net"
cp -R network-configs/local-3/. "$run_dir/net/"
rm -rf "$run_dir/net/data"
chmod 600 "$run_dir"/net/keys/nodes/*.key "$run_dir"/net/keys/accounts/*.key
for id in 1 2 3; do
  sed -i -e "s/127\.0\.0\.1:710$id\"/127.0.0.1:$((peer_base + id))\"/g" \
         -e "s/127\.0\.0\.1:810$id\"/127.0.0.1:$((api_base + id))\"/g" "$run_dir"/net/node-*.json
done
# The load generator is one address driving thousands of requests a second: lift
# the per-address charge (a defence against unauthenticated load, not a quota).
sed -i '1a\  "limits": {"api_address_requests_per_second": 0},' "$run_dir"/net/node-*.json
for id in 1 2 3; do
  "$node_bin" --config "$run_dir/net/node-$id.json" >"$run_dir/logs/node-$id.log" 2>&1 &
  started+=($!)
  echo $! >"$run_dir/pids/shulian/node-$id.pid"
done

# etcd: three members, fresh data directories, default durability.
cluster=""
for i in 1 2 3; do cluster+="${cluster:+,}e$i=http://127.0.0.1:$((etcd_peer + i))"; done
for i in 1 2 3; do
  etcd --name "e$i" --data-dir "$run_dir/etcd/e$i" \
    --listen-client-urls "http://127.0.0.1:$((etcd_client + i))" \
    --advertise-client-urls "http://127.0.0.1:$((etcd_client + i))" \
    --listen-peer-urls "http://127.0.0.1:$((etcd_peer + i))" \
    --initial-advertise-peer-urls "http://127.0.0.1:$((etcd_peer + i))" \
    --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token shulian-bench \
    >"$run_dir/logs/etcd-$i.log" 2>&1 &
  started+=($!)
  echo $! >"$run_dir/pids/etcd/etcd-$i.pid"
done
endpoints="http://127.0.0.1:$((etcd_client + 1)),http://127.0.0.1:$((etcd_client + 2)),http://127.0.0.1:$((etcd_client + 3))"
echo "started 3 shulian-node and 3 etcd processes; run directory $run_dir"

levels=${BENCH_LEVELS:-"1 16 64 256"}
for c in $levels; do
  var="BENCH_TX_$c"
  default=$(( c == 1 ? 2000 : (c * 250 > 10000 ? c * 250 : 10000) ))
  n=${!var:-$default}
  warmup=$(( c * 10 ))
  echo "concurrency $c: $n transactions each (warm-up $warmup)"
  "$load_bin" shulian --network "$run_dir/net" --concurrency "$c" --batch "$batch" --transactions "$n" \
    --warmup "$warmup" --pid-dir "$run_dir/pids/shulian" --json >"$run_dir/results/shulian-c$c.json"
  "$load_bin" etcd --endpoints "$endpoints" --concurrency "$c" --batch "$batch" --transactions "$n" \
    --warmup "$warmup" --pid-dir "$run_dir/pids/etcd" --json >"$run_dir/results/etcd-c$c.json"
done

if [ $million -eq 1 ]; then
  echo "committing 1,000,000 transactions at concurrency 64 (this takes a while)"
  "$load_bin" shulian --network "$run_dir/net" --concurrency 64 --batch "$batch" --transactions 1000000 \
    --pid-dir "$run_dir/pids/shulian" --json >"$run_dir/results/million.json"
fi

echo
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "value size: $(grep -o '"tx_bytes_mean":[0-9.]*' "$run_dir/results/shulian-c1.json" 2>/dev/null | cut -d: -f2 || echo '?') bytes (encoded transaction; etcd values are the same bytes), batch $batch"
echo
"$load_bin" compare "$run_dir/results"
