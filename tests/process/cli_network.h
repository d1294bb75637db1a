// Fixture for process tests driven through the `shulian` CLI: a network written by
// `shulian network init` into a mkdtemp directory, kNodes real shulian-node
// processes on 127.0.0.1 (ports derived from the test's pid so that parallel runs
// do not collide), the CLI run in-process, and helpers to address nodes and sign
// as test accounts. The directory is kept when the test failed (the node logs are
// in it). Needs SHULIAN_NODE_BINARY defined by the test's CMake fragment.
#pragma once

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "node/cli/cli.h"

namespace shulian::cli::e2e {

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

inline CliRun Shulian(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliRun run;
  run.code = RunCli(args, out, err, Environment{});
  run.out = out.str();
  run.err = err.str();
  return run;
}

class CliNetworkTest : public ::testing::Test {
 protected:
  static constexpr int kNodes = 3;
  static constexpr int kLeaderWaitMs = 30'000;

  // `seed` names the network's keys; `port_base` keeps fixtures apart.
  CliNetworkTest(std::string seed, int port_base) : seed_(std::move(seed)), port_base_(port_base) {}

  void SetUp() override {
    std::string pattern = (std::filesystem::temp_directory_path() / ("shulian-" + seed_ + "-XXXXXX")).string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // From the pid so parallel runs rarely meet; peers in [port_base, +3000), API
    // in [port_base + 3000, +6000): below the kernel's ephemeral range, which a
    // restarted node's port must stay out of (tests/process/test_ports.h).
    peer_base_ = port_base_ + static_cast<int>(getpid() % 300) * 10;
    api_base_ = peer_base_ + 3000;
    CliRun init = Shulian({"network", "init", "--out", net(), "--seed", seed_, "--peer-port-base",
                           std::to_string(peer_base_), "--api-port-base", std::to_string(api_base_)});
    ASSERT_EQ(init.code, kExitOk) << init.err;
    for (int id = 1; id <= kNodes; ++id) Start(id);
  }

  void TearDown() override {
    for (const auto& [id, pid] : pids_) kill(pid, SIGTERM);
    for (const auto& [id, pid] : pids_) Reap(pid);
    std::error_code error;
    if (!HasFailure()) std::filesystem::remove_all(dir_, error);
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
    pids_[id] = pid;
  }

  // SIGTERM and wait (SIGKILL after 10 s).
  void Stop(int id) {
    kill(pids_.at(id), SIGTERM);
    Reap(pids_.at(id));
    pids_.erase(id);
  }

  std::string net() const { return dir_ + "/net"; }
  std::string genesis() const { return net() + "/genesis.json"; }
  std::string Server(int id) const { return "127.0.0.1:" + std::to_string(api_base_ + id); }
  std::string Key(const std::string& account) const { return net() + "/keys/accounts/" + account + ".key"; }
  // --server, --account and --key for `account` at node `node`.
  std::vector<std::string> As(const std::string& account, int node) const {
    return {"--server", Server(node), "--account", account, "--key", Key(account)};
  }
  static std::vector<std::string> Join(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
  }

  // The API of a node that knows the leader, or "" after the timeout.
  std::string WaitForLeader() const {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLeaderWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      for (int id = 1; id <= kNodes; ++id) {
        CliRun status = Shulian({"status", "--server", Server(id), "--json"});
        if (status.code == kExitOk && nlohmann::json::parse(status.out).value("leader_id", nlohmann::json()).is_number())
          return Server(id);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    return "";
  }

  std::string dir_;

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

  const std::string seed_;
  const int port_base_;
  int peer_base_ = 0;
  int api_base_ = 0;
  std::map<int, pid_t> pids_;
};

}  // namespace shulian::cli::e2e
