// The peer handshake, without I/O: who the other node is, proven with its node
// key, and the session keys that encrypt everything after. docs/transport.md
// describes the protocol; in short, on a fresh TCP connection:
//
//   1. both sides send a plaintext Hello frame:
//        "shulian-peer/1" (14 bytes) ‖ str network_id ‖ u64 node_id ‖ 32-byte X25519 ephemeral key
//   2. each checks the other's Hello (magic, network id, a node id it trusts
//      and that is not its own; the dialling side also requires the
//      id it dialled), then derives session keys with crypto_kx — the dialling
//      side (initiator) as client, the accepting side (responder) as server;
//   3. each sends, as the first sealed frame, its Ed25519 signature with its node
//      key over
//        str "shulian-peer/1 auth" ‖ str role ("initiator"|"responder") ‖ transcript
//      where transcript = SHA-256(str "shulian-peer/1 transcript" ‖
//                                 str initiator_hello ‖ str responder_hello);
//   4. each verifies the other's signature (role label: the other side's) against
//      the key trusted for the claimed id (the transport's peer keys: the ledger's
//      validator set once applied, node/transport.h). Only then is the
//      session open and the SecureChannel handed to the transport.
//
// The signature binds the node key to both ephemeral keys and both hellos, so a
// relay cannot splice two sessions, and the role label stops a signature being
// reflected back. Any failure is an error naming the reason; the caller closes
// the connection and delivers nothing.
//
// Ownership: the Handshake borrows the node key (it must outlive the Handshake)
// and owns the ephemeral key pair and, until TakeChannel, the channel.
//
// Thread-safety: one Handshake per connection, used by one thread.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/session.h"
#include "crypto/sha256.h"

namespace shulian::node {

inline constexpr std::string_view kPeerMagic = "shulian-peer/1";
inline constexpr size_t kNetworkIdBytesMax = 64;
// magic ‖ u32 length ‖ network id ‖ u64 node id ‖ ephemeral key
inline constexpr size_t kHelloBytesMax =
    kPeerMagic.size() + 4 + kNetworkIdBytesMax + 8 + crypto::kKxPublicKeyBytes;
// The sealed signature frame.
inline constexpr size_t kAuthFrameBytes = 64 + crypto::kSealOverheadBytes;

struct Hello {
  std::string network_id;
  uint64_t node_id = 0;
  crypto::KxPublicKey ephemeral_key;
};

Bytes EncodeHello(const Hello& hello);
// Strict: exact magic, network id of 1..64 bytes, no trailing bytes. Errors name the field.
Result<Hello> ParseHello(ByteView bytes);

// True for 1..64 bytes of [a-z0-9._-] (the ledger's network id rule).
bool IsValidNetworkId(std::string_view network_id);

enum class HandshakeRole { kInitiator, kResponder };

class Handshake {
 public:
  // `expected_peer_id` is the node an initiator dialled (0 for a responder,
  // which learns the id from the peer's hello). `peer_keys` maps every node id
  // trusted now to its node public key; it is read again at each step, so the
  // owner may change it between steps (on the same thread).
  Handshake(HandshakeRole role, std::string network_id, uint64_t self_id, const crypto::KeyPair& node_key,
            const std::map<uint64_t, crypto::PublicKey>& peer_keys, uint64_t expected_peer_id,
            crypto::KxKeyPair ephemeral);

  // Our Hello body (send it framed).
  const Bytes& own_hello() const { return own_hello_; }

  // Checks the peer's Hello and derives the session. Returns our auth frame
  // body (sealed signature) to send. PermissionDenied for a peer we refuse,
  // InvalidArgument for malformed bytes.
  Result<Bytes> OnPeerHello(ByteView hello_bytes);

  // Opens and verifies the peer's auth frame. On success the session is open.
  Status OnPeerAuth(ByteView auth_frame);

  bool is_open() const { return open_; }
  // The peer's claimed id after OnPeerHello succeeded (proven after OnPeerAuth), else 0.
  uint64_t peer_id() const { return peer_id_; }
  // The id a well-formed hello claimed, even if it was refused (for logs), else 0.
  uint64_t claimed_peer_id() const { return claimed_peer_id_; }
  HandshakeRole role() const { return role_; }
  // The key the peer proved, after OnPeerAuth succeeded.
  const crypto::PublicKey& peer_key() const { return peer_key_; }

  // The session channel. REQUIRES: is_open(); call once.
  crypto::SecureChannel TakeChannel();

 private:
  Status CheckPeerHello(const Hello& hello) const;
  Bytes SignedMessage(HandshakeRole signer) const;

  HandshakeRole role_;
  std::string network_id_;
  uint64_t self_id_;
  const crypto::KeyPair& node_key_;
  const std::map<uint64_t, crypto::PublicKey>& peer_keys_;
  uint64_t expected_peer_id_;
  crypto::KxKeyPair ephemeral_;
  Bytes own_hello_;
  crypto::Digest transcript_{};
  std::optional<crypto::SecureChannel> channel_;
  uint64_t peer_id_ = 0;
  uint64_t claimed_peer_id_ = 0;
  crypto::PublicKey peer_key_;
  bool open_ = false;
};

}  // namespace shulian::node
