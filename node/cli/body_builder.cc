#include "node/cli/body_builder.h"

#include <cassert>
#include <fstream>
#include <iterator>
#include <random>
#include <sstream>
#include <variant>

#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "ledger/calendar.h"
#include "ledger/tx_json.h"

namespace shulian::cli {
namespace {

using ledger::TxType;
using nlohmann::json;

const std::string kZeroDigestHex(64, '0');

template <size_t I = 0>
ledger::Body DefaultBody(TxType type) {
  if constexpr (I < std::variant_size_v<ledger::Body>) {
    using T = std::variant_alternative_t<I, ledger::Body>;
    if (T::kType == type) return T{};
    return DefaultBody<I + 1>(type);
  } else {
    assert(false && "a TxType without a body struct");
    return ledger::Body{};
  }
}

json RawBodyJson(TxType type) {
  return ledger::BodyToJson(DefaultBody(type));
}

// Trailing optional fields (added to a type after its first release; see
// docs/transactions.md) leave their key out of the JSON when absent, so the
// default body does not show them. cli_test checks this list against the docs.
struct TrailingField {
  TxType type;
  std::string_view key;
};
constexpr TrailingField kTrailingFields[] = {
    {TxType::kRecordAccess, "subject_authorisation_hash"},  // 001 §27
    {TxType::kRaiseObjection, "discovered_ms"},              // 004 §27
};

std::vector<std::string> TrailingKeys(TxType type) {
  std::vector<std::string> keys;
  for (const TrailingField& field : kTrailingFields) {
    if (field.type == type) keys.emplace_back(field.key);
  }
  return keys;
}

// The value kind of each optional body key (its default JSON is null, which says
// nothing about it). cli_test checks that every optional key of every type is here.
json OptionalPlaceholder(std::string_view key) {
  if (key == "terms") return RawBodyJson(TxType::kApproveShare)["terms"];
  if (key == "fields") return json::array();
  // Optional digests take the digest flag forms (64 hex, sha256:TEXT, file:PATH).
  if (key == "agreement_hash" || key == "subject_authorisation_hash" || key == "delivery_digest") {
    return kZeroDigestHex;
  }
  if (key == "new_version" || key == "discovered_ms") return 0;
  if (key == "parent_code" || key == "name" || key == "description" || key == "format" ||
      key == "update_frequency" || key == "grade" || key == "grant_id") {
    return "";
  }
  return nullptr;
}

std::string Join(const std::vector<std::string>& items, std::string_view separator) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += separator;
    out += item;
  }
  return out;
}

std::string Trim(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t");
  if (begin == std::string_view::npos) return "";
  size_t end = text.find_last_not_of(" \t");
  return std::string(text.substr(begin, end - begin + 1));
}

Result<json> ParseJsonValue(std::string_view flag, std::string_view text) {
  Result<json> parsed = ledger::rules_json::Parse(text);
  if (!parsed.ok()) return Status::InvalidArgument(std::string(flag) + ": " + parsed.status().message());
  return parsed;
}

Result<json> ArrayValue(std::string_view flag, const std::vector<std::string>& values) {
  json out = json::array();
  for (const std::string& value : values) {
    if (!value.empty() && value.front() == '[') {
      ASSIGN_OR_RETURN(json parsed, ParseJsonValue(flag, value));
      if (!parsed.is_array()) return Status::InvalidArgument(std::string(flag) + ": expected a JSON array");
      for (json& item : parsed) out.push_back(std::move(item));
      continue;
    }
    std::stringstream stream(value);
    std::string item;
    while (std::getline(stream, item, ',')) {
      std::string trimmed = Trim(item);
      if (!trimmed.empty()) out.push_back(trimmed);
    }
  }
  return out;
}

Result<bool> BoolValue(std::string_view flag, std::string_view value) {
  if (value.empty() || value == "true" || value == "yes" || value == "1") return true;
  if (value == "false" || value == "no" || value == "0") return false;
  return Status::InvalidArgument(std::string(flag) + ": expected true or false, got '" + std::string(value) +
                                 "'");
}

