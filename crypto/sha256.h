// SHA-256 (FIPS 180-4) through libsodium.
//
// Thread-safety: Sha256() is reentrant; a Sha256Hasher belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <string>

#include "common/bytes.h"

namespace shulian::crypto {

// A SHA-256 digest. Also the type of every Merkle tree hash.
struct Digest {
  std::array<uint8_t, 32> bytes{};

  ByteView view() const { return bytes; }
  std::string ToHex() const { return shulian::ToHex(bytes); }
  static Result<Digest> FromHex(std::string_view hex);
  friend auto operator<=>(const Digest&, const Digest&) = default;
};

Digest Sha256(ByteView data);

// Incremental hashing for data that arrives in pieces.
class Sha256Hasher {
 public:
  Sha256Hasher();
  void Update(ByteView data);
  Digest Finish();  // the hasher must not be used afterwards

 private:
  alignas(16) std::array<uint8_t, 128> state_{};  // crypto_hash_sha256_state, opaque here
};

}  // namespace shulian::crypto
