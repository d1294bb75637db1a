#include "consensus/memory_storage.h"

namespace shulian::consensus {

MemoryStorage::MemoryStorage() { entries_.push_back(Entry{}); }

Result<StoredState> MemoryStorage::InitialState() const {
  return StoredState{hard_state_, conf_state_override_.value_or(snapshot_.metadata.conf_state)};
}

Result<std::vector<Entry>> MemoryStorage::Entries(Index lo, Index hi, uint64_t max_bytes) const {
  assert(lo <= hi);
  if (lo <= Offset()) return ErrCompacted(lo);
  if (hi > entries_.back().index + 1) return ErrUnavailable(hi - 1);
  std::vector<Entry> out;
  uint64_t total_bytes = 0;
  for (Index i = lo; i < hi; ++i) {
    const Entry& e = entries_[i - Offset()];
    total_bytes += e.SizeBytes();
    if (!out.empty() && total_bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Result<Term> MemoryStorage::TermAt(Index index) const {
  if (index < Offset()) return ErrCompacted(index);
  if (index > entries_.back().index) return ErrUnavailable(index);
  return entries_[index - Offset()].term;
}

Result<Index> MemoryStorage::FirstIndex() const { return Offset() + 1; }

Result<Index> MemoryStorage::LastIndex() const { return entries_.back().index; }

Result<Snapshot> MemoryStorage::GetSnapshot() const {
  if (snapshot_unavailable_) return ErrSnapshotTemporarilyUnavailable();
  return snapshot_;
}

void MemoryStorage::SetHardState(const HardState& state) { hard_state_ = state; }

void MemoryStorage::SetConfState(const ConfState& state) { conf_state_override_ = state; }

Status MemoryStorage::Append(const std::vector<Entry>& entries) {
  if (entries.empty()) return Status::Ok();
  for (size_t i = 1; i < entries.size(); ++i) {
    if (entries[i].index != entries[i - 1].index + 1) {
      return Status::InvalidArgument("append: entries not contiguous at index " + std::to_string(entries[i].index));
    }
  }
  Index first = entries.front().index;
  Index last_new = entries.back().index;
  if (last_new <= Offset()) return Status::Ok();  // all compacted already
  if (first > entries_.back().index + 1) {
    return Status::InvalidArgument("append: gap: first new index " + std::to_string(first) + " after last index " +
                                   std::to_string(entries_.back().index));
  }
  size_t skip = first <= Offset() ? static_cast<size_t>(Offset() + 1 - first) : 0;
  Index start = first + skip;
  entries_.resize(static_cast<size_t>(start - Offset()));
  entries_.insert(entries_.end(), entries.begin() + static_cast<std::ptrdiff_t>(skip), entries.end());
  return Status::Ok();
}

Status MemoryStorage::ApplySnapshot(const Snapshot& snapshot) {
  if (snapshot.metadata.index < snapshot_.metadata.index ||
      (snapshot.metadata.index == snapshot_.metadata.index && !snapshot_.IsEmpty())) {
    return Status::FailedPrecondition("apply snapshot: snapshot at " + std::to_string(snapshot.metadata.index) +
                                      " is not newer than " + std::to_string(snapshot_.metadata.index));
  }
  snapshot_ = snapshot;
  conf_state_override_.reset();
  entries_.assign(1, Entry{snapshot.metadata.term, snapshot.metadata.index, EntryType::kNormal, {}});
  if (hard_state_.commit < snapshot.metadata.index) hard_state_.commit = snapshot.metadata.index;
  if (hard_state_.term < snapshot.metadata.term) hard_state_.term = snapshot.metadata.term;
  return Status::Ok();
}

Result<Snapshot> MemoryStorage::CreateSnapshot(Index index, std::optional<ConfState> conf_state, Bytes data) {
  if (index <= snapshot_.metadata.index) {
    return Status::FailedPrecondition("create snapshot: index " + std::to_string(index) + " is not after snapshot " +
                                      std::to_string(snapshot_.metadata.index));
  }
  if (index > entries_.back().index) {
    return Status::OutOfRange("create snapshot: index " + std::to_string(index) + " is past last index " +
                              std::to_string(entries_.back().index));
  }
  snapshot_.metadata.index = index;
  snapshot_.metadata.term = entries_[index - Offset()].term;
  if (conf_state) snapshot_.metadata.conf_state = *conf_state;
  snapshot_.data = std::move(data);
  return snapshot_;
}

Status MemoryStorage::Compact(Index compact_index) {
  if (compact_index <= Offset()) return Status::Ok();
  if (compact_index > entries_.back().index) {
    return Status::OutOfRange("compact: index " + std::to_string(compact_index) + " is past last index " +
                              std::to_string(entries_.back().index));
  }
  size_t drop = static_cast<size_t>(compact_index - Offset());
  Entry dummy{entries_[drop].term, entries_[drop].index, EntryType::kNormal, {}};
  entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(drop));
  entries_.front() = dummy;
  return Status::Ok();
}

}  // namespace shulian::consensus
