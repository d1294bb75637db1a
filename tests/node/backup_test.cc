// node/backup.h on a real LevelDB: the bytes limit, the out folder's rules and
// the manifest's strict parsing.
#include "node/backup.h"

#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>

#include "ledger/store.h"

namespace shulian::node {
namespace {

namespace fs = std::filesystem;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("shulian-backup-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    identity_.network_id = "net";
    identity_.genesis_hash.bytes.fill(7);
    identity_.node_id = 1;
    leveldb::Options options;
    options.create_if_missing = true;
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(leveldb::DB::Open(options, (dir_ / "db").string(), &raw).ok());
    db_.reset(raw);
    const std::string genesis(identity_.genesis_hash.bytes.begin(), identity_.genesis_hash.bytes.end());
    ASSERT_TRUE(db_->Put({}, std::string(ledger::kMetaGenesisKey), genesis).ok());
    ASSERT_TRUE(db_->Put({}, std::string(ledger::kMetaHeadKey), genesis).ok());
    for (int i = 0; i < 40; ++i)
      ASSERT_TRUE(db_->Put({}, "x/" + std::to_string(i), std::string(64 << 10, 'v')).ok());
  }
  void TearDown() override {
    db_.reset();
    fs::remove_all(dir_);
  }

  fs::path dir_;
  BackupIdentity identity_;
  std::unique_ptr<leveldb::DB> db_;
  std::atomic<bool> stop_{false};
};

TEST_F(BackupTest, ABackupBeyondBackupBytesMaxIsRefusedAndLeavesNoFolder) {
  const fs::path out = dir_ / "too-big";
  Result<BackupManifest> written = WriteBackup(db_.get(), identity_, out, 1u << 20, stop_);
  ASSERT_EQ(written.status().code(), ErrorCode::kResourceExhausted) << written.status().ToString();
  EXPECT_NE(written.status().message().find("backup_bytes_max"), std::string::npos);
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(BackupTest, AWholeBackupVerifiesAndARelativeOrExistingOutIsRefused) {
  const fs::path out = dir_ / "whole";
  Result<BackupManifest> written = WriteBackup(db_.get(), identity_, out, 1u << 30, stop_);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_GE(written->key_value_bytes, 40u * (64u << 10));
  Result<BackupManifest> verified = VerifyBackup(out, identity_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->files.size(), written->files.size());
  EXPECT_EQ(WriteBackup(db_.get(), identity_, out, 1u << 30, stop_).status().code(),
            ErrorCode::kAlreadyExists);
  EXPECT_EQ(WriteBackup(db_.get(), identity_, "relative/out", 1u << 30, stop_).status().code(),
            ErrorCode::kInvalidArgument);
  EXPECT_EQ(WriteBackup(db_.get(), identity_, dir_ / "no-parent" / "out", 1u << 30, stop_).status().code(),
            ErrorCode::kInvalidArgument);
}

TEST_F(BackupTest, AStoppingNodeAbandonsTheBackupAndRemovesTheFolder) {
  stop_ = true;
  const fs::path out = dir_ / "stopped";
  EXPECT_EQ(WriteBackup(db_.get(), identity_, out, 1u << 30, stop_).status().code(), ErrorCode::kUnavailable);
  EXPECT_FALSE(fs::exists(out));
}

TEST_F(BackupTest, TheManifestRoundTripsAndRefusesPathsOutsideDbAndUnknownFields) {
  BackupManifest m;
  m.identity = identity_;
  m.height = 3;
  m.files.push_back({"db/CURRENT", 16, {}});
  Result<BackupManifest> again = ParseBackupManifest(BackupManifestToJson(m));
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ(again->height, 3u);
  EXPECT_EQ(again->files.at(0).path, "db/CURRENT");
  for (const char* bad : {"db/../x", "../db/CURRENT", "db/a/b", "db/", "CURRENT"}) {
    nlohmann::json j = BackupManifestToJson(m);
    j["files"][0]["path"] = bad;
    Result<BackupManifest> parsed = ParseBackupManifest(j);
    EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument) << bad;
    EXPECT_NE(parsed.status().message().find("files[0].path"), std::string::npos)
        << parsed.status().message();
  }
  nlohmann::json unknown = BackupManifestToJson(m);
  unknown["extra"] = 1;
  EXPECT_NE(ParseBackupManifest(unknown).status().message().find("extra: unknown field"), std::string::npos);
  nlohmann::json version = BackupManifestToJson(m);
  version["format_version"] = 2;
  EXPECT_NE(ParseBackupManifest(version).status().message().find("format_version"), std::string::npos);
}

}  // namespace
}  // namespace shulian::node
