#include "node/transport.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "crypto/keys.h"
#include "crypto/session.h"
#include "node/frame.h"
#include "node/handshake.h"
#include "node/log.h"

namespace shulian::node {
namespace {

using namespace std::chrono_literals;

constexpr char kNetwork[] = "jiangsu-test";

std::shared_ptr<const crypto::KeyPair> KeyFor(uint64_t seed_byte) {
  Bytes seed(32, static_cast<uint8_t>(seed_byte));
  Result<crypto::KeyPair> pair = crypto::KeyPair::FromSeed(seed);
  EXPECT_TRUE(pair.ok());
  return std::make_shared<const crypto::KeyPair>(std::move(pair).value());
}

// Holds a port on 127.0.0.1: a socket bound with SO_REUSEADDR but never listening.
// The transport (which also sets SO_REUSEADDR) can still bind and listen there, while
// the kernel hands the port to no one else — neither another bind to port 0 nor an
// outgoing connection's source port — so concurrent test runs cannot steal it.
class PortReservation {
 public:
  PortReservation() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    EXPECT_GE(fd_, 0);
    int one = 1;
    EXPECT_EQ(::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
    socklen_t length = sizeof(address);
    EXPECT_EQ(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length), 0);
    port_ = ntohs(address.sin_port);
  }
  PortReservation(const PortReservation&) = delete;
  PortReservation& operator=(const PortReservation&) = delete;
  ~PortReservation() { ::close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

// Polls `predicate` until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = 5000ms) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(5ms);
  }
  return predicate();
}

// Collects what a transport delivers.
class Inbox {
 public:
  PeerTransport::MessageHandler Handler() {
    return [this](uint64_t from, Bytes payload) {
      std::lock_guard<std::mutex> lock(mutex_);
      messages_.emplace_back(from, std::string(AsStringView(payload)));
      changed_.notify_all();
    };
  }
  bool WaitForCount(size_t count, std::chrono::milliseconds timeout = 5000ms) {
    std::unique_lock<std::mutex> lock(mutex_);
    return changed_.wait_for(lock, timeout, [&] { return messages_.size() >= count; });
  }
  std::vector<std::pair<uint64_t, std::string>> messages() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return messages_;
  }
  std::vector<std::string> From(uint64_t id) const {
    std::vector<std::string> out;
    for (const auto& [from, text] : messages()) {
      if (from == id) out.push_back(text);
    }
    return out;
  }

 private:
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::vector<std::pair<uint64_t, std::string>> messages_;
};

// Captures log lines for the duration of a test.
class LogCapture {
 public:
  LogCapture() {
    SetLogSink([this](const std::string& line) {
      std::lock_guard<std::mutex> lock(mutex_);
      lines_.push_back(line);
    });
  }
  ~LogCapture() { SetLogSink({}); }
  bool Contains(const std::string& a, const std::string& b = "") const {
    std::lock_guard<std::mutex> lock(mutex_);
    return std::any_of(lines_.begin(), lines_.end(), [&](const std::string& line) {
      return line.find(a) != std::string::npos && line.find(b) != std::string::npos;
    });
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

// A node of a test network: id, key and a port reserved for the whole test.
struct TestNode {
  uint64_t id;
  std::shared_ptr<const crypto::KeyPair> key;
  uint16_t port;
  std::shared_ptr<PortReservation> reservation;
};

TestNode MakeNode(uint64_t id) {
  auto reservation = std::make_shared<PortReservation>();
  uint16_t port = reservation->port();
  return {id, KeyFor(id), port, std::move(reservation)};
}

TransportOptions OptionsFor(const TestNode& self, const std::vector<TestNode>& others,
                            const std::string& network = kNetwork) {
  TransportOptions options;
  options.network_id = network;
  options.self_id = self.id;
  options.listen_port = self.port;
  options.node_key = self.key;
  for (const TestNode& other : others) {
    options.peers.push_back({other.id, "127.0.0.1", other.port, other.key->public_key()});
  }
  options.connect_backoff_min_ms = 10;
  options.connect_backoff_max_ms = 200;
  options.handshake_timeout_ms = 2000;
  options.inbound_handshake_timeout_ms = 2000;
  options.max_frame_bytes = 64 * 1024;
  options.backoff_seed = self.id;
  return options;
}

std::unique_ptr<PeerTransport> StartOrDie(TransportOptions options, Inbox& inbox) {
  Result<std::unique_ptr<PeerTransport>> transport =
      PeerTransport::Start(std::move(options), inbox.Handler());
  EXPECT_TRUE(transport.ok()) << transport.status().ToString();
  return transport.ok() ? std::move(transport).value() : nullptr;
}

bool Connected(const PeerTransport& transport, uint64_t peer) {
  std::optional<PeerStats> stats = transport.peer_stats(peer);
  return stats.has_value() && stats->connected;
}

// A hand-driven peer over a blocking POSIX socket, speaking the protocol through
// the same Handshake and framing code as the transport, so a test can send bytes
// no honest transport would (tampered frames, oversized lengths).
class RawPeer {
 public:
  // Connects to 127.0.0.1:`port` from `source` (any loopback address: Linux routes
  // all of 127.0.0.0/8 to the loopback interface).
  explicit RawPeer(uint16_t port, const char* source = "127.0.0.1") : decoder_(kHelloBytesMax) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    EXPECT_EQ(::inet_pton(AF_INET, source, &local.sin_addr), 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0) << source;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    timeval timeout{3, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  }
  ~RawPeer() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool SendAll(ByteView bytes) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t rc = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (rc <= 0) return false;
      sent += static_cast<size_t>(rc);
    }
    return true;
  }

