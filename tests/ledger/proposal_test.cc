#include "ledger/proposal.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::BlockMaker;
using testing::TempDir;
using testing::TestKeys;
using testing::TestStoreOptions;

constexpr int64_t kTimeMs = 1'700'000'100'000;

class ProposalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto opened = BlockStore::Open(TestStoreOptions(dir_.path() / "db"));
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    store_ = std::move(opened).value();
  }

  // A block of `count` fresh transactions on `tip`, by validator 1.
  Block Build(const ChainTip& tip, size_t count, ChainTip* after, int64_t time_ms = kTimeMs) {
    Result<Block> block = BuildBlockOn(tip, maker_.Transactions(count), time_ms, 1, keys_.node(1), limits_, after);
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    return block.ok() ? std::move(block).value() : Block{};
  }

  TempDir dir_;
  TestKeys keys_;
  BlockMaker maker_{keys_};
  BlockLimits limits_;
  std::unique_ptr<BlockStore> store_;
};

TEST_F(ProposalTest, ChainedBlocksApplyAndTheTipMatchesTheStore) {
  // Proves each block built ahead appends to the real store, and the tip the chain
  // predicted (height, hash, time, log size and root) equals the store's afterwards.
  ProposalChain<int> chain(8);
  std::vector<Block> built;
  const size_t counts[] = {1, 2, 3, 5, 8, 13};
  for (size_t count : counts) {
    ChainTip after;
    built.push_back(Build(chain.NextTip(AppliedTip(*store_)), count, &after));
    chain.Push(built.back(), after, static_cast<int>(count));
  }
  for (size_t i = 0; i < built.size(); ++i) {
    const ChainTip predicted = chain.proposals().front().after;
    ASSERT_TRUE(store_->AppendBlock(built[i], nullptr).ok()) << "block " << i;
    std::optional<int> applied;
    std::vector<int> dead;
    chain.OnApplied(built[i].header.height, built[i].header.Hash(), &applied, &dead);
    ASSERT_TRUE(applied.has_value());
    EXPECT_EQ(*applied, static_cast<int>(counts[i]));
    EXPECT_TRUE(dead.empty());
    const ChainTip actual = AppliedTip(*store_);
    EXPECT_EQ(predicted.height, actual.height);
    EXPECT_EQ(predicted.hash, actual.hash);
    EXPECT_EQ(predicted.time_ms, actual.time_ms);
    EXPECT_EQ(predicted.tx_log.size, actual.tx_log.size);
    Result<crypto::Digest> root = store_->tx_log().Root(store_->tx_log().size());
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(FrontierRoot(predicted.tx_log), *root);
    EXPECT_EQ(FrontierRoot(actual.tx_log), *root);
  }
  EXPECT_TRUE(chain.empty());
}

TEST_F(ProposalTest, FrontierRootMatchesThePersistentLogAtEverySize) {
  // Proves the in-memory append gives the RFC 9162 root the LevelDB log computes,
  // for every size from 0 to 40 (all shapes of the frontier up to 6 levels).
  MerkleLog::Frontier frontier;
  EXPECT_EQ(FrontierRoot(frontier), crypto::MerkleEmptyRoot());
  for (int i = 0; i < 40; ++i) {
    ChainTip after;
    Block block = Build(AppliedTip(*store_), 1, &after);
    ASSERT_TRUE(store_->AppendBlock(block, nullptr).ok());
    AppendLeaves(frontier, {crypto::MerkleLeafHash(block.transactions[0].Encode())});
    ASSERT_EQ(frontier.size, store_->tx_log().size());
    Result<crypto::Digest> root = store_->tx_log().Root(store_->tx_log().size());
    ASSERT_TRUE(root.ok());
    EXPECT_EQ(FrontierRoot(frontier), *root) << "size " << frontier.size;
  }
}

