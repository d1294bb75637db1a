#include "api/request_auth.h"

#include <charconv>

#include "crypto/sha256.h"
#include "ledger/transaction.h"

namespace shulian::api {

Bytes RequestSigningBytes(std::string_view account, std::string_view method, std::string_view target,
                          int64_t time_ms, ByteView body) {
  ByteWriter writer(kRequestDomainTag.size() + account.size() + method.size() + target.size() + 64);
  writer.PutFixed(AsBytes(kRequestDomainTag));
  writer.PutString(account);
  writer.PutString(method);
  writer.PutString(target);
  writer.PutI64(time_ms);
  writer.PutFixed(crypto::Sha256(body).view());
  return writer.Take();
}

SignedHeaders SignRequest(const crypto::KeyPair& key, std::string_view account, std::string_view method,
                          std::string_view target, int64_t time_ms, ByteView body) {
  const Bytes message = RequestSigningBytes(account, method, target, time_ms, body);
  return {std::string(account), std::to_string(time_ms), key.Sign(message).ToHex()};
}

Result<RequestCredentials> ParseSignedHeaders(const SignedHeaders& headers, size_t account_bytes_max) {
  RequestCredentials out;
  RETURN_IF_ERROR(ledger::ValidateId(kHeaderAccount, headers.account, account_bytes_max));
  out.account = headers.account;

  const std::string& time = headers.time_ms;
  const char* end = time.data() + time.size();
  auto [ptr, error] = std::from_chars(time.data(), end, out.time_ms);
  if (time.empty() || error != std::errc() || ptr != end) {
    return Status::InvalidArgument(std::string(kHeaderTime) + ": expected Unix milliseconds as a decimal integer");
  }
  auto signature = crypto::Signature::FromHex(headers.signature);
  if (!signature.ok()) {
    return Status::InvalidArgument(std::string(kHeaderSignature) + ": " + signature.status().message());
  }
  out.signature = *signature;
  return out;
}

RequestVerifier::RequestVerifier(RequestAuthOptions options) : options_(options) {}

Status RequestVerifier::Verify(const RequestCredentials& credentials, const crypto::PublicKey& key,
                               std::string_view method, std::string_view target, ByteView body, int64_t now_ms) {
  // Cheap checks first, so that stale or forged requests cost no cache space.
  const int64_t skew_ms = credentials.time_ms - now_ms;
  if (skew_ms > options_.replay_window_ms || skew_ms < -options_.replay_window_ms) {
    return Status::PermissionDenied("request time " + std::to_string(credentials.time_ms) + " is " +
                                    std::to_string(skew_ms) + " ms from the server clock; the window is ±" +
                                    std::to_string(options_.replay_window_ms) + " ms");
  }
  const Bytes message = RequestSigningBytes(credentials.account, method, target, credentials.time_ms, body);
  if (!crypto::Verify(key, message, credentials.signature)) {
    return Status::PermissionDenied("request signature does not verify with the current key of account '" +
                                    credentials.account + "'");
  }
  std::lock_guard<std::mutex> lock(mutex_);
  ForgetExpired(now_ms);
  if (seen_.contains(credentials.signature)) {
    return Status::PermissionDenied("request replayed: this signature was already accepted");
  }
  if (seen_.size() >= options_.replay_cache_entries_max) {
    return Status::Unavailable("too many signed requests in the replay window; retry shortly");
  }
  seen_.insert(credentials.signature);
  // Past this moment the time check alone refuses the signature.
  expiry_.emplace(credentials.time_ms + options_.replay_window_ms, credentials.signature);
  return Status::Ok();
}

size_t RequestVerifier::cached_signatures() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return seen_.size();
}

void RequestVerifier::ForgetExpired(int64_t now_ms) {
  while (!expiry_.empty() && expiry_.begin()->first < now_ms) {
    seen_.erase(expiry_.begin()->second);
    expiry_.erase(expiry_.begin());
  }
}

}  // namespace shulian::api
