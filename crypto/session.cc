#include "crypto/session.h"

#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <limits>
#include <utility>

#include "crypto/keys.h"

namespace shulian::crypto {

namespace {

static_assert(crypto_kx_PUBLICKEYBYTES == kKxPublicKeyBytes, "KxPublicKey size");
static_assert(crypto_kx_SECRETKEYBYTES == 32, "KxKeyPair secret size");
static_assert(crypto_kx_SEEDBYTES == 32, "KxKeyPair seed size");
static_assert(crypto_kx_SESSIONKEYBYTES == kSessionKeyBytes, "SessionKeys size");
static_assert(crypto_aead_chacha20poly1305_ietf_KEYBYTES == kSessionKeyBytes, "AEAD key size");
static_assert(crypto_aead_chacha20poly1305_ietf_ABYTES == kSealOverheadBytes, "AEAD tag size");
static_assert(crypto_aead_chacha20poly1305_ietf_NPUBBYTES == 12, "AEAD nonce size");

// The last counter value is never used, so "counter == max" means "used up"
// and no nonce can ever repeat by wrapping to zero.
constexpr uint64_t kCounterLimit = std::numeric_limits<uint64_t>::max();

void EnsureInitialized() {
  if (!Initialize().ok()) {
    std::fputs("shulian: libsodium failed to initialise (no entropy source?)\n", stderr);
    std::abort();
  }
}

// 12-byte IETF nonce: 4 zero bytes ‖ counter (big-endian). Each direction has
// its own key, so the counter alone makes every (key, nonce) pair unique.
std::array<uint8_t, 12> CounterNonce(uint64_t counter) {
  std::array<uint8_t, 12> nonce{};
  for (size_t i = 0; i < 8; ++i) {
    nonce[11 - i] = static_cast<uint8_t>(counter >> (8 * i));
  }
  return nonce;
}

}  // namespace

SessionKeys::SessionKeys(SessionKeys&& other) noexcept : rx(other.rx), tx(other.tx) {
  SecureWipe(other.rx.data(), other.rx.size());
  SecureWipe(other.tx.data(), other.tx.size());
}

SessionKeys& SessionKeys::operator=(SessionKeys&& other) noexcept {
  if (this != &other) {
    rx = other.rx;
    tx = other.tx;
    SecureWipe(other.rx.data(), other.rx.size());
    SecureWipe(other.tx.data(), other.tx.size());
  }
  return *this;
}

SessionKeys::~SessionKeys() {
  SecureWipe(rx.data(), rx.size());
  SecureWipe(tx.data(), tx.size());
}

KxKeyPair KxKeyPair::Generate() {
  EnsureInitialized();
  KxKeyPair pair;
  crypto_kx_keypair(pair.public_key_.bytes.data(), pair.secret_key_.data());
  return pair;
}

Result<KxKeyPair> KxKeyPair::FromSeed(ByteView seed) {
  if (seed.size() != crypto_kx_SEEDBYTES) {
    return Status::InvalidArgument("kx seed must be " + std::to_string(crypto_kx_SEEDBYTES) + " bytes, got " +
                                   std::to_string(seed.size()));
  }
  EnsureInitialized();
  KxKeyPair pair;
  crypto_kx_seed_keypair(pair.public_key_.bytes.data(), pair.secret_key_.data(), seed.data());
  return pair;
}

KxKeyPair::KxKeyPair(KxKeyPair&& other) noexcept
    : public_key_(other.public_key_), secret_key_(other.secret_key_) {
  SecureWipe(other.secret_key_.data(), other.secret_key_.size());
}

KxKeyPair& KxKeyPair::operator=(KxKeyPair&& other) noexcept {
  if (this != &other) {
    public_key_ = other.public_key_;
    secret_key_ = other.secret_key_;
    SecureWipe(other.secret_key_.data(), other.secret_key_.size());
  }
  return *this;
}

KxKeyPair::~KxKeyPair() {
  SecureWipe(secret_key_.data(), secret_key_.size());
}

Result<SessionKeys> KxKeyPair::ClientSessionKeys(const KxPublicKey& server_key) const {
  SessionKeys keys;
  if (crypto_kx_client_session_keys(keys.rx.data(), keys.tx.data(), public_key_.bytes.data(),
                                    secret_key_.data(), server_key.bytes.data()) != 0) {
    return Status::PermissionDenied("peer's ephemeral key is unusable (small-order point)");
  }
  return keys;
}

Result<SessionKeys> KxKeyPair::ServerSessionKeys(const KxPublicKey& client_key) const {
  SessionKeys keys;
  if (crypto_kx_server_session_keys(keys.rx.data(), keys.tx.data(), public_key_.bytes.data(),
                                    secret_key_.data(), client_key.bytes.data()) != 0) {
    return Status::PermissionDenied("peer's ephemeral key is unusable (small-order point)");
  }
  return keys;
}

SecureChannel::SecureChannel(SessionKeys keys) : keys_(std::move(keys)) {}

SecureChannel::SecureChannel(SecureChannel&& other) noexcept
    : keys_(std::move(other.keys_)),
      send_counter_(other.send_counter_),
      receive_counter_(other.receive_counter_),
      broken_(other.broken_) {
  // A moved-from channel has no keys; make sure it can never seal with zeros.
  other.send_counter_ = kCounterLimit;
  other.broken_ = true;
}

SecureChannel& SecureChannel::operator=(SecureChannel&& other) noexcept {
  if (this != &other) {
    keys_ = std::move(other.keys_);
    send_counter_ = other.send_counter_;
    receive_counter_ = other.receive_counter_;
    broken_ = other.broken_;
    other.send_counter_ = kCounterLimit;
    other.broken_ = true;
  }
  return *this;
}

SecureChannel::~SecureChannel() = default;  // SessionKeys wipes itself

Result<Bytes> SecureChannel::Seal(ByteView plaintext) {
  if (send_counter_ >= kCounterLimit) {
    return Status::ResourceExhausted("session send counter used up; reconnect for new keys");
  }
  std::array<uint8_t, 12> nonce = CounterNonce(send_counter_);
  Bytes out(plaintext.size() + kSealOverheadBytes);
  unsigned long long out_bytes = 0;
  crypto_aead_chacha20poly1305_ietf_encrypt(out.data(), &out_bytes, plaintext.data(), plaintext.size(),
                                            nullptr, 0, nullptr, nonce.data(), keys_.tx.data());
  out.resize(static_cast<size_t>(out_bytes));
  ++send_counter_;
  return out;
}

Result<Bytes> SecureChannel::Open(ByteView ciphertext) {
  if (broken_) {
    return Status::PermissionDenied("session broken by an earlier frame that failed authentication");
  }
  if (receive_counter_ >= kCounterLimit) {
    return Status::ResourceExhausted("session receive counter used up; reconnect for new keys");
  }
  if (ciphertext.size() < kSealOverheadBytes) {
    broken_ = true;
    return Status::PermissionDenied("frame of " + std::to_string(ciphertext.size()) +
                                    " bytes is shorter than the authentication tag");
  }
  std::array<uint8_t, 12> nonce = CounterNonce(receive_counter_);
  Bytes out(ciphertext.size() - kSealOverheadBytes);
  unsigned long long out_bytes = 0;
  if (crypto_aead_chacha20poly1305_ietf_decrypt(out.data(), &out_bytes, nullptr, ciphertext.data(),
                                                ciphertext.size(), nullptr, 0, nonce.data(),
                                                keys_.rx.data()) != 0) {
    broken_ = true;
    return Status::PermissionDenied("frame " + std::to_string(receive_counter_) +
                                    " failed authentication (altered, replayed, reordered or wrong key)");
  }
  out.resize(static_cast<size_t>(out_bytes));
  ++receive_counter_;
  return out;
}

}  // namespace shulian::crypto
