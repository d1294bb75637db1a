// Config: every parameter and limit of one Raft node, validated before use.
//
// RawNode::Create calls Validate() and refuses an invalid config with an error
// naming the field. Times are in ticks (the application decides how long a tick
// is); sizes are in bytes as counted by Entry::SizeBytes().
//
// Thread-safety: a value.
#pragma once

#include <cstdint>

#include "common/status.h"
#include "consensus/types.h"

namespace shulian::consensus {

enum class ReadOnlyOption : uint8_t {
  // ReadIndex confirms leadership with a heartbeat round to a quorum. Always safe.
  kSafe = 0,
  // ReadIndex trusts the leader's lease (needs check_quorum); one round trip
  // cheaper but relies on bounded clock drift between nodes.
  kLeaseBased = 1,
};

struct Config {
  // This node's id; must not be kNoNode.
  NodeId id = kNoNode;

  // A follower that hears nothing from a leader for a randomised time in
  // [election_timeout_ticks, 2*election_timeout_ticks) starts an election.
  uint32_t election_timeout_ticks = 10;
  // The leader sends heartbeats every heartbeat_ticks; must be < election timeout.
  uint32_t heartbeat_ticks = 1;

  // The last index the application has applied (0: start from the snapshot).
  Index applied_index = 0;

  // Upper bound of one append message's entries (at least one entry is sent).
  uint64_t max_size_per_append_bytes = 1 << 20;
  // Pipelining window per follower, by message count and by bytes.
  uint32_t max_inflight_messages = 256;
  uint64_t max_inflight_bytes = 64ull << 20;
  // The leader refuses proposals while its uncommitted entries exceed this.
  uint64_t max_uncommitted_entries_bytes = 64ull << 20;
  // Upper bound of committed entries handed out in one Ready (at least one).
  uint64_t max_committed_size_per_ready_bytes = 64ull << 20;
  // Upper bound of one proposal's data.
  uint64_t max_proposal_bytes = 16ull << 20;
  // ReadIndex requests waiting for confirmation, or for the leader's first commit.
  uint32_t max_pending_read_requests = 4096;
  // Messages buffered for the next Ready before new ones are dropped (Raft
  // tolerates loss; this bounds memory if the application stalls).
  uint32_t max_outgoing_messages = 100'000;

  // Run a pre-vote round before incrementing the term (avoids disruption by
  // partitioned nodes rejoining).
  bool pre_vote = true;
  // A leader steps down when it has not heard from a quorum within an election
  // timeout; followers with a live leader ignore vote requests.
  bool check_quorum = true;
  ReadOnlyOption read_only = ReadOnlyOption::kSafe;

  // Non-zero for a node restored from a backup (docs/node.md "Backup and
  // restore"): its hard state may be older than votes it gave before, so it
  // grants no vote or pre-vote and never campaigns until it has accepted an
  // append or heartbeat from a leader of at least this term and holds that
  // leader's commit. RawNode::vote_fenced() tells when the fence lifted.
  Term vote_fence_term = 0;

  // Seed of the election-timeout randomiser; give each node its own.
  uint64_t random_seed = 0;

  Status Validate() const;
};

}  // namespace shulian::consensus
