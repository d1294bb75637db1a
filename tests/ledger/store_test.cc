#include "ledger/store.h"

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "crypto/merkle.h"
#include "leveldb/db.h"
#include "leveldb/iterator.h"
#include "leveldb/write_batch.h"
#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::BlockMaker;
using testing::MakeTx;
using testing::TempDir;
using testing::TestGenesis;
using testing::TestKeys;
using testing::TestStoreOptions;

std::map<std::string, std::string> DumpDb(BlockStore& store) {
  std::map<std::string, std::string> out;
  std::unique_ptr<leveldb::Iterator> it(store.db()->NewIterator(leveldb::ReadOptions()));
  for (it->SeekToFirst(); it->Valid(); it->Next()) out[it->key().ToString()] = it->value().ToString();
  EXPECT_TRUE(it->status().ok());
  return out;
}

std::unique_ptr<BlockStore> OpenStore(const TempDir& dir) {
  auto store = BlockStore::Open(TestStoreOptions(dir.path() / "db"));
  EXPECT_TRUE(store.ok()) << store.status().ToString();
  return store.ok() ? std::move(store).value() : nullptr;
}

class StoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  TestKeys keys_;
  BlockMaker maker_{keys_};
};

TEST_F(StoreTest, FreshStoreStartsAtGenesis) {
  // Proves a new store has height 0, the genesis hash as head and an empty log.
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->height(), 0u);
  EXPECT_EQ(store->head_hash(), TestGenesis());
  EXPECT_EQ(store->tx_log().size(), 0u);
  EXPECT_EQ(store->GetBlock(1).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBlock(0).status().code(), ErrorCode::kNotFound);
}

TEST_F(StoreTest, AppendedBlocksAreReadableByHeightHashAndTransaction) {
  // Proves blocks round-trip and every index (hash -> height, tx -> location) is written.
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  std::vector<Block> appended;
  for (size_t count : {2u, 0u, 3u}) {
    appended.push_back(maker_.Next(*store, count));
    ASSERT_TRUE(store->AppendBlock(appended.back(), nullptr).ok());
  }
  EXPECT_EQ(store->height(), 3u);
  EXPECT_EQ(store->head_hash(), appended.back().header.Hash());
  EXPECT_EQ(store->head_time_ms(), appended.back().header.time_ms);
  EXPECT_EQ(store->tx_log().size(), 5u);
  uint64_t log_index = 0;
  for (const Block& block : appended) {
    auto by_height = store->GetBlock(block.header.height);
    ASSERT_TRUE(by_height.ok());
    EXPECT_EQ(*by_height, block);
    auto by_hash = store->GetBlockByHash(block.header.Hash());
    ASSERT_TRUE(by_hash.ok());
    EXPECT_EQ(*by_hash, block);
    for (uint32_t i = 0; i < block.transactions.size(); ++i) {
      auto location = store->FindTransaction(block.transactions[i].Hash());
      ASSERT_TRUE(location.ok());
      EXPECT_EQ(*location, (TxLocation{block.header.height, i, log_index}));
      // The log leaf is the transaction's encoding: its inclusion proof checks out.
      auto proof = store->tx_log().InclusionProof(log_index, block.header.tx_log_size);
      ASSERT_TRUE(proof.ok());
      EXPECT_TRUE(crypto::VerifyMerkleInclusion(log_index, block.header.tx_log_size,
                                                crypto::MerkleLeafHash(block.transactions[i].Encode()),
                                                *proof, block.header.tx_log_root)
                      .ok());
      ++log_index;
    }
  }
  EXPECT_EQ(store->FindTransaction(crypto::Sha256(AsBytes("nope"))).status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(store->GetBlockByHash(crypto::Sha256(AsBytes("nope"))).status().code(), ErrorCode::kNotFound);
}

TEST_F(StoreTest, ReopenRestoresTheHeadAndAppendingContinues) {
  // Proves a closed and reopened store has the same head and accepts the next block.
  crypto::Digest head;
  int64_t time_ms = 0;
  {
    auto store = OpenStore(dir_);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 4; ++i) ASSERT_TRUE(store->AppendBlock(maker_.Next(*store, 2), nullptr).ok());
    head = store->head_hash();
    time_ms = store->head_time_ms();
  }
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(store->height(), 4u);
  EXPECT_EQ(store->head_hash(), head);
  EXPECT_EQ(store->head_time_ms(), time_ms);
  EXPECT_EQ(store->tx_log().size(), 8u);
  ASSERT_TRUE(store->AppendBlock(maker_.Next(*store, 1), nullptr).ok());
  EXPECT_EQ(store->height(), 5u);
}

TEST_F(StoreTest, OpenRefusesAnotherNetworksGenesis) {
  // Proves a store made for one genesis cannot be opened with another.
  { ASSERT_NE(OpenStore(dir_), nullptr); }
  StoreOptions options = TestStoreOptions(dir_.path() / "db");
  options.genesis_hash = crypto::Sha256(AsBytes("other network"));
  auto store = BlockStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find("genesis"), std::string::npos);
}

