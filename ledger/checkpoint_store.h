// CheckpointStore: the node-local record of checkpoint signatures — its own and
// its peers' — and of the cosigned checkpoints assembled from them. This is NOT
// replicated ledger state: each node collects signatures over the peer transport
// at its own pace, so two nodes may hold different (equally valid) signer sets
// for one height.
//
// Key layout (prefix "c/", docs/storage.md):
//   c/s/<u64 height><u64 node_id> -> 64-byte signature over CheckpointAt(height)
//   c/c/<u64 height>              -> CosignedCheckpoint::Encode()
//
// Every signature is verified before it is stored, against the ledger's own
// CheckpointAt(height) and the validator set at that checkpoint's tx_log_size, so
// the store never holds a signature that does not count. Heights above the
// ledger's applied height are refused (the caller buffers those), which bounds the
// store to (applied heights) × (validators).
//
// Durability: writes are not synced by default (options.sync_writes). A crash may
// lose the newest signatures; a node re-signs its own and asks its peers again,
// and a cosigned checkpoint is reassembled by TryCosign.
//
// Ownership: borrows the Ledger and its database, which must outlive the store.
// Thread-safety: not thread-safe; the owner serialises calls together with the
// Ledger's ApplyBlock (const methods may run concurrently with each other and with
// the Ledger's const methods).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ledger/checkpoint.h"
#include "ledger/ledger.h"

namespace shulian::ledger {

inline constexpr std::string_view kCheckpointKeyPrefix = "c/";
inline constexpr std::string_view kCheckpointSignatureKeyPrefix = "c/s/";
inline constexpr std::string_view kCosignedCheckpointKeyPrefix = "c/c/";

struct CheckpointStoreOptions {
  bool sync_writes = false;
  CheckpointLimits limits;
};

class CheckpointStore {
 public:
  // `ledger` is not owned; its db() holds the c/ keys.
  explicit CheckpointStore(Ledger& ledger, CheckpointStoreOptions options = {});

  // Verifies and stores a validator's signature over CheckpointAt(height).
  // Idempotent: storing a signer already stored for that height is OK and keeps
  // the first. OutOfRange above the applied height; PermissionDenied if the signer
  // is not in the checkpoint's validator set or the signature does not verify.
  Status PutSignature(uint64_t height, const CheckpointSignature& signature);
  // Signs CheckpointAt(height) with `node_key` as `node_id` and stores it.
  // Returns the signature (to send to peers).
  Result<CheckpointSignature> SignAndPut(uint64_t height, uint64_t node_id, const crypto::KeyPair& node_key);
  // The stored signatures for `height`, by node id (possibly none).
  Result<std::vector<CheckpointSignature>> Signatures(uint64_t height) const;

  // Verifies (checkpoint equal to this ledger's CheckpointAt, VerifyCosigned with
  // the set at its tx_log_size) and stores a cosigned checkpoint, replacing any
  // stored for that height. InvalidArgument / PermissionDenied naming the check.
  Status PutCosigned(const CosignedCheckpoint& cosigned);
  // NotFound if no cosigned checkpoint is stored for `height`.
  Result<CosignedCheckpoint> Cosigned(uint64_t height) const;
  // The cosigned checkpoint of `height` as `snapshot` (of this store's ledger)
  // sees it; nullopt if none. Reads only the snapshot, so it needs no lock.
  Result<std::optional<CosignedCheckpoint>> CosignedIn(const StoreSnapshot& snapshot, uint64_t height) const;
  // The cosigned checkpoint of the greatest height, if any.
  Result<std::optional<CosignedCheckpoint>> LatestCosigned() const;

  // If a cosigned checkpoint for `height` is stored, returns it. Otherwise, once
  // the stored signatures reach the quorum of the checkpoint's validator set,
  // assembles, stores and returns the cosigned checkpoint (all stored signers);
  // std::nullopt while short of a quorum.
  Result<std::optional<CosignedCheckpoint>> TryCosign(uint64_t height);

  // Key encodings, for tools and tests.
  static std::string SignatureKey(uint64_t height, uint64_t node_id);
  static std::string CosignedKey(uint64_t height);

 private:
  Status Write(std::string_view key, ByteView value);

  Ledger& ledger_;
  const CheckpointStoreOptions options_;
};

}  // namespace shulian::ledger
