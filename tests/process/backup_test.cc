// Backup and restore on real shulian-node processes (docs/node.md "Backup and
// restore"): POST /v1/admin/backup on a running node under load, then
// `shulian-node restore` into a wiped data folder, and the refusals of damaged
// or foreign backups.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "crypto/sha256.h"
#include "ledger/genesis.h"
#include "tests/process/network.h"

namespace shulian::process_test {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

constexpr int kLeaderTimeoutMs = 15'000;
constexpr int kAgreementTimeoutMs = 60'000;
constexpr int kRestoreTimeoutMs = 60'000;
constexpr int kExitRestoreRefused = 3;

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every file under `dir` with its SHA-256: equal fingerprints mean nothing changed.
std::map<std::string, std::string> Fingerprint(const fs::path& dir) {
  std::map<std::string, std::string> files;
  for (const fs::directory_entry& e : fs::recursive_directory_iterator(dir)) {
    const std::string name = fs::relative(e.path(), dir).string();
    files[name] = e.is_regular_file() ? crypto::Sha256(AsBytes(ReadAll(e.path()))).ToHex() : "dir";
  }
  return files;
}

RunResult Restore(const TestNetwork& net, uint64_t id, const fs::path& from, bool move_aside = false) {
  std::vector<std::string> args = {"restore", "--config", net.ConfigPath(id).string(), "--from",
                                   from.string()};
  if (move_aside) args.push_back("--move-aside");
  return RunNodeCommand(args, net.dir() / ("restore-" + std::to_string(id)), kRestoreTimeoutMs);
}

// The largest file of a backup's database (a table file once there is data).
fs::path LargestDbFile(const fs::path& backup) {
  fs::path largest;
  uintmax_t bytes = 0;
  for (const fs::directory_entry& e : fs::directory_iterator(backup / "db")) {
    if (e.file_size() > bytes) {
      bytes = e.file_size();
      largest = e.path();
    }
  }
  return largest;
}

void CommitSome(TestNetwork& net, uint64_t id, const std::string& prefix, int count) {
  for (int i = 0; i < count; ++i) {
    Result<nlohmann::json> answer =
        net.Client(id)->Submit(net.AssetTx(prefix + std::to_string(i)), true, 10'000);
    ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  }
}

TEST(ProcessBackupTest, ALeaderBackedUpUnderLoadKeepsItsTermAndOnceWipedAndRestoredCatchesUpLosingNothing) {
  // Proves a backup of the running leader while writes arrive causes no election
  // (same leader, same term before and after), that the node, stopped, wiped and
  // restored from it, rejoins, leaves its vote fence once caught up, and that
  // every write acknowledged before, during and after is on every node with equal heads.
  TestNetwork net(3);
  AddOperator(net);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);

  AcknowledgedWriter writer(net, "backup");
  std::this_thread::sleep_for(1s);

  const fs::path backup = net.dir() / "backup-of-leader";
  Result<nlohmann::json> refused = net.Client(leader, "tz.prov")->Backup(backup.string());
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_FALSE(fs::exists(backup));
  const uint64_t term_before = (*net.StatusOf(leader))["term"].get<uint64_t>();
  Result<nlohmann::json> manifest = net.Client(leader, kOperator)->Backup(backup.string());
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  std::this_thread::sleep_for(1s);  // writes continue after the backup
  nlohmann::json after = *net.StatusOf(leader);
  EXPECT_EQ(after["term"].get<uint64_t>(), term_before) << "the backup caused an election";
  EXPECT_EQ(after["leader_id"].get<uint64_t>(), leader);
  EXPECT_EQ((*manifest)["node_id"], leader);
  EXPECT_GT((*manifest)["height"].get<uint64_t>(), 0u);
  EXPECT_TRUE(fs::exists(backup / "MANIFEST.json"));
  Result<nlohmann::json> again = net.Client(leader, kOperator)->Backup(backup.string());
  EXPECT_EQ(again.status().code(), ErrorCode::kAlreadyExists) << again.status().ToString();

  // The restored node's old database is gone for good.
  EXPECT_EQ(net.Terminate(leader), 0);
  fs::remove_all(net.config(leader).data_dir);
  std::this_thread::sleep_for(1s);  // the two others elect a leader and take more writes
  const RunResult restored = Restore(net, leader, backup);
  ASSERT_EQ(restored.exit_code, 0) << restored.stderr_text;
  EXPECT_NE(restored.stdout_text.find("restored node " + std::to_string(leader)), std::string::npos)
      << restored.stdout_text;
  net.Start(leader);
  std::this_thread::sleep_for(2s);
  writer.Stop();

  const std::optional<uint64_t> height =
      net.WaitForAgreement((*manifest)["height"].get<uint64_t>() + 1, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value());
  EXPECT_NE(ReadAll(net.LogPath(leader)).find("restored node caught up with the leader"), std::string::npos);
  ASSERT_GT(writer.acknowledged().size(), 3u);
  ExpectOnEveryNode(net, writer.acknowledged());
}

// One node's backup and its stopped data folder, shared by the refusal cases.
class ProcessBackupRefusalTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AddOperator(net_);
    net_.Start(1);
    ASSERT_EQ(net_.WaitForLeader(kLeaderTimeoutMs), 1u);
    CommitSome(net_, 1, "refusal-", 5);
    Result<nlohmann::json> manifest = net_.Client(1, kOperator)->Backup(backup_.string());
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    CommitSome(net_, 1, "after-", 2);
    ASSERT_EQ(net_.Terminate(1), 0);
    before_ = Fingerprint(net_.config(1).data_dir);
  }

  // A copy of the backup to damage.
  fs::path Copy(const std::string& name) {
    const fs::path copy = net_.dir() / name;
    fs::copy(backup_, copy, fs::copy_options::recursive);
    return copy;
  }

  // Restore (even with --move-aside) refuses `from` with exit 3 naming `named`,
  // and the data folder is as it was.
  void ExpectRefused(const fs::path& from, const std::string& named, uint64_t id = 1) {
    const RunResult run = Restore(net_, id, from, /*move_aside=*/true);
    EXPECT_EQ(run.exit_code, kExitRestoreRefused) << run.stderr_text;
    EXPECT_NE(run.stderr_text.find(named), std::string::npos)
        << "expected \"" << named << "\" in: " << run.stderr_text;
    EXPECT_EQ(Fingerprint(net_.config(1).data_dir), before_) << "the data folder changed";
  }

  TestNetwork net_{1};
  fs::path backup_ = net_.dir() / "backup";
  std::map<std::string, std::string> before_;
};

