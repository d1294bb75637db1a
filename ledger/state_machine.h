// StateMachine: the ledger's deterministic rules. It turns (state, block) into the
// new state and one TxOutcome per transaction, enforcing or recording every rule of
// the five regulations (docs/state-machine.md maps each rule to its code and test).
//
// Apply is a pure function of (state, block): time is block.header.time_ms; nothing
// reads a clock, iterates an unordered container or uses floating point. Per block:
//   1. every deadline due at or before the block time is processed, in deadline
//      order, through the deadline index "dl/<due>/<kind>/<id>" — the cost is the
//      number of items that expire, never a scan of pending items;
//   2. each transaction in block order, inside a StateStore savepoint: network id,
//      sender exists and is active, signature by the sender's CURRENT key (every
//      node verifies every signature), client time within the genesis window of the
//      block time, body decodes, then the type's rules. Accepted: the savepoint is
//      kept. Rejected: it is rolled back and the outcome carries a stable code and
//      a deterministic message. A few rejections still leave a flag for a
//      supervisor (a second registration of a data item, 一数一源); those flags are
//      written after the rollback and named in the outcome's notes.
//
// ApplyBlock fails (Status) only when the state itself cannot be read or is
// corrupt; the caller then discards the StateStore's pending writes.
//
// Records the rules cite by transaction hash (a dispute's record_refs) are checked
// against the transaction index of the stored chain through a read-only
// StoredTxLookup the caller lends (StoredTransactionsOf for a BlockStore), plus the
// transactions ordered earlier in the block being applied. The lookup sees the
// chain as it stood before this block, which is the same on every replica.
//
// Ownership: the StateMachine holds only its options; the StateStore is lent per
// call. Thread-safety: const and reentrant; one StateStore belongs to one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/bodies.h"
#include "ledger/outcome.h"
#include "ledger/state_store.h"

namespace shulian::ledger {

struct Genesis;
struct ImportedGenesis;
class BlockStore;

// True iff a transaction with `tx_hash` is in a block already stored (whatever
// its outcome: rejected transactions are in the ledger too). An error means the
// index cannot be read; the block then fails like any unreadable state.
using StoredTxLookup = std::function<Result<bool>(const crypto::Digest& tx_hash)>;

// The lookup over a block store's transaction index ("t/"). `blocks` must outlive
// it and must not have the block being applied appended yet.
StoredTxLookup StoredTransactionsOf(const BlockStore& blocks);

struct StateMachineOptions {
  BodyLimits body_limits;
  // Deadlines processed at the start of one block; the rest wait for the next
  // block (still in deadline order), so one block's work stays bounded.
  size_t deadlines_per_block_max = 100'000;
  // Authority tree depth walked when resolving scopes and policies.
  size_t authority_depth_max = 16;
  // Open catalog update tasks (004 §14) one catalog change of an asset carries
  // out; any beyond stay open for the next change (in id order).
  size_t catalog_tasks_per_change_max = 256;
  // Signatures the caller has already seen verify (a node's admission checks); not
  // owned, may be null. Outcomes are the same with or without it.
  crypto::SignatureCache* signature_cache = nullptr;
};

class StateMachine {
 public:
  explicit StateMachine(StateMachineOptions options = {}) : options_(options) {}

  // Writes the authority tree, accounts, validators, calendars, policies and the
  // chain parameters. REQUIRES: an empty state.
  Status ApplyGenesis(const Genesis& genesis, StateStore& state) const;
  Status ApplyImportedGenesis(const ImportedGenesis& genesis, StateStore& state) const;

  // One outcome per transaction, in block order. On error the state's pending
  // writes are undefined and must be discarded. Without `stored_txs` no earlier
  // block can be looked up, so a reference to one is rejected (deterministically:
  // every replica runs the same caller).
  Result<std::vector<TxOutcome>> ApplyBlock(const Block& block, StateStore& state,
                                            const StoredTxLookup& stored_txs = {}) const;

  const StateMachineOptions& options() const { return options_; }

 private:
  StateMachineOptions options_;
};

}  // namespace shulian::ledger
