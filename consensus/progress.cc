#include "consensus/progress.h"

#include <algorithm>
#include <functional>

namespace shulian::consensus {

void Inflights::Add(Index last_index, uint64_t bytes) {
  assert(sent_.empty() || sent_.back().last_index < last_index);
  sent_.push_back({last_index, bytes});
  bytes_ += bytes;
}

void Inflights::FreeLE(Index index) {
  while (!sent_.empty() && sent_.front().last_index <= index) FreeFirstOne();
}

void Inflights::FreeFirstOne() {
  if (sent_.empty()) return;
  bytes_ -= sent_.front().bytes;
  sent_.pop_front();
}

void Inflights::Reset() {
  sent_.clear();
  bytes_ = 0;
}

void Progress::BecomeProbe() {
  // After a snapshot, resume right after it; otherwise right after the match.
  Index resume = state == ProgressState::kSnapshot ? std::max(match + 1, pending_snapshot + 1) : match + 1;
  state = ProgressState::kProbe;
  next = resume;
  probe_sent = false;
  pending_snapshot = 0;
  inflights.Reset();
}

void Progress::BecomeReplicate() {
  state = ProgressState::kReplicate;
  next = match + 1;
  probe_sent = false;
  pending_snapshot = 0;
  inflights.Reset();
}

void Progress::BecomeSnapshot(Index snapshot_index) {
  state = ProgressState::kSnapshot;
  pending_snapshot = snapshot_index;
  snapshot_wait_timeouts = 0;
  probe_sent = false;
  inflights.Reset();
}

bool Progress::MaybeUpdate(Index index) {
  bool updated = false;
  if (match < index) {
    match = index;
    updated = true;
    probe_sent = false;
  }
  next = std::max(next, index + 1);
  return updated;
}

bool Progress::MaybeDecreaseTo(Index rejected, Index hint) {
  if (state == ProgressState::kReplicate) {
    // Stale if the rejected append was at or below what is already matched.
    if (rejected <= match) return false;
    next = match + 1;
    return true;
  }
  // Probe (or snapshot): only the rejection of the latest probe counts.
  if (next == 0 || next - 1 != rejected) return false;
  next = std::max(std::min(rejected, hint + 1), match + 1);
  probe_sent = false;
  return true;
}

bool Progress::ForgetMatchAbove(Index hint) {
  if (match <= hint) return false;
  match = hint;
  state = ProgressState::kProbe;  // from any state: resume right after the hint
  BecomeProbe();
  return true;
}

bool Progress::IsPaused() const {
  switch (state) {
    case ProgressState::kProbe: return probe_sent;
    case ProgressState::kReplicate: return inflights.Full();
    case ProgressState::kSnapshot: return true;
  }
  return true;
}

Index QuorumCommitted(std::vector<Index> matches) {
  if (matches.empty()) return 0;
  std::sort(matches.begin(), matches.end(), std::greater<Index>());
  return matches[Majority(matches.size()) - 1];
}

VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes) {
  size_t granted = 0;
  size_t rejected = 0;
  for (NodeId id : voters) {
    auto it = votes.find(id);
    if (it == votes.end()) continue;
    (it->second ? granted : rejected)++;
  }
  size_t quorum = Majority(voters.size());
  if (granted >= quorum) return VoteResult::kWon;
  if (rejected > voters.size() - quorum) return VoteResult::kLost;
  return VoteResult::kPending;
}

}  // namespace shulian::consensus
