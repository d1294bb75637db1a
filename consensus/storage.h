// Storage: the read interface the Raft core uses to reach the persisted log.
//
// The core never writes storage. The application persists what a Ready hands it
// (hard state, entries, snapshot) into its storage implementation and then calls
// RawNode::Advance; the core reads back through this interface. The storage
// holds a snapshot (possibly empty, index 0) followed by contiguous entries
// [FirstIndex(), LastIndex()]. The term of FirstIndex()-1 (the snapshot's last
// entry) stays readable through TermAt.
//
// Outcomes the core relies on, each with its own error code:
//   - ErrorCode::kNotFound    — "compacted": the index is below FirstIndex()
//                               (for TermAt: below FirstIndex()-1);
//   - ErrorCode::kOutOfRange  — "unavailable": the index is past LastIndex();
//   - ErrorCode::kUnavailable — GetSnapshot only: a snapshot is being produced,
//                               ask again later.
// Any other error (kIoError, kCorruption, ...) is fatal to the RawNode: it stops
// and returns that error from every later call.
//
// Ownership: the RawNode borrows a Storage*; the application owns it and keeps it
// alive for the RawNode's lifetime.
// Thread-safety: the core calls it from its own thread only; an implementation
// shared with another thread must synchronise internally.
#pragma once

#include <cstdint>
#include <vector>

#include "common/status.h"
#include "consensus/types.h"

namespace shulian::consensus {

// What a restarting node reads first.
struct StoredState {
  HardState hard_state;
  // Membership as of Config::applied_index (or as of the snapshot if
  // applied_index is 0).
  ConfState conf_state;
};

inline Status ErrCompacted(Index index) {
  return Status::NotFound("raft log compacted: index " + std::to_string(index));
}
inline Status ErrUnavailable(Index index) {
  return Status::OutOfRange("raft log entry unavailable: index " + std::to_string(index));
}
inline Status ErrSnapshotTemporarilyUnavailable() {
  return Status::Unavailable("snapshot temporarily unavailable");
}
inline bool IsCompacted(const Status& s) { return s.code() == ErrorCode::kNotFound; }
inline bool IsUnavailable(const Status& s) { return s.code() == ErrorCode::kOutOfRange; }
inline bool IsSnapshotTemporarilyUnavailable(const Status& s) {
  return s.code() == ErrorCode::kUnavailable;
}

class Storage {
 public:
  virtual ~Storage() = default;

  virtual Result<StoredState> InitialState() const = 0;

  // Entries in [lo, hi), stopping before the total SizeBytes() would exceed
  // max_bytes — but always at least one entry if lo < hi.
  // REQUIRES: lo <= hi. Compacted if lo < FirstIndex(); unavailable if hi > LastIndex()+1.
  virtual Result<std::vector<Entry>> Entries(Index lo, Index hi, uint64_t max_bytes) const = 0;

  // Term of the entry at `index`, for index in [FirstIndex()-1, LastIndex()].
  virtual Result<Term> TermAt(Index index) const = 0;

  // Index of the first entry still in the log (snapshot index + 1).
  virtual Result<Index> FirstIndex() const = 0;

  // Index of the last entry (the snapshot index if the log is empty).
  virtual Result<Index> LastIndex() const = 0;

  // The most recent snapshot; kUnavailable while one is being produced.
  virtual Result<Snapshot> GetSnapshot() const = 0;
};

}  // namespace shulian::consensus
