#include "crypto/signature_cache.h"

#include <string_view>

namespace shulian::crypto {
namespace {

// Domain tag: the entry cannot be mistaken for any other SHA-256 the node computes.
constexpr std::string_view kEntryTag = "shulian-verified-signature-v1";

Digest EntryOf(const PublicKey& key, ByteView message, const Signature& signature) {
  Sha256Hasher hasher;
  hasher.Update(AsBytes(kEntryTag));
  hasher.Update(key.view());
  hasher.Update(signature.view());
  hasher.Update(message);
  return hasher.Finish();
}

}  // namespace

bool SignatureCache::Verify(const PublicKey& key, ByteView message, const Signature& signature) {
  if (capacity_ == 0) return crypto::Verify(key, message, signature);
  const Digest entry = EntryOf(key, message, signature);
  if (Contains(entry)) return true;
  // Verified outside the lock: other threads' lookups do not wait for it.
  if (!crypto::Verify(key, message, signature)) return false;
  Remember(entry);
  return true;
}

bool SignatureCache::Contains(const Digest& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (entries_.contains(entry)) {
    ++hits_;
    return true;
  }
  ++misses_;
  return false;
}

void SignatureCache::Remember(const Digest& entry) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!entries_.insert(entry).second) return;  // another thread verified it meanwhile
  order_.push_back(entry);
  if (order_.size() > capacity_) {
    entries_.erase(order_.front());
    order_.pop_front();
  }
}

SignatureCache::Counts SignatureCache::counts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return Counts{hits_, misses_, entries_.size()};
}

}  // namespace shulian::crypto