// One flag's values as the JSON value of the field whose placeholder is `kind`.
Result<json> ConvertFlag(std::string_view flag, const json& kind, const std::vector<std::string>& values) {
  if (kind.is_array()) return ArrayValue(flag, values);
  if (values.size() > 1) return Status::InvalidArgument(std::string(flag) + ": given more than once");
  const std::string& value = values.empty() ? std::string() : values.back();
  if (kind.is_object()) {
    if (value.empty() || value.front() != '{') {
      return Status::InvalidArgument(std::string(flag) + ": expected a JSON object, or give its fields as " +
                                     std::string(flag) + ".<field> flags");
    }
    return ParseJsonValue(flag, value);
  }
  if (kind.is_boolean()) {
    ASSIGN_OR_RETURN(bool parsed, BoolValue(flag, value));
    return json(parsed);
  }
  if (kind.is_number()) {
    ASSIGN_OR_RETURN(uint64_t parsed, ParseUnsigned(flag, value));
    return json(parsed);
  }
  if (kind.is_string() && kind.get<std::string>() == kZeroDigestHex) {
    ASSIGN_OR_RETURN(std::string hex, DigestValue(flag, value));
    return json(hex);
  }
  if (kind.is_null() && !value.empty() && (value.front() == '{' || value.front() == '[')) {
    return ParseJsonValue(flag, value);
  }
  return json(value);
}

std::vector<std::string> SplitPath(const std::string& name) {
  std::vector<std::string> parts;
  std::stringstream stream(name);
  std::string part;
  while (std::getline(stream, part, '.')) parts.push_back(part);
  return parts;
}

std::string FlagsOf(const json& skeleton) {
  std::vector<std::string> flags;
  for (const auto& [key, value] : skeleton.items()) flags.push_back(OptionForDisplay(key));
  return Join(flags, " ");
}

// Puts one flag into `body` at its (possibly dotted) path.
Status ApplyFlag(TxType type, const json& skeleton, const std::string& name,
                 const std::vector<std::string>& values, json& body) {
  std::vector<std::string> path = SplitPath(name);
  const json* kind = &skeleton;
  json* target = &body;
  for (size_t i = 0; i < path.size(); ++i) {
    if (!kind->is_object() || !kind->contains(path[i])) {
      std::string where = i == 0 ? std::string(ledger::TxTypeName(type)) : OptionForDisplay(path[i - 1]);
      return Status::InvalidArgument("unknown option " + OptionForDisplay(name) + " for " + where +
                                     " (fields: " + FlagsOf(*kind) + ")");
    }
    kind = &(*kind)[path[i]];
    if (i + 1 < path.size()) {
      if (!target->contains(path[i]) || !(*target)[path[i]].is_object()) (*target)[path[i]] = json::object();
      target = &(*target)[path[i]];
    }
  }
  ASSIGN_OR_RETURN(json value, ConvertFlag(OptionForDisplay(name), *kind, values));
  (*target)[path.back()] = std::move(value);
  return Status::Ok();
}

// Fills absent booleans with false and names every absent required key.
void CompleteObject(const json& skeleton, const std::set<std::string>& optional, const std::string& prefix,
                    json& body, std::vector<std::string>& missing) {
  for (const auto& [key, kind] : skeleton.items()) {
    if (!body.contains(key) || body[key].is_null()) {
      if (kind.is_boolean()) {
        body[key] = false;
      } else if (optional.count(key) == 0) {
        missing.push_back(OptionForDisplay(prefix + key));
      }
      continue;
    }
    if (kind.is_object() && body[key].is_object())
      CompleteObject(kind, {}, prefix + key + ".", body[key], missing);
  }
}

}  // namespace

std::vector<TxType> AllTxTypes() {
  std::vector<TxType> types;
  for (uint16_t value = 100; value < 700; ++value) {
    if (ledger::IsKnownTxType(value)) types.push_back(static_cast<TxType>(value));
  }
  return types;
}

