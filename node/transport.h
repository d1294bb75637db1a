// PeerTransport: encrypted, mutually authenticated message delivery between the
// nodes of one network, over TCP with Boost.Asio. docs/transport.md has the wire
// protocol; node/handshake.h the handshake and node/frame.h the framing.
//
// Topology: every node keeps one outbound connection to each peer and sends only
// on it; connections a node accepts are only read from. So there is never a
// duplicate to break a tie over: between two nodes there are two connections, one
// per direction. An outbound connection that fails or closes is redialled with
// exponential backoff (jittered by a seeded RNG); a newer authenticated inbound
// connection from a node replaces the older one.
//
// Trust: the keys accepted for each node id start as `trusted_keys` (else the
// peers' config keys) and are replaced by SetPeerKeys — the node passes the
// ledger's validator set after each apply that changes it (TrustedPeerKeys).
// A replacement closes every session (either direction) whose peer proved a key
// no longer trusted for its id, counted in sessions_closed_untrusted, and the
// transport stops dialling a peer it does not trust.
//
// What is refused (closed, logged at warn, counted in stats, nothing delivered):
// a hello with the wrong magic or network id, an untrusted node id or our own, a
// signature that does not verify against the node key trusted for the id, a
// handshake that takes longer than handshake_timeout_ms (outbound) or
// inbound_handshake_timeout_ms (inbound), a frame length over the limit, and any
// frame that fails authentication.
//
// Unauthenticated load: anyone who reaches the port can open connections, so
// inbound handshakes are bounded in all (pending_handshakes_max) and per remote
// address (pending_handshakes_per_address_max), and must finish quickly. A
// connection over either cap is closed at once, before any handshake work, so
// one address holding its slots cannot keep a configured peer out.
//
// Delivery is at most once and in order per connection; messages queued for a
// peer that is unreachable wait in a bounded queue (send_queue_frames_max; when
// full the oldest is dropped and counted — Raft tolerates loss).
//
// Threading and ownership: the transport owns one io_context and the one
// thread that runs it. Every socket, timer and the on_message callback run on
// that thread; on_message (and on_session_closed) must not block for long and
// must not call Stop().
// Send, stats, bound_port and Stop may be called from any other thread. Stop
// (also run by the destructor) closes every connection and joins the thread;
// after it returns on_message is never called again. The node key is shared
// (shared_ptr) and stays alive as long as the transport.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"

namespace shulian::node {

struct PeerConfig {
  uint64_t id = 0;
  std::string host;  // a name or an address literal
  uint16_t port = 0;
  crypto::PublicKey key;  // the peer's node key (Ed25519) as the config lists it
};

// A validator as the applied ledger records it (active, or removed for good).
struct LedgerValidatorKey {
  uint64_t node_id = 0;
  crypto::PublicKey key;  // its current key (after any rotation)
  bool removed = false;
};

// The keys to trust: every validator the ledger lists as active, with the key
// the ledger holds (a stale config key is ignored); a configured peer the ledger
// has never listed, with its config key (a node about to be added); never a
// removed validator, nor `self_id`. Pure; ordered by id.
std::map<uint64_t, crypto::PublicKey> TrustedPeerKeys(uint64_t self_id,
                                                      const std::vector<PeerConfig>& configured,
                                                      const std::vector<LedgerValidatorKey>& ledger);

struct TransportOptions {
  std::string network_id;  // 1..64 bytes of [a-z0-9._-]
  uint64_t self_id = 0;    // nonzero, not among peers
  std::string listen_host = "127.0.0.1";
  uint16_t listen_port = 0;  // 0: an ephemeral port; see bound_port()
  std::shared_ptr<const crypto::KeyPair> node_key;
  std::vector<PeerConfig> peers;        // every other node; ids unique and nonzero
  // The keys trusted at start (TrustedPeerKeys); unset: each peer's config key.
  std::optional<std::map<uint64_t, crypto::PublicKey>> trusted_keys;
  size_t max_frame_bytes = 4u << 20;    // payload bytes per message
  size_t send_queue_frames_max = 1024;  // per peer
  uint32_t connect_backoff_min_ms = 50;
  uint32_t connect_backoff_max_ms = 5000;
  uint32_t handshake_timeout_ms = 5000;           // an outbound (dialled) handshake
  uint32_t inbound_handshake_timeout_ms = 1000;   // an accepted connection's handshake
  uint64_t backoff_seed = 1;                      // seeds the jitter of reconnect delays
  size_t pending_handshakes_max = 64;             // inbound connections still in their handshake
  size_t pending_handshakes_per_address_max = 4;  // of those, from one remote address

