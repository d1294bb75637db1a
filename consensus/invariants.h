// InvariantChecker: Raft's safety properties, checked after every step in tests
// and in the simulator (in the manner of LogCabin's invariant checks).
//
// Per node, across observations: the term and the commit index never decrease;
// commit <= last index; applied <= commit. Across nodes: at most one leader per
// term, and a leader voted for itself in its term. Violations are returned as an
// error describing the node and the values; the checker remembers what it saw.
//
// Thread-safety: none; owned by the test driving the nodes.
#pragma once

#include <map>

#include "common/status.h"
#include "consensus/raw_node.h"
#include "consensus/types.h"

namespace shulian::consensus {

class InvariantChecker {
 public:
  // Observes one node's current state; returns the first violated invariant.
  Status Observe(const RawNode& node);

  // A crash loses what was not yet persisted: the restarted node may be behind
  // what was observed, but never behind what it had persisted. Call before
  // observing a restarted node, with the hard state its storage holds.
  void Restarted(NodeId id, const HardState& persisted);

 private:
  struct Seen {
    Term term = 0;
    Index commit = 0;
  };
  std::map<NodeId, Seen> seen_;
  std::map<Term, NodeId> leader_of_term_;
};

}  // namespace shulian::consensus
