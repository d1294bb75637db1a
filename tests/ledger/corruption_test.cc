// Corruption detection: bytes flipped directly in LevelDB — in a stored block, in
// a Merkle log node, in an index — are caught by Open or by the chain verifier,
// and the error names the height of the damaged block.
#include <gtest/gtest.h>

#include <string>

#include "ledger/merkle_log.h"
#include "leveldb/db.h"
#include "leveldb/iterator.h"
#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::BlockMaker;
using testing::TempDir;
using testing::TestKeys;
using testing::TestStoreOptions;

constexpr uint64_t kBlocks = 8;
constexpr size_t kTxPerBlock = 3;

class CorruptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.path() / "db";
    auto store = BlockStore::Open(TestStoreOptions(path_));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    BlockMaker maker(keys_);
    for (uint64_t i = 0; i < kBlocks; ++i) {
      ASSERT_TRUE((*store)->AppendBlock(maker.Next(**store, kTxPerBlock), nullptr).ok());
    }
  }

  // Runs `edit` on the raw database with the store closed.
  template <typename Edit>
  void WithRawDb(Edit edit) {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(leveldb::Options(), path_.string(), &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    edit(*db);
  }

  std::string ReadRaw(const std::string& key) {
    std::string value;
    WithRawDb([&](leveldb::DB& db) { ASSERT_TRUE(db.Get(leveldb::ReadOptions(), key, &value).ok()); });
    return value;
  }

  void WriteRaw(const std::string& key, const std::string& value) {
    WithRawDb([&](leveldb::DB& db) { ASSERT_TRUE(db.Put(leveldb::WriteOptions(), key, value).ok()); });
  }

  std::vector<std::string> KeysWithPrefix(std::string_view prefix) {
    std::vector<std::string> keys;
    WithRawDb([&](leveldb::DB& db) {
      std::unique_ptr<leveldb::Iterator> it(db.NewIterator(leveldb::ReadOptions()));
      for (it->Seek(leveldb::Slice(prefix.data(), prefix.size()));
           it->Valid() && it->key().starts_with(leveldb::Slice(prefix.data(), prefix.size())); it->Next()) {
        keys.push_back(it->key().ToString());
      }
    });
    return keys;
  }

  // The first failure of Open-then-verify, or OK if the damage went unnoticed.
  Status OpenAndVerify() {
    auto store = BlockStore::Open(TestStoreOptions(path_));
    if (!store.ok()) return store.status();
    auto report = VerifyChain(**store, keys_.VerifierOptions());
    return report.status();
  }

  // Flips one bit of `key`'s value at `offset`, expects a Corruption naming
  // `height`, then restores the value and checks the store is whole again.
  void ExpectFlipDetected(const std::string& key, size_t offset, uint64_t height) {
    const std::string original = ReadRaw(key);
    ASSERT_LT(offset, original.size());
    std::string damaged = original;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x04);
    WriteRaw(key, damaged);
    Status status = OpenAndVerify();
    EXPECT_EQ(status.code(), ErrorCode::kCorruption) << "offset " << offset << ": " << status.ToString();
    EXPECT_NE(status.message().find("height " + std::to_string(height) + ":"), std::string::npos)
        << "offset " << offset << ": " << status.ToString();
    WriteRaw(key, original);
  }

  TempDir dir_;
  TestKeys keys_;
  std::filesystem::path path_;
};

TEST_F(CorruptionTest, UndamagedStoreVerifies) {
  // Proves the fixture itself is sound, so the failures below come from the damage.
  EXPECT_TRUE(OpenAndVerify().ok());
}

TEST_F(CorruptionTest, FlippedByteInAStoredBlockIsNamedByHeight) {
  // Proves damage anywhere in a middle block (header, signature, transactions) is reported at its height.
  const std::string key = BlockKey(4);
  const size_t size = ReadRaw(key).size();
  for (size_t offset = 0; offset < size; offset += 9) ExpectFlipDetected(key, offset, 4);
  EXPECT_TRUE(OpenAndVerify().ok());
}

