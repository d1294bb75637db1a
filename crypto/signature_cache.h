// A bounded memory of signatures that have verified, so that one process checks a
// signature once although several layers must be sure of it. A node's leader checks
// every submitted transaction's signature at the API, again when admitting it under
// the ledger lock, and a third time when applying its block; each check is an Ed25519
// verification (tens of microseconds, the largest single CPU cost per transaction).
//
// An entry is the SHA-256 of (key ‖ signature ‖ message), added only after
// crypto::Verify accepted exactly those bytes; a hit therefore stands for the same
// verification with the same result, and a result never depends on whether the cache
// held the entry (apply stays deterministic). Failed verifications are not remembered.
// When full, the oldest entry goes first. Capacity 0 turns the cache off.
//
// Thread-safety: every member function may be called from any thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>

#include "crypto/keys.h"
#include "crypto/sha256.h"

namespace shulian::crypto {

class SignatureCache {
 public:
  explicit SignatureCache(size_t capacity) : capacity_(capacity) {}
  SignatureCache(const SignatureCache&) = delete;
  SignatureCache& operator=(const SignatureCache&) = delete;

  // Same answer as crypto::Verify(key, message, signature).
  [[nodiscard]] bool Verify(const PublicKey& key, ByteView message, const Signature& signature);

  struct Counts {
    uint64_t hits = 0;    // verifications answered from memory
    uint64_t misses = 0;  // verifications computed (whatever their result)
    size_t entries = 0;
  };
  Counts counts() const;

 private:
  bool Contains(const Digest& entry);
  void Remember(const Digest& entry);

  const size_t capacity_;
  mutable std::mutex mu_;
  std::set<Digest> entries_;  // guarded by mu_
  std::deque<Digest> order_;  // guarded by mu_; oldest first
  uint64_t hits_ = 0;         // guarded by mu_
  uint64_t misses_ = 0;       // guarded by mu_
};

// Verifies through `cache` when there is one, else directly.
[[nodiscard]] inline bool VerifyWith(SignatureCache* cache, const PublicKey& key, ByteView message,
                                     const Signature& signature) {
  return cache != nullptr ? cache->Verify(key, message, signature) : Verify(key, message, signature);
}

}  // namespace shulian::crypto