  // The next frame body, or nullopt if the peer closed or 3 s passed.
  std::optional<Bytes> ReadFrame(size_t body_bytes_max) {
    decoder_.set_body_bytes_max(body_bytes_max);
    while (true) {
      Result<std::optional<Bytes>> frame = decoder_.Next();
      if (!frame.ok()) return std::nullopt;
      if (frame->has_value()) return std::move(frame).value();
      uint8_t buffer[4096];
      ssize_t rc = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (rc <= 0) return std::nullopt;
      if (!decoder_.Append(ByteView(buffer, static_cast<size_t>(rc))).ok()) return std::nullopt;
    }
  }

  // True once the other side has closed the connection (EOF or reset).
  bool WaitClosed() {
    for (int i = 0; i < 3; ++i) {
      uint8_t buffer[256];
      ssize_t rc = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (rc == 0) return true;
      if (rc < 0 && errno == ECONNRESET) return true;
      if (rc < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return false;  // 3 s without a close
    }
    return false;
  }

  // Runs the initiator's side of the handshake as `self` against transport node `target`.
  bool Handshake(const std::string& network, const TestNode& self, const TestNode& target) {
    peer_keys_ = {{target.id, target.key->public_key()}};
    handshake_.emplace(HandshakeRole::kInitiator, network, self.id, *self.key, peer_keys_, target.id,
                       crypto::KxKeyPair::Generate());
    if (!SendAll(EncodeFrame(handshake_->own_hello()))) return false;
    std::optional<Bytes> hello = ReadFrame(kHelloBytesMax);
    if (!hello.has_value()) return false;
    Result<Bytes> auth = handshake_->OnPeerHello(*hello);
    if (!auth.ok() || !SendAll(EncodeFrame(*auth))) return false;
    std::optional<Bytes> peer_auth = ReadFrame(kAuthFrameBytes);
    if (!peer_auth.has_value() || !handshake_->OnPeerAuth(*peer_auth).ok()) return false;
    channel_.emplace(handshake_->TakeChannel());
    return true;
  }

  // A sealed data frame carrying `text`, ready to send (or to tamper with first).
  Bytes SealedFrame(std::string_view text) {
    Result<Bytes> sealed = channel_->Seal(AsBytes(text));
    EXPECT_TRUE(sealed.ok());
    return EncodeFrame(*sealed);
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  FrameDecoder decoder_;
  std::map<uint64_t, crypto::PublicKey> peer_keys_;
  std::optional<node::Handshake> handshake_;
  std::optional<crypto::SecureChannel> channel_;
};

class TransportTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize().ok()); }
};

// ---------------------------------------------------------------- framing

// Frames split at every possible point, and several in one piece, decode to the same bodies.
TEST(FrameDecoderTest, DecodesFramesRegardlessOfHowBytesArrive) {
  Bytes stream;
  for (std::string text : {"one", "", "three three"}) {
    Bytes frame = EncodeFrame(AsBytes(text));
    stream.insert(stream.end(), frame.begin(), frame.end());
  }
  for (size_t split = 0; split <= stream.size(); ++split) {
    FrameDecoder decoder(100);
    std::vector<std::string> bodies;
    for (ByteView piece : {ByteView(stream).first(split), ByteView(stream).subspan(split)}) {
      ASSERT_TRUE(decoder.Append(piece).ok());
      while (true) {
        Result<std::optional<Bytes>> next = decoder.Next();
        ASSERT_TRUE(next.ok());
        if (!next->has_value()) break;
        bodies.emplace_back(AsStringView(**next));
      }
    }
    EXPECT_EQ(bodies, (std::vector<std::string>{"one", "", "three three"})) << "split " << split;
    EXPECT_EQ(decoder.buffered_bytes(), 0u);
  }
}

// A length over the limit fails as soon as the 4 length bytes arrive, and the decoder stays failed.
TEST(FrameDecoderTest, OversizedLengthRejectedBeforeBody) {
  FrameDecoder decoder(100);
  ASSERT_TRUE(decoder.Append(Bytes{0, 0, 0, 101}).ok());
  Result<std::optional<Bytes>> next = decoder.Next();
  ASSERT_FALSE(next.ok());
  EXPECT_NE(next.status().message().find("101"), std::string::npos);
  EXPECT_FALSE(decoder.Next().ok());
  EXPECT_FALSE(decoder.Append(Bytes{1}).ok());
}

// A caller that never drains cannot make the decoder buffer without bound.
TEST(FrameDecoderTest, BufferIsBounded) {
  FrameDecoder decoder(16);
  EXPECT_FALSE(decoder.Append(Bytes(kFrameAppendBytesMax + 1, 0)).ok());
  FrameDecoder filling(16);
  ASSERT_TRUE(filling.Append(Bytes(kFrameAppendBytesMax, 0)).ok());
  EXPECT_EQ(filling.Append(Bytes(kFrameHeaderBytes + 17, 0)).code(), ErrorCode::kResourceExhausted);
}

