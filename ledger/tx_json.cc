// The Transaction half of ledger/tx_json.h (library shulian_tx_json).
#include "ledger/tx_json.h"

#include <algorithm>
#include <array>
#include <limits>
#include <string>

#include "ledger/body_codec.h"

namespace shulian::ledger {
namespace {

using body_codec::ExpectJsonType;
using body_codec::FieldError;
using body_codec::Json;

constexpr std::array<std::string_view, 10> kKnownKeys = {
    "type", "version", "network_id", "sender", "client_time_ms", "nonce",
    "body", "body_hex", "signature", "hash"};

// u64 as a string of decimal digits: no sign, no leading zeros, no overflow.
Result<uint64_t> ParseNonce(const Json& json) {
  RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, "nonce"));
  const std::string& text = json.get_ref<const std::string&>();
  if (text.empty() || (text.size() > 1 && text[0] == '0')) {
    return FieldError("nonce", "expected decimal digits without leading zeros");
  }
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return FieldError("nonce", "expected decimal digits, got '" + text.substr(0, 24) + "'");
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (std::numeric_limits<uint64_t>::max() - digit) / 10) {
      return FieldError("nonce", "does not fit in 64 bits");
    }
    value = value * 10 + digit;
  }
  return value;
}

Result<int64_t> ParseClientTime(const Json& json) {
  if (json.is_number_unsigned()) {
    if (json.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return FieldError("client_time_ms", "does not fit in a signed 64-bit integer");
    }
    return static_cast<int64_t>(json.get<uint64_t>());
  }
  if (json.is_number_integer()) return json.get<int64_t>();
  return FieldError("client_time_ms", "expected an integer, got " + std::string(json.type_name()));
}

Result<uint16_t> ParseVersion(const Json& json) {
  uint64_t version = 0;
  RETURN_IF_ERROR(body_codec::IntegerFromJson(json, "version", version));
  if (version != kTxVersion && version != kTxVersionLegacy) {
    return FieldError("version", "unsupported version " + std::to_string(version) + " (this node knows " +
                                     std::to_string(kTxVersionLegacy) + " and " + std::to_string(kTxVersion) + ")");
  }
  return static_cast<uint16_t>(version);
}

Result<TxType> ParseType(const Json& json) {
  RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, "type"));
  std::optional<TxType> type = TxTypeFromName(json.get_ref<const std::string&>());
  if (!type) return FieldError("type", "unknown transaction type '" + json.get<std::string>() + "'");
  return *type;
}

Result<std::string> ParseString(const Json& json, std::string_view key) {
  RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::string, key));
  return json.get<std::string>();
}

Status CheckKeys(const Json& json) {
  RETURN_IF_ERROR(ExpectJsonType(json, Json::value_t::object, "transaction"));
  for (const auto& [key, unused] : json.items()) {
    if (std::find(kKnownKeys.begin(), kKnownKeys.end(), key) == kKnownKeys.end()) {
      return Status::InvalidArgument("unknown key '" + key + "'");
    }
  }
  for (std::string_view key : {"type", "version", "network_id", "sender", "client_time_ms", "nonce", "signature"}) {
    if (!json.contains(std::string(key))) return FieldError(key, "missing required key");
  }
  if (json.contains("body") == json.contains("body_hex")) {
    return FieldError("body", "exactly one of 'body' and 'body_hex' is required");
  }
  return Status::Ok();
}

// The body bytes from either the typed "body" object or the raw "body_hex".
Result<Bytes> ParseBody(TxType type, const Json& json, const BodyLimits& limits) {
  if (json.contains("body_hex")) {
    ASSIGN_OR_RETURN(std::string hex, ParseString(json["body_hex"], "body_hex"));
    Result<Bytes> bytes = FromHex(hex);
    if (!bytes.ok()) return bytes.status().WithContext("body_hex");
    return std::move(bytes).value();
  }
  ASSIGN_OR_RETURN(Body body, BodyFromJson(type, json["body"], limits));
  return EncodeBody(body);
}

Result<crypto::Signature> ParseSignature(const Json& json) {
  ASSIGN_OR_RETURN(std::string hex, ParseString(json, "signature"));
  Result<std::array<uint8_t, 64>> bytes = FixedFromHex<64>(hex);
  if (!bytes.ok()) return bytes.status().WithContext("signature");
  crypto::Signature signature;
  signature.bytes = *bytes;
  return signature;
}

Status CheckHash(const Json& json, const Transaction& tx) {
  if (!json.contains("hash")) return Status::Ok();
  ASSIGN_OR_RETURN(std::string hex, ParseString(json["hash"], "hash"));
  Result<std::array<uint8_t, 32>> claimed = FixedFromHex<32>(hex);
  if (!claimed.ok()) return claimed.status().WithContext("hash");
  if (*claimed != tx.Hash().bytes) {
    return FieldError("hash", "does not match the transaction (computed " + tx.Hash().ToHex() + ")");
  }
  return Status::Ok();
}

}  // namespace

nlohmann::json TransactionToJson(const Transaction& tx, const BodyLimits& limits) {
  Json out = Json::object();
  out["type"] = std::string(TxTypeName(tx.type));
  out["version"] = tx.version;
  out["network_id"] = tx.network_id;
  out["sender"] = tx.sender;
  out["client_time_ms"] = tx.client_time_ms;
  out["nonce"] = std::to_string(tx.nonce);
  // A rejected transaction is recorded with whatever body it carried, so a body
  // that does not decode is shown raw, with the reason.
  Result<Json> body = BodyBytesToJson(tx.type, tx.body, limits);
  if (body.ok()) {
    out["body"] = std::move(body).value();
  } else {
    out["body_hex"] = ToHex(tx.body);
    out["body_error"] = body.status().message();
  }
  out["signature"] = tx.signature.ToHex();
  out["hash"] = tx.Hash().ToHex();
  return out;
}

Result<Transaction> TransactionFromJson(const nlohmann::json& json, const BodyLimits& limits) {
  RETURN_IF_ERROR(CheckKeys(json));
  Transaction tx;
  ASSIGN_OR_RETURN(tx.type, ParseType(json["type"]));
  ASSIGN_OR_RETURN(tx.version, ParseVersion(json["version"]));
  ASSIGN_OR_RETURN(tx.network_id, ParseString(json["network_id"], "network_id"));
  ASSIGN_OR_RETURN(tx.sender, ParseString(json["sender"], "sender"));
  ASSIGN_OR_RETURN(tx.client_time_ms, ParseClientTime(json["client_time_ms"]));
  ASSIGN_OR_RETURN(tx.nonce, ParseNonce(json["nonce"]));
  ASSIGN_OR_RETURN(tx.body, ParseBody(tx.type, json, limits));
  ASSIGN_OR_RETURN(tx.signature, ParseSignature(json["signature"]));
  // The envelope decoder is the one authority on what a valid envelope is (ids,
  // limits); run it over the encoding so JSON accepts nothing the wire refuses.
  Result<Transaction> checked = Transaction::Decode(tx.Encode());
  if (!checked.ok()) return checked.status();
  RETURN_IF_ERROR(CheckHash(json, tx));
  return tx;
}

}  // namespace shulian::ledger
