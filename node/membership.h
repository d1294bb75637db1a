// Validator-driven Raft membership: what the leader should do next so that the
// Raft configuration follows the ledger's validator set.
//
// The ledger records add_validator / remove_validator transactions; Raft has its
// own configuration (ConfState). The leader compares the two after applying and
// takes at most one step at a time (Raft allows one pending change):
//   1. a Raft member that is no longer an active validator is removed — if it is
//      the leader itself, leadership is first transferred to the best caught-up
//      voter that stays, because a removed proposer's blocks are refused;
//   2. a learner that is an active validator and has caught up (within
//      learner_lag_entries_max of the leader's last index) is promoted to voter;
//   3. an active validator that is not a member, was never removed from Raft,
//      and whose peer address this node knows, is added as a learner.
// The decision is a pure function of (ledger validators, ConfState, the leader's
// replication progress), never of remembered events, so it is idempotent across
// leader changes and restarts: a new leader recomputes the same next step.
// Raft never re-adds a removed id (ConfState::removed), so node ids are never
// reused even if the ledger had a bug.
//
// Followers never call this. Thread-safety: pure functions over values.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "common/status.h"
#include "consensus/raw_node.h"
#include "consensus/types.h"

namespace shulian::node {

struct MembershipLimits {
  // A learner within this many entries of the leader's last index is promoted.
  uint64_t learner_lag_entries_max = 64;
  // InvalidArgument naming the field outside [0, 1,000,000].
  Status Validate() const;
};

struct MembershipView {
  uint64_t self_id = 0;  // the leader
  // Validators the ledger lists as active (not removed), any order.
  std::vector<uint64_t> ledger_validators;
  consensus::ConfState conf_state;
  // The leader's replication progress (RawNode::GetStatus().progress) and last index.
  std::vector<consensus::PeerProgress> progress;
  consensus::Index last_index = 0;
  // Node ids this node can reach (its configured peers): a validator the config
  // does not list cannot be replicated to, so it is not added yet.
  std::set<uint64_t> known_peers;
};

struct MembershipStep {
  enum class Kind : uint8_t { kNone, kAddLearner, kPromoteVoter, kRemove, kTransferLeadership };
  Kind kind = Kind::kNone;
  uint64_t node_id = 0;  // the member changed, or the transfer target
  std::string reason;    // for the log
  friend bool operator==(const MembershipStep&, const MembershipStep&) = default;
};

std::string_view MembershipStepName(MembershipStep::Kind kind);

MembershipStep NextMembershipStep(const MembershipView& view, const MembershipLimits& limits);

// The conf change that carries a step (kAddLearner, kPromoteVoter, kRemove only).
consensus::ConfChange ConfChangeFor(const MembershipStep& step);

}  // namespace shulian::node
