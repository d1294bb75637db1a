// Signed HTTP requests: how a caller proves which account is asking, for reads of
// non-public data. The CLI signs (SignRequest); the server verifies
// (RequestVerifier). Both sides build the same canonical bytes here.
//
// Headers:
//   X-Shulian-Network    the network id of the node the request is for
//   X-Shulian-Node       that node's id, decimal
//   X-Shulian-Account    the account id
//   X-Shulian-Time       the caller's clock, Unix milliseconds, decimal
//   X-Shulian-Signature  128 hex characters: Ed25519 by the account's current key over
//
//   "shulian/request/v2" (18 raw bytes) ‖ str network_id ‖ u64 node_id ‖ str account
//   ‖ str method ‖ str target ‖ i64 time_ms ‖ 32-byte SHA-256(body)
//
// (`str` is u32-length-prefixed, integers big-endian, common/bytes.h). `target` is
// the request target exactly as sent: path and query string. Binding the account
// means a signature made for one account never authenticates another; binding the
// network and node means it is good at one node only: each node's replay cache is
// its own, so a signature another node would also accept could be replayed there.
// The verifier checks the signature against its own network id and node id; the two
// binding headers only let it say which node a misdirected request was signed for.
// v1 requests (no binding) are refused.
//
// The verifier refuses a time outside ±replay_window_ms of its own clock, and an
// exact replay of a signature it has accepted while that signature could still pass
// the time check: it remembers accepted signatures in a bounded cache until their
// time leaves the window. When the cache is full of live entries it refuses new
// requests (Unavailable) rather than forget one and let a replay through.
//
// Thread-safety: the free functions are pure; RequestVerifier is thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"

namespace shulian::api {

inline constexpr std::string_view kRequestDomainTag = "shulian/request/v2";
inline constexpr std::string_view kHeaderNetwork = "X-Shulian-Network";
inline constexpr std::string_view kHeaderNode = "X-Shulian-Node";
inline constexpr std::string_view kHeaderAccount = "X-Shulian-Account";
inline constexpr std::string_view kHeaderTime = "X-Shulian-Time";
inline constexpr std::string_view kHeaderSignature = "X-Shulian-Signature";

// The node a signed request is meant for.
struct RequestBinding {
  std::string network_id;
  uint64_t node_id = 0;
};

// The bytes a request signature covers.
Bytes RequestSigningBytes(const RequestBinding& binding, std::string_view account, std::string_view method, std::string_view target,
                          int64_t time_ms, ByteView body);

// The three header values as sent.
struct SignedHeaders {
  std::string network_id;
  std::string node_id;  // decimal
  std::string account;
  std::string time_ms;    // decimal
  std::string signature;  // hex
};

SignedHeaders SignRequest(const crypto::KeyPair& key, const RequestBinding& binding, std::string_view account, std::string_view method,
                          std::string_view target, int64_t time_ms, ByteView body);

// The headers after syntax checks.
struct RequestCredentials {
  RequestBinding binding;  // as the caller claims it
  std::string account;
  int64_t time_ms = 0;
  crypto::Signature signature;
};

// InvalidArgument naming the header for an empty, malformed or oversized value
// (a missing binding header says that v1 requests are no longer accepted).
Result<RequestCredentials> ParseSignedHeaders(const SignedHeaders& headers, size_t account_bytes_max = 64);

struct RequestAuthOptions {
  int64_t replay_window_ms = 60'000;         // accepted |caller time - our time|
  size_t replay_cache_entries_max = 100'000;  // accepted signatures remembered
};

class RequestVerifier {
 public:
  RequestVerifier(RequestBinding self, RequestAuthOptions options = {});

  // OK iff `credentials` are bound to this verifier's network and node, sign
  // (method, target, body) with `key`, the time is within the window of `now_ms`,
  // and the signature was not accepted before.
  // PermissionDenied with the reason otherwise; Unavailable when the replay cache
  // is full. Only an accepted request enters the cache.
  Status Verify(const RequestCredentials& credentials, const crypto::PublicKey& key, std::string_view method,
                std::string_view target, ByteView body, int64_t now_ms);

  const RequestAuthOptions& options() const { return options_; }
  size_t cached_signatures() const;

 private:
  // REQUIRES: mutex_ is held.
  void ForgetExpired(int64_t now_ms);

  const RequestBinding self_;
  const RequestAuthOptions options_;
  mutable std::mutex mutex_;
  std::set<crypto::Signature> seen_;                   // GUARDED_BY(mutex_)
  std::multimap<int64_t, crypto::Signature> expiry_;  // GUARDED_BY(mutex_): forget at key
};

}  // namespace shulian::api
