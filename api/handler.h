// ApiHandler: the HTTP API without the sockets. It takes a parsed request and
// returns a response: route matching (404/405), query-string and JSON parsing,
// signed-request authentication (api/request_auth.h), per-caller rate limits
// (api/rate_limiter.h), calls into the NodeService (api/service.h), and the
// rendering of results and errors (api/errors.h). api/server.h puts it on Boost.Beast;
// tests may drive it directly.
//
// Routes (ApiHandler::Routes() is the table the OpenAPI test checks):
//   POST /v1/transactions              submit one transaction
//   POST /v1/transactions/batch        submit several, admitted all or none
//   GET  /v1/transactions/{hash}       a transaction, where it sits, its outcome
//   GET  /v1/blocks/{height}           a block by height
//   GET  /v1/blocks/by-hash/{hash}     a block by hash
//   GET  /v1/status                    role, term, leader, heights, peers
//   GET  /v1/queries                   the state-machine queries offered
//   GET  /v1/query/{name}              run one (paginated: limit, cursor)
//   GET  /v1/catalog                   the open catalog (public)
//   GET  /v1/checkpoints/latest        the newest cosigned checkpoint (public)
//   GET  /v1/checkpoints/{height}      a cosigned checkpoint (public)
//   GET  /v1/proofs/consistency        from=H1&to=H2: two checkpoints and the proofs between them (public)
//   GET  /v1/evidence/transactions/{hash}        an evidence bundle for one transaction
//   GET  /v1/evidence/assets/{asset}/access      from_ms=&to_ms=: an asset's accesses in a time range
//   GET  /v1/evidence/disputes/{case}            a dispute case
//   GET  /v1/ledger/export             from=&to=: blocks and checkpoints, application/octet-stream
// Evidence routes take checkpoint=H (default: the latest cosigned checkpoint).
//   GET  /healthz, /readyz, /metrics   liveness, readiness, Prometheus text
// Reads take consistency=linearizable (default) or consistency=stale.
//
// Ownership: borrows the NodeService, which must outlive the handler.
// Thread-safety: Handle may be called from many threads at once.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/rate_limiter.h"
#include "api/request_auth.h"
#include "api/service.h"
#include "ledger/bodies.h"
#include "ledger/transaction.h"

namespace shulian::api {

struct HttpRequest {
  std::string method;  // upper case, e.g. "GET"
  std::string target;  // path and query string as sent
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string remote_address;  // used as the rate-limit key of unsigned requests
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers (Allow, Retry-After)
};

// Who may call a route.
enum class RouteAccess : uint8_t {
  kPublic,        // anyone; a signature is verified if present
  kAccount,       // a verified signed request is required
  kQueryDefined,  // the query's QueryInfo::public_access decides
};

struct RouteInfo {
  std::string method;
  std::string pattern;  // segments in braces are parameters: "/v1/blocks/{height}"
  RouteAccess access = RouteAccess::kPublic;
  bool rate_limited = true;  // health and metrics are not, so probes always answer
};

struct ApiOptions {
  size_t target_bytes_max = 4096;          // request target (path and query)
  size_t query_params_max = 32;            // parameters in one query string
  size_t query_param_bytes_max = 1024;     // one decoded parameter value
  size_t cursor_bytes_max = 1024;
  size_t json_depth_max = 64;              // nesting of a request body
  size_t batch_transactions_max = 1000;
  uint64_t export_blocks_max = 10'000;  // blocks in one GET /v1/ledger/export
  // Bytes in one export answer: it stops at the last whole block that fits and
  // says so in X-Shulian-Export-To (the first block is always sent).
  uint64_t export_bytes_max = 64 * 1024 * 1024;
  uint64_t wait_timeout_ms_default = 10'000;  // when waiting without a timeout
  uint64_t wait_timeout_ms_max = 60'000;
  uint32_t page_items_default = 50;
  uint32_t page_items_max = 1000;
  // Check each submitted transaction's signature against its sender's current key
  // before queueing, so bad signatures are refused at once and submissions can be
  // rate-limited per (proven) sender.
  bool verify_submissions = true;
  // Where verified signatures are remembered (shared with the node's later checks of
  // the same transactions); not owned; may be null.
  crypto::SignatureCache* signature_cache = nullptr;
  ledger::TxLimits tx_limits;
  ledger::BodyLimits body_limits;
  RequestAuthOptions auth;
  RateLimitOptions rate_limit;
  // The clock for request times and rate limits; the system clock when empty.
  std::function<int64_t()> now_ms;
};

// Checks the options' limits; InvalidArgument naming the field.
Status ValidateApiOptions(const ApiOptions& options);

// Counts the server adds to the service's metrics.
struct ApiCounters {
  std::atomic<uint64_t> connections_open{0};
  std::atomic<uint64_t> connections_accepted_total{0};
  std::atomic<uint64_t> connections_refused_total{0};              // max_connections open
  std::atomic<uint64_t> connections_refused_per_address_total{0};  // connections_per_address_max
  std::atomic<uint64_t> first_request_timeouts_total{0};           // closed by first_request_timeout_ms
  std::atomic<uint64_t> requests_refused_address_rate_total{0};    // 429 on headers, body unread
};

class ApiHandler {
 public:
  ApiHandler(NodeService& service, ApiOptions options);

