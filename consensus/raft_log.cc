#include "consensus/raft_log.h"

#include <algorithm>

namespace shulian::consensus {

Result<RaftLog> RaftLog::Open(const Storage* storage) {
  RaftLog log(storage);
  ASSIGN_OR_RETURN(Index first, storage->FirstIndex());
  ASSIGN_OR_RETURN(Index last, storage->LastIndex());
  if (first == 0 || last + 1 < first) {
    return Status::Corruption("raft storage: first index " + std::to_string(first) + " and last index " +
                              std::to_string(last) + " are inconsistent");
  }
  log.unstable_offset_ = last + 1;
  log.committed_ = first - 1;
  log.applied_ = first - 1;
  return log;
}

void RaftLog::Fail(const Status& status) const {
  if (error_.ok()) error_ = status.WithContext("raft storage");
}

Index RaftLog::FirstIndex() const {
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index + 1;
  Result<Index> first = storage_->FirstIndex();
  if (!first.ok()) {
    Fail(first.status());
    return 0;
  }
  return *first;
}

Index RaftLog::LastIndex() const {
  if (!unstable_entries_.empty()) return unstable_offset_ + unstable_entries_.size() - 1;
  if (unstable_snapshot_) return unstable_snapshot_->metadata.index;
  Result<Index> last = storage_->LastIndex();
  if (!last.ok()) {
    Fail(last.status());
    return 0;
  }
  return *last;
}

Term RaftLog::LastTerm() const { return TermOrZero(LastIndex()); }

Result<Term> RaftLog::StorageTerm(Index index) const {
  Result<Term> term = storage_->TermAt(index);
  if (!term.ok() && !IsCompacted(term.status()) && !IsUnavailable(term.status())) Fail(term.status());
  return term;
}

Result<Term> RaftLog::TermAt(Index index) const {
  Index dummy = FirstIndex() - 1;
  if (index < dummy) return ErrCompacted(index);
  if (index > LastIndex()) return ErrUnavailable(index);
  if (unstable_snapshot_ && index == unstable_snapshot_->metadata.index) return unstable_snapshot_->metadata.term;
  if (index >= unstable_offset_ && index < unstable_offset_ + unstable_entries_.size()) {
    return unstable_entries_[index - unstable_offset_].term;
  }
  return StorageTerm(index);
}

Term RaftLog::TermOrZero(Index index) const {
  Result<Term> term = TermAt(index);
  return term.ok() ? *term : 0;
}

bool RaftLog::MatchTerm(Index index, Term term) const {
  Result<Term> t = TermAt(index);
  return t.ok() && *t == term;
}

bool RaftLog::IsUpToDate(Index last_index, Term last_term) const {
  Term our_term = LastTerm();
  return last_term > our_term || (last_term == our_term && last_index >= LastIndex());
}

Result<std::vector<Entry>> RaftLog::Slice(Index lo, Index hi, uint64_t max_bytes) const {
  if (lo >= hi) return std::vector<Entry>{};
  if (lo < FirstIndex()) return ErrCompacted(lo);
  if (hi > LastIndex() + 1) return ErrUnavailable(hi - 1);
  std::vector<Entry> out;
  uint64_t total_bytes = 0;
  if (lo < unstable_offset_) {
    Index storage_hi = std::min(hi, unstable_offset_);
    Result<std::vector<Entry>> stored = storage_->Entries(lo, storage_hi, max_bytes);
    if (!stored.ok()) {
      if (!IsCompacted(stored.status())) Fail(stored.status());
      return stored.status();
    }
    out = std::move(stored).value();
    for (const Entry& e : out) total_bytes += e.SizeBytes();
    // Storage stopped early at the byte bound: the unstable part must not follow.
    if (out.size() < storage_hi - lo) return out;
  }
  for (Index i = std::max(lo, unstable_offset_); i < hi; ++i) {
    const Entry& e = unstable_entries_[i - unstable_offset_];
    total_bytes += e.SizeBytes();
    if (!out.empty() && total_bytes > max_bytes) break;
    out.push_back(e);
  }
  return out;
}

Index RaftLog::FindConflict(const std::vector<Entry>& entries) const {
  for (const Entry& e : entries) {
    if (!MatchTerm(e.index, e.term)) return e.index;
  }
  return 0;
}

Result<std::optional<Index>> RaftLog::MaybeAppend(Index prev_index, Term prev_term, Index leader_commit,
                                                  const std::vector<Entry>& entries) {
  if (!MatchTerm(prev_index, prev_term)) return std::optional<Index>();
  Index last_new = prev_index + entries.size();
  Index conflict = FindConflict(entries);
  if (conflict != 0) {
    if (conflict <= committed_) {
      return Status::Internal("raft log: entry " + std::to_string(conflict) + " conflicts with committed entry (commit " +
                              std::to_string(committed_) + ")");
    }
    std::vector<Entry> tail(entries.begin() + static_cast<std::ptrdiff_t>(conflict - prev_index - 1), entries.end());
    TruncateAndAppend(tail);
  }
  CommitTo(std::min(leader_commit, last_new));
  return std::optional<Index>(last_new);
}

Index RaftLog::Append(std::vector<Entry> entries) {
  if (!entries.empty()) TruncateAndAppend(entries);
  return LastIndex();
}

void RaftLog::TruncateAndAppend(const std::vector<Entry>& entries) {
  Index first = entries.front().index;
  if (first == unstable_offset_ + unstable_entries_.size()) {
    // Plain append after the unstable tail.
  } else if (first <= unstable_offset_) {
    // Replaces the whole unstable tail (and, once persisted, the storage suffix).
    unstable_offset_ = first;
    unstable_entries_.clear();
  } else {
    unstable_entries_.resize(static_cast<size_t>(first - unstable_offset_));
  }
  unstable_entries_.insert(unstable_entries_.end(), entries.begin(), entries.end());
}

void RaftLog::CommitTo(Index index) {
  if (index <= committed_) return;
  assert(index <= LastIndex() && "commit past the last index");
  committed_ = index;
}

bool RaftLog::MaybeCommit(Index index, Term term) {
  if (index > committed_ && TermOrZero(index) == term) {
    CommitTo(index);
    return true;
  }
  return false;
}

void RaftLog::AppliedTo(Index index) {
  if (index == 0) return;
  assert(index <= committed_ && index >= applied_);
  applied_ = index;
}

void RaftLog::Restore(const Snapshot& snapshot) {
  committed_ = snapshot.metadata.index;
  unstable_snapshot_ = snapshot;
  unstable_entries_.clear();
  unstable_offset_ = snapshot.metadata.index + 1;
}

bool RaftLog::HasNextCommittedEntries() const {
  if (unstable_snapshot_) return false;
  return committed_ > std::max(applied_, FirstIndex() - 1);
}

Result<std::vector<Entry>> RaftLog::NextCommittedEntries(uint64_t max_bytes) const {
  if (!HasNextCommittedEntries()) return std::vector<Entry>{};
  Index lo = std::max(applied_ + 1, FirstIndex());
  return Slice(lo, committed_ + 1, max_bytes);
}

void RaftLog::StableTo(Index index, Term term) {
  if (index < unstable_offset_ || index >= unstable_offset_ + unstable_entries_.size()) return;
  // A later append may have replaced the persisted entry; then it stays unstable.
  if (unstable_entries_[index - unstable_offset_].term != term) return;
  unstable_entries_.erase(unstable_entries_.begin(),
                          unstable_entries_.begin() + static_cast<std::ptrdiff_t>(index + 1 - unstable_offset_));
  unstable_offset_ = index + 1;
}

void RaftLog::StableSnapshotTo(Index index) {
  if (unstable_snapshot_ && unstable_snapshot_->metadata.index == index) unstable_snapshot_.reset();
}

}  // namespace shulian::consensus
