// Unit tests of the storage side of the core: MemoryStorage, RaftLog (stable +
// unstable log), the in-flight window and quorum arithmetic.
#include <gtest/gtest.h>

#include "consensus/memory_storage.h"
#include "consensus/progress.h"
#include "consensus/raft_log.h"
#include "consensus/rng.h"

namespace shulian::consensus {
namespace {

Entry E(Term term, Index index, std::string data = "") {
  return Entry{term, index, EntryType::kNormal, ToBytes(data)};
}

// Proves compacted and unavailable reads have distinct codes, and bounds are respected.
TEST(MemoryStorageTest, DistinguishesCompactedFromUnavailable) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(1, 2), E(2, 3), E(2, 4)}).ok());
  ASSERT_TRUE(s.Compact(2).ok());
  EXPECT_EQ(*s.FirstIndex(), 3u);
  EXPECT_EQ(*s.LastIndex(), 4u);
  EXPECT_EQ(*s.TermAt(2), 1u);  // the compaction point's term stays known
  EXPECT_TRUE(IsCompacted(s.TermAt(1).status()));
  EXPECT_TRUE(IsUnavailable(s.TermAt(5).status()));
  EXPECT_TRUE(IsCompacted(s.Entries(2, 4, UINT64_MAX).status()));
  EXPECT_TRUE(IsUnavailable(s.Entries(3, 6, UINT64_MAX).status()));
  Result<std::vector<Entry>> one = s.Entries(3, 5, 1);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->size(), 1u);  // at least one entry even over the byte bound
  EXPECT_EQ(s.Entries(3, 5, 2 * Entry::kOverheadBytes)->size(), 2u);
}

// Proves Append replaces a conflicting suffix and refuses gaps without changing anything.
TEST(MemoryStorageTest, AppendTruncatesConflictsAndRefusesGaps) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(1, 2), E(1, 3)}).ok());
  ASSERT_TRUE(s.Append({E(2, 2, "new")}).ok());
  EXPECT_EQ(*s.LastIndex(), 2u);
  EXPECT_EQ(*s.TermAt(2), 2u);
  Status gap = s.Append({E(2, 5)});
  EXPECT_EQ(gap.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(*s.LastIndex(), 2u);
  EXPECT_FALSE(s.Append({E(2, 3), E(2, 5)}).ok());
  EXPECT_EQ(*s.LastIndex(), 2u);
}

// Proves snapshots replace the log, older snapshots are refused, and CreateSnapshot checks its index.
TEST(MemoryStorageTest, SnapshotsReplaceTheLog) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(1, 2), E(1, 3)}).ok());
  Result<Snapshot> created = s.CreateSnapshot(2, ConfState{{1, 2, 3}, {}, {}}, ToBytes("state@2"));
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->metadata.term, 1u);
  EXPECT_FALSE(s.CreateSnapshot(2, std::nullopt, {}).ok());
  EXPECT_FALSE(s.CreateSnapshot(9, std::nullopt, {}).ok());

  Snapshot newer;
  newer.metadata = {10, 3, ConfState{{1, 2}, {}, {}}};
  ASSERT_TRUE(s.ApplySnapshot(newer).ok());
  EXPECT_EQ(*s.FirstIndex(), 11u);
  EXPECT_EQ(*s.LastIndex(), 10u);
  EXPECT_EQ(*s.TermAt(10), 3u);
  EXPECT_EQ(s.InitialState()->conf_state.voters, (std::vector<NodeId>{1, 2}));
  EXPECT_EQ(s.InitialState()->hard_state.commit, 10u);
  EXPECT_EQ(s.ApplySnapshot(*created).code(), ErrorCode::kFailedPrecondition);
  s.SetSnapshotTemporarilyUnavailable(true);
  EXPECT_TRUE(IsSnapshotTemporarilyUnavailable(s.GetSnapshot().status()));
}

// Proves the log reads across its stable and unstable parts and truncates the unstable tail.
TEST(RaftLogTest, SlicesAcrossStableAndUnstable) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(1, 2), E(1, 3)}).ok());
  Result<RaftLog> opened = RaftLog::Open(&s);
  ASSERT_TRUE(opened.ok());
  RaftLog log = std::move(opened).value();
  log.Append({E(2, 4), E(2, 5)});
  EXPECT_EQ(log.LastIndex(), 5u);
  Result<std::vector<Entry>> all = log.Slice(2, 6, UINT64_MAX);
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 4u);
  EXPECT_EQ(all->front().index, 2u);
  EXPECT_EQ(all->back().index, 5u);
  // A byte bound stopping inside the stable part must not jump to the unstable part.
  EXPECT_EQ(log.Slice(2, 6, 1)->size(), 1u);

  // A conflicting append from a new leader replaces the tail, even the stable part.
  log.Append({E(3, 3, "x")});
  EXPECT_EQ(log.LastIndex(), 3u);
  EXPECT_EQ(log.TermOrZero(3), 3u);
  EXPECT_EQ(log.UnstableEntries().size(), 1u);
  // Persisting an older version of index 3 must not mark the new one stable.
  log.StableTo(3, 1);
  EXPECT_EQ(log.UnstableEntries().size(), 1u);
  log.StableTo(3, 3);
  EXPECT_TRUE(log.UnstableEntries().empty());
}

