#include "crypto/sha256.h"

#include <sodium.h>

#include <new>

namespace shulian::crypto {

namespace {

// The header keeps libsodium's state opaque; these checks keep the two in step.
static_assert(sizeof(crypto_hash_sha256_state) <= 128,
              "Sha256Hasher::state_ is too small for crypto_hash_sha256_state");
static_assert(alignof(crypto_hash_sha256_state) <= 16,
              "Sha256Hasher::state_ is under-aligned for crypto_hash_sha256_state");
static_assert(crypto_hash_sha256_BYTES == 32, "a Digest holds exactly one SHA-256 output");

crypto_hash_sha256_state* State(std::array<uint8_t, 128>& storage) {
  return std::launder(reinterpret_cast<crypto_hash_sha256_state*>(storage.data()));
}

}  // namespace

Result<Digest> Digest::FromHex(std::string_view hex) {
  ASSIGN_OR_RETURN(auto bytes, FixedFromHex<32>(hex));
  return Digest{bytes};
}

Digest Sha256(ByteView data) {
  Digest out;
  crypto_hash_sha256(out.bytes.data(), data.data(), data.size());
  return out;
}

Sha256Hasher::Sha256Hasher() {
  // Begin the state object's lifetime in the opaque storage.
  auto* state = new (state_.data()) crypto_hash_sha256_state;
  crypto_hash_sha256_init(state);
}

void Sha256Hasher::Update(ByteView data) {
  crypto_hash_sha256_update(State(state_), data.data(), data.size());
}

Digest Sha256Hasher::Finish() {
  Digest out;
  crypto_hash_sha256_final(State(state_), out.bytes.data());
  return out;
}

}  // namespace shulian::crypto
