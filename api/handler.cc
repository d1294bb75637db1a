#include "api/handler.h"

#include <charconv>
#include <chrono>
#include <exception>
#include <optional>
#include <set>

#include "api/errors.h"
#include "api/metrics_text.h"
#include "api/url.h"
#include "console/assets.h"
#include "ledger/tx_json.h"

namespace shulian::api {

using nlohmann::json;

// One request on its way through the handler.
struct ApiHandler::Call {
  const HttpRequest& request;
  const RouteEntry* route = nullptr;
  std::map<std::string, std::string> path_params;  // from the route pattern
  std::map<std::string, std::string> params;       // from the query string
  Caller caller;
};

struct ApiHandler::RouteEntry {
  RouteInfo info;
  Result<HttpResponse> (ApiHandler::*fn)(ApiHandler::Call&);
};

namespace {


// ---------------------------- rendering helpers ----------------------------

HttpResponse JsonResponse(int status, const json& body) {
  HttpResponse response;
  response.status = status;
  // Messages may echo caller input that is not UTF-8; replace such bytes (U+FFFD)
  // rather than let the serialiser throw.
  response.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return response;
}

json SubmitResultJson(const SubmitResult& result) {
  json out = {{"tx_hash", result.tx_hash.ToHex()}, {"state", std::string(SubmitStateName(result.state))}};
  out["height"] = result.height ? json(*result.height) : json(nullptr);
  out["outcome"] = result.outcome ? result.outcome->ToJson() : json(nullptr);
  return out;
}

json TransactionRecordJson(const TransactionRecord& record, const ledger::BodyLimits& limits) {
  return {{"hash", record.transaction.Hash().ToHex()},
          {"transaction", ledger::TransactionToJson(record.transaction, limits)},
          {"location",
           {{"height", record.height},
            {"index", record.index},
            {"block_hash", record.block_hash.ToHex()},
            {"block_time_ms", record.block_time_ms}}},
          {"outcome", record.outcome.ToJson()}};
}

json BlockRecordJson(const BlockRecord& record, const ledger::BodyLimits& limits) {
  const ledger::BlockHeader& header = record.block.header;
  json transactions = json::array();
  for (const ledger::Transaction& tx : record.block.transactions) {
    transactions.push_back(ledger::TransactionToJson(tx, limits));
  }
  json outcomes = json::array();
  for (const ledger::TxOutcome& outcome : record.outcomes) outcomes.push_back(outcome.ToJson());
  return {{"hash", header.Hash().ToHex()},
          {"header",
           {{"height", header.height},
            {"previous_hash", header.previous_hash.ToHex()},
            {"time_ms", header.time_ms},
            {"proposer", header.proposer},
            {"tx_count", header.tx_count},
            {"tx_log_size", header.tx_log_size},
            {"tx_log_root", header.tx_log_root.ToHex()}}},
          {"signature", record.block.signature.ToHex()},
          {"transactions", std::move(transactions)},
          {"outcomes", std::move(outcomes)}};
}

json OptionalJson(const std::optional<uint64_t>& value) { return value ? json(*value) : json(nullptr); }

json MembershipJson(const std::optional<Membership>& membership) {
  if (!membership) return nullptr;
  return {{"voters", membership->voters}, {"learners", membership->learners}, {"removed", membership->removed}};
}

json NodeStatusJson(const NodeStatus& status) {
  json peers = json::array();
  for (const PeerStatus& peer : status.peers) {
    peers.push_back({{"node_id", peer.node_id},
                     {"address", peer.address},
                     {"connected", peer.connected},
                     {"member", peer.member ? json(*peer.member) : json(nullptr)},
                     {"match_index", OptionalJson(peer.match_index)},
                     {"lag_entries", OptionalJson(peer.lag_entries)}});
  }
  return {{"network_id", status.network_id},
          {"genesis_hash", status.genesis_hash.ToHex()},
          {"node_id", status.node_id},
          {"role", status.role},
          {"term", status.term},
          {"leader_id", OptionalJson(status.leader_id)},
          {"commit_index", status.commit_index},
          {"applied_index", status.applied_index},
          {"height", status.height},
          {"head_hash", status.head_hash.ToHex()},
          {"proposal_queue_depth", status.proposal_queue_depth},
          {"membership", MembershipJson(status.membership)},
          {"peers", std::move(peers)}};
}

json QueryInfoJson(const QueryInfo& info) {
  return {{"name", info.name},
          {"description", info.description},
          {"required_params", info.required_params},
          {"optional_params", info.optional_params},
          {"paginated", info.paginated},
          {"public", info.public_access}};
}

// ---------------------------- parsing helpers ----------------------------

// Rejects nesting deeper than `depth_max` before the JSON parser sees the text.
Status CheckJsonDepth(std::string_view text, size_t depth_max) {
  size_t depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > depth_max) {
        return Status::InvalidArgument("request body nests deeper than " + std::to_string(depth_max) + " levels");
      }
    } else if ((c == '}' || c == ']') && depth > 0) {
      --depth;
    }
  }
  return Status::Ok();
}

Result<json> ParseJsonBody(std::string_view body, size_t depth_max) {
  if (body.empty()) return Status::InvalidArgument("request body: expected a JSON object, got nothing");
  RETURN_IF_ERROR(CheckJsonDepth(body, depth_max));
  json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return Status::InvalidArgument("request body: malformed JSON");
  if (!parsed.is_object()) return Status::InvalidArgument("request body: expected a JSON object");
  return parsed;
}

