#include "api/rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace shulian::api {

RateLimiter::RateLimiter(RateLimitOptions options) : options_(options) {}

double RateLimiter::TokensAt(const Bucket& bucket, int64_t now_ms) const {
  const int64_t elapsed_ms = std::max<int64_t>(0, now_ms - bucket.updated_ms);
  const double refill = static_cast<double>(elapsed_ms) * options_.rate_per_second / 1000.0;
  return std::min(options_.burst_max, bucket.tokens + refill);
}

void RateLimiter::DropFullBuckets(int64_t now_ms) {
  std::erase_if(buckets_, [&](const auto& entry) { return TokensAt(entry.second, now_ms) >= options_.burst_max; });
}

Status RateLimiter::Acquire(std::string_view key, double cost, int64_t now_ms) {
  if (options_.rate_per_second <= 0) return Status::Ok();
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.keys_max) DropFullBuckets(now_ms);
    if (buckets_.size() >= options_.keys_max) {
      return Status::ResourceExhausted("too many distinct callers are being rate-limited; retry shortly");
    }
    it = buckets_.emplace(std::string(key), Bucket{options_.burst_max, now_ms}).first;
  }
  Bucket& bucket = it->second;
  const double tokens = TokensAt(bucket, now_ms);
  if (tokens < cost) {
    const double wait_ms = std::ceil((cost - tokens) * 1000.0 / options_.rate_per_second);
    return Status::ResourceExhausted("rate limit for '" + std::string(key) + "' exceeded (" +
                                     std::to_string(options_.rate_per_second) + " requests/s); retry in " +
                                     std::to_string(static_cast<int64_t>(wait_ms)) + " ms");
  }
  bucket.tokens = tokens - cost;
  bucket.updated_ms = std::max(bucket.updated_ms, now_ms);
  return Status::Ok();
}

int64_t RateLimiter::RetryAfterMs(std::string_view key, double cost, int64_t now_ms) const {
  if (options_.rate_per_second <= 0) return 0;
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) return 0;
  const double tokens = TokensAt(it->second, now_ms);
  if (tokens >= cost) return 0;
  return static_cast<int64_t>(std::ceil((cost - tokens) * 1000.0 / options_.rate_per_second));
}

size_t RateLimiter::bucket_count() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return buckets_.size();
}

}  // namespace shulian::api
