// Progress tracking (internal to consensus/): the leader's per-member
// replication state, the bounded in-flight window used for pipelining, and the
// quorum arithmetic for commits and elections.
//
// Thread-safety: none; owned by RawNode.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <vector>

#include "consensus/raw_node.h"
#include "consensus/types.h"

namespace shulian::consensus {

// Append messages sent but not yet acknowledged, bounded by count and bytes.
class Inflights {
 public:
  Inflights(uint32_t max_messages, uint64_t max_bytes) : max_messages_(max_messages), max_bytes_(max_bytes) {}

  void Add(Index last_index, uint64_t bytes);
  // Frees every message whose last index is <= index (acknowledged).
  void FreeLE(Index index);
  void FreeFirstOne();
  bool Full() const { return sent_.size() >= max_messages_ || bytes_ >= max_bytes_; }
  uint32_t count() const { return static_cast<uint32_t>(sent_.size()); }
  uint64_t bytes() const { return bytes_; }
  void Reset();

 private:
  struct Sent {
    Index last_index;
    uint64_t bytes;
  };
  uint32_t max_messages_;
  uint64_t max_bytes_;
  std::deque<Sent> sent_;  // ascending last_index
  uint64_t bytes_ = 0;
};

struct Progress {
  Progress(uint32_t max_messages, uint64_t max_bytes) : inflights(max_messages, max_bytes) {}

  Index match = 0;  // highest index known replicated; only increases within a term
  Index next = 1;   // next index to send; match < next
  ProgressState state = ProgressState::kProbe;
  bool probe_sent = false;     // kProbe: an append is outstanding; wait for reply or heartbeat
  Index pending_snapshot = 0;  // kSnapshot: index of the snapshot being sent
  bool recent_active = false;  // heard from within the last election timeout
  bool is_learner = false;
  // kSnapshot: election timeouts passed while waiting; after two the leader
  // assumes the snapshot was lost and probes again.
  uint32_t snapshot_wait_timeouts = 0;
  Inflights inflights;

  void BecomeProbe();
  void BecomeReplicate();
  void BecomeSnapshot(Index snapshot_index);
  // Acknowledgement of `index`: returns true if match advanced.
  bool MaybeUpdate(Index index);
  // Pipelining: the append up to `last_index` is on its way.
  void OptimisticUpdate(Index last_index) { next = last_index + 1; }
  // Rejection of the append after `rejected` with the follower's hint of its
  // last index; returns false if the rejection is stale.
  bool MaybeDecreaseTo(Index rejected, Index hint);
  // A restored follower holds only up to `hint` (kRestoredLogContext): forgets
  // any match above it and probes from there. Returns false if match <= hint.
  bool ForgetMatchAbove(Index hint);
  bool IsPaused() const;
};

// Quorum size of n voters.
inline size_t Majority(size_t voters) { return voters / 2 + 1; }

// The highest index replicated on a quorum of voters, given each voter's match.
Index QuorumCommitted(std::vector<Index> matches);

enum class VoteResult : uint8_t { kPending, kWon, kLost };
// Tally of votes (voter id -> granted) against the voter set.
VoteResult TallyVotes(const std::vector<NodeId>& voters, const std::map<NodeId, bool>& votes);

}  // namespace shulian::consensus
