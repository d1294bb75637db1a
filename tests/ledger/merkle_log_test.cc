#include "ledger/merkle_log.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <bit>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crypto/merkle.h"

namespace shulian::ledger {
namespace {

namespace fs = std::filesystem;
using crypto::Digest;

constexpr char kPrefix[] = "m/tx/";

// Counts the operations in a write batch.
class OperationCounter : public leveldb::WriteBatch::Handler {
 public:
  void Put(const leveldb::Slice&, const leveldb::Slice&) override { ++count; }
  void Delete(const leveldb::Slice&) override { ++count; }
  uint64_t count = 0;
};

uint64_t Operations(const leveldb::WriteBatch& batch) {
  OperationCounter counter;
  EXPECT_TRUE(batch.Iterate(&counter).ok());
  return counter.count;
}

Digest Leaf(uint64_t i) { return crypto::MerkleLeafHash(AsBytes("tx-" + std::to_string(i))); }

class MerkleLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "shulian-merkle-log-XXXXXX").string();
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenDb();
  }
  void TearDown() override {
    log_.reset();
    db_.reset();
    fs::remove_all(dir_);
  }

  void OpenDb() {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    leveldb::Status status = leveldb::DB::Open(options, (dir_ / "db").string(), &db);
    ASSERT_TRUE(status.ok()) << status.ToString();
    db_.reset(db);
  }

  // Closes and reopens the database and the log, as a restarted node would.
  void Reopen() {
    log_.reset();
    db_.reset();
    OpenDb();
    OpenLog();
  }

  void OpenLog(MerkleLogOptions options = {}) {
    auto log = MerkleLog::Open(db_.get(), kPrefix, options);
    ASSERT_TRUE(log.ok()) << log.status().ToString();
    log_ = std::move(log).value();
  }

  // Appends leaves [first, first + count) to both the log and the reference tree.
  void Append(uint64_t first, uint64_t count, bool sync = false) {
    std::vector<Digest> leaves;
    for (uint64_t i = first; i < first + count; ++i) leaves.push_back(Leaf(i));
    leveldb::WriteBatch batch;
    auto staged = log_->StageAppend(leaves, &batch);
    ASSERT_TRUE(staged.ok()) << staged.status().ToString();
    leveldb::WriteOptions write_options;
    write_options.sync = sync;
    ASSERT_TRUE(db_->Write(write_options, &batch).ok());
    log_->CommitStaged();
    for (const Digest& leaf : leaves) reference_.AppendLeafHash(leaf);
    ASSERT_EQ(staged->size, reference_.size());
    ASSERT_EQ(staged->root, *reference_.Root());
  }

  void AppendUpTo(uint64_t size, uint64_t batch_leaves) {
    while (log_->size() < size) Append(log_->size(), std::min(batch_leaves, size - log_->size()));
  }

  fs::path dir_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<MerkleLog> log_;
  crypto::MemoryMerkleTree reference_;
};

// A new log is empty, with the empty tree's root.
TEST_F(MerkleLogTest, NewLogIsEmpty) {
  OpenLog();
  EXPECT_EQ(log_->size(), 0u);
  EXPECT_EQ(*log_->Root(0), crypto::MerkleEmptyRoot());
  EXPECT_EQ(log_->Root(1).status().code(), ErrorCode::kOutOfRange);
}

