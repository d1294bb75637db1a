#include "node/transport.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>
#include <utility>

#include "crypto/session.h"
#include "node/frame.h"
#include "node/handshake.h"
#include "node/log.h"

namespace shulian::node {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr std::string_view kComponent = "transport";
// After an accept error (for example, out of file descriptors) wait this long
// before accepting again, rather than spinning.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);
// One write gathers queued frames until it holds at least this many bytes (or the
// queue is empty); a single frame may exceed it.
constexpr size_t kWriteBatchBytesMax = 256 * 1024;

std::string EndpointText(const tcp::socket& socket) {
  error_code ec;
  tcp::endpoint remote = socket.remote_endpoint(ec);
  if (ec) return "unknown";
  return remote.address().to_string() + ":" + std::to_string(remote.port());
}

Status InvalidOption(const std::string& field, const std::string& why) {
  return Status::InvalidArgument("transport option " + field + ": " + why);
}

}  // namespace

std::map<uint64_t, crypto::PublicKey> TrustedPeerKeys(uint64_t self_id,
                                                      const std::vector<PeerConfig>& configured,
                                                      const std::vector<LedgerValidatorKey>& ledger) {
  std::map<uint64_t, crypto::PublicKey> trusted;
  std::set<uint64_t> listed;
  for (const LedgerValidatorKey& v : ledger) {
    listed.insert(v.node_id);
    if (!v.removed && v.node_id != self_id) trusted[v.node_id] = v.key;
  }
  for (const PeerConfig& peer : configured) {
    if (peer.id != self_id && listed.count(peer.id) == 0) trusted.emplace(peer.id, peer.key);
  }
  return trusted;
}

Status TransportOptions::Validate() const {
  if (!IsValidNetworkId(network_id)) return InvalidOption("network_id", "must be 1..64 bytes of [a-z0-9._-]");
  if (self_id == 0) return InvalidOption("self_id", "must be nonzero");
  if (listen_host.empty()) return InvalidOption("listen_host", "must not be empty");
  if (node_key == nullptr) return InvalidOption("node_key", "is missing");
  std::set<uint64_t> ids;
  for (size_t i = 0; i < peers.size(); ++i) {
    const PeerConfig& peer = peers[i];
    std::string field = "peers[" + std::to_string(i) + "]";
    if (peer.id == 0) return InvalidOption(field + ".id", "must be nonzero");
    if (peer.id == self_id) return InvalidOption(field + ".id", "is this node's own id");
    if (!ids.insert(peer.id).second) return InvalidOption(field + ".id", "duplicates another peer");
    if (peer.host.empty()) return InvalidOption(field + ".host", "must not be empty");
    if (peer.port == 0) return InvalidOption(field + ".port", "must be nonzero");
  }
  if (max_frame_bytes == 0 || max_frame_bytes > kMaxFrameBytesLimit) {
    return InvalidOption("max_frame_bytes", "must be 1.." + std::to_string(kMaxFrameBytesLimit));
  }
  if (send_queue_frames_max == 0 || send_queue_frames_max > kSendQueueFramesLimit) {
    return InvalidOption("send_queue_frames_max", "must be 1.." + std::to_string(kSendQueueFramesLimit));
  }
  if (connect_backoff_min_ms == 0 || connect_backoff_min_ms > kBackoffMsLimit) {
    return InvalidOption("connect_backoff_min_ms", "must be 1.." + std::to_string(kBackoffMsLimit));
  }
  if (connect_backoff_max_ms < connect_backoff_min_ms || connect_backoff_max_ms > kBackoffMsLimit) {
    return InvalidOption("connect_backoff_max_ms",
                         "must be connect_backoff_min_ms.." + std::to_string(kBackoffMsLimit));
  }
  if (handshake_timeout_ms == 0 || handshake_timeout_ms > kHandshakeTimeoutMsLimit) {
    return InvalidOption("handshake_timeout_ms", "must be 1.." + std::to_string(kHandshakeTimeoutMsLimit));
  }
  if (inbound_handshake_timeout_ms == 0 || inbound_handshake_timeout_ms > kHandshakeTimeoutMsLimit) {
    return InvalidOption("inbound_handshake_timeout_ms",
                         "must be 1.." + std::to_string(kHandshakeTimeoutMsLimit));
  }
  if (pending_handshakes_max == 0 || pending_handshakes_max > kPendingHandshakesLimit) {
    return InvalidOption("pending_handshakes_max", "must be 1.." + std::to_string(kPendingHandshakesLimit));
  }
  if (pending_handshakes_per_address_max == 0 ||
      pending_handshakes_per_address_max > pending_handshakes_max) {
    return InvalidOption("pending_handshakes_per_address_max", "must be 1..pending_handshakes_max");
  }
  return Status::Ok();
}

