#include "ledger/state_store.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace shulian::ledger {
namespace {

class StateStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/state_store_test.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* db = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, dir_ + "/db", &db).ok());
    db_.reset(db);
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }

  void Flush(StateStore& store) {
    leveldb::WriteBatch batch;
    store.MoveToBatch(&batch);
    leveldb::WriteOptions sync;
    sync.sync = true;
    ASSERT_TRUE(db_->Write(sync, &batch).ok());
  }

  std::vector<std::string> ScanKeys(const StateStore& store, std::string_view prefix,
                                    std::string_view after = "", size_t limit = 100) {
    std::vector<std::string> keys;
    Status s = store.Scan(prefix, after, limit, [&](std::string_view k, std::string_view) {
      keys.emplace_back(k);
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.ToString();
    return keys;
  }

  std::string dir_;
  std::unique_ptr<leveldb::DB> db_;
};

TEST_F(StateStoreTest, PendingWritesAreReadBeforeTheDatabase) {
  // Proves reads inside a block see the block's own earlier writes and deletes.
  StateStore store(db_.get(), "s/");
  store.Put("a", "1");
  Flush(store);
  EXPECT_EQ(*store.Get("a"), "1");
  store.Put("a", "2");
  EXPECT_EQ(*store.Get("a"), "2");
  store.Delete("a");
  EXPECT_EQ(store.Get("a").status().code(), ErrorCode::kNotFound);
  store.DiscardPending();
  EXPECT_EQ(*store.Get("a"), "1");
}

TEST_F(StateStoreTest, RolledBackSavepointChangesNothing) {
  // Proves a rejected transaction's writes vanish while an accepted one's stay.
  StateStore store(db_.get(), "s/");
  store.Put("x", "base");
  store.BeginSavepoint();
  store.Put("x", "accepted");
  store.Put("y", "accepted");
  store.CommitSavepoint();
  store.BeginSavepoint();
  store.Put("x", "rejected");
  store.Delete("y");
  store.Put("z", "rejected");
  store.RollbackSavepoint();
  EXPECT_EQ(*store.Get("x"), "accepted");
  EXPECT_EQ(*store.Get("y"), "accepted");
  EXPECT_FALSE(store.Contains("z"));
}

TEST_F(StateStoreTest, NestedSavepointRollsBackCommittedInnerWrites) {
  // Proves an outer rollback also undoes writes of inner savepoints that committed.
  StateStore store(db_.get(), "s/");
  store.BeginSavepoint();
  store.BeginSavepoint();
  store.Put("k", "inner");
  store.CommitSavepoint();
  store.RollbackSavepoint();
  EXPECT_FALSE(store.Contains("k"));
  EXPECT_EQ(store.pending_writes(), 0u);
}

TEST_F(StateStoreTest, ScanMergesPendingAndStoredInKeyOrder) {
  // Proves index scans see one ordered view of stored and pending keys.
  StateStore store(db_.get(), "s/");
  store.Put("i/a", "");
  store.Put("i/c", "");
  store.Put("i/e", "");
  store.Put("j/a", "");
  Flush(store);
  store.Put("i/b", "");
  store.Put("i/d", "");
  store.Delete("i/c");
  EXPECT_EQ(ScanKeys(store, "i/"), (std::vector<std::string>{"i/a", "i/b", "i/d", "i/e"}));
  EXPECT_EQ(ScanKeys(store, "i/", "i/b"), (std::vector<std::string>{"i/d", "i/e"}));
  EXPECT_EQ(ScanKeys(store, "i/", "", 2), (std::vector<std::string>{"i/a", "i/b"}));
  EXPECT_EQ(ScanKeys(store, "i/", "a", 2), (std::vector<std::string>{"i/a", "i/b"}));
}

TEST_F(StateStoreTest, ScanNeverLeavesItsPrefixOrTheStoresPrefix) {
  // Proves keys of other owners in the same database are invisible to the state.
  leveldb::WriteOptions sync;
  sync.sync = true;
  ASSERT_TRUE(db_->Put(sync, "b/00000001", "block").ok());
  ASSERT_TRUE(db_->Put(sync, "t/i/zz", "other").ok());
  StateStore store(db_.get(), "s/");
  store.Put("i/a", "");
  Flush(store);
  EXPECT_EQ(ScanKeys(store, "i/"), (std::vector<std::string>{"i/a"}));
  EXPECT_FALSE(store.Contains("00000001"));
}

TEST_F(StateStoreTest, DigestDependsOnlyOnCommittedContent) {
  // Proves two stores given the same writes in different orders agree on the digest.
  StateStore first(db_.get(), "s/");
  first.Put("b", "2");
  first.Put("a", "1");
  Flush(first);
  StateStore second(db_.get(), "t/");
  second.Put("a", "1");
  second.Put("b", "2");
  Flush(second);
  EXPECT_EQ(*first.Digest(), *second.Digest());
  first.Put("a", "changed");
  Flush(first);
  EXPECT_NE(*first.Digest(), *second.Digest());
}

}  // namespace
}  // namespace shulian::ledger
