// Ledger: the facade joining the BlockStore (blocks, transaction log), the
// StateStore (the state machine's keys, "s/") and the StateMachine in one LevelDB
// database, and keeping the evidence the checkpoints commit to. Applying a block
// is all-or-nothing: the state machine runs into the StateStore's pending writes,
// which land with the block in ONE synced batch (BlockStore::AppendBlock); if
// anything fails the pending writes are discarded and neither the chain, the
// state nor any Merkle log changes.
//
// Three Merkle logs (RFC 9162, ledger/merkle_log.h), all appended in the block's batch:
//   m/tx/   transaction log: leaf i = Transaction::Encode() of transaction i (the block store's)
//   m/out/  outcome log:     leaf i = TxOutcome::Encode() of transaction i's outcome
//   m/blk/  block log:       leaf h-1 = BlockHeader::Encode() of block h
// and, in the same batch:
//   o/<u64 log index>   -> TxOutcome::Encode()   (outcomes are ledger data)
//   vh/<u64 log index>  -> empty                  (an ACCEPTED validator membership change)
// Open refuses (Corruption) a store whose outcome log size is not the transaction
// log's size, whose block log size is not the height, or whose newest leaves do not
// match the head block.
//
// Block checks. ApplyBlock verifies, before anything is applied, that the proposer
// is a member of the current validator set (PermissionDenied), that the header
// signature verifies with the proposer's key (PermissionDenied) and that the
// block time is not before the head's (InvalidArgument). Transaction signatures
// are checked by the state machine against the keys in state at the moment each
// transaction applies.
//
// Validator sets (ledger/validator_set.h): the genesis set folded with every
// accepted membership change in log order. The current set and the history of
// sets are kept in memory (rebuilt at Open from genesis + vh/), so the set at any
// log size costs no I/O.
//
// Proposers use BuildBlock; followers and replays use ApplyBlock. Readers use
// ledger/queries.h over state(), and the evidence accessors below.
//
// Ownership: the Ledger owns the BlockStore (and through it the database), the
// StateStore and the outcome and block logs. Thread-safety: not thread-safe; one
// owner serialises every non-const call. Const methods may run concurrently with
// each other (they read LevelDB and immutable-between-applies memory only).
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/block.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle_log.h"
#include "ledger/outcome.h"
#include "ledger/state_machine.h"
#include "ledger/state_store.h"
#include "ledger/store.h"
#include "ledger/validator_set.h"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace shulian::ledger {

struct Genesis;
struct ImportedGenesis;

inline constexpr std::string_view kStateKeyPrefix = "s/";
inline constexpr std::string_view kOutcomeLogKeyPrefix = "m/out/";
inline constexpr std::string_view kBlockLogKeyPrefix = "m/blk/";
inline constexpr std::string_view kOutcomeKeyPrefix = "o/";
inline constexpr std::string_view kValidatorChangeKeyPrefix = "vh/";

// o/<u64 log index> and vh/<u64 log index> (for tools and tests).
std::string OutcomeKey(uint64_t log_index);
std::string ValidatorChangeKey(uint64_t log_index);

// A transaction of the log with where it sits.
struct LoggedTransaction {
  Transaction transaction;
  TxLocation location;
};

struct BlockOutcome {
  uint64_t height = 0;
  crypto::Digest block_hash;
  std::vector<TxOutcome> outcomes;  // one per transaction, in block order
};

struct LedgerOptions {
  StateMachineOptions state_machine;
  BlockLimits block_limits;
  MerkleLogOptions logs;  // for the outcome and block logs
  // The database's memtable (StoreOptions::write_buffer_bytes). Larger means
  // fewer, larger level-0 files and less compaction work per block.
  size_t db_write_buffer_bytes = 4 * 1024 * 1024;
};

class Ledger {
 public:
  // Opens the store at `path`, creating it and applying the genesis on first open;
  // an existing store must belong to the same genesis.
  static Result<std::unique_ptr<Ledger>> Open(const std::filesystem::path& path, const Genesis& genesis,
                                              const LedgerOptions& options = {});
  static Result<std::unique_ptr<Ledger>> OpenImported(const std::filesystem::path& path,
                                                      const ImportedGenesis& genesis,
                                                      const LedgerOptions& options = {});
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Checks the proposer, its signature and the time (see the file comment), then
  // applies and stores `block` with its outcomes, log leaves and validator changes.
  // On any failure nothing changes.
  Result<BlockOutcome> ApplyBlock(const Block& block);

