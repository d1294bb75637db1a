#include "node/raft_storage.h"

#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <string_view>

#include "common/bytes.h"

namespace shulian::node {

using consensus::ConfState;
using consensus::Entry;
using consensus::HardState;
using consensus::Index;
using consensus::Snapshot;
using consensus::Term;

namespace {

constexpr std::string_view kEntryPrefix = "r/e/";
constexpr size_t kEntryKeyBytes = kEntryPrefix.size() + 8;

leveldb::Slice ToSlice(const Bytes& bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}
ByteView ToView(const std::string& s) { return AsBytes(s); }
ByteView ToView(const leveldb::Slice& s) {
  return {reinterpret_cast<const uint8_t*>(s.data()), s.size()};
}

Status FromLevelDb(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) return Status::Ok();
  if (s.IsCorruption()) return Status::Corruption("raft storage: " + std::string(what) + ": " + s.ToString());
  return Status::IoError("raft storage: " + std::string(what) + ": " + s.ToString());
}

std::string N(uint64_t v) { return std::to_string(v); }

Bytes EncodeFirstIndex(Index first_index, Term compacted_term) {
  ByteWriter w;
  w.PutU64(first_index);
  w.PutU64(compacted_term);
  return w.Take();
}

Bytes EncodeSnapshot(const Snapshot& snapshot) {
  ByteWriter w;
  w.PutU64(snapshot.metadata.index);
  w.PutU64(snapshot.metadata.term);
  w.PutBytes(consensus::EncodeConfState(snapshot.metadata.conf_state));
  w.PutBytes(snapshot.data);
  return w.Take();
}

Result<Snapshot> DecodeSnapshot(ByteView bytes, const RaftStorageOptions& options) {
  ByteReader r(bytes);
  Snapshot s;
  ASSIGN_OR_RETURN(s.metadata.index, r.GetU64());
  ASSIGN_OR_RETURN(s.metadata.term, r.GetU64());
  ASSIGN_OR_RETURN(ByteView conf, r.GetBytes(options.snapshot_bytes_max));
  ASSIGN_OR_RETURN(s.metadata.conf_state, consensus::DecodeConfState(conf, options.conf_ids_max));
  ASSIGN_OR_RETURN(ByteView data, r.GetBytes(options.snapshot_bytes_max));
  s.data.assign(data.begin(), data.end());
  RETURN_IF_ERROR(r.Finish());
  return s;
}

Status CheckContiguous(const std::vector<Entry>& entries) {
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) {
      return Status::InvalidArgument("entries: index " + N(entries[i].index) + " does not follow " +
                                     N(entries[i - 1].index));
    }
  }
  return Status::Ok();
}

}  // namespace

Status RaftStorageOptions::Validate() const {
  if (cache_entries_max == 0) return Status::InvalidArgument("cache_entries_max: must be at least 1");
  if (entry_bytes_max == 0) return Status::InvalidArgument("entry_bytes_max: must be at least 1");
  if (snapshot_bytes_max == 0) return Status::InvalidArgument("snapshot_bytes_max: must be at least 1");
  if (conf_ids_max == 0) return Status::InvalidArgument("conf_ids_max: must be at least 1");
  return Status::Ok();
}

std::string LevelDbRaftStorage::EntryKey(Index index) {
  std::string key(kEntryPrefix);
  for (int shift = 56; shift >= 0; shift -= 8) key.push_back(static_cast<char>((index >> shift) & 0xff));
  return key;
}

LevelDbRaftStorage::LevelDbRaftStorage(leveldb::DB* db, const RaftStorageOptions& options)
    : db_(db), options_(options) {}

Result<std::unique_ptr<LevelDbRaftStorage>> LevelDbRaftStorage::Open(leveldb::DB* db,
                                                                     const RaftStorageOptions& options) {
  if (db == nullptr) return Status::InvalidArgument("db: must not be null");
  RETURN_IF_ERROR(options.Validate());
  std::unique_ptr<LevelDbRaftStorage> storage(new LevelDbRaftStorage(db, options));
  RETURN_IF_ERROR(storage->Load());
  RETURN_IF_ERROR(storage->Validate());
  return storage;
}