class Connection;

// Per-peer state. `config` and the object's address never change after Start.
struct PeerState {
  explicit PeerState(asio::io_context& io, PeerConfig peer_config)
      : config(std::move(peer_config)), reconnect_timer(io) {
    stats.id = config.id;
  }

  const PeerConfig config;

  std::mutex mutex;  // guards the members below it up to the io-thread-only ones
  std::deque<Bytes> queue;
  bool kick_posted = false;
  PeerStats stats;

  // I/O thread only.
  std::shared_ptr<Connection> outbound;
  std::shared_ptr<Connection> inbound;
  uint32_t failed_attempts = 0;
  asio::steady_timer reconnect_timer;
};

struct PeerTransport::Impl {
  Impl(TransportOptions transport_options, MessageHandler handler, SessionHandler closed_handler)
      : options(std::move(transport_options)),
        on_message(std::move(handler)),
        on_session_closed(std::move(closed_handler)),
        acceptor(io),
        accept_retry_timer(io),
        rng(options.backoff_seed) {}

  Status Listen();
  void Launch();
  void StopAndJoin();

  // I/O thread only, below.
  void Accept();
  // Takes an accepted socket into the handshake, or closes it at once when the
  // transport or the socket's address already has its cap of pending handshakes.
  void Admit(tcp::socket socket);
  void Dial(PeerState& peer);
  void ScheduleReconnect(PeerState& peer);
  void OnSessionOpen(const std::shared_ptr<Connection>& connection);
  void OnConnectionClosed(const std::shared_ptr<Connection>& connection, const std::string& reason,
                          bool during_handshake, bool was_open);
  void Kick(PeerState& peer);
  void CloseAll();
  // Drops `connection` from the pending inbound handshakes, if it is there.
  void ForgetHandshaking(const std::shared_ptr<Connection>& connection);
  void CountInboundTimeout();
  // Installs `keys` (only configured peers' ids count: there is no slot for
  // another), closes the sessions they no longer cover, dials the newly trusted.
  void ApplyTrust(const std::map<uint64_t, crypto::PublicKey>& keys);
  bool Trusts(uint64_t id) const { return peer_keys.count(id) != 0; }
  PeerState* FindPeer(uint64_t id) {
    auto it = peers.find(id);
    return it == peers.end() ? nullptr : it->second.get();
  }

  const TransportOptions options;
  const MessageHandler on_message;
  const SessionHandler on_session_closed;  // may be empty
  // The keys trusted now, for configured peers only. I/O thread only after Start
  // (every Handshake reads it there, by reference).
  std::map<uint64_t, crypto::PublicKey> peer_keys;

  asio::io_context io;  // declared before every I/O object so it is destroyed after them
  tcp::acceptor acceptor;
  asio::steady_timer accept_retry_timer;
  std::map<uint64_t, std::unique_ptr<PeerState>> peers;  // fixed after Start
  // Inbound connections still in their handshake, with their remote address, and
  // how many each address holds (no entry for zero). I/O thread only.
  std::map<std::shared_ptr<Connection>, asio::ip::address> handshaking_inbound;
  std::map<asio::ip::address, size_t> handshaking_by_address;
  std::mt19937_64 rng;  // I/O thread only
  uint16_t port = 0;

  mutable std::mutex refusal_mutex;
  uint64_t handshakes_refused = 0;               // guarded by refusal_mutex
  std::string last_refusal;                      // guarded by refusal_mutex
  uint64_t inbound_refused_pending_max = 0;      // guarded by refusal_mutex
  uint64_t inbound_refused_per_address_max = 0;  // guarded by refusal_mutex
  uint64_t inbound_handshakes_timed_out = 0;     // guarded by refusal_mutex
  uint64_t sessions_closed_untrusted = 0;        // guarded by refusal_mutex
  uint64_t trust_updates = 0;                    // guarded by refusal_mutex

  std::atomic<bool> stopped{false};
  std::mutex stop_mutex;  // serialises Stop
  std::thread thread;
};

