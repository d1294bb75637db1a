// shulian-node: one authority's node. Usage: shulian-node --config FILE
//                                             shulian-node --check-config FILE
//                                             shulian-node restore --config FILE --from DIR [--move-aside]
//
// Exit codes: 0 after a clean shutdown (SIGTERM or SIGINT), a config that passes
// --check-config or a finished restore, 1 when the node fails to start, stops on
// a fatal error or a restore fails on I/O, 2 for bad usage or bad configuration,
// 3 for a backup that restore refuses (damaged, or of another network, genesis
// or node) or a data folder it will not replace; nothing was changed then.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "node/backup.h"
#include "node/config.h"
#include "node/config_check.h"
#include "node/log.h"
#include "node/node.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;
constexpr int kExitRestoreRefused = 3;
constexpr long kSignalPollMs = 200;

int Usage() {
  std::fprintf(stderr,
               "usage: shulian-node --config FILE | --check-config FILE |\n"
               "       shulian-node restore --config FILE --from DIR [--move-aside]\n");
  return kExitBadConfig;
}

// Parses the config and runs the start-up file checks (node/config_check.h)
// without opening the database or a port.
int CheckConfig(const std::string& path) {
  using namespace shulian;
  Result<node::NodeConfig> config = node::LoadNodeConfigFile(path);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().message().c_str());
    return kExitBadConfig;
  }
  Result<node::CheckedFiles> files = node::CheckNodeFiles(*config);
  if (!files.ok()) {
    std::fprintf(stderr, "config: %s\n", files.status().message().c_str());
    return kExitBadConfig;
  }
  std::printf("%s: ok — node %llu of network \"%s\" (genesis %s), %s; key %s; data %s\n", path.c_str(),
              static_cast<unsigned long long>(config->node_id), config->network_id.c_str(),
              files->genesis.Hash().ToHex().c_str(),
              files->joining ? "not a genesis validator (joins through add_validator)" : "a genesis validator",
              files->node_key->public_key().ToHex().c_str(), config->data_dir.c_str());
  return 0;
}

// Restores a backup (node/backup.h) into the stopped node's data folder.
int Restore(int argc, char** argv) {
  using namespace shulian;
  std::string config_path;
  std::string from;
  bool move_aside = false;
  for (int i = 2; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg == "--from" && i + 1 < argc) {
      from = argv[++i];
    } else if (arg == "--move-aside") {
      move_aside = true;
    } else {
      return Usage();
    }
  }
  if (config_path.empty() || from.empty()) return Usage();
  Result<node::NodeConfig> config = node::LoadNodeConfigFile(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().message().c_str());
    return kExitBadConfig;
  }
  Result<node::CheckedFiles> files = node::CheckNodeFiles(*config);
  if (!files.ok()) {
    std::fprintf(stderr, "config: %s\n", files.status().message().c_str());
    return kExitBadConfig;
  }
  const node::BackupIdentity identity{config->network_id, files->genesis.Hash(), config->node_id};
  Result<node::RestoreOutcome> restored = node::RestoreBackup(from, identity, config->data_dir, move_aside);
  if (!restored.ok()) {
    const bool io = restored.status().code() == ErrorCode::kIoError;
    std::fprintf(stderr, "restore: %s%s\n", io ? "" : "refused: ", restored.status().message().c_str());
    return io ? kExitFailure : kExitRestoreRefused;
  }
  if (restored->moved_aside)
    std::printf("moved the old database aside to %s\n", restored->moved_aside->c_str());
  std::printf(
      "restored node %llu of network \"%s\" into %s: height %llu, head %s, applied index %llu, raft term "
      "%llu, %zu files checked (backup of %s); start the node to rejoin and catch up\n",
      static_cast<unsigned long long>(config->node_id), config->network_id.c_str(),
      (config->data_dir / "db").c_str(), static_cast<unsigned long long>(restored->manifest.height),
      restored->manifest.head_hash.ToHex().c_str(),
      static_cast<unsigned long long>(restored->manifest.applied_index),
      static_cast<unsigned long long>(restored->manifest.raft_term), restored->manifest.files.size(),
      restored->manifest.created_at.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shulian;
  std::string config_path;
  if (argc == 3 && std::string_view(argv[1]) == "--check-config") return CheckConfig(argv[2]);
  if (argc >= 2 && std::string_view(argv[1]) == "restore") return Restore(argc, argv);
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--config" && i + 1 < argc) {
      config_path = argv[++i];
    } else if (arg.starts_with("--config=")) {
      config_path = std::string(arg.substr(9));
    } else {
      return Usage();
    }
  }
  if (config_path.empty()) return Usage();

  Result<node::NodeConfig> config = node::LoadNodeConfigFile(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "config: %s\n", config.status().message().c_str());
    return kExitBadConfig;
  }

  // Every thread started from here on inherits the blocked set, so the signals
  // reach only the sigtimedwait below.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  signal(SIGPIPE, SIG_IGN);

  Result<std::unique_ptr<node::Node>> started = node::Node::Start(*config);
  if (!started.ok()) {
    const bool bad_config = started.status().code() == ErrorCode::kInvalidArgument;
    std::fprintf(stderr, "%s%s\n", bad_config ? "config: " : "shulian-node: ", started.status().message().c_str());
    return bad_config ? kExitBadConfig : kExitFailure;
  }
  std::unique_ptr<node::Node> running = std::move(started).value();

  const timespec poll{0, kSignalPollMs * 1'000'000};
  while (true) {
    int received = sigtimedwait(&signals, nullptr, &poll);
    if (received == SIGTERM || received == SIGINT) {
      node::Log(node::LogLevel::kInfo, "main", "shutting down on a signal",
                {{"signal", received == SIGTERM ? "SIGTERM" : "SIGINT"}});
      running->Stop();
      return 0;
    }
    if (running->failed()) {
      Status why = running->fatal_error();
      running->Stop();
      std::fprintf(stderr, "shulian-node: stopped: %s\n", why.ToString().c_str());
      return kExitFailure;
    }
  }
}