Status LevelDbRaftStorage::Load() {
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), kHardStateKey, &value);
  if (s.ok()) {
    Result<HardState> hs = consensus::DecodeHardState(ToView(value));
    if (!hs.ok()) return Status::Corruption("raft storage: hard state record: " + hs.status().message());
    hard_state_ = *hs;
  } else if (!s.IsNotFound()) {
    return FromLevelDb(s, "read hard state");
  }

  s = db_->Get(leveldb::ReadOptions(), kConfStateKey, &value);
  if (s.ok()) {
    Result<ConfState> cs = consensus::DecodeConfState(ToView(value), options_.conf_ids_max);
    if (!cs.ok()) return Status::Corruption("raft storage: conf state record: " + cs.status().message());
    conf_state_ = *cs;
  } else if (!s.IsNotFound()) {
    return FromLevelDb(s, "read conf state");
  }

  s = db_->Get(leveldb::ReadOptions(), kSnapshotKey, &value);
  if (s.ok()) {
    Result<Snapshot> snap = DecodeSnapshot(ToView(value), options_);
    if (!snap.ok()) return Status::Corruption("raft storage: snapshot record: " + snap.status().message());
    snapshot_ = *snap;
  } else if (!s.IsNotFound()) {
    return FromLevelDb(s, "read snapshot");
  }

  s = db_->Get(leveldb::ReadOptions(), kFirstIndexKey, &value);
  if (s.ok()) {
    ByteReader r(ToView(value));
    Result<uint64_t> first = r.GetU64();
    Result<uint64_t> term = first.ok() ? r.GetU64() : Result<uint64_t>(first.status());
    if (!term.ok() || !r.Finish().ok()) return Status::Corruption("raft storage: first index record is malformed");
    first_index_ = *first;
    compacted_term_ = *term;
  } else if (!s.IsNotFound()) {
    return FromLevelDb(s, "read first index");
  }
  if (first_index_ == 0) return Status::Corruption("raft storage: first index record says 0");
  return LoadEntries();
}

// Scans every entry key once: the log must be exactly [first_index_, last] with
// each record's index matching its key and terms never decreasing.
Status LevelDbRaftStorage::LoadEntries() {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  Index expected = first_index_;
  Term previous_term = compacted_term_;
  cache_.clear();
  for (it->Seek(leveldb::Slice(kEntryPrefix.data(), kEntryPrefix.size())); it->Valid(); it->Next()) {
    leveldb::Slice key = it->key();
    if (!key.starts_with(leveldb::Slice(kEntryPrefix.data(), kEntryPrefix.size()))) break;
    if (key.size() != kEntryKeyBytes) {
      return Status::Corruption("raft storage: entry key of " + N(key.size()) + " bytes (expected " +
                                N(kEntryKeyBytes) + ")");
    }
    ByteReader key_reader(ToView(key).subspan(kEntryPrefix.size()));
    Index key_index = key_reader.GetU64().value();
    if (key_index != expected) {
      return Status::Corruption("raft storage: log not contiguous: expected entry " + N(expected) + ", found " +
                                N(key_index) + " (first index " + N(first_index_) + ")");
    }
    Result<Entry> entry = consensus::DecodeEntry(ToView(it->value()), options_.entry_bytes_max);
    if (!entry.ok()) {
      return Status::Corruption("raft storage: entry " + N(key_index) + ": " + entry.status().message());
    }
    if (entry->index != key_index) {
      return Status::Corruption("raft storage: entry under key " + N(key_index) + " says index " + N(entry->index));
    }
    if (entry->term < previous_term) {
      return Status::Corruption("raft storage: entry " + N(key_index) + " has term " + N(entry->term) +
                                " below the previous term " + N(previous_term));
    }
    previous_term = entry->term;
    cache_.push_back(std::move(entry).value());
    if (cache_.size() > options_.cache_entries_max) cache_.pop_front();
    ++expected;
  }
  RETURN_IF_ERROR(FromLevelDb(it->status(), "scan entries"));
  last_index_ = expected - 1;
  return Status::Ok();
}

