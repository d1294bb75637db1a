// The `shulian` CLI end to end: a network written by `shulian network init`, three
// real shulian-node processes on 127.0.0.1, the sample scenario loaded through the
// API, and the supervisors' and users' commands run against what it recorded.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/cli/cli.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kNodes = 3;
constexpr int kLeaderWaitMs = 30'000;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun Shulian(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliRun run;
  run.code = RunCli(args, out, err, Environment{});
  run.out = out.str();
  run.err = err.str();
  return run;
}

class CliE2eTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "shulian-cli-e2e-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // Ports from the pid so that parallel runs on one machine do not collide.
    peer_base_ = 21000 + static_cast<int>(getpid() % 1000) * 10;
    api_base_ = peer_base_ + 10000;
    CliRun init = Shulian({"network", "init", "--out", net(), "--seed", "cli-e2e", "--peer-port-base",
                           std::to_string(peer_base_), "--api-port-base", std::to_string(api_base_)});
    ASSERT_EQ(init.code, kExitOk) << init.err;
    for (int id = 1; id <= kNodes; ++id) Start(id);
  }

  void TearDown() override {
    for (pid_t pid : pids_) kill(pid, SIGTERM);
    for (pid_t pid : pids_) {
      int status = 0;
      for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
      }
      if (waitpid(pid, &status, WNOHANG) == 0) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
      }
    }
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  void Start(int id) {
    std::string config = net() + "/node-" + std::to_string(id) + ".json";
    std::string log = dir_ + "/node-" + std::to_string(id) + ".log";
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
    pids_.push_back(pid);
  }

  std::string net() const { return dir_ + "/net"; }
  std::string Server(int id) const { return "127.0.0.1:" + std::to_string(api_base_ + id); }
  std::string Key(const std::string& account) const { return net() + "/keys/accounts/" + account + ".key"; }

  // The API of a node that knows the leader, or "" after the timeout.
  std::string WaitForLeader() const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLeaderWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      for (int id = 1; id <= kNodes; ++id) {
        CliRun status = Shulian({"status", "--server", Server(id), "--json"});
        if (status.code == kExitOk && json::parse(status.out).value("leader_id", json()).is_number())
          return Server(id);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "";
  }

  std::string dir_;
  int peer_base_ = 0;
  int api_base_ = 0;
  std::vector<pid_t> pids_;
};

TEST_F(CliE2eTest, ScenarioLoadsThroughTheCliAndSupervisorsTraceIt) {
  // Proves the sample scenario loads on a real 3-node network with every outcome as expected, the
  // supervisor's trace and summary find its five violations and the flagged second source, a rejected
  // transaction exits 1, and a read outside the caller's scope exits 1 without data.
  std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;

  CliRun load = Shulian({"scenario", "load", "network-configs/scenario/jiangsu-taizhou.json", "--keys", net(),
                         "--server", server});
  ASSERT_EQ(load.code, kExitOk) << load.out << load.err;

  // Any node answers (followers read through ReadIndex).
  CliRun scope = Shulian({"trace", "scope", "--authority", "321200", "--server", Server(3), "--account",
                          "tz.sjj.supervisor", "--key", Key("tz.sjj.supervisor"), "--json"});
  ASSERT_EQ(scope.code, kExitOk) << scope.err;
  EXPECT_EQ(json::parse(scope.out)["violations"].size(), 5u) << scope.out;

  CliRun summary = Shulian({"summary", "--authority", "321200", "--server", server, "--account",
                            "tz.sjj.supervisor", "--key", Key("tz.sjj.supervisor"), "--json"});
  ASSERT_EQ(summary.code, kExitOk) << summary.err;
  const json counters = json::parse(summary.out)["result"]["counters"];
  EXPECT_EQ(counters.value("violations", 0), 5) << summary.out;
  EXPECT_EQ(counters.value("duplicate_sources", 0), 1) << summary.out;  // Nanjing's second source, flagged

  CliRun history = Shulian({"asset", "history", "tz.scjgj.enterprise-registry", "--server", server,
                            "--account", "tz.scjgj.registrar", "--key", Key("tz.scjgj.registrar"), "--json"});
  ASSERT_EQ(history.code, kExitOk) << history.err;
  EXPECT_GE(json::parse(history.out)["result"].size(), 2u);  // registration and the corrected version

  CliRun rejected = Shulian({"tx",
                             "request_share",
                             "--request-id",
                             "req-e2e-1",
                             "--asset-id",
                             "tz.scjgj.food-license",
                             "--purpose",
                             "检查",
                             "--business-scenario",
                             "监督",
                             "--fields",
                             "license_no",
                             "--mode",
                             "request_response",
                             "--duration-days",
                             "10",
                             "--server",
                             Server(2),
                             "--account",
                             "tz.sjj.supervisor",
                             "--key",
                             Key("tz.sjj.supervisor"),
                             "--wait"});
  EXPECT_EQ(rejected.code, kExitFailed) << rejected.out << rejected.err;
  EXPECT_NE(rejected.out.find("REJECTED"), std::string::npos) << rejected.out;

  CliRun outside = Shulian({"overdue", "--authority", "321200", "--server", server, "--account",
                            "nj.ybj.user", "--key", Key("nj.ybj.user")});
  EXPECT_EQ(outside.code, kExitFailed) << outside.out << outside.err;
  EXPECT_TRUE(outside.out.empty());
}

}  // namespace
}  // namespace shulian::cli