TEST_F(ProposalTest, ABlockCommittedAheadOfOursKillsEveryProposal) {
  // Proves that when another block takes our oldest proposal's height, all
  // proposals come back (oldest first) and none is reported applied.
  ProposalChain<int> chain(8);
  const ChainTip base = AppliedTip(*store_);
  for (int i = 0; i < 3; ++i) {
    ChainTip after;
    Block block = Build(chain.NextTip(base), 1, &after);
    chain.Push(block, after, i);
  }
  ChainTip ignored;
  Block foreign = Build(base, 2, &ignored, kTimeMs + 1);
  std::optional<int> applied;
  std::vector<int> dead;
  chain.OnApplied(foreign.header.height, foreign.header.Hash(), &applied, &dead);
  EXPECT_FALSE(applied.has_value());
  EXPECT_EQ(dead, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(chain.empty());
}

TEST_F(ProposalTest, AnOlderBlockAppliedLeavesTheProposalsAlone) {
  // Proves a block below our oldest proposal's height (a replay) changes nothing.
  ChainTip first_after;
  Block first = Build(AppliedTip(*store_), 1, &first_after);
  ASSERT_TRUE(store_->AppendBlock(first, nullptr).ok());
  ProposalChain<int> chain(8);
  ChainTip after;
  Block ours = Build(AppliedTip(*store_), 1, &after);
  chain.Push(ours, after, 7);
  std::optional<int> applied;
  std::vector<int> dead;
  chain.OnApplied(first.header.height, first.header.Hash(), &applied, &dead);
  EXPECT_FALSE(applied.has_value());
  EXPECT_TRUE(dead.empty());
  EXPECT_EQ(chain.size(), 1u);
}

TEST_F(ProposalTest, SkippingOurBlockKillsItAndThoseBuiltOnIt) {
  // Proves a skipped proposal hands back every payload; a skipped block that is
  // not ours changes nothing.
  ProposalChain<int> chain(8);
  std::vector<Block> built;
  for (int i = 0; i < 3; ++i) {
    ChainTip after;
    built.push_back(Build(chain.NextTip(AppliedTip(*store_)), 1, &after));
    chain.Push(built.back(), after, i);
  }
  std::vector<int> dead;
  ChainTip ignored;
  chain.OnSkipped(Build(AppliedTip(*store_), 1, &ignored).header.Hash(), &dead);
  EXPECT_TRUE(dead.empty());
  EXPECT_EQ(chain.size(), 3u);
  chain.OnSkipped(built[0].header.Hash(), &dead);
  EXPECT_EQ(dead, (std::vector<int>{0, 1, 2}));
  EXPECT_TRUE(chain.empty());
}

TEST_F(ProposalTest, TheChainIsBounded) {
  // Proves full() turns true at blocks_max and NextTip falls back to the applied
  // head when the chain is empty.
  ProposalChain<int> chain(2);
  const ChainTip base = AppliedTip(*store_);
  EXPECT_EQ(chain.NextTip(base).hash, base.hash);
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(chain.full());
    ChainTip after;
    Block block = Build(chain.NextTip(base), 1, &after);
    chain.Push(block, after, i);
  }
  EXPECT_TRUE(chain.full());
  EXPECT_EQ(chain.NextTip(base).height, base.height + 2);
}

TEST_F(ProposalTest, BlockTimeNeverGoesBelowTheTip) {
  // Proves a clock behind the tip's time is stamped with the tip's time.
  ChainTip after;
  Block first = Build(AppliedTip(*store_), 1, &after, kTimeMs);
  ChainTip next;
  Block second = Build(after, 1, &next, kTimeMs - 5'000);
  EXPECT_EQ(second.header.time_ms, kTimeMs);
  EXPECT_EQ(next.time_ms, kTimeMs);
  EXPECT_EQ(second.header.previous_hash, first.header.Hash());
}

TEST_F(ProposalTest, EmptyOrOversizedBatchesAreRefusedNamingTheField) {
  // Proves BuildBlockOn refuses what the store would refuse, naming the field.
  ChainTip after;
  Result<Block> empty = BuildBlockOn(AppliedTip(*store_), {}, kTimeMs, 1, keys_.node(1), limits_, &after);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("transactions"), std::string::npos);
  BlockLimits tight = limits_;
  tight.transactions_max = 2;
  Result<Block> many = BuildBlockOn(AppliedTip(*store_), maker_.Transactions(3), kTimeMs, 1, keys_.node(1), tight, &after);
  ASSERT_FALSE(many.ok());
  EXPECT_EQ(many.status().code(), ErrorCode::kInvalidArgument);
  tight = limits_;
  tight.block_bytes_max = 300;
  Result<Block> big = BuildBlockOn(AppliedTip(*store_), maker_.Transactions(3), kTimeMs, 1, keys_.node(1), tight, &after);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("bytes"), std::string::npos);
}

}  // namespace
}  // namespace shulian::ledger