Status LevelDbRaftStorage::Validate() const {
  if (snapshot_.metadata.index >= first_index_) {
    return Status::Corruption("raft storage: snapshot index " + N(snapshot_.metadata.index) +
                              " is not below the first index " + N(first_index_));
  }
  if (snapshot_.metadata.index + 1 == first_index_ && !snapshot_.IsEmpty() &&
      snapshot_.metadata.term != compacted_term_) {
    return Status::Corruption("raft storage: snapshot term " + N(snapshot_.metadata.term) +
                              " differs from the compacted term " + N(compacted_term_));
  }
  if (hard_state_.commit > last_index_) {
    return Status::Corruption("raft storage: hard state commit " + N(hard_state_.commit) +
                              " is past the last index " + N(last_index_));
  }
  Term last_term = cache_.empty() ? compacted_term_ : cache_.back().term;
  if (last_term > hard_state_.term) {
    return Status::Corruption("raft storage: last entry term " + N(last_term) + " exceeds hard state term " +
                              N(hard_state_.term));
  }
  return Status::Ok();
}

Result<consensus::StoredState> LevelDbRaftStorage::InitialState() const {
  return consensus::StoredState{hard_state_, conf_state_.value_or(snapshot_.metadata.conf_state)};
}

const Entry* LevelDbRaftStorage::Cached(Index index) const {
  Index cache_first = last_index_ + 1 - cache_.size();
  if (index < cache_first || index > last_index_) return nullptr;
  return &cache_[static_cast<size_t>(index - cache_first)];
}

Result<Entry> LevelDbRaftStorage::ReadEntry(Index index) const {
  if (const Entry* e = Cached(index)) return *e;
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), EntryKey(index), &value);
  if (s.IsNotFound()) return Status::Corruption("raft storage: entry " + N(index) + " is missing");
  RETURN_IF_ERROR(FromLevelDb(s, "read entry " + N(index)));
  Result<Entry> entry = consensus::DecodeEntry(ToView(value), options_.entry_bytes_max);
  if (!entry.ok()) return Status::Corruption("raft storage: entry " + N(index) + ": " + entry.status().message());
  if (entry->index != index) {
    return Status::Corruption("raft storage: entry under key " + N(index) + " says index " + N(entry->index));
  }
  return entry;
}

Result<std::vector<Entry>> LevelDbRaftStorage::Entries(Index lo, Index hi, uint64_t max_bytes) const {
  assert(lo <= hi);
  if (lo < first_index_) return consensus::ErrCompacted(lo);
  if (hi > last_index_ + 1) return consensus::ErrUnavailable(hi - 1);
  std::vector<Entry> out;
  uint64_t total_bytes = 0;
  for (Index i = lo; i < hi; ++i) {
    ASSIGN_OR_RETURN(Entry e, ReadEntry(i));
    total_bytes += e.SizeBytes();
    if (!out.empty() && total_bytes > max_bytes) break;
    out.push_back(std::move(e));
  }
  return out;
}

Result<Term> LevelDbRaftStorage::TermAt(Index index) const {
  if (index + 1 < first_index_) return consensus::ErrCompacted(index);
  if (index > last_index_) return consensus::ErrUnavailable(index);
  if (index + 1 == first_index_) return compacted_term_;
  ASSIGN_OR_RETURN(Entry e, ReadEntry(index));
  return e.term;
}

Result<Index> LevelDbRaftStorage::FirstIndex() const { return first_index_; }
Result<Index> LevelDbRaftStorage::LastIndex() const { return last_index_; }
Result<Snapshot> LevelDbRaftStorage::GetSnapshot() const { return snapshot_; }

Status LevelDbRaftStorage::Write(leveldb::WriteBatch* batch, bool sync) {
  leveldb::WriteOptions options;
  options.sync = sync;
  return FromLevelDb(db_->Write(options, batch), "write batch");
}

void LevelDbRaftStorage::CacheAppend(const std::vector<Entry>& entries) {
  for (const Entry& e : entries) cache_.push_back(e);
  CacheTrim();
}