// ---------------------------------------------------------------- hello and handshake

Hello SampleHello() {
  Hello hello;
  hello.network_id = kNetwork;
  hello.node_id = 7;
  hello.ephemeral_key.bytes.fill(9);
  return hello;
}

// A hello survives encode/parse unchanged and never exceeds kHelloBytesMax.
TEST(HelloTest, RoundTrip) {
  Bytes bytes = EncodeHello(SampleHello());
  Result<Hello> parsed = ParseHello(bytes);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->network_id, kNetwork);
  EXPECT_EQ(parsed->node_id, 7u);
  EXPECT_EQ(parsed->ephemeral_key, SampleHello().ephemeral_key);
  Hello longest = SampleHello();
  longest.network_id = std::string(kNetworkIdBytesMax, 'a');
  EXPECT_EQ(EncodeHello(longest).size(), kHelloBytesMax);
}

// Malformed hellos are refused with an error naming the field.
TEST(HelloTest, MalformedHellosNameTheField) {
  Bytes good = EncodeHello(SampleHello());
  Bytes bad_magic = good;
  bad_magic[0] = 'S';
  EXPECT_NE(ParseHello(bad_magic).status().message().find("hello.magic"), std::string::npos);
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_NE(ParseHello(trailing).status().message().find("trailing"), std::string::npos);
  Bytes truncated(good.begin(), good.end() - 1);
  EXPECT_NE(ParseHello(truncated).status().message().find("hello.ephemeral_key"), std::string::npos);
  Hello upper = SampleHello();
  upper.network_id = "Jiangsu";
  EXPECT_NE(ParseHello(EncodeHello(upper)).status().message().find("hello.network_id"), std::string::npos);
  Hello empty = SampleHello();
  empty.network_id = "";
  EXPECT_FALSE(ParseHello(EncodeHello(empty)).ok());
}

// Two handshakes driven by hand against each other: the result of `initiator` and `responder` steps.
struct HandshakeRun {
  Status initiator_hello;
  Status responder_hello;
  Status initiator_auth;
  Status responder_auth;
};

HandshakeRun RunHandshake(Handshake& initiator, Handshake& responder) {
  HandshakeRun run;
  Result<Bytes> i_auth = initiator.OnPeerHello(responder.own_hello());
  Result<Bytes> r_auth = responder.OnPeerHello(initiator.own_hello());
  run.initiator_hello = i_auth.status();
  run.responder_hello = r_auth.status();
  if (i_auth.ok() && r_auth.ok()) {
    run.initiator_auth = initiator.OnPeerAuth(*r_auth);
    run.responder_auth = responder.OnPeerAuth(*i_auth);
  }
  return run;
}

class HandshakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize().ok());
    key1_ = KeyFor(1);
    key2_ = KeyFor(2);
    keys_for_1_ = {{2, key2_->public_key()}};
    keys_for_2_ = {{1, key1_->public_key()}};
  }
  std::shared_ptr<const crypto::KeyPair> key1_, key2_;
  std::map<uint64_t, crypto::PublicKey> keys_for_1_, keys_for_2_;
};

// Honest nodes finish the handshake and the resulting channels talk both ways.
TEST_F(HandshakeTest, HonestNodesOpenASession) {
  Handshake a(HandshakeRole::kInitiator, kNetwork, 1, *key1_, keys_for_1_, 2, crypto::KxKeyPair::Generate());
  Handshake b(HandshakeRole::kResponder, kNetwork, 2, *key2_, keys_for_2_, 0, crypto::KxKeyPair::Generate());
  HandshakeRun run = RunHandshake(a, b);
  ASSERT_TRUE(run.initiator_auth.ok()) << run.initiator_auth.ToString();
  ASSERT_TRUE(run.responder_auth.ok()) << run.responder_auth.ToString();
  EXPECT_EQ(a.peer_id(), 2u);
  EXPECT_EQ(b.peer_id(), 1u);
  crypto::SecureChannel ca = a.TakeChannel();
  crypto::SecureChannel cb = b.TakeChannel();
  Result<Bytes> sealed = ca.Seal(AsBytes("ping"));
  ASSERT_TRUE(sealed.ok());
  Result<Bytes> opened = cb.Open(*sealed);
  ASSERT_TRUE(opened.ok());
  EXPECT_EQ(AsStringView(*opened), "ping");
}