TEST_F(CorruptionTest, FlippedByteInTheHeadBlockStopsOpen) {
  // Proves Open itself refuses a damaged head block and names its height. The
  // proposer's signature is the exception: the store holds no keys, so damage
  // there is the verifier's to find (checked first).
  const std::string key = BlockKey(kBlocks);
  const size_t size = ReadRaw(key).size();
  constexpr size_t kSignatureOffset = 100;
  for (size_t offset = kSignatureOffset; offset < kSignatureOffset + 64; offset += 21) {
    ExpectFlipDetected(key, offset, kBlocks);
  }
  for (size_t offset = 0; offset < size; offset += 17) {
    if (offset >= kSignatureOffset && offset < kSignatureOffset + 64) continue;
    const std::string original = ReadRaw(key);
    std::string damaged = original;
    damaged[offset] = static_cast<char>(damaged[offset] ^ 0x10);
    WriteRaw(key, damaged);
    auto store = BlockStore::Open(TestStoreOptions(path_));
    ASSERT_FALSE(store.ok()) << "offset " << offset;
    EXPECT_EQ(store.status().code(), ErrorCode::kCorruption);
    EXPECT_NE(store.status().message().find("height " + std::to_string(kBlocks)), std::string::npos)
        << store.status().ToString();
    WriteRaw(key, original);
  }
}

TEST_F(CorruptionTest, FlippedByteInAnyMerkleLogNodeIsNamedByHeight) {
  // Proves every stored log node is checked: damage is reported at the height of the
  // block whose transactions completed that node (or at the head, by Open, for the
  // frontier nodes Open reads).
  const std::string prefix(kTxLogKeyPrefix);
  const std::string size_key = MerkleLog::SizeKey(prefix);
  int nodes = 0;
  for (const std::string& key : KeysWithPrefix(prefix)) {
    if (key == size_key) continue;
    ASSERT_EQ(key.size(), prefix.size() + 1 + 8) << "unexpected key layout";
    const uint32_t level = static_cast<uint8_t>(key[prefix.size()]);
    uint64_t index = 0;
    for (size_t i = 0; i < 8; ++i) index = (index << 8) | static_cast<uint8_t>(key[prefix.size() + 1 + i]);
    const uint64_t last_leaf = ((index + 1) << level) - 1;
    const uint64_t completed_at = last_leaf / kTxPerBlock + 1;
    SCOPED_TRACE("node level " + std::to_string(level) + " index " + std::to_string(index));
    const std::string original = ReadRaw(key);
    std::string damaged = original;
    damaged[7] = static_cast<char>(damaged[7] ^ 0x01);
    WriteRaw(key, damaged);
    auto store = BlockStore::Open(TestStoreOptions(path_));
    if (store.ok()) {
      auto report = VerifyChain(**store, keys_.VerifierOptions());
      ASSERT_FALSE(report.ok());
      EXPECT_EQ(report.status().code(), ErrorCode::kCorruption);
      EXPECT_EQ(report.status().message().rfind("height " + std::to_string(completed_at) + ":", 0), 0u)
          << report.status().ToString();
    } else {
      EXPECT_EQ(store.status().code(), ErrorCode::kCorruption);
      EXPECT_NE(store.status().message().find("height " + std::to_string(kBlocks) + ":"), std::string::npos)
          << store.status().ToString();
    }
    store = Result<std::unique_ptr<BlockStore>>(Status::Internal("closed"));
    WriteRaw(key, original);
    ++nodes;
  }
  // Every perfect subtree of the 24 leaves is stored: 24 + 12 + 6 + 3 + 1.
  int expected_nodes = 0;
  for (uint64_t leaves = kBlocks * kTxPerBlock; leaves > 0; leaves /= 2)
    expected_nodes += static_cast<int>(leaves);
  EXPECT_EQ(nodes, expected_nodes);
  EXPECT_TRUE(OpenAndVerify().ok());
}

TEST_F(CorruptionTest, DamagedLogSizeStopsOpen) {
  // Proves a log size that disagrees with the head block is refused on open.
  const std::string key = MerkleLog::SizeKey(kTxLogKeyPrefix);
  const std::string original = ReadRaw(key);
  std::string damaged = original;
  damaged[7] = static_cast<char>(damaged[7] ^ 0x01);
  WriteRaw(key, damaged);
  auto store = BlockStore::Open(TestStoreOptions(path_));
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(store.status().message().find("height " + std::to_string(kBlocks)), std::string::npos)
      << store.status().ToString();
}

TEST_F(CorruptionTest, DamagedIndexEntryIsNamedByHeight) {
  // Proves a damaged transaction-index value is reported at the height of its transaction.
  const std::vector<std::string> tx_keys = KeysWithPrefix(kTxKeyPrefix);
  ASSERT_EQ(tx_keys.size(), kBlocks * kTxPerBlock);
  for (const std::string& key : tx_keys) {
    const std::string value = ReadRaw(key);
    uint64_t height = 0;
    for (size_t i = 0; i < 8; ++i) height = (height << 8) | static_cast<uint8_t>(value[i]);
    ExpectFlipDetected(key, 19, height);  // the last byte of the log index
  }
}

}  // namespace
}  // namespace shulian::ledger
