#include "ledger/merkle_log.h"

#include <bit>
#include <limits>

#include "common/bytes.h"

namespace shulian::ledger {

namespace {

constexpr std::string_view kSizeKeySuffix = "size";
constexpr size_t kDigestBytes = 32;
constexpr uint32_t kLevelsMax = 64;

std::string Num(uint64_t value) { return std::to_string(value); }

leveldb::Slice DigestSlice(const crypto::Digest& digest) {
  return leveldb::Slice(reinterpret_cast<const char*>(digest.bytes.data()), digest.bytes.size());
}

bool HasFrontierNode(uint64_t size, uint32_t level) { return ((size >> level) & 1) == 1; }

// Index of the frontier node at `level`. REQUIRES: HasFrontierNode(size, level).
uint64_t FrontierIndex(uint64_t size, uint32_t level) { return (size >> level) - 1; }

Status FromLevelDb(const leveldb::Status& status, const std::string& what) {
  if (status.IsCorruption()) return Status::Corruption(what + ": " + status.ToString());
  return Status::IoError(what + ": " + status.ToString());
}

}  // namespace

std::string MerkleLog::NodeKey(std::string_view key_prefix, uint32_t level, uint64_t index) {
  ByteWriter writer(key_prefix.size() + 9);
  writer.PutFixed(AsBytes(key_prefix));
  writer.PutU8(static_cast<uint8_t>(level));
  writer.PutU64(index);
  return std::string(AsStringView(writer.bytes()));
}

std::string MerkleLog::SizeKey(std::string_view key_prefix) {
  return std::string(key_prefix) + std::string(kSizeKeySuffix);
}

crypto::Digest MerkleLog::State::Root() const {
  if (size == 0) return crypto::MerkleEmptyRoot();
  // Fold the frontier from the smallest (rightmost) subtree up, as MTH nests them.
  uint32_t level = static_cast<uint32_t>(std::countr_zero(size));
  crypto::Digest root = frontier[level];
  for (++level; level < kLevelsMax; ++level) {
    if (HasFrontierNode(size, level)) root = crypto::MerkleNodeHash(frontier[level], root);
  }
  return root;
}

std::string MerkleLog::Describe() const {
  bool printable = true;
  for (char c : key_prefix_) printable = printable && c >= 0x20 && c < 0x7f;
  return "merkle log \"" + (printable ? key_prefix_ : "0x" + ToHex(AsBytes(key_prefix_))) + "\"";
}

Result<std::unique_ptr<MerkleLog>> MerkleLog::Open(leveldb::DB* db, std::string key_prefix,
                                                   MerkleLogOptions options) {
  if (db == nullptr) return Status::InvalidArgument("MerkleLog::Open: db is null");
  if (key_prefix.empty()) return Status::InvalidArgument("MerkleLog::Open: key_prefix is empty");
  if (options.append_leaves_max == 0) {
    return Status::InvalidArgument("MerkleLog::Open: options.append_leaves_max must be positive");
  }
  std::unique_ptr<MerkleLog> log(new MerkleLog(db, std::move(key_prefix), options));

  std::string value;
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = options.verify_checksums;
  leveldb::Status got = db->Get(read_options, SizeKey(log->key_prefix_), &value);
  if (got.IsNotFound()) return log;  // a new, empty log
  if (!got.ok()) return FromLevelDb(got, log->Describe() + ": reading the size");
  if (value.size() != 8) {
    return Status::Corruption(log->Describe() + ": the size is " + Num(value.size()) +
                              " bytes, expected 8");
  }
  ByteReader reader(AsBytes(value));
  ASSIGN_OR_RETURN(uint64_t size, reader.GetU64());

  State state;
  state.size = size;
  for (uint32_t level = 0; level < kLevelsMax; ++level) {
    if (!HasFrontierNode(size, level)) continue;
    Result<crypto::Digest> node = log->ReadNode(level, FrontierIndex(size, level));
    if (!node.ok()) return node.status().WithContext("opening at size " + Num(size));
    state.frontier[level] = *node;
  }
  log->committed_ = state;
  return log;
}

Result<crypto::Digest> MerkleLog::ReadNode(uint32_t level, uint64_t index) const {
  node_reads_.fetch_add(1, std::memory_order_relaxed);
  std::string value;
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = options_.verify_checksums;
  leveldb::Status got = db_->Get(read_options, NodeKey(key_prefix_, level, index), &value);
  const std::string where = Describe() + ": node level " + Num(level) + " index " + Num(index);
  if (got.IsNotFound()) {
    return Status::Corruption(where + " is missing, though the log holds " +
                              Num(committed_.size) + " leaves");
  }
  if (!got.ok()) return FromLevelDb(got, where);
  if (value.size() != kDigestBytes) {
    return Status::Corruption(where + " is " + Num(value.size()) + " bytes, expected 32");
  }
  crypto::Digest digest;
  for (size_t i = 0; i < kDigestBytes; ++i) digest.bytes[i] = static_cast<uint8_t>(value[i]);
  return digest;
}

Result<MerkleLog::Staged> MerkleLog::StageAppend(std::span<const crypto::Digest> leaf_hashes,
                                                 leveldb::WriteBatch* batch) {
  if (pending_.has_value()) {
    return Status::FailedPrecondition(Describe() +
                                      ": an append is already staged; commit or abort it first");
  }
  if (batch == nullptr) return Status::InvalidArgument("StageAppend: batch is null");
  if (leaf_hashes.size() > options_.append_leaves_max) {
    return Status::InvalidArgument("StageAppend: leaf_hashes has " + Num(leaf_hashes.size()) +
                                   " entries; append_leaves_max is " +
                                   Num(options_.append_leaves_max));
  }
  if (committed_.size > std::numeric_limits<uint64_t>::max() / 2 - leaf_hashes.size()) {
    return Status::OutOfRange(Describe() + ": appending " + Num(leaf_hashes.size()) +
                              " leaves would overflow the log's size");
  }

  // Each leaf is a level-0 node; while a frontier node waits to its left at the
  // same level, the two complete their parent, which is stored in turn.
  State state = committed_;
  for (const crypto::Digest& leaf : leaf_hashes) {
    const uint64_t position = state.size;
    crypto::Digest carry = leaf;
    uint32_t level = 0;
    batch->Put(NodeKey(key_prefix_, level, position), DigestSlice(carry));
    while (HasFrontierNode(state.size, level)) {
      carry = crypto::MerkleNodeHash(state.frontier[level], carry);
      ++level;
      batch->Put(NodeKey(key_prefix_, level, position >> level), DigestSlice(carry));
    }
    state.frontier[level] = carry;
    ++state.size;
  }
  ByteWriter size_value(8);
  size_value.PutU64(state.size);
  const std::string_view size_bytes = AsStringView(size_value.bytes());
  batch->Put(SizeKey(key_prefix_), leveldb::Slice(size_bytes.data(), size_bytes.size()));

  pending_ = state;
  return Staged{state.size, state.Root()};
}

void MerkleLog::CommitStaged() {
  assert(pending_.has_value() && "CommitStaged without a staged append");
  if (!pending_.has_value()) return;
  committed_ = *pending_;
  pending_.reset();
}

void MerkleLog::AbortStaged() { pending_.reset(); }

Result<crypto::Digest> MerkleLog::PerfectSubtree(uint32_t level, uint64_t index) const {
  if (level >= kLevelsMax || index >= (committed_.size >> level)) {
    return Status::OutOfRange(Describe() + ": no complete subtree at level " + Num(level) +
                              " index " + Num(index) + " in " + Num(committed_.size) + " leaves");
  }
  if (HasFrontierNode(committed_.size, level) && index == FrontierIndex(committed_.size, level)) {
    return committed_.frontier[level];
  }
  return ReadNode(level, index);
}

Result<crypto::Digest> MerkleLog::Root(uint64_t tree_size) const {
  if (tree_size == committed_.size) return committed_.Root();
  return crypto::MerkleRoot(*this, tree_size);
}

Result<std::vector<crypto::Digest>> MerkleLog::InclusionProof(uint64_t leaf_index,
                                                              uint64_t tree_size) const {
  return crypto::MerkleInclusionProof(*this, leaf_index, tree_size);
}

Result<std::vector<crypto::Digest>> MerkleLog::ConsistencyProof(uint64_t old_size,
                                                                uint64_t new_size) const {
  return crypto::MerkleConsistencyProof(*this, old_size, new_size);
}

}  // namespace shulian::ledger
