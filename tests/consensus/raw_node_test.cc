// Unit tests of RawNode's contract (input validation, Ready rules, restart,
// fatal storage errors), of the invariant checker itself, and a randomized
// safety test over many seeds (message loss, reordering, partitions, restarts,
// compaction, leader transfers) that checks the invariants after every step,
// that all nodes apply the same entry at each index, and that a leader emerges
// and commits once the network heals.
#include <gtest/gtest.h>

#include <cstdlib>

#include "consensus/invariants.h"
#include "consensus/memory_storage.h"
#include "consensus/raw_node.h"
#include "consensus/rng.h"
#include "tests/consensus/cluster.h"

namespace shulian::consensus {
namespace {

using testing::Cluster;
using testing::NodeOptions;

Config TestConfig(NodeId id) {
  Config c;
  c.id = id;
  c.random_seed = id;
  return c;
}

std::unique_ptr<MemoryStorage> Bootstrapped(std::vector<NodeId> voters) {
  auto s = std::make_unique<MemoryStorage>();
  Snapshot boot;
  boot.metadata = {1, 1, ConfState{std::move(voters), {}, {}}};
  EXPECT_TRUE(s->ApplySnapshot(boot).ok());
  return s;
}

// Handles Readies the way the contract says, for a single node.
void Drain(RawNode& node, MemoryStorage& storage, std::vector<Entry>* applied = nullptr) {
  while (node.HasReady()) {
    Ready rd = node.GetReady();
    if (!rd.snapshot.IsEmpty()) {
      ASSERT_TRUE(storage.ApplySnapshot(rd.snapshot).ok());
    }
    ASSERT_TRUE(storage.Append(rd.entries).ok());
    if (rd.hard_state) storage.SetHardState(*rd.hard_state);
    if (applied) applied->insert(applied->end(), rd.committed_entries.begin(), rd.committed_entries.end());
    ASSERT_TRUE(node.Advance(rd).ok());
  }
}

// Proves Create refuses an invalid config and a storage whose commit is past its log.
TEST(RawNodeTest, CreateValidatesConfigAndStorage) {
  auto storage = Bootstrapped({1});
  Config bad = TestConfig(1);
  bad.heartbeat_ticks = 0;
  EXPECT_EQ(RawNode::Create(bad, storage.get()).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(RawNode::Create(TestConfig(1), nullptr).status().code(), ErrorCode::kInvalidArgument);
  storage->SetHardState(HardState{1, 0, 7});
  EXPECT_EQ(RawNode::Create(TestConfig(1), storage.get()).status().code(), ErrorCode::kCorruption);
}

// Proves malformed messages are refused with an error and change nothing.
TEST(RawNodeTest, StepRejectsMalformedMessagesWithoutChange) {
  auto storage = Bootstrapped({1, 2, 3});
  auto node = std::move(RawNode::Create(TestConfig(1), storage.get())).value();
  Message m;
  m.type = MessageType::kAppend;
  m.from = 2;
  m.to = 1;
  m.term = 5;
  m.index = 1;
  m.log_term = 1;
  m.entries = {Entry{5, 2, EntryType::kNormal, {}}, Entry{5, 4, EntryType::kNormal, {}}};
  EXPECT_EQ(node->Step(m).code(), ErrorCode::kInvalidArgument);
  Message wrong_to = m;
  wrong_to.entries.clear();
  wrong_to.to = 9;
  EXPECT_EQ(node->Step(wrong_to).code(), ErrorCode::kInvalidArgument);
  Message no_term = wrong_to;
  no_term.to = 1;
  no_term.term = 0;
  EXPECT_EQ(node->Step(no_term).code(), ErrorCode::kInvalidArgument);
  Message future_entry = m;
  future_entry.entries = {Entry{6, 2, EntryType::kNormal, {}}};
  EXPECT_EQ(node->Step(future_entry).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(node->term(), 1u);
  EXPECT_EQ(node->last_index(), 1u);
  EXPECT_FALSE(node->HasReady());
}

// Proves a single-voter node elects itself and commits a proposal in one Ready,
// with must_sync set for entries but not for a commit-only change.
TEST(RawNodeTest, SingleNodeCommitsAndSyncsOnlyWhenNeeded) {
  auto storage = Bootstrapped({1});
  auto node = std::move(RawNode::Create(TestConfig(1), storage.get())).value();
  ASSERT_TRUE(node->Campaign().ok());
  EXPECT_EQ(node->role(), Role::kLeader);
  Ready rd = node->GetReady();
  EXPECT_TRUE(rd.must_sync);
  ASSERT_TRUE(storage->Append(rd.entries).ok());
  storage->SetHardState(*rd.hard_state);
  ASSERT_TRUE(node->Advance(rd).ok());
  std::vector<Entry> applied;
  Drain(*node, *storage, &applied);
  ASSERT_TRUE(node->Propose(ToBytes("block-1")).ok());
  Ready next = node->GetReady();
  ASSERT_EQ(next.entries.size(), 1u);
  ASSERT_EQ(next.committed_entries.size(), 1u);  // persisted in step 2 before applying in step 4
  EXPECT_EQ(next.committed_entries[0].data, ToBytes("block-1"));
  ASSERT_TRUE(storage->Append(next.entries).ok());
  storage->SetHardState(*next.hard_state);
  ASSERT_TRUE(node->Advance(next).ok());
  EXPECT_EQ(node->applied(), node->committed());
  EXPECT_FALSE(node->HasReady());

  // A learner-only read needs no quorum round on a single voter.
  ASSERT_TRUE(node->ReadIndex(ToBytes("r")).ok());
  Ready reads = node->GetReady();
  ASSERT_EQ(reads.read_states.size(), 1u);
  EXPECT_EQ(reads.read_states[0].index, node->committed());
  EXPECT_FALSE(reads.must_sync);
  ASSERT_TRUE(node->Advance(reads).ok());
}

// Proves the vote is persisted: after a restart a node does not vote twice in a term.
TEST(RawNodeTest, RestartKeepsVoteSoNoDoubleVoting) {
  auto storage = Bootstrapped({1, 2, 3});
  auto node = std::move(RawNode::Create(TestConfig(1), storage.get())).value();
  Message vote;
  vote.type = MessageType::kVote;
  vote.from = 2;
  vote.to = 1;
  vote.term = 5;
  vote.index = 1;
  vote.log_term = 1;
  ASSERT_TRUE(node->Step(vote).ok());
  Ready rd = node->GetReady();
  ASSERT_TRUE(rd.hard_state.has_value());
  EXPECT_EQ(rd.hard_state->vote, 2u);
  EXPECT_TRUE(rd.must_sync);
  storage->SetHardState(*rd.hard_state);
  ASSERT_EQ(rd.messages.size(), 1u);
  EXPECT_FALSE(rd.messages[0].reject);

  auto restarted = std::move(RawNode::Create(TestConfig(1), storage.get())).value();
  EXPECT_EQ(restarted->term(), 5u);
  EXPECT_EQ(restarted->vote(), 2u);
  Message rival = vote;
  rival.from = 3;
  ASSERT_TRUE(restarted->Step(rival).ok());
  Ready after = restarted->GetReady();
  ASSERT_EQ(after.messages.size(), 1u);
  EXPECT_TRUE(after.messages[0].reject);
}

// Proves election timeouts are randomised within [election, 2*election).
TEST(RawNodeTest, ElectionTimeoutIsRandomisedInRange) {
  std::set<uint32_t> seen;
  for (uint64_t seed = 0; seed < 200; ++seed) {
    auto storage = Bootstrapped({1, 2, 3});
    Config c = TestConfig(1);
    c.random_seed = seed;
    auto node = std::move(RawNode::Create(c, storage.get())).value();
    uint32_t ticks = 0;
    while (node->role() == Role::kFollower && ticks < 100) {
      ASSERT_TRUE(node->Tick().ok());
      ++ticks;
    }
    EXPECT_GE(ticks, c.election_timeout_ticks);
    EXPECT_LT(ticks, 2 * c.election_timeout_ticks);
    seen.insert(ticks);
  }
  EXPECT_GT(seen.size(), 5u);
}

// A storage whose reads start failing, to prove storage errors are fatal.
class FailingStorage : public MemoryStorage {
 public:
  Result<Term> TermAt(Index index) const override {
    if (fail) return Status::IoError("disk on fire");
    return MemoryStorage::TermAt(index);
  }
  Result<Index> LastIndex() const override {
    if (fail) return Status::IoError("disk on fire");
    return MemoryStorage::LastIndex();
  }
  bool fail = false;
};

// Proves an unexpected storage error stops the node: every later call returns it.
TEST(RawNodeTest, StorageErrorIsFatal) {
  FailingStorage storage;
  Snapshot boot;
  boot.metadata = {1, 1, ConfState{{1, 2, 3}, {}, {}}};
  ASSERT_TRUE(storage.ApplySnapshot(boot).ok());
  auto node = std::move(RawNode::Create(TestConfig(1), &storage)).value();
  storage.fail = true;
  Status s = node->Campaign();
  EXPECT_EQ(s.code(), ErrorCode::kIoError) << s.ToString();
  EXPECT_EQ(node->Tick().code(), ErrorCode::kIoError);
  EXPECT_EQ(node->Propose(ToBytes("x")).code(), ErrorCode::kIoError);
  EXPECT_FALSE(node->HasReady());
}

// Proves the invariant checker catches two leaders in a term and a decreasing term.
TEST(InvariantCheckerTest, DetectsViolations) {
  // Two single-voter "clusters" that both think they lead term 2.
  auto s1 = Bootstrapped({1});
  auto s2 = Bootstrapped({2});
  auto n1 = std::move(RawNode::Create(TestConfig(1), s1.get())).value();
  auto n2 = std::move(RawNode::Create(TestConfig(2), s2.get())).value();
  ASSERT_TRUE(n1->Campaign().ok());
  ASSERT_TRUE(n2->Campaign().ok());
  InvariantChecker checker;
  EXPECT_TRUE(checker.Observe(*n1).ok());
  Status two = checker.Observe(*n2);
  EXPECT_FALSE(two.ok());
  EXPECT_NE(two.message().find("two leaders"), std::string::npos);

  InvariantChecker term_checker;
  auto s3 = Bootstrapped({3});
  s3->SetHardState(HardState{5, 0, 1});
  auto n3 = std::move(RawNode::Create(TestConfig(3), s3.get())).value();
  EXPECT_TRUE(term_checker.Observe(*n3).ok());
  s3->SetHardState(HardState{4, 0, 1});
  auto n3_restarted = std::move(RawNode::Create(TestConfig(3), s3.get())).value();
  Status back = term_checker.Observe(*n3_restarted);
  EXPECT_FALSE(back.ok());
  EXPECT_NE(back.message().find("term decreased"), std::string::npos);
}

// --- randomized safety ---------------------------------------------------------

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

size_t SeedCount(size_t normal) {
  const char* soak = std::getenv("SHULIAN_SOAK");
  return soak != nullptr && std::string(soak) == "1" ? normal * 50 : normal;
}

// Proves safety (invariants, identical applied entries) and post-heal liveness
// for 3-node clusters under loss, reordering, partitions, restarts, compaction
// and transfers, over many seeds; a failure names its seed.
TEST(RandomizedSafetyTest, ThreeNodesManySeeds) {
  for (uint64_t seed = 1; seed <= SeedCount(300); ++seed) {
    Status s = RunChaos(seed, ChaosOptions{3, 2000});
    ASSERT_TRUE(s.ok()) << "seed " << seed << ": " << s.ToString();
  }
}

// Proves the same for 5-node clusters.
TEST(RandomizedSafetyTest, FiveNodesManySeeds) {
  for (uint64_t seed = 1; seed <= SeedCount(150); ++seed) {
    Status s = RunChaos(1000 + seed, ChaosOptions{5, 3000});
    ASSERT_TRUE(s.ok()) << "seed " << 1000 + seed << ": " << s.ToString();
  }
}

}  // namespace
}  // namespace shulian::consensus
