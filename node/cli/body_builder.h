// Building transactions for `shulian tx`: the JSON body of any transaction type
// from --field flags (or a body file), and the signed envelope around it.
//
// The flags of a type are its body's JSON keys (docs/transactions.md) with dashes
// or underscores: `--asset-id`, `--duration-days`. Values are converted by the
// field's JSON kind, learnt from the body's own JSON form (ledger/tx_json.h), so
// every type is covered without a hand-written table per type:
//   string   as given; for a 32-byte digest also "sha256:TEXT" (the SHA-256 of
//            TEXT) or "file:PATH" (the SHA-256 of the file's bytes)
//   number   unsigned decimal
//   boolean  bare flag, true/false, yes/no, 1/0; absent means false
//   array    comma-separated and/or repeated flags; a value starting with '['
//            is parsed as a JSON array (e.g. dispute orders)
//   object   dotted flags (`--terms.fields a,b --terms.duration-days 90`) or a
//            JSON object value
// Optional fields may be left out. Every required field must be given; all the
// missing ones are named at once. The result then passes the ledger's own JSON
// decoder (BodyFromJson), so nothing the ledger would refuse as malformed is sent.
//
// Thread-safety: pure functions (file reads aside).
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/transaction.h"
#include "ledger/tx_types.h"
#include "node/cli/args.h"

namespace shulian::cli {

inline constexpr size_t kBodyFileBytesMax = 1024 * 1024;

// Every transaction type, in TxType order.
std::vector<ledger::TxType> AllTxTypes();

// The JSON skeleton of a type's body: every key with a placeholder of its kind
// (optional keys hold the placeholder of their value, not null).
nlohmann::json BodySkeleton(ledger::TxType type);
// Keys that may be left out (optional in the body).
std::set<std::string> OptionalBodyKeys(ledger::TxType type);

// Builds the body from `base` (a body file's object, or empty) and the options
// whose names are body keys or dotted paths below them; options named in
// `envelope_options` are ignored. InvalidArgument names the flag or field.
Result<nlohmann::json> BodyJsonFromFlags(ledger::TxType type, const ParsedArgs& args,
                                         const std::set<std::string>& envelope_options,
                                         const nlohmann::json& base = nlohmann::json::object());

// The SHA-256 hex for a digest flag value: 64 hex characters, "sha256:TEXT" or
// "file:PATH".
Result<std::string> DigestValue(std::string_view flag, std::string_view value);

struct Envelope {
  std::string network_id;
  crypto::Digest genesis_hash;  // the network's; the signature binds it
  std::string sender;
  int64_t client_time_ms = 0;
  uint64_t nonce = 0;
};

// A random nonce (not secret; it only makes identical requests differ).
uint64_t RandomNonce();

// Encodes `body` (checked by the ledger's decoder) into a transaction and signs it.
Result<ledger::Transaction> BuildSignedTransaction(ledger::TxType type, const nlohmann::json& body,
                                                   const Envelope& envelope, const crypto::KeyPair& key);

}  // namespace shulian::cli
