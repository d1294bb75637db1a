// Checkpoints: what a validator signs after applying a block, and what a quorum
// of such signatures (a *cosigned* checkpoint) lets anyone check offline.
//
// A checkpoint commits to the ledger's three Merkle logs at a height: the
// transaction log (leaf i = Transaction::Encode() of the i-th ordered transaction),
// the outcome log (leaf i = TxOutcome::Encode() of its outcome) and the block log
// (leaf h-1 = BlockHeader::Encode() of block h, so its size is the height), and to
// the id of the validator set after that block (ledger/validator_set.h).
//
// Signed bytes (canonical, big-endian, common/bytes.h):
//   "shulian/checkpoint/v1" (21 raw bytes) ‖ str network_id ‖ u64 height
//   ‖ 32 block_hash ‖ i64 block_time_ms ‖ u64 tx_log_size ‖ 32 tx_log_root
//   ‖ u64 outcome_log_size ‖ 32 outcome_log_root ‖ 32 block_log_root
//   ‖ 32 validator_set_id
// Each validator signs exactly these bytes with its node key (Ed25519).
//
// CosignedCheckpoint encoding: bytes(checkpoint encoding) ‖ u32 count
//   ‖ count × (u64 node_id ‖ 64-byte signature). Decoding and FromJson check the
// structure only; VerifyCosigned checks the signers (strictly increasing node ids,
// so one cosigned checkpoint has one byte form).
//
// JSON (hex is lower case and of exact length; FromJson refuses unknown or missing
// fields, wrong types and upper-case hex, so no edit of the text goes unnoticed):
//   Checkpoint: {"network_id", "height", "block_hash", "block_time_ms",
//     "tx_log_size", "tx_log_root", "outcome_log_size", "outcome_log_root",
//     "block_log_root", "validator_set_id"}
//   CosignedCheckpoint: {"checkpoint": {...}, "signatures": [{"node_id", "signature"}]}
//   CheckpointConsistency: {"from": {...}, "to": {...}, "tx_proof": [hex],
//     "outcome_proof": [hex], "block_proof": [hex]}
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/validator_set.h"

namespace shulian::ledger {

inline constexpr std::string_view kCheckpointDomainTag = "shulian/checkpoint/v1";

// Bounds on what Decode/FromJson accept.
struct CheckpointLimits {
  size_t network_id_bytes_max = 64;
  size_t signatures_max = 1024;
  size_t proof_hashes_max = 64;  // a proof in a log of up to 2^64 leaves
};

struct Checkpoint {
  std::string network_id;
  uint64_t height = 0;
  crypto::Digest block_hash;  // the genesis hash at height 0
  int64_t block_time_ms = 0;  // the genesis time at height 0
  uint64_t tx_log_size = 0;
  crypto::Digest tx_log_root;
  uint64_t outcome_log_size = 0;  // always equal to tx_log_size in a sound ledger
  crypto::Digest outcome_log_root;
  crypto::Digest block_log_root;  // the block log's size is `height`
  crypto::Digest validator_set_id;

  // The signed bytes (see the file comment).
  Bytes Encode() const;
  static Result<Checkpoint> Decode(ByteView encoded, const CheckpointLimits& limits = {});
  nlohmann::json ToJson() const;
  static Result<Checkpoint> FromJson(const nlohmann::json& json, const CheckpointLimits& limits = {});

  crypto::Signature Sign(const crypto::KeyPair& node_key) const;
  [[nodiscard]] bool VerifySignature(const crypto::PublicKey& node_key, const crypto::Signature& signature) const;

  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

struct CheckpointSignature {
  uint64_t node_id = 0;
  crypto::Signature signature;
  friend bool operator==(const CheckpointSignature&, const CheckpointSignature&) = default;
};

struct CosignedCheckpoint {
  Checkpoint checkpoint;
  std::vector<CheckpointSignature> signatures;  // strictly increasing node_id

  Bytes Encode() const;
  static Result<CosignedCheckpoint> Decode(ByteView encoded, const CheckpointLimits& limits = {});
  nlohmann::json ToJson() const;
  static Result<CosignedCheckpoint> FromJson(const nlohmann::json& json, const CheckpointLimits& limits = {});

  friend bool operator==(const CosignedCheckpoint&, const CosignedCheckpoint&) = default;
};

// OK iff `signature` is by a member of `set` and verifies over `checkpoint`.
// PermissionDenied naming the node otherwise.
Status VerifyCheckpointSignature(const Checkpoint& checkpoint, const CheckpointSignature& signature,
                                 const ValidatorSet& set);

// OK iff: checkpoint.validator_set_id == set.Id(); signers strictly increase by
// node_id (no duplicates); every signer is a member of `set`; every signature
// verifies; and there are at least set.Quorum() of them. Each failure is a
// PermissionDenied (or InvalidArgument for the ordering) whose message names the check.
Status VerifyCosigned(const CosignedCheckpoint& cosigned, const ValidatorSet& set);

// Proofs that the ledger at checkpoint `to` extends the ledger at checkpoint
// `from`, one RFC 9162 consistency proof per log (between the two checkpoints'
// sizes: tx_log_size, outcome_log_size, height).
struct CheckpointConsistency {
  Checkpoint from;
  Checkpoint to;
  std::vector<crypto::Digest> tx_proof;
  std::vector<crypto::Digest> outcome_proof;
  std::vector<crypto::Digest> block_proof;

  nlohmann::json ToJson() const;
  static Result<CheckpointConsistency> FromJson(const nlohmann::json& json, const CheckpointLimits& limits = {});
  friend bool operator==(const CheckpointConsistency&, const CheckpointConsistency&) = default;
};

// OK iff from.height <= to.height, both name the same network, and each of the
// three proofs verifies (crypto/merkle.h) between the two checkpoints' roots.
// Says which log failed. Does not check signatures: verify each checkpoint with
// VerifyCosigned first.
Status VerifyCheckpointConsistency(const CheckpointConsistency& proofs);

}  // namespace shulian::ledger
