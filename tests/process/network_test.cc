// Process-level tests: real shulian-node binaries on 127.0.0.1, driven through the
// HTTP API, killed, paused and restarted.
#include "tests/process/network.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "ledger/genesis.h"
#include "ledger/ledger_export.h"
#include "node/log.h"
#include "node/transport.h"

namespace shulian::process_test {
namespace {

using namespace std::chrono_literals;

constexpr int kLeaderTimeoutMs = 15'000;
constexpr int kAgreementTimeoutMs = 20'000;

uint64_t OtherThan(uint64_t id, size_t nodes) { return id % nodes + 1; }

// Submits and waits for commit; true when the node acknowledged the commit.
bool SubmitCommitted(api::ApiClient& client, const ledger::Transaction& tx) {
  Result<nlohmann::json> answer = client.Submit(tx, /*wait_for_commit=*/true, 10'000);
  return answer.ok() && (*answer)["state"] == "committed";
}

TEST(ProcessNetworkTest, ElectsLeaderCommitsThroughFollowerAndHeadsAgree) {
  // A 3-node network elects a leader; a transaction submitted through a follower
  // commits with its outcome; every node reports the same head hash.
  TestNetwork net(3);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t follower = OtherThan(leader, 3);
  auto client = net.Client(follower);
  ledger::Transaction tx = net.AssetTx("asset-follower-1");
  Result<nlohmann::json> answer = client->Submit(tx, true, 10'000);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ((*answer)["state"], "committed");
  EXPECT_EQ((*answer)["outcome"]["accepted"], true) << answer->dump();
  std::optional<uint64_t> height = net.WaitForAgreement(1, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value());
  // The committed transaction reads back from every node, with its location.
  for (uint64_t id = 1; id <= 3; ++id) {
    Result<nlohmann::json> read = net.Client(id, "court")->GetTransaction(tx.Hash().ToHex());
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    EXPECT_EQ((*read)["location"]["height"], (*answer)["height"]);
  }
  // A resubmission of a committed transaction returns its existing status.
  Result<nlohmann::json> again = net.Client(leader)->Submit(tx, false);
  ASSERT_TRUE(again.ok()) << again.status().ToString();
  EXPECT_EQ((*again)["state"], "committed");
  EXPECT_EQ(net.Terminate(follower), 0) << "SIGTERM must exit 0";
}

TEST(ProcessNetworkTest, LeaderKilledUnderLoadNewLeaderTakesOverAndOldLeaderCatchesUp) {
  // kill -9 of the leader under continuous load: a new leader takes over, the old
  // one restarts from its data directory and catches up; every acknowledged
  // transaction is on every node and all heads agree.
  TestNetwork net(3);
  net.StartAll();
  const uint64_t old_leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(old_leader, 0u);
  std::mutex mutex;
  std::vector<crypto::Digest> acknowledged;
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sequence{0};
  auto driver = [&](uint64_t worker) {
    // Each worker talks to a node that is never the old leader, so load continues.
    const uint64_t target = OtherThan(old_leader + worker, 3) == old_leader ? OtherThan(old_leader, 3)
                                                                            : OtherThan(old_leader + worker, 3);
    auto client = net.Client(target);
    while (!stop) {
      ledger::Transaction tx = net.AssetTx("asset-load-" + std::to_string(sequence++));
      if (SubmitCommitted(*client, tx)) {
        std::lock_guard<std::mutex> lock(mutex);
        acknowledged.push_back(tx.Hash());
      } else {
        std::this_thread::sleep_for(50ms);
      }
    }
  };
  std::vector<std::thread> drivers;
  for (uint64_t w = 0; w < 4; ++w) drivers.emplace_back(driver, w);
  std::this_thread::sleep_for(1500ms);
  net.Kill(old_leader);
  const uint64_t new_leader = net.WaitForLeader(kLeaderTimeoutMs);
  EXPECT_NE(new_leader, 0u);
  EXPECT_NE(new_leader, old_leader);
  std::this_thread::sleep_for(1500ms);
  net.Start(old_leader);
  std::this_thread::sleep_for(1500ms);
  stop = true;
  for (std::thread& t : drivers) t.join();
  ASSERT_FALSE(acknowledged.empty());
  std::optional<uint64_t> height = net.WaitForAgreement(1, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value()) << "heads did not converge";
  for (uint64_t id = 1; id <= 3; ++id) {
    auto client = net.Client(id, "court");
    for (const crypto::Digest& hash : acknowledged) {
      Result<nlohmann::json> read = client->GetTransaction(hash.ToHex(), api::ReadConsistency::kStale);
      EXPECT_TRUE(read.ok()) << "node " << id << " lacks acknowledged tx " << hash.ToHex() << ": "
                             << read.status().ToString();
    }
  }
  std::printf("[ figures  ] kill -9 test: %zu transactions acknowledged, final height %llu\n", acknowledged.size(),
              static_cast<unsigned long long>(*height));
}

TEST(ProcessNetworkTest, ExportsNearTheByteBoundUnderLoadCauseNoElectionAndAuditClean) {
  // Proves a leader answering whole-ledger exports page after page (each near
  // limits.export_bytes_max, ended by it at a whole block named in
  // X-Shulian-Export-To) while transactions are submitted keeps its term: no node
  // changes term or leader, and the joined pages of the last round audit clean.
  constexpr uint64_t kExportBytesMax = 48 * 1024;
  TestNetwork net(3);
  for (uint64_t id = 1; id <= 3; ++id) {
    net.config(id).limits.export_bytes_max = kExportBytesMax;
    net.WriteConfig(id);
  }
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  std::atomic<bool> stop{false};
  std::atomic<uint64_t> sequence{0};
  std::atomic<uint64_t> committed{0};
  auto driver = [&](uint64_t worker) {
    auto client = net.Client(worker % 3 + 1);
    while (!stop) {
      if (SubmitCommitted(*client, net.AssetTx("asset-export-" + std::to_string(sequence++)))) ++committed;
    }
  };
  std::vector<std::thread> drivers;
  for (uint64_t w = 0; w < 3; ++w) drivers.emplace_back(driver, w);
  // A ledger of a few hundred blocks before the exports start.
  for (int i = 0; i < 600 && committed < 300; ++i) std::this_thread::sleep_for(50ms);
  ASSERT_GE(committed.load(), 300u);
  std::vector<nlohmann::json> before;
  for (uint64_t id = 1; id <= 3; ++id) before.push_back(net.StatusOf(id).value());

  auto court = net.Client(leader, "court");
  std::string joined;
  uint64_t exported_head = 0;
  for (int round = 0; round < 6; ++round) {
    const uint64_t head = net.StatusOf(leader).value().value("height", uint64_t{0});
    joined.clear();
    int pages = 0;
    for (uint64_t from = 1; from <= head; ++pages) {
      Result<api::LedgerExportPage> page = court->LedgerExport(from, head);
      ASSERT_TRUE(page.ok()) << page.status().ToString();
      ASSERT_GE(page->to_height, from);
      if (page->to_height > from) {
        EXPECT_LE(page->body.size(), kExportBytesMax);
      }
      if (page->to_height < head) {
        EXPECT_GT(page->body.size(), kExportBytesMax / 2);  // ended near the bound
      }
      joined.append(joined.empty() ? page->body : page->body.substr(ledger::kLedgerExportMagic.size()));
      from = page->to_height + 1;
    }
    EXPECT_GT(pages, 2) << "the bound never ended a page; head " << head;
    exported_head = head;
  }
  std::vector<nlohmann::json> after;
  for (uint64_t id = 1; id <= 3; ++id) after.push_back(net.StatusOf(id).value());
  stop = true;
  for (std::thread& t : drivers) t.join();
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(after[i]["term"], before[i]["term"]) << "node " << i + 1 << " changed term during the exports";
    EXPECT_EQ(after[i]["leader_id"], before[i]["leader_id"]) << "node " << i + 1;
    EXPECT_GT(after[i].value("height", uint64_t{0}), before[i].value("height", uint64_t{0}));
  }
  EXPECT_EQ(before[leader - 1]["leader_id"], leader);

  const std::filesystem::path path = net.dir() / "exported.ledger";
  std::ofstream(path, std::ios::binary) << joined;
  Result<ledger::Genesis> genesis = ledger::LoadGenesisFile((net.dir() / "genesis.json").string());
  ASSERT_TRUE(genesis.ok()) << genesis.status().ToString();
  Result<ledger::AuditReport> report = ledger::AuditExportFile(path, *genesis);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_TRUE(report->clean()) << report->Describe();
  EXPECT_EQ(report->blocks_checked, exported_head);
}

TEST(ProcessNetworkTest, PausedNodeCatchesUpAfterResume) {
  // A node paused with SIGSTOP while the others commit catches up after SIGCONT.
  TestNetwork net(3);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  const uint64_t paused = OtherThan(leader, 3);
  net.Pause(paused);
  auto client = net.Client(leader);
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(SubmitCommitted(*client, net.AssetTx("asset-paused-" + std::to_string(i))));
  }
  net.Resume(paused);
  std::optional<uint64_t> height = net.WaitForAgreement(10, kAgreementTimeoutMs);
  ASSERT_TRUE(height.has_value()) << "the resumed node did not catch up";
}

TEST(ProcessNetworkTest, PeerWithUnknownKeyIsRefused) {
  // A peer that presents a key the network config does not list never gets a session.
  TestNetwork net(3);
  net.Start(1);
  std::this_thread::sleep_for(500ms);
  node::TransportOptions options;
  options.network_id = kNetworkId;
  options.self_id = 2;  // claims to be node 2, with the wrong key
  options.node_key = std::make_shared<const crypto::KeyPair>(KeyFor("impostor"));
  options.peers.push_back({1, "127.0.0.1", net.config(1).listen_address.port, KeyFor("node-1").public_key()});
  options.handshake_timeout_ms = 1'000;
  node::SetLogSink([](const std::string&) {});  // the impostor's own redials are noise here
  Result<std::unique_ptr<node::PeerTransport>> impostor =
      node::PeerTransport::Start(options, [](uint64_t, Bytes) {});
  ASSERT_TRUE(impostor.ok()) << impostor.status().ToString();
  std::this_thread::sleep_for(2s);
  (*impostor)->Stop();
  node::SetLogSink({});
  // Node 1 refused every handshake, and never accepted the impostor as node 2.
  std::ifstream in(net.LogPath(1));
  std::stringstream log;
  log << in.rdbuf();
  EXPECT_NE(log.str().find("handshake refused"), std::string::npos) << log.str();
  EXPECT_EQ(log.str().find("msg=\"accepted (receiving)\""), std::string::npos) << "node 1 accepted the impostor";
}

TEST(ProcessNetworkTest, BadTransactionsGetClearErrorsAndChangeNothing) {
  // A bad signature, a transaction signed for another genesis of the same network
  // id, a version-1 transaction (which binds no genesis), a malformed body and an
  // oversized payload are each refused with a clear error, and the ledger does not move.
  TestNetwork net(3);
  net.config(1).limits.request_body_bytes_max = 64 * 1024;
  net.WriteConfig(1);
  net.StartAll();
  ASSERT_NE(net.WaitForLeader(kLeaderTimeoutMs), 0u);
  auto client = net.Client(1);
  const uint64_t before = (*net.StatusOf(1))["height"].get<uint64_t>();

  ledger::Transaction forged = net.AssetTx("asset-forged");
  forged.signature.bytes[0] ^= 1;
  Result<nlohmann::json> bad_signature = client->Submit(forged);
  ASSERT_FALSE(bad_signature.ok());
  EXPECT_EQ(bad_signature.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(bad_signature.status().message().find("signature"), std::string::npos)
      << bad_signature.status().message();

  ledger::Transaction foreign = net.AssetTx("asset-foreign");
  foreign.Sign(KeyFor("tz.prov"), crypto::Sha256(AsBytes("another genesis with the same network id")));
  Result<nlohmann::json> replayed = client->Submit(foreign);
  ASSERT_FALSE(replayed.ok());
  EXPECT_NE(replayed.status().message().find("signature"), std::string::npos) << replayed.status().message();

  ledger::Transaction legacy = net.AssetTx("asset-legacy");
  legacy.version = ledger::kTxVersionLegacy;
  legacy.Sign(KeyFor("tz.prov"), net.GenesisHash());
  Result<nlohmann::json> old_version = client->Submit(legacy);
  ASSERT_FALSE(old_version.ok());
  EXPECT_EQ(old_version.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(old_version.status().message().find("version 1 does not bind the genesis hash"), std::string::npos)
      << old_version.status().message();

  Result<api::ApiResponse> malformed = client->Send("POST", "/v1/transactions", "{\"transaction_hex\": \"zz\"");
  ASSERT_TRUE(malformed.ok());
  EXPECT_EQ(malformed->http_status, 400) << malformed->body;

  std::string huge = "{\"transaction_hex\": \"" + std::string(200 * 1024, 'a') + "\"}";
  Result<api::ApiResponse> oversized = client->Send("POST", "/v1/transactions", huge);
  ASSERT_TRUE(oversized.ok());
  EXPECT_EQ(oversized->http_status, 413) << oversized->body;

  std::this_thread::sleep_for(500ms);
  EXPECT_EQ((*net.StatusOf(1))["height"].get<uint64_t>(), before);
  Result<nlohmann::json> lookup = net.Client(1, "court")->GetTransaction(forged.Hash().ToHex());
  EXPECT_EQ(lookup.status().code(), ErrorCode::kNotFound);
}

TEST(ProcessNetworkTest, ReadOutsideCallerScopeIsRefused) {
  // A Nanjing user may not read Taizhou's access records or whole blocks; a court may.
  TestNetwork net(3);
  net.StartAll();
  ASSERT_NE(net.WaitForLeader(kLeaderTimeoutMs), 0u);
  auto user = net.Client(1, "nj.user");
  Result<nlohmann::json> outside = user->Query("access_by_authority", {{"authority_id", "321200"}});
  ASSERT_FALSE(outside.ok());
  EXPECT_EQ(outside.status().code(), ErrorCode::kPermissionDenied) << outside.status().ToString();
  Result<nlohmann::json> own = user->Query("access_by_authority", {{"authority_id", "320100"}});
  EXPECT_TRUE(own.ok()) << own.status().ToString();
  ASSERT_TRUE(SubmitCommitted(*net.Client(1), net.AssetTx("asset-scope-1")));
  EXPECT_EQ(user->GetBlock(1).status().code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(net.Client(1, "court")->GetBlock(1).ok());
}

TEST(ProcessNetworkTest, CheckConfigPassesAGoodConfigAndNamesWhatIsWrongWithoutStarting) {
  // Proves `shulian-node --check-config` runs the start-up checks and starts nothing: a good config
  // passes (exit 0, naming node, network and genesis) without creating the data folder; a key file
  // others can read, a key that is not the genesis validator's and a missing genesis file each exit 2
  // naming the field.
  TestNetwork net(3);
  const std::filesystem::path data_dir = net.config(1).data_dir;
  std::filesystem::remove_all(data_dir);
  RunResult good = RunNodeToExit(net.ConfigPath(1), 10'000, "--check-config");
  EXPECT_EQ(good.exit_code, 0) << good.stderr_text;
  EXPECT_NE(good.stdout_text.find(": ok — node 1 of network"), std::string::npos) << good.stdout_text;
  EXPECT_NE(good.stdout_text.find(net.GenesisHash().ToHex()), std::string::npos) << good.stdout_text;
  EXPECT_FALSE(std::filesystem::exists(data_dir));

  const std::filesystem::path key = net.config(1).node_key_path;
  std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::add);
  RunResult readable = RunNodeToExit(net.ConfigPath(1), 10'000, "--check-config");
  EXPECT_EQ(readable.exit_code, 2);
  EXPECT_NE(readable.stderr_text.find("config: node_key: key file"), std::string::npos) << readable.stderr_text;
  EXPECT_NE(readable.stderr_text.find("group or others"), std::string::npos) << readable.stderr_text;
  std::filesystem::permissions(key, std::filesystem::perms::others_read, std::filesystem::perm_options::remove);

  net.config(1).node_key_path = net.dir() / "keys" / "node-2.key";
  net.WriteConfig(1);
  RunResult wrong_key = RunNodeToExit(net.ConfigPath(1), 10'000, "--check-config");
  EXPECT_EQ(wrong_key.exit_code, 2);
  EXPECT_NE(wrong_key.stderr_text.find("config: node_key: does not match"), std::string::npos)
      << wrong_key.stderr_text;

  net.config(2).genesis_path = net.dir() / "no-such-genesis.json";
  net.WriteConfig(2);
  RunResult no_genesis = RunNodeToExit(net.ConfigPath(2), 10'000, "--check-config");
  EXPECT_EQ(no_genesis.exit_code, 2);
  EXPECT_NE(no_genesis.stderr_text.find("config: genesis:"), std::string::npos) << no_genesis.stderr_text;
}

TEST(ProcessNetworkTest, BadConfigExitsTwoNamingTheField) {
  // A malformed peer key is refused at start with exit code 2 and the field named.
  TestNetwork net(3);
  nlohmann::json config = node::NodeConfigToJson(net.config(1));
  config["peers"][1]["public_key"] = "zz";
  const std::filesystem::path path = net.dir() / "bad.json";
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs(config.dump().c_str(), f);
    std::fclose(f);
  }
  RunResult run = RunNodeToExit(path, 10'000);
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.stderr_text.find("config: peers[1].public_key: not 64 hex characters"), std::string::npos)
      << run.stderr_text;
  // A node key that is not the genesis key for this validator is refused too.
  net.config(1).node_key_path = net.dir() / "keys" / "node-2.key";
  net.WriteConfig(1);
  RunResult wrong_key = RunNodeToExit(net.ConfigPath(1), 10'000);
  EXPECT_EQ(wrong_key.exit_code, 2);
  EXPECT_NE(wrong_key.stderr_text.find("config: node_key: does not match"), std::string::npos)
      << wrong_key.stderr_text;
}

TEST(ProcessNetworkTest, PrintsCommitLatencyAndThroughput) {
  // Figures, printed and never asserted: commit latency at one client, and
  // transactions per second at 64 concurrent clients, on a 3-node loopback network.
  TestNetwork net(3);
  net.StartAll();
  const uint64_t leader = net.WaitForLeader(kLeaderTimeoutMs);
  ASSERT_NE(leader, 0u);
  auto client = net.Client(leader);
  std::vector<double> latencies_ms;
  for (int i = 0; i < 50; ++i) {
    const auto start = std::chrono::steady_clock::now();
    if (SubmitCommitted(*client, net.AssetTx("asset-lat-" + std::to_string(i)))) {
      latencies_ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count());
    }
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  if (!latencies_ms.empty()) {
    std::printf("[ figures  ] commit latency, 1 client: p50 %.1f ms, p99 %.1f ms (%zu samples)\n",
                latencies_ms[latencies_ms.size() / 2], latencies_ms[latencies_ms.size() * 99 / 100],
                latencies_ms.size());
  }
  constexpr int kClients = 64;
  constexpr auto kDuration = 5s;
  std::atomic<uint64_t> committed{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> clients;
  for (int c = 0; c < kClients; ++c) {
    clients.emplace_back([&, c] {
      auto mine = net.Client(leader);
      for (int i = 0; !stop; ++i) {
        if (SubmitCommitted(*mine, net.AssetTx("asset-tps-" + std::to_string(c) + "-" + std::to_string(i)))) {
          ++committed;
        }
      }
    });
  }
  const auto start = std::chrono::steady_clock::now();
  std::this_thread::sleep_for(kDuration);
  stop = true;
  for (std::thread& t : clients) t.join();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("[ figures  ] throughput, %d clients waiting for commit: %.0f tx/s (%llu in %.1f s)\n", kClients,
              static_cast<double>(committed) / seconds, static_cast<unsigned long long>(committed.load()), seconds);
}

}  // namespace
}  // namespace shulian::process_test
