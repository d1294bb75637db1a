// Networks of real hosts, as far as one machine allows: every node runs as a
// shulian-node process in a Linux network namespace of its own with its own address
// (10.77.0.<id>, a veth pair to a bridge in a further namespace), and the client
// (the CLI, in this process) sits in another. Everything an operator does is done
// the operator's way: keys made per host with `shulian keygen` and only .pub files
// shared, `shulian network init --plan` from the public keys, API certificates per
// host with `shulian cert` signed by `shulian cert ca`, every API served over TLS
// and reached over https:// with --ca-file. The sample scenario is loaded, every
// node agrees on the head; then one node's link is cut under load and restored,
// and it catches up with every acknowledged write; then a node is backed up under
// load, wiped, restored from the backup and catches up the same way.
//
// A test is a list of steps on NetnsNetworkTest (RunSteps below); a new step is
// one more method called there.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/cli/cli.h"
#include "tests/process/netns.h"

namespace shulian::netns_test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kPrefix[] = "shulian-nn";
constexpr int kWaitMs = 40'000;
constexpr int kPeerPort = 7100;
constexpr int kApiPort = 8100;
constexpr char kWriter[] = "tz.gaj.registrar";  // a provider of Taizhou (321200) in both sample genesis files
constexpr char kOperator[] = "js.sjj.operator";  // an operator account in both sample genesis files

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// The CLI in-process, on the calling thread (whose namespace decides where it connects).
CliRun Shulian(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliRun run;
  run.code = cli::RunCli(args, out, err, cli::Environment{});
  run.out = out.str();
  run.err = err.str();
  return run;
}

json ReadJson(const fs::path& path) {
  std::ifstream in(path);
  return json::parse(in);
}

class NetnsNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::optional<std::string> why = NetnsUnavailable())
      GTEST_SKIP() << "needs network namespaces: " << *why;
    Lab::PreClean(kPrefix);
    std::string pattern = (fs::temp_directory_path() / "shulian-netns-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }

  void TearDown() override {
    lab_.reset();  // stops every node, then removes the namespaces, veths and bridge
    std::error_code error;
    if (!dir_.empty() && !HasFailure()) fs::remove_all(dir_, error);
  }

  // The whole story for a network shaped like the sample network `reference`.
  void RunSteps(const std::string& reference, bool cut_the_leader) {
    reference_ = ReadJson(fs::path(SHULIAN_SOURCE_DIR) / "network-configs" / reference / "genesis.json");
    nodes_ = static_cast<int>(reference_["validators"].size());
    ASSERT_NO_FATAL_FAILURE(MakeLab());
    ASSERT_NO_FATAL_FAILURE(MakeKeysPerHost());
    ASSERT_NO_FATAL_FAILURE(InitFromPublicKeys());
    ASSERT_NO_FATAL_FAILURE(MakeCertificatesPerHost());
    for (int id = 1; id <= nodes_; ++id) ASSERT_NO_FATAL_FAILURE(StartNode(id));
    ASSERT_TRUE(WaitForAgreement(0)) << "no leader; logs in " << dir_;
    ASSERT_NO_FATAL_FAILURE(LoadScenarioOverHttps());
    ASSERT_NO_FATAL_FAILURE(CutALinkUnderLoadAndRestoreIt(cut_the_leader));
    ASSERT_NO_FATAL_FAILURE(BackUpUnderLoadWipeRestoreAndCatchUp());
  }

  // ---- the lab ----

  static std::string Host(int id) { return "h" + std::to_string(id); }
  static std::string Ip(int id) { return "10.77.0." + std::to_string(id); }
  std::string Server(int id) const { return "https://" + Ip(id) + ":" + std::to_string(kApiPort); }
  fs::path HostDir(int id) const { return dir_ / Host(id); }
  fs::path RunDir(int id) const { return HostDir(id) / "run"; }
  // The agencies' side: their account keys, as `scenario load --keys` reads them.
  fs::path Agencies() const { return dir_ / "agencies"; }
  fs::path CaCert() const { return dir_ / "ca" / "ca.crt"; }

  void MakeLab() {
    std::vector<std::string> roles;
    for (int id = 1; id <= nodes_; ++id) roles.push_back(Host(id));
    roles.push_back("client");  // 10.77.0.<nodes + 1>
    Result<std::unique_ptr<Lab>> lab = Lab::Create(kPrefix, roles);
    ASSERT_TRUE(lab.ok()) << lab.status().ToString();
    lab_ = std::move(*lab);
  }

  // The CLI run from the client's namespace.
  CliRun Cli(const std::vector<std::string>& args) const {
    CliRun run;
    lab_->host("client").RunInside([&] { run = Shulian(args); });
    return run;
  }

  // ---- what the operators do ----

  // `shulian keygen` where the key lives; the printed public key goes to the shared folder.
  void Keygen(const fs::path& key, const std::string& kind) {
    fs::create_directories(key.parent_path());
    CliRun made = Shulian({"keygen", "--out", key.string()});
    ASSERT_EQ(made.code, cli::kExitOk) << made.err;
    std::ofstream(dir_ / "pub" / kind / (key.stem().string() + ".pub")) << made.out;
  }

  void MakeKeysPerHost() {
    fs::create_directories(dir_ / "pub/nodes");
    fs::create_directories(dir_ / "pub/accounts");
    for (int id = 1; id <= nodes_; ++id) {
      ASSERT_NO_FATAL_FAILURE(Keygen(HostDir(id) / ("node-" + std::to_string(id) + ".key"), "nodes"));
    }
    for (const json& account : reference_["accounts"]) {
      const std::string name = account["id"].get<std::string>() + ".key";
      ASSERT_NO_FATAL_FAILURE(Keygen(Agencies() / "keys/accounts" / name, "accounts"));
    }
  }

  // The plan: the reference network's authorities, policies and accounts (without
  // keys), node i of the reference's authority at 10.77.0.i.
  json Plan() const {
    json nodes = json::array();
    for (const json& validator : reference_["validators"]) {
      const int id = validator["node_id"].get<int>();
      nodes.push_back({{"id", id},
                       {"authority", validator["authority"]},
                       {"peer_address", Ip(id) + ":" + std::to_string(kPeerPort)},
                       {"api_address", Ip(id) + ":" + std::to_string(kApiPort)}});
    }
    json accounts = json::array();
    for (json account : reference_["accounts"]) {
      account.erase("public_key");
      account.erase("key_file");
      accounts.push_back(account);
    }
    return {{"network_id", "netns-" + std::to_string(nodes_)},
            {"genesis_time_ms", reference_["genesis_time_ms"]},
            {"authorities", reference_["authorities"]},
            {"calendars", {std::string(SHULIAN_SOURCE_DIR) + "/network-configs/calendars/cn-2025-2026.json"}},
            {"policies", reference_["policies"]},
            {"nodes", nodes},
            {"accounts", accounts}};
  }

  void InitFromPublicKeys() {
    std::ofstream(dir_ / "plan.json") << Plan().dump(2);
    CliRun init = Shulian({"network", "init", "--plan", (dir_ / "plan.json").string(), "--public-keys",
                           (dir_ / "pub").string(), "--out", (dir_ / "out").string()});
    ASSERT_EQ(init.code, cli::kExitOk) << init.err;
    ASSERT_EQ(Shulian({"genesis", "check", (dir_ / "out/genesis.json").string()}).code, cli::kExitOk);
    // Each host gets genesis.json and its config beside its own key; the agencies the genesis.
    for (int id = 1; id <= nodes_; ++id) {
      const std::string node = "node-" + std::to_string(id);
      fs::create_directories(RunDir(id));
      fs::copy_file(dir_ / "out/genesis.json", RunDir(id) / "genesis.json");
      fs::copy_file(dir_ / "out" / (node + ".json"), RunDir(id) / (node + ".json"));
      fs::copy_file(HostDir(id) / (node + ".key"), RunDir(id) / (node + ".key"));
      fs::permissions(RunDir(id) / (node + ".key"), fs::perms::owner_read | fs::perms::owner_write);
    }
    fs::copy_file(dir_ / "out/genesis.json", Agencies() / "genesis.json");
  }

  // An authority CA, and for each host a certificate for its own address under the
  // names its config gives (api-<id>.crt/.key).
  void MakeCertificatesPerHost() {
    fs::create_directories(dir_ / "ca");
    const std::string ca_key = (dir_ / "ca" / "ca.key").string();
    CliRun ca = Shulian({"cert", "ca", "--key-out", ca_key, "--cert-out", CaCert().string()});
    ASSERT_EQ(ca.code, cli::kExitOk) << ca.err;
    for (int id = 1; id <= nodes_; ++id) {
      const json config = ReadJson(RunDir(id) / ("node-" + std::to_string(id) + ".json"));
      ASSERT_TRUE(config.contains("api_tls"))
          << "an API off loopback must be configured for TLS: " << config.dump();
      const fs::path crt = RunDir(id) / config["api_tls"]["certificate_chain_file"].get<std::string>();
      const fs::path key = RunDir(id) / config["api_tls"]["private_key_file"].get<std::string>();
      CliRun cert = Shulian({"cert", "--key-out", key.string(), "--cert-out", crt.string(), "--host", Ip(id),
                             "--ca-cert", CaCert().string(), "--ca-key", ca_key});
      ASSERT_EQ(cert.code, cli::kExitOk) << cert.err;
      pins_[id] = cert.out.substr(0, cert.out.find('\n'));
    }
  }

  void StartNode(int id) {
    const std::string config = (RunDir(id) / ("node-" + std::to_string(id) + ".json")).string();
    Result<pid_t> pid = lab_->host(Host(id)).Spawn({SHULIAN_NODE_BINARY, "--config", config},
                                                   (HostDir(id) / "node.log").string());
    ASSERT_TRUE(pid.ok()) << pid.status().ToString();
    pids_[id] = *pid;
  }

  void StopNode(int id) {
    lab_->host(Host(id)).Stop(pids_.at(id));
    pids_.erase(id);
  }

  // ---- checks ----

  std::optional<json> StatusOf(int id) const {
    CliRun status = Cli({"status", "--server", Server(id), "--ca-file", CaCert().string(), "--json"});
    if (status.code != cli::kExitOk) return std::nullopt;
    return json::parse(status.out);
  }

  int LeaderId() const {
    for (int id = 1; id <= nodes_; ++id) {
      std::optional<json> status = StatusOf(id);
      if (status && status->value("leader_id", json()).is_number()) return (*status)["leader_id"].get<int>();
    }
    return 0;
  }

  // Every node names one leader, reports a height >= min_height and the same head hash.
  bool WaitForAgreement(uint64_t min_height) const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      std::vector<json> statuses;
      for (int id = 1; id <= nodes_; ++id) {
        if (std::optional<json> status = StatusOf(id)) statuses.push_back(*status);
      }
      bool agreed = static_cast<int>(statuses.size()) == nodes_;
      for (const json& status : statuses) {
        agreed = agreed && status.value("leader_id", json()).is_number() &&
                 status["leader_id"] == statuses[0]["leader_id"] &&
                 status.value("height", uint64_t{0}) >= min_height &&
                 status["head_hash"] == statuses[0]["head_hash"];
      }
      if (agreed) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return false;
  }

  // Node id's height asked by a CLI in namespace `role` (0 when it does not answer).
  uint64_t HeightSeenFrom(const std::string& role, int id) const {
    CliRun status;
    lab_->host(role).RunInside([&] {
      status = Shulian({"status", "--server", Server(id), "--ca-file", CaCert().string(), "--json"});
    });
    return status.code == cli::kExitOk ? json::parse(status.out).value("height", uint64_t{0}) : 0;
  }

  uint64_t Height(int id) const {
    std::optional<json> status = StatusOf(id);
    return status ? status->value("height", uint64_t{0}) : 0;
  }

  // ---- steps ----

  // The sample scenario over https:// at one node (a follower forwards to the
  // leader), every outcome as the scenario expects, then one head on every node;
  // and the same head read with a pin instead of the CA.
  void LoadScenarioOverHttps() {
    const int at = nodes_;  // the last node: a follower more often than not
    CliRun load =
        Cli({"scenario", "load",
             std::string(SHULIAN_SOURCE_DIR) + "/network-configs/scenario/jiangsu-taizhou.json", "--keys",
             Agencies().string(), "--server", Server(at), "--ca-file", CaCert().string()});
    ASSERT_EQ(load.code, cli::kExitOk) << load.out << load.err << "; logs in " << dir_;
    EXPECT_NE(load.out.find("every outcome as expected"), std::string::npos) << load.out;
    ASSERT_TRUE(WaitForAgreement(Height(at))) << "heads disagree after the scenario; logs in " << dir_;
    CliRun pinned = Cli({"status", "--server", Server(1), "--cert-sha256", pins_.at(1), "--json"});
    ASSERT_EQ(pinned.code, cli::kExitOk) << pinned.err;
  }

  // Writers in the client's namespace submit register_asset with --wait to every
  // node but the one cut, round robin; a write is acknowledged when the CLI says
  // committed. The link of one node goes down while they write and comes back;
  // the node must then hold the same head and every acknowledged write.
  void CutALinkUnderLoadAndRestoreIt(bool cut_the_leader) {
    const int leader = LeaderId();
    ASSERT_NE(leader, 0);
    const int cut = cut_the_leader ? leader : (leader % nodes_) + 1;
    Load load(*this, cut);
    ASSERT_TRUE(load.WaitForAcknowledged(5))
        << "no writes acknowledged before the cut (" << load.LastFailure() << "); logs in " << dir_;
    ASSERT_TRUE(lab_->link(Host(cut)).SetUp(false).ok());
    const size_t before = load.Acknowledged().size();
    const bool written_while_cut = load.WaitForAcknowledged(before + 10);
    // Asked from inside its own namespace, the cut node has not seen those writes:
    // the cut was real and what follows is a catch-up.
    const uint64_t cut_height = HeightSeenFrom(Host(cut), cut);
    const uint64_t others_height = Height(cut % nodes_ + 1);
    const Status restored = lab_->link(Host(cut)).SetUp(true);
    ASSERT_TRUE(restored.ok()) << restored.ToString();
    ASSERT_TRUE(written_while_cut) << "the others stopped committing while node " << cut << " was cut off ("
                                   << load.LastFailure() << "); logs in " << dir_;
    EXPECT_LT(cut_height, others_height) << "node " << cut << " kept up while its link was down";
    ASSERT_TRUE(load.WaitForAcknowledged(load.Acknowledged().size() + 5))
        << "no writes after the link came back: " << load.LastFailure();
    load.Stop();
    const std::vector<std::string> acknowledged = load.Acknowledged();
    uint64_t top = 0;
    for (int id = 1; id <= nodes_; ++id) top = std::max(top, Height(id));
    ASSERT_TRUE(WaitForAgreement(top)) << "node " << cut << " did not catch up; logs in " << dir_;
    ExpectOnEveryNode(acknowledged);
  }

  // A follower backed up over https:// by an operator while writers load the
  // others; then stopped, its data folder wiped, restored with `shulian-node
  // restore` from that backup, and started: it must leave its vote fence, reach
  // the same head and hold every acknowledged write, before the backup and after.
  void BackUpUnderLoadWipeRestoreAndCatchUp() {
    const int leader = LeaderId();
    ASSERT_NE(leader, 0);
    const int node = (leader % nodes_) + 1;
    const fs::path backup = dir_ / "backup";
    Load load(*this, node);
    ASSERT_TRUE(load.WaitForAcknowledged(3)) << load.LastFailure();
    const std::string key = (Agencies() / "keys/accounts" / (std::string(kOperator) + ".key")).string();
    CliRun made = Cli({"backup", "--out", backup.string(), "--server", Server(node), "--ca-file",
                       CaCert().string(), "--account", kOperator, "--key", key, "--json"});
    ASSERT_EQ(made.code, cli::kExitOk) << made.out << made.err;
    ASSERT_TRUE(load.WaitForAcknowledged(load.Acknowledged().size() + 5)) << load.LastFailure();
    StopNode(node);
    const fs::path config = RunDir(node) / ("node-" + std::to_string(node) + ".json");
    fs::remove_all(RunDir(node) / "data");
    const ExecResult restored = Exec({SHULIAN_NODE_BINARY, "restore", "--config", config.string(), "--from",
                                      backup.string()},
                                     60'000);
    ASSERT_EQ(restored.code, 0) << restored.output;
    ASSERT_NO_FATAL_FAILURE(StartNode(node));
    // Written while the node is down or fenced: it must catch up on them too.
    ASSERT_TRUE(load.WaitForAcknowledged(load.Acknowledged().size() + 5)) << load.LastFailure();
    load.Stop();
    uint64_t top = 0;
    for (int id = 1; id <= nodes_; ++id) top = std::max(top, Height(id));
    ASSERT_TRUE(WaitForAgreement(top)) << "restored node " << node << " did not catch up; logs in " << dir_;
    ExpectOnEveryNode(load.Acknowledged());
  }

  // Each hash committed and accepted in every node's own applied state (--stale).
  void ExpectOnEveryNode(const std::vector<std::string>& hashes) const {
    const std::string key = (Agencies() / "keys/accounts" / (std::string(kWriter) + ".key")).string();
    for (int id = 1; id <= nodes_; ++id) {
      for (const std::string& hash : hashes) {
        CliRun read = Cli({"tx-status", hash, "--stale", "--json", "--server", Server(id), "--ca-file",
                           CaCert().string(), "--account", kWriter, "--key", key});
        ASSERT_EQ(read.code, cli::kExitOk)
            << "node " << id << " lacks acknowledged " << hash << ": " << read.err;
        const json status = json::parse(read.out);
        EXPECT_TRUE(status["outcome"].value("accepted", false)) << "node " << id << ": " << read.out;
      }
    }
  }

  // Two writer threads in the client's namespace, stopped by Stop() or the destructor.
  class Load {
   public:
    Load(const NetnsNetworkTest& test, int skip) : test_(test), skip_(skip) {
      for (int w = 0; w < 2; ++w) threads_.emplace_back([this, w] { Write(w); });
    }
    ~Load() { Stop(); }
    void Stop() {
      stop_ = true;
      for (std::thread& thread : threads_) {
        if (thread.joinable()) thread.join();
      }
    }
    std::vector<std::string> Acknowledged() const {
      std::lock_guard lock(mu_);
      return acknowledged_;
    }
    std::string LastFailure() const {
      std::lock_guard lock(mu_);
      return last_failure_;
    }
    bool WaitForAcknowledged(size_t count) const {
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
      while (std::chrono::steady_clock::now() < deadline) {
        if (Acknowledged().size() >= count) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      return false;
    }

   private:
    void Write(int writer) {
      if (!EnterOnThisThread(test_.lab_->host("client").name()).ok()) return;
      const std::string key = (test_.Agencies() / "keys/accounts" / (std::string(kWriter) + ".key")).string();
      for (int n = 0; !stop_; ++n) {
        const int node = 1 + (n + writer) % test_.nodes_;
        if (node == skip_) continue;
        const std::string id = "load." + std::to_string(writer) + "." + std::to_string(n);
        CliRun tx = Shulian({"tx",
                             "register_asset",
                             "--server",
                             test_.Server(node),
                             "--ca-file",
                             test_.CaCert().string(),
                             "--account",
                             kWriter,
                             "--key",
                             key,
                             "--wait",
                             "--timeout-ms",
                             "10000",
                             "--json",
                             "--asset-id",
                             id,
                             "--provider-authority",
                             "321200",
                             "--source-department",
                             "泰州市公安局",
                             "--dataset-code",
                             "321200-load-" + id,
                             "--name",
                             "负载 " + id,
                             "--description",
                             "load",
                             "--resource-type",
                             "departmental",
                             "--grade",
                             "general",
                             "--fields",
                             "a,b",
                             "--format",
                             "api/json",
                             "--update-frequency",
                             "daily",
                             "--share-type",
                             "unconditional",
                             "--share-reason",
                             "公开",
                             "--share-legal-basis",
                             "《泰州市公共数据管理办法》第十四条",
                             "--open-type",
                             "not_open",
                             "--open-reason",
                             "内部",
                             "--open-legal-basis",
                             "《江苏省公共数据管理办法》第二十五条",
                             "--content-hash",
                             "sha256:" + id,
                             "--size-bytes",
                             "10"});
        const json out = json::parse(tx.out, nullptr, false);
        const bool committed =
            tx.code == cli::kExitOk && !out.is_discarded() && out.value("state", "") == "committed";
        {
          std::lock_guard lock(mu_);
          // Not acknowledged: nothing is claimed for it.
          if (committed) acknowledged_.push_back(out.value("tx_hash", ""));
          if (!committed) last_failure_ = tx.out + tx.err;
        }
        if (!committed) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
    }

    const NetnsNetworkTest& test_;
    const int skip_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mu_;
    std::vector<std::string> acknowledged_;
    std::string last_failure_;
    std::vector<std::thread> threads_;
  };

  fs::path dir_;
  json reference_;
  int nodes_ = 0;
  std::unique_ptr<Lab> lab_;
  std::map<int, pid_t> pids_;
  std::map<int, std::string> pins_;
};

TEST_F(NetnsNetworkTest, ThreeHostsOverTlsAgreeAndACutFollowerAndARestoredNodeCatchUp) {
  // Proves on three namespaces (10.77.0.1..3, nothing on loopback): the operator flow from per-host keys to
  // TLS certificates yields a network that loads the sample scenario over https:// with every outcome as
  // expected and one head everywhere; a follower cut off under load gets every acknowledged write.
  RunSteps("local-3", /*cut_the_leader=*/false);
}

TEST_F(NetnsNetworkTest, FiveHostsOverTlsAgreeAndACutLeaderAndARestoredNodeCatchUp) {
  // The same on five namespaces, cutting the leader: the other four elect a new one and keep committing,
  // and the old leader, back on the bridge, follows with every acknowledged write.
  RunSteps("jiangsu-5", /*cut_the_leader=*/true);
}

}  // namespace
}  // namespace shulian::netns_test