// One TCP connection: the handshake, then sealed frames. Owned by shared_ptr
// (the peer's slot and every pending handler hold one). I/O thread only.
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  enum class Phase { kConnecting, kHello, kAuth, kOpen, kClosed };

  Connection(PeerTransport::Impl& impl, HandshakeRole role, uint64_t dialled_peer_id)
      : impl_(impl),
        role_(role),
        dialled_peer_id_(dialled_peer_id),
        socket_(impl.io),
        resolver_(impl.io),
        handshake_timer_(impl.io),
        decoder_(kHelloBytesMax) {}

  tcp::socket& socket() { return socket_; }
  HandshakeRole role() const { return role_; }
  bool is_open() const { return phase_ == Phase::kOpen; }
  bool is_closed() const { return phase_ == Phase::kClosed; }
  // The dialled id (outbound) or the id the peer claimed in its hello (inbound).
  uint64_t peer_id() const {
    return role_ == HandshakeRole::kInitiator ? dialled_peer_id_ : claimed_peer_id_;
  }
  const std::string& remote() const { return remote_; }
  // The node key the peer proved in the handshake (once open).
  const crypto::PublicKey& proven_key() const { return proven_key_; }

  // Outbound: resolve and connect, then Begin.
  void Connect(const std::string& host, uint16_t port);
  // Starts the handshake on a connected socket.
  void Begin();
  // Writes whatever is waiting: handshake frames, then (outbound, open) the peer's queue.
  void PumpWrites();
  // Closes the socket and tells the transport, once. A close before the session
  // opened counts as a refused handshake.
  void Close(const std::string& reason, LogLevel level);

 private:
  void StartRead();
  void OnRead(const error_code& ec, size_t bytes);
  Status HandleFrame(Bytes body);
  Status OnOpenFrame(const Bytes& body);
  void Fail(const Status& status);
  Status FillDataBatch(uint64_t* frames, uint64_t* payload_bytes);
  // `frames` data frames carrying `payload_bytes` were written (0 for a handshake frame).
  void OnWritten(const error_code& ec, uint64_t frames, uint64_t payload_bytes);
  LogFields Fields() const;

  PeerTransport::Impl& impl_;
  const HandshakeRole role_;
  const uint64_t dialled_peer_id_;
  uint64_t claimed_peer_id_ = 0;
  crypto::PublicKey proven_key_;
  tcp::socket socket_;
  tcp::resolver resolver_;
  asio::steady_timer handshake_timer_;
  FrameDecoder decoder_;
  std::optional<Handshake> handshake_;
  std::optional<crypto::SecureChannel> channel_;
  Phase phase_ = Phase::kConnecting;
  std::string remote_ = "unknown";
  std::array<uint8_t, kFrameAppendBytesMax> read_buffer_{};
  std::deque<Bytes> handshake_out_;  // framed hello and auth, sent before any data
  Bytes write_buffer_;               // the frame being written
  bool writing_ = false;
};

LogFields Connection::Fields() const {
  LogFields fields;
  uint64_t id = peer_id();
  fields.emplace_back("peer", id == 0 ? "unknown" : std::to_string(id));
  fields.emplace_back("dir", role_ == HandshakeRole::kInitiator ? "out" : "in");
  fields.emplace_back("remote", remote_);
  return fields;
}

void Connection::Connect(const std::string& host, uint16_t port) {
  auto self = shared_from_this();
  remote_ = host + ":" + std::to_string(port);
  resolver_.async_resolve(
      host, std::to_string(port), [self](const error_code& ec, const tcp::resolver::results_type& results) {
        if (self->is_closed()) return;
        if (ec) {
          self->Close("resolve failed: " + ec.message(), LogLevel::kInfo);
          return;
        }
        asio::async_connect(self->socket_, results,
                            [self](const error_code& connect_ec, const tcp::endpoint&) {
                              if (self->is_closed()) return;
                              if (connect_ec) {
                                self->Close("connect failed: " + connect_ec.message(), LogLevel::kInfo);
                                return;
                              }
                              self->Begin();
                            });
      });
}