TEST_F(ProcessBackupRefusalTest, AFlippedByteIsRefusedNamingTheFile) {
  const fs::path copy = Copy("flipped");
  const fs::path file = LargestDbFile(copy);
  std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
  f.seekg(static_cast<std::streamoff>(fs::file_size(file) / 2));
  char c = 0;
  f.read(&c, 1);
  f.seekp(static_cast<std::streamoff>(fs::file_size(file) / 2));
  c = static_cast<char>(c ^ 0x01);
  f.write(&c, 1);
  f.close();
  ExpectRefused(copy, "db/" + file.filename().string() + ": SHA-256");
}

TEST_F(ProcessBackupRefusalTest, AMissingFileIsRefusedNamingIt) {
  const fs::path copy = Copy("missing");
  fs::remove(copy / "db" / "CURRENT");
  ExpectRefused(copy, "db/CURRENT: missing");
}

TEST_F(ProcessBackupRefusalTest, AnExtraFileIsRefusedNamingIt) {
  const fs::path copy = Copy("extra");
  std::ofstream(copy / "db" / "000999.ldb") << "not from the node";
  ExpectRefused(copy, "db/000999.ldb: extra file");
}

TEST_F(ProcessBackupRefusalTest, ATruncatedFileIsRefusedNamingItsSize) {
  const fs::path copy = Copy("truncated-file");
  const fs::path file = LargestDbFile(copy);
  fs::resize_file(file, fs::file_size(file) - 1);
  ExpectRefused(copy,
                "db/" + file.filename().string() + ": " + std::to_string(fs::file_size(file)) + " bytes");
}

