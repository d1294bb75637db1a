// RaftLog (internal to consensus/): the node's view of its log — the persisted
// part read through Storage, followed by an unstable tail (a snapshot and/or
// entries) that the next Ready hands to the application for persisting.
//
// Invariants: committed only increases and never exceeds LastIndex();
// applied <= committed; unstable entries start at unstable_offset_ and are
// contiguous; an unstable snapshot, if any, ends at unstable_offset_ - 1.
// Storage errors other than compacted/unavailable are fatal: the first one is
// kept in error() (accessors then return 0) and RawNode stops on it.
//
// Thread-safety: none; owned by RawNode.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "common/status.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace shulian::consensus {

class RaftLog {
 public:
  // Reads first/last index from storage; committed and applied start at the
  // snapshot index (the caller then restores the persisted commit).
  static Result<RaftLog> Open(const Storage* storage);

  Index FirstIndex() const;
  Index LastIndex() const;
  Term LastTerm() const;  // 0 for an empty log

  // Term of `index`: compacted / unavailable as in Storage, or a fatal error.
  Result<Term> TermAt(Index index) const;
  // TermAt with compacted/unavailable mapped to 0 (other errors too: callers
  // that must not miss storage failures use TermAt).
  Term TermOrZero(Index index) const;
  bool MatchTerm(Index index, Term term) const;
  // Is a candidate's log (last_term, last_index) at least as up to date as ours?
  bool IsUpToDate(Index last_index, Term last_term) const;

  // Entries in [lo, hi) bounded by max_bytes (at least one); compacted if lo
  // is below FirstIndex().
  Result<std::vector<Entry>> Slice(Index lo, Index hi, uint64_t max_bytes) const;

  // Follower append: if (prev_index, prev_term) matches, appends `entries`
  // (truncating from the first conflict), advances commit to
  // min(leader_commit, last new index), and returns the last new index.
  // Returns nullopt if the previous entry does not match.
  Result<std::optional<Index>> MaybeAppend(Index prev_index, Term prev_term, Index leader_commit,
                                           const std::vector<Entry>& entries);
  // Leader append at the end. Returns the new last index.
  Index Append(std::vector<Entry> entries);

  // Index of the first entry whose term differs from ours (0 if none), the
  // position from which `entries` must replace the log.
  Index FindConflict(const std::vector<Entry>& entries) const;

  void CommitTo(Index index);  // REQUIRES: index <= LastIndex(); no-op if lower
  bool MaybeCommit(Index index, Term term);  // commit index if it has `term`
  void AppliedTo(Index index);
  Index committed() const { return committed_; }
  Index applied() const { return applied_; }
  void set_committed(Index index) { committed_ = index; }
  void set_applied(Index index) { applied_ = index; }

  // Replaces the log with `snapshot` (unstable until the application installs it).
  void Restore(const Snapshot& snapshot);

  // The unstable tail, for Ready.
  const std::vector<Entry>& UnstableEntries() const { return unstable_entries_; }
  const std::optional<Snapshot>& UnstableSnapshot() const { return unstable_snapshot_; }
  bool HasPendingSnapshot() const { return unstable_snapshot_.has_value(); }
  // Committed entries not yet applied, bounded by max_bytes (at least one).
  Result<std::vector<Entry>> NextCommittedEntries(uint64_t max_bytes) const;
  bool HasNextCommittedEntries() const;

  // Called from Advance once the application persisted the tail.
  void StableTo(Index index, Term term);
  void StableSnapshotTo(Index index);

  // The first unexpected storage error, or OK.
  const Status& error() const { return error_; }

 private:
  explicit RaftLog(const Storage* storage) : storage_(storage) {}
  void TruncateAndAppend(const std::vector<Entry>& entries);
  Result<Term> StorageTerm(Index index) const;

  // Records an unexpected storage error (the first one wins).
  void Fail(const Status& status) const;

  const Storage* storage_;
  mutable Status error_;
  std::optional<Snapshot> unstable_snapshot_;
  std::vector<Entry> unstable_entries_;
  Index unstable_offset_ = 1;  // index of unstable_entries_[0]
  Index committed_ = 0;        // highest index known committed; only increases
  Index applied_ = 0;          // highest index handed out for applying; <= committed_
};

}  // namespace shulian::consensus
