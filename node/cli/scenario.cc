#include "node/cli/scenario.h"

#include <filesystem>
#include <memory>

#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/tx_json.h"
#include "node/cli/body_builder.h"

namespace shulian::cli {
namespace {

using nlohmann::json;

Result<std::string> SubstituteString(const std::string& text,
                                     const std::map<std::string, std::string>& hashes) {
  if (text.size() < 4 || text.substr(0, 2) != "${" || text.back() != '}') return text;
  std::string inner = text.substr(2, text.size() - 3);
  if (inner.substr(0, 7) == "sha256:") return crypto::Sha256(AsBytes(inner.substr(7))).ToHex();
  if (inner.substr(0, 3) == "tx:") {
    auto it = hashes.find(inner.substr(3));
    if (it == hashes.end())
      return Status::InvalidArgument("no earlier transaction named '" + inner.substr(3) + "'");
    return it->second;
  }
  return Status::InvalidArgument("unknown template '" + text + "' (expected ${tx:NAME} or ${sha256:TEXT})");
}

Result<std::string> StringMember(const json& object, const std::string& key, const std::string& path,
                                 bool required) {
  if (!object.contains(key)) {
    if (required) return Status::InvalidArgument(path + "." + key + ": missing");
    return std::string();
  }
  if (!object[key].is_string()) return Status::InvalidArgument(path + "." + key + ": expected a string");
  return object[key].get<std::string>();
}

class KeyRing {
 public:
  explicit KeyRing(std::string dir) : dir_(std::move(dir)) {}
  Result<const crypto::KeyPair*> For(const std::string& account) {
    auto it = keys_.find(account);
    if (it != keys_.end()) return it->second.get();
    std::string path = (std::filesystem::path(dir_) / "keys" / "accounts" / (account + ".key")).string();
    Result<crypto::KeyPair> key = crypto::KeyPair::LoadFromFile(path);
    if (!key.ok())
      return Status::InvalidArgument("key of " + account + ": " + path + ": " + key.status().message());
    auto stored = std::make_unique<crypto::KeyPair>(std::move(key).value());
    const crypto::KeyPair* raw = stored.get();
    keys_.emplace(account, std::move(stored));
    return raw;
  }

 private:
  std::string dir_;
  std::map<std::string, std::unique_ptr<crypto::KeyPair>> keys_;
};

Result<ScenarioTx> BuildOne(const json& entry, const std::string& path, const ScenarioBuildOptions& options,
                            const std::map<std::string, std::string>& hashes, KeyRing& keys) {
  if (!entry.is_object()) return Status::InvalidArgument(path + ": expected an object");
  for (const auto& [key, value] : entry.items()) {
    if (key != "name" && key != "sender" && key != "type" && key != "expect" && key != "note" &&
        key != "body") {
      return Status::InvalidArgument(path + "." + key + ": unknown key");
    }
  }
  ScenarioTx out;
  ASSIGN_OR_RETURN(out.name, StringMember(entry, "name", path, false));
  ASSIGN_OR_RETURN(out.note, StringMember(entry, "note", path, false));
  ASSIGN_OR_RETURN(std::string sender, StringMember(entry, "sender", path, true));
  ASSIGN_OR_RETURN(std::string type_name, StringMember(entry, "type", path, true));
  ASSIGN_OR_RETURN(std::string expect, StringMember(entry, "expect", path, false));
  if (!expect.empty() && expect != "accepted" && expect != "rejected") {
    return Status::InvalidArgument(path + ".expect: 'accepted' or 'rejected'");
  }
  out.expect_accepted = expect != "rejected";
  std::optional<ledger::TxType> type = ledger::TxTypeFromName(type_name);
  if (!type) return Status::InvalidArgument(path + ".type: unknown transaction type '" + type_name + "'");
  if (!entry.contains("body")) return Status::InvalidArgument(path + ".body: missing");
  Result<json> body = SubstituteTemplates(entry["body"], hashes);
  if (!body.ok()) return Status::InvalidArgument(path + ".body: " + body.status().message());
  ASSIGN_OR_RETURN(const crypto::KeyPair* key, keys.For(sender));
  Envelope envelope{options.network_id, options.genesis_hash, sender, options.now_ms(), RandomNonce()};
  Result<ledger::Transaction> tx = BuildSignedTransaction(*type, *body, envelope, *key);
  if (!tx.ok()) return Status::InvalidArgument(path + ": " + tx.status().message());
  out.tx = std::move(tx).value();
  return out;
}

}  // namespace

Result<json> SubstituteTemplates(const json& value, const std::map<std::string, std::string>& hashes) {
  if (value.is_string()) {
    ASSIGN_OR_RETURN(std::string text, SubstituteString(value.get<std::string>(), hashes));
    return json(text);
  }
  if (value.is_array() || value.is_object()) {
    json out = value;
    for (auto& item : out) {
      ASSIGN_OR_RETURN(item, SubstituteTemplates(item, hashes));
    }
    return out;
  }
  return value;
}

Result<std::vector<ScenarioPhase>> BuildScenario(const json& scenario, const ScenarioBuildOptions& options) {
  if (!scenario.is_object() || !scenario.contains("phases") || !scenario["phases"].is_array()) {
    return Status::InvalidArgument("scenario: expected an object with a \"phases\" array");
  }
  KeyRing keys(options.keys_dir);
  std::map<std::string, std::string> hashes;
  std::vector<ScenarioPhase> phases;
  size_t total = 0;
  for (size_t p = 0; p < scenario["phases"].size(); ++p) {
    const json& phase = scenario["phases"][p];
    const std::string path = "phases[" + std::to_string(p) + "]";
    if (!phase.is_object() || !phase.contains("transactions") || !phase["transactions"].is_array()) {
      return Status::InvalidArgument(path + ": expected an object with a \"transactions\" array");
    }
    ScenarioPhase built;
    ASSIGN_OR_RETURN(built.title, StringMember(phase, "title", path, false));
    for (size_t t = 0; t < phase["transactions"].size(); ++t) {
      if (++total > kScenarioTransactionsMax) {
        return Status::InvalidArgument("scenario: more than " + std::to_string(kScenarioTransactionsMax) +
                                       " transactions");
      }
      const std::string tx_path = path + ".transactions[" + std::to_string(t) + "]";
      ASSIGN_OR_RETURN(ScenarioTx tx, BuildOne(phase["transactions"][t], tx_path, options, hashes, keys));
      if (!tx.name.empty() && !hashes.emplace(tx.name, tx.tx.Hash().ToHex()).second) {
        return Status::InvalidArgument(tx_path + ".name: '" + tx.name + "' is used twice");
      }
      built.transactions.push_back(std::move(tx));
    }
    phases.push_back(std::move(built));
  }
  return phases;
}

}  // namespace shulian::cli