// A node whose key is not the one listed for its id fails at the signature check.
TEST_F(HandshakeTest, WrongNodeKeyFailsSignature) {
  auto impostor_key = KeyFor(99);
  Handshake a(HandshakeRole::kInitiator, kNetwork, 1, *impostor_key, keys_for_1_, 2,
              crypto::KxKeyPair::Generate());
  Handshake b(HandshakeRole::kResponder, kNetwork, 2, *key2_, keys_for_2_, 0, crypto::KxKeyPair::Generate());
  HandshakeRun run = RunHandshake(a, b);
  EXPECT_EQ(run.responder_auth.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(run.responder_auth.message().find("failed to prove its node key"), std::string::npos);
  EXPECT_FALSE(b.is_open());
}

// Unknown ids, our own id, another network and a dialled-id mismatch are refused at the hello.
TEST_F(HandshakeTest, HelloChecksRefuse) {
  auto attempt = [&](uint64_t claimed_id, const std::string& network, uint64_t dialled) {
    Handshake a(HandshakeRole::kInitiator, kNetwork, 1, *key1_, keys_for_1_, dialled,
                crypto::KxKeyPair::Generate());
    Handshake b(HandshakeRole::kResponder, network, claimed_id, *key2_, keys_for_2_, 0,
                crypto::KxKeyPair::Generate());
    return a.OnPeerHello(b.own_hello()).status();
  };
  EXPECT_NE(attempt(3, kNetwork, 2).message().find("unknown node id 3"), std::string::npos);
  EXPECT_NE(attempt(1, kNetwork, 2).message().find("our own node id"), std::string::npos);
  EXPECT_NE(attempt(2, "other-net", 2).message().find("network \"other-net\""), std::string::npos);
  Status mismatch = attempt(2, kNetwork, 5);
  EXPECT_NE(mismatch.message().find("dialled node 5"), std::string::npos);
}

// A signature is bound to its role: the responder's auth frame cannot stand in for the initiator's.
TEST_F(HandshakeTest, SignatureIsBoundToRoleAndTranscript) {
  // Same key on both ends (ids 1 and 2 both map to key1) so only the role label differs.
  std::map<uint64_t, crypto::PublicKey> same = {{1, key1_->public_key()}, {2, key1_->public_key()}};
  Handshake a(HandshakeRole::kInitiator, kNetwork, 1, *key1_, same, 2, crypto::KxKeyPair::Generate());
  Handshake b(HandshakeRole::kResponder, kNetwork, 2, *key1_, same, 0, crypto::KxKeyPair::Generate());
  Handshake c(HandshakeRole::kResponder, kNetwork, 2, *key1_, same, 0, crypto::KxKeyPair::Generate());
  Result<Bytes> a_auth = a.OnPeerHello(b.own_hello());
  Result<Bytes> b_auth = b.OnPeerHello(a.own_hello());
  ASSERT_TRUE(a_auth.ok() && b_auth.ok());
  // An auth frame from another session (c) does not authenticate in a's session.
  Result<Bytes> c_auth = c.OnPeerHello(a.own_hello());
  ASSERT_TRUE(c_auth.ok());
  EXPECT_FALSE(a.OnPeerAuth(*c_auth).ok());
  EXPECT_TRUE(b.OnPeerAuth(*a_auth).ok());
}

// ---------------------------------------------------------------- logging

// Lines carry level, component, fields and a quoted message; the minimum level filters.
TEST(LogTest, StructuredLinesAndMinimumLevel) {
  std::string line = FormatLogLine(LogLevel::kWarn, "transport", "handshake refused: \"x\"",
                                   {{"peer", "2"}, {"remote", "127.0.0.1:9"}});
  EXPECT_EQ(line,
            "level=warn component=transport peer=2 remote=127.0.0.1:9 "
            "msg=\"handshake refused: \\\"x\\\"\"");
  LogCapture capture;
  LogLevel saved = MinLogLevel();
  SetMinLogLevel(LogLevel::kWarn);
  Log(LogLevel::kInfo, "transport", "hidden");
  Log(LogLevel::kWarn, "transport", "shown line\nwith newline");
  SetMinLogLevel(saved);
  EXPECT_FALSE(capture.Contains("hidden"));
  EXPECT_TRUE(capture.Contains("level=warn", "msg=\"shown line\\nwith newline\""));
  LogLevel parsed = LogLevel::kDebug;
  EXPECT_TRUE(ParseLogLevel("error", &parsed));
  EXPECT_EQ(parsed, LogLevel::kError);
  EXPECT_FALSE(ParseLogLevel("loud", &parsed));
}

// ---------------------------------------------------------------- options

// Each bad option is refused with an error naming the field.
TEST_F(TransportTest, BadOptionsNameTheField) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox;
  auto expect_field = [&](const std::function<void(TransportOptions&)>& breakit, const std::string& field) {
    TransportOptions options = OptionsFor(a, {b});
    breakit(options);
    Result<std::unique_ptr<PeerTransport>> started = PeerTransport::Start(options, inbox.Handler());
    ASSERT_FALSE(started.ok()) << field;
    EXPECT_NE(started.status().message().find(field), std::string::npos) << started.status().ToString();
  };
  expect_field([](auto& o) { o.network_id = "Bad Net"; }, "network_id");
  expect_field([](auto& o) { o.self_id = 0; }, "self_id");
  expect_field([](auto& o) { o.node_key = nullptr; }, "node_key");
  expect_field([](auto& o) { o.peers[0].id = 1; }, "peers[0].id");
  expect_field([](auto& o) { o.peers.push_back(o.peers[0]); }, "peers[1].id");
  expect_field([](auto& o) { o.peers[0].port = 0; }, "peers[0].port");
  expect_field([](auto& o) { o.max_frame_bytes = 0; }, "max_frame_bytes");
  expect_field([](auto& o) { o.send_queue_frames_max = 0; }, "send_queue_frames_max");
  expect_field(
      [](auto& o) {
        o.connect_backoff_max_ms = 1;
        o.connect_backoff_min_ms = 5;
      },
      "connect_backoff_max_ms");
  expect_field([](auto& o) { o.handshake_timeout_ms = 0; }, "handshake_timeout_ms");
  expect_field([](auto& o) { o.inbound_handshake_timeout_ms = 0; }, "inbound_handshake_timeout_ms");
  expect_field([](auto& o) { o.inbound_handshake_timeout_ms = 600'001; }, "inbound_handshake_timeout_ms");
  expect_field([](auto& o) { o.pending_handshakes_max = 0; }, "pending_handshakes_max");
  expect_field([](auto& o) { o.pending_handshakes_per_address_max = 0; },
               "pending_handshakes_per_address_max");
  expect_field(
      [](auto& o) {
        o.pending_handshakes_max = 8;
        o.pending_handshakes_per_address_max = 9;
      },
      "pending_handshakes_per_address_max");
  expect_field([](auto& o) { o.listen_host = "not-an-address"; }, "listen_host");
}

// ---------------------------------------------------------------- real transports

// Two transports deliver messages both ways, in order, and count them.
TEST_F(TransportTest, TwoNodesExchangeBothWays) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b);
  ASSERT_TRUE(ta && tb);
  for (int i = 0; i < 20; ++i) {
    ASSERT_TRUE(ta->Send(2, ToBytes("a" + std::to_string(i))).ok());
    ASSERT_TRUE(tb->Send(1, ToBytes("b" + std::to_string(i))).ok());
  }
  ASSERT_TRUE(inbox_b.WaitForCount(20));
  ASSERT_TRUE(inbox_a.WaitForCount(20));
  std::vector<std::string> expected_at_b, expected_at_a;
  for (int i = 0; i < 20; ++i) {
    expected_at_b.push_back("a" + std::to_string(i));
    expected_at_a.push_back("b" + std::to_string(i));
  }
  EXPECT_EQ(inbox_b.From(1), expected_at_b);
  EXPECT_EQ(inbox_a.From(2), expected_at_a);
  // The sender counts a frame when its write completes, which may be after delivery.
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->frames_sent == 20; }));
  PeerStats a_to_b = *ta->peer_stats(2);
  EXPECT_TRUE(a_to_b.connected);
  EXPECT_EQ(a_to_b.frames_sent, 20u);
  EXPECT_EQ(a_to_b.frames_received, 20u);
  EXPECT_EQ(a_to_b.frames_dropped, 0u);
  EXPECT_GT(a_to_b.bytes_sent, 0u);
  EXPECT_EQ(ta->stats().handshakes_refused, 0u);
}

