// Evidence bundles (format "shulian-evidence/v1"): what a court or arbitrator
// receives to check, on its own machine and holding only the genesis file, that
// records were in the ledger, in which block, at what time and with which outcome.
// docs/evidence.md is the reference for the format and every check below.
//
// A bundle is JSON. It carries one cosigned checkpoint (ledger/checkpoint.h), the
// validator-set history that checkpoint needs (every accepted membership change
// before its tx_log_size), and the records asked for. Each record is a transaction,
// its outcome, RFC 9162 inclusion proofs of both at the same index against the
// checkpoint's transaction and outcome logs, and the header of the block holding
// it with its inclusion proof in the checkpoint's block log.
//
// Canonical form. ParseBundle refuses unknown or missing keys, wrong JSON types,
// upper-case or wrong-length hex and non-canonical binary encodings, and
// VerifyBundle additionally requires that the parsed bundle serialises back to
// exactly the JSON value it was given, so no edit of a bundle goes unnoticed:
// every field is either checked or reproduced byte for byte.
//
// Limits. Builders refuse (ResourceExhausted) a subject with more records than
// EvidenceLimits::records_max — the caller narrows the time range — and the
// verifier refuses larger inputs before doing any work.
//
// Builders read a Ledger and need a cosigned checkpoint of it; they are pure
// readers. VerifyBundle is pure: no I/O, no clock, no network.
//
// Thread-safety: values and reentrant functions. Builders must not run while a
// block is being applied to the same Ledger (the Ledger's own rule).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/checkpoint.h"
#include "ledger/genesis_import.h"
#include "ledger/outcome.h"
#include "ledger/transaction.h"
#include "ledger/validator_set.h"

namespace shulian::ledger {

class Ledger;

inline constexpr std::string_view kEvidenceFormat = "shulian-evidence/v1";

struct EvidenceLimits {
  size_t records_max = 1000;            // records in one bundle
  size_t validator_history_max = 4096;  // membership changes in one bundle
  size_t proof_hashes_max = 64;         // hashes in one inclusion proof (logs up to 2^64)
  size_t subject_id_bytes_max = 64;     // asset and dispute ids
  size_t bundle_text_bytes_max = 64 * 1024 * 1024;  // VerifyBundleText input
  BlockLimits block;                    // transaction decoding limits
  CheckpointLimits checkpoint;
};

enum class SubjectKind : uint8_t { kTransaction = 1, kAssetAccess = 2, kDispute = 3 };
std::string_view SubjectKindName(SubjectKind kind);

// What the bundle was asked for. Only the fields of `kind` are used.
//   transaction:  {"kind": "transaction", "tx_hash": hex}
//   asset_access: {"kind": "asset_access", "asset_id": str, "from_ms": n, "to_ms": n}
//   dispute:      {"kind": "dispute", "dispute_id": str}
struct EvidenceSubject {
  SubjectKind kind = SubjectKind::kTransaction;
  crypto::Digest tx_hash;
  std::string asset_id;
  int64_t from_ms = 0;  // half-open [from_ms, to_ms) of block time
  int64_t to_ms = 0;
  std::string dispute_id;
  friend bool operator==(const EvidenceSubject&, const EvidenceSubject&) = default;
};

// One transaction with everything needed to place it under the checkpoint.
struct EvidenceRecord {
  uint64_t log_index = 0;
  Bytes transaction;  // Transaction::Encode()
  Bytes outcome;      // TxOutcome::Encode()
  std::vector<crypto::Digest> tx_proof;       // leaf log_index, size checkpoint.tx_log_size
  std::vector<crypto::Digest> outcome_proof;  // leaf log_index, size checkpoint.outcome_log_size
  Bytes block_header;                         // BlockHeader::Encode() of the holding block
  std::vector<crypto::Digest> block_proof;    // leaf height-1, size checkpoint.height
  friend bool operator==(const EvidenceRecord&, const EvidenceRecord&) = default;
};

struct EvidenceBundle {
  std::string network_id;
  crypto::Digest genesis_hash;
  EvidenceSubject subject;
  CosignedCheckpoint checkpoint;
  std::vector<EvidenceRecord> validator_history;  // increasing log_index
  std::vector<EvidenceRecord> records;            // increasing log_index