Result<uint64_t> ParseU64(std::string_view what, std::string_view text) {
  uint64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) {
    return Status::InvalidArgument(std::string(what) + ": expected a non-negative decimal integer, got '" +
                                   std::string(text) + "'");
  }
  return value;
}

Result<crypto::Digest> ParseHash(std::string_view what, std::string_view text) {
  auto digest = crypto::Digest::FromHex(text);
  if (!digest.ok()) {
    return Status::InvalidArgument(std::string(what) + ": expected 64 hex characters (" +
                                   digest.status().message() + ")");
  }
  return *digest;
}

Result<int64_t> ParseI64(std::string_view what, std::string_view text) {
  int64_t value = 0;
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, value);
  if (text.empty() || error != std::errc() || ptr != end) {
    return Status::InvalidArgument(std::string(what) + ": expected a decimal integer, got '" + std::string(text) + "'");
  }
  return value;
}

Result<uint64_t> RequireU64Param(const std::map<std::string, std::string>& params, const std::string& name) {
  auto it = params.find(name);
  if (it == params.end()) return Status::InvalidArgument("query parameter '" + name + "' is required");
  return ParseU64(name, it->second);
}

// Only `allowed` may appear in the query string.
Status CheckParams(const std::map<std::string, std::string>& params, const std::set<std::string>& allowed) {
  for (const auto& [name, value] : params) {
    if (!allowed.contains(name)) return Status::InvalidArgument("unknown query parameter '" + name + "'");
  }
  return Status::Ok();
}

Result<ReadConsistency> ParseConsistency(const std::map<std::string, std::string>& params) {
  auto it = params.find("consistency");
  if (it == params.end() || it->second == "linearizable") return ReadConsistency::kLinearizable;
  if (it->second == "stale") return ReadConsistency::kStale;
  return Status::InvalidArgument("consistency: expected 'linearizable' or 'stale', got '" + it->second + "'");
}

// A transaction given as its JSON object or as hex of its canonical encoding.
Result<ledger::Transaction> DecodeSubmitted(const json& item, const ApiOptions& options) {
  ledger::Transaction tx;
  if (item.is_string()) {
    ASSIGN_OR_RETURN(Bytes encoded, FromHex(item.get<std::string>()));
    ASSIGN_OR_RETURN(tx, ledger::Transaction::Decode(encoded, options.tx_limits));
  } else if (item.is_object()) {
    ASSIGN_OR_RETURN(tx, ledger::TransactionFromJson(item, options.body_limits));
    // The JSON path checks bodies; the envelope limits are the binary decoder's.
    RETURN_IF_ERROR(ledger::Transaction::Decode(tx.Encode(), options.tx_limits).status());
  } else {
    return Status::InvalidArgument("expected a transaction object or a hex string");
  }
  return tx;
}

Result<SubmitOptions> ParseSubmitOptions(const json& body, const ApiOptions& options) {
  SubmitOptions out;
  if (auto it = body.find("wait_for_commit"); it != body.end() && !it->is_null()) {
    if (!it->is_boolean()) return Status::InvalidArgument("wait_for_commit: expected a boolean");
    out.wait_for_commit = it->get<bool>();
  }
  out.wait_timeout_ms = options.wait_timeout_ms_default;
  if (auto it = body.find("wait_timeout_ms"); it != body.end() && !it->is_null()) {
    if (!it->is_number_unsigned()) return Status::InvalidArgument("wait_timeout_ms: expected a non-negative integer");
    out.wait_timeout_ms = it->get<uint64_t>();
    if (out.wait_timeout_ms > options.wait_timeout_ms_max) {
      return Status::InvalidArgument("wait_timeout_ms: at most " + std::to_string(options.wait_timeout_ms_max));
    }
  }
  return out;
}

Status CheckBodyKeys(const json& body, const std::set<std::string>& allowed) {
  for (const auto& [key, value] : body.items()) {
    if (!allowed.contains(key)) return Status::InvalidArgument("request body: unknown key '" + key + "'");
  }
  return Status::Ok();
}

// Matches `segments` against a pattern; fills `params` from "{name}" segments.
bool MatchPattern(std::string_view pattern, const std::vector<std::string>& segments,
                  std::map<std::string, std::string>& params) {
  auto pattern_segments = SplitPath(pattern);
  if (!pattern_segments.ok() || pattern_segments->size() != segments.size()) return false;
  std::map<std::string, std::string> found;
  for (size_t i = 0; i < segments.size(); ++i) {
    const std::string& want = (*pattern_segments)[i];
    if (want.size() > 2 && want.front() == '{' && want.back() == '}') {
      if (segments[i].empty()) return false;
      found[want.substr(1, want.size() - 2)] = segments[i];
    } else if (want != segments[i]) {
      return false;
    }
  }
  params = std::move(found);
  return true;
}


std::string HeaderOrEmpty(const HttpRequest& request, std::string_view lower_name) {
  auto it = request.headers.find(std::string(lower_name));
  return it == request.headers.end() ? std::string() : it->second;
}

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

}  // namespace

