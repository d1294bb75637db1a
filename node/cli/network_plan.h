// `shulian network init --plan PLAN.json --public-keys DIR --out OUT`: builds a
// real network's genesis.json and one node config per node from a plan (who runs
// which node where, and the accounts) and the public keys the authorities sent.
// Every authority generates its node key and account keys on its own host with
// `shulian keygen` and sends only the public keys; this flow never reads or
// writes a private key, and a private key file found among the public keys is
// refused.
//
// The plan (docs/cli.md "Networks from public keys"):
//   {"network_id": "...", "genesis_time_ms": N, "chain": {...}?,
//    "authorities": [genesis authorities], "calendars": ["FILE", ...]?,
//    "policies": [genesis policies]?,
//    "nodes": [{"id": 1, "authority": "320000", "name": "..."?,
//               "peer_address": "HOST:PORT", "api_address": "HOST:PORT",
//               "listen_address": "IP:PORT"?, "api_listen_address": "IP:PORT"?}],
//    "accounts": [{"id": "...", "authority": "..."?, "roles": [...], "name": "..."}]}
// Calendar files are relative to the plan's directory.
//
// The public keys in DIR, each one line of 64 hex characters (what `shulian
// keygen` and `shulian pubkey` print):
//   DIR/nodes/node-<id>.pub    one per node of the plan
//   DIR/accounts/<id>.pub      one per account of the plan
// Nothing else may be in DIR/nodes or DIR/accounts.
//
// Written under OUT (no secret): genesis.json, node-<id>.json (listen addresses
// of that node, every other node's addresses and public key, its key file named
// node-<id>.key next to the config, its data in data/node-<id>), README.md.
//
// Thread-safety: pure planning; writing is WriteNetwork (network_init.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"
#include "node/cli/network_init.h"

namespace shulian::cli {

inline constexpr size_t kPlanFileBytesMax = 16u << 20;
inline constexpr size_t kPublicKeyFileBytesMax = 1024;
inline constexpr size_t kPlanNodesMax = 256;  // the genesis's validator limit

struct PlannedNode {
  uint64_t id = 0;
  std::string authority;
  std::string peer_address;  // where the other nodes dial it
  std::string api_address;   // where clients and forwarding followers reach it
  std::string config_file;   // relative to the output directory
  std::string key_file;      // relative to the config's directory; the operator puts it there
};

struct PublicNetworkPlan {
  NetworkPlan network;  // files and texts only: `keys` stays empty
  std::vector<PlannedNode> nodes;
  size_t accounts = 0;
};

// Reads and checks the plan and the public keys; the result is a complete,
// validated network (its genesis passes Genesis::FromJson and every node config
// ParseNodeConfig, anchored at `out_dir`). Any problem is InvalidArgument naming
// the plan entry or the key file.
Result<PublicNetworkPlan> PlanNetworkFromPublicKeys(const std::string& plan_file, const std::string& keys_dir,
                                                    const std::string& out_dir);

}  // namespace shulian::cli
