// Tests of LevelDbRaftStorage::CompactWithSnapshot, the node's log compaction,
// against a real LevelDB in a temporary directory.
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "node/catchup.h"
#include "node/raft_storage.h"

namespace shulian::node {
namespace {

using consensus::ConfState;
using consensus::Entry;
using consensus::EntryType;
using consensus::HardState;
using consensus::Index;

class RaftCompactionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "shulian-raft-compaction-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ASSERT_TRUE(Reopen().ok());
  }
  void TearDown() override {
    storage_.reset();
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  Status Reopen() {
    storage_.reset();
    db_.reset();
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    leveldb::Status s = leveldb::DB::Open(options, (dir_ / "db").string(), &db);
    if (!s.ok()) return Status::IoError(s.ToString());
    db_.reset(db);
    ASSIGN_OR_RETURN(storage_, LevelDbRaftStorage::Open(db_.get()));
    return Status::Ok();
  }

  // Entries 1..last at term 1 (entry i of term 2 from `term2_from` on), committed to `last`.
  void Fill(Index last, Index term2_from = 0) {
    std::vector<Entry> entries;
    for (Index i = 1; i <= last; ++i) {
      const uint64_t term = term2_from != 0 && i >= term2_from ? 2 : 1;
      entries.push_back(Entry{term, i, EntryType::kNormal, ToBytes("block-" + std::to_string(i))});
    }
    HardState hs{2, 1, last};
    ASSERT_TRUE(storage_->Save(&hs, entries, nullptr, true).ok());
  }

  std::filesystem::path dir_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<LevelDbRaftStorage> storage_;
};

// Proves compaction records the snapshot and drops the entries in one write that survives a reopen,
// keeping the compaction point's term readable and the entries after it.
TEST_F(RaftCompactionTest, SnapshotAndCompactionLandTogetherAndSurviveReopen) {
  Fill(30, 20);
  const ConfState conf{{1, 2, 3}, {}, {}};
  LedgerSnapshotData data{17, {}};
  data.head_hash.bytes[0] = 0xab;
  Result<consensus::Snapshot> snap = storage_->CompactWithSnapshot(20, 25, conf, EncodeLedgerSnapshotData(data), false);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->metadata.term, 2u);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->FirstIndex().value(), 21u);
  EXPECT_EQ(storage_->LastIndex().value(), 30u);
  EXPECT_EQ(storage_->entry_count(), 10u);
  EXPECT_EQ(storage_->TermAt(20).value(), 2u);
  EXPECT_TRUE(consensus::IsCompacted(storage_->TermAt(19).status()));
  consensus::Snapshot stored = storage_->GetSnapshot().value();
  EXPECT_EQ(stored.metadata.index, 20u);
  EXPECT_EQ(stored.metadata.conf_state, conf);
  EXPECT_EQ(DecodeLedgerSnapshotData(stored.data).value(), data);
  ASSERT_EQ(storage_->Entries(21, 31, UINT64_MAX).value().size(), 10u);
}

// Proves compaction past the applied index, past the last index, at or below the snapshot, or with
// oversized data is refused naming the problem and writes nothing.
TEST_F(RaftCompactionTest, BadCompactionIsRefusedAndChangesNothing) {
  Fill(30);
  const ConfState conf{{1}, {}, {}};
  Result<consensus::Snapshot> past_applied = storage_->CompactWithSnapshot(20, 19, conf, {}, false);
  ASSERT_FALSE(past_applied.ok());
  EXPECT_NE(past_applied.status().message().find("applied index"), std::string::npos);
  EXPECT_EQ(storage_->CompactWithSnapshot(31, 40, conf, {}, false).status().code(), ErrorCode::kOutOfRange);
  ASSERT_TRUE(storage_->CompactWithSnapshot(10, 30, conf, {}, false).ok());
  EXPECT_EQ(storage_->CompactWithSnapshot(10, 30, conf, {}, false).status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(storage_->CompactWithSnapshot(5, 30, conf, {}, false).status().code(), ErrorCode::kFailedPrecondition);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->FirstIndex().value(), 11u);
  EXPECT_EQ(storage_->GetSnapshot().value().metadata.index, 10u);
}

// Proves repeated compaction keeps the log bounded by the policy while entries keep arriving.
TEST_F(RaftCompactionTest, LogStaysBoundedUnderThePolicy) {
  CompactionLimits limits;
  limits.retain_entries = 8;
  limits.compact_entries_min = 4;
  const ConfState conf{{1}, {}, {}};
  uint64_t compactions = 0;
  for (Index i = 1; i <= 200; ++i) {
    HardState hs{1, 1, i};
    ASSERT_TRUE(storage_->Save(&hs, {Entry{1, i, EntryType::kNormal, ToBytes("e")}}, nullptr, false).ok());
    std::optional<Index> target = CompactionTarget(i, storage_->FirstIndex().value(), limits);
    if (target) {
      ASSERT_TRUE(storage_->CompactWithSnapshot(*target, i, conf, {}, false).ok());
      ++compactions;
    }
    ASSERT_LE(storage_->entry_count(), limits.retain_entries + limits.compact_entries_min);
  }
  EXPECT_GE(compactions, 200u / limits.compact_entries_min - 3);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_LE(storage_->entry_count(), limits.retain_entries + limits.compact_entries_min);
  EXPECT_EQ(storage_->LastIndex().value(), 200u);
}

}  // namespace
}  // namespace shulian::node