void LevelDbRaftStorage::CacheTrim() {
  while (cache_.size() > options_.cache_entries_max) cache_.pop_front();
  // Entries below the first index are compacted and must not be served.
  while (!cache_.empty() && cache_.front().index < first_index_) cache_.pop_front();
}

Status LevelDbRaftStorage::Save(const HardState* hs, const std::vector<Entry>& entries, const Snapshot* snapshot,
                                bool sync) {
  // Validate everything against the state the batch will start from.
  Index first = first_index_;
  Index last = last_index_;
  Term compacted_term = compacted_term_;
  HardState new_hs = hs != nullptr ? *hs : hard_state_;
  if (snapshot != nullptr) {
    if (snapshot->IsEmpty()) return Status::InvalidArgument("snapshot: index 0 is an empty snapshot");
    if (snapshot->metadata.index <= snapshot_.metadata.index) {
      return Status::InvalidArgument("snapshot: index " + N(snapshot->metadata.index) +
                                     " is not newer than the stored snapshot at " + N(snapshot_.metadata.index));
    }
    first = snapshot->metadata.index + 1;
    last = snapshot->metadata.index;
    compacted_term = snapshot->metadata.term;
    new_hs.commit = std::max(new_hs.commit, snapshot->metadata.index);
    new_hs.term = std::max(new_hs.term, snapshot->metadata.term);
  }
  RETURN_IF_ERROR(CheckContiguous(entries));
  std::vector<Entry> to_write;
  if (!entries.empty()) {
    if (entries.front().index > last + 1) {
      return Status::InvalidArgument("entries: first index " + N(entries.front().index) +
                                     " leaves a gap after the last index " + N(last));
    }
    for (const Entry& e : entries) {
      if (e.index >= first) to_write.push_back(e);
    }
  }
  Index new_last = to_write.empty() ? last : to_write.back().index;
  if (new_hs.commit > new_last) {
    return Status::InvalidArgument("hard_state.commit: " + N(new_hs.commit) + " is past the last index " +
                                   N(new_last));
  }

  leveldb::WriteBatch batch;
  if (snapshot != nullptr) {
    for (Index i = first_index_; i <= last_index_; ++i) batch.Delete(EntryKey(i));
    batch.Put(kSnapshotKey, ToSlice(EncodeSnapshot(*snapshot)));
    batch.Put(kFirstIndexKey, ToSlice(EncodeFirstIndex(first, compacted_term)));
    batch.Delete(kConfStateKey);
  }
  if (!to_write.empty()) {
    // A conflicting suffix beyond the new entries goes in the same batch.
    for (Index i = new_last + 1; i <= last; ++i) batch.Delete(EntryKey(i));
    for (const Entry& e : to_write) batch.Put(EntryKey(e.index), ToSlice(consensus::EncodeEntry(e)));
  }
  if (hs != nullptr || snapshot != nullptr) batch.Put(kHardStateKey, ToSlice(consensus::EncodeHardState(new_hs)));
  RETURN_IF_ERROR(Write(&batch, sync));

  // The batch is durable (or at least applied): update the mirrors.
  if (snapshot != nullptr) {
    snapshot_ = *snapshot;
    conf_state_.reset();
    cache_.clear();
  }
  first_index_ = first;
  compacted_term_ = compacted_term;
  if (!to_write.empty()) {
    Index keep = to_write.front().index;
    while (!cache_.empty() && cache_.back().index >= keep) cache_.pop_back();
    last_index_ = new_last;
    // The cache must stay a suffix of the log: drop it if the new entries do
    // not continue it.
    if (!cache_.empty() && cache_.back().index + 1 != keep) cache_.clear();
    CacheAppend(to_write);
  } else {
    last_index_ = last;
  }
  hard_state_ = new_hs;
  return Status::Ok();
}

Status LevelDbRaftStorage::SaveConfState(const ConfState& conf_state, bool sync) {
  leveldb::WriteBatch batch;
  return SaveConfState(conf_state, &batch, sync);
}