std::string_view SubmitStateName(SubmitState state) {
  switch (state) {
    case SubmitState::kQueued: return "queued";
    case SubmitState::kCommitted: return "committed";
    case SubmitState::kTimedOut: return "timed_out";
  }
  return "unknown";
}

Status ValidateApiOptions(const ApiOptions& options) {
  if (options.target_bytes_max < 64) return Status::InvalidArgument("api.target_bytes_max: at least 64");
  if (options.page_items_max == 0) return Status::InvalidArgument("api.page_items_max: at least 1");
  if (options.page_items_default == 0 || options.page_items_default > options.page_items_max) {
    return Status::InvalidArgument("api.page_items_default: between 1 and page_items_max");
  }
  if (options.batch_transactions_max == 0) return Status::InvalidArgument("api.batch_transactions_max: at least 1");
  if (options.export_blocks_max == 0) return Status::InvalidArgument("api.export_blocks_max: at least 1");
  if (options.export_bytes_max < 1024) return Status::InvalidArgument("api.export_bytes_max: at least 1024");
  if (options.json_depth_max < 8) return Status::InvalidArgument("api.json_depth_max: at least 8");
  if (options.wait_timeout_ms_default > options.wait_timeout_ms_max) {
    return Status::InvalidArgument("api.wait_timeout_ms_default: at most wait_timeout_ms_max");
  }
  if (options.auth.replay_window_ms <= 0) return Status::InvalidArgument("api.auth.replay_window_ms: positive");
  if (options.auth.replay_cache_entries_max == 0) {
    return Status::InvalidArgument("api.auth.replay_cache_entries_max: at least 1");
  }
  if (options.rate_limit.rate_per_second < 0) return Status::InvalidArgument("api.rate_limit.rate_per_second: >= 0");
  if (options.rate_limit.rate_per_second > 0 && options.rate_limit.burst_max < 1) {
    return Status::InvalidArgument("api.rate_limit.burst_max: at least 1");
  }
  if (options.rate_limit.keys_max == 0) return Status::InvalidArgument("api.rate_limit.keys_max: at least 1");
  return Status::Ok();
}

namespace {

// A node's network id, node id and genesis hash are fixed for its life, so they
// are read once. Without them no signed request or transaction can pass (an empty
// network id is never valid, and no key signs for the all-zero genesis hash).
NodeStatus LocalIdentity(NodeService& service) {
  Result<NodeStatus> status = service.GetStatus();
  if (!status.ok()) return {};
  return std::move(status).value();
}

}  // namespace

ApiHandler::ApiHandler(NodeService& service, ApiOptions options)
    : ApiHandler(service, std::move(options), LocalIdentity(service)) {}

ApiHandler::ApiHandler(NodeService& service, ApiOptions options, const NodeStatus& identity)
    : service_(service),
      options_(std::move(options)),
      genesis_hash_(identity.genesis_hash),
      verifier_(RequestBinding{identity.network_id, identity.node_id}, options_.auth),
      limiter_(options_.rate_limit) {}

const std::vector<ApiHandler::RouteEntry>& ApiHandler::RouteEntries() {
  using A = ApiHandler;
  // Literal routes come before parameterised ones with the same shape.
  static const std::vector<RouteEntry> kEntries = {
      {{"POST", "/v1/transactions", RouteAccess::kPublic, true}, &A::SubmitOne},
      {{"POST", "/v1/transactions/batch", RouteAccess::kPublic, true}, &A::SubmitBatch},
      {{"GET", "/v1/transactions/{hash}", RouteAccess::kAccount, true}, &A::GetTransaction},
      {{"GET", "/v1/blocks/by-hash/{hash}", RouteAccess::kAccount, true}, &A::GetBlockByHash},
      {{"GET", "/v1/blocks/{height}", RouteAccess::kAccount, true}, &A::GetBlockByHeight},
      {{"GET", "/v1/status", RouteAccess::kPublic, true}, &A::GetStatus},
      {{"GET", "/v1/queries", RouteAccess::kPublic, true}, &A::ListQueries},
      {{"GET", "/v1/query/{name}", RouteAccess::kQueryDefined, true}, &A::RunQuery},
      {{"GET", "/v1/catalog", RouteAccess::kPublic, true}, &A::Catalog},
      {{"GET", "/v1/checkpoints/latest", RouteAccess::kPublic, true}, &A::LatestCheckpoint},
      {{"GET", "/v1/checkpoints/{height}", RouteAccess::kPublic, true}, &A::CheckpointAtHeight},
      {{"GET", "/v1/proofs/consistency", RouteAccess::kPublic, true}, &A::Consistency},
      {{"GET", "/v1/evidence/transactions/{hash}", RouteAccess::kAccount, true}, &A::TransactionEvidence},
      {{"GET", "/v1/evidence/assets/{asset}/access", RouteAccess::kAccount, true}, &A::AssetAccessEvidence},
      {{"GET", "/v1/evidence/disputes/{case}", RouteAccess::kAccount, true}, &A::DisputeEvidence},
      {{"GET", "/v1/ledger/export", RouteAccess::kAccount, true}, &A::LedgerExport},
      {{"POST", "/v1/admin/leadership", RouteAccess::kAccount, true}, &A::TransferLeadership},
      {{"POST", "/v1/admin/backup", RouteAccess::kAccount, true}, &A::Backup},
      {{"GET", "/healthz", RouteAccess::kPublic, false}, &A::Healthz},
      {{"GET", "/readyz", RouteAccess::kPublic, false}, &A::Readyz},
      {{"GET", "/metrics", RouteAccess::kPublic, false}, &A::MetricsPage},
      // The web console's static files (docs/console.md): the same bytes for everyone.
      {{"GET", "/", RouteAccess::kPublic, true}, &A::ConsoleIndex},
      {{"GET", "/console/{file}", RouteAccess::kPublic, true}, &A::ConsoleFile},
  };
  return kEntries;
}

