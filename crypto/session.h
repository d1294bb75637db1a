// The cryptography of an encrypted peer session: ephemeral X25519 key exchange
// (libsodium crypto_kx) and an authenticated-encryption channel
// (ChaCha20-Poly1305 IETF) with an implicit 64-bit counter nonce per direction.
//
// A session is: both sides make a fresh KxKeyPair, swap public keys, and derive
// SessionKeys — the side that opened the TCP connection as the client, the other
// as the server — so that the client's tx key is the server's rx key. A
// SecureChannel built from those keys seals outgoing frames with nonce
// 0,1,2,... and opens incoming frames expecting exactly the next counter: a
// replayed, reordered, dropped or altered frame fails authentication. Nonces are
// never sent on the wire and are never reused; a counter that would wrap makes
// Seal/Open fail instead.
//
// Ownership: secret keys live only in KxKeyPair, SessionKeys and SecureChannel;
// each wipes them (sodium_memzero) when destroyed or moved from.
//
// Thread-safety: none of these types is shared; a SecureChannel belongs to the
// one connection (and thread) that uses it. Call crypto::Initialize() first.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::crypto {

inline constexpr size_t kKxPublicKeyBytes = 32;
inline constexpr size_t kSessionKeyBytes = 32;
// Bytes Seal adds to a plaintext (the Poly1305 tag).
inline constexpr size_t kSealOverheadBytes = 16;

struct KxPublicKey {
  std::array<uint8_t, kKxPublicKeyBytes> bytes{};
  ByteView view() const { return bytes; }
  friend auto operator<=>(const KxPublicKey&, const KxPublicKey&) = default;
};

// Directional keys of one session. rx decrypts what the peer sent; tx encrypts
// what we send.
struct SessionKeys {
  SessionKeys() = default;
  SessionKeys(SessionKeys&& other) noexcept;
  SessionKeys& operator=(SessionKeys&& other) noexcept;
  SessionKeys(const SessionKeys&) = delete;
  SessionKeys& operator=(const SessionKeys&) = delete;
  ~SessionKeys();

  std::array<uint8_t, kSessionKeyBytes> rx{};
  std::array<uint8_t, kSessionKeyBytes> tx{};
};

// An ephemeral X25519 key pair, made fresh for every connection attempt.
class KxKeyPair {
 public:
  static KxKeyPair Generate();
  // Deterministic from a 32-byte seed; for tests only.
  static Result<KxKeyPair> FromSeed(ByteView seed);

  KxKeyPair(KxKeyPair&& other) noexcept;
  KxKeyPair& operator=(KxKeyPair&& other) noexcept;
  KxKeyPair(const KxKeyPair&) = delete;
  KxKeyPair& operator=(const KxKeyPair&) = delete;
  ~KxKeyPair();

  const KxPublicKey& public_key() const { return public_key_; }

  // The side that opened the connection. Fails if the peer's key is unusable
  // (for example a small-order point, which would give a predictable secret).
  Result<SessionKeys> ClientSessionKeys(const KxPublicKey& server_key) const;
  // The side that accepted the connection.
  Result<SessionKeys> ServerSessionKeys(const KxPublicKey& client_key) const;

 private:
  KxKeyPair() = default;

  KxPublicKey public_key_;
  std::array<uint8_t, 32> secret_key_{};
};

// One direction-keyed AEAD session. Seal and Open each keep their own counter.
// After Open fails the channel is broken (every later Open fails too): a frame
// that does not authenticate means the stream can no longer be trusted.
class SecureChannel {
 public:
  explicit SecureChannel(SessionKeys keys);
  SecureChannel(SecureChannel&& other) noexcept;
  SecureChannel& operator=(SecureChannel&& other) noexcept;
  SecureChannel(const SecureChannel&) = delete;
  SecureChannel& operator=(const SecureChannel&) = delete;
  ~SecureChannel();

  // plaintext ‖ 16-byte tag, encrypted under the next send counter.
  // Fails (ResourceExhausted) once the send counter is used up.
  Result<Bytes> Seal(ByteView plaintext);
  // Authenticates and decrypts a frame sealed by the peer under the next
  // receive counter. Fails (PermissionDenied) for a frame that was altered,
  // replayed, reordered or sealed with another key, and for anything after such a frame.
  Result<Bytes> Open(ByteView ciphertext);

  uint64_t frames_sealed() const { return send_counter_; }
  uint64_t frames_opened() const { return receive_counter_; }

  // Test hook: starts the counters elsewhere, to prove wrap-around is refused.
  void SetCountersForTesting(uint64_t send_counter, uint64_t receive_counter) {
    send_counter_ = send_counter;
    receive_counter_ = receive_counter;
  }

 private:
  SessionKeys keys_;
  uint64_t send_counter_ = 0;
  uint64_t receive_counter_ = 0;
  bool broken_ = false;
};

}  // namespace shulian::crypto
