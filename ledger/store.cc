#include "ledger/store.h"

#include <algorithm>
#include <string>

#include "crypto/merkle.h"
#include "leveldb/cache.h"
#include "leveldb/db.h"
#include "leveldb/filter_policy.h"
#include "leveldb/write_batch.h"

namespace shulian::ledger {
namespace {

constexpr size_t kTxLocationBytes = 8 + 4 + 8;

leveldb::Slice ToSlice(std::string_view s) {
  return {s.data(), s.size()};
}
leveldb::Slice ToSlice(ByteView b) {
  return ToSlice(AsStringView(b));
}

std::string KeyWithBytes(std::string_view prefix, ByteView bytes) {
  std::string key(prefix);
  key.append(AsStringView(bytes));
  return key;
}

std::string EncodeU64(uint64_t value) {
  ByteWriter writer(8);
  writer.PutU64(value);
  return std::string(AsStringView(writer.bytes()));
}

std::string HeightContext(uint64_t height) {
  return "height " + std::to_string(height);
}

Status FromLevelDb(const leveldb::Status& status, std::string_view what) {
  const std::string message = std::string(what) + ": " + status.ToString();
  if (status.IsNotFound()) return Status::NotFound(message);
  if (status.IsCorruption()) return Status::Corruption(message);
  if (status.IsInvalidArgument()) return Status::InvalidArgument(message);
  return Status::IoError(message);
}

// Reads `key`; NotFound if absent, IoError/Corruption from LevelDB as they come.
// LevelDB's Get is not declared const but is safe to call concurrently.
// `snapshot` (may be null: the latest state) is the view read.
Result<std::string> Get(const leveldb::DB& db, std::string_view key,
                        const leveldb::Snapshot* snapshot = nullptr) {
  std::string value;
  leveldb::ReadOptions read_options;
  read_options.verify_checksums = true;
  read_options.snapshot = snapshot;
  leveldb::Status status = const_cast<leveldb::DB&>(db).Get(read_options, ToSlice(key), &value);
  if (!status.ok()) return FromLevelDb(status, "reading " + std::string(key));
  return value;
}

// A key the store must hold once initialised: its absence is corruption.
Result<std::string> GetRequired(const leveldb::DB& db, std::string_view key) {
  auto value = Get(db, key);
  if (!value.ok() && value.status().code() == ErrorCode::kNotFound) {
    return Status::Corruption(std::string(key) + " is missing");
  }
  return value;
}

Result<uint64_t> DecodeU64Value(std::string_view value, std::string_view what) {
  ByteReader reader(AsBytes(value));
  auto number = reader.GetU64();
  if (!number.ok() || !reader.Finish().ok()) {
    return Status::Corruption(std::string(what) + ": expected 8 bytes, found " +
                              std::to_string(value.size()));
  }
  return *number;
}

Result<crypto::Digest> DecodeDigestValue(std::string_view value, std::string_view what) {
  if (value.size() != 32) {
    return Status::Corruption(std::string(what) + ": expected 32 bytes, found " +
                              std::to_string(value.size()));
  }
  crypto::Digest digest;
  std::copy(value.begin(), value.end(), digest.bytes.begin());
  return digest;
}

std::string EncodeTxLocation(const TxLocation& location) {
  ByteWriter writer(kTxLocationBytes);
  writer.PutU64(location.height);
  writer.PutU32(location.position);
  writer.PutU64(location.log_index);
  return std::string(AsStringView(writer.bytes()));
}

Result<TxLocation> DecodeTxLocation(std::string_view value) {
  ByteReader reader(AsBytes(value));
  TxLocation location;
  auto height = reader.GetU64();
  auto position = reader.GetU32();
  auto log_index = reader.GetU64();
  if (!height.ok() || !position.ok() || !log_index.ok() || !reader.Finish().ok()) {
    return Status::Corruption("transaction index entry: expected " + std::to_string(kTxLocationBytes) +
                              " bytes, found " + std::to_string(value.size()));
  }
  location.height = *height;
  location.position = *position;
  location.log_index = *log_index;
  return location;
}

Status WriteSynced(leveldb::DB& db, leveldb::WriteBatch& batch, std::string_view what) {
  leveldb::WriteOptions write_options;
  write_options.sync = true;  // the block is durable before AppendBlock returns OK
  leveldb::Status status = db.Write(write_options, &batch);
  if (!status.ok()) return FromLevelDb(status, what);
  return Status::Ok();
}

// The encoded bytes, hashes and Merkle leaf hashes of a block's transactions,
// computed once per append.
struct EncodedTransactions {
  std::vector<Bytes> bytes;
  std::vector<crypto::Digest> hashes;
  std::vector<crypto::Digest> leaf_hashes;
};

EncodedTransactions EncodeTransactions(const std::vector<Transaction>& transactions) {
  EncodedTransactions out;
  out.bytes.reserve(transactions.size());
  out.hashes.reserve(transactions.size());
  out.leaf_hashes.reserve(transactions.size());
  for (const Transaction& tx : transactions) {
    out.bytes.push_back(tx.Encode());
    out.hashes.push_back(crypto::Sha256(out.bytes.back()));
    out.leaf_hashes.push_back(crypto::MerkleLeafHash(out.bytes.back()));
  }
  return out;
}

Status CheckNoRepeats(std::vector<crypto::Digest> hashes) {
  std::sort(hashes.begin(), hashes.end());
  auto repeated = std::adjacent_find(hashes.begin(), hashes.end());
  if (repeated != hashes.end()) {
    return Status::AlreadyExists("block.transactions: transaction " + repeated->ToHex() +
                                 " appears more than once");
  }
  return Status::Ok();
}

}  // namespace

std::string BlockKey(uint64_t height) {
  return std::string(kBlockKeyPrefix) + EncodeU64(height);
}
std::string BlockHashKey(const crypto::Digest& hash) {
  return KeyWithBytes(kBlockHashKeyPrefix, hash.view());
}
std::string TxKey(const crypto::Digest& tx_hash) {
  return KeyWithBytes(kTxKeyPrefix, tx_hash.view());
}

Status VerifyBlockSignatures(const Block& block, const crypto::Digest& genesis_hash, const NodeKeyLookup& node_keys,
                             const AccountKeyLookup& account_keys, SignatureCheckCounts* counts) {
  const uint64_t height = block.header.height;
  auto proposer_key = node_keys(block.header.proposer);
  if (!proposer_key.ok()) {
    return proposer_key.status().WithContext(HeightContext(height) + ": key of proposer " +
                                             std::to_string(block.header.proposer));
  }
  if (!block.VerifySignature(*proposer_key)) {
    return Status::PermissionDenied(HeightContext(height) + ": block signature of proposer " +
                                    std::to_string(block.header.proposer) + " does not verify");
  }
  if (!account_keys) return Status::Ok();
  for (size_t i = 0; i < block.transactions.size(); ++i) {
    const Transaction& tx = block.transactions[i];
    auto sender_key = account_keys(tx.sender, height);
    if (!sender_key.ok() && sender_key.status().code() == ErrorCode::kNotFound) {
      if (counts != nullptr) ++counts->transactions_skipped;
      continue;
    }
    const std::string where = HeightContext(height) + ": transaction " + std::to_string(i);
    if (!sender_key.ok()) return sender_key.status().WithContext(where + ": key of sender " + tx.sender);
    if (!tx.VerifySignature(*sender_key, genesis_hash)) {
      return Status::PermissionDenied(where + ": signature of sender " + tx.sender + " does not verify");
    }
    if (counts != nullptr) ++counts->transactions_verified;
  }
  return Status::Ok();
}

Result<std::unique_ptr<BlockStore>> BlockStore::Open(const StoreOptions& options) {
  std::unique_ptr<BlockStore> store(new BlockStore());
  RETURN_IF_ERROR(store->Initialize(options));
  return store;
}

BlockStore::~BlockStore() = default;

Status BlockStore::Initialize(const StoreOptions& options) {
  limits_ = options.limits;
  genesis_hash_ = options.genesis_hash;

  leveldb::Options db_options;
  db_options.create_if_missing = options.create_if_missing;
  db_options.paranoid_checks = true;
  db_options.write_buffer_size = options.write_buffer_bytes;
  block_cache_.reset(leveldb::NewLRUCache(options.cache_bytes));
  db_options.block_cache = block_cache_.get();
  if (options.bloom_bits_per_key > 0) {
    filter_policy_.reset(leveldb::NewBloomFilterPolicy(options.bloom_bits_per_key));
    db_options.filter_policy = filter_policy_.get();
  }
  leveldb::DB* raw_db = nullptr;
  leveldb::Status opened = leveldb::DB::Open(db_options, options.path.string(), &raw_db);
  if (!opened.ok()) return FromLevelDb(opened, "opening block store " + options.path.string());
  db_.reset(raw_db);

  RETURN_IF_ERROR(InitializeOrCheckGenesis(options.create_if_missing));
  RETURN_IF_ERROR(LoadMeta());
  auto log = MerkleLog::Open(db_.get(), std::string(kTxLogKeyPrefix));
  if (!log.ok()) {
    return Status::Corruption(HeightContext(height_) +
                              ": opening the transaction Merkle log: " + log.status().ToString());
  }
  tx_log_ = std::move(log).value();
  return CheckHead();
}

// A store without meta/genesis is new: if creating is allowed it records the
// genesis hash and an empty head in one synced batch. One that has it must match
// the configuration.
Status BlockStore::InitializeOrCheckGenesis(bool create_if_missing) {
  auto stored = Get(*db_, kMetaGenesisKey);
  if (stored.ok()) {
    ASSIGN_OR_RETURN(crypto::Digest genesis, DecodeDigestValue(*stored, kMetaGenesisKey));
    if (genesis != genesis_hash_) {
      return Status::Corruption("genesis hash: the store holds " + genesis.ToHex() +
                                ", the configuration says " + genesis_hash_.ToHex());
    }
    return Status::Ok();
  }
  if (stored.status().code() != ErrorCode::kNotFound) return stored.status();
  if (!create_if_missing) {
    return Status::NotFound(
        "no block store in this database (meta/genesis is absent) and create_if_missing is off");
  }
  if (Get(*db_, BlockKey(1)).ok()) {
    return Status::Corruption("meta/genesis is missing but the store holds block 1");
  }
  leveldb::WriteBatch batch;
  batch.Put(ToSlice(kMetaGenesisKey), ToSlice(genesis_hash_.view()));
  batch.Put(ToSlice(kMetaHeightKey), ToSlice(EncodeU64(0)));
  batch.Put(ToSlice(kMetaHeadKey), ToSlice(genesis_hash_.view()));
  return WriteSynced(*db_, batch, "initialising the block store");
}

Status BlockStore::LoadMeta() {
  ASSIGN_OR_RETURN(std::string height_value, GetRequired(*db_, kMetaHeightKey));
  ASSIGN_OR_RETURN(height_, DecodeU64Value(height_value, kMetaHeightKey));
  ASSIGN_OR_RETURN(std::string head_value, GetRequired(*db_, kMetaHeadKey));
  ASSIGN_OR_RETURN(head_hash_, DecodeDigestValue(head_value, kMetaHeadKey));
  return Status::Ok();
}

Status BlockStore::CheckHead() {
  if (Get(*db_, BlockKey(height_ + 1)).ok()) {
    return Status::Corruption(HeightContext(height_ + 1) + ": a block is stored past the applied height " +
                              std::to_string(height_));
  }
  if (height_ == 0) {
    if (head_hash_ != genesis_hash_) {
      return Status::Corruption("height 0: meta/head is not the genesis hash");
    }
    if (tx_log_->size() != 0) {
      return Status::Corruption("height 0: the transaction log holds " + std::to_string(tx_log_->size()) +
                                " leaves, expected none");
    }
    head_time_ms_ = 0;
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(Block head, GetBlock(height_));
  RETURN_IF_ERROR(CheckHeadBlock(head));
  head_time_ms_ = head.header.time_ms;
  return Status::Ok();
}

// The head is what every later append builds on, so Open checks it fully: its
// hash, its link to the previous block, its indexes, and the log's size, root
// and last leaves.
Status BlockStore::CheckHeadBlock(const Block& head) const {
  const std::string where = HeightContext(height_);
  const crypto::Digest hash = head.header.Hash();
  if (hash != head_hash_) {
    return Status::Corruption(where + ": head block hash " + hash.ToHex() + " does not match meta/head " +
                              head_hash_.ToHex());
  }
  crypto::Digest previous_hash = genesis_hash_;
  int64_t previous_time_ms = head.header.time_ms;
  if (height_ > 1) {
    ASSIGN_OR_RETURN(Block previous, GetBlock(height_ - 1));
    previous_hash = previous.header.Hash();
    previous_time_ms = previous.header.time_ms;
  }
  if (head.header.previous_hash != previous_hash) {
    return Status::Corruption(where + ": previous_hash does not link to block " +
                              std::to_string(height_ - 1));
  }
  if (head.header.time_ms < previous_time_ms) {
    return Status::Corruption(where + ": time_ms goes back from block " + std::to_string(height_ - 1));
  }
  RETURN_IF_ERROR(CheckHeadIndexes(head));
  return CheckHeadLog(head);
}

Status BlockStore::CheckHeadIndexes(const Block& head) const {
  const std::string where = HeightContext(height_);
  auto by_hash = GetBlockByHash(head_hash_);
  if (!by_hash.ok()) return Status::Corruption(where + ": block hash index: " + by_hash.status().message());
  const uint64_t first_log_index = head.header.tx_log_size - head.transactions.size();
  for (size_t i = 0; i < head.transactions.size(); ++i) {
    const TxLocation expected{height_, static_cast<uint32_t>(i), first_log_index + i};
    auto found = FindTransaction(head.transactions[i].Hash());
    if (!found.ok() || *found != expected) {
      return Status::Corruption(where + ": transaction " + std::to_string(i) +
                                " is not indexed at its place");
    }
  }
  return Status::Ok();
}

// Each of the head's transactions must be the log leaf its position says, which
// an inclusion proof against the header's root shows in O(log n) reads per leaf.
Status BlockStore::CheckHeadLog(const Block& head) const {
  const std::string where = HeightContext(height_);
  const uint64_t size = head.header.tx_log_size;
  if (tx_log_->size() != size) {
    return Status::Corruption(where + ": the transaction log holds " + std::to_string(tx_log_->size()) +
                              " leaves, the head block says " + std::to_string(size));
  }
  if (size < head.transactions.size()) {
    return Status::Corruption(where + ": tx_log_size " + std::to_string(size) + " is less than tx_count");
  }
  auto root = tx_log_->Root(size);
  if (!root.ok()) return Status::Corruption(where + ": transaction log root: " + root.status().message());
  if (*root != head.header.tx_log_root) {
    return Status::Corruption(where + ": the transaction log root " + root->ToHex() +
                              " does not match the head block's tx_log_root " +
                              head.header.tx_log_root.ToHex());
  }
  const uint64_t first_log_index = size - head.transactions.size();
  for (size_t i = 0; i < head.transactions.size(); ++i) {
    const uint64_t log_index = first_log_index + i;
    auto proof = tx_log_->InclusionProof(log_index, size);
    Status included = proof.ok() ? crypto::VerifyMerkleInclusion(
                                       log_index, size, crypto::MerkleLeafHash(head.transactions[i].Encode()),
                                       *proof, *root)
                                 : proof.status();
    if (!included.ok()) {
      return Status::Corruption(where + ": transaction " + std::to_string(i) + " is not log leaf " +
                                std::to_string(log_index) + ": " + included.message());
    }
  }
  return Status::Ok();
}

Status BlockStore::ValidateAgainstHead(const Block& block) const {
  const BlockHeader& header = block.header;
  if (header.height != height_ + 1) {
    return Status::InvalidArgument("block.height: expected " + std::to_string(height_ + 1) + ", got " +
                                   std::to_string(header.height));
  }
  if (header.previous_hash != head_hash_) {
    return Status::InvalidArgument("block.previous_hash: " + header.previous_hash.ToHex() +
                                   " is not the head hash " + head_hash_.ToHex());
  }
  if (height_ > 0 && header.time_ms < head_time_ms_) {
    return Status::InvalidArgument("block.time_ms: " + std::to_string(header.time_ms) +
                                   " is before the head's time " + std::to_string(head_time_ms_));
  }
  if (block.transactions.size() > limits_.transactions_max) {
    return Status::InvalidArgument("block.transactions: " + std::to_string(block.transactions.size()) +
                                   " transactions, limit is " + std::to_string(limits_.transactions_max));
  }
  if (header.tx_count != block.transactions.size()) {
    return Status::InvalidArgument("block.tx_count: header says " + std::to_string(header.tx_count) +
                                   ", block carries " + std::to_string(block.transactions.size()));
  }
  return Status::Ok();
}

Status BlockStore::CheckNoStoredDuplicates(const std::vector<crypto::Digest>& tx_hashes) const {
  for (size_t i = 0; i < tx_hashes.size(); ++i) {
    auto found = FindTransaction(tx_hashes[i]);
    if (found.ok()) {
      return Status::AlreadyExists("block.transactions[" + std::to_string(i) + "]: transaction " +
                                   tx_hashes[i].ToHex() + " is already in block " +
                                   std::to_string(found->height));
    }
    if (found.status().code() != ErrorCode::kNotFound) return found.status();
  }
  return Status::Ok();
}

Status BlockStore::AppendBlock(const Block& block, leveldb::WriteBatch* extra_writes,
                               const std::function<void()>& before_write) {
  RETURN_IF_ERROR(ValidateAgainstHead(block));
  const Bytes encoded = block.Encode();
  // What is stored must decode again under the same limits, or the next Open fails.
  auto decodable = Block::Decode(encoded, limits_);
  if (!decodable.ok()) return decodable.status();

  const EncodedTransactions txs = EncodeTransactions(block.transactions);
  RETURN_IF_ERROR(CheckNoRepeats(txs.hashes));
  RETURN_IF_ERROR(CheckNoStoredDuplicates(txs.hashes));

  // The caller's writes go first so that none of them can overwrite a key of ours.
  leveldb::WriteBatch batch;
  if (extra_writes != nullptr) batch.Append(*extra_writes);
  auto staged = tx_log_->StageAppend(txs.leaf_hashes, &batch);
  if (!staged.ok()) {
    tx_log_->AbortStaged();
    return staged.status().WithContext("staging the block's transactions in the log");
  }
  if (staged->size != block.header.tx_log_size || staged->root != block.header.tx_log_root) {
    tx_log_->AbortStaged();
    return Status::InvalidArgument("block.tx_log_size/tx_log_root: header says " +
                                   std::to_string(block.header.tx_log_size) + "/" +
                                   block.header.tx_log_root.ToHex() + ", the log after this block is " +
                                   std::to_string(staged->size) + "/" + staged->root.ToHex());
  }

  const crypto::Digest hash = block.header.Hash();
  const uint64_t height = block.header.height;
  const uint64_t first_log_index = staged->size - block.transactions.size();
  batch.Put(ToSlice(BlockKey(height)), ToSlice(encoded));
  batch.Put(ToSlice(BlockHashKey(hash)), ToSlice(EncodeU64(height)));
  for (size_t i = 0; i < txs.hashes.size(); ++i) {
    const TxLocation location{height, static_cast<uint32_t>(i), first_log_index + i};
    batch.Put(ToSlice(TxKey(txs.hashes[i])), ToSlice(EncodeTxLocation(location)));
  }
  batch.Put(ToSlice(kMetaHeightKey), ToSlice(EncodeU64(height)));
  batch.Put(ToSlice(kMetaHeadKey), ToSlice(hash.view()));

  if (before_write) before_write();
  Status written = WriteSynced(*db_, batch, "writing block " + std::to_string(height));
  if (!written.ok()) {
    tx_log_->AbortStaged();
    return written;
  }
  tx_log_->CommitStaged();
  height_ = height;
  head_hash_ = hash;
  head_time_ms_ = block.header.time_ms;
  return Status::Ok();
}

Result<std::pair<uint64_t, crypto::Digest>> BlockStore::PreviewTxLog(
    const std::vector<Transaction>& transactions) {
  const EncodedTransactions txs = EncodeTransactions(transactions);
  leveldb::WriteBatch scratch;  // discarded: a preview writes nothing
  auto staged = tx_log_->StageAppend(txs.leaf_hashes, &scratch);
  tx_log_->AbortStaged();
  if (!staged.ok()) return staged.status();
  return std::make_pair(staged->size, staged->root);
}

namespace {

// The block stored for `height` (read as `value`), checked to be that block.
Result<Block> DecodeStoredBlock(uint64_t height, const Result<std::string>& value,
                                const BlockLimits& limits) {
  const std::string where = HeightContext(height);
  if (!value.ok())
    return Status::Corruption(where + ": stored block unreadable: " + value.status().message());
  auto block = Block::Decode(AsBytes(*value), limits);
  if (!block.ok())
    return Status::Corruption(where + ": stored block does not decode: " + block.status().message());
  if (block->header.height != height) {
    return Status::Corruption(where + ": stored block says height " + std::to_string(block->header.height));
  }
  return block;
}

Status NoBlockAt(uint64_t height, uint64_t head) {
  return Status::NotFound("no block at height " + std::to_string(height) + " (head is " +
                          std::to_string(head) + ")");
}

}  // namespace

Result<Block> BlockStore::GetBlock(uint64_t height) const {
  if (height == 0 || height > height_) return NoBlockAt(height, height_);
  return DecodeStoredBlock(height, Get(*db_, BlockKey(height)), limits_);
}

StoreSnapshot::StoreSnapshot(const BlockStore& store)
    : db_(const_cast<leveldb::DB*>(store.db())),
      snapshot_(db_->GetSnapshot()),
      limits_(store.limits()),
      height_(store.height()) {}

StoreSnapshot::~StoreSnapshot() {
  db_->ReleaseSnapshot(snapshot_);
}

Result<Block> StoreSnapshot::GetBlock(uint64_t height) const {
  if (height == 0 || height > height_) return NoBlockAt(height, height_);
  return DecodeStoredBlock(height, shulian::ledger::Get(*db_, BlockKey(height), snapshot_), limits_);
}

Result<std::optional<std::string>> StoreSnapshot::Get(std::string_view key) const {
  Result<std::string> value = shulian::ledger::Get(*db_, key, snapshot_);
  if (value.ok()) return std::optional<std::string>(std::move(value).value());
  if (value.status().code() == ErrorCode::kNotFound) return std::optional<std::string>();
  return value.status();
}

Result<uint64_t> BlockStore::FindBlockHeight(const crypto::Digest& hash) const {
  auto value = Get(*db_, BlockHashKey(hash));
  if (!value.ok()) {
    if (value.status().code() == ErrorCode::kNotFound)
      return Status::NotFound("no block with hash " + hash.ToHex());
    return value.status();
  }
  return DecodeU64Value(*value, "block hash index entry");
}

Result<Block> BlockStore::GetBlockByHash(const crypto::Digest& hash) const {
  ASSIGN_OR_RETURN(uint64_t height, FindBlockHeight(hash));
  ASSIGN_OR_RETURN(Block block, GetBlock(height));
  if (block.header.Hash() != hash) {
    return Status::Corruption(HeightContext(height) +
                              ": block hash index points at a block with another hash");
  }
  return block;
}

Result<TxLocation> BlockStore::FindTransaction(const crypto::Digest& tx_hash) const {
  auto value = Get(*db_, TxKey(tx_hash));
  if (!value.ok()) {
    if (value.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("no stored transaction with hash " + tx_hash.ToHex());
    }
    return value.status();
  }
  return DecodeTxLocation(*value);
}

}  // namespace shulian::ledger
