// BlockStore: the ledger's blocks, their indexes and the transaction Merkle log,
// kept in one LevelDB database that the node shares with the Raft log ("r/") and
// the state machine ("s/"). Key layout (docs/storage.md):
//   b/<u64 height>         -> Block::Encode()
//   h/<32-byte block hash> -> u64 height
//   t/<32-byte tx hash>    -> u64 height ‖ u32 position in block ‖ u64 log index
//   m/tx/...               -> the transaction Merkle log (ledger/merkle_log.h)
//   meta/genesis           -> 32-byte genesis hash
//   meta/height            -> u64 applied height (0 before block 1)
//   meta/head              -> 32-byte hash of the head block (the genesis hash at height 0)
//
// Every block lands in ONE synced WriteBatch together with its indexes, its Merkle
// log nodes, the new head and the caller's own writes (the state machine's
// changes), so a crash at any point leaves the store at a block boundary. Open()
// checks the head against the log and refuses to start on any mismatch.
//
// Signatures: the store knows no keys. AppendBlock checks structure, links, time,
// log size and root, and duplicates — never signatures. The caller verifies the
// proposer's and the transactions' signatures first, because only it knows which
// keys were valid at that height: the Ledger (ledger/ledger.h) checks the proposer
// against its validator set and the state machine checks each transaction; tools
// without a state use VerifyBlockSignatures() below.
//
// Ownership: the store owns the database; db() lends it to the state machine and
// the Raft storage, which must not outlive the store.
// Thread-safety: not thread-safe. One owner serialises every call (the node's
// apply loop); const methods may run concurrently with each other only.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/merkle_log.h"

namespace leveldb {
class Cache;
class DB;
class FilterPolicy;
class Snapshot;
class WriteBatch;
}  // namespace leveldb

namespace shulian::ledger {

// Key prefixes this store owns; other modules must not write under them.
inline constexpr std::string_view kBlockKeyPrefix = "b/";
inline constexpr std::string_view kBlockHashKeyPrefix = "h/";
inline constexpr std::string_view kTxKeyPrefix = "t/";
inline constexpr std::string_view kTxLogKeyPrefix = "m/tx/";
inline constexpr std::string_view kMetaGenesisKey = "meta/genesis";
inline constexpr std::string_view kMetaHeightKey = "meta/height";
inline constexpr std::string_view kMetaHeadKey = "meta/head";

struct StoreOptions {
  std::filesystem::path path;
  bool create_if_missing = false;
  // The hash every block 1 links to. A new store records it; an existing store
  // must hold the same one (otherwise it belongs to another network).
  crypto::Digest genesis_hash;
  BlockLimits limits;
  size_t cache_bytes = 8 * 1024 * 1024;         // LevelDB block cache
  size_t write_buffer_bytes = 4 * 1024 * 1024;  // LevelDB memtable
  int bloom_bits_per_key = 10;                  // filter for point lookups (t/, h/)
};

// Where a transaction sits: block height, index within that block, index in the log.
struct TxLocation {
  uint64_t height = 0;
  uint32_t position = 0;
  uint64_t log_index = 0;
  friend bool operator==(const TxLocation&, const TxLocation&) = default;
};

// Key lookups for signature checks. A node lookup failing is an error; an account
// lookup may answer NotFound to say "unknown here, skip this signature" (used by
// verifiers that lack the account registry), any other error is returned.
using NodeKeyLookup = std::function<Result<crypto::PublicKey>(uint64_t node_id)>;
using AccountKeyLookup =
    std::function<Result<crypto::PublicKey>(std::string_view account_id, uint64_t height)>;

struct SignatureCheckCounts {
  uint64_t transactions_verified = 0;
  uint64_t transactions_skipped = 0;  // account lookup answered NotFound
};

// Verifies the proposer's signature over the header hash and, if `account_keys`
// is set, every transaction's signature. Fails with PermissionDenied naming the
// height and transaction position of the first bad signature.
Status VerifyBlockSignatures(const Block& block, const crypto::Digest& genesis_hash, const NodeKeyLookup& node_keys,
                             const AccountKeyLookup& account_keys, SignatureCheckCounts* counts = nullptr);

class BlockStore {
 public:
  static Result<std::unique_ptr<BlockStore>> Open(const StoreOptions& options);
  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  uint64_t height() const { return height_; }
  const crypto::Digest& head_hash() const { return head_hash_; }
  int64_t head_time_ms() const { return head_time_ms_; }  // 0 at height 0
  const crypto::Digest& genesis_hash() const { return genesis_hash_; }
  const BlockLimits& limits() const { return limits_; }

