#include "api/client.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>

#include <httplib.h>
#include <openssl/ssl.h>

#include "api/errors.h"
#include "api/request_auth.h"
#include "api/url.h"
#include "crypto/x509.h"
#include "ledger/tx_json.h"

namespace shulian::api {

using nlohmann::json;

class ApiClient::Impl {
 public:
  explicit Impl(ClientOptions options) : options_(std::move(options)), http_(options_.base_url) {
    http_.set_connection_timeout(std::chrono::milliseconds(options_.connect_timeout_ms));
    http_.set_read_timeout(std::chrono::milliseconds(options_.read_timeout_ms));
    http_.set_write_timeout(std::chrono::milliseconds(options_.write_timeout_ms));
    http_.set_keep_alive(true);
    // Headers and body go out in separate writes; without this, Nagle's algorithm
    // holds the body until the server's delayed ACK (~40 ms per POST).
    http_.set_tcp_nodelay(true);
    http_.set_url_encode(false);  // targets are encoded by us and signed exactly as sent
  }

  bool valid() const { return http_.is_valid(); }

  // Sets up the verification of an https:// server's certificate (see client.h).
  Status SetUpTls() {
    if (options_.base_url.rfind("https://", 0) != 0) return Status::Ok();
    SSL_CTX* context = http_.ssl_context();
    if (context == nullptr) return Status::Internal("base_url: no TLS context for " + options_.base_url);
    SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION);
    if (!options_.cert_sha256.empty()) {
      ASSIGN_OR_RETURN(pin_, crypto::ParseFingerprint(options_.cert_sha256));
      // The pin replaces the chain and name checks, which only an authority can answer.
      http_.enable_server_certificate_verification(false);
      SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nullptr);
      SSL_CTX_set_cert_verify_callback(context, &Impl::CheckPin, this);
      return Status::Ok();
    }
    http_.enable_server_certificate_verification(true);
    if (!options_.ca_file.empty()) {
      std::error_code error;
      if (!std::filesystem::is_regular_file(options_.ca_file, error)) {
        return Status::InvalidArgument("ca_file: " + options_.ca_file + " is not a readable file");
      }
      http_.set_ca_cert_path(options_.ca_file);
    }
    return Status::Ok();
  }

  Result<ApiResponse> Send(std::string_view method, std::string_view target, std::string_view body) {
    httplib::Request request;
    request.method = std::string(method);
    request.path = std::string(target);
    request.body = std::string(body);
    if (!body.empty()) request.headers.emplace("Content-Type", "application/json");
    if (options_.key) {
      ASSIGN_OR_RETURN(const RequestBinding* binding, Binding());
      const SignedHeaders signed_headers =
          SignRequest(*options_.key, *binding, *options_.account, method, target, NextTimeMs(), AsBytes(body));
      request.headers.emplace(std::string(kHeaderNetwork), signed_headers.network_id);
      request.headers.emplace(std::string(kHeaderNode), signed_headers.node_id);
      request.headers.emplace(std::string(kHeaderAccount), signed_headers.account);
      request.headers.emplace(std::string(kHeaderTime), signed_headers.time_ms);
      request.headers.emplace(std::string(kHeaderSignature), signed_headers.signature);
    }
    seen_sha256_.reset();
    httplib::Result result = http_.send(request);
    if (!result) return TransportError(result.error(), "");
    ApiResponse response;
    response.http_status = result->status;
    response.content_type = result->get_header_value("Content-Type");
    response.export_to = result->get_header_value(std::string(kHeaderExportTo));
    response.body = std::move(result->body);
    return response;
  }

 private:
  // The cert_verify_callback of a pinned client: accepts the server's certificate
  // only when its SHA-256 is the pin, and remembers what it saw for the error.
  static int CheckPin(X509_STORE_CTX* store, void* arg) {
    Impl* self = static_cast<Impl*>(arg);
    Result<crypto::Digest> seen = crypto::PresentedCertificateSha256(store);
    if (!seen.ok()) return 0;
    self->seen_sha256_ = *seen;
    return *seen == self->pin_ ? 1 : 0;
  }

  // Unavailable for a failed request; a refused certificate says why, since
  // retrying will not help and the cause is on one side's configuration.
  Status TransportError(httplib::Error error, const std::string& purpose) const {
    const std::string where = options_.base_url + purpose;
    if (error == httplib::Error::SSLServerVerification) {
      const long code = http_.get_openssl_verify_result();
      const std::string trust =
          options_.ca_file.empty() ? "the system's trusted authorities" : "ca_file " + options_.ca_file;
      if (code != X509_V_OK) {
        return Status::Unavailable("refused the TLS certificate of " + where + ": it is not trusted by " +
                                   trust + " (" + crypto::CertificateVerifyErrorText(code) + ")");
      }
      return Status::Unavailable("refused the TLS certificate of " + where +
                                 ": it does not name the host of the URL (hostname verification failed)");
    }
    if (error == httplib::Error::SSLConnection && seen_sha256_ && *seen_sha256_ != pin_) {
      return Status::Unavailable("refused the TLS certificate of " + where + ": its SHA-256 is " +
                                 seen_sha256_->ToHex() + ", not the pinned cert_sha256 " + pin_.ToHex());
    }
    if (error == httplib::Error::SSLLoadingCerts) {
      return Status::Unavailable(
          "cannot load the TLS authorities (" +
          (options_.ca_file.empty() ? std::string("system store") : "ca_file " + options_.ca_file) +
          ") to verify " + where);
    }
    if (error == httplib::Error::SSLConnection) {
      return Status::Unavailable("TLS handshake with " + where +
                                 " failed (is it serving plain HTTP, or not accepting TLS 1.2+?)");
    }
    return Status::Unavailable("cannot reach " + where + ": " + httplib::to_string(error));
  }

  // The network id and node id this client's server signs for: given in the
  // options, or read once from the server's unsigned GET /v1/status. A node's ids
  // never change, so the answer is kept for the client's life.
  Result<const RequestBinding*> Binding() {
    if (!binding_) binding_ = options_.binding;
    if (binding_) return &*binding_;
    seen_sha256_.reset();
    httplib::Result result = http_.Get("/v1/status");
    if (!result) return TransportError(result.error(), " to learn its network id and node id");
    const json status = json::parse(result->body, nullptr, /*allow_exceptions=*/false);
    if (result->status != 200 || !status.is_object() || !status.contains("network_id") ||
        !status["network_id"].is_string() || !status.contains("node_id") ||
        !status["node_id"].is_number_unsigned()) {
      return Status::Unavailable(options_.base_url + "/v1/status (HTTP " + std::to_string(result->status) +
                                 ") did not give the network id and node id to sign requests for");
    }
    binding_ = RequestBinding{status["network_id"].get<std::string>(), status["node_id"].get<uint64_t>()};
    return &*binding_;
  }

  // Strictly increasing per client: Ed25519 signatures are deterministic, so two
  // identical requests stamped with the same millisecond would carry the same
  // signature and the second would be refused as a replay.
  int64_t NextTimeMs() {
    int64_t now_ms = options_.now_ms ? options_.now_ms()
                                     : std::chrono::duration_cast<std::chrono::milliseconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count();
    last_time_ms_ = std::max(now_ms, last_time_ms_ + 1);
    return last_time_ms_;
  }

  const ClientOptions options_;
  httplib::Client http_;
  int64_t last_time_ms_ = 0;
  std::optional<RequestBinding> binding_;
  crypto::Digest pin_;                         // cert_sha256, when given
  std::optional<crypto::Digest> seen_sha256_;  // the certificate the pin check last saw
};