void Connection::Begin() {
  remote_ = EndpointText(socket_);
  error_code ignored;
  socket_.set_option(tcp::no_delay(true), ignored);
  socket_.set_option(asio::socket_base::keep_alive(true), ignored);
  handshake_.emplace(role_, impl_.options.network_id, impl_.options.self_id, *impl_.options.node_key,
                     impl_.peer_keys, dialled_peer_id_, crypto::KxKeyPair::Generate());
  phase_ = Phase::kHello;
  decoder_.set_body_bytes_max(kHelloBytesMax);
  auto self = shared_from_this();
  // An accepted connection may come from anyone, so it gets the shorter deadline.
  const bool inbound = role_ == HandshakeRole::kResponder;
  const uint32_t timeout_ms =
      inbound ? impl_.options.inbound_handshake_timeout_ms : impl_.options.handshake_timeout_ms;
  handshake_timer_.expires_after(std::chrono::milliseconds(timeout_ms));
  handshake_timer_.async_wait([self, inbound, timeout_ms](const error_code& ec) {
    if (ec || self->is_closed() || self->is_open()) return;
    self->Close("handshake timed out after " + std::to_string(timeout_ms) + " ms", LogLevel::kWarn);
    // After Close counted it as refused, so a reader never sees a timeout that is not.
    if (inbound) self->impl_.CountInboundTimeout();
  });
  handshake_out_.push_back(EncodeFrame(handshake_->own_hello()));
  PumpWrites();
  StartRead();
}

void Connection::StartRead() {
  auto self = shared_from_this();
  socket_.async_read_some(asio::buffer(read_buffer_),
                          [self](const error_code& ec, size_t bytes) { self->OnRead(ec, bytes); });
}

void Connection::OnRead(const error_code& ec, size_t bytes) {
  if (is_closed()) return;
  if (ec) {
    std::string reason = ec == asio::error::eof ? "peer closed the connection" : ec.message();
    Fail(Status::Unavailable(reason));
    return;
  }
  Status appended = decoder_.Append(ByteView(read_buffer_.data(), bytes));
  if (!appended.ok()) {
    Fail(appended);
    return;
  }
  while (!is_closed()) {
    if (phase_ == Phase::kAuth) decoder_.set_body_bytes_max(kAuthFrameBytes);
    if (phase_ == Phase::kOpen) {
      decoder_.set_body_bytes_max(impl_.options.max_frame_bytes + crypto::kSealOverheadBytes);
    }
    Result<std::optional<Bytes>> frame = decoder_.Next();
    if (!frame.ok()) {
      Fail(frame.status());
      return;
    }
    if (!frame->has_value()) break;
    Status handled = HandleFrame(std::move(**frame));
    if (!handled.ok()) {
      Fail(handled);
      return;
    }
  }
  if (!is_closed()) StartRead();
}

Status Connection::HandleFrame(Bytes body) {
  switch (phase_) {
    case Phase::kHello: {
      Result<Bytes> auth = handshake_->OnPeerHello(body);
      if (role_ == HandshakeRole::kResponder) claimed_peer_id_ = handshake_->claimed_peer_id();
      if (!auth.ok()) return auth.status();
      handshake_out_.push_back(EncodeFrame(*auth));
      phase_ = Phase::kAuth;
      PumpWrites();
      return Status::Ok();
    }
    case Phase::kAuth: {
      RETURN_IF_ERROR(handshake_->OnPeerAuth(body));
      channel_.emplace(handshake_->TakeChannel());
      proven_key_ = handshake_->peer_key();
      handshake_.reset();
      phase_ = Phase::kOpen;
      handshake_timer_.cancel();
      impl_.OnSessionOpen(shared_from_this());
      return Status::Ok();
    }
    case Phase::kOpen:
      return OnOpenFrame(body);
    case Phase::kConnecting:
    case Phase::kClosed:
      break;
  }
  return Status::Internal("frame in an unexpected connection phase");
}

Status Connection::OnOpenFrame(const Bytes& body) {
  PeerState* peer = impl_.FindPeer(peer_id());
  assert(peer != nullptr);  // the handshake admits only configured ids
  if (role_ == HandshakeRole::kInitiator) {
    return Status::PermissionDenied("peer sent data on our sending connection");
  }
  Result<Bytes> payload = channel_->Open(body);
  if (!payload.ok()) {
    std::lock_guard<std::mutex> lock(peer->mutex);
    ++peer->stats.frames_rejected;
    return payload.status();
  }
  {
    std::lock_guard<std::mutex> lock(peer->mutex);
    ++peer->stats.frames_received;
    peer->stats.bytes_received += payload->size();
  }
  impl_.on_message(peer_id(), std::move(payload).value());
  return Status::Ok();
}

void Connection::Fail(const Status& status) {
  bool handshaking = phase_ != Phase::kOpen;
  if (!handshaking && status.code() != ErrorCode::kUnavailable) {
    // A frame over the limit or failing authentication on an open session.
    PeerState* peer = impl_.FindPeer(peer_id());
    if (peer != nullptr && status.code() == ErrorCode::kInvalidArgument) {
      std::lock_guard<std::mutex> lock(peer->mutex);
      ++peer->stats.frames_rejected;
    }
  }
  LogLevel level = status.code() == ErrorCode::kUnavailable ? LogLevel::kInfo : LogLevel::kWarn;
  Close(status.message(), level);
}

