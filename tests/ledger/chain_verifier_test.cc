#include "ledger/chain_verifier.h"

#include <gtest/gtest.h>

#include <string>

#include "leveldb/db.h"
#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::BlockMaker;
using testing::TempDir;
using testing::TestKeys;
using testing::TestStoreOptions;

class ChainVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto store = BlockStore::Open(TestStoreOptions(dir_.path() / "db"));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(store).value();
  }

  void AppendBlocks(std::initializer_list<size_t> tx_counts) {
    for (size_t count : tx_counts) {
      ASSERT_TRUE(store_->AppendBlock(maker_.Next(*store_, count), nullptr).ok());
    }
  }

  void ExpectFaultAt(uint64_t height, const ChainVerifierOptions& options, std::string_view what = "") {
    auto report = VerifyChain(*store_, options);
    ASSERT_FALSE(report.ok()) << "expected a fault at height " << height;
    EXPECT_EQ(report.status().code(), ErrorCode::kCorruption) << report.status().ToString();
    EXPECT_EQ(report.status().message().rfind("height " + std::to_string(height) + ":", 0), 0u)
        << report.status().ToString();
    EXPECT_NE(report.status().message().find(what), std::string::npos) << report.status().ToString();
  }

  TempDir dir_;
  TestKeys keys_;
  BlockMaker maker_{keys_};
  std::unique_ptr<BlockStore> store_;
};

TEST_F(ChainVerifierTest, ValidChainVerifiesAndReportsItsHead) {
  // Proves a correct chain passes and the report matches the store.
  AppendBlocks({3, 0, 1, 4, 2});
  auto report = VerifyChain(*store_, keys_.VerifierOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->height, 5u);
  EXPECT_EQ(report->head_hash, store_->head_hash());
  EXPECT_EQ(report->transactions, 10u);
  EXPECT_EQ(report->transaction_signatures_verified, 10u);
  EXPECT_EQ(report->transaction_signatures_skipped, 0u);
  EXPECT_EQ(report->tx_log_size, 10u);
  EXPECT_EQ(report->tx_log_root, *store_->tx_log().Root(10));
}

TEST_F(ChainVerifierTest, EmptyChainVerifies) {
  // Proves a store at genesis passes with an empty report.
  auto report = VerifyChain(*store_, keys_.VerifierOptions());
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->height, 0u);
  EXPECT_EQ(report->tx_log_root, crypto::MerkleEmptyRoot());
}

TEST_F(ChainVerifierTest, UnknownAccountsAreSkippedAndCounted) {
  // Proves an account lookup answering NotFound skips that signature but still checks the rest.
  AppendBlocks({2, 3});
  ChainVerifierOptions options = keys_.VerifierOptions();
  options.account_keys = [](std::string_view, uint64_t) -> Result<crypto::PublicKey> {
    return Status::NotFound("no registry");
  };
  auto report = VerifyChain(*store_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->transaction_signatures_skipped, 5u);
  EXPECT_EQ(report->transaction_signatures_verified, 0u);
}

TEST_F(ChainVerifierTest, WrongProposerKeyIsReportedAtTheFirstBlockItSigned) {
  // Proves proposer signatures are checked against the caller's keys, block by block.
  AppendBlocks({1, 1, 1, 1});
  ChainVerifierOptions options = keys_.VerifierOptions();
  // BlockMaker's proposer for height h is 1 + h % 3: height 2 is the first by node 3.
  const crypto::PublicKey wrong = keys_.node(1).public_key();
  options.node_keys = [this, wrong](uint64_t id) -> Result<crypto::PublicKey> {
    if (id == 3) return wrong;
    return keys_.node(id).public_key();
  };
  ExpectFaultAt(2, options, "proposer 3");
  options.node_keys = [](uint64_t id) -> Result<crypto::PublicKey> {
    return Status::NotFound("unknown node " + std::to_string(id));
  };
  ExpectFaultAt(1, options, "unknown node");
}

TEST_F(ChainVerifierTest, BadTransactionSignatureIsReportedAtItsHeight) {
  // Proves every transaction signature is checked (the store itself does not check them).
  AppendBlocks({2, 2});
  std::vector<Transaction> txs = maker_.Transactions(3);
  txs[1].signature.bytes[0] ^= 1;
  ASSERT_TRUE(store_->AppendBlock(maker_.Next(*store_, txs), nullptr).ok());
  AppendBlocks({1});
  ExpectFaultAt(3, keys_.VerifierOptions(), "transaction 1");
}

TEST_F(ChainVerifierTest, MissingTransactionIndexIsReportedAtItsHeight) {
  // Proves the tx-hash index is checked for every transaction.
  AppendBlocks({2, 2, 2});
  auto block = store_->GetBlock(2);
  ASSERT_TRUE(block.ok());
  ASSERT_TRUE(store_->db()->Delete(leveldb::WriteOptions(), TxKey(block->transactions[1].Hash())).ok());
  ExpectFaultAt(2, keys_.VerifierOptions(), "transaction 1 index");
}

TEST_F(ChainVerifierTest, MissingBlockHashIndexIsReportedAtItsHeight) {
  // Proves the block-hash index is checked for every block.
  AppendBlocks({1, 1, 1});
  auto block = store_->GetBlock(2);
  ASSERT_TRUE(block.ok());
  ASSERT_TRUE(store_->db()->Delete(leveldb::WriteOptions(), BlockHashKey(block->header.Hash())).ok());
  ExpectFaultAt(2, keys_.VerifierOptions(), "block-hash index");
}

TEST_F(ChainVerifierTest, MissingNodeLookupIsAnError) {
  // Proves the verifier refuses to run without proposer keys rather than skipping them.
  AppendBlocks({1});
  auto report = VerifyChain(*store_, ChainVerifierOptions{});
  EXPECT_EQ(report.status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace shulian::ledger
