// Tests of LevelDbRaftStorage against a real LevelDB in a temporary directory.
#include "node/raft_storage.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

namespace shulian::node {
namespace {

using consensus::ConfState;
using consensus::Entry;
using consensus::EntryType;
using consensus::HardState;
using consensus::Index;
using consensus::Snapshot;
using consensus::Term;

class RaftStorageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / "shulian-raft-storage-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    OpenDb();
  }
  void TearDown() override {
    storage_.reset();
    db_.reset();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void OpenDb() {
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, (dir_ / "db").string(), &db).ok());
    db_.reset(db);
  }

  // Closes and reopens the database, then opens the storage on it.
  Status Reopen() {
    storage_.reset();
    db_.reset();
    OpenDb();
    Result<std::unique_ptr<LevelDbRaftStorage>> opened = LevelDbRaftStorage::Open(db_.get(), options_);
    if (!opened.ok()) return opened.status();
    storage_ = std::move(opened).value();
    return Status::Ok();
  }

  void Put(const std::string& key, const Bytes& value) {
    leveldb::WriteBatch batch;
    batch.Put(key, leveldb::Slice(reinterpret_cast<const char*>(value.data()), value.size()));
    ASSERT_TRUE(db_->Write(leveldb::WriteOptions(), &batch).ok());
  }

  static Entry MakeEntry(Index index, Term term) {
    return Entry{term, index, EntryType::kNormal, ToBytes("entry-" + std::to_string(index) + "-t" + std::to_string(term))};
  }
  static std::vector<Entry> MakeEntries(Index lo, Index hi, Term term) {
    std::vector<Entry> out;
    for (Index i = lo; i <= hi; ++i) out.push_back(MakeEntry(i, term));
    return out;
  }

  std::vector<Entry> All() {
    Result<std::vector<Entry>> got =
        storage_->Entries(storage_->FirstIndex().value(), storage_->LastIndex().value() + 1, UINT64_MAX);
    EXPECT_TRUE(got.ok()) << got.status().ToString();
    return got.ok() ? *got : std::vector<Entry>{};
  }

  std::filesystem::path dir_;
  RaftStorageOptions options_;
  std::unique_ptr<leveldb::DB> db_;
  std::unique_ptr<LevelDbRaftStorage> storage_;
};

TEST_F(RaftStorageTest, EmptyDatabaseOpensAsEmptyLog) {
  // A fresh database is an empty log starting at index 1 with no hard state.
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->FirstIndex().value(), 1u);
  EXPECT_EQ(storage_->LastIndex().value(), 0u);
  EXPECT_EQ(storage_->TermAt(0).value(), 0u);
  EXPECT_TRUE(storage_->InitialState().value().hard_state.IsEmpty());
  EXPECT_TRUE(storage_->GetSnapshot().value().IsEmpty());
}

TEST_F(RaftStorageTest, EntriesAndHardStateRoundTripThroughReopen) {
  // What Save wrote (entries and hard state) reads back identically after reopening.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{3, 2, 4};
  std::vector<Entry> entries = MakeEntries(1, 5, 3);
  entries[2].type = EntryType::kConfChange;
  ASSERT_TRUE(storage_->Save(&hs, entries, nullptr, true).ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->InitialState().value().hard_state, hs);
  EXPECT_EQ(All(), entries);
  EXPECT_EQ(storage_->TermAt(5).value(), 3u);
  EXPECT_TRUE(consensus::IsUnavailable(storage_->TermAt(6).status()));
  EXPECT_TRUE(consensus::IsUnavailable(storage_->Entries(1, 7, UINT64_MAX).status()));
}

TEST_F(RaftStorageTest, EntriesHonoursByteLimitButReturnsAtLeastOne) {
  // Entries stops before max_bytes is exceeded yet never returns nothing for a non-empty range.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 10, 1), nullptr, false).ok());
  uint64_t one = MakeEntry(1, 1).SizeBytes();
  EXPECT_EQ(storage_->Entries(1, 11, 1).value().size(), 1u);
  EXPECT_EQ(storage_->Entries(1, 11, one * 3).value().size(), 3u);
}

TEST_F(RaftStorageTest, ConflictingSuffixIsTruncated) {
  // Appending from index 4 at a new term replaces 4..10 and drops the old tail, durably.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 2};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 10, 1), nullptr, true).ok());
  HardState hs2{2, 2, 3};
  ASSERT_TRUE(storage_->Save(&hs2, MakeEntries(4, 6, 2), nullptr, true).ok());
  std::vector<Entry> expected = MakeEntries(1, 3, 1);
  for (const Entry& e : MakeEntries(4, 6, 2)) expected.push_back(e);
  EXPECT_EQ(All(), expected);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->LastIndex().value(), 6u);
  EXPECT_EQ(All(), expected);
}

