// Evidence end to end: three real shulian-node processes from `shulian network
// init`, the sample scenario loaded through the API, a cosigned checkpoint on
// every node, evidence bundles exported with the CLI and verified offline against
// the genesis file (and a tampered one refused), consistency between two
// checkpoints, and a ledger export and a stopped node's data directory that
// audit clean.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/process/cli_network.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using e2e::CliRun;
using e2e::Shulian;

constexpr int kWaitMs = 30'000;
constexpr char kCourt[] = "court.tz-intermediate";

std::string ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
}

class EvidenceProcessTest : public e2e::CliNetworkTest {
 protected:
  EvidenceProcessTest() : CliNetworkTest("evidence-e2e", 26000) {}

  // Waits until node `id` holds a cosigned checkpoint at its own head height of
  // at least `min_height`; returns that height or 0.
  uint64_t WaitForCosignedHead(int id, uint64_t min_height) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      CliRun status = Shulian({"status", "--server", Server(id), "--json"});
      CliRun checkpoint = Shulian({"checkpoint", "--server", Server(id), "--json"});
      if (status.code == kExitOk && checkpoint.code == kExitOk) {
        const uint64_t head = json::parse(status.out).value("height", uint64_t{0});
        const uint64_t cosigned = json::parse(checkpoint.out)["checkpoint"].value("height", uint64_t{0});
        if (cosigned >= min_height && cosigned == head) return cosigned;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return 0;
  }

};