  nlohmann::json ToJson() const;
  friend bool operator==(const EvidenceBundle&, const EvidenceBundle&) = default;
};

// Structure only (no proof or signature is checked): every key present, no other
// key, right JSON types, canonical hex, sizes within `limits`. InvalidArgument
// naming the key path ("records[2].tx_proof[0]: ...") otherwise.
Result<EvidenceBundle> ParseBundle(const nlohmann::json& json, const EvidenceLimits& limits = {});

// ---------------------------------------------------------------- verification

// What a verified record proves.
struct VerifiedRecord {
  uint64_t log_index = 0;
  crypto::Digest tx_hash;
  Transaction transaction;
  TxOutcome outcome;
  BlockHeader block;               // the block holding it (height, time, proposer)
  std::string sender_authority;    // from the genesis accounts; empty if not there
  bool sender_in_genesis = false;  // false: the account was registered later
  // The sender's own signature checked with the key the genesis file gives it.
  // False when the sender is not a genesis account or signed with another key
  // (one rotated in later): the bundle cannot establish that key, and the record
  // rests on the validators' checkpoint alone.
  bool sender_signature_verified = false;
};

struct VerifiedBundle {
  EvidenceSubject subject;
  Checkpoint checkpoint;
  std::vector<uint64_t> signers;  // node ids that cosigned, increasing
  ValidatorSet validator_set;     // the set that signed, as folded from genesis
  size_t validator_changes = 0;   // membership changes folded from genesis
  std::vector<VerifiedRecord> records;

  // Plain-words summary for people (the CLI prints it).
  std::string Describe() const;
  nlohmann::json ToJson() const;
};

// Verifies `json` as a bundle for the network of `genesis`. Checks, in order
// (docs/evidence.md; every error message starts with the check's name):
//   parse, format, canonical, genesis, checkpoint_sizes, record.order,
//   record.decode, record.network, record.outcome_hash, record.tx_proof,
//   record.outcome_proof, record.block_height, record.block_proof,
//   record.block_range, record.block_checkpoint, subject, validator_history,
//   checkpoint_signatures (hashing before Ed25519; all must pass).
// Pure; never throws.
Result<VerifiedBundle> VerifyBundle(const nlohmann::json& json, const ImportedGenesis& genesis,
                                    const EvidenceLimits& limits = {});
// Parses `text` (at most limits.bundle_text_bytes_max) and verifies it.
Result<VerifiedBundle> VerifyBundleText(std::string_view text, const ImportedGenesis& genesis,
                                        const EvidenceLimits& limits = {});

// ---------------------------------------------------------------- building

// Everything for one record at `log_index`, against `checkpoint` (which must be a
// checkpoint of `ledger`, log_index < its tx_log_size).
Result<EvidenceRecord> BuildEvidenceRecord(const Ledger& ledger, const Checkpoint& checkpoint, uint64_t log_index);

// The transaction with hash `tx_hash`. NotFound if the ledger lacks it,
// OutOfRange if it came after the checkpoint.
Result<nlohmann::json> BuildTransactionBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                              const crypto::Digest& tx_hash, const EvidenceLimits& limits = {});

// Every recorded access to `asset_id` whose block time is in [from_ms, to_ms) and
// that the checkpoint covers. ResourceExhausted if there are more than
// limits.records_max (narrow the range).
Result<nlohmann::json> BuildAssetAccessBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                              std::string_view asset_id, int64_t from_ms, int64_t to_ms,
                                              const EvidenceLimits& limits = {});

// A dispute case: its open_dispute transaction, its close_dispute transaction if
// the checkpoint covers the closing, and every referenced transaction the ledger
// holds under the checkpoint. NotFound if the case is unknown or was opened after
// the checkpoint.
Result<nlohmann::json> BuildDisputeBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                          std::string_view dispute_id, const EvidenceLimits& limits = {});

}  // namespace shulian::ledger
