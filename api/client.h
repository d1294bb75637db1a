// ApiClient: the CLI's side of the HTTP API, on cpp-httplib. One method per route;
// each returns the server's JSON answer, or a Status carrying the server's error:
// the ErrorCode mapped back from the stable JSON code (api/errors.h) and a message
// "<server message> (HTTP <status> <code>)". A server that cannot be reached is
// Unavailable.
//
// TLS: an https:// base URL is verified one of three ways: against `ca_file` (the
// certificate must chain to it and name the URL's host), by `cert_sha256` (the
// server's own certificate must have that SHA-256; its names and issuer are not
// looked at), or, with neither, against the system's trusted authorities and the
// host name. A certificate that fails is refused with Unavailable saying which
// check failed, before any request is sent.
//
// With an account and a key, every request is signed (api/request_auth.h), so the
// server knows who is asking; without them only public routes answer.
//
// Ownership: the client owns its connection (kept alive between calls) and shares
// the key. Thread-safety: not thread-safe; use one client per thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/service.h"
#include "common/status.h"
#include "api/request_auth.h"
#include "crypto/keys.h"
#include "ledger/transaction.h"

namespace shulian::api {

struct ClientOptions {
  std::string base_url = "http://127.0.0.1:8080";  // scheme://host:port, no path
  uint64_t connect_timeout_ms = 5'000;
  uint64_t read_timeout_ms = 75'000;  // above the server's longest wait for commit
  uint64_t write_timeout_ms = 10'000;
  // https:// only, at most one of them (see above).
  std::string ca_file;      // PEM file of the authority that signs the server's certificate
  std::string cert_sha256;  // 64 hex digits, colons allowed
  // Sign requests as this account with this key; both or neither.
  std::optional<std::string> account;
  std::shared_ptr<const crypto::KeyPair> key;
  // The node signed requests are bound to (api/request_auth.h). Empty: read once
  // from the server's unsigned GET /v1/status before the first signed request.
  std::optional<RequestBinding> binding;
  // The clock for request signatures; the system clock when empty.
  std::function<int64_t()> now_ms;
};

// The raw answer of one request.
struct ApiResponse {
  int http_status = 0;
  std::string content_type;
  std::string body;
  std::string export_to;  // X-Shulian-Export-To, sent with an export
};

struct PageRequest {
  std::optional<uint32_t> limit;
  std::string cursor;
  ReadConsistency consistency = ReadConsistency::kLinearizable;
};

class ApiClient {
 public:
  // InvalidArgument for a malformed base URL, an account without a key, or TLS
  // settings that do not fit the URL (or each other).
  static Result<std::unique_ptr<ApiClient>> Create(ClientOptions options);
  ~ApiClient();
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  // POST /v1/transactions with the canonical encoding as hex.
  Result<nlohmann::json> Submit(const ledger::Transaction& tx, bool wait_for_commit = false,
                                std::optional<uint64_t> wait_timeout_ms = std::nullopt);
  // POST /v1/transactions with the transaction's JSON form (ledger/tx_json.h).
  Result<nlohmann::json> SubmitJson(const nlohmann::json& tx, bool wait_for_commit = false,
                                    std::optional<uint64_t> wait_timeout_ms = std::nullopt);
  // POST /v1/transactions/batch.
  Result<nlohmann::json> SubmitBatch(const std::vector<ledger::Transaction>& txs, bool wait_for_commit = false,
                                     std::optional<uint64_t> wait_timeout_ms = std::nullopt);

  Result<nlohmann::json> GetTransaction(std::string_view hash_hex,
                                        ReadConsistency consistency = ReadConsistency::kLinearizable);
  Result<nlohmann::json> GetBlock(uint64_t height, ReadConsistency consistency = ReadConsistency::kLinearizable);
  Result<nlohmann::json> GetBlockByHash(std::string_view hash_hex,
                                        ReadConsistency consistency = ReadConsistency::kLinearizable);
  Result<nlohmann::json> GetStatus();
  // POST /v1/admin/leadership (an operator's signed request to the leader): the
  // status once node `to` leads.
  Result<nlohmann::json> TransferLeadership(uint64_t to, std::optional<uint64_t> timeout_ms = std::nullopt);
  // POST /v1/admin/backup (an operator's signed request to the node to back up):
  // the backup's manifest once it is written into `out` on the node's host.
  Result<nlohmann::json> Backup(std::string_view out);
  Result<nlohmann::json> ListQueries();
  Result<nlohmann::json> Query(std::string_view name, const std::map<std::string, std::string>& params,
                               const PageRequest& page = {});
  Result<nlohmann::json> Catalog(const PageRequest& page = {});
  // GET /v1/checkpoints/latest, or /v1/checkpoints/{height} when given.
  Result<nlohmann::json> GetCheckpoint(std::optional<uint64_t> height = std::nullopt);
  // GET /v1/proofs/consistency?from=&to=.
  Result<nlohmann::json> GetConsistency(uint64_t from_height, uint64_t to_height);
  // GET /v1/evidence/...: the bundle JSON. `checkpoint_height` empty: the latest.
  Result<nlohmann::json> TransactionEvidence(std::string_view hash_hex, std::optional<uint64_t> checkpoint_height);
  Result<nlohmann::json> AssetAccessEvidence(std::string_view asset_id, int64_t from_ms, int64_t to_ms,
                                             std::optional<uint64_t> checkpoint_height);
  Result<nlohmann::json> DisputeEvidence(std::string_view dispute_id, std::optional<uint64_t> checkpoint_height);
  // GET /v1/ledger/export?from=&to=: the export bytes (ledger/ledger_export.h).
  // One page: the server may stop below `to_height` (its byte bound) and says
  // where in the page's to_height; ask again from there + 1 for the rest.
  Result<LedgerExportPage> LedgerExport(uint64_t from_height, uint64_t to_height);
  Result<nlohmann::json> Healthz();
  Result<nlohmann::json> Readyz();
  Result<std::string> Metrics();

  // Any request; signed when the client has a key. Errors only for transport
  // failures: an HTTP error status is returned as a response.
  Result<ApiResponse> Send(std::string_view method, std::string_view target, std::string_view body = {});

  // The JSON of a 2xx answer, or the server's error as a Status.
  static Result<nlohmann::json> ToJsonResult(const ApiResponse& response);

 private:
  class Impl;
  explicit ApiClient(std::unique_ptr<Impl> impl);
  Result<nlohmann::json> Call(std::string_view method, std::string_view target, std::string_view body = {});
  Result<nlohmann::json> PostSubmission(std::string_view target, nlohmann::json body, bool wait_for_commit,
                                        std::optional<uint64_t> wait_timeout_ms);

  std::unique_ptr<Impl> impl_;
};

}  // namespace shulian::api