json BodySkeleton(TxType type) {
  json body = RawBodyJson(type);
  for (const std::string& key : TrailingKeys(type)) body[key] = nullptr;
  for (auto& [key, value] : body.items()) {
    if (value.is_null()) value = OptionalPlaceholder(key);
  }
  return body;
}

std::set<std::string> OptionalBodyKeys(TxType type) {
  std::set<std::string> keys;
  const json raw = RawBodyJson(type);
  for (const auto& [key, value] : raw.items()) {
    if (value.is_null()) keys.insert(key);
  }
  for (const std::string& key : TrailingKeys(type)) keys.insert(key);
  return keys;
}

Result<std::string> DigestValue(std::string_view flag, std::string_view value) {
  if (value.substr(0, 7) == "sha256:") return crypto::Sha256(AsBytes(value.substr(7))).ToHex();
  if (value.substr(0, 5) == "file:") {
    std::string path(value.substr(5));
    std::ifstream file(path, std::ios::binary);
    if (!file) return Status::InvalidArgument(std::string(flag) + ": cannot read '" + path + "'");
    std::string contents((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    return crypto::Sha256(AsBytes(contents)).ToHex();
  }
  Result<crypto::Digest> digest = crypto::Digest::FromHex(value);
  if (!digest.ok()) {
    return Status::InvalidArgument(std::string(flag) +
                                   ": expected 64 hex characters, sha256:TEXT or file:PATH, got '" +
                                   std::string(value) + "'");
  }
  return digest->ToHex();
}

Result<json> BodyJsonFromFlags(TxType type, const ParsedArgs& args,
                               const std::set<std::string>& envelope_options, const json& base) {
  if (!base.is_object()) return Status::InvalidArgument("body: expected a JSON object");
  const json skeleton = BodySkeleton(type);
  json body = base;
  for (const auto& [name, values] : args.options()) {
    if (envelope_options.count(name) != 0) continue;
    RETURN_IF_ERROR(ApplyFlag(type, skeleton, name, values, body));
  }
  std::vector<std::string> missing;
  CompleteObject(skeleton, OptionalBodyKeys(type), "", body, missing);
  if (!missing.empty()) {
    return Status::InvalidArgument(std::string(ledger::TxTypeName(type)) + " needs " + Join(missing, ", "));
  }
  Result<ledger::Body> decoded = ledger::BodyFromJson(type, body);
  if (!decoded.ok()) return Status::InvalidArgument(decoded.status().message());
  return body;
}

uint64_t RandomNonce() {
  std::random_device device;
  return (static_cast<uint64_t>(device()) << 32) ^ static_cast<uint64_t>(device());
}

Result<ledger::Transaction> BuildSignedTransaction(TxType type, const json& body, const Envelope& envelope,
                                                   const crypto::KeyPair& key) {
  Result<ledger::Body> decoded = ledger::BodyFromJson(type, body);
  if (!decoded.ok()) return Status::InvalidArgument(decoded.status().message());
  ledger::Transaction tx;
  tx.type = type;
  tx.network_id = envelope.network_id;
  tx.sender = envelope.sender;
  tx.client_time_ms = envelope.client_time_ms;
  tx.nonce = envelope.nonce;
  tx.body = ledger::EncodeBody(*decoded);
  RETURN_IF_ERROR(ledger::ValidateId("network id", tx.network_id, ledger::TxLimits{}.network_id_bytes_max));
  RETURN_IF_ERROR(ledger::ValidateId("account", tx.sender, ledger::TxLimits{}.account_id_bytes_max));
  tx.Sign(key, envelope.genesis_hash);
  // The envelope decoder applies every limit the server will apply.
  Result<ledger::Transaction> check = ledger::Transaction::Decode(tx.Encode());
  if (!check.ok()) return Status::InvalidArgument(check.status().message());
  return tx;
}

}  // namespace shulian::cli
