#include "consensus/invariants.h"

#include <algorithm>
#include <string>

namespace shulian::consensus {

Status InvariantChecker::Observe(const RawNode& node) {
  const std::string who = "node " + std::to_string(node.id());
  Seen& seen = seen_[node.id()];
  if (node.term() < seen.term) {
    return Status::Internal(who + ": term decreased from " + std::to_string(seen.term) + " to " +
                            std::to_string(node.term()));
  }
  if (node.committed() < seen.commit) {
    return Status::Internal(who + ": commit decreased from " + std::to_string(seen.commit) + " to " +
                            std::to_string(node.committed()));
  }
  if (node.committed() > node.last_index()) {
    return Status::Internal(who + ": commit " + std::to_string(node.committed()) + " exceeds last index " +
                            std::to_string(node.last_index()));
  }
  if (node.applied() > node.committed()) {
    return Status::Internal(who + ": applied " + std::to_string(node.applied()) + " exceeds commit " +
                            std::to_string(node.committed()));
  }
  seen.term = node.term();
  seen.commit = node.committed();
  if (node.role() == Role::kLeader) {
    if (node.vote() != node.id()) {
      return Status::Internal(who + ": leader of term " + std::to_string(node.term()) + " voted for " +
                              std::to_string(node.vote()));
    }
    auto [it, inserted] = leader_of_term_.emplace(node.term(), node.id());
    if (!inserted && it->second != node.id()) {
      return Status::Internal("two leaders in term " + std::to_string(node.term()) + ": nodes " +
                              std::to_string(it->second) + " and " + std::to_string(node.id()));
    }
  }
  return Status::Ok();
}

void InvariantChecker::Restarted(NodeId id, const HardState& persisted) {
  Seen& seen = seen_[id];
  seen.term = std::min(seen.term, persisted.term);
  seen.commit = std::min(seen.commit, persisted.commit);
}

}  // namespace shulian::consensus
