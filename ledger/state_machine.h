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
// Ownership: the StateMachine holds only its options; the StateStore is lent per
// call. Thread-safety: const and reentrant; one StateStore belongs to one thread.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "ledger/block.h"
#include "ledger/bodies.h"
#include "ledger/outcome.h"
#include "ledger/state_store.h"

namespace shulian::ledger {

struct Genesis;
struct ImportedGenesis;

struct StateMachineOptions {
  BodyLimits body_limits;
  // Deadlines processed at the start of one block; the rest wait for the next
  // block (still in deadline order), so one block's work stays bounded.
  size_t deadlines_per_block_max = 100'000;
  // Authority tree depth walked when resolving scopes and policies.
  size_t authority_depth_max = 16;
};

class StateMachine {
 public:
  explicit StateMachine(StateMachineOptions options = {}) : options_(options) {}

  // Writes the authority tree, accounts, validators, calendars, policies and the
  // chain parameters. REQUIRES: an empty state.
  Status ApplyGenesis(const Genesis& genesis, StateStore& state) const;
  Status ApplyImportedGenesis(const ImportedGenesis& genesis, StateStore& state) const;

  // One outcome per transaction, in block order. On error the state's pending
  // writes are undefined and must be discarded.
  Result<std::vector<TxOutcome>> ApplyBlock(const Block& block, StateStore& state) const;

  const StateMachineOptions& options() const { return options_; }

 private:
  StateMachineOptions options_;
};

}  // namespace shulian::ledger