namespace {

std::string_view ConsistencyName(ReadConsistency consistency) {
  return consistency == ReadConsistency::kStale ? "stale" : "linearizable";
}

// "?a=1&b=2" from ordered parameters; "" when there are none.
std::string QueryString(const std::map<std::string, std::string>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    out += out.empty() ? "?" : "&";
    out += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return out;
}

std::map<std::string, std::string> ReadParams(ReadConsistency consistency) {
  if (consistency == ReadConsistency::kLinearizable) return {};
  return {{"consistency", std::string(ConsistencyName(consistency))}};
}

}  // namespace

Result<std::unique_ptr<ApiClient>> ApiClient::Create(ClientOptions options) {
  if (options.base_url.rfind("http://", 0) != 0 && options.base_url.rfind("https://", 0) != 0) {
    return Status::InvalidArgument("base_url: expected http://host:port or https://host:port, got '" +
                                   options.base_url + "'");
  }
  if (options.account.has_value() != (options.key != nullptr)) {
    return Status::InvalidArgument("account and key: give both to sign requests, or neither");
  }
  const bool https = options.base_url.rfind("https://", 0) == 0;
  if (!https && (!options.ca_file.empty() || !options.cert_sha256.empty())) {
    return Status::InvalidArgument("ca_file / cert_sha256: only for an https:// server, not '" +
                                   options.base_url + "'");
  }
  if (!options.ca_file.empty() && !options.cert_sha256.empty()) {
    return Status::InvalidArgument("ca_file and cert_sha256: give one way to verify the server, not both");
  }
  auto impl = std::make_unique<Impl>(std::move(options));
  if (!impl->valid()) return Status::InvalidArgument("base_url: cannot be used");
  RETURN_IF_ERROR(impl->SetUpTls());
  return std::unique_ptr<ApiClient>(new ApiClient(std::move(impl)));
}

