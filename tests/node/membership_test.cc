// Tests of node/membership.h: the leader's next membership step from the ledger's
// validators and the Raft configuration.
#include "node/membership.h"

#include <gtest/gtest.h>

namespace shulian::node {
namespace {

using Kind = MembershipStep::Kind;

consensus::PeerProgress Progress(uint64_t id, consensus::Index match) {
  consensus::PeerProgress p;
  p.id = id;
  p.match = match;
  return p;
}

// Leader 1 of voters {1, 2, 3}, all caught up at index 100, peers 2..4 known.
MembershipView ThreeVoters() {
  MembershipView v;
  v.self_id = 1;
  v.ledger_validators = {1, 2, 3};
  v.conf_state.voters = {1, 2, 3};
  v.progress = {Progress(1, 100), Progress(2, 100), Progress(3, 100)};
  v.last_index = 100;
  v.known_peers = {2, 3, 4};
  return v;
}

// Proves nothing is proposed when Raft already matches the ledger.
TEST(MembershipTest, NothingToDoWhenRaftMatchesTheLedger) {
  EXPECT_EQ(NextMembershipStep(ThreeVoters(), {}).kind, Kind::kNone);
}

// Proves a removed follower validator is removed from Raft with a RemoveNode change.
TEST(MembershipTest, RemovedFollowerIsRemoved) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {1, 2};
  MembershipStep step = NextMembershipStep(v, {});
  EXPECT_EQ(step.kind, Kind::kRemove);
  EXPECT_EQ(step.node_id, 3u);
  consensus::ConfChange change = ConfChangeFor(step);
  EXPECT_EQ(change.type, consensus::ConfChangeType::kRemoveNode);
  EXPECT_EQ(change.node_id, 3u);
}

// Proves a leader that is no longer a validator hands leadership to the most caught-up voter that stays.
TEST(MembershipTest, RemovedLeaderTransfersToBestCaughtUpVoterFirst) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {2, 3};
  v.progress = {Progress(1, 100), Progress(2, 90), Progress(3, 99)};
  MembershipStep step = NextMembershipStep(v, {});
  EXPECT_EQ(step.kind, Kind::kTransferLeadership);
  EXPECT_EQ(step.node_id, 3u);
}

// Proves that when the leader and a follower both leave, leadership goes to the one voter that stays.
TEST(MembershipTest, LeaderAndFollowerLeavingTransferToTheVoterThatStays) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {2};
  MembershipStep step = NextMembershipStep(v, {});
  EXPECT_EQ(step.kind, Kind::kTransferLeadership);
  EXPECT_EQ(step.node_id, 2u);
}

// Proves a new validator joins as a learner, only when this node knows its address, and is promoted
// to voter only once it is within learner_lag_entries_max of the leader's last index.
TEST(MembershipTest, NewValidatorJoinsAsLearnerThenIsPromotedWhenCaughtUp) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {1, 2, 3, 4};
  MembershipStep step = NextMembershipStep(v, {});
  EXPECT_EQ(step.kind, Kind::kAddLearner);
  EXPECT_EQ(step.node_id, 4u);
  EXPECT_EQ(ConfChangeFor(step).type, consensus::ConfChangeType::kAddLearner);

  v.known_peers = {2, 3};
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kNone) << "no address for node 4: wait for the operator";

  v.known_peers = {2, 3, 4};
  v.conf_state.learners = {4};
  v.progress.push_back(Progress(4, 10));
  MembershipLimits limits;
  limits.learner_lag_entries_max = 16;
  EXPECT_EQ(NextMembershipStep(v, limits).kind, Kind::kNone) << "learner 90 entries behind";
  v.progress.back().match = 84;
  step = NextMembershipStep(v, limits);
  EXPECT_EQ(step.kind, Kind::kPromoteVoter);
  EXPECT_EQ(step.node_id, 4u);
  EXPECT_EQ(ConfChangeFor(step).type, consensus::ConfChangeType::kAddVoter);
}

// Proves a learner that has acknowledged nothing is not promoted, even in a log
// short enough to be within the lag limit (it may not be running at all).
TEST(MembershipTest, LearnerThatNeverAnsweredIsNotPromoted) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {1, 2, 3, 4};
  v.conf_state.learners = {4};
  v.last_index = 6;
  v.progress = {Progress(1, 6), Progress(2, 6), Progress(3, 6), Progress(4, 0)};
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kNone);
  v.progress.back().match = 1;
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kPromoteVoter);
}

// Proves an id Raft has removed is never added back, whatever the ledger says (ids are never reused).
TEST(MembershipTest, RemovedIdIsNeverReAdded) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {1, 2, 3, 4};
  v.conf_state.removed = {4};
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kNone);
}

// Proves the decision depends only on state: the same view gives the same step, and after the step
// is reflected in the ConfState the next view asks for nothing (idempotent across leader changes).
TEST(MembershipTest, DecisionIsAFunctionOfStateAndConverges) {
  MembershipView v = ThreeVoters();
  v.ledger_validators = {1, 2};
  EXPECT_EQ(NextMembershipStep(v, {}), NextMembershipStep(v, {}));
  // Another leader (2) sees the same ledger and Raft state: it removes 3 as well.
  MembershipView other = v;
  other.self_id = 2;
  EXPECT_EQ(NextMembershipStep(other, {}).node_id, 3u);
  v.conf_state.voters = {1, 2};
  v.conf_state.removed = {3};
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kNone);
}

// Proves a sole remaining voter that is removed does not try to hand over to nobody.
TEST(MembershipTest, LastVoterDoesNotTransferToNobody) {
  MembershipView v;
  v.self_id = 1;
  v.ledger_validators = {};
  v.conf_state.voters = {1};
  EXPECT_EQ(NextMembershipStep(v, {}).kind, Kind::kNone);
}

// Proves the limit is validated naming its field.
TEST(MembershipTest, LimitIsValidated) {
  MembershipLimits limits;
  limits.learner_lag_entries_max = 2'000'000;
  Status s = limits.Validate();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("learner_lag_entries_max"), std::string::npos);
}

}  // namespace
}  // namespace shulian::node