TEST_F(ProcessBackupRefusalTest, ATruncatedManifestIsRefused) {
  const fs::path copy = Copy("truncated-manifest");
  fs::resize_file(copy / "MANIFEST.json", fs::file_size(copy / "MANIFEST.json") / 2);
  ExpectRefused(copy, "MANIFEST.json: not valid JSON");
}

TEST_F(ProcessBackupRefusalTest, AnUnfinishedBackupWithoutManifestIsRefused) {
  const fs::path copy = Copy("unfinished");
  fs::remove(copy / "MANIFEST.json");
  ExpectRefused(copy, "MANIFEST.json: missing");
}

TEST_F(ProcessBackupRefusalTest, AManifestOfAnotherNetworkIsRefusedNamingNetworkId) {
  const fs::path copy = Copy("other-network");
  nlohmann::json manifest = nlohmann::json::parse(ReadAll(copy / "MANIFEST.json"));
  manifest["network_id"] = "another-net";
  std::ofstream(copy / "MANIFEST.json", std::ios::trunc) << manifest.dump(2);
  ExpectRefused(copy, "network_id: the backup is of network \"another-net\"");
}

TEST_F(ProcessBackupRefusalTest, ABackupOfAnotherGenesisIsRefusedNamingGenesisHash) {
  // A network whose genesis differs from this one's (no operator account added).
  TestNetwork other(1);
  const fs::path copy = Copy("other-genesis");
  nlohmann::json manifest = nlohmann::json::parse(ReadAll(copy / "MANIFEST.json"));
  manifest["genesis_hash"] = other.GenesisHash().ToHex();
  ASSERT_NE(other.GenesisHash(), net_.GenesisHash());
  std::ofstream(copy / "MANIFEST.json", std::ios::trunc) << manifest.dump(2);
  ExpectRefused(copy, "genesis_hash: the backup's genesis is " + other.GenesisHash().ToHex());
}

TEST_F(ProcessBackupRefusalTest, ABackupOfAnotherNodeIsRefusedNamingNodeId) {
  const fs::path copy = Copy("other-node");
  nlohmann::json manifest = nlohmann::json::parse(ReadAll(copy / "MANIFEST.json"));
  manifest["node_id"] = 7;
  std::ofstream(copy / "MANIFEST.json", std::ios::trunc) << manifest.dump(2);
  ExpectRefused(copy, "node_id: the backup is of node 7, this config is node 1");
}

TEST_F(ProcessBackupRefusalTest, AnExistingDatabaseIsKeptUnlessMovedAsideAndTheRestoredNodeStarts) {
  // Proves restore refuses to replace a database unless --move-aside, keeps the old one beside it when
  // asked, and the node starts on the restored data at the backup's head and writes again.
  const RunResult kept = Restore(net_, 1, backup_);
  EXPECT_EQ(kept.exit_code, kExitRestoreRefused) << kept.stderr_text;
  EXPECT_NE(kept.stderr_text.find("pass --move-aside"), std::string::npos) << kept.stderr_text;
  EXPECT_EQ(Fingerprint(net_.config(1).data_dir), before_);
  const RunResult moved = Restore(net_, 1, backup_, /*move_aside=*/true);
  ASSERT_EQ(moved.exit_code, 0) << moved.stderr_text;
  EXPECT_NE(moved.stdout_text.find("moved the old database aside to"), std::string::npos)
      << moved.stdout_text;
  bool aside = false;
  for (const fs::directory_entry& e : fs::directory_iterator(net_.config(1).data_dir)) {
    aside |= e.path().filename().string().starts_with("db.before-restore-");
  }
  EXPECT_TRUE(aside);
  net_.Start(1);
  ASSERT_EQ(net_.WaitForLeader(kLeaderTimeoutMs), 1u);
  CommitSome(net_, 1, "restored-", 2);
}

}  // namespace
}  // namespace shulian::process_test
