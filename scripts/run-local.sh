#!/usr/bin/env bash
# The README's main-job command. Installs what is missing, builds, starts a local
# three-node network (network-configs/local-3: Jiangsu 320000, Taizhou 321200,
# Nanjing 320100), waits for a leader, loads the sample scenario through the API
# with the `shulian` CLI, waits until every node holds a cosigned checkpoint of
# it, and prints where to look and what to try next.
# Stop the network with scripts/stop-local.sh.
#
#   SHULIAN_RUN_DIR   run directory (default .local-net; git-ignored)
#   SHULIAN_BUILD_DIR build directory (default build/release)
#   SHULIAN_SKIP_SCENARIO=1   start the network without loading the scenario
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
build_dir=${SHULIAN_BUILD_DIR:-build/release}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null

run_dir=${SHULIAN_RUN_DIR:-.local-net}
bin=$build_dir/node

cmake --build "$build_dir" -j "$(nproc)" --target shulian-node shulian

# A previous run of ours may still be up: stop it first (only the pids we recorded).
if ls "$run_dir"/node-*.pid >/dev/null 2>&1; then
  SHULIAN_RUN_DIR=$run_dir bash scripts/stop-local.sh
fi

net=$run_dir/local-3
rm -rf "$net" "$run_dir/logs"
mkdir -p "$net" "$run_dir/logs"
cp -R network-configs/local-3/. "$net/"
# Git keeps no file modes; key files must be readable by their owner only.
chmod 600 "$net"/keys/nodes/*.key "$net"/keys/accounts/*.key

for config in "$net"/node-*.json; do
  id=$(basename "$config" .json)
  nohup "$bin/shulian-node" --config "$config" >"$run_dir/logs/$id.log" 2>&1 &
  echo $! >"$run_dir/$id.pid"
done
echo "started $(ls "$net"/node-*.json | wc -l) nodes; logs in $run_dir/logs/"

servers=(http://127.0.0.1:8101 http://127.0.0.1:8102 http://127.0.0.1:8103)
leader_seen=""
for _ in $(seq 1 120); do
  for server in "${servers[@]}"; do
    if "$bin/shulian" status --server "$server" --json 2>/dev/null | grep -Eq '"leader_id": *[0-9]+'; then
      leader_seen=$server
      break 2
    fi
  done
  sleep 0.5
done
if [ -z "$leader_seen" ]; then
  echo "no leader after 60 s; see the logs in $run_dir/logs/" >&2
  exit 1
fi
echo "leader elected (asked $leader_seen):"
"$bin/shulian" status --server "$leader_seen" | grep -E '^(network_id|node_id|role|term|leader_id|height):' | sed 's/^/  /'

# The first number after "key": in a CLI --json answer.
json_number() { grep -Eo "\"$1\": *[0-9]+" | head -1 | grep -Eo '[0-9]+$'; }

# Evidence needs a cosigned checkpoint covering the record, and each node keeps its
# own: wait until every node holds one at the head the scenario reached, so the
# walkthrough's first `evidence dispute` does not meet "no cosigned checkpoint yet".
wait_for_cosigned_checkpoints() {
  local head
  head=$("$bin/shulian" status --server "$leader_seen" --json | json_number height)
  for _ in $(seq 1 120); do
    local covered=0
    for server in "${servers[@]}"; do
      local at
      at=$("$bin/shulian" checkpoint --server "$server" --json 2>/dev/null | json_number height || true)
      if [ -n "$at" ] && [ "$at" -ge "$head" ]; then covered=$((covered + 1)); fi
    done
    if [ "$covered" = "${#servers[@]}" ]; then
      echo "every node holds a cosigned checkpoint at height $head"
      return 0
    fi
    sleep 0.5
  done
  echo "no cosigned checkpoint at height $head on every node after 60 s; see the logs in $run_dir/logs/" >&2
  exit 1
}

if [ "${SHULIAN_SKIP_SCENARIO:-0}" != 1 ]; then
  echo "loading the sample scenario (network-configs/scenario/jiangsu-taizhou.json) through the API..."
  "$bin/shulian" scenario load network-configs/scenario/jiangsu-taizhou.json --keys "$net" --server "$leader_seen"
  wait_for_cosigned_checkpoints
fi

keys=$net/keys/accounts
stop_command=scripts/stop-local.sh
if [ "$run_dir" != .local-net ]; then stop_command="SHULIAN_RUN_DIR=$run_dir $stop_command"; fi
cat <<TEXT

The network is running.
  API:        ${servers[*]}
  console:    ${servers[0]}/   (network health; authority workbench /console/authority.html; supervisor's dashboard /console/supervisor.html; court's page /console/court.html; offline verifier /console/verify.html; docs/console.md)
  logs:       $run_dir/logs/node-{1,2,3}.log
  pids:       $run_dir/node-{1,2,3}.pid
  data:       $net/data/
  test keys:  $keys/   (for testing only)
  CLI:        $bin/shulian   (docs/cli.md)

Try next (export SHULIAN_SERVER=${servers[0]} first, or add --server):

  # anyone: node status and the open catalog
  $bin/shulian status
  $bin/shulian catalog

  # a provider (Taizhou market supervision): its asset and who may use it
  $bin/shulian asset history tz.scjgj.enterprise-registry --account tz.scjgj.registrar --key $keys/tz.scjgj.registrar.key
  $bin/shulian grants --asset tz.scjgj.enterprise-registry --account tz.scjgj.registrar --key $keys/tz.scjgj.registrar.key

  # a user agency (Taizhou tax bureau): request a share and record a use
  $bin/shulian tx request_share --request-id req-demo-1 --asset-id tz.scjgj.food-license \\
      --purpose 核验食品经营许可 --business-scenario 税务登记 --fields license_no,operator_name \\
      --mode request_response --duration-days 30 --account tz.swj.user --key $keys/tz.swj.user.key --wait

  # a supervisor (Taizhou data bureau): who used data beyond scope, who missed deadlines
  $bin/shulian trace scope --authority 321200 --account tz.sjj.supervisor --key $keys/tz.sjj.supervisor.key
  $bin/shulian trace access --asset tz.gaj.household-registration --account tz.sjj.supervisor --key $keys/tz.sjj.supervisor.key
  $bin/shulian trace deadlines --authority 321200 --account tz.sjj.supervisor --key $keys/tz.sjj.supervisor.key

  # a court: any block with its outcomes; an evidence bundle checked offline against the genesis file
  $bin/shulian block 2 --account court.tz-intermediate --key $keys/court.tz-intermediate.key
  $bin/shulian evidence dispute dsp-2026-0001 --out dispute.json --account court.tz-intermediate --key $keys/court.tz-intermediate.key
  $bin/shulian verify dispute.json --genesis $net/genesis.json
  $bin/shulian ledger export --out ledger.export --account court.tz-intermediate --key $keys/court.tz-intermediate.key
  $bin/shulian audit --ledger ledger.export --genesis $net/genesis.json

Stop the network:  $stop_command
TEXT