const std::vector<RouteInfo>& ApiHandler::Routes() {
  static const std::vector<RouteInfo> kRoutes = [] {
    std::vector<RouteInfo> routes;
    for (const RouteEntry& entry : RouteEntries()) routes.push_back(entry.info);
    return routes;
  }();
  return kRoutes;
}

HttpResponse ApiHandler::ErrorResponse(int http_status, std::string_view code, std::string_view message) {
  return JsonResponse(http_status, ErrorJson(code, message));
}

HttpResponse ApiHandler::ErrorResponse(const Status& status) {
  const HttpError error = HttpErrorFor(status.code());
  return ErrorResponse(error.http_status, error.code, status.message());
}

int64_t ApiHandler::NowMs() const {
  if (options_.now_ms) return options_.now_ms();
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void ApiHandler::Count(int http_status) {
  std::lock_guard<std::mutex> lock(responses_mutex_);
  responses_by_status_[http_status] += 1;
}

HttpResponse ApiHandler::Handle(const HttpRequest& request) {
  Call call{request, nullptr, {}, {}, {}};
  HttpResponse response;
  try {
    response = Dispatch(call);
  } catch (const std::exception& error) {
    // Nothing here should throw; if a library does, one request fails, not the node.
    response = ErrorResponse(500, "internal", std::string("unexpected exception: ") + error.what());
  }
  Count(response.status);
  return response;
}

HttpResponse ApiHandler::Dispatch(Call& call) {
  const HttpRequest& request = call.request;
  if (request.target.size() > options_.target_bytes_max) {
    return ErrorResponse(414, kCodeTargetTooLong,
                         "request target is longer than " + std::to_string(options_.target_bytes_max) + " bytes");
  }
  auto target = ParseTarget(request.target, options_.query_params_max, options_.query_param_bytes_max);
  if (!target.ok()) return ErrorResponse(target.status());
  call.params = std::move(target->params);
  if (auto refusal = FindRoute(call, target->path)) return *refusal;
  if (auto refusal = Admit(call)) return *refusal;

  auto result = (this->*(call.route->fn))(call);
  if (result.ok()) return std::move(result).value();
  HttpResponse response = ErrorResponse(result.status());
  if (result.status().code() == ErrorCode::kResourceExhausted) response.headers.emplace_back("Retry-After", "1");
  return response;
}

std::optional<HttpResponse> ApiHandler::FindRoute(Call& call, const std::string& path) {
  auto segments = SplitPath(path);
  if (!segments.ok()) return ErrorResponse(segments.status());
  std::string allowed;  // methods of routes whose path matches
  for (const RouteEntry& entry : RouteEntries()) {
    std::map<std::string, std::string> path_params;
    if (!MatchPattern(entry.info.pattern, *segments, path_params)) continue;
    if (entry.info.method == call.request.method) {
      call.route = &entry;
      call.path_params = std::move(path_params);
      return std::nullopt;
    }
    if (allowed.find(entry.info.method) == std::string::npos) {
      allowed += (allowed.empty() ? "" : ", ") + entry.info.method;
    }
  }
  if (allowed.empty()) return ErrorResponse(404, kCodeUnknownRoute, "no route " + path);
  HttpResponse response = ErrorResponse(405, kCodeMethodNotAllowed,
                                        call.request.method + " is not allowed on " + path + "; use " + allowed);
  response.headers.emplace_back("Allow", allowed);
  return response;
}

std::optional<HttpResponse> ApiHandler::Admit(Call& call) {
  if (Status status = Authenticate(call); !status.ok()) {
    const ErrorCode code = status.code();
    if (code == ErrorCode::kPermissionDenied || code == ErrorCode::kInvalidArgument || code == ErrorCode::kNotFound) {
      return ErrorResponse(401, kCodeUnauthenticated, status.message());
    }
    return ErrorResponse(status);
  }
  const RouteInfo& route = call.route->info;
  if (route.access == RouteAccess::kAccount && call.caller.anonymous()) {
    return ErrorResponse(401, kCodeUnauthenticated,
                         "this route needs a signed request (headers " + std::string(kHeaderAccount) + ", " +
                             std::string(kHeaderTime) + ", " + std::string(kHeaderSignature) + ")");
  }
  // Submissions are charged to their (proven) senders inside Submit instead.
  const bool is_submission = route.method == "POST" && options_.verify_submissions;
  if (!route.rate_limited || is_submission) return std::nullopt;
  const std::string key =
      call.caller.account ? "account:" + *call.caller.account : "ip:" + call.request.remote_address;
  const Status status = RateLimit(key, 1);
  if (status.ok()) return std::nullopt;
  HttpResponse response = ErrorResponse(429, kCodeRateLimited, status.message());
  const int64_t wait_ms = limiter_.RetryAfterMs(key, 1, NowMs());
  response.headers.emplace_back("Retry-After", std::to_string((wait_ms + 999) / 1000));
  return response;
}

Status ApiHandler::Authenticate(Call& call) {
  SignedHeaders headers{HeaderOrEmpty(call.request, Lower(kHeaderNetwork)),
                        HeaderOrEmpty(call.request, Lower(kHeaderNode)),
                        HeaderOrEmpty(call.request, Lower(kHeaderAccount)),
                        HeaderOrEmpty(call.request, Lower(kHeaderTime)),
                        HeaderOrEmpty(call.request, Lower(kHeaderSignature))};
  if (headers.account.empty() && headers.time_ms.empty() && headers.signature.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(RequestCredentials credentials,
                   ParseSignedHeaders(headers, options_.tx_limits.account_id_bytes_max));
  auto key = service_.AccountPublicKey(credentials.account);
  if (!key.ok()) {
    if (key.status().code() == ErrorCode::kUnavailable || key.status().code() == ErrorCode::kInternal) {
      return key.status();
    }
    return Status::PermissionDenied("account '" + credentials.account + "': " + key.status().message());
  }
  RETURN_IF_ERROR(verifier_.Verify(credentials, *key, call.request.method, call.request.target,
                                   AsBytes(call.request.body), NowMs()));
  call.caller.account = credentials.account;
  return Status::Ok();
}

Status ApiHandler::RateLimit(const std::string& key, double cost) { return limiter_.Acquire(key, cost, NowMs()); }

// ------------------------------- submissions -------------------------------

Result<HttpResponse> ApiHandler::SubmitOne(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(json body, ParseJsonBody(call.request.body, options_.json_depth_max));
  RETURN_IF_ERROR(CheckBodyKeys(body, {"transaction", "transaction_hex", "wait_for_commit", "wait_timeout_ms"}));
  ASSIGN_OR_RETURN(SubmitOptions submit_options, ParseSubmitOptions(body, options_));
  const bool has_json = body.contains("transaction");
  const bool has_hex = body.contains("transaction_hex");
  if (has_json == has_hex) {
    return Status::InvalidArgument("request body: give exactly one of 'transaction' and 'transaction_hex'");
  }
  const char* key = has_json ? "transaction" : "transaction_hex";
  if (has_hex && !body[key].is_string()) return Status::InvalidArgument("transaction_hex: expected a hex string");
  auto tx = DecodeSubmitted(body[key], options_);
  if (!tx.ok()) return tx.status().WithContext(key);
  std::vector<ledger::Transaction> txs;
  txs.push_back(std::move(tx).value());
  return Submit(call, submit_options, std::move(txs));
}

Result<HttpResponse> ApiHandler::SubmitBatch(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(json body, ParseJsonBody(call.request.body, options_.json_depth_max));
  RETURN_IF_ERROR(CheckBodyKeys(body, {"transactions", "wait_for_commit", "wait_timeout_ms"}));
  ASSIGN_OR_RETURN(SubmitOptions submit_options, ParseSubmitOptions(body, options_));
  auto items = body.find("transactions");
  if (items == body.end() || !items->is_array() || items->empty()) {
    return Status::InvalidArgument("transactions: expected a non-empty array");
  }
  if (items->size() > options_.batch_transactions_max) {
    return Status::InvalidArgument("transactions: at most " + std::to_string(options_.batch_transactions_max) +
                                   " in one batch, got " + std::to_string(items->size()));
  }
  std::vector<ledger::Transaction> txs;
  txs.reserve(items->size());
  std::set<crypto::Digest> hashes;
  for (size_t i = 0; i < items->size(); ++i) {
    const std::string where = "transactions[" + std::to_string(i) + "]";
    auto tx = DecodeSubmitted((*items)[i], options_);
    if (!tx.ok()) return tx.status().WithContext(where);
    if (!hashes.insert(tx->Hash()).second) return Status::InvalidArgument(where + ": duplicate of an earlier item");
    txs.push_back(std::move(tx).value());
  }
  return Submit(call, submit_options, std::move(txs));
}

Result<std::vector<ledger::Transaction>> ApiHandler::VerifySenders(std::vector<ledger::Transaction> txs) {
  std::map<std::string, double> cost_by_sender;
  for (size_t i = 0; i < txs.size(); ++i) {
    const std::string where = "transactions[" + std::to_string(i) + "]";
    auto key = service_.AccountPublicKey(txs[i].sender);
    if (!key.ok()) return key.status().WithContext(where + ".sender '" + txs[i].sender + "'");
    if (!txs[i].VerifySignature(*key, genesis_hash_, options_.signature_cache)) {
      return Status::InvalidArgument(where + ".signature: does not verify with the current key of account '" +
                                     txs[i].sender + "'");
    }
    cost_by_sender[txs[i].sender] += 1;
  }
  for (const auto& [sender, cost] : cost_by_sender) {
    RETURN_IF_ERROR(RateLimit("account:" + sender, cost));
  }
  return txs;
}

Result<HttpResponse> ApiHandler::Submit(Call& call, const SubmitOptions& submit_options,
                                        std::vector<ledger::Transaction> txs) {
  if (options_.verify_submissions) {
    ASSIGN_OR_RETURN(txs, VerifySenders(std::move(txs)));
  }
  const size_t count = txs.size();
  const bool single = call.route->info.pattern == "/v1/transactions";
  ASSIGN_OR_RETURN(std::vector<SubmitResult> results, service_.Submit(std::move(txs), submit_options));
  if (results.size() != count) {
    return Status::Internal("the node returned " + std::to_string(results.size()) + " results for " +
                            std::to_string(count) + " transactions");
  }
  bool all_committed = true;
  json rendered = json::array();
  for (const SubmitResult& result : results) {
    all_committed = all_committed && result.state == SubmitState::kCommitted;
    rendered.push_back(SubmitResultJson(result));
  }
  const int status = all_committed ? 200 : 202;
  if (single) return JsonResponse(status, rendered[0]);
  return JsonResponse(status, json{{"results", std::move(rendered)}});
}

// ------------------------------- reads -------------------------------

Result<HttpResponse> ApiHandler::GetTransaction(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {"consistency"}));
  ASSIGN_OR_RETURN(ReadConsistency consistency, ParseConsistency(call.params));
  ASSIGN_OR_RETURN(crypto::Digest hash, ParseHash("hash", call.path_params["hash"]));
  ASSIGN_OR_RETURN(TransactionRecord record, service_.GetTransaction(hash, consistency, call.caller));
  return JsonResponse(200, TransactionRecordJson(record, options_.body_limits));
}

