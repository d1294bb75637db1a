// The JSON form of transactions and their bodies: what the HTTP API accepts and
// returns and what the CLI prints. The schema is stable and documented in
// docs/transactions.md. JSON is a view: signatures and hashes always cover the
// canonical binary encoding (ledger/transaction.h, ledger/bodies.h), never JSON text.
//
// Transaction object (every key required on input unless noted):
//   "type"            wire name of the TxType, e.g. "request_share"
//   "version"         number, the envelope version (1)
//   "network_id"      string
//   "sender"          string, account id
//   "client_time_ms"  number, signed 64-bit Unix milliseconds
//   "nonce"           string of decimal digits (u64; a string so that no JSON
//                     implementation rounds it), no sign, no leading zeros
//   "body"            object: one key per body field (docs/transactions.md)
//   "signature"       128 hex characters
//   "hash"            output only: 64 hex characters, SHA-256 of the encoded
//                     transaction; accepted on input only if it matches
// Body fields: ids and text as strings, enums by wire name, bools as booleans,
// integers as numbers (at most 2^53 - 1), digests and keys as 64 hex characters,
// opaque bytes as hex, optional fields as null (or left out) when absent, lists
// as arrays, nested structs as objects.
//
// From JSON: an unknown key, a missing required key, a value of the wrong JSON
// type and an unknown type or enum name are each an InvalidArgument whose message
// names the key ("body.terms.fields[1]: ..."); then every check of the binary
// decoder applies as well.
//
// Link: the Body* functions are in shulian_bodies; the Transaction* functions in
// shulian_tx_json (they need the envelope codec of shulian_chain).
//
// Thread-safety: pure functions.
#pragma once

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/bodies.h"
#include "ledger/transaction.h"
#include "ledger/tx_types.h"

namespace shulian::ledger {

nlohmann::json BodyToJson(const Body& body);
// Decodes `encoded` as a `type` body and returns its JSON object.
Result<nlohmann::json> BodyBytesToJson(TxType type, ByteView encoded, const BodyLimits& limits = {});
Result<Body> BodyFromJson(TxType type, const nlohmann::json& json, const BodyLimits& limits = {});

nlohmann::json TransactionToJson(const Transaction& tx, const BodyLimits& limits = {});
Result<Transaction> TransactionFromJson(const nlohmann::json& json, const BodyLimits& limits = {});

}  // namespace shulian::ledger