ApiClient::ApiClient(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ApiClient::~ApiClient() = default;

Result<ApiResponse> ApiClient::Send(std::string_view method, std::string_view target, std::string_view body) {
  return impl_->Send(method, target, body);
}

Result<json> ApiClient::ToJsonResult(const ApiResponse& response) {
  json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.http_status >= 200 && response.http_status < 300) {
    if (parsed.is_discarded()) {
      return Status::Internal("server answered HTTP " + std::to_string(response.http_status) + " with malformed JSON");
    }
    return parsed;
  }
  std::string code = "unknown";
  std::string message = response.body.substr(0, 200);
  if (!parsed.is_discarded() && parsed.is_object() && parsed.contains("error") && parsed["error"].is_object()) {
    const json& error = parsed["error"];
    if (error.contains("code") && error["code"].is_string()) code = error["code"].get<std::string>();
    if (error.contains("message") && error["message"].is_string()) message = error["message"].get<std::string>();
  }
  const ErrorCode error_code = ErrorCodeFromApi(code, response.http_status);
  return Status(error_code == ErrorCode::kOk ? ErrorCode::kInternal : error_code,
                message + " (HTTP " + std::to_string(response.http_status) + " " + code + ")");
}

Result<json> ApiClient::Call(std::string_view method, std::string_view target, std::string_view body) {
  ASSIGN_OR_RETURN(ApiResponse response, Send(method, target, body));
  return ToJsonResult(response);
}

Result<json> ApiClient::PostSubmission(std::string_view target, json body, bool wait_for_commit,
                                       std::optional<uint64_t> wait_timeout_ms) {
  body["wait_for_commit"] = wait_for_commit;
  if (wait_timeout_ms) body["wait_timeout_ms"] = *wait_timeout_ms;
  return Call("POST", target, body.dump(-1, ' ', false, json::error_handler_t::replace));
}

Result<json> ApiClient::Submit(const ledger::Transaction& tx, bool wait_for_commit,
                               std::optional<uint64_t> wait_timeout_ms) {
  return PostSubmission("/v1/transactions", json{{"transaction_hex", ToHex(tx.Encode())}}, wait_for_commit,
                        wait_timeout_ms);
}

Result<json> ApiClient::SubmitJson(const json& tx, bool wait_for_commit, std::optional<uint64_t> wait_timeout_ms) {
  return PostSubmission("/v1/transactions", json{{"transaction", tx}}, wait_for_commit, wait_timeout_ms);
}

Result<json> ApiClient::SubmitBatch(const std::vector<ledger::Transaction>& txs, bool wait_for_commit,
                                    std::optional<uint64_t> wait_timeout_ms) {
  json items = json::array();
  for (const ledger::Transaction& tx : txs) items.push_back(ToHex(tx.Encode()));
  return PostSubmission("/v1/transactions/batch", json{{"transactions", std::move(items)}}, wait_for_commit,
                        wait_timeout_ms);
}

Result<json> ApiClient::TransferLeadership(uint64_t to, std::optional<uint64_t> timeout_ms) {
  json body{{"to", to}};
  if (timeout_ms) body["timeout_ms"] = *timeout_ms;
  return Call("POST", "/v1/admin/leadership", body.dump());
}

Result<json> ApiClient::Backup(std::string_view out) {
  return Call("POST", "/v1/admin/backup", json{{"out", out}}.dump());
}

Result<json> ApiClient::GetTransaction(std::string_view hash_hex, ReadConsistency consistency) {
  return Call("GET", "/v1/transactions/" + PercentEncode(hash_hex) + QueryString(ReadParams(consistency)));
}

Result<json> ApiClient::GetBlock(uint64_t height, ReadConsistency consistency) {
  return Call("GET", "/v1/blocks/" + std::to_string(height) + QueryString(ReadParams(consistency)));
}

Result<json> ApiClient::GetBlockByHash(std::string_view hash_hex, ReadConsistency consistency) {
  return Call("GET", "/v1/blocks/by-hash/" + PercentEncode(hash_hex) + QueryString(ReadParams(consistency)));
}