// Three transports: every node reaches every other, with the sender's id attached.
TEST_F(TransportTest, ThreeNodesAllPairs) {
  std::vector<TestNode> nodes = {MakeNode(1), MakeNode(2), MakeNode(3)};
  Inbox inboxes[3];
  std::vector<std::unique_ptr<PeerTransport>> transports;
  for (size_t i = 0; i < 3; ++i) {
    std::vector<TestNode> others;
    for (size_t j = 0; j < 3; ++j) {
      if (j != i) others.push_back(nodes[j]);
    }
    transports.push_back(StartOrDie(OptionsFor(nodes[i], others), inboxes[i]));
    ASSERT_NE(transports.back(), nullptr);
  }
  for (size_t i = 0; i < 3; ++i) {
    for (size_t j = 0; j < 3; ++j) {
      if (i == j) continue;
      std::string text = std::to_string(i + 1) + "->" + std::to_string(j + 1);
      ASSERT_TRUE(transports[i]->Send(nodes[j].id, ToBytes(text)).ok());
    }
  }
  for (size_t j = 0; j < 3; ++j) {
    ASSERT_TRUE(inboxes[j].WaitForCount(2));
    for (size_t i = 0; i < 3; ++i) {
      if (i == j) continue;
      EXPECT_EQ(inboxes[j].From(nodes[i].id),
                std::vector<std::string>{std::to_string(i + 1) + "->" + std::to_string(j + 1)});
    }
  }
}

// A node whose id the config does not list is refused: counted, logged, nothing delivered.
TEST_F(TransportTest, UnknownNodeRefused) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2), stranger = MakeNode(9);
  Inbox inbox_a, inbox_stranger;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto ts = StartOrDie(OptionsFor(stranger, {a}), inbox_stranger);
  ASSERT_TRUE(ta && ts);
  ASSERT_TRUE(ts->Send(1, ToBytes("let me in")).ok());
  ASSERT_TRUE(WaitUntil([&] { return ta->stats().handshakes_refused >= 2; }));
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn component=transport", "unknown node id 9"); }));
  EXPECT_NE(ta->stats().last_refusal.find("unknown node id 9"), std::string::npos);
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(inbox_a.messages().empty());
  EXPECT_FALSE(Connected(*ts, 1));
}

