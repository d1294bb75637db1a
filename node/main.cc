// shulian-node: one authority's node. Usage: shulian-node --config FILE
//
// Exit codes: 0 after a clean shutdown (SIGTERM or SIGINT), 1 when the node fails
// to start or stops on a fatal error, 2 for bad usage or bad configuration.
#include <pthread.h>
#include <signal.h>

#include <cstdio>
#include <ctime>
#include <string>
#include <string_view>

#include "node/config.h"
#include "node/log.h"
#include "node/node.h"

namespace {

constexpr int kExitFailure = 1;
constexpr int kExitBadConfig = 2;
constexpr long kSignalPollMs = 200;

int Usage() {
  std::fprintf(stderr, "usage: shulian-node --config FILE\n");
  return kExitBadConfig;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace shulian;
  std::string config_path;
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