Result<HttpResponse> ApiHandler::GetBlockByHeight(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {"consistency"}));
  ASSIGN_OR_RETURN(ReadConsistency consistency, ParseConsistency(call.params));
  ASSIGN_OR_RETURN(uint64_t height, ParseU64("height", call.path_params["height"]));
  ASSIGN_OR_RETURN(BlockRecord record, service_.GetBlockByHeight(height, consistency, call.caller));
  return JsonResponse(200, BlockRecordJson(record, options_.body_limits));
}

Result<HttpResponse> ApiHandler::GetBlockByHash(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {"consistency"}));
  ASSIGN_OR_RETURN(ReadConsistency consistency, ParseConsistency(call.params));
  ASSIGN_OR_RETURN(crypto::Digest hash, ParseHash("hash", call.path_params["hash"]));
  ASSIGN_OR_RETURN(BlockRecord record, service_.GetBlockByHash(hash, consistency, call.caller));
  return JsonResponse(200, BlockRecordJson(record, options_.body_limits));
}

// {"to": NODE_ID, "timeout_ms": N}: hands leadership to that voter and answers the
// status once it leads (node/operations.cc).
Result<HttpResponse> ApiHandler::TransferLeadership(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(json body, ParseJsonBody(call.request.body, options_.json_depth_max));
  RETURN_IF_ERROR(CheckBodyKeys(body, {"to", "timeout_ms"}));
  auto to = body.find("to");
  if (to == body.end() || !to->is_number_unsigned()) return Status::InvalidArgument("to: expected a node id");
  uint64_t timeout_ms = options_.wait_timeout_ms_default;
  if (auto it = body.find("timeout_ms"); it != body.end()) {
    if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 || it->get<uint64_t>() > options_.wait_timeout_ms_max) {
      return Status::InvalidArgument("timeout_ms: 1.." + std::to_string(options_.wait_timeout_ms_max));
    }
    timeout_ms = it->get<uint64_t>();
  }
  ASSIGN_OR_RETURN(NodeStatus status, service_.TransferLeadership(call.caller, to->get<uint64_t>(), timeout_ms));
  return JsonResponse(200, NodeStatusJson(status));
}