// Proves a follower append truncates from the first conflict and refuses to rewrite a committed entry.
TEST(RaftLogTest, MaybeAppendTruncatesAtFirstConflict) {
  MemoryStorage s;
  ASSERT_TRUE(s.Append({E(1, 1), E(1, 2), E(1, 3)}).ok());
  RaftLog log = std::move(RaftLog::Open(&s)).value();
  Result<std::optional<Index>> r = log.MaybeAppend(1, 1, 2, {E(1, 2), E(2, 3), E(2, 4)});
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->has_value());
  EXPECT_EQ(**r, 4u);
  EXPECT_EQ(log.committed(), 2u);
  EXPECT_EQ(log.TermOrZero(3), 2u);
  // Mismatched previous entry: nothing appended.
  Result<std::optional<Index>> miss = log.MaybeAppend(4, 9, 4, {E(9, 5)});
  ASSERT_TRUE(miss.ok());
  EXPECT_FALSE(miss->has_value());
  EXPECT_EQ(log.LastIndex(), 4u);
  // Rewriting a committed entry is refused.
  EXPECT_FALSE(log.MaybeAppend(1, 1, 2, {E(3, 2)}).ok());
}

// Proves the in-flight window is bounded by count and by bytes, and frees in order.
TEST(RaftProgressTest, InflightWindowBoundedByCountAndBytes) {
  Inflights by_count(2, 1000);
  by_count.Add(1, 10);
  EXPECT_FALSE(by_count.Full());
  by_count.Add(2, 10);
  EXPECT_TRUE(by_count.Full());
  by_count.FreeLE(1);
  EXPECT_FALSE(by_count.Full());
  EXPECT_EQ(by_count.count(), 1u);

  Inflights by_bytes(100, 50);
  by_bytes.Add(1, 30);
  EXPECT_FALSE(by_bytes.Full());
  by_bytes.Add(2, 30);
  EXPECT_TRUE(by_bytes.Full());
  by_bytes.FreeFirstOne();
  EXPECT_EQ(by_bytes.bytes(), 30u);
}

// Proves stale rejections are ignored and probing resumes from the follower's hint.
TEST(RaftProgressTest, RejectionsMoveNextBackOnlyWhenCurrent) {
  Progress p(10, 1000);
  p.match = 5;
  p.next = 10;
  p.BecomeReplicate();
  EXPECT_EQ(p.next, 6u);
  p.OptimisticUpdate(9);
  EXPECT_FALSE(p.MaybeDecreaseTo(4, 4));  // at or below match: stale
  EXPECT_TRUE(p.MaybeDecreaseTo(8, 6));
  EXPECT_EQ(p.next, 6u);

  Progress probe(10, 1000);
  probe.next = 10;
  EXPECT_FALSE(probe.MaybeDecreaseTo(7, 3));  // not the latest probe
  EXPECT_TRUE(probe.MaybeDecreaseTo(9, 3));
  EXPECT_EQ(probe.next, 4u);
}

// Proves quorum commit and vote tallies for even and odd voter counts.
TEST(RaftProgressTest, QuorumArithmetic) {
  EXPECT_EQ(QuorumCommitted({5, 3, 1}), 3u);
  EXPECT_EQ(QuorumCommitted({5, 3, 1, 1}), 1u);
  EXPECT_EQ(QuorumCommitted({7, 7, 2, 2, 1}), 2u);
  std::vector<NodeId> voters{1, 2, 3, 4};
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {2, true}}), VoteResult::kPending);
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {2, true}, {3, true}}), VoteResult::kWon);
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {2, false}, {3, false}}), VoteResult::kLost);
  EXPECT_EQ(TallyVotes(voters, {{1, true}, {9, true}, {8, true}}), VoteResult::kPending);  // non-voters ignored
}

// Proves the PRNG is deterministic per seed and Uniform stays in range.
TEST(RaftRngTest, DeterministicAndInRange) {
  Rng a(42);
  Rng b(42);
  Rng c(43);
  bool differs = false;
  for (int i = 0; i < 1000; ++i) {
    uint64_t x = a.Uniform(10);
    EXPECT_EQ(x, b.Uniform(10));
    EXPECT_LT(x, 10u);
    if (x != c.Uniform(10)) differs = true;
  }
  EXPECT_TRUE(differs);
}

}  // namespace
}  // namespace shulian::consensus
