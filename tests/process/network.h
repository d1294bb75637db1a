// Test network for process-level tests: writes a genesis, node keys and one config
// per node into a temporary directory (with the library code the node itself
// uses), starts and stops real `shulian-node` processes on 127.0.0.1, and builds
// signed transactions and API clients for them.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/client.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "ledger/genesis.h"
#include "ledger/transaction.h"
#include "node/config.h"

namespace shulian::process_test {

inline constexpr char kNetworkId[] = "proc-test";

// Deterministic keys: "node-<id>" for nodes, the account id for accounts.
crypto::KeyPair KeyFor(const std::string& name);

class TestNetwork {
 public:
  // Generates `nodes` validators into a fresh temporary directory.
  explicit TestNetwork(size_t nodes);
  ~TestNetwork();  // kills every process it started and removes the directory

  const std::filesystem::path& dir() const { return dir_; }
  size_t size() const { return configs_.size(); }
  node::NodeConfig& config(uint64_t id) { return configs_.at(id - 1); }
  std::filesystem::path ConfigPath(uint64_t id) const;
  std::filesystem::path LogPath(uint64_t id) const;
  // Rewrites node `id`'s config file from config(id).
  void WriteConfig(uint64_t id);

  void Start(uint64_t id);
  void StartAll();
  // SIGKILL and reap.
  void Kill(uint64_t id);
  // SIGTERM, wait; returns the exit status (or -1 on timeout, after SIGKILL).
  int Terminate(uint64_t id);
  void Pause(uint64_t id);   // SIGSTOP
  void Resume(uint64_t id);  // SIGCONT
  bool Running(uint64_t id) const { return pids_.contains(id); }

  std::unique_ptr<api::ApiClient> Client(uint64_t id, const std::string& account = "") const;
  // GET /v1/status of node `id`, or an error when it does not answer.
  Result<nlohmann::json> StatusOf(uint64_t id) const;
  // Waits until every running node names the same leader; 0 on timeout.
  uint64_t WaitForLeader(int timeout_ms) const;
  // Waits until every running node reports the same height >= min_height and head
  // hash; returns that height or nullopt.
  std::optional<uint64_t> WaitForAgreement(uint64_t min_height, int timeout_ms) const;

  // A signed register_asset from the provider account "tz.prov".
  ledger::Transaction AssetTx(const std::string& asset_id) const;
  // The hash of genesis.json as the nodes read it (a test may rewrite the file
  // before starting them): what a transaction's signature binds.
  crypto::Digest GenesisHash() const;

 private:
  std::filesystem::path dir_;
  ledger::Genesis genesis_;
  std::vector<node::NodeConfig> configs_;
  std::map<uint64_t, pid_t> pids_;
};

// Runs `shulian-node --config path` to exit; returns its exit code and stderr.
struct RunResult {
  int exit_code = -1;
  std::string stderr_text;
  std::string stdout_text;
};
// Runs shulian-node `flag` `config` (--config or --check-config) until it exits.
RunResult RunNodeToExit(const std::filesystem::path& config, int timeout_ms, const char* flag = "--config");
// Runs shulian-node with `args` until it exits; its output goes to `capture`
// plus ".stderr" / ".stdout".
RunResult RunNodeCommand(const std::vector<std::string>& args, const std::filesystem::path& capture,
                         int timeout_ms);

int64_t NowMs();

// The operator account AddOperator puts in a TestNetwork's genesis (it may add and
// remove validators, hand leadership over, take backups); its key is KeyFor(kOperator).
inline constexpr char kOperator[] = "ops";
// Adds that account to the network's genesis file; call before starting the nodes.
void AddOperator(const TestNetwork& net);

// Load for tests that must lose no acknowledged write: a thread submits
// net.AssetTx("<prefix>-i-id") with wait_for_commit to nodes 1..size() in turn
// (a node that is down is skipped after a short pause) and keeps the hash of
// every one answered as committed.
class AcknowledgedWriter {
 public:
  AcknowledgedWriter(const TestNetwork& net, std::string prefix);
  ~AcknowledgedWriter() { Stop(); }
  AcknowledgedWriter(const AcknowledgedWriter&) = delete;
  AcknowledgedWriter& operator=(const AcknowledgedWriter&) = delete;

  void Stop();
  std::vector<std::string> acknowledged() const;
  // Waits (at most timeout_ms) until `more` further writes are acknowledged.
  bool WaitForMore(size_t more, int timeout_ms = 10'000) const;

 private:
  void Run();

  const TestNetwork& net_;
  const std::string prefix_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::string> acknowledged_;  // GUARDED_BY(mutex_)
  std::thread thread_;
};

// Every hash is in every node's own applied state (a stale read as the court).
void ExpectOnEveryNode(const TestNetwork& net, const std::vector<std::string>& hashes);

}  // namespace shulian::process_test
