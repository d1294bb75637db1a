// Which Readys let the node's loop send before it persists (LeaderMaySendBeforeSave,
// docs/node.md "The event loop"): a steady leader's only. Anything else sent
// before its write could be a vote or a new term's message a crash then forgets.
#include <gtest/gtest.h>

#include "node/node_impl.h"

namespace shulian::node {
namespace {

using consensus::HardState;
using consensus::Ready;
using consensus::Role;

const HardState kSaved{/*term=*/4, /*vote=*/1, /*commit=*/10};

TEST(ReadyOrderTest, ASteadyLeaderSendsBeforeItsWrite) {
  // Proves a leader's Ready with no hard-state change, or only a new commit index, may send first.
  Ready rd;
  EXPECT_TRUE(LeaderMaySendBeforeSave(Role::kLeader, rd, kSaved));
  rd.hard_state = HardState{4, 1, 12};
  EXPECT_TRUE(LeaderMaySendBeforeSave(Role::kLeader, rd, kSaved));
}

TEST(ReadyOrderTest, ANewTermOrVoteIsPersistedBeforeAnythingIsSent) {
  // Proves a Ready that changes the term or the vote keeps the persist-then-send order, even on a leader.
  Ready term;
  term.hard_state = HardState{5, 1, 10};
  EXPECT_FALSE(LeaderMaySendBeforeSave(Role::kLeader, term, kSaved));
  Ready vote;
  vote.hard_state = HardState{4, 2, 10};
  EXPECT_FALSE(LeaderMaySendBeforeSave(Role::kLeader, vote, kSaved));
}

TEST(ReadyOrderTest, OnlyTheLeaderAndNoSnapshotInstall) {
  // Proves followers, candidates and a Ready installing a snapshot always persist first.
  const Ready steady;
  for (Role role : {Role::kFollower, Role::kPreCandidate, Role::kCandidate}) {
    EXPECT_FALSE(LeaderMaySendBeforeSave(role, steady, kSaved));
  }
  Ready install;
  install.snapshot.metadata.index = 20;
  install.snapshot.metadata.term = 4;
  ASSERT_FALSE(install.snapshot.IsEmpty());
  EXPECT_FALSE(LeaderMaySendBeforeSave(Role::kLeader, install, kSaved));
}

}  // namespace
}  // namespace shulian::node