// {"out": "/absolute/folder"}: the node writes a backup of its database there and
// answers the manifest (node/operations.cc, docs/node.md "Backup and restore").
Result<HttpResponse> ApiHandler::Backup(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(json body, ParseJsonBody(call.request.body, options_.json_depth_max));
  RETURN_IF_ERROR(CheckBodyKeys(body, {"out"}));
  auto out = body.find("out");
  if (out == body.end() || !out->is_string() || out->get<std::string>().empty()) {
    return Status::InvalidArgument("out: expected the absolute path of a new folder on the node's host");
  }
  ASSIGN_OR_RETURN(json manifest, service_.Backup(call.caller, out->get<std::string>()));
  return JsonResponse(200, manifest);
}

Result<HttpResponse> ApiHandler::GetStatus(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(NodeStatus status, service_.GetStatus());
  return JsonResponse(200, NodeStatusJson(status));
}

Result<HttpResponse> ApiHandler::ListQueries(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  json queries = json::array();
  for (const QueryInfo& info : service_.ListQueries()) queries.push_back(QueryInfoJson(info));
  return JsonResponse(200, json{{"queries", std::move(queries)}});
}

Result<HttpResponse> ApiHandler::RunQuery(Call& call) { return Query(call, call.path_params["name"]); }

Result<HttpResponse> ApiHandler::Catalog(Call& call) { return Query(call, std::string(kCatalogQueryName)); }

