#include "ledger/checkpoint_store.h"

#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <memory>
#include <string>

namespace shulian::ledger {
namespace {

constexpr size_t kSignatureBytes = 64;

std::string Num(uint64_t value) { return std::to_string(value); }

leveldb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

std::string HeightPrefix(std::string_view prefix, uint64_t height) {
  ByteWriter w(prefix.size() + 8);
  w.PutFixed(AsBytes(prefix));
  w.PutU64(height);
  return std::string(AsStringView(w.bytes()));
}

Result<std::string> Get(leveldb::DB& db, const std::string& key, std::string_view what) {
  std::string value;
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  leveldb::Status status = db.Get(options, ToSlice(key), &value);
  if (status.IsNotFound()) return Status::NotFound(std::string(what) + " is not stored");
  if (status.IsCorruption()) return Status::Corruption("reading " + std::string(what) + ": " + status.ToString());
  if (!status.ok()) return Status::IoError("reading " + std::string(what) + ": " + status.ToString());
  return value;
}

std::string AtHeight(uint64_t height) { return "checkpoint at height " + Num(height); }

}  // namespace

CheckpointStore::CheckpointStore(Ledger& ledger, CheckpointStoreOptions options)
    : ledger_(ledger), options_(options) {}

std::string CheckpointStore::SignatureKey(uint64_t height, uint64_t node_id) {
  ByteWriter w(kCheckpointSignatureKeyPrefix.size() + 16);
  w.PutFixed(AsBytes(kCheckpointSignatureKeyPrefix));
  w.PutU64(height);
  w.PutU64(node_id);
  return std::string(AsStringView(w.bytes()));
}

std::string CheckpointStore::CosignedKey(uint64_t height) { return HeightPrefix(kCosignedCheckpointKeyPrefix, height); }

Status CheckpointStore::Write(std::string_view key, ByteView value) {
  leveldb::WriteOptions options;
  options.sync = options_.sync_writes;
  leveldb::Status status = ledger_.db()->Put(options, ToSlice(key), ToSlice(AsStringView(value)));
  if (!status.ok()) return Status::IoError("writing a checkpoint record: " + status.ToString());
  return Status::Ok();
}

Status CheckpointStore::PutSignature(uint64_t height, const CheckpointSignature& signature) {
  if (height > ledger_.height()) {
    return Status::OutOfRange(AtHeight(height) + ": above the applied height " + Num(ledger_.height()));
  }
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ledger_.CheckpointAt(height));
  ASSIGN_OR_RETURN(ValidatorSet set, ledger_.ValidatorSetAtTxSize(checkpoint.tx_log_size));
  Status valid = VerifyCheckpointSignature(checkpoint, signature, set);
  if (!valid.ok()) return valid.WithContext(AtHeight(height));
  const std::string key = SignatureKey(height, signature.node_id);
  Result<std::string> stored = Get(*ledger_.db(), key, "checkpoint signature");
  if (stored.ok()) return Status::Ok();  // idempotent: the first valid one stays
  if (stored.status().code() != ErrorCode::kNotFound) return stored.status();
  return Write(key, signature.signature.bytes);
}

Result<CheckpointSignature> CheckpointStore::SignAndPut(uint64_t height, uint64_t node_id,
                                                        const crypto::KeyPair& node_key) {
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ledger_.CheckpointAt(height));
  CheckpointSignature signature{node_id, checkpoint.Sign(node_key)};
  RETURN_IF_ERROR(PutSignature(height, signature));
  return signature;
}

Result<std::vector<CheckpointSignature>> CheckpointStore::Signatures(uint64_t height) const {
  const std::string prefix = HeightPrefix(kCheckpointSignatureKeyPrefix, height);
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(ledger_.db()->NewIterator(options));
  std::vector<CheckpointSignature> out;
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    if (out.size() >= options_.limits.signatures_max) {
      return Status::Corruption(AtHeight(height) + ": more than " + Num(options_.limits.signatures_max) +
                                " stored signatures");
    }
    ByteReader key(AsBytes(std::string_view(it->key().data(), it->key().size())).subspan(prefix.size()));
    Result<uint64_t> node_id = key.GetU64();
    if (!node_id.ok() || !key.Finish().ok() || it->value().size() != kSignatureBytes) {
      return Status::Corruption(AtHeight(height) + ": malformed stored signature");
    }
    CheckpointSignature signature;
    signature.node_id = *node_id;
    std::copy_n(it->value().data(), kSignatureBytes, signature.signature.bytes.begin());
    out.push_back(signature);
  }
  if (!it->status().ok()) return Status::IoError("scanning checkpoint signatures: " + it->status().ToString());
  return out;
}