void Connection::PumpWrites() {
  if (writing_ || is_closed() || phase_ == Phase::kConnecting) return;
  uint64_t frames = 0;
  uint64_t payload_bytes = 0;
  if (!handshake_out_.empty()) {
    write_buffer_ = std::move(handshake_out_.front());
    handshake_out_.pop_front();
  } else if (phase_ == Phase::kOpen && role_ == HandshakeRole::kInitiator) {
    Status filled = FillDataBatch(&frames, &payload_bytes);
    if (!filled.ok()) {
      Fail(filled);
      return;
    }
    if (frames == 0) return;
  } else {
    return;
  }
  writing_ = true;
  auto self = shared_from_this();
  asio::async_write(socket_, asio::buffer(write_buffer_),
                    [self, frames, payload_bytes](const error_code& ec, size_t) {
                      self->OnWritten(ec, frames, payload_bytes);
                    });
}

// Seals queued messages into write_buffer_, several per write while they fit in
// kWriteBatchBytesMax, so that small Raft messages do not cost a system call each.
Status Connection::FillDataBatch(uint64_t* frames, uint64_t* payload_bytes) {
  PeerState* peer = impl_.FindPeer(peer_id());
  write_buffer_.clear();
  while (write_buffer_.size() < kWriteBatchBytesMax) {
    Bytes payload;
    {
      std::lock_guard<std::mutex> lock(peer->mutex);
      if (peer->queue.empty()) break;
      payload = std::move(peer->queue.front());
      peer->queue.pop_front();
      peer->stats.queued_frames = peer->queue.size();
    }
    ASSIGN_OR_RETURN(Bytes sealed, channel_->Seal(payload));
    Bytes frame = EncodeFrame(sealed);
    write_buffer_.insert(write_buffer_.end(), frame.begin(), frame.end());
    ++*frames;
    *payload_bytes += payload.size();
  }
  return Status::Ok();
}

void Connection::OnWritten(const error_code& ec, uint64_t frames, uint64_t payload_bytes) {
  writing_ = false;
  if (is_closed()) return;
  if (ec) {
    Fail(Status::Unavailable("write failed: " + ec.message()));
    return;
  }
  if (frames > 0) {
    PeerState* peer = impl_.FindPeer(peer_id());
    std::lock_guard<std::mutex> lock(peer->mutex);
    peer->stats.frames_sent += frames;
    peer->stats.bytes_sent += payload_bytes;
  }
  PumpWrites();
}

void Connection::Close(const std::string& reason, LogLevel level) {
  if (is_closed()) return;
  bool during_handshake = phase_ != Phase::kOpen && phase_ != Phase::kConnecting;
  bool was_open = phase_ == Phase::kOpen;
  phase_ = Phase::kClosed;
  std::string message = during_handshake ? "handshake refused: " + reason
                        : was_open       ? "connection closed: " + reason
                                         : "connection failed: " + reason;
  Log(level, kComponent, message, Fields());
  error_code ignored;
  socket_.shutdown(tcp::socket::shutdown_both, ignored);
  socket_.close(ignored);
  resolver_.cancel();
  handshake_timer_.cancel();
  impl_.OnConnectionClosed(shared_from_this(), message, during_handshake, was_open);
}

Status PeerTransport::Impl::Listen() {
  error_code ec;
  asio::ip::address address = asio::ip::make_address(options.listen_host, ec);
  if (ec) {
    return InvalidOption("listen_host", "\"" + options.listen_host + "\" is not an IP address");
  }
  tcp::endpoint endpoint(address, options.listen_port);
  std::string where = options.listen_host + ":" + std::to_string(options.listen_port);
  acceptor.open(endpoint.protocol(), ec);
  if (ec) return Status::IoError("open listener " + where + ": " + ec.message());
  // A restarted node must be able to listen again while old connections sit in TIME_WAIT.
  acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
  if (ec) return Status::IoError("set SO_REUSEADDR on " + where + ": " + ec.message());
  acceptor.bind(endpoint, ec);
  if (ec) return Status::IoError("bind " + where + ": " + ec.message());
  acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return Status::IoError("listen on " + where + ": " + ec.message());
  port = acceptor.local_endpoint(ec).port();
  if (ec) return Status::IoError("local endpoint of " + where + ": " + ec.message());
  return Status::Ok();
}