Result<HttpResponse> ApiHandler::Query(Call& call, const std::string& name) {
  std::optional<QueryInfo> info;
  for (QueryInfo& candidate : service_.ListQueries()) {
    if (candidate.name == name) info = std::move(candidate);
  }
  if (!info) return Status::NotFound("no query named '" + name + "'; GET /v1/queries lists them");
  if (!info->public_access && call.caller.anonymous()) {
    return ErrorResponse(401, kCodeUnauthenticated, "query '" + name + "' is not public: sign the request");
  }
  std::set<std::string> allowed = {"consistency"};
  if (info->paginated) allowed.insert({"limit", "cursor"});
  allowed.insert(info->required_params.begin(), info->required_params.end());
  allowed.insert(info->optional_params.begin(), info->optional_params.end());
  RETURN_IF_ERROR(CheckParams(call.params, allowed));

  QueryRequest request;
  request.name = name;
  request.caller = call.caller;
  ASSIGN_OR_RETURN(request.consistency, ParseConsistency(call.params));
  request.limit = options_.page_items_default;
  if (auto it = call.params.find("limit"); it != call.params.end()) {
    ASSIGN_OR_RETURN(uint64_t limit, ParseU64("limit", it->second));
    if (limit == 0 || limit > options_.page_items_max) {
      return Status::InvalidArgument("limit: between 1 and " + std::to_string(options_.page_items_max));
    }
    request.limit = static_cast<uint32_t>(limit);
  }
  if (auto it = call.params.find("cursor"); it != call.params.end()) {
    if (it->second.size() > options_.cursor_bytes_max) {
      return Status::InvalidArgument("cursor: longer than " + std::to_string(options_.cursor_bytes_max) + " bytes");
    }
    request.cursor = it->second;
  }
  for (const std::string& param : info->required_params) {
    if (!call.params.contains(param)) return Status::InvalidArgument("query '" + name + "' needs parameter '" + param + "'");
  }
  for (const auto& [param, value] : call.params) {
    if (param != "consistency" && param != "limit" && param != "cursor") request.params[param] = value;
  }
  ASSIGN_OR_RETURN(QueryPage page, service_.Query(request));
  json out = {{"query", name}, {"result", std::move(page.result)}};
  out["next_cursor"] = page.next_cursor ? json(*page.next_cursor) : json(nullptr);
  return JsonResponse(200, out);
}

// ------------------------------- evidence -------------------------------

Result<HttpResponse> ApiHandler::LatestCheckpoint(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(ledger::CosignedCheckpoint checkpoint, service_.LatestCheckpoint());
  return JsonResponse(200, checkpoint.ToJson());
}

Result<HttpResponse> ApiHandler::CheckpointAtHeight(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {}));
  ASSIGN_OR_RETURN(uint64_t height, ParseU64("height", call.path_params["height"]));
  ASSIGN_OR_RETURN(ledger::CosignedCheckpoint checkpoint, service_.CheckpointAtHeight(height));
  return JsonResponse(200, checkpoint.ToJson());
}

Result<HttpResponse> ApiHandler::Consistency(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {"from", "to"}));
  ASSIGN_OR_RETURN(uint64_t from, RequireU64Param(call.params, "from"));
  ASSIGN_OR_RETURN(uint64_t to, RequireU64Param(call.params, "to"));
  if (from > to) {
    return Status::InvalidArgument("from: " + std::to_string(from) + " is above to (" + std::to_string(to) + ")");
  }
  ASSIGN_OR_RETURN(ConsistencyAnswer answer, service_.Consistency(from, to));
  return JsonResponse(200, json{{"from", answer.from.ToJson()},
                                {"to", answer.to.ToJson()},
                                {"proofs", answer.proofs.ToJson()}});
}

Result<HttpResponse> ApiHandler::Evidence(Call& call, EvidenceRequest request, std::set<std::string> allowed) {
  allowed.insert("checkpoint");
  RETURN_IF_ERROR(CheckParams(call.params, allowed));
  if (call.params.contains("checkpoint")) {
    ASSIGN_OR_RETURN(uint64_t height, ParseU64("checkpoint", call.params["checkpoint"]));
    request.checkpoint_height = height;
  }
  ASSIGN_OR_RETURN(json bundle, service_.Evidence(request, call.caller));
  return JsonResponse(200, bundle);
}

Result<HttpResponse> ApiHandler::TransactionEvidence(Call& call) {
  EvidenceRequest request;
  request.kind = EvidenceKind::kTransaction;
  ASSIGN_OR_RETURN(request.tx_hash, ParseHash("hash", call.path_params["hash"]));
  return Evidence(call, std::move(request), {});
}

Result<HttpResponse> ApiHandler::AssetAccessEvidence(Call& call) {
  EvidenceRequest request;
  request.kind = EvidenceKind::kAssetAccess;
  request.asset_id = call.path_params["asset"];
  if (request.asset_id.size() > options_.query_param_bytes_max) {
    return Status::InvalidArgument("asset: longer than " + std::to_string(options_.query_param_bytes_max) + " bytes");
  }
  for (const char* name : {"from_ms", "to_ms"}) {
    if (!call.params.contains(name)) return Status::InvalidArgument("query parameter '" + std::string(name) + "' is required");
  }
  ASSIGN_OR_RETURN(request.from_ms, ParseI64("from_ms", call.params["from_ms"]));
  ASSIGN_OR_RETURN(request.to_ms, ParseI64("to_ms", call.params["to_ms"]));
  if (request.from_ms >= request.to_ms) {
    return Status::InvalidArgument("from_ms: must be below to_ms (the range is [from_ms, to_ms))");
  }
  return Evidence(call, std::move(request), {"from_ms", "to_ms"});
}