  // Validates `block` against the head (height = head + 1, previous_hash = head
  // hash, time not decreasing, limits, tx_count, no transaction already stored or
  // repeated, tx_log_size/root equal to the log after appending its transactions)
  // and writes it with its indexes, log nodes, the new head and `extra_writes`
  // (may be null) in one synced batch. On failure nothing is written and the
  // store is unchanged. Does not verify signatures (see the file comment).
  // `before_write`, if set, runs once every check has passed, just before the
  // synced write: from then on only an I/O error can stop the block.
  Status AppendBlock(const Block& block, leveldb::WriteBatch* extra_writes,
                     const std::function<void()>& before_write = {});

  // For a proposer: the tx_log_size and tx_log_root a header carrying exactly
  // these transactions must have. Writes nothing.
  Result<std::pair<uint64_t, crypto::Digest>> PreviewTxLog(const std::vector<Transaction>& transactions);

  // NotFound past the head or at height 0; Corruption if the stored block does
  // not decode or is not the block of that height.
  Result<Block> GetBlock(uint64_t height) const;
  Result<Block> GetBlockByHash(const crypto::Digest& hash) const;
  // The height the block-hash index gives for `hash`; NotFound if absent.
  Result<uint64_t> FindBlockHeight(const crypto::Digest& hash) const;
  // NotFound if no stored block holds a transaction with this hash.
  Result<TxLocation> FindTransaction(const crypto::Digest& tx_hash) const;

  const MerkleLog& tx_log() const { return *tx_log_; }
  // The shared database, for the state machine's and the Raft log's own keys.
  leveldb::DB* db() { return db_.get(); }
  const leveldb::DB* db() const { return db_.get(); }

 private:
  BlockStore() = default;

  Status Initialize(const StoreOptions& options);
  Status InitializeOrCheckGenesis(bool create_if_missing);
  Status LoadMeta();
  Status CheckHead();
  Status CheckHeadBlock(const Block& head) const;
  Status ValidateAgainstHead(const Block& block) const;
  Status CheckNoStoredDuplicates(const std::vector<crypto::Digest>& tx_hashes) const;
  Status CheckHeadIndexes(const Block& head) const;
  Status CheckHeadLog(const Block& head) const;

  // Declared first so they are destroyed after the database that uses them.
  std::unique_ptr<const leveldb::FilterPolicy> filter_policy_;
  std::unique_ptr<leveldb::Cache> block_cache_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<MerkleLog> tx_log_;  // reads through db_; destroyed before it

  BlockLimits limits_;
  crypto::Digest genesis_hash_;
  // Invariant: equal to meta/height, meta/head and the head block's header time.
  uint64_t height_ = 0;
  crypto::Digest head_hash_;
  int64_t head_time_ms_ = 0;
};

// A consistent read view of a store at the moment it was made (a LevelDB
// snapshot): reads through it see no block or key written later, so a long
// reader (a ledger export) needs no lock while it reads. Make it under the lock
// that orders appends; it must not outlive the store. Thread-safety: const reads
// may run concurrently with each other and with appends.
class StoreSnapshot {
 public:
  explicit StoreSnapshot(const BlockStore& store);
  ~StoreSnapshot();
  StoreSnapshot(const StoreSnapshot&) = delete;
  StoreSnapshot& operator=(const StoreSnapshot&) = delete;

  uint64_t height() const { return height_; }  // the store's head when made
  // As BlockStore::GetBlock, at the snapshot.
  Result<Block> GetBlock(uint64_t height) const;
  // The value under `key` at the snapshot; nullopt if absent (for the other
  // stores' keys, named where those stores name them).
  Result<std::optional<std::string>> Get(std::string_view key) const;

 private:
  leveldb::DB* db_;
  const leveldb::Snapshot* snapshot_;
  BlockLimits limits_;
  uint64_t height_;
};

// Key encodings, public for tests and tools that inspect a store.
std::string BlockKey(uint64_t height);
std::string BlockHashKey(const crypto::Digest& hash);
std::string TxKey(const crypto::Digest& tx_hash);

}  // namespace shulian::ledger