void PeerTransport::Impl::Launch() {
  asio::post(io, [this] {
    Accept();
    for (auto& [id, peer] : peers) Dial(*peer);
  });
  thread = std::thread([this] { io.run(); });
}

void PeerTransport::Impl::Accept() {
  acceptor.async_accept([this](const error_code& ec, tcp::socket socket) {
    if (stopped.load() || ec == asio::error::operation_aborted) return;
    if (ec) {
      Log(LogLevel::kWarn, kComponent, "accept failed: " + ec.message());
      accept_retry_timer.expires_after(kAcceptRetryDelay);
      accept_retry_timer.async_wait([this](const error_code& wait_ec) {
        if (!wait_ec && !stopped.load()) Accept();
      });
      return;
    }
    Admit(std::move(socket));
    Accept();
  });
}

void PeerTransport::Impl::Admit(tcp::socket socket) {
  error_code endpoint_ec;
  const asio::ip::address address = socket.remote_endpoint(endpoint_ec).address();
  if (endpoint_ec) return;  // already gone; closing the socket is all there is to do
  const auto held = handshaking_by_address.find(address);
  const size_t from_address = held == handshaking_by_address.end() ? 0 : held->second;
  const bool over_total = handshaking_inbound.size() >= options.pending_handshakes_max;
  const bool over_address = from_address >= options.pending_handshakes_per_address_max;
  if (over_total || over_address) {
    const size_t limit =
        over_total ? options.pending_handshakes_max : options.pending_handshakes_per_address_max;
    Log(LogLevel::kWarn, kComponent,
        over_total ? "too many connections in handshake; refusing one"
                   : "too many connections in handshake from one address; refusing one",
        {{"remote", EndpointText(socket)},
         {over_total ? "pending_handshakes_max" : "pending_handshakes_per_address_max",
          std::to_string(limit)}});
    {
      std::lock_guard<std::mutex> lock(refusal_mutex);
      ++(over_total ? inbound_refused_pending_max : inbound_refused_per_address_max);
    }
    error_code ignored;
    socket.close(ignored);
    return;
  }
  auto connection = std::make_shared<Connection>(*this, HandshakeRole::kResponder, 0);
  connection->socket() = std::move(socket);
  handshaking_inbound.emplace(connection, address);
  ++handshaking_by_address[address];
  connection->Begin();
}

void PeerTransport::Impl::ForgetHandshaking(const std::shared_ptr<Connection>& connection) {
  auto it = handshaking_inbound.find(connection);
  if (it == handshaking_inbound.end()) return;
  auto count = handshaking_by_address.find(it->second);
  assert(count != handshaking_by_address.end() && count->second > 0);
  if (--count->second == 0) handshaking_by_address.erase(count);
  handshaking_inbound.erase(it);
}

void PeerTransport::Impl::CountInboundTimeout() {
  std::lock_guard<std::mutex> lock(refusal_mutex);
  ++inbound_handshakes_timed_out;
}

void PeerTransport::Impl::Dial(PeerState& peer) {
  // An untrusted peer (a removed validator) is not dialled; ApplyTrust dials it if it becomes trusted.
  if (stopped.load() || peer.outbound != nullptr || !Trusts(peer.config.id)) return;
  peer.outbound = std::make_shared<Connection>(*this, HandshakeRole::kInitiator, peer.config.id);
  peer.outbound->Connect(peer.config.host, peer.config.port);
}

// Exponential backoff: base = min * 2^failures (capped at max); the delay is
// drawn uniformly from [base/2, base] so that restarted nodes do not redial in step.
void PeerTransport::Impl::ScheduleReconnect(PeerState& peer) {
  uint32_t shift = std::min<uint32_t>(peer.failed_attempts, 30);
  uint64_t base = std::min<uint64_t>(uint64_t{options.connect_backoff_max_ms},
                                     uint64_t{options.connect_backoff_min_ms} << shift);
  std::uniform_int_distribution<uint64_t> jitter(base / 2, base);
  uint64_t delay_ms = std::max<uint64_t>(1, jitter(rng));
  ++peer.failed_attempts;
  peer.reconnect_timer.expires_after(std::chrono::milliseconds(delay_ms));
  peer.reconnect_timer.async_wait([this, &peer](const error_code& ec) {
    if (!ec) Dial(peer);
  });
}