// A node claiming a listed id without that id's key is refused in both directions.
TEST_F(TransportTest, ImpostorWithWrongKeyRefused) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  TestNode impostor{2, KeyFor(77), b.port, b.reservation};  // b's id and address, another key
  Inbox inbox_a, inbox_impostor;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto ti = StartOrDie(OptionsFor(impostor, {a}), inbox_impostor);
  ASSERT_TRUE(ta && ti);
  ASSERT_TRUE(ti->Send(1, ToBytes("i am node 2")).ok());
  ASSERT_TRUE(ta->Send(2, ToBytes("for the real node 2 only")).ok());
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->handshake_failures >= 2; }));
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("peer=2", "failed to prove its node key"); }));
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(inbox_a.messages().empty());
  EXPECT_TRUE(inbox_impostor.messages().empty());
  EXPECT_FALSE(Connected(*ta, 2));
  EXPECT_EQ(ta->peer_stats(2)->frames_sent, 0u);
}

// A node of another network is refused even with the right key and id.
TEST_F(TransportTest, WrongNetworkRefused) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto tb = StartOrDie(OptionsFor(b, {a}, "other-network"), inbox_b);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(tb->Send(1, ToBytes("cross-network")).ok());
  ASSERT_TRUE(WaitUntil([&] { return ta->stats().handshakes_refused >= 2; }));
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn", "network \\\"other-network\\\""); }));
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(inbox_a.messages().empty());
  EXPECT_TRUE(inbox_b.messages().empty());
}

// After a valid handshake, one flipped ciphertext byte drops the connection; only the
// frame before it is delivered.
TEST_F(TransportTest, TamperedFrameDropsConnection) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  ASSERT_TRUE(ta);
  RawPeer raw(a.port);
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(raw.Handshake(kNetwork, b, a));
  ASSERT_TRUE(raw.SendAll(raw.SealedFrame("genuine")));
  ASSERT_TRUE(inbox_a.WaitForCount(1));
  Bytes tampered = raw.SealedFrame("forged");
  tampered[kFrameHeaderBytes + 2] ^= 0x40;
  ASSERT_TRUE(raw.SendAll(tampered));
  raw.SendAll(raw.SealedFrame("after"));  // may fail: the transport is closing the connection
  EXPECT_TRUE(raw.WaitClosed());
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->frames_rejected == 1; }));
  EXPECT_EQ(inbox_a.From(2), std::vector<std::string>{"genuine"});
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn", "failed authentication"); }));
  EXPECT_TRUE(WaitUntil([&] { return !ta->peer_stats(2)->inbound_connected; }));
}

// A length prefix over max_frame_bytes drops the connection without reading the body.
TEST_F(TransportTest, OversizedLengthDropsConnection) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.max_frame_bytes = 1024;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  RawPeer raw(a.port);
  ASSERT_TRUE(raw.Handshake(kNetwork, b, a));
  ByteWriter header;
  header.PutU32(1024 + crypto::kSealOverheadBytes + 1);
  ASSERT_TRUE(raw.SendAll(header.bytes()));
  EXPECT_TRUE(raw.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn", "exceeds the limit of 1040 bytes"); }));
  EXPECT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->frames_rejected == 1; }));
  EXPECT_TRUE(inbox_a.messages().empty());

  // Before the handshake the limit is the hello's size.
  RawPeer early(a.port);
  ByteWriter huge;
  huge.PutU32(1u << 30);
  ASSERT_TRUE(early.SendAll(huge.bytes()));
  EXPECT_TRUE(early.WaitClosed());
}

// Bytes that are not a hello, and a peer that never finishes, are refused.
TEST_F(TransportTest, GarbageAndSilentPeersRefused) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.inbound_handshake_timeout_ms = 200;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  RawPeer garbage(a.port);
  ASSERT_TRUE(garbage.SendAll(EncodeFrame(AsBytes("GET / HTTP/1.1"))));
  EXPECT_TRUE(garbage.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn", "hello.magic"); }));
  RawPeer silent(a.port);
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("level=warn", "handshake timed out after 200 ms"); }));
  EXPECT_TRUE(inbox_a.messages().empty());
}

// An accepted connection that never speaks is closed by inbound_handshake_timeout_ms
// (here far shorter than handshake_timeout_ms, which would outlast the wait), and counted.
TEST_F(TransportTest, ASilentInboundConnectionIsClosedByTheInboundHandshakeTimeout) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.handshake_timeout_ms = 600'000;
  options.inbound_handshake_timeout_ms = 200;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  RawPeer silent(a.port);
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("dir=in", "handshake timed out after 200 ms"); }));
  EXPECT_TRUE(WaitUntil([&] { return ta->stats().inbound_handshakes_timed_out == 1; }));
  EXPECT_GE(ta->stats().handshakes_refused, 1u);
}

// A handshake this node dialled keeps handshake_timeout_ms: a listener that accepts
// and never answers is given up on after that, not after the inbound deadline.
TEST_F(TransportTest, ADialledHandshakeKeepsHandshakeTimeoutMs) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  // b's port answers at the TCP level (the kernel completes connections into the
  // backlog) but nothing ever reads or writes.
  int listener = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(listener, 0);
  int one = 1;
  ASSERT_EQ(::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)), 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(b.port);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(::listen(listener, 16), 0);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.handshake_timeout_ms = 300;
  options.inbound_handshake_timeout_ms = 50;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  EXPECT_TRUE(WaitUntil([&] { return log.Contains("dir=out", "handshake timed out after 300 ms"); }));
  EXPECT_FALSE(log.Contains("dir=out", "handshake timed out after 50 ms"));
  EXPECT_EQ(ta->stats().inbound_handshakes_timed_out, 0u);
  ta->Stop();
  ::close(listener);
}

