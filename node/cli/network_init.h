// `shulian network init`: generates a sample network — node and account keys
// (test-only), genesis.json (authority tree, accounts, validators, the presets'
// policies, the working-day calendar) and one node config per node, all on
// 127.0.0.1. With a seed every key is derived from it, so the same command
// regenerates byte-identical files; without one, keys come from the OS.
//
// Presets: "local-3" (Jiangsu 320000, Taizhou 321200, Nanjing 320100) and
// "jiangsu-5" (those plus Xinghua 321281 and Jingjiang 321282 under Taizhou). Node
// i runs for the preset's i-th authority (wrapping round when there are more nodes
// than authorities).
//
// Layout written under the output directory:
//   genesis.json               the network's genesis (docs/genesis.md)
//   node-<id>.json             node configs; paths in them are relative to this directory
//   accounts.json              accounts with their roles and key files (for the CLI)
//   keys/nodes/node-<id>.key   node keys (mode 0600)
//   keys/accounts/<id>.key     account keys (mode 0600)
//   README.md, keys/README.md  "for testing only" notices
//
// Thread-safety: pure planning; WriteNetwork touches only the output directory.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"

namespace shulian::cli {

// 2026-01-01 00:00 CST.
inline constexpr int64_t kDefaultGenesisTimeMs = 1'767'196'800'000;
inline constexpr uint32_t kNetworkNodesMax = 64;

struct NetworkInitOptions {
  std::string preset = "local-3";
  uint32_t nodes = 0;      // 0: one per authority of the preset
  std::string network_id;  // empty: the preset's name
  std::optional<std::string> seed;
  std::string calendar_file = "network-configs/calendars/cn-2025-2026.json";
  int64_t genesis_time_ms = kDefaultGenesisTimeMs;
  std::string host = "127.0.0.1";
  uint32_t peer_port_base = 7100;  // node i listens for peers on base + i
  uint32_t api_port_base = 8100;   // and serves the API on base + i
};

struct GeneratedKey {
  std::string path;  // relative to the output directory
  crypto::KeyPair key;
};

struct NetworkPlan {
  std::string network_id;
  nlohmann::json genesis;
  std::string genesis_hash_hex;
  std::vector<std::pair<std::string, nlohmann::json>> files;  // relative path, JSON content
  std::vector<GeneratedKey> keys;
  std::vector<std::pair<std::string, std::string>> texts;  // relative path, text content
  std::vector<std::string> api_addresses;                  // "127.0.0.1:8101", by node
};

std::vector<std::string> NetworkPresetNames();

// Everything to write, validated: the genesis passes Genesis::FromJson.
Result<NetworkPlan> PlanNetwork(const NetworkInitOptions& options);

// Writes the plan into `dir`, which must be absent or empty (nothing is
// overwritten). Keys are written with mode 0600.
Status WriteNetwork(const NetworkPlan& plan, const std::string& dir);

}  // namespace shulian::cli