TEST_F(EvidenceProcessTest, BundlesVerifyOfflineTamperingFailsAndTheLedgerAuditsClean) {
  // Proves the whole evidence path on real nodes: every node cosigns its head;
  // transaction, asset-access and dispute bundles export and verify offline with
  // only the genesis file; one changed byte makes verify exit 4; two checkpoints
  // prove consistent; a court's ledger export and a stopped node's data directory
  // audit clean; a caller outside the records' scope gets no bundle.
  const std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;
  CliRun load = Shulian({"scenario", "load", "network-configs/scenario/jiangsu-taizhou.json", "--keys", net(),
                         "--server", server, "--json"});
  ASSERT_EQ(load.code, kExitOk) << load.err;
  const json report = json::parse(load.out);
  std::string access_hash;
  const std::string access_asset = "tz.scjgj.enterprise-registry";
  for (const json& line : report["transactions"]) {
    if (line.value("type", "") == "record_access" && line["outcome"].value("accepted", false)) {
      access_hash = line.value("tx_hash", "");
      break;
    }
  }
  ASSERT_FALSE(access_hash.empty()) << "the scenario has no accepted record_access";

  // Every node cosigns its head.
  uint64_t head = 0;
  for (int id = 1; id <= kNodes; ++id) {
    const uint64_t cosigned = WaitForCosignedHead(id, 2);
    ASSERT_GT(cosigned, 1u) << "node " << id << " never cosigned its head; logs in " << dir_;
    head = std::max(head, cosigned);
  }
  // The human summary shows the checkpoint's full 64-bit block time.
  CliRun latest = Shulian({"checkpoint", "--server", server, "--json"});
  CliRun summary = Shulian({"checkpoint", "--server", server});
  ASSERT_EQ(summary.code, kExitOk) << summary.err;
  const int64_t block_time_ms = json::parse(latest.out)["checkpoint"].value("block_time_ms", int64_t{0});
  EXPECT_NE(summary.out.find("block_time_ms: " + std::to_string(block_time_ms)), std::string::npos) << summary.out;

  // One transaction: export from a follower-or-leader, verify offline.
  const std::string bundle = dir_ + "/tx-bundle.json";
  CliRun exported = Shulian(Join({"evidence", "tx", access_hash, "--out", bundle}, As(kCourt, 2)));
  ASSERT_EQ(exported.code, kExitOk) << exported.err;
  CliRun verified = Shulian({"verify", bundle, "--genesis", genesis()});
  ASSERT_EQ(verified.code, kExitOk) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("VERIFIED"), std::string::npos) << verified.out;
  EXPECT_NE(verified.out.find(access_hash), std::string::npos) << verified.out;
  CliRun verified_json = Shulian({"verify", bundle, "--genesis", genesis(), "--json"});
  ASSERT_EQ(verified_json.code, kExitOk) << verified_json.err;
  EXPECT_TRUE(json::parse(verified_json.out).value("verified", false));

  // One changed hex digit in the transaction's inclusion proof fails, naming a check.
  json tampered = json::parse(ReadText(bundle));
  std::string& proof_hash = tampered["records"][0]["tx_proof"][0].get_ref<std::string&>();
  proof_hash[0] = proof_hash[0] == '0' ? '1' : '0';
  const std::string tampered_path = dir_ + "/tx-bundle-tampered.json";
  WriteText(tampered_path, tampered.dump(2));
  CliRun refused = Shulian({"verify", tampered_path, "--genesis", genesis()});
  EXPECT_EQ(refused.code, kExitVerificationFailed) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("NOT VERIFIED"), std::string::npos) << refused.err;
  // A single flipped byte anywhere in the file text is refused too (here: inside the signature).
  std::string text = ReadText(bundle);
  const size_t at = text.find("\"signature\": \"") + 14;
  text[at] = text[at] == 'a' ? 'b' : 'a';
  WriteText(tampered_path + ".2", text);
  EXPECT_EQ(Shulian({"verify", tampered_path + ".2", "--genesis", genesis()}).code, kExitVerificationFailed);
  // The wrong genesis is refused.
  CliRun other_net = Shulian({"network", "init", "--out", dir_ + "/other", "--seed", "other-seed"});
  ASSERT_EQ(other_net.code, kExitOk) << other_net.err;
  EXPECT_EQ(Shulian({"verify", bundle, "--genesis", dir_ + "/other/genesis.json"}).code, kExitVerificationFailed);

  // A user outside the record's scope gets nothing; the file is not written.
  const std::string outside = dir_ + "/outside.json";
  CliRun denied = Shulian(Join({"evidence", "tx", access_hash, "--out", outside}, As("nj.ybj.user", 1)));
  EXPECT_EQ(denied.code, kExitFailed) << denied.out << denied.err;
  EXPECT_FALSE(fs::exists(outside));

  // An asset's accesses over all time, and the dispute case.
  const std::string access_bundle = dir_ + "/access-bundle.json";
  CliRun access = Shulian(Join({"evidence", "access", access_asset, "--from-ms", "0", "--to-ms", "4102444800000",
                                "--out", access_bundle},
                               As(kCourt, 3)));
  ASSERT_EQ(access.code, kExitOk) << access.err;
  CliRun access_verified = Shulian({"verify", access_bundle, "--genesis", genesis()});
  EXPECT_EQ(access_verified.code, kExitOk) << access_verified.out << access_verified.err;

  const std::string dispute_bundle = dir_ + "/dispute-bundle.json";
  CliRun dispute = Shulian(Join({"evidence", "dispute", "dsp-2026-0001", "--out", dispute_bundle}, As(kCourt, 1)));
  ASSERT_EQ(dispute.code, kExitOk) << dispute.err;
  CliRun dispute_verified = Shulian({"verify", dispute_bundle, "--genesis", genesis()});
  EXPECT_EQ(dispute_verified.code, kExitOk) << dispute_verified.out << dispute_verified.err;

  // Consistency between two checkpoints: the head cosigned above and a later one,
  // after one more block (a request the rules refuse is recorded in a block too).
  CliRun another = Shulian(Join({"tx", "request_share", "--request-id", "req-evidence-1", "--asset-id",
                                 "tz.scjgj.food-license", "--purpose", "检查", "--business-scenario", "监督", "--fields",
                                 "license_no", "--mode", "request_response", "--duration-days", "10", "--wait"},
                                As("tz.sjj.supervisor", 1)));
  ASSERT_EQ(another.code, kExitFailed) << another.out << another.err;  // committed, and REJECTED
  const uint64_t later = WaitForCosignedHead(1, head + 1);
  ASSERT_GT(later, head) << "node 1 never cosigned its new head; logs in " << dir_;
  CliRun consistency = Shulian({"consistency", "--from", std::to_string(head), "--to", std::to_string(later),
                                "--genesis", genesis(), "--server", Server(1)});
  EXPECT_EQ(consistency.code, kExitOk) << consistency.out << consistency.err;
  EXPECT_NE(consistency.out.find("verified"), std::string::npos) << consistency.out;

  // A court's export of the whole ledger audits clean.
  const std::string exported_ledger = dir_ + "/ledger.bin";
  CliRun ledger_export = Shulian(Join({"ledger", "export", "--out", exported_ledger, "--page-blocks", "3"}, As(kCourt, 1)));
  ASSERT_EQ(ledger_export.code, kExitOk) << ledger_export.err;
  CliRun audit = Shulian({"audit", "--ledger", exported_ledger, "--genesis", genesis()});
  EXPECT_EQ(audit.code, kExitOk) << audit.out << audit.err;
  EXPECT_NE(audit.out.find("CLEAN"), std::string::npos) << audit.out;
  // The export carries checkpoints: one flipped byte in the last one is a fault.
  std::string ledger_bytes = ReadText(exported_ledger);
  ledger_bytes[ledger_bytes.size() - 10] = static_cast<char>(ledger_bytes[ledger_bytes.size() - 10] ^ 0x01);
  WriteText(exported_ledger + ".bad", ledger_bytes);
  CliRun bad_audit = Shulian({"audit", "--ledger", exported_ledger + ".bad", "--genesis", genesis()});
  EXPECT_EQ(bad_audit.code, kExitVerificationFailed) << bad_audit.out << bad_audit.err;

  // A stopped node's data directory audits clean in place.
  Stop(3);
  CliRun dir_audit = Shulian({"audit", "--data-dir", net() + "/data/node-3", "--genesis", genesis()});
  EXPECT_EQ(dir_audit.code, kExitOk) << dir_audit.out << dir_audit.err;
}

}  // namespace
}  // namespace shulian::cli