TEST_F(RaftStorageTest, ReadsPastTheCacheComeFromLevelDb) {
  // With a two-entry cache, older entries are still served (from LevelDB) and truncation keeps both consistent.
  options_.cache_entries_max = 2;
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 8, 1), nullptr, false).ok());
  ASSERT_TRUE(storage_->Save(nullptr, MakeEntries(3, 4, 2), nullptr, false).ok());
  hs.term = 2;
  ASSERT_TRUE(storage_->Save(&hs, {}, nullptr, false).ok());
  std::vector<Entry> expected = MakeEntries(1, 2, 1);
  for (const Entry& e : MakeEntries(3, 4, 2)) expected.push_back(e);
  EXPECT_EQ(All(), expected);
  EXPECT_EQ(storage_->TermAt(2).value(), 1u);
}

TEST_F(RaftStorageTest, BadSaveIsRefusedAndChangesNothing) {
  // A gap, non-contiguous entries or a commit past the log are refused with the field named.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 3, 1), nullptr, true).ok());
  Status gap = storage_->Save(nullptr, MakeEntries(5, 6, 1), nullptr, true);
  EXPECT_EQ(gap.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(gap.message().find("gap"), std::string::npos);
  std::vector<Entry> holes = {MakeEntry(4, 1), MakeEntry(6, 1)};
  EXPECT_EQ(storage_->Save(nullptr, holes, nullptr, true).code(), ErrorCode::kInvalidArgument);
  HardState too_far{1, 1, 9};
  Status commit = storage_->Save(&too_far, {}, nullptr, true);
  EXPECT_NE(commit.message().find("hard_state.commit"), std::string::npos);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(All(), MakeEntries(1, 3, 1));
  EXPECT_EQ(storage_->hard_state(), hs);
}

TEST_F(RaftStorageTest, SnapshotInstallReplacesLogAndSurvivesReopen) {
  // Installing a snapshot discards the old log, raises commit, resets membership, and is what a reopen sees.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 2};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 5, 1), nullptr, true).ok());
  ASSERT_TRUE(storage_->SaveConfState(ConfState{{1, 2}, {}, {}}, true).ok());
  Snapshot snap;
  snap.metadata = {20, 4, ConfState{{1, 2, 3}, {7}, {5}}};
  snap.data = ToBytes("application state at 20");
  HardState hs2{4, 0, 2};
  ASSERT_TRUE(storage_->Save(&hs2, MakeEntries(21, 22, 4), &snap, true).ok());
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->GetSnapshot().value(), snap);
  EXPECT_EQ(storage_->FirstIndex().value(), 21u);
  EXPECT_EQ(storage_->LastIndex().value(), 22u);
  EXPECT_EQ(storage_->TermAt(20).value(), 4u);
  EXPECT_TRUE(consensus::IsCompacted(storage_->TermAt(19).status()));
  EXPECT_TRUE(consensus::IsCompacted(storage_->Entries(20, 21, UINT64_MAX).status()));
  consensus::StoredState state = storage_->InitialState().value();
  EXPECT_EQ(state.hard_state.commit, 20u);
  EXPECT_EQ(state.conf_state, snap.metadata.conf_state);
  EXPECT_EQ(All(), MakeEntries(21, 22, 4));
  std::string stale;
  EXPECT_TRUE(db_->Get(leveldb::ReadOptions(), LevelDbRaftStorage::EntryKey(3), &stale).IsNotFound());
  // An older snapshot is refused.
  Snapshot old = snap;
  old.metadata.index = 10;
  EXPECT_EQ(storage_->Save(nullptr, {}, &old, true).code(), ErrorCode::kInvalidArgument);
}

TEST_F(RaftStorageTest, CompactionKeepsTermOfCompactionPoint) {
  // Compact drops the prefix, keeps the term of the last compacted entry, and persists both.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{2, 1, 8};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 10, 2), nullptr, true).ok());
  Result<Snapshot> snap = storage_->CreateSnapshot(6, ConfState{{1}, {}, {}}, ToBytes("s6"), true);
  ASSERT_TRUE(snap.ok()) << snap.status().ToString();
  EXPECT_EQ(snap->metadata.term, 2u);
  ASSERT_TRUE(storage_->Compact(6, true).ok());
  EXPECT_EQ(storage_->Compact(11, true).code(), ErrorCode::kOutOfRange);
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(storage_->FirstIndex().value(), 7u);
  EXPECT_EQ(storage_->TermAt(6).value(), 2u);
  EXPECT_TRUE(consensus::IsCompacted(storage_->TermAt(5).status()));
  EXPECT_EQ(All(), MakeEntries(7, 10, 2));
  EXPECT_EQ(storage_->GetSnapshot().value().metadata.index, 6u);
  EXPECT_EQ(storage_->InitialState().value().conf_state, (ConfState{{1}, {}, {}}));
}

