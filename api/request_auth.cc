#include "api/request_auth.h"

#include <charconv>

#include "crypto/sha256.h"
#include "ledger/transaction.h"

namespace shulian::api {

Bytes RequestSigningBytes(const RequestBinding& binding, std::string_view account, std::string_view method,
                          std::string_view target, int64_t time_ms, ByteView body) {
  ByteWriter writer(kRequestDomainTag.size() + binding.network_id.size() + account.size() + method.size() +
                    target.size() + 80);
  writer.PutFixed(AsBytes(kRequestDomainTag));
  writer.PutString(binding.network_id);
  writer.PutU64(binding.node_id);
  writer.PutString(account);
  writer.PutString(method);
  writer.PutString(target);
  writer.PutI64(time_ms);
  writer.PutFixed(crypto::Sha256(body).view());
  return writer.Take();
}

SignedHeaders SignRequest(const crypto::KeyPair& key, const RequestBinding& binding, std::string_view account,
                          std::string_view method, std::string_view target, int64_t time_ms, ByteView body) {
  const Bytes message = RequestSigningBytes(binding, account, method, target, time_ms, body);
  return {binding.network_id, std::to_string(binding.node_id), std::string(account), std::to_string(time_ms),
          key.Sign(message).ToHex()};
}

namespace {

template <typename T>
bool ParseDecimal(const std::string& text, T& out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, out);
  return !text.empty() && error == std::errc() && ptr == end;
}

std::string Describe(const RequestBinding& binding) {
  return "node " + std::to_string(binding.node_id) + " of network '" + binding.network_id + "'";
}

}  // namespace

Result<RequestCredentials> ParseSignedHeaders(const SignedHeaders& headers, size_t account_bytes_max) {
  RequestCredentials out;
  if (headers.network_id.empty() || headers.node_id.empty()) {
    return Status::InvalidArgument(std::string(kHeaderNetwork) + " and " + std::string(kHeaderNode) +
                                   ": both required; requests are signed as " + std::string(kRequestDomainTag) +
                                   ", bound to the network id and node id of the node they are sent to");
  }
  RETURN_IF_ERROR(ledger::ValidateId(kHeaderNetwork, headers.network_id, account_bytes_max));
  out.binding.network_id = headers.network_id;
  if (!ParseDecimal(headers.node_id, out.binding.node_id)) {
    return Status::InvalidArgument(std::string(kHeaderNode) + ": expected the node id as a decimal integer");
  }
  RETURN_IF_ERROR(ledger::ValidateId(kHeaderAccount, headers.account, account_bytes_max));
  out.account = headers.account;

  if (!ParseDecimal(headers.time_ms, out.time_ms)) {
    return Status::InvalidArgument(std::string(kHeaderTime) + ": expected Unix milliseconds as a decimal integer");
  }
  auto signature = crypto::Signature::FromHex(headers.signature);
  if (!signature.ok()) {
    return Status::InvalidArgument(std::string(kHeaderSignature) + ": " + signature.status().message());
  }
  out.signature = *signature;
  return out;
}

RequestVerifier::RequestVerifier(RequestBinding self, RequestAuthOptions options)
    : self_(std::move(self)), options_(options) {}

Status RequestVerifier::Verify(const RequestCredentials& credentials, const crypto::PublicKey& key,
                               std::string_view method, std::string_view target, ByteView body, int64_t now_ms) {
  // Cheap checks first, so that stale or forged requests cost no cache space.
  const RequestBinding& claimed = credentials.binding;
  if (claimed.network_id != self_.network_id || claimed.node_id != self_.node_id) {
    return Status::PermissionDenied("request is signed for " + Describe(claimed) + "; this is " + Describe(self_));
  }
  const int64_t skew_ms = credentials.time_ms - now_ms;
  if (skew_ms > options_.replay_window_ms || skew_ms < -options_.replay_window_ms) {
    return Status::PermissionDenied("request time " + std::to_string(credentials.time_ms) + " is " +
                                    std::to_string(skew_ms) + " ms from the server clock; the window is ±" +
                                    std::to_string(options_.replay_window_ms) + " ms");
  }
  const Bytes message = RequestSigningBytes(self_, credentials.account, method, target, credentials.time_ms, body);
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
