// Unit tests of RawNode's contract (input validation, Ready rules, restart,
// fatal storage errors) and of the invariant checker itself.
#include <gtest/gtest.h>

#include "consensus/invariants.h"
#include "consensus/memory_storage.h"
#include "consensus/raw_node.h"
#include "tests/consensus/cluster.h"

namespace shulian::consensus {
namespace {

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

  // A read needs no quorum round on a single voter; an empty context is refused.
  EXPECT_EQ(node->ReadIndex(Bytes{}).code(), ErrorCode::kInvalidArgument);
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

// A node restored from a backup has forgotten the vote it gave in term 5 to node
// 2 (its storage is as of term 1). Fenced, it refuses node 3's vote in that term
// and never campaigns; once a leader of at least the fence term sent it a commit
// it holds, the fence lifts and it votes again.
TEST(RawNodeTest, RestoredNodeGrantsNoVoteAndNeverCampaignsUntilItHeardALeader) {
  auto storage = Bootstrapped({1, 2, 3});
  Config config = TestConfig(1);
  config.vote_fence_term = 1;
  config.check_quorum = false;  // so the last vote request is not ignored as disruptive
  auto node = std::move(RawNode::Create(config, storage.get())).value();
  EXPECT_TRUE(node->vote_fenced());
  Message rival;
  rival.type = MessageType::kVote;
  rival.from = 3;
  rival.to = 1;
  rival.term = 5;
  rival.index = 1;
  rival.log_term = 1;
  ASSERT_TRUE(node->Step(rival).ok());
  Ready refused = node->GetReady();
  ASSERT_EQ(refused.messages.size(), 1u);
  EXPECT_TRUE(refused.messages[0].reject);
  EXPECT_EQ(node->vote(), kNoNode);
  storage->SetHardState(*refused.hard_state);
  ASSERT_TRUE(node->Advance(refused).ok());
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(node->Tick().ok());
  EXPECT_EQ(node->role(), Role::kFollower);  // no campaign, however long it waits
  Drain(*node, *storage);

  Message append;
  append.type = MessageType::kAppend;
  append.from = 2;
  append.to = 1;
  append.term = 6;
  append.index = 1;
  append.log_term = 1;
  append.commit = 1;
  ASSERT_TRUE(node->Step(append).ok());
  EXPECT_FALSE(node->vote_fenced());
  Drain(*node, *storage);
  Message later = rival;
  later.term = 9;
  later.type = MessageType::kVote;
  ASSERT_TRUE(node->Step(later).ok());
  Ready granted = node->GetReady();
  ASSERT_EQ(granted.messages.size(), 1u);
  EXPECT_FALSE(granted.messages[0].reject);
  EXPECT_EQ(node->vote(), 3u);
}

// The fence holds for a leader below the fence term, for heartbeats (their
// commit is capped by what the leader thinks this node holds) and while the
// leader's commit is beyond what the node holds.
TEST(RawNodeTest, RestoredNodeStaysFencedUntilItHoldsTheLeadersCommit) {
  auto storage = Bootstrapped({1, 2, 3});
  Config config = TestConfig(1);
  config.vote_fence_term = 4;
  auto node = std::move(RawNode::Create(config, storage.get())).value();
  Message heartbeat;
  heartbeat.type = MessageType::kHeartbeat;
  heartbeat.from = 2;
  heartbeat.to = 1;
  heartbeat.term = 3;  // below the fence term
  heartbeat.commit = 1;
  ASSERT_TRUE(node->Step(heartbeat).ok());
  EXPECT_TRUE(node->vote_fenced());
  heartbeat.term = 4;
  ASSERT_TRUE(node->Step(heartbeat).ok());
  EXPECT_TRUE(node->vote_fenced());
  Message append;
  append.type = MessageType::kAppend;
  append.from = 2;
  append.to = 1;
  append.term = 4;
  append.index = 1;
  append.log_term = 1;
  append.commit = 5;  // beyond the entries it carries
  for (Index i = 2; i <= 3; ++i) {
    Entry e;
    e.index = i;
    e.term = 4;
    append.entries.push_back(e);
  }
  ASSERT_TRUE(node->Step(append).ok());
  EXPECT_TRUE(node->vote_fenced());
  append.index = 3;
  append.log_term = 4;
  append.entries.clear();
  for (Index i = 4; i <= 5; ++i) {
    Entry e;
    e.index = i;
    e.term = 4;
    append.entries.push_back(e);
  }
  ASSERT_TRUE(node->Step(append).ok());
  EXPECT_FALSE(node->vote_fenced());
}

// A fenced (restored) node that cannot take an append says why: its refusal
// carries kRestoredLogContext. An unfenced node's refusal carries nothing.
TEST(RawNodeTest, ARestoredNodesRefusedAppendSaysItsLogWasRestored) {
  for (const bool fenced : {true, false}) {
    auto storage = Bootstrapped({1, 2, 3});
    Config config = TestConfig(3);
    config.vote_fence_term = fenced ? 2 : 0;
    auto node = std::move(RawNode::Create(config, storage.get())).value();
    Message append;
    append.type = MessageType::kAppend;
    append.from = 1;
    append.to = 3;
    append.term = 2;
    append.index = 7;  // beyond its log, which ends at 1
    append.log_term = 2;
    append.commit = 7;
    ASSERT_TRUE(node->Step(append).ok());
    Ready rd = node->GetReady();
    ASSERT_EQ(rd.messages.size(), 1u);
    EXPECT_TRUE(rd.messages[0].reject);
    EXPECT_EQ(rd.messages[0].reject_hint, 1u);
    EXPECT_EQ(rd.messages[0].context == ToBytes(kRestoredLogContext), fenced) << "fenced=" << fenced;
  }
}

// A leader whose follower acknowledged entries and then lost them (restored from
// an older backup) must send them again: told so by kRestoredLogContext, it
// lowers its match for the follower to the follower's hint and appends from
// there. The same refusal without the context is stale (at or below the match)
// and changes nothing, which is why a restored follower would otherwise stay
// behind for good.
TEST(RawNodeTest, ALeaderResendsWhatARestoredFollowerLostBelowItsMatch) {
  for (const bool restored : {true, false}) {
    testing::Cluster cluster;
    ASSERT_TRUE(cluster.AddNodes(3, {1, 2, 3}, {}, 1, testing::NodeOptions{}).ok());
    ASSERT_TRUE(cluster.node(1).raw->Campaign().ok());
    ASSERT_TRUE(cluster.Stabilize(nullptr).ok());
    ASSERT_EQ(cluster.node(1).raw->role(), Role::kLeader);
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster.node(1).raw->Propose(ToBytes("p" + std::to_string(i))).ok());
    ASSERT_TRUE(cluster.Stabilize(nullptr).ok());
    const Index last = cluster.node(1).raw->last_index();
    ASSERT_EQ(cluster.node(3).raw->last_index(), last);

    Message refusal;
    refusal.type = MessageType::kAppendResponse;
    refusal.from = 3;
    refusal.to = 1;
    refusal.term = cluster.node(1).raw->term();
    refusal.index = last;
    refusal.reject = true;
    refusal.reject_hint = 1;  // all it holds now
    if (restored) refusal.context = ToBytes(kRestoredLogContext);
    ASSERT_TRUE(cluster.node(1).raw->Step(refusal).ok());
    ASSERT_TRUE(cluster.ProcessReady(1, nullptr).ok());
    bool resent_from_hint = false;
    for (const Message& m : cluster.in_flight()) {
      resent_from_hint |= m.type == MessageType::kAppend && m.to == 3 && m.index == 1 && !m.entries.empty();
    }
    EXPECT_EQ(resent_from_hint, restored) << "restored=" << restored;
  }
}

// A restored sole voter has no leader to hear from: it must still elect itself.
TEST(RawNodeTest, RestoredSoleVoterStillCampaigns) {
  auto storage = Bootstrapped({1});
  Config config = TestConfig(1);
  config.vote_fence_term = 3;
  auto node = std::move(RawNode::Create(config, storage.get())).value();
  ASSERT_TRUE(node->Campaign().ok());
  EXPECT_EQ(node->role(), Role::kLeader);
  EXPECT_FALSE(node->vote_fenced());
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

}  // namespace
}  // namespace shulian::consensus
