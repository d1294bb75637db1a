// A network stood up the way real authorities do it: each "host" generates its own
// node and account keys with `shulian keygen` in its own folder, only the printed
// public keys reach a shared folder, `shulian network init --plan` builds the
// genesis and node configs from them, and each host starts its node from those
// files with its own key put beside them. The three hosts are 127.0.0.1, .2 and .3.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/process/cli_network.h"
#include "tests/process/test_ports.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;
using e2e::CliRun;
using e2e::Shulian;
using nlohmann::json;

constexpr int kHosts = 3;
constexpr int kWaitMs = 30'000;

class PlanNetworkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "shulian-plan-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    for (const auto& [host, pid] : pids_) kill(pid, SIGTERM);
    for (const auto& [host, pid] : pids_) Reap(pid);
    std::error_code error;
    if (!HasFailure()) fs::remove_all(dir_, error);
  }

  fs::path Host(int host) const { return dir_ / ("host-" + std::to_string(host)); }
  std::string Ip(int host) const { return "127.0.0." + std::to_string(host); }
  std::string Api(int host) const { return Ip(host) + ":" + std::to_string(api_ports_.at(host)); }

  // `shulian keygen` on the host; its printed public key goes to the shared folder.
  void Keygen(int host, const std::string& name, const std::string& kind) {
    CliRun made = Shulian({"keygen", "--out", (Host(host) / (name + ".key")).string()});
    ASSERT_EQ(made.code, kExitOk) << made.err;
    std::ofstream(dir_ / "pub" / kind / (name + ".pub")) << made.out;
  }

  json Plan() {
    json nodes = json::array();
    const char* authorities[] = {"320000", "321200", "320100"};
    for (int host = 1; host <= kHosts; ++host) {
      const uint16_t peer = test_ports::UnusedTestPort(), api = test_ports::UnusedTestPort();
      api_ports_[host] = api;
      nodes.push_back({{"id", host},
                       {"authority", authorities[host - 1]},
                       {"peer_address", Ip(host) + ":" + std::to_string(peer)},
                       {"api_address", Ip(host) + ":" + std::to_string(api)}});
    }
    return {{"network_id", "plan-test"},
            {"genesis_time_ms", 1'767'196'800'000},
            {"authorities", json::parse(R"([
               {"id": "320000", "name": "江苏省数据局", "level": "province"},
               {"id": "321200", "name": "泰州市数据局", "level": "municipality", "parent": "320000"},
               {"id": "320100", "name": "南京市数据局", "level": "municipality", "parent": "320000"}])")},
            {"calendars", {std::string(SHULIAN_SOURCE_DIR) + "/network-configs/calendars/cn-2025-2026.json"}},
            {"policies", json::parse(R"([
               {"authority": "320000", "preset": "jiangsu-2024", "overrides": {"calendar": "cn-2025-2026"}},
               {"authority": "321200", "preset": "taizhou-2023"}])")},
            {"nodes", nodes},
            {"accounts", json::parse(R"([
               {"id": "tz.gaj.registrar", "authority": "321200", "roles": ["provider", "user"],
                "name": "泰州市公安局 数据专员"}])")}};
  }

  // What the operator of `host` does with the shared output: genesis.json and its
  // node's config in one folder, its own key beside them, then the node.
  void StartHost(int host) {
    const fs::path run = Host(host) / "run";
    const std::string node = "node-" + std::to_string(host);
    fs::create_directories(run);
    fs::copy_file(dir_ / "out/genesis.json", run / "genesis.json");
    fs::copy_file(dir_ / "out" / (node + ".json"), run / (node + ".json"));
    fs::copy_file(Host(host) / (node + ".key"), run / (node + ".key"));
    fs::permissions(run / (node + ".key"), fs::perms::owner_read | fs::perms::owner_write);
    const std::string config = (run / (node + ".json")).string();
    const std::string log = (Host(host) / "node.log").string();
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      if (fd >= 0) {
        dup2(fd, 1);
        dup2(fd, 2);
      }
      execl(SHULIAN_NODE_BINARY, "shulian-node", "--config", config.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    pids_[host] = pid;
  }

  // Every host's status, once all name one leader and (with min_height) agree on the head.
  bool WaitForAgreement(uint64_t min_height) const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      std::vector<json> statuses;
      for (int host = 1; host <= kHosts; ++host) {
        CliRun status = Shulian({"status", "--server", Api(host), "--json"});
        if (status.code == kExitOk) statuses.push_back(json::parse(status.out));
      }
      bool agreed = statuses.size() == kHosts;
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

  fs::path dir_;

 private:
  static void Reap(pid_t pid) {
    int status = 0;
    for (int i = 0; i < 200 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }

  std::map<int, uint16_t> api_ports_;
  std::map<int, pid_t> pids_;
};

TEST_F(PlanNetworkTest, ANetworkBuiltFromPublicKeysOnlyElectsALeaderAndCommitsOnEveryHost) {
  // Proves the two-step flow end to end: keys made per host, only .pub files shared, network init --plan,
  // genesis check, and three real nodes on 127.0.0.1..3 started from the output with their own keys elect
  // a leader, commit a transaction signed with an account key that never left its host, and agree.
  fs::create_directories(dir_ / "pub/nodes");
  fs::create_directories(dir_ / "pub/accounts");
  for (int host = 1; host <= kHosts; ++host) {
    fs::create_directories(Host(host));
    Keygen(host, "node-" + std::to_string(host), "nodes");
  }
  Keygen(2, "tz.gaj.registrar", "accounts");
  std::ofstream(dir_ / "plan.json") << Plan().dump(2);

  CliRun init = Shulian({"network", "init", "--plan", (dir_ / "plan.json").string(), "--public-keys",
                         (dir_ / "pub").string(), "--out", (dir_ / "out").string()});
  ASSERT_EQ(init.code, kExitOk) << init.err;
  ASSERT_EQ(Shulian({"genesis", "check", (dir_ / "out/genesis.json").string()}).code, kExitOk);
  for (int host = 1; host <= kHosts; ++host) StartHost(host);
  ASSERT_TRUE(WaitForAgreement(0)) << "no leader; logs in " << dir_;

  // Submitted at host 3, forwarded to the leader wherever it is.
  CliRun tx = Shulian({"tx",
                       "register_asset",
                       "--server",
                       Api(3),
                       "--account",
                       "tz.gaj.registrar",
                       "--key",
                       (Host(2) / "tz.gaj.registrar.key").string(),
                       "--wait",
                       "--json",
                       "--asset-id",
                       "tz.gaj.household-registry",
                       "--provider-authority",
                       "321200",
                       "--source-department",
                       "泰州市公安局",
                       "--dataset-code",
                       "321200-gaj-0001",
                       "--name",
                       "户籍人口信息",
                       "--description",
                       "户籍人口基本信息",
                       "--resource-type",
                       "departmental",
                       "--grade",
                       "important",
                       "--contains-personal-data",
                       "--fields",
                       "id_number,name",
                       "--format",
                       "api/json",
                       "--update-frequency",
                       "daily",
                       "--share-type",
                       "conditional",
                       "--share-reason",
                       "含个人信息",
                       "--share-legal-basis",
                       "《泰州市公共数据管理办法》第十四条",
                       "--open-type",
                       "not_open",
                       "--open-reason",
                       "含个人信息",
                       "--open-legal-basis",
                       "《江苏省公共数据管理办法》第二十五条",
                       "--content-hash",
                       "sha256:household",
                       "--size-bytes",
                       "1024"});
  ASSERT_EQ(tx.code, kExitOk) << tx.out << tx.err;
  const uint64_t height = json::parse(tx.out).value("height", uint64_t{0});
  ASSERT_GE(height, 1u) << tx.out;
  EXPECT_TRUE(WaitForAgreement(height)) << "hosts disagree; logs in " << dir_;
}

}  // namespace
}  // namespace shulian::cli