void PeerTransport::Impl::OnSessionOpen(const std::shared_ptr<Connection>& connection) {
  PeerState* peer = FindPeer(connection->peer_id());
  assert(peer != nullptr);
  if (connection->role() == HandshakeRole::kInitiator) {
    peer->failed_attempts = 0;
    {
      std::lock_guard<std::mutex> lock(peer->mutex);
      peer->stats.connected = true;
      ++peer->stats.connects;
    }
    Log(LogLevel::kInfo, kComponent, "connected (sending)",
        {{"peer", std::to_string(peer->config.id)}, {"remote", connection->remote()}});
    connection->PumpWrites();
    return;
  }
  ForgetHandshaking(connection);
  std::shared_ptr<Connection> previous = std::move(peer->inbound);
  peer->inbound = connection;
  {
    std::lock_guard<std::mutex> lock(peer->mutex);
    peer->stats.inbound_connected = true;
  }
  Log(LogLevel::kInfo, kComponent, "accepted (receiving)",
      {{"peer", std::to_string(peer->config.id)}, {"remote", connection->remote()}});
  if (previous != nullptr)
    previous->Close("replaced by a newer connection from the same node", LogLevel::kInfo);
}

void PeerTransport::Impl::OnConnectionClosed(const std::shared_ptr<Connection>& connection,
                                             const std::string& reason, bool during_handshake, bool was_open) {
  ForgetHandshaking(connection);
  PeerState* peer = FindPeer(connection->peer_id());
  if (during_handshake && !stopped.load()) {
    std::lock_guard<std::mutex> lock(refusal_mutex);
    ++handshakes_refused;
    last_refusal =
        "peer " + std::to_string(connection->peer_id()) + " " + connection->remote() + ": " + reason;
  }
  if (peer == nullptr) return;
  {
    std::lock_guard<std::mutex> lock(peer->mutex);
    if (during_handshake) ++peer->stats.handshake_failures;
    if (!stopped.load()) peer->stats.last_error = reason;
    if (peer->outbound == connection) peer->stats.connected = false;
    if (peer->inbound == connection) peer->stats.inbound_connected = false;
  }
  if (peer->inbound == connection) peer->inbound.reset();
  if (peer->outbound == connection) {
    peer->outbound.reset();
    if (!stopped.load()) ScheduleReconnect(*peer);
  }
  if (was_open && !stopped.load() && on_session_closed) on_session_closed(peer->config.id);
}

void PeerTransport::Impl::ApplyTrust(const std::map<uint64_t, crypto::PublicKey>& keys) {
  peer_keys.clear();
  for (const auto& [id, key] : keys) {
    if (peers.count(id) != 0) peer_keys.emplace(id, key);
  }
  uint64_t closed = 0;
  for (auto& [id, peer] : peers) {
    auto trusted = peer_keys.find(id);
    for (std::shared_ptr<Connection> connection : {peer->outbound, peer->inbound}) {
      if (connection == nullptr || !connection->is_open()) continue;
      if (trusted != peer_keys.end() && trusted->second == connection->proven_key()) continue;
      ++closed;
      connection->Close(trusted == peer_keys.end() ? "node " + std::to_string(id) + " is no longer trusted"
                                                   : "node " + std::to_string(id) + "'s key was rotated",
                        LogLevel::kWarn);
    }
    Dial(*peer);
  }
  std::lock_guard<std::mutex> lock(refusal_mutex);
  sessions_closed_untrusted += closed;
  ++trust_updates;
}

void PeerTransport::Impl::Kick(PeerState& peer) {
  {
    std::lock_guard<std::mutex> lock(peer.mutex);
    peer.kick_posted = false;
  }
  if (peer.outbound != nullptr && peer.outbound->is_open()) peer.outbound->PumpWrites();
}

void PeerTransport::Impl::CloseAll() {
  error_code ignored;
  acceptor.close(ignored);
  accept_retry_timer.cancel();
  for (auto& [id, peer] : peers) {
    peer->reconnect_timer.cancel();
    if (peer->outbound != nullptr) peer->outbound->Close("transport stopping", LogLevel::kInfo);
    if (peer->inbound != nullptr) peer->inbound->Close("transport stopping", LogLevel::kInfo);
  }
  std::vector<std::shared_ptr<Connection>> pending;
  for (const auto& [connection, address] : handshaking_inbound) pending.push_back(connection);
  for (const auto& connection : pending) connection->Close("transport stopping", LogLevel::kInfo);
}

void PeerTransport::Impl::StopAndJoin() {
  std::lock_guard<std::mutex> lock(stop_mutex);
  if (!thread.joinable()) return;
  assert(std::this_thread::get_id() != thread.get_id() && "Stop called from on_message");
  stopped.store(true);
  asio::post(io, [this] {
    CloseAll();
    io.stop();
  });
  thread.join();
}