  // Lets the caller add its own keys (outside the ledger's prefixes) to the block's
  // atomic batch once the outcomes are known: the node records its Raft applied
  // index and the outcomes with the block, so they can never disagree after a crash.
  //
  // `decided`, if set, is called with the outcome once the block has passed every
  // check and only its synced write remains; from then on only an I/O error (the
  // caller must stop: the store did not change) can keep the block out. A node
  // answers its clients here: the block is already durable in the Raft log of a
  // majority, and a replay after a failed write reaches the same outcome.
  using ExtraWrites = std::function<void(const BlockOutcome& outcome, leveldb::WriteBatch& batch)>;
  using Decided = std::function<void(const BlockOutcome& outcome)>;
  Result<BlockOutcome> ApplyBlock(const Block& block, const ExtraWrites& add_writes,
                                  const Decided& decided = {});

  // A signed block of `transactions` on top of the head, stamped `time_ms`.
  // Writes nothing.
  Result<Block> BuildBlock(std::vector<Transaction> transactions, int64_t time_ms, uint64_t proposer_id,
                           const crypto::KeyPair& node_key);

  uint64_t height() const { return blocks_->height(); }
  const std::string& network_id() const { return network_id_; }
  const crypto::Digest& genesis_hash() const { return blocks_->genesis_hash(); }
  int64_t genesis_time_ms() const { return genesis_time_ms_; }

  // ---- Evidence: logs, outcomes, checkpoints, validator sets ----

  const MerkleLog& tx_log() const { return blocks_->tx_log(); }
  const MerkleLog& outcome_log() const { return *outcome_log_; }
  const MerkleLog& block_log() const { return *block_log_; }

  // The outcome of the transaction at `log_index`. NotFound past the log's end;
  // Corruption if the stored record is missing or does not decode.
  Result<TxOutcome> OutcomeAt(uint64_t log_index) const;
  // The transaction at `log_index` and its place (via o/ -> t/ -> b/; reads its block).
  Result<LoggedTransaction> TransactionAt(uint64_t log_index) const;
  // The header of block `height` (1..height()); NotFound otherwise.
  Result<BlockHeader> BlockHeaderAt(uint64_t height) const;

  // The checkpoint of any applied height 0..height(), recomputed from the logs
  // (roots at past sizes cost O(log n) reads). Height 0 is the genesis: block
  // hash = genesis hash, time = genesis time, empty logs. NotFound past the head.
  Result<Checkpoint> CheckpointAt(uint64_t height) const;

  // Consistency proofs in all three logs between the checkpoints of two applied
  // heights. InvalidArgument if old_height > new_height; NotFound past the head.
  Result<CheckpointConsistency> ConsistencyProofs(uint64_t old_height, uint64_t new_height) const;

  // The current validator set (after the head block).
  const ValidatorSet& validator_set() const { return validator_set_; }
  // Log indexes of the accepted membership changes at indexes < tx_log_size, in order.
  Result<std::vector<uint64_t>> ValidatorChangesBefore(uint64_t tx_log_size) const;
  // The set after the first `tx_log_size` transactions: genesis folded with every
  // accepted change below that size. OutOfRange past the log's size.
  Result<ValidatorSet> ValidatorSetAtTxSize(uint64_t tx_log_size) const;

  const BlockStore& blocks() const { return *blocks_; }
  const StateStore& state() const { return *state_; }
  const StateMachine& state_machine() const { return machine_; }
  // The shared database, lent to the node's Raft log ("r/") and its own keys.
  leveldb::DB* db() { return blocks_->db(); }

 private:
  // One accepted membership change and the set it produced.
  struct ValidatorChange {
    uint64_t log_index = 0;
    ValidatorSet set_after;
  };
  // What a block adds besides the chain: its membership changes, in log order.
  struct StagedEvidence {
    std::vector<ValidatorChange> changes;
  };

  Ledger(std::unique_ptr<BlockStore> blocks, const LedgerOptions& options);

  Status InitializeState(const ImportedGenesis& genesis);
  Status OpenLogs();
  Status CheckLogsAgainstHead();
  Status LoadValidatorHistory(const ImportedGenesis& genesis);
  Status CheckProposer(const Block& block) const;
  bool WasValidator(uint64_t node_id) const;
  Result<StagedEvidence> StageEvidence(const Block& block, const BlockOutcome& outcome, leveldb::WriteBatch& batch);

  std::unique_ptr<BlockStore> blocks_;
  std::unique_ptr<StateStore> state_;  // reads and writes through blocks_->db()
  StateMachine machine_;
  const MerkleLogOptions log_options_;
  // Read through blocks_->db(); declared after blocks_ so they are destroyed first.
  std::unique_ptr<MerkleLog> outcome_log_;  // invariant: size == tx_log().size()
  std::unique_ptr<MerkleLog> block_log_;    // invariant: size == height()
  std::string network_id_;
  int64_t genesis_time_ms_ = 0;
  std::optional<BlockHeader> head_header_;  // the head block's header; none at height 0
  ValidatorSet genesis_validators_;
  ValidatorSet validator_set_;                      // the last history entry's set, or genesis
  std::vector<ValidatorChange> validator_history_;  // by log_index, increasing
};

}  // namespace shulian::ledger