TEST_F(StoreTest, OpenWithoutCreateRefusesAMissingStore) {
  // Proves create_if_missing=false does not silently make an empty ledger.
  StoreOptions options = TestStoreOptions(dir_.path() / "absent");
  options.create_if_missing = false;
  EXPECT_FALSE(BlockStore::Open(options).ok());
}

TEST_F(StoreTest, OpenWithoutCreateRefusesADatabaseWithoutAStore) {
  // Proves a database holding only other owners' keys is not silently turned into a ledger.
  const std::filesystem::path path = dir_.path() / "shared";
  {
    leveldb::Options raw_options;
    raw_options.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(raw_options, path.string(), &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "r/hs", "raft").ok());
  }
  StoreOptions options = TestStoreOptions(path);
  options.create_if_missing = false;
  auto store = BlockStore::Open(options);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kNotFound);
  options.create_if_missing = true;
  store = BlockStore::Open(options);
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  EXPECT_EQ((*store)->height(), 0u);
}

// Each rejected block leaves the database byte-for-byte unchanged, the head
// unchanged, and the store still accepting the correct next block.
class StoreRejectionTest : public StoreTest {
 protected:
  void SetUp() override {
    store_ = OpenStore(dir_);
    ASSERT_NE(store_, nullptr);
    for (int i = 0; i < 2; ++i) ASSERT_TRUE(store_->AppendBlock(maker_.Next(*store_, 2), nullptr).ok());
  }

  void ExpectRejectedAndNothingChanged(const Block& block, ErrorCode code, std::string_view field) {
    const auto before = DumpDb(*store_);
    const uint64_t height = store_->height();
    const crypto::Digest head = store_->head_hash();
    const uint64_t log_size = store_->tx_log().size();
    leveldb::WriteBatch extra;
    extra.Put("s/state-change", "must not land");
    Status status = store_->AppendBlock(block, &extra);
    ASSERT_FALSE(status.ok());
    EXPECT_EQ(status.code(), code) << status.ToString();
    EXPECT_NE(status.message().find(field), std::string::npos) << status.ToString();
    EXPECT_EQ(DumpDb(*store_), before);
    EXPECT_EQ(store_->height(), height);
    EXPECT_EQ(store_->head_hash(), head);
    EXPECT_EQ(store_->tx_log().size(), log_size);
    auto root = store_->tx_log().Root(log_size);
    ASSERT_TRUE(root.ok());
    ASSERT_TRUE(store_->AppendBlock(maker_.Next(*store_, 1), nullptr).ok());
  }

  std::unique_ptr<BlockStore> store_;
};

TEST_F(StoreRejectionTest, WrongHeightChangesNothing) {
  // Proves a block that skips or repeats a height is refused.
  Block block = maker_.Next(*store_, 1);
  block.header.height += 1;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "block.height");
}

TEST_F(StoreRejectionTest, WrongPreviousHashChangesNothing) {
  // Proves a block that does not link to the head is refused.
  Block block = maker_.Next(*store_, 1);
  block.header.previous_hash.bytes[5] ^= 0x40;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "block.previous_hash");
}

TEST_F(StoreRejectionTest, TimeGoingBackwardsChangesNothing) {
  // Proves block time never decreases (equal time is allowed, earlier is not).
  Block block = maker_.Next(*store_, 1);
  block.header.time_ms = store_->head_time_ms() - 1;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "block.time_ms");
  Block same_time = maker_.Next(*store_, 1);
  same_time.header.time_ms = store_->head_time_ms();
  EXPECT_TRUE(store_->AppendBlock(same_time, nullptr).ok());
}

TEST_F(StoreRejectionTest, WrongRootOrSizeChangesNothing) {
  // Proves the header must carry the log's size and root after this block's transactions.
  Block block = maker_.Next(*store_, 2);
  block.header.tx_log_root.bytes[0] ^= 1;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "tx_log_root");
  block = maker_.Next(*store_, 2);
  block.header.tx_log_size += 1;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "tx_log_size");
  // Same transactions in another order: another root.
  block = maker_.Next(*store_, 2);
  std::swap(block.transactions[0], block.transactions[1]);
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "tx_log_root");
}

TEST_F(StoreRejectionTest, DuplicateTransactionChangesNothing) {
  // Proves a transaction already stored, or repeated within the block, is refused.
  auto first = store_->GetBlock(1);
  ASSERT_TRUE(first.ok());
  std::vector<Transaction> txs = maker_.Transactions(1);
  txs.push_back(first->transactions[0]);
  ExpectRejectedAndNothingChanged(maker_.Next(*store_, txs), ErrorCode::kAlreadyExists, "already in block 1");
  std::vector<Transaction> repeated = maker_.Transactions(1);
  repeated.push_back(repeated[0]);
  ExpectRejectedAndNothingChanged(maker_.Next(*store_, repeated), ErrorCode::kAlreadyExists,
                                  "more than once");
}