Result<std::unique_ptr<PeerTransport>> PeerTransport::Start(TransportOptions options, MessageHandler on_message,
                                                            SessionHandler on_session_closed) {
  RETURN_IF_ERROR(options.Validate());
  if (!on_message) return InvalidOption("on_message", "is empty");
  RETURN_IF_ERROR(crypto::Initialize());
  auto impl = std::make_shared<Impl>(std::move(options), std::move(on_message), std::move(on_session_closed));
  for (const PeerConfig& peer : impl->options.peers) {
    impl->peers.emplace(peer.id, std::make_unique<PeerState>(impl->io, peer));
    if (!impl->options.trusted_keys) impl->peer_keys.emplace(peer.id, peer.key);
  }
  if (impl->options.trusted_keys) {
    for (const auto& [id, key] : *impl->options.trusted_keys) {
      if (impl->peers.count(id) != 0) impl->peer_keys.emplace(id, key);
    }
  }
  RETURN_IF_ERROR(impl->Listen());
  Log(LogLevel::kInfo, kComponent, "listening",
      {{"node", std::to_string(impl->options.self_id)},
       {"address", impl->options.listen_host + ":" + std::to_string(impl->port)},
       {"peers", std::to_string(impl->peers.size())}});
  impl->Launch();
  return std::unique_ptr<PeerTransport>(new PeerTransport(std::move(impl)));
}

PeerTransport::PeerTransport(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}

PeerTransport::~PeerTransport() {
  Stop();
}

void PeerTransport::SetPeerKeys(std::map<uint64_t, crypto::PublicKey> keys) {
  if (impl_->stopped.load()) return;
  asio::post(impl_->io, [impl = impl_.get(), keys = std::move(keys)] {
    if (!impl->stopped.load()) impl->ApplyTrust(keys);
  });
}

void PeerTransport::Stop() {
  impl_->StopAndJoin();
}

Status PeerTransport::Send(uint64_t to, Bytes payload) {
  if (impl_->stopped.load()) return Status::Unavailable("transport is stopped");
  PeerState* peer = impl_->FindPeer(to);
  if (peer == nullptr) {
    return Status::InvalidArgument("send: node " + std::to_string(to) + " is not a configured peer");
  }
  if (payload.size() > impl_->options.max_frame_bytes) {
    return Status::InvalidArgument("send: payload of " + std::to_string(payload.size()) +
                                   " bytes exceeds max_frame_bytes " +
                                   std::to_string(impl_->options.max_frame_bytes));
  }
  bool post = false;
  {
    std::lock_guard<std::mutex> lock(peer->mutex);
    if (peer->queue.size() >= impl_->options.send_queue_frames_max) {
      peer->queue.pop_front();
      ++peer->stats.frames_dropped;
    }
    peer->queue.push_back(std::move(payload));
    peer->stats.queued_frames = peer->queue.size();
    post = !peer->kick_posted;
    peer->kick_posted = true;
  }
  // At most one wake-up per peer is in flight, so Send cannot flood the I/O queue.
  if (post) asio::post(impl_->io, [impl = impl_.get(), peer] { impl->Kick(*peer); });
  return Status::Ok();
}

TransportStats PeerTransport::stats() const {
  TransportStats out;
  for (const auto& [id, peer] : impl_->peers) {
    std::lock_guard<std::mutex> lock(peer->mutex);
    out.peers.push_back(peer->stats);
  }
  std::lock_guard<std::mutex> lock(impl_->refusal_mutex);
  out.handshakes_refused = impl_->handshakes_refused;
  out.last_refusal = impl_->last_refusal;
  out.inbound_refused_pending_max = impl_->inbound_refused_pending_max;
  out.inbound_refused_per_address_max = impl_->inbound_refused_per_address_max;
  out.inbound_handshakes_timed_out = impl_->inbound_handshakes_timed_out;
  out.sessions_closed_untrusted = impl_->sessions_closed_untrusted;
  out.trust_updates = impl_->trust_updates;
  return out;
}

std::optional<PeerStats> PeerTransport::peer_stats(uint64_t id) const {
  PeerState* peer = impl_->FindPeer(id);
  if (peer == nullptr) return std::nullopt;
  std::lock_guard<std::mutex> lock(peer->mutex);
  return peer->stats;
}

uint16_t PeerTransport::bound_port() const {
  return impl_->port;
}

}  // namespace shulian::node