// One address that opens connections and stays silent holds at most
// pending_handshakes_per_address_max handshake slots; the rest are closed on accept
// (counted and logged with the remote and the cap), so the global cap never fills
// and a configured peer dialling from another address still connects.
TEST_F(TransportTest, AnAddressHoldingItsHandshakeSlotsCannotStarveARealPeer) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b;
  TransportOptions options = OptionsFor(a, {b});
  options.pending_handshakes_max = 8;
  options.pending_handshakes_per_address_max = 4;
  options.inbound_handshake_timeout_ms = 600'000;  // the silent ones outlast the test
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  std::vector<std::unique_ptr<RawPeer>> silent;
  for (int i = 0; i < 16; ++i) {
    silent.push_back(std::make_unique<RawPeer>(a.port, "127.0.0.2"));
    ASSERT_TRUE(silent.back()->connected());
  }
  ASSERT_TRUE(WaitUntil([&] { return ta->stats().inbound_refused_per_address_max == 12; }));
  EXPECT_TRUE(log.Contains("remote=127.0.0.2", "pending_handshakes_per_address_max=4"));
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b);
  ASSERT_TRUE(tb);
  ASSERT_TRUE(tb->Send(1, ToBytes("from the real peer")).ok());
  ASSERT_TRUE(inbox_a.WaitForCount(1));
  EXPECT_EQ(inbox_a.From(2), std::vector<std::string>{"from the real peer"});
  EXPECT_TRUE(ta->peer_stats(2)->inbound_connected);
  EXPECT_EQ(ta->stats().inbound_refused_pending_max, 0u);
  EXPECT_EQ(ta->stats().inbound_refused_per_address_max, 12u);
}

// The global cap still holds across addresses: with pending_handshakes_max slots
// taken, a connection from yet another address is closed on accept and counted.
TEST_F(TransportTest, PendingHandshakesMaxHoldsAcrossAddresses) {
  LogCapture log;
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.pending_handshakes_max = 4;
  options.pending_handshakes_per_address_max = 2;
  options.inbound_handshake_timeout_ms = 600'000;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  RawPeer first(a.port, "127.0.0.2"), second(a.port, "127.0.0.2");
  RawPeer third(a.port, "127.0.0.3"), fourth(a.port, "127.0.0.3");
  RawPeer over(a.port, "127.0.0.4");
  EXPECT_TRUE(over.WaitClosed());
  EXPECT_TRUE(WaitUntil([&] { return ta->stats().inbound_refused_pending_max == 1; }));
  EXPECT_TRUE(log.Contains("remote=127.0.0.4", "pending_handshakes_max=4"));
  EXPECT_EQ(ta->stats().inbound_refused_per_address_max, 0u);
}

// After a peer stops and starts again on the same port, the other side reconnects and
// delivery resumes in both directions.
TEST_F(TransportTest, ReconnectsAfterPeerRestart) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b1, inbox_b2;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b1);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(ta->Send(2, ToBytes("before")).ok());
  ASSERT_TRUE(inbox_b1.WaitForCount(1));
  tb->Stop();
  ASSERT_TRUE(WaitUntil([&] { return !Connected(*ta, 2); }));
  EXPECT_EQ(tb->Send(1, ToBytes("after stop")).code(), ErrorCode::kUnavailable);
  tb = StartOrDie(OptionsFor(b, {a}), inbox_b2);
  ASSERT_TRUE(tb);
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->connects >= 2; }));
  ASSERT_TRUE(ta->Send(2, ToBytes("after restart")).ok());
  ASSERT_TRUE(tb->Send(1, ToBytes("back again")).ok());
  ASSERT_TRUE(inbox_b2.WaitForCount(1));
  ASSERT_TRUE(inbox_a.WaitForCount(1));
  EXPECT_EQ(inbox_b2.From(1), std::vector<std::string>{"after restart"});
  EXPECT_EQ(inbox_a.From(2), std::vector<std::string>{"back again"});
}

// SetPeerKeys without a node closes its open sessions in both directions, and
// every later handshake from it is refused, though the config still lists it.
TEST_F(TransportTest, ANodeDroppedFromThePeerKeysIsDisconnectedAndRefused) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(tb->Send(1, ToBytes("while trusted")).ok());
  ASSERT_TRUE(inbox_a.WaitForCount(1));
  ASSERT_TRUE(WaitUntil([&] { return Connected(*ta, 2) && ta->peer_stats(2)->inbound_connected; }));
  ta->SetPeerKeys({});
  ASSERT_TRUE(WaitUntil([&] { return ta->stats().sessions_closed_untrusted == 2; }));
  EXPECT_FALSE(Connected(*ta, 2));
  const uint64_t failures = ta->peer_stats(2)->handshake_failures;
  ASSERT_TRUE(tb->Send(1, ToBytes("after removal")).ok());
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->handshake_failures > failures; }));
  EXPECT_NE(ta->stats().last_refusal.find("unknown node id 2"), std::string::npos)
      << ta->stats().last_refusal;
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(inbox_a.From(2), std::vector<std::string>{"while trusted"});
  EXPECT_FALSE(Connected(*ta, 2));  // and it is not dialled either
}