TEST_F(StoreRejectionTest, CountMismatchAndLimitsChangeNothing) {
  // Proves tx_count must match, and blocks that would not decode under the limits are refused.
  Block block = maker_.Next(*store_, 2);
  block.header.tx_count = 3;
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "block.tx_count");
  block = maker_.Next(*store_, 1);
  block.transactions[0].sender = "Not-An-Id";
  ExpectRejectedAndNothingChanged(block, ErrorCode::kInvalidArgument, "transaction.sender");
}

TEST_F(StoreTest, TransactionLimitIsEnforced) {
  // Proves StoreOptions::limits.transactions_max bounds an appended block.
  StoreOptions options = TestStoreOptions(dir_.path() / "db");
  options.limits.transactions_max = 3;
  auto store = BlockStore::Open(options);
  ASSERT_TRUE(store.ok());
  EXPECT_TRUE((*store)->AppendBlock(maker_.Next(**store, 3), nullptr).ok());
  Status status = (*store)->AppendBlock(maker_.Next(**store, 4), nullptr);
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ((*store)->height(), 1u);
}

TEST_F(StoreTest, ExtraWritesLandInTheSameBatch) {
  // Proves the state machine's writes are committed with the block they belong to.
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  leveldb::WriteBatch extra;
  extra.Put("s/asset/1", "registered");
  ASSERT_TRUE(store->AppendBlock(maker_.Next(*store, 1), &extra).ok());
  std::string value;
  ASSERT_TRUE(store->db()->Get(leveldb::ReadOptions(), "s/asset/1", &value).ok());
  EXPECT_EQ(value, "registered");
}

TEST_F(StoreTest, PreviewTxLogWritesNothingAndMatchesTheAppend) {
  // Proves the preview gives what AppendBlock expects and leaves the store as it was.
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  ASSERT_TRUE(store->AppendBlock(maker_.Next(*store, 2), nullptr).ok());
  const auto before = DumpDb(*store);
  std::vector<Transaction> txs = maker_.Transactions(3);
  auto preview = store->PreviewTxLog(txs);
  ASSERT_TRUE(preview.ok());
  EXPECT_EQ(preview->first, 5u);
  EXPECT_EQ(DumpDb(*store), before);
  EXPECT_EQ(store->tx_log().size(), 2u);
  crypto::MemoryMerkleTree tree;
  auto first = store->GetBlock(1);
  ASSERT_TRUE(first.ok());
  for (const Transaction& tx : first->transactions) tree.AppendLeaf(tx.Encode());
  for (const Transaction& tx : txs) tree.AppendLeaf(tx.Encode());
  EXPECT_EQ(preview->second, *tree.Root());
  const Block block = maker_.Next(*store, txs);
  EXPECT_EQ(block.header.tx_log_root, preview->second);
  EXPECT_TRUE(store->AppendBlock(block, nullptr).ok());
}

TEST_F(StoreTest, VerifyBlockSignaturesChecksProposerAndEveryTransaction) {
  // Proves the helper refuses a wrong proposer signature and a wrong transaction signature.
  auto store = OpenStore(dir_);
  ASSERT_NE(store, nullptr);
  Block block = maker_.Next(*store, 3);
  SignatureCheckCounts counts;
  ASSERT_TRUE(VerifyBlockSignatures(block, TestGenesis(), keys_.NodeLookup(), keys_.AccountLookup(), &counts).ok());
  EXPECT_EQ(counts.transactions_verified, 3u);

  Block bad_proposer = block;
  bad_proposer.header.proposer = block.header.proposer % 3 + 1;  // another known validator
  EXPECT_EQ(VerifyBlockSignatures(bad_proposer, TestGenesis(), keys_.NodeLookup(), keys_.AccountLookup()).code(),
            ErrorCode::kPermissionDenied);

  Block bad_tx = block;
  bad_tx.transactions[2].nonce += 1;
  Status status = VerifyBlockSignatures(bad_tx, TestGenesis(), keys_.NodeLookup(), keys_.AccountLookup());
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("transaction 2"), std::string::npos) << status.ToString();

  // Unknown accounts are skipped and counted when the lookup says NotFound.
  SignatureCheckCounts skipped;
  auto unknown = [](std::string_view, uint64_t) -> Result<crypto::PublicKey> {
    return Status::NotFound("x");
  };
  EXPECT_TRUE(VerifyBlockSignatures(bad_tx, TestGenesis(), keys_.NodeLookup(), unknown, &skipped).ok());
  EXPECT_EQ(skipped.transactions_skipped, 3u);
}

}  // namespace
}  // namespace shulian::ledger