Status CheckpointStore::PutCosigned(const CosignedCheckpoint& cosigned) {
  const uint64_t height = cosigned.checkpoint.height;
  if (height > ledger_.height()) {
    return Status::OutOfRange(AtHeight(height) + ": above the applied height " + Num(ledger_.height()));
  }
  ASSIGN_OR_RETURN(Checkpoint ours, ledger_.CheckpointAt(height));
  if (cosigned.checkpoint != ours) {
    return Status::InvalidArgument(AtHeight(height) + ": the cosigned checkpoint is not this ledger's");
  }
  ASSIGN_OR_RETURN(ValidatorSet set, ledger_.ValidatorSetAtTxSize(ours.tx_log_size));
  RETURN_IF_ERROR(VerifyCosigned(cosigned, set));
  return Write(CosignedKey(height), cosigned.Encode());
}

namespace {

// The cosigned checkpoint stored for `height`, checked to be that height's.
Result<CosignedCheckpoint> DecodeStoredCosigned(uint64_t height, std::string_view stored,
                                                const CheckpointLimits& limits) {
  Result<CosignedCheckpoint> cosigned = CosignedCheckpoint::Decode(AsBytes(stored), limits);
  if (!cosigned.ok()) {
    return Status::Corruption("stored cosigned " + AtHeight(height) + " does not decode: " +
                              cosigned.status().message());
  }
  if (cosigned->checkpoint.height != height) {
    return Status::Corruption("stored cosigned " + AtHeight(height) + " names height " +
                              Num(cosigned->checkpoint.height));
  }
  return cosigned;
}

}  // namespace

Result<CosignedCheckpoint> CheckpointStore::Cosigned(uint64_t height) const {
  ASSIGN_OR_RETURN(std::string stored,
                   Get(*ledger_.db(), CosignedKey(height), "cosigned " + AtHeight(height)));
  return DecodeStoredCosigned(height, stored, options_.limits);
}

Result<std::optional<CosignedCheckpoint>> CheckpointStore::CosignedIn(const StoreSnapshot& snapshot,
                                                                      uint64_t height) const {
  ASSIGN_OR_RETURN(std::optional<std::string> stored, snapshot.Get(CosignedKey(height)));
  if (!stored) return std::optional<CosignedCheckpoint>();
  ASSIGN_OR_RETURN(CosignedCheckpoint cosigned, DecodeStoredCosigned(height, *stored, options_.limits));
  return std::optional<CosignedCheckpoint>(std::move(cosigned));
}

Result<std::optional<CosignedCheckpoint>> CheckpointStore::LatestCosigned() const {
  // The last key under c/c/ is just before the first key past the prefix.
  std::string past = std::string(kCosignedCheckpointKeyPrefix);
  past.back() = static_cast<char>(past.back() + 1);
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(ledger_.db()->NewIterator(options));
  it->Seek(ToSlice(past));
  if (it->Valid()) {
    it->Prev();
  } else {
    it->SeekToLast();
  }
  if (!it->status().ok()) return Status::IoError("finding the latest cosigned checkpoint: " + it->status().ToString());
  if (!it->Valid() || !it->key().starts_with(ToSlice(kCosignedCheckpointKeyPrefix))) {
    return std::optional<CosignedCheckpoint>();
  }
  ByteReader key(AsBytes(std::string_view(it->key().data(), it->key().size())).subspan(kCosignedCheckpointKeyPrefix.size()));
  Result<uint64_t> height = key.GetU64();
  if (!height.ok() || !key.Finish().ok()) return Status::Corruption("malformed cosigned checkpoint key");
  ASSIGN_OR_RETURN(CosignedCheckpoint cosigned, Cosigned(*height));
  return std::optional<CosignedCheckpoint>(std::move(cosigned));
}

Result<std::optional<CosignedCheckpoint>> CheckpointStore::TryCosign(uint64_t height) {
  Result<CosignedCheckpoint> stored = Cosigned(height);
  if (stored.ok()) return std::optional<CosignedCheckpoint>(std::move(stored).value());
  if (stored.status().code() != ErrorCode::kNotFound) return stored.status();
  if (height > ledger_.height()) {
    return Status::OutOfRange(AtHeight(height) + ": above the applied height " + Num(ledger_.height()));
  }
  CosignedCheckpoint cosigned;
  ASSIGN_OR_RETURN(cosigned.checkpoint, ledger_.CheckpointAt(height));
  ASSIGN_OR_RETURN(ValidatorSet set, ledger_.ValidatorSetAtTxSize(cosigned.checkpoint.tx_log_size));
  ASSIGN_OR_RETURN(cosigned.signatures, Signatures(height));  // by node id: the key order
  if (cosigned.signatures.size() < set.Quorum()) return std::optional<CosignedCheckpoint>();
  RETURN_IF_ERROR(PutCosigned(cosigned));
  return std::optional<CosignedCheckpoint>(std::move(cosigned));
}

}  // namespace shulian::ledger
