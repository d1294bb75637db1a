// MemoryStorage: an in-memory Storage, used by tests and by the deterministic
// simulator (which models lost unsynced writes on top of it).
//
// It plays the application's side too: Append (with truncation of a conflicting
// suffix), SetHardState, ApplySnapshot, CreateSnapshot and Compact mirror what a
// durable implementation does in one atomic write each.
//
// Thread-safety: none; one thread owns it (the simulator and tests are single
// threaded).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/storage.h"
#include "consensus/types.h"

namespace shulian::consensus {

class MemoryStorage : public Storage {
 public:
  MemoryStorage();

  // Storage interface.
  Result<StoredState> InitialState() const override;
  Result<std::vector<Entry>> Entries(Index lo, Index hi, uint64_t max_bytes) const override;
  Result<Term> TermAt(Index index) const override;
  Result<Index> FirstIndex() const override;
  Result<Index> LastIndex() const override;
  Result<Snapshot> GetSnapshot() const override;

  // Persists the hard state.
  void SetHardState(const HardState& state);
  // Overrides the conf state InitialState reports (the application records the
  // membership as of its applied index here).
  void SetConfState(const ConfState& state);

  // Appends entries, replacing any existing entries from entries.front().index on.
  // Entries already compacted are skipped. Fails (changing nothing) if the entries
  // are not contiguous or would leave a gap after LastIndex().
  Status Append(const std::vector<Entry>& entries);

  // Replaces the whole log with `snapshot` (a newer snapshot only). Used both to
  // bootstrap a cluster (a snapshot carrying the initial ConfState) and to install
  // a snapshot a Ready carries.
  Status ApplySnapshot(const Snapshot& snapshot);

  // Records a snapshot at `index` (<= LastIndex(), > current snapshot index)
  // with the application's `data`; conf_state, if given, replaces the membership.
  Result<Snapshot> CreateSnapshot(Index index, std::optional<ConfState> conf_state, Bytes data);

  // Discards entries up to and including `compact_index` (<= LastIndex());
  // FirstIndex() becomes compact_index+1 and the term of compact_index stays
  // known. Compact only what a snapshot covers.
  Status Compact(Index compact_index);

  // Makes GetSnapshot report kUnavailable (tests of the leader's retry path).
  void SetSnapshotTemporarilyUnavailable(bool unavailable) { snapshot_unavailable_ = unavailable; }

  const HardState& hard_state() const { return hard_state_; }

 private:
  Index Offset() const { return entries_.front().index; }  // index of the dummy entry

  HardState hard_state_;
  std::optional<ConfState> conf_state_override_;
  Snapshot snapshot_;
  // entries_[0] is a dummy holding the snapshot's index and term; real entries follow.
  std::vector<Entry> entries_;
  bool snapshot_unavailable_ = false;
};

}  // namespace shulian::consensus