// Roots, inclusion proofs and consistency proofs equal the in-memory tree's at
// every size reached through appends of uneven batch sizes.
TEST_F(MerkleLogTest, RootsAndProofsEqualMemoryTree) {
  OpenLog();
  uint64_t batch = 1;
  while (log_->size() < 140) {
    Append(log_->size(), batch);
    batch = batch % 7 + 1;
  }
  const uint64_t total = log_->size();
  for (uint64_t n = 0; n <= total; ++n) {
    ASSERT_EQ(*log_->Root(n), *crypto::MerkleRoot(reference_, n)) << "size " << n;
    for (uint64_t i = 0; i < n; ++i) {
      ASSERT_EQ(*log_->InclusionProof(i, n), *crypto::MerkleInclusionProof(reference_, i, n))
          << i << " in " << n;
    }
    for (uint64_t m = 0; m <= n; ++m) {
      ASSERT_EQ(*log_->ConsistencyProof(m, n), *crypto::MerkleConsistencyProof(reference_, m, n))
          << m << " -> " << n;
    }
  }
  EXPECT_EQ(log_->InclusionProof(total, total).status().code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(log_->ConsistencyProof(1, total + 1).status().code(), ErrorCode::kOutOfRange);
}

// After closing and reopening the database the log has the same size and
// root, serves the same proofs, and keeps appending correctly.
TEST_F(MerkleLogTest, ReopenKeepsSizeRootAndProofs) {
  OpenLog();
  AppendUpTo(1000, 37);
  const Digest root = *log_->Root(1000);
  const auto proof = *log_->InclusionProof(517, 1000);
  Reopen();
  EXPECT_EQ(log_->size(), 1000u);
  EXPECT_EQ(*log_->Root(1000), root);
  EXPECT_EQ(*log_->InclusionProof(517, 1000), proof);
  AppendUpTo(1301, 50);
  Reopen();
  EXPECT_EQ(log_->size(), 1301u);
  EXPECT_EQ(*log_->Root(1301), *reference_.Root());
  EXPECT_EQ(*log_->Root(1000), root);
}

// Open reads only the size and the frontier: popcount(size) nodes.
TEST_F(MerkleLogTest, OpenReadsOnlyTheFrontier) {
  OpenLog();
  AppendUpTo(1000, 100);
  Reopen();
  EXPECT_EQ(log_->node_reads(), static_cast<uint64_t>(std::popcount(uint64_t{1000})));
  // The current root comes from the frontier in memory.
  const uint64_t before = log_->node_reads();
  EXPECT_EQ(*log_->Root(1000), *reference_.Root());
  EXPECT_EQ(log_->node_reads(), before);
}

// An aborted append changes nothing, in memory or on disk; a staged append is
// invisible to reads until committed; a second stage before commit is refused.
TEST_F(MerkleLogTest, AbortStagedLeavesLogUnchanged) {
  OpenLog();
  AppendUpTo(10, 10);
  const Digest root = *log_->Root(10);

  std::vector<Digest> more = {Leaf(10), Leaf(11), Leaf(12)};
  leveldb::WriteBatch batch;
  auto staged = log_->StageAppend(more, &batch);
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(staged->size, 13u);
  EXPECT_TRUE(log_->has_staged());
  EXPECT_EQ(log_->size(), 10u);  // reads see committed state only
  EXPECT_EQ(*log_->Root(10), root);
  EXPECT_EQ(log_->PerfectSubtree(0, 10).status().code(), ErrorCode::kOutOfRange);

  leveldb::WriteBatch second;
  auto refused = log_->StageAppend(more, &second);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(Operations(second), 0u);

  log_->AbortStaged();  // the batch is dropped, never written
  EXPECT_FALSE(log_->has_staged());
  EXPECT_EQ(log_->size(), 10u);
  EXPECT_EQ(*log_->Root(10), root);
  log_->AbortStaged();  // harmless when nothing is staged

  Reopen();
  EXPECT_EQ(log_->size(), 10u);
  EXPECT_EQ(*log_->Root(10), root);
  // The same leaves can then be staged and committed normally.
  Append(10, 3);
  EXPECT_EQ(log_->size(), 13u);
}

// Appending n leaves to an empty log writes each completed subtree exactly
// once: 2n - popcount(n) nodes plus the size.
TEST_F(MerkleLogTest, AppendWritesEachNodeOnce) {
  OpenLog();
  std::vector<Digest> leaves;
  for (uint64_t i = 0; i < 1000; ++i) leaves.push_back(Leaf(i));
  leveldb::WriteBatch batch;
  auto staged = log_->StageAppend(leaves, &batch);
  ASSERT_TRUE(staged.ok());
  EXPECT_EQ(Operations(batch), 2 * 1000 - std::popcount(uint64_t{1000}) + 1u);
  log_->AbortStaged();
}

// Nodes and the size live under the documented keys: prefix ‖ u8 level ‖
// u64 big-endian index, and prefix ‖ "size".
TEST_F(MerkleLogTest, KeyLayoutIsAsDocumented) {
  OpenLog();
  AppendUpTo(6, 6);
  std::string key = std::string(kPrefix) + std::string("\x01", 1) + std::string(7, '\0') + "\x02";
  EXPECT_EQ(MerkleLog::NodeKey(kPrefix, 1, 2), key);
  std::string value;
  ASSERT_TRUE(db_->Get(leveldb::ReadOptions(), key, &value).ok());
  Digest node = *reference_.PerfectSubtree(1, 2);  // leaves 4 and 5
  EXPECT_EQ(value, std::string(AsStringView(node.view())));
  ASSERT_TRUE(db_->Get(leveldb::ReadOptions(), std::string(kPrefix) + "size", &value).ok());
  EXPECT_EQ(value, std::string("\0\0\0\0\0\0\0\x06", 8));
}

// A proof against any past size reads O(log n) nodes: at most 2·ceil(log2 n) + 2,
// for sizes up to 100000 — never a rebuild.
TEST_F(MerkleLogTest, ProofAgainstPastSizeNeedsLogarithmicReads) {
  OpenLog();
  AppendUpTo(100000, 5000);
  std::mt19937_64 random(20240601);
  const uint64_t sizes[] = {1, 2, 3, 5, 64, 65, 127, 1000, 4097, 65535, 65536, 65537, 99999, 100000};
  auto bound = [](uint64_t n) { return 2 * static_cast<uint64_t>(std::bit_width(n - 1)) + 2; };
  uint64_t worst = 0;
  for (uint64_t n : sizes) {
    for (int trial = 0; trial < 50; ++trial) {
      const uint64_t index = trial == 0 ? n - 1 : random() % n;
      uint64_t before = log_->node_reads();
      auto proof = log_->InclusionProof(index, n);
      ASSERT_TRUE(proof.ok());
      uint64_t reads = log_->node_reads() - before;
      worst = std::max(worst, reads);
      EXPECT_LE(reads, bound(n)) << "inclusion " << index << " in " << n;
      ASSERT_TRUE(crypto::VerifyMerkleInclusion(index, n, Leaf(index), *proof,
                                                *crypto::MerkleRoot(reference_, n))
                      .ok());

      const uint64_t old_size = trial == 0 ? 1 : 1 + random() % n;
      before = log_->node_reads();
      auto consistency = log_->ConsistencyProof(old_size, n);
      ASSERT_TRUE(consistency.ok());
      reads = log_->node_reads() - before;
      worst = std::max(worst, reads);
      EXPECT_LE(reads, bound(n)) << "consistency " << old_size << " -> " << n;

      before = log_->node_reads();
      ASSERT_EQ(*log_->Root(n), *crypto::MerkleRoot(reference_, n));
      EXPECT_LE(log_->node_reads() - before, static_cast<uint64_t>(std::bit_width(n)));
    }
  }
  std::printf("worst reads for one proof at sizes up to 100000: %llu (bound %llu)\n",
              static_cast<unsigned long long>(worst), static_cast<unsigned long long>(bound(100000)));
}

// A stored node whose bytes were changed makes proofs through it fail
// verification against the root the log had before.
TEST_F(MerkleLogTest, AlteredNodeFailsProofVerification) {
  OpenLog();
  AppendUpTo(100, 100);
  const Digest root = *log_->Root(100);
  Digest forged = Leaf(999);
  ASSERT_TRUE(db_->Put(leveldb::WriteOptions(), MerkleLog::NodeKey(kPrefix, 0, 3),
                       std::string(AsStringView(forged.view())))
                  .ok());
  Reopen();
  auto proof = log_->InclusionProof(2, 100);  // leaf 3 is leaf 2's sibling
  ASSERT_TRUE(proof.ok());
  Status verified = crypto::VerifyMerkleInclusion(2, 100, Leaf(2), *proof, root);
  EXPECT_FALSE(verified.ok());
}

// A stored node that is not 32 bytes is Corruption naming its level and index.
TEST_F(MerkleLogTest, TruncatedNodeIsCorruptionNamingIt) {
  OpenLog();
  AppendUpTo(100, 100);
  ASSERT_TRUE(db_->Put(leveldb::WriteOptions(), MerkleLog::NodeKey(kPrefix, 1, 4), "short").ok());
  Reopen();
  auto proof = log_->InclusionProof(10, 100);  // needs node (1, 4): leaves 8-9
  ASSERT_FALSE(proof.ok());
  EXPECT_EQ(proof.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(proof.status().message().find("level 1 index 4"), std::string::npos)
      << proof.status().message();
}

// A missing frontier node or a malformed size stops Open with Corruption naming it.
TEST_F(MerkleLogTest, OpenDetectsMissingFrontierAndBadSize) {
  OpenLog();
  AppendUpTo(100, 100);  // 100 = 64 + 32 + 4: frontier (6,0), (5,2), (2,24)
  log_.reset();
  ASSERT_TRUE(db_->Delete(leveldb::WriteOptions(), MerkleLog::NodeKey(kPrefix, 5, 2)).ok());
  auto opened = MerkleLog::Open(db_.get(), kPrefix);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(opened.status().message().find("level 5 index 2"), std::string::npos)
      << opened.status().message();

  ASSERT_TRUE(db_->Put(leveldb::WriteOptions(), MerkleLog::SizeKey(kPrefix), "1234567").ok());
  opened = MerkleLog::Open(db_.get(), kPrefix);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(opened.status().message().find("size"), std::string::npos);
}

// Bad arguments are refused with errors naming them, and change nothing.
TEST_F(MerkleLogTest, BadArgumentsAreRefused) {
  EXPECT_EQ(MerkleLog::Open(nullptr, kPrefix).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(MerkleLog::Open(db_.get(), "").status().code(), ErrorCode::kInvalidArgument);
  MerkleLogOptions options;
  options.append_leaves_max = 4;
  OpenLog(options);
  std::vector<Digest> leaves = {Leaf(0), Leaf(1), Leaf(2), Leaf(3), Leaf(4)};
  leveldb::WriteBatch batch;
  auto staged = log_->StageAppend(leaves, &batch);
  ASSERT_FALSE(staged.ok());
  EXPECT_NE(staged.status().message().find("append_leaves_max"), std::string::npos);
  EXPECT_EQ(Operations(batch), 0u);
  EXPECT_FALSE(log_->has_staged());
  EXPECT_EQ(log_->StageAppend(leaves, nullptr).status().code(), ErrorCode::kInvalidArgument);
}

// Two logs under different prefixes in one database do not disturb each other.
TEST_F(MerkleLogTest, LogsUnderDifferentPrefixesAreIndependent) {
  OpenLog();
  AppendUpTo(20, 20);
  auto other = MerkleLog::Open(db_.get(), "m/out/");
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->size(), 0u);
  std::vector<Digest> leaves = {Leaf(500)};
  leveldb::WriteBatch batch;
  ASSERT_TRUE((*other)->StageAppend(leaves, &batch).ok());
  ASSERT_TRUE(db_->Write(leveldb::WriteOptions(), &batch).ok());
  (*other)->CommitStaged();
  Reopen();
  EXPECT_EQ(log_->size(), 20u);
  EXPECT_EQ(*log_->Root(20), *reference_.Root());
  auto reopened_other = MerkleLog::Open(db_.get(), "m/out/");
  ASSERT_TRUE(reopened_other.ok());
  EXPECT_EQ(*(*reopened_other)->Root(1), Leaf(500));
}

}  // namespace
}  // namespace shulian::ledger