  HttpResponse Handle(const HttpRequest& request);

  // An error response in the API's JSON form.
  static HttpResponse ErrorResponse(int http_status, std::string_view code, std::string_view message);
  static HttpResponse ErrorResponse(const Status& status);

  static const std::vector<RouteInfo>& Routes();

  const ApiOptions& options() const { return options_; }
  ApiCounters& counters() { return counters_; }
  // The clock of request times and rate limits (ApiOptions::now_ms or the system clock).
  int64_t NowMs() const;

 private:
  struct Call;        // one request on its way through the handler
  struct RouteEntry;  // a RouteInfo and the member function serving it
  static const std::vector<RouteEntry>& RouteEntries();

  HttpResponse Dispatch(Call& call);
  // Sets call.route and call.path_params, or returns the 404/405 answer.
  std::optional<HttpResponse> FindRoute(Call& call, const std::string& path);
  // Authentication, route access and rate limit; the 401/429/503 answer if refused.
  std::optional<HttpResponse> Admit(Call& call);
  Status Authenticate(Call& call);
  Status RateLimit(const std::string& key, double cost);
  void Count(int http_status);

  Result<HttpResponse> SubmitOne(Call& call);
  Result<HttpResponse> SubmitBatch(Call& call);
  Result<HttpResponse> Submit(Call& call, const SubmitOptions& submit_options, std::vector<ledger::Transaction> txs);
  Result<std::vector<ledger::Transaction>> VerifySenders(std::vector<ledger::Transaction> txs);
  Result<HttpResponse> GetTransaction(Call& call);
  Result<HttpResponse> GetBlockByHeight(Call& call);
  Result<HttpResponse> GetBlockByHash(Call& call);
  Result<HttpResponse> GetStatus(Call& call);
  Result<HttpResponse> ListQueries(Call& call);
  Result<HttpResponse> RunQuery(Call& call);
  Result<HttpResponse> Catalog(Call& call);
  Result<HttpResponse> Healthz(Call& call);
  Result<HttpResponse> Readyz(Call& call);
  Result<HttpResponse> MetricsPage(Call& call);
  Result<HttpResponse> ConsoleIndex(Call& call);
  Result<HttpResponse> ConsoleFile(Call& call);
  Result<HttpResponse> Query(Call& call, const std::string& name);
  Result<HttpResponse> LatestCheckpoint(Call& call);
  Result<HttpResponse> CheckpointAtHeight(Call& call);
  Result<HttpResponse> Consistency(Call& call);
  Result<HttpResponse> TransactionEvidence(Call& call);
  Result<HttpResponse> AssetAccessEvidence(Call& call);
  Result<HttpResponse> DisputeEvidence(Call& call);
  Result<HttpResponse> Evidence(Call& call, EvidenceRequest request, std::set<std::string> allowed);
  Result<HttpResponse> LedgerExport(Call& call);
  Result<HttpResponse> TransferLeadership(Call& call);
  Result<HttpResponse> Backup(Call& call);

  ApiHandler(NodeService& service, ApiOptions options, const NodeStatus& identity);

  NodeService& service_;
  const ApiOptions options_;
  const crypto::Digest genesis_hash_;  // what a submitted transaction's signature must bind
  RequestVerifier verifier_;
  RateLimiter limiter_;
  ApiCounters counters_;
  std::mutex responses_mutex_;
  std::map<int, uint64_t> responses_by_status_;  // GUARDED_BY(responses_mutex_)
};

}  // namespace shulian::api