Result<json> ApiClient::GetStatus() { return Call("GET", "/v1/status"); }
Result<json> ApiClient::ListQueries() { return Call("GET", "/v1/queries"); }

Result<json> ApiClient::Query(std::string_view name, const std::map<std::string, std::string>& params,
                              const PageRequest& page) {
  std::map<std::string, std::string> all = params;
  for (const auto& [key, value] : ReadParams(page.consistency)) all[key] = value;
  if (page.limit) all["limit"] = std::to_string(*page.limit);
  if (!page.cursor.empty()) all["cursor"] = page.cursor;
  return Call("GET", "/v1/query/" + PercentEncode(name) + QueryString(all));
}

Result<json> ApiClient::Catalog(const PageRequest& page) {
  std::map<std::string, std::string> all = ReadParams(page.consistency);
  if (page.limit) all["limit"] = std::to_string(*page.limit);
  if (!page.cursor.empty()) all["cursor"] = page.cursor;
  return Call("GET", "/v1/catalog" + QueryString(all));
}

Result<json> ApiClient::GetCheckpoint(std::optional<uint64_t> height) {
  return Call("GET", height ? "/v1/checkpoints/" + std::to_string(*height) : std::string("/v1/checkpoints/latest"));
}

Result<json> ApiClient::GetConsistency(uint64_t from_height, uint64_t to_height) {
  return Call("GET", "/v1/proofs/consistency" +
                         QueryString({{"from", std::to_string(from_height)}, {"to", std::to_string(to_height)}}));
}

namespace {

// The decimal height of an X-Shulian-Export-To header.
Result<uint64_t> ParseExportTo(const std::string& text) {
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    return Status::InvalidArgument("not a height: " + text);
  }
  return value;
}

std::map<std::string, std::string> CheckpointParam(std::optional<uint64_t> height) {
  if (!height) return {};
  return {{"checkpoint", std::to_string(*height)}};
}

}  // namespace

Result<json> ApiClient::TransactionEvidence(std::string_view hash_hex, std::optional<uint64_t> checkpoint_height) {
  return Call("GET", "/v1/evidence/transactions/" + PercentEncode(hash_hex) +
                         QueryString(CheckpointParam(checkpoint_height)));
}

Result<json> ApiClient::AssetAccessEvidence(std::string_view asset_id, int64_t from_ms, int64_t to_ms,
                                            std::optional<uint64_t> checkpoint_height) {
  std::map<std::string, std::string> params = CheckpointParam(checkpoint_height);
  params["from_ms"] = std::to_string(from_ms);
  params["to_ms"] = std::to_string(to_ms);
  return Call("GET", "/v1/evidence/assets/" + PercentEncode(asset_id) + "/access" + QueryString(params));
}

Result<json> ApiClient::DisputeEvidence(std::string_view dispute_id, std::optional<uint64_t> checkpoint_height) {
  return Call("GET", "/v1/evidence/disputes/" + PercentEncode(dispute_id) +
                         QueryString(CheckpointParam(checkpoint_height)));
}

Result<LedgerExportPage> ApiClient::LedgerExport(uint64_t from_height, uint64_t to_height) {
  ASSIGN_OR_RETURN(ApiResponse response,
                   Send("GET", "/v1/ledger/export" + QueryString({{"from", std::to_string(from_height)},
                                                                  {"to", std::to_string(to_height)}})));
  if (response.http_status != 200) {
    auto error = ToJsonResult(response);
    return error.ok() ? Status::Internal("unexpected HTTP " + std::to_string(response.http_status)) : error.status();
  }
  LedgerExportPage page;
  Result<uint64_t> last = ParseExportTo(response.export_to);
  if (!last.ok() || *last < from_height || *last > to_height) {
    return Status::Internal("the server's export of " + std::to_string(from_height) + ".." +
                            std::to_string(to_height) + " has no valid " + std::string(kHeaderExportTo) +
                            " header");
  }
  page.to_height = *last;
  page.body = std::move(response.body);
  return page;
}

Result<json> ApiClient::Healthz() { return Call("GET", "/healthz"); }
Result<json> ApiClient::Readyz() { return Call("GET", "/readyz"); }

Result<std::string> ApiClient::Metrics() {
  ASSIGN_OR_RETURN(ApiResponse response, Send("GET", "/metrics"));
  if (response.http_status != 200) {
    auto error = ToJsonResult(response);
    return error.ok() ? Status::Internal("unexpected HTTP " + std::to_string(response.http_status)) : error.status();
  }
  return response.body;
}

}  // namespace shulian::api