Result<HttpResponse> ApiHandler::DisputeEvidence(Call& call) {
  EvidenceRequest request;
  request.kind = EvidenceKind::kDispute;
  request.dispute_id = call.path_params["case"];
  if (request.dispute_id.size() > options_.query_param_bytes_max) {
    return Status::InvalidArgument("case: longer than " + std::to_string(options_.query_param_bytes_max) + " bytes");
  }
  return Evidence(call, std::move(request), {});
}

Result<HttpResponse> ApiHandler::LedgerExport(Call& call) {
  RETURN_IF_ERROR(CheckParams(call.params, {"from", "to"}));
  ASSIGN_OR_RETURN(uint64_t from, RequireU64Param(call.params, "from"));
  ASSIGN_OR_RETURN(uint64_t to, RequireU64Param(call.params, "to"));
  if (from == 0) return Status::InvalidArgument("from: heights start at 1");
  if (from > to) {
    return Status::InvalidArgument("from: " + std::to_string(from) + " is above to (" + std::to_string(to) + ")");
  }
  if (to - from >= options_.export_blocks_max) {
    return Status::InvalidArgument("to: at most " + std::to_string(options_.export_blocks_max) +
                                   " blocks in one export; ask for the rest in further ranges");
  }
  ASSIGN_OR_RETURN(LedgerExportPage page,
                   service_.LedgerExport(from, to, options_.export_bytes_max, call.caller));
  HttpResponse response;
  response.content_type = "application/octet-stream";
  response.body = std::move(page.body);
  response.headers.emplace_back(std::string(kHeaderExportTo), std::to_string(page.to_height));
  return response;
}

// ------------------------------- operations -------------------------------

Result<HttpResponse> ApiHandler::Healthz(Call& call) {
  (void)call;
  const Health health = service_.GetHealth();
  if (!health.live) return Status::Unavailable("not live: " + health.reason);
  return JsonResponse(200, json{{"live", true}});
}

Result<HttpResponse> ApiHandler::Readyz(Call& call) {
  (void)call;
  const Health health = service_.GetHealth();
  if (!health.ready) return Status::Unavailable("not ready: " + health.reason);
  return JsonResponse(200, json{{"ready", true}});
}

Result<HttpResponse> ApiHandler::MetricsPage(Call& call) {
  (void)call;
  std::vector<MetricFamily> families = service_.Metrics();
  MetricFamily open{"shulian_api_connections_open", "HTTP connections open now.", MetricType::kGauge,
                    {{"", {}, static_cast<double>(counters_.connections_open.load())}}};
  MetricFamily accepted{"shulian_api_connections_accepted_total", "HTTP connections accepted.", MetricType::kCounter,
                        {{"", {}, static_cast<double>(counters_.connections_accepted_total.load())}}};
  MetricFamily refused{"shulian_api_connections_refused_total",
                       "HTTP connections refused because max_connections were open.", MetricType::kCounter,
                       {{"", {}, static_cast<double>(counters_.connections_refused_total.load())}}};
  MetricFamily responses{"shulian_api_responses_total", "HTTP responses sent, by status.", MetricType::kCounter, {}};
  {
    std::lock_guard<std::mutex> lock(responses_mutex_);
    for (const auto& [status, count] : responses_by_status_) {
      responses.samples.push_back({"", {{"status", std::to_string(status)}}, static_cast<double>(count)});
    }
  }
  auto counter = [](std::string name, std::string help, const std::atomic<uint64_t>& value) {
    return MetricFamily{std::move(name),
                        std::move(help),
                        MetricType::kCounter,
                        {{"", {}, static_cast<double>(value.load())}}};
  };
  families.push_back(std::move(open));
  families.push_back(std::move(accepted));
  families.push_back(std::move(refused));
  families.push_back(
      counter("shulian_api_connections_refused_per_address_total",
              "HTTP connections refused because their address had connections_per_address_max open.",
              counters_.connections_refused_per_address_total));
  families.push_back(
      counter("shulian_api_first_request_timeouts_total",
              "HTTP connections closed for sending no request headers within first_request_timeout_ms.",
              counters_.first_request_timeouts_total));
  families.push_back(
      counter("shulian_api_address_rate_limited_total",
              "Requests answered 429 by the per-address limit on their headers, bodies unread.",
              counters_.requests_refused_address_rate_total));
  families.push_back(std::move(responses));
  HttpResponse response;
  response.content_type = std::string(kPrometheusContentType);
  response.body = RenderPrometheusText(families);
  return response;
}

namespace {

Result<HttpResponse> ConsoleResponse(std::string_view name) {
  std::optional<console::Asset> asset = console::FindAsset(name);
  if (!asset) return Status::NotFound("no console file " + std::string(name));
  HttpResponse response;
  response.content_type = std::string(asset->content_type);
  response.body = std::string(asset->bytes);
  response.headers.emplace_back("Content-Security-Policy", std::string(console::kContentSecurityPolicy));
  response.headers.emplace_back("X-Content-Type-Options", "nosniff");
  response.headers.emplace_back("Referrer-Policy", "no-referrer");
  return response;
}

}  // namespace

Result<HttpResponse> ApiHandler::ConsoleIndex(Call& call) {
  (void)call;
  return ConsoleResponse("index.html");
}

Result<HttpResponse> ApiHandler::ConsoleFile(Call& call) { return ConsoleResponse(call.path_params.at("file")); }

}  // namespace shulian::api