  // Limits on the limits: a frame of at least 1 byte and at most 64 MiB; a queue of
  // 1..1,000,000 frames; backoff 1 ms..1 h with min <= max; handshakes (either
  // direction) 1 ms..10 min; 1..10,000 pending handshakes, of which
  // 1..pending_handshakes_max per address.
  static constexpr size_t kMaxFrameBytesLimit = 64u << 20;
  static constexpr size_t kSendQueueFramesLimit = 1000000;
  static constexpr uint32_t kBackoffMsLimit = 3600 * 1000;
  static constexpr uint32_t kHandshakeTimeoutMsLimit = 600 * 1000;
  static constexpr size_t kPendingHandshakesLimit = 10000;

  // InvalidArgument naming the first bad field.
  Status Validate() const;
};

struct PeerStats {
  uint64_t id = 0;
  bool connected = false;          // the outbound (sending) connection is authenticated
  bool inbound_connected = false;  // an authenticated inbound (receiving) connection exists
  uint64_t frames_sent = 0;
  uint64_t frames_received = 0;
  uint64_t frames_dropped = 0;      // evicted from a full send queue
  uint64_t frames_rejected = 0;     // received frames refused (bad length or authentication)
  uint64_t bytes_sent = 0;          // payload bytes
  uint64_t bytes_received = 0;      // payload bytes
  uint64_t queued_frames = 0;       // waiting in the send queue now
  uint64_t connects = 0;            // outbound sessions established
  uint64_t handshake_failures = 0;  // refused handshakes attributed to this peer id
  std::string last_error;
};

struct TransportStats {
  std::vector<PeerStats> peers;     // in id order
  uint64_t handshakes_refused = 0;  // every refused or failed handshake, inbound or outbound
  std::string last_refusal;
  // Inbound connections closed on accept, before any handshake: the transport
  // already had pending_handshakes_max of them, or their address had
  // pending_handshakes_per_address_max.
  uint64_t inbound_refused_pending_max = 0;
  uint64_t inbound_refused_per_address_max = 0;
  // Inbound handshakes closed by inbound_handshake_timeout_ms (also in handshakes_refused).
  uint64_t inbound_handshakes_timed_out = 0;
  // Open sessions closed because SetPeerKeys stopped trusting the key their peer proved.
  uint64_t sessions_closed_untrusted = 0;
  uint64_t trust_updates = 0;  // SetPeerKeys calls applied on the I/O thread
};

class PeerTransport {
 public:
  using MessageHandler = std::function<void(uint64_t from, Bytes payload)>;
  // Told the peer's id when an authenticated session with it (either direction)
  // closes, so that a caller waiting for an answer on it learns the answer may be
  // lost. Runs on the I/O thread like on_message; not called during Stop.
  using SessionHandler = std::function<void(uint64_t peer)>;

  // Validates the options, binds the listening socket and starts dialling the peers.
  static Result<std::unique_ptr<PeerTransport>> Start(TransportOptions options, MessageHandler on_message,
                                                      SessionHandler on_session_closed = {});

  PeerTransport(const PeerTransport&) = delete;
  PeerTransport& operator=(const PeerTransport&) = delete;
  ~PeerTransport();  // Stop()

  // Queues `payload` for peer `to` and returns at once. InvalidArgument for an
  // unknown peer or a payload over max_frame_bytes; Unavailable after Stop.
  // A full queue drops its oldest frame (counted in frames_dropped) and accepts this one.
  Status Send(uint64_t to, Bytes payload);

  // Replaces the trusted keys (node id -> key; ids not in the map are refused)
  // and returns at once; the I/O thread applies it, closing every session whose
  // proven key is no longer the trusted one for its id. No-op after Stop.
  void SetPeerKeys(std::map<uint64_t, crypto::PublicKey> keys);

  // Idempotent. Closes every connection and joins the I/O thread.
  void Stop();

  TransportStats stats() const;
  std::optional<PeerStats> peer_stats(uint64_t id) const;
  uint16_t bound_port() const;

  struct Impl;

 private:
  explicit PeerTransport(std::shared_ptr<Impl> impl);
  std::shared_ptr<Impl> impl_;
};

}  // namespace shulian::node
