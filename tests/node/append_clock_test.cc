// Which appends a follower refuses for their block times (FirstFreshBlockOffClock,
// docs/node.md): only blocks the sending leader made in its term and not yet
// committed are held to this node's clock; history is exempt.
#include <gtest/gtest.h>

#include "ledger/block.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

constexpr int64_t kNow = 1'800'000'000'000;
constexpr int64_t kSkewMax = 5'000;

consensus::Entry BlockEntry(uint64_t index, uint64_t term, uint64_t height, int64_t time_ms) {
  ledger::Block block;
  block.header.height = height;
  block.header.time_ms = time_ms;
  return consensus::Entry{term, index, consensus::EntryType::kNormal, block.Encode()};
}

consensus::Message Append(uint64_t term, uint64_t commit, std::vector<consensus::Entry> entries) {
  consensus::Message m;
  m.type = consensus::MessageType::kAppend;
  m.term = term;
  m.commit = commit;
  m.entries = std::move(entries);
  return m;
}

TEST(AppendClockTest, AFreshBlockTooFarFromTheClockIsNamedWithItsSkew) {
  // Proves blocks within the skew pass and the first one beyond it, either way, is reported.
  auto fits = Append(3, 10, {BlockEntry(11, 3, 7, kNow - kSkewMax), BlockEntry(12, 3, 8, kNow + kSkewMax)});
  EXPECT_FALSE(FirstFreshBlockOffClock(fits, 10, kNow, kSkewMax).has_value());

  auto ahead = Append(3, 10, {BlockEntry(11, 3, 7, kNow), BlockEntry(12, 3, 8, kNow + kSkewMax + 1)});
  std::optional<ClockMisfit> misfit = FirstFreshBlockOffClock(ahead, 10, kNow, kSkewMax);
  ASSERT_TRUE(misfit.has_value());
  EXPECT_EQ(misfit->height, 8u);
  EXPECT_EQ(misfit->skew_ms, kSkewMax + 1);

  auto behind = Append(3, 10, {BlockEntry(11, 3, 7, kNow - kSkewMax - 1)});
  misfit = FirstFreshBlockOffClock(behind, 10, kNow, kSkewMax);
  ASSERT_TRUE(misfit.has_value());
  EXPECT_EQ(misfit->skew_ms, -kSkewMax - 1);
}

TEST(AppendClockTest, CommittedAndOlderTermBlocksAreHistory) {
  // Proves an old block is exempt when the append's commit or ours covers it, or
  // when an earlier leader made it; an undecodable entry is left to the apply.
  const int64_t old_time = kNow - 3'600'000;
  auto committed_by_leader = Append(3, 11, {BlockEntry(11, 3, 7, old_time)});
  EXPECT_FALSE(FirstFreshBlockOffClock(committed_by_leader, 0, kNow, kSkewMax).has_value());
  auto committed_here = Append(3, 0, {BlockEntry(11, 3, 7, old_time)});
  EXPECT_FALSE(FirstFreshBlockOffClock(committed_here, 11, kNow, kSkewMax).has_value());
  auto older_term = Append(4, 10, {BlockEntry(11, 3, 7, old_time)});
  EXPECT_FALSE(FirstFreshBlockOffClock(older_term, 10, kNow, kSkewMax).has_value());
  auto garbage = Append(3, 10, {consensus::Entry{3, 11, consensus::EntryType::kNormal, Bytes{1, 2, 3}}});
  EXPECT_FALSE(FirstFreshBlockOffClock(garbage, 10, kNow, kSkewMax).has_value());

  auto fresh = Append(3, 10, {BlockEntry(11, 3, 7, old_time)});
  EXPECT_TRUE(FirstFreshBlockOffClock(fresh, 10, kNow, kSkewMax).has_value());
}

}  // namespace
}  // namespace shulian::node
