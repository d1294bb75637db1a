#include "node/membership.h"

#include <algorithm>
#include <cassert>
#include <optional>

namespace shulian::node {
namespace {

using Step = MembershipStep;

std::string N(uint64_t v) { return std::to_string(v); }

const consensus::PeerProgress* FindProgress(const MembershipView& view, uint64_t id) {
  for (const consensus::PeerProgress& p : view.progress) {
    if (p.id == id) return &p;
  }
  return nullptr;
}

// The voter (not the leader) that stays a validator and has replicated the most.
std::optional<uint64_t> TransferTarget(const MembershipView& view, const std::set<uint64_t>& active) {
  std::optional<uint64_t> best;
  consensus::Index best_match = 0;
  for (uint64_t voter : view.conf_state.voters) {
    if (voter == view.self_id || !active.contains(voter)) continue;
    const consensus::PeerProgress* p = FindProgress(view, voter);
    const consensus::Index match = p != nullptr ? p->match : 0;
    if (!best || match > best_match) {
      best = voter;
      best_match = match;
    }
  }
  return best;
}

std::optional<Step> RemovalStep(const MembershipView& view, const std::set<uint64_t>& active) {
  std::vector<uint64_t> members = view.conf_state.voters;
  members.insert(members.end(), view.conf_state.learners.begin(), view.conf_state.learners.end());
  std::sort(members.begin(), members.end());
  for (uint64_t member : members) {
    if (active.contains(member)) continue;
    if (member != view.self_id) return Step{Step::Kind::kRemove, member, "node " + N(member) + " is not a validator"};
    std::optional<uint64_t> target = TransferTarget(view, active);
    if (!target) continue;  // no voter to hand over to: keep leading rather than stall
    return Step{Step::Kind::kTransferLeadership, *target,
                "this leader (" + N(member) + ") is no longer a validator"};
  }
  return std::nullopt;
}

std::optional<Step> PromotionStep(const MembershipView& view, const std::set<uint64_t>& active,
                                  const MembershipLimits& limits) {
  for (uint64_t learner : view.conf_state.learners) {
    if (!active.contains(learner)) continue;
    const consensus::PeerProgress* p = FindProgress(view, learner);
    // match 0: the learner has acknowledged nothing yet (it may not even be running),
    // and a voter that never answers would only raise the quorum.
    if (p == nullptr || p->match == 0 || p->match + limits.learner_lag_entries_max < view.last_index) continue;
    return Step{Step::Kind::kPromoteVoter, learner,
                "learner " + N(learner) + " caught up to " + N(p->match) + " of " + N(view.last_index)};
  }
  return std::nullopt;
}

std::optional<Step> AdditionStep(const MembershipView& view, const std::set<uint64_t>& active) {
  for (uint64_t validator : active) {
    if (view.conf_state.IsMember(validator) || view.conf_state.IsRemoved(validator)) continue;
    if (validator != view.self_id && !view.known_peers.contains(validator)) continue;
    return Step{Step::Kind::kAddLearner, validator, "validator " + N(validator) + " is not a Raft member"};
  }
  return std::nullopt;
}

}  // namespace

Status MembershipLimits::Validate() const {
  if (learner_lag_entries_max > 1'000'000) {
    return Status::InvalidArgument("learner_lag_entries_max: " + N(learner_lag_entries_max) +
                                   " is outside [0, 1000000]");
  }
  return Status::Ok();
}

std::string_view MembershipStepName(MembershipStep::Kind kind) {
  switch (kind) {
    case Step::Kind::kNone: return "none";
    case Step::Kind::kAddLearner: return "add_learner";
    case Step::Kind::kPromoteVoter: return "promote_voter";
    case Step::Kind::kRemove: return "remove";
    case Step::Kind::kTransferLeadership: return "transfer_leadership";
  }
  return "unknown";
}

MembershipStep NextMembershipStep(const MembershipView& view, const MembershipLimits& limits) {
  const std::set<uint64_t> active(view.ledger_validators.begin(), view.ledger_validators.end());
  // Removals first: a removed validator must stop voting and proposing soonest.
  if (std::optional<Step> step = RemovalStep(view, active)) return *step;
  if (std::optional<Step> step = PromotionStep(view, active, limits)) return *step;
  if (std::optional<Step> step = AdditionStep(view, active)) return *step;
  return Step{};
}

consensus::ConfChange ConfChangeFor(const MembershipStep& step) {
  consensus::ConfChange change;
  change.node_id = step.node_id;
  switch (step.kind) {
    case Step::Kind::kAddLearner: change.type = consensus::ConfChangeType::kAddLearner; break;
    case Step::Kind::kPromoteVoter: change.type = consensus::ConfChangeType::kAddVoter; break;
    case Step::Kind::kRemove: change.type = consensus::ConfChangeType::kRemoveNode; break;
    case Step::Kind::kNone:
    case Step::Kind::kTransferLeadership: assert(false && "no conf change for this step"); break;
  }
  return change;
}

}  // namespace shulian::node
