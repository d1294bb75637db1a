// The transaction envelope: who says what, to which network, signed.
//
// Canonical encoding (all integers big-endian, see common/bytes.h):
//   fields        = u16 type ‖ u16 version ‖ str network_id ‖ str sender
//                 ‖ i64 client_time_ms ‖ u64 nonce ‖ bytes body
//   signing bytes = version 2: "shulian/tx/v2" ‖ 32-byte genesis hash ‖ fields
//                   version 1: "shulian/tx/v1" ‖ fields
//   encoded tx    = fields ‖ 64-byte signature
// `str`/`bytes` are u32-length-prefixed; the tags are 13 raw bytes. The signature
// covers the signing bytes, never JSON. The transaction hash is SHA-256 of the
// encoded bytes, and the encoded bytes are the leaf data of the ledger's
// transaction Merkle log.
//
// Version 2 signs the genesis hash, which is not carried in the encoding: every
// verifier knows the chain it verifies for. Two networks that happen to share a
// network id thus cannot replay each other's transactions. Version 1 (network id
// only) still decodes and verifies so that ledgers written before version 2 replay;
// a node refuses new version-1 submissions (node/service.cc).
//
// Decoding rejects trailing bytes, unknown types or versions, fields over their
// limits, ids outside their alphabet and invalid UTF-8, each with a message that
// names the field.
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "crypto/signature_cache.h"
#include "ledger/tx_types.h"

namespace shulian::ledger {

inline constexpr std::string_view kTxDomainTagV1 = "shulian/tx/v1";
inline constexpr std::string_view kTxDomainTagV2 = "shulian/tx/v2";
inline constexpr uint16_t kTxVersionLegacy = 1;  // signs the network id only
inline constexpr uint16_t kTxVersion = 2;        // also signs the genesis hash

// Bounds on every variable-length field; the node's config may tighten them.
struct TxLimits {
  size_t network_id_bytes_max = 64;
  size_t account_id_bytes_max = 64;
  size_t body_bytes_max = 64 * 1024;
};

struct Transaction {
  TxType type = TxType::kRecordAccess;
  uint16_t version = kTxVersion;
  std::string network_id;
  std::string sender;          // account id: [a-z0-9._-], 1..account_id_bytes_max
  int64_t client_time_ms = 0;  // the sender's clock, Unix ms; checked against block time
  uint64_t nonce = 0;          // chosen by the sender so identical requests differ
  Bytes body;                  // the type's canonical body encoding (ledger/bodies.h)
  crypto::Signature signature;

  // `genesis_hash` is the hash of the network's genesis (ignored by version 1).
  Bytes SigningBytes(const crypto::Digest& genesis_hash) const;
  Bytes Encode() const;
  crypto::Digest Hash() const;  // SHA-256(Encode())

  void Sign(const crypto::KeyPair& key, const crypto::Digest& genesis_hash);
  // Through `cache` when given: a signature it has seen verify is not verified again.
  [[nodiscard]] bool VerifySignature(const crypto::PublicKey& key, const crypto::Digest& genesis_hash,
                                     crypto::SignatureCache* cache = nullptr) const;

  static Result<Transaction> Decode(ByteView encoded, const TxLimits& limits = {});

  friend bool operator==(const Transaction&, const Transaction&) = default;
};

// Checks an account or network id: 1..max bytes of [a-z0-9._-].
Status ValidateId(std::string_view what, std::string_view id, size_t max_bytes);

}  // namespace shulian::ledger
