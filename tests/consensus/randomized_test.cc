// Randomized safety test over many seeds: message loss and reordering,
// partitions, restarts that lose unpersisted state, compaction, leader
// transfers and membership changes during faults. After every step it checks
// the invariants and that all nodes applied the same entry at each index; after
// healing, that a leader emerges and its entry reaches every member within a
// bounded number of ticks. A failure names its seed; rerunning replays it.
#include <gtest/gtest.h>

#include <cstdlib>

#include "consensus/raw_node.h"
#include "consensus/rng.h"
#include "tests/consensus/cluster.h"

namespace shulian::consensus {
namespace {

using testing::Cluster;
using testing::NodeOptions;

struct ChaosOptions {
  size_t nodes = 3;
  size_t steps = 2000;
};

// Checks that every node applied the same data at each index (state machine safety).
Status CheckAppliedAgree(Cluster& cluster, std::map<Index, std::string>& history) {
  for (NodeId id : cluster.ids()) {
    for (const auto& [index, data] : cluster.node(id).applied_data) {
      auto [it, inserted] = history.emplace(index, data);
      if (!inserted && it->second != data) {
        return Status::Internal("node " + std::to_string(id) + " applied '" + data + "' at " +
                                std::to_string(index) + ", another node applied '" + it->second + "'");
      }
    }
  }
  return Status::Ok();
}

// Membership changes during faults: add a fresh node (as learner or voter),
// promote a learner, or remove a voter — never below three voters, and never
// more than options.nodes + 2 nodes in total.
Status ProposeRandomConfChange(Cluster& cluster, Rng& rng, const ChaosOptions& options,
                               const NodeOptions& node_options) {
  NodeId leader = kNoNode;
  for (NodeId id : cluster.ids()) {
    if (cluster.node(id).raw->role() == Role::kLeader) leader = id;
  }
  if (leader == kNoNode) return Status::Ok();
  ConfState conf = cluster.node(leader).raw->GetStatus().conf_state;
  ConfChange change;
  if (cluster.ids().size() < options.nodes + 2 && rng.Uniform(2) == 0) {
    RETURN_IF_ERROR(cluster.AddNodes(1, {}, {}, 1, node_options));
    change.node_id = cluster.ids().back();
    change.type = rng.Uniform(2) == 0 ? ConfChangeType::kAddLearner : ConfChangeType::kAddVoter;
  } else if (!conf.learners.empty()) {
    change.node_id = conf.learners[rng.Uniform(conf.learners.size())];
    change.type = ConfChangeType::kAddVoter;
  } else if (conf.voters.size() > 3) {
    change.node_id = conf.voters[rng.Uniform(conf.voters.size())];
    change.type = ConfChangeType::kRemoveNode;
  } else {
    return Status::Ok();
  }
  cluster.node(leader).raw->ProposeConfChange(change).IgnoreError();
  return Status::Ok();
}

Status RunChaos(uint64_t seed, const ChaosOptions& options) {
  Rng rng(seed);
  Cluster cluster;
  NodeOptions node_options;
  node_options.pre_vote = rng.Uniform(2) == 0;
  node_options.check_quorum = rng.Uniform(2) == 0;
  node_options.max_inflight_messages = static_cast<uint32_t>(1 + rng.Uniform(4));
  std::vector<NodeId> voters;
  for (NodeId id = 1; id <= options.nodes; ++id) voters.push_back(id);
  RETURN_IF_ERROR(cluster.AddNodes(options.nodes, voters, {}, 1, node_options));
  std::map<Index, std::string> history;
  uint64_t proposal = 0;
  auto random_node = [&] {
    std::vector<NodeId> ids = cluster.ids();
    return ids[rng.Uniform(ids.size())];
  };

  for (size_t step = 0; step < options.steps; ++step) {
    uint64_t action = rng.Uniform(1000);
    if (action < 350) {
      RETURN_IF_ERROR(cluster.Tick(random_node(), 1));
    } else if (action < 650) {
      if (!cluster.in_flight().empty()) {
        // Random position reorders; 10% loss; 5% duplication by re-queueing.
        size_t position = rng.Uniform(cluster.in_flight().size());
        RETURN_IF_ERROR(cluster.DeliverOne(position, rng.Uniform(10) == 0));
      }
    } else if (action < 900) {
      RETURN_IF_ERROR(cluster.ProcessReady(random_node(), nullptr));
    } else if (action < 960) {
      cluster.node(random_node()).raw->Propose(ToBytes("p" + std::to_string(++proposal))).IgnoreError();
    } else if (action < 970) {
      if (rng.Uniform(2) == 0) {
        cluster.Heal();
      } else {
        NodeId isolated = random_node();
        cluster.Partition({{isolated}});
      }
    } else if (action < 978) {
      RETURN_IF_ERROR(cluster.Restart(random_node()));
    } else if (action < 986) {
      NodeId id = random_node();
      Index applied = cluster.node(id).applied_index;
      if (applied > 2) cluster.Compact(id, applied - rng.Uniform(2)).IgnoreError();
    } else if (action < 992) {
      cluster.node(random_node()).raw->TransferLeadership(random_node()).IgnoreError();
    } else if (action < 996) {
      RETURN_IF_ERROR(ProposeRandomConfChange(cluster, rng, options, node_options));
    } else {
      cluster.node(random_node()).raw->ReadIndex(ToBytes("r" + std::to_string(step))).IgnoreError();
    }
    RETURN_IF_ERROR(cluster.violation());
    RETURN_IF_ERROR(CheckAppliedAgree(cluster, history));
  }

  // Liveness: once healed, a leader emerges and its entry reaches every node
  // within a bounded time (lost snapshot acknowledgements take two election
  // timeouts to retry).
  cluster.Heal();
  constexpr size_t kHealTicksMax = 400;
  const std::string marker = "final-" + std::to_string(seed);
  NodeId proposer = kNoNode;
  Term proposer_term = 0;
  for (size_t tick = 0; tick < kHealTicksMax; ++tick) {
    for (NodeId id : cluster.ids()) RETURN_IF_ERROR(cluster.Tick(id, 1));
    RETURN_IF_ERROR(cluster.Stabilize(nullptr));
    // An accepted proposal may still be lost if its leader is deposed before
    // committing it (the client would retry): propose again then.
    // Only the leader of the highest term counts: a removed node may go on
    // believing it leads an old term (nobody it still talks to tells it).
    NodeId current = kNoNode;
    for (NodeId id : cluster.ids()) {
      RawNode& raw = *cluster.node(id).raw;
      if (raw.role() == Role::kLeader && (current == kNoNode || raw.term() > cluster.node(current).raw->term())) {
        current = id;
      }
    }
    if (proposer != kNoNode && (proposer != current || cluster.node(proposer).raw->term() != proposer_term)) {
      proposer = kNoNode;
    }
    if (proposer == kNoNode && current != kNoNode && cluster.node(current).raw->Propose(ToBytes(marker)).ok()) {
      proposer = current;
      proposer_term = cluster.node(current).raw->term();
    }
    RETURN_IF_ERROR(cluster.Stabilize(nullptr));
    RETURN_IF_ERROR(CheckAppliedAgree(cluster, history));
    RETURN_IF_ERROR(cluster.violation());
    if (proposer == kNoNode) continue;
    // Every member of the leader's configuration must apply the marker.
    ConfState conf = cluster.node(proposer).raw->GetStatus().conf_state;
    std::vector<NodeId> members = conf.voters;
    members.insert(members.end(), conf.learners.begin(), conf.learners.end());
    size_t applied = 0;
    for (NodeId id : members) {
      bool found = false;
      for (const auto& [index, data] : cluster.node(id).applied_data) found |= data == marker;
      applied += found ? 1 : 0;
    }
    if (applied == members.size()) return Status::Ok();
  }
  std::string states;
  for (NodeId id : cluster.ids()) states += "\n" + testing::DescribeNode(cluster.node(id));
  return Status::Internal("the final entry did not reach every node within " + std::to_string(kHealTicksMax) +
                          " ticks of healing:" + states);
}

// The soak build (SHULIAN_CONSENSUS_SOAK, ctest label "soak") runs 50 times
// the seeds, and only when SHULIAN_SOAK=1.
bool SoakBuild() {
#ifdef SHULIAN_CONSENSUS_SOAK
  return true;
#else
  return false;
#endif
}

bool SoakRequested() {
  const char* soak = std::getenv("SHULIAN_SOAK");
  return soak != nullptr && std::string(soak) == "1";
}

// Distinct suite names keep the two executables' ctest entries (and labels) apart.
#ifdef SHULIAN_CONSENSUS_SOAK
#define SHULIAN_RANDOMIZED_SUITE RandomizedSoakTest
#else
#define SHULIAN_RANDOMIZED_SUITE RandomizedSafetyTest
#endif

size_t SeedCount(size_t normal) { return SoakBuild() ? normal * 50 : normal; }

// Proves safety (invariants, identical applied entries) and post-heal liveness
// for 3-node clusters under loss, reordering, partitions, restarts, compaction
// and transfers, over many seeds; a failure names its seed.
TEST(SHULIAN_RANDOMIZED_SUITE, ThreeNodesManySeeds) {
  if (SoakBuild() && !SoakRequested()) GTEST_SKIP() << "set SHULIAN_SOAK=1 to run the soak";
  for (uint64_t seed = 1; seed <= SeedCount(300); ++seed) {
    Status s = RunChaos(seed, ChaosOptions{3, 2000});
    ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.ToString();
  }
}

// Proves the same for 5-node clusters.
TEST(SHULIAN_RANDOMIZED_SUITE, FiveNodesManySeeds) {
  if (SoakBuild() && !SoakRequested()) GTEST_SKIP() << "set SHULIAN_SOAK=1 to run the soak";
  for (uint64_t seed = 1; seed <= SeedCount(150); ++seed) {
    Status s = RunChaos(1000 + seed, ChaosOptions{5, 3000});
    ASSERT_TRUE(s.ok()) << "seed " << 1000 + seed << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace shulian::consensus
