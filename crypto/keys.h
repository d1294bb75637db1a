// Ed25519 keys and signatures (RFC 8032) through libsodium, and the handling of
// secrets: private keys live only in KeyPair, are wiped when it dies, and are
// stored in files that only their owner may read.
//
// Key file format (text, one line each):
//   shulian-ed25519-secret-v1
//   <64 hex chars: the 32-byte seed>
// Public keys travel as 64 hex characters.
//
// Thread-safety: KeyPair is immutable after creation; Sign and Verify are reentrant.
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::crypto {

// The first line of a key file: tools that must never take a secret (a folder of
// public keys) recognise one by it.
inline constexpr std::string_view kSecretKeyFileHeader = "shulian-ed25519-secret-v1";

// Must be called once before any other crypto function; idempotent and thread-safe.
// Fails only if libsodium cannot initialise (no entropy source).
Status Initialize();

struct PublicKey {
  std::array<uint8_t, 32> bytes{};
  ByteView view() const { return bytes; }
  std::string ToHex() const { return shulian::ToHex(bytes); }
  static Result<PublicKey> FromHex(std::string_view hex);
  friend auto operator<=>(const PublicKey&, const PublicKey&) = default;
};

struct Signature {
  std::array<uint8_t, 64> bytes{};
  ByteView view() const { return bytes; }
  std::string ToHex() const { return shulian::ToHex(bytes); }
  static Result<Signature> FromHex(std::string_view hex);
  friend auto operator<=>(const Signature&, const Signature&) = default;
};

// True iff `signature` is a valid Ed25519 signature of `message` by `key`.
// Rejects non-canonical and small-order encodings (libsodium's strict checks).
[[nodiscard]] bool Verify(const PublicKey& key, ByteView message, const Signature& signature);

class KeyPair {
 public:
  static constexpr size_t kSeedBytes = 32;

  // A fresh key pair from the operating system's randomness.
  static KeyPair Generate();
  // Deterministic from a 32-byte seed (for test fixtures and key files).
  static Result<KeyPair> FromSeed(ByteView seed);

  KeyPair(KeyPair&& other) noexcept;
  KeyPair& operator=(KeyPair&& other) noexcept;
  KeyPair(const KeyPair&) = delete;
  KeyPair& operator=(const KeyPair&) = delete;
  ~KeyPair();  // wipes the secret key

  const PublicKey& public_key() const { return public_key_; }
  Signature Sign(ByteView message) const;

  // Writes the key file with mode 0600 (created exclusively; refuses to overwrite).
  Status SaveToFile(const std::filesystem::path& path) const;
  // Refuses a file that group or others may read or write, a malformed file, and
  // anything but a regular file.
  static Result<KeyPair> LoadFromFile(const std::filesystem::path& path);

 private:
  KeyPair() = default;

  PublicKey public_key_;
  std::array<uint8_t, 64> secret_key_{};  // libsodium layout: seed ‖ public key
};

// Overwrites `size` bytes at `data` in a way the compiler may not elide.
void SecureWipe(void* data, size_t size);

// Compares in time that depends only on the sizes, never on the contents.
[[nodiscard]] bool ConstantTimeEqual(ByteView a, ByteView b);

}  // namespace shulian::crypto