TEST_F(RaftStorageTest, MissingEntryIsReportedAsCorruption) {
  // A hole in the persisted log makes Open fail with Corruption naming the missing index.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 2};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 5, 1), nullptr, true).ok());
  ASSERT_TRUE(db_->Delete(leveldb::WriteOptions(), LevelDbRaftStorage::EntryKey(3)).ok());
  Status s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("expected entry 3"), std::string::npos) << s.ToString();
}

TEST_F(RaftStorageTest, EntryUnderWrongKeyIsReportedAsCorruption) {
  // An entry whose encoded index differs from its key is corruption.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 3, 1), nullptr, true).ok());
  Put(LevelDbRaftStorage::EntryKey(2), consensus::EncodeEntry(MakeEntry(7, 1)));
  Status s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("says index 7"), std::string::npos) << s.ToString();
}

TEST_F(RaftStorageTest, GarbledRecordsAreReportedAsCorruption) {
  // Undecodable entry, hard state and snapshot records each fail Open with Corruption naming the record.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 3, 1), nullptr, true).ok());
  Put(LevelDbRaftStorage::EntryKey(2), ToBytes("junk"));
  Status s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("entry 2"), std::string::npos) << s.ToString();
  Put(LevelDbRaftStorage::EntryKey(2), consensus::EncodeEntry(MakeEntry(2, 1)));
  Put(LevelDbRaftStorage::kHardStateKey, ToBytes("short"));
  s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("hard state"), std::string::npos) << s.ToString();
  Put(LevelDbRaftStorage::kHardStateKey, consensus::EncodeHardState(hs));
  Put(LevelDbRaftStorage::kSnapshotKey, ToBytes("bad snapshot"));
  s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("snapshot"), std::string::npos) << s.ToString();
}

TEST_F(RaftStorageTest, CommitPastLastIndexIsReportedAsCorruption) {
  // A hard state committing beyond the stored log is corruption, not silently accepted.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{1, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 3, 1), nullptr, true).ok());
  Put(LevelDbRaftStorage::kHardStateKey, consensus::EncodeHardState(HardState{1, 1, 9}));
  Status s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("commit 9"), std::string::npos) << s.ToString();
}

TEST_F(RaftStorageTest, DecreasingTermsAreReportedAsCorruption) {
  // A log whose terms go down is corruption.
  ASSERT_TRUE(Reopen().ok());
  HardState hs{3, 1, 0};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 3, 3), nullptr, true).ok());
  Put(LevelDbRaftStorage::EntryKey(3), consensus::EncodeEntry(MakeEntry(3, 2)));
  Status s = Reopen();
  EXPECT_EQ(s.code(), ErrorCode::kCorruption);
  EXPECT_NE(s.message().find("below the previous term"), std::string::npos) << s.ToString();
}

TEST_F(RaftStorageTest, KeysStayUnderRaftPrefix) {
  // Every record the storage writes lives under "r/", leaving the rest of the shared DB to the ledger.
  ASSERT_TRUE(Reopen().ok());
  Put("l/ledger-key", ToBytes("ledger value"));
  HardState hs{1, 1, 1};
  ASSERT_TRUE(storage_->Save(&hs, MakeEntries(1, 4, 1), nullptr, true).ok());
  ASSERT_TRUE(storage_->SaveConfState(ConfState{{1}, {}, {}}, true).ok());
  ASSERT_TRUE(storage_->CreateSnapshot(1, std::nullopt, ToBytes("s"), true).ok());
  ASSERT_TRUE(storage_->Compact(1, true).ok());
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  int ours = 0;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    std::string key = it->key().ToString();
    if (key == "l/ledger-key") continue;
    EXPECT_EQ(key.rfind("r/", 0), 0u) << key;
    ++ours;
  }
  EXPECT_GT(ours, 0);
  it.reset();
  ASSERT_TRUE(Reopen().ok());
  EXPECT_EQ(All(), MakeEntries(2, 4, 1));
}

TEST(RaftStorageOptionsTest, ZeroLimitsAreRefused) {
  // Each limit is validated and the error names the field.
  RaftStorageOptions options;
  options.cache_entries_max = 0;
  Status s = options.Validate();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("cache_entries_max"), std::string::npos);
  EXPECT_EQ(LevelDbRaftStorage::Open(nullptr).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace shulian::node