Status LevelDbRaftStorage::SaveConfState(const ConfState& conf_state, leveldb::WriteBatch* with, bool sync) {
  if (with == nullptr) return Status::InvalidArgument("save conf state: batch must not be null");
  with->Put(kConfStateKey, ToSlice(consensus::EncodeConfState(conf_state)));
  RETURN_IF_ERROR(Write(with, sync));
  conf_state_ = conf_state;
  return Status::Ok();
}

Result<Snapshot> LevelDbRaftStorage::CreateSnapshot(Index index, std::optional<ConfState> conf_state, Bytes data,
                                                    bool sync) {
  if (index <= snapshot_.metadata.index) {
    return Status::FailedPrecondition("create snapshot: index " + N(index) + " is not after the snapshot at " +
                                      N(snapshot_.metadata.index));
  }
  if (index > last_index_) {
    return Status::OutOfRange("create snapshot: index " + N(index) + " is past the last index " + N(last_index_));
  }
  ASSIGN_OR_RETURN(Term term, TermAt(index));
  Snapshot snapshot;
  snapshot.metadata.index = index;
  snapshot.metadata.term = term;
  snapshot.metadata.conf_state = conf_state ? *conf_state : snapshot_.metadata.conf_state;
  snapshot.data = std::move(data);
  leveldb::WriteBatch batch;
  batch.Put(kSnapshotKey, ToSlice(EncodeSnapshot(snapshot)));
  RETURN_IF_ERROR(Write(&batch, sync));
  snapshot_ = snapshot;
  return snapshot;
}

Status LevelDbRaftStorage::Compact(Index compact_index, bool sync) {
  if (compact_index < first_index_) return Status::Ok();
  if (compact_index > last_index_) {
    return Status::OutOfRange("compact: index " + N(compact_index) + " is past the last index " + N(last_index_));
  }
  ASSIGN_OR_RETURN(Term term, TermAt(compact_index));
  leveldb::WriteBatch batch;
  for (Index i = first_index_; i <= compact_index; ++i) batch.Delete(EntryKey(i));
  batch.Put(kFirstIndexKey, ToSlice(EncodeFirstIndex(compact_index + 1, term)));
  RETURN_IF_ERROR(Write(&batch, sync));
  first_index_ = compact_index + 1;
  compacted_term_ = term;
  CacheTrim();
  return Status::Ok();
}

Result<Snapshot> LevelDbRaftStorage::CompactWithSnapshot(Index index, Index applied_index_max,
                                                         const ConfState& conf_state, Bytes data, bool sync) {
  if (index <= snapshot_.metadata.index) {
    return Status::FailedPrecondition("compact: index " + N(index) + " is not after the snapshot at " +
                                      N(snapshot_.metadata.index));
  }
  if (index > applied_index_max) {
    return Status::InvalidArgument("compact: index " + N(index) + " is past the applied index " +
                                   N(applied_index_max));
  }
  if (index > last_index_) {
    return Status::OutOfRange("compact: index " + N(index) + " is past the last index " + N(last_index_));
  }
  if (index + 1 < first_index_) {
    return Status::FailedPrecondition("compact: index " + N(index) + " is already compacted (first index " +
                                      N(first_index_) + ")");
  }
  if (data.size() > options_.snapshot_bytes_max) {
    return Status::InvalidArgument("compact: snapshot data of " + N(data.size()) + " bytes exceeds " +
                                   N(options_.snapshot_bytes_max));
  }
  ASSIGN_OR_RETURN(Term term, TermAt(index));
  Snapshot snapshot;
  snapshot.metadata.index = index;
  snapshot.metadata.term = term;
  snapshot.metadata.conf_state = conf_state;
  snapshot.data = std::move(data);
  leveldb::WriteBatch batch;
  for (Index i = first_index_; i <= index; ++i) batch.Delete(EntryKey(i));
  batch.Put(kSnapshotKey, ToSlice(EncodeSnapshot(snapshot)));
  batch.Put(kFirstIndexKey, ToSlice(EncodeFirstIndex(index + 1, term)));
  RETURN_IF_ERROR(Write(&batch, sync));
  snapshot_ = snapshot;
  first_index_ = index + 1;
  compacted_term_ = term;
  CacheTrim();
  return snapshot;
}

}  // namespace shulian::node
