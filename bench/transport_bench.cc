// transport_bench: what the peer transport costs on this machine. Two transports on
// 127.0.0.1 (one process, each with its own I/O thread); node 1 sends a burst of
// messages to node 2 and we time until the last one is delivered. Also times the
// handshake (both Starts until both sending connections are authenticated) and the
// AEAD channel alone. Prints figures; asserts nothing.
//
// Usage: transport_bench [messages]   (default 20000)
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "crypto/keys.h"
#include "crypto/session.h"
#include "node/log.h"
#include "node/transport.h"

namespace {

using Clock = std::chrono::steady_clock;
namespace node = shulian::node;
namespace crypto = shulian::crypto;

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

std::shared_ptr<const crypto::KeyPair> Key(uint8_t seed) {
  return std::make_shared<const crypto::KeyPair>(crypto::KeyPair::FromSeed(shulian::Bytes(32, seed)).value());
}

node::TransportOptions Options(uint64_t self, uint16_t self_port, uint64_t peer, uint16_t peer_port,
                               const std::shared_ptr<const crypto::KeyPair>& self_key,
                               const crypto::PublicKey& peer_key, size_t queue_frames) {
  node::TransportOptions options;
  options.network_id = "bench";
  options.self_id = self;
  options.listen_port = self_port;
  options.node_key = self_key;
  options.peers.push_back({peer, "127.0.0.1", peer_port, peer_key});
  options.send_queue_frames_max = queue_frames;
  options.connect_backoff_min_ms = 5;
  options.connect_backoff_max_ms = 50;
  return options;
}

// Runs one burst of `messages` payloads of `payload_bytes` from node 1 to node 2.
void Burst(size_t messages, size_t payload_bytes) {
  auto key1 = Key(1), key2 = Key(2);
  std::atomic<size_t> received{0};
  auto counter = [&received](uint64_t, shulian::Bytes) { received.fetch_add(1); };
  auto t2 = node::PeerTransport::Start(Options(2, 0, 1, 1, key2, key1->public_key(), messages), counter);
  if (!t2.ok()) {
    std::fprintf(stderr, "start: %s\n", t2.status().ToString().c_str());
    std::exit(1);
  }
  Clock::time_point start = Clock::now();
  auto t1 = node::PeerTransport::Start(
      Options(1, 0, 2, (*t2)->bound_port(), key1, key2->public_key(), messages), counter);
  if (!t1.ok()) std::exit(1);
  while (!(*t1)->peer_stats(2)->connected) std::this_thread::sleep_for(std::chrono::microseconds(100));
  double handshake_ms = Seconds(Clock::now() - start) * 1000;

  shulian::Bytes payload(payload_bytes, 0x5a);
  start = Clock::now();
  for (size_t i = 0; i < messages; ++i) {
    if (!(*t1)->Send(2, payload).ok()) std::exit(1);
  }
  while (received.load() < messages) std::this_thread::sleep_for(std::chrono::microseconds(200));
  double seconds = Seconds(Clock::now() - start);
  std::printf("burst  %8zu x %7zu B: %9.0f msg/s  %8.1f MB/s  (connect+handshake %.2f ms, dropped %llu)\n",
              messages, payload_bytes, static_cast<double>(messages) / seconds,
              static_cast<double>(messages * payload_bytes) / seconds / 1e6, handshake_ms,
              static_cast<unsigned long long>((*t1)->peer_stats(2)->frames_dropped));
}

void ChannelOnly(size_t payload_bytes, size_t frames) {
  crypto::KxKeyPair a = crypto::KxKeyPair::Generate(), b = crypto::KxKeyPair::Generate();
  crypto::SecureChannel tx(a.ClientSessionKeys(b.public_key()).value());
  crypto::SecureChannel rx(b.ServerSessionKeys(a.public_key()).value());
  shulian::Bytes payload(payload_bytes, 1);
  Clock::time_point start = Clock::now();
  for (size_t i = 0; i < frames; ++i) {
    auto sealed = tx.Seal(payload);
    if (!rx.Open(*sealed).ok()) std::exit(1);
  }
  double seconds = Seconds(Clock::now() - start);
  std::printf("aead   %8zu x %7zu B: %9.0f seal+open/s  %8.1f MB/s\n", frames, payload_bytes,
              static_cast<double>(frames) / seconds,
              static_cast<double>(frames * payload_bytes) / seconds / 1e6);
}

}  // namespace

int main(int argc, char** argv) {
  size_t messages = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 20000;
  if (!crypto::Initialize().ok()) return 1;
  node::SetMinLogLevel(node::LogLevel::kWarn);
  ChannelOnly(100, 200000);
  ChannelOnly(16 * 1024, 20000);
  Burst(messages, 100);
  Burst(messages, 1024);
  Burst(messages / 10, 64 * 1024);
  return 0;
}
