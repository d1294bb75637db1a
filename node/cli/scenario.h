// The sample scenario format and its loader: a JSON file of phases, each a list
// of transaction templates submitted as one batch and waited for, in order, so a
// later phase may rely on an earlier one's effects.
//
//   {"description": "...",
//    "phases": [{"title": "...", "transactions": [
//       {"name": "optional label", "sender": "tz.scjgj.registrar", "type": "register_asset",
//        "expect": "accepted" | "rejected", "note": "why", "body": {...}}]}]}
//
// Inside a body, the string "${tx:NAME}" becomes the hash of the earlier template
// labelled NAME, and "${sha256:TEXT}" the SHA-256 of TEXT (content hashes stay
// readable). Each sender's key is read from KEYS_DIR/keys/accounts/<sender>.key, the
// layout `shulian network init` writes.
//
// Thread-safety: one loader per thread.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/status.h"
#include "ledger/transaction.h"

namespace shulian::cli {

inline constexpr size_t kScenarioFileBytesMax = 8 * 1024 * 1024;
inline constexpr size_t kScenarioTransactionsMax = 10'000;

struct ScenarioTx {
  std::string name;
  std::string note;
  bool expect_accepted = true;
  ledger::Transaction tx;
};

struct ScenarioPhase {
  std::string title;
  std::vector<ScenarioTx> transactions;
};

struct ScenarioBuildOptions {
  std::string network_id;
  crypto::Digest genesis_hash;
  std::string keys_dir;  // a network directory written by `shulian network init`
  std::function<int64_t()> now_ms;
};

// Parses the file and builds every transaction, signed. InvalidArgument names the
// phase and transaction ("phases[2].transactions[5].body.fields: ...").
Result<std::vector<ScenarioPhase>> BuildScenario(const nlohmann::json& scenario,
                                                 const ScenarioBuildOptions& options);

// "${tx:NAME}" and "${sha256:TEXT}" in every string of `value`.
Result<nlohmann::json> SubstituteTemplates(const nlohmann::json& value,
                                           const std::map<std::string, std::string>& hashes);

}  // namespace shulian::cli
