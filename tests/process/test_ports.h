// Loopback ports for test nodes that may be stopped and restarted on the same port.
// A port from the kernel's ephemeral range (32768-60999 by default) is unsafe for
// that: while a node is down, any process's outgoing connection may be given its
// port, and the restarted node then fails to bind. These come from 10000-19999,
// below that range, chosen at random so parallel test processes rarely meet,
// checked free by binding, and never handed out twice in one process.
//
// The process tests' other ports, all below 32768: load_test 1100-4999; the
// CLI-driven fixtures (cli_network.h) cli_e2e 20000-25999, evidence 26000-31999,
// console_authority 14000-19999, console_supervisor 8110-14109, console_court 8115-14114
// (5 apart from the supervisor's bases, so their three-port blocks never meet).
// The sample network of scripts/run-local.sh uses 7101-7103 and 8101-8103.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdint>
#include <mutex>
#include <random>
#include <set>

namespace shulian::test_ports {

inline bool CanBindLoopback(uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(fd);
  return bound;
}

// 0 if no free port was found (the caller's bind then fails loudly).
inline uint16_t UnusedTestPort() {
  constexpr uint16_t kFirst = 10'000;
  constexpr uint16_t kCount = 10'000;
  static std::mutex mutex;
  static std::mt19937 random(std::random_device{}() ^ static_cast<uint32_t>(::getpid()));
  static std::set<uint16_t> handed_out;
  std::lock_guard<std::mutex> lock(mutex);
  for (int attempt = 0; attempt < 1'000; ++attempt) {
    const uint16_t port = static_cast<uint16_t>(kFirst + random() % kCount);
    if (handed_out.count(port) == 0 && CanBindLoopback(port)) {
      handed_out.insert(port);
      return port;
    }
  }
  return 0;
}

}  // namespace shulian::test_ports
