// RateLimiter: a token bucket per key (an account, or "ip:<address>" for unsigned
// requests), so that one caller cannot take the whole node. Each bucket holds at
// most burst_max tokens and refills at rate_per_second; a request costs tokens and
// is refused (429 at the HTTP layer) when its bucket is short.
//
// The set of buckets is bounded: a full bucket is the same as no bucket, so those
// are dropped first; when every bucket is in use and the table is full, new keys
// are refused until some refill, rather than evicting a live bucket (which would
// hand its owner a fresh burst).
//
// Thread-safety: thread-safe (one mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

#include "common/status.h"

namespace shulian::api {

struct RateLimitOptions {
  double rate_per_second = 50;  // sustained requests per second per key; 0 disables limiting
  double burst_max = 100;       // tokens a bucket holds
  size_t keys_max = 65'536;     // buckets kept at once
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimitOptions options = {});

  // Takes `cost` tokens from `key`'s bucket at time `now_ms`. ResourceExhausted,
  // naming how long to wait, when the bucket is short or the table is full.
  Status Acquire(std::string_view key, double cost, int64_t now_ms);

  // Milliseconds until `key` could pay `cost`; 0 if it can now.
  int64_t RetryAfterMs(std::string_view key, double cost, int64_t now_ms) const;

  size_t bucket_count() const;

 private:
  struct Bucket {
    double tokens = 0;
    int64_t updated_ms = 0;
  };
  // REQUIRES: mutex_ is held.
  double TokensAt(const Bucket& bucket, int64_t now_ms) const;
  // REQUIRES: mutex_ is held.
  void DropFullBuckets(int64_t now_ms);

  const RateLimitOptions options_;
  mutable std::mutex mutex_;
  std::map<std::string, Bucket, std::less<>> buckets_;  // GUARDED_BY(mutex_)
};

}  // namespace shulian::api
