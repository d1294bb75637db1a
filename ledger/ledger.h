// Ledger: the facade joining the BlockStore (blocks, transaction log), the
// StateStore (the state machine's keys, "s/") and the StateMachine in one LevelDB
// database. Applying a block is all-or-nothing: the state machine runs into the
// StateStore's pending writes, which land with the block in ONE synced batch
// (BlockStore::AppendBlock); if anything fails the pending writes are discarded
// and neither the chain nor the state changes.
//
// Proposers use BuildBlock; followers and replays use ApplyBlock. Signatures of
// transactions are checked by the state machine against the keys in state at the
// moment each transaction applies; the proposer's block signature is checked by
// the caller that knows the validator set (the node).
//
// Readers use ledger/queries.h over state().
//
// Ownership: the Ledger owns the BlockStore (and through it the database) and the
// StateStore. Thread-safety: not thread-safe; one owner serialises every call.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/block.h"
#include "ledger/outcome.h"
#include "ledger/state_machine.h"
#include "ledger/state_store.h"
#include "ledger/store.h"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace shulian::ledger {

struct Genesis;
struct ImportedGenesis;

inline constexpr std::string_view kStateKeyPrefix = "s/";

struct BlockOutcome {
  uint64_t height = 0;
  crypto::Digest block_hash;
  std::vector<TxOutcome> outcomes;  // one per transaction, in block order
};

struct LedgerOptions {
  StateMachineOptions state_machine;
  BlockLimits block_limits;
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

  // Applies and stores `block`. On any failure nothing changes.
  Result<BlockOutcome> ApplyBlock(const Block& block);

  // Lets the caller add its own keys (outside the ledger's prefixes) to the block's
  // atomic batch once the outcomes are known: the node records its Raft applied
  // index and the outcomes with the block, so they can never disagree after a crash.
  using ExtraWrites = std::function<void(const BlockOutcome& outcome, leveldb::WriteBatch& batch)>;
  Result<BlockOutcome> ApplyBlock(const Block& block, const ExtraWrites& add_writes);

  // A signed block of `transactions` on top of the head, stamped `time_ms`.
  // Writes nothing.
  Result<Block> BuildBlock(std::vector<Transaction> transactions, int64_t time_ms, uint64_t proposer_id,
                           const crypto::KeyPair& node_key);

  uint64_t height() const { return blocks_->height(); }
  const BlockStore& blocks() const { return *blocks_; }
  const StateStore& state() const { return *state_; }
  const StateMachine& state_machine() const { return machine_; }
  // The shared database, lent to the node's Raft log ("r/") and its own keys.
  leveldb::DB* db() { return blocks_->db(); }

 private:
  Ledger(std::unique_ptr<BlockStore> blocks, const LedgerOptions& options);

  std::unique_ptr<BlockStore> blocks_;
  std::unique_ptr<StateStore> state_;  // reads and writes through blocks_->db()
  StateMachine machine_;
};

}  // namespace shulian::ledger