// A rotated key: the session proven with the old key is closed, a node still
// holding the old key is refused, and the node restarted with the new key is accepted.
TEST_F(TransportTest, ARotatedKeyClosesTheOldSessionAndOnlyTheNewKeyIsAccepted) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  const std::shared_ptr<const crypto::KeyPair> new_key = KeyFor(42);
  Inbox inbox_a, inbox_b, inbox_b2;
  auto ta = StartOrDie(OptionsFor(a, {b}), inbox_a);
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b);
  ASSERT_TRUE(ta && tb);
  ASSERT_TRUE(tb->Send(1, ToBytes("old key")).ok());
  ASSERT_TRUE(inbox_a.WaitForCount(1));
  ASSERT_TRUE(WaitUntil([&] { return Connected(*ta, 2) && ta->peer_stats(2)->inbound_connected; }));
  ta->SetPeerKeys({{2, new_key->public_key()}});
  ASSERT_TRUE(WaitUntil([&] { return ta->stats().sessions_closed_untrusted == 2; }));
  const uint64_t failures = ta->peer_stats(2)->handshake_failures;
  ASSERT_TRUE(tb->Send(1, ToBytes("still the old key")).ok());
  ASSERT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->handshake_failures > failures; }));
  EXPECT_NE(ta->stats().last_refusal.find("failed to prove its node key"), std::string::npos);
  tb->Stop();
  TestNode rotated{2, new_key, b.port, b.reservation};
  tb = StartOrDie(OptionsFor(rotated, {a}), inbox_b2);
  ASSERT_TRUE(tb);
  ASSERT_TRUE(tb->Send(1, ToBytes("new key")).ok());
  ASSERT_TRUE(ta->Send(2, ToBytes("welcome back")).ok());
  ASSERT_TRUE(inbox_b2.WaitForCount(1));
  ASSERT_TRUE(WaitUntil([&] { return inbox_a.From(2).size() == 2; }));
  EXPECT_EQ(inbox_a.From(2), (std::vector<std::string>{"old key", "new key"}));
  EXPECT_EQ(inbox_b2.From(1), std::vector<std::string>{"welcome back"});
}

TEST(TrustedPeerKeysTest, TheLedgerDecidesForEveryIdItHasListedAndTheConfigOnlyForTheRest) {
  // Proves active validators get the ledger's key over a stale config key, removed ones are never
  // trusted, a configured peer the ledger never listed keeps its config key, and self is left out.
  const crypto::PublicKey k1 = KeyFor(1)->public_key(), k2 = KeyFor(2)->public_key(),
                          k3 = KeyFor(3)->public_key(), k4 = KeyFor(4)->public_key(),
                          rotated = KeyFor(22)->public_key();
  std::vector<PeerConfig> configured = {{1, "h", 1, k1}, {2, "h", 2, k2}, {3, "h", 3, k3}, {4, "h", 4, k4}};
  std::vector<LedgerValidatorKey> ledger = {{1, k1, false}, {2, rotated, false}, {3, k3, true}};
  std::map<uint64_t, crypto::PublicKey> expected = {{2, rotated}, {4, k4}};
  EXPECT_EQ(TrustedPeerKeys(1, configured, ledger), expected);
  EXPECT_EQ(TrustedPeerKeys(1, configured, {}).size(), 3u);  // before genesis: the config
}

// A full send queue drops its oldest frames: with the peer down, only the newest
// send_queue_frames_max messages survive and are delivered once it comes up.
TEST_F(TransportTest, SendQueueBoundDropsOldest) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a, inbox_b;
  TransportOptions options = OptionsFor(a, {b});
  options.send_queue_frames_max = 4;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(ta->Send(2, ToBytes("m" + std::to_string(i))).ok());
  PeerStats queued = *ta->peer_stats(2);
  EXPECT_EQ(queued.frames_dropped, 6u);
  EXPECT_EQ(queued.queued_frames, 4u);
  auto tb = StartOrDie(OptionsFor(b, {a}), inbox_b);
  ASSERT_TRUE(tb);
  ASSERT_TRUE(inbox_b.WaitForCount(4));
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(inbox_b.From(1), (std::vector<std::string>{"m6", "m7", "m8", "m9"}));
  EXPECT_TRUE(WaitUntil([&] { return ta->peer_stats(2)->frames_sent == 4; }));
}

// Send refuses an unknown peer and an oversized payload, queuing nothing.
TEST_F(TransportTest, SendRefusesBadInput) {
  TestNode a = MakeNode(1), b = MakeNode(2);
  Inbox inbox_a;
  TransportOptions options = OptionsFor(a, {b});
  options.max_frame_bytes = 16;
  auto ta = StartOrDie(options, inbox_a);
  ASSERT_TRUE(ta);
  Status unknown = ta->Send(5, ToBytes("x"));
  EXPECT_EQ(unknown.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(unknown.message().find("node 5"), std::string::npos);
  EXPECT_EQ(ta->Send(2, Bytes(17, 0)).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ta->peer_stats(2)->queued_frames, 0u);
  ta->Stop();
  EXPECT_EQ(ta->Send(2, ToBytes("x")).code(), ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace shulian::node
