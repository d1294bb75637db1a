// LevelDbRaftStorage: the durable Raft log of a node — consensus::Storage over
// a LevelDB database that the node shares with the ledger.
//
// Layout (every key under the prefix "r/", so the ledger's keys never collide):
//   r/e/<u64 big-endian index>  one log entry (consensus::EncodeEntry)
//   r/hs                        the hard state (term, vote, commit)
//   r/cs                        the membership as of the applied index, when the
//                               application recorded one (else the snapshot's);
//                               the node writes it in one batch with its applied
//                               index (node/applied_index.h)
//   r/snap                      snapshot metadata and data
//   r/first                     first index still in the log and the term of the
//                               entry before it (the compaction point)
// Big-endian indices make LevelDB's byte order the log order, so a range read
// is one iterator seek.
//
// Writes: Save() persists what one Ready hands the application — a snapshot to
// install, entries to append (replacing any conflicting suffix) and the hard
// state — in ONE WriteBatch, fsynced when asked. A crash therefore leaves either
// all of a Save or none of it. Open() reads the whole log once and validates it
// (contiguous indices, keys matching entry indices, terms never decreasing,
// commit within the log, snapshot below the first index); anything wrong is
// reported as Status::Corruption naming the record and values.
//
// Ownership: the DB is borrowed; the caller keeps it open for the storage's
// lifetime. A bounded cache keeps the most recent entries in memory; older
// entries are read from LevelDB.
// Thread-safety: none. One thread (the node's Raft loop) owns the object; the
// DB itself may be used concurrently by the ledger under other keys.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "consensus/storage.h"
#include "consensus/types.h"

namespace leveldb {
class DB;
class WriteBatch;
}  // namespace leveldb

namespace shulian::node {

struct RaftStorageOptions {
  // Entries kept in memory for reads near the tail of the log.
  uint64_t cache_entries_max = 4096;
  // Bounds applied while decoding persisted records.
  uint64_t entry_bytes_max = 64ull << 20;
  uint64_t snapshot_bytes_max = 1ull << 30;
  uint32_t conf_ids_max = 10'000;

  Status Validate() const;
};

class LevelDbRaftStorage final : public consensus::Storage {
 public:
  // Reads and validates the Raft records in `db`. An empty database yields an
  // empty log (first index 1, no snapshot).
  static Result<std::unique_ptr<LevelDbRaftStorage>> Open(leveldb::DB* db,
                                                          const RaftStorageOptions& options = {});

  // consensus::Storage.
  Result<consensus::StoredState> InitialState() const override;
  Result<std::vector<consensus::Entry>> Entries(consensus::Index lo, consensus::Index hi,
                                                uint64_t max_bytes) const override;
  Result<consensus::Term> TermAt(consensus::Index index) const override;
  Result<consensus::Index> FirstIndex() const override;
  Result<consensus::Index> LastIndex() const override;
  Result<consensus::Snapshot> GetSnapshot() const override;

  // Persists one Ready's worth in one atomic batch: first `snapshot` (if not
  // null: replaces the whole log; must be newer than the current one), then
  // `entries` (contiguous; replacing the log from entries.front().index on;
  // already compacted entries are skipped; no gap after LastIndex()), then `hs`
  // (if not null). Installing a snapshot raises the stored term and commit to
  // the snapshot's when they are lower. Invalid input returns InvalidArgument
  // and writes nothing.
  Status Save(const consensus::HardState* hs, const std::vector<consensus::Entry>& entries,
              const consensus::Snapshot* snapshot, bool sync);

  // Records the membership as of the application's applied index; InitialState
  // reports it instead of the snapshot's until the next snapshot install.
  Status SaveConfState(const consensus::ConfState& conf_state, bool sync);
  // The same, written in ONE batch with the application's own records in
  // `with` (e.g. its applied index), so a crash keeps both or neither. `with`
  // gains the conf state record; the caller keeps ownership.
  Status SaveConfState(const consensus::ConfState& conf_state, leveldb::WriteBatch* with, bool sync);

  // Records a snapshot of the application's state at `index` (in the log, after
  // the current snapshot). `conf_state`, if given, is the membership at `index`;
  // otherwise the current one is kept. Does not discard entries: see Compact.
  Result<consensus::Snapshot> CreateSnapshot(consensus::Index index,
                                             std::optional<consensus::ConfState> conf_state,
                                             Bytes data, bool sync);

  // Discards entries up to and including `compact_index` (<= LastIndex()); the
  // term of compact_index stays readable. A no-op below FirstIndex().
  Status Compact(consensus::Index compact_index, bool sync);

  // Log compaction for the node: records a snapshot at `index` (membership
  // `conf_state`, application data `data`) AND discards the entries up to
  // `index`, in ONE batch, so a crash can never leave a snapshot at or above the
  // first index (which Open reports as corruption). `index` must be after the
  // current snapshot, at most `applied_index_max` (the application's applied
  // index: only applied entries may be compacted) and at most LastIndex().
  // Invalid input returns an error naming the field and writes nothing.
  Result<consensus::Snapshot> CompactWithSnapshot(consensus::Index index, consensus::Index applied_index_max,
                                                  const consensus::ConfState& conf_state, Bytes data, bool sync);

  // Entries currently held in the log (LastIndex() - FirstIndex() + 1).
  uint64_t entry_count() const { return last_index_ + 1 - first_index_; }

  const consensus::HardState& hard_state() const { return hard_state_; }

  // Key of the entry at `index` (exposed for corruption tests).
  static std::string EntryKey(consensus::Index index);
  static constexpr const char* kHardStateKey = "r/hs";
  static constexpr const char* kConfStateKey = "r/cs";
  static constexpr const char* kSnapshotKey = "r/snap";
  static constexpr const char* kFirstIndexKey = "r/first";

 private:
  LevelDbRaftStorage(leveldb::DB* db, const RaftStorageOptions& options);

  Status Load();
  Status LoadEntries();
  Status Validate() const;
  Status Write(leveldb::WriteBatch* batch, bool sync);
  Result<consensus::Entry> ReadEntry(consensus::Index index) const;
  const consensus::Entry* Cached(consensus::Index index) const;
  void CacheAppend(const std::vector<consensus::Entry>& entries);
  void CacheTrim();

  leveldb::DB* db_;
  RaftStorageOptions options_;

  // Mirrors of the persisted records; updated only after a write succeeds.
  consensus::HardState hard_state_;
  std::optional<consensus::ConfState> conf_state_;
  consensus::Snapshot snapshot_;
  consensus::Index first_index_ = 1;        // first entry in the log
  consensus::Term compacted_term_ = 0;      // term of first_index_ - 1
  consensus::Index last_index_ = 0;         // first_index_ - 1 when the log is empty

  // The newest entries: cache_[k] has index last_index_ - cache_.size() + 1 + k.
  std::deque<consensus::Entry> cache_;
};

}  // namespace shulian::node
