#include "bench/load/driver.h"

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <chrono>
#include <latch>
#include <memory>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

namespace shulian::load {
namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;

void AddError(Tally& tally, const std::string& key, uint64_t transactions) { tally.errors[key] += transactions; }

// The stable code of an error answer: {"error":{"code":...}} (Shulian) or
// {"code":N} (etcd's gateway, a gRPC status code).
std::string ErrorKey(const api::ApiResponse& response) {
  std::string key = "HTTP " + std::to_string(response.http_status);
  const json parsed = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) return key;
  if (parsed.contains("error") && parsed["error"].is_object() && parsed["error"].contains("code") &&
      parsed["error"]["code"].is_string()) {
    return key + " " + parsed["error"]["code"].get<std::string>();
  }
  if (parsed.contains("code") && parsed["code"].is_number_integer()) {
    return key + " grpc " + std::to_string(parsed["code"].get<int64_t>());
  }
  return key;
}

// One submit result: {"state": ..., "outcome": {"accepted": ..., "code_name": ...}}.
bool JudgeSubmitResult(const json& result, Tally& tally) {
  if (!result.is_object() || !result.contains("state") || !result["state"].is_string()) {
    AddError(tally, "malformed answer", 1);
    return false;
  }
  const std::string state = result["state"].get<std::string>();
  if (state != "committed") {
    AddError(tally, "state " + state, 1);
    return false;
  }
  ++tally.committed;
  const json& outcome = result.contains("outcome") ? result["outcome"] : json();
  if (outcome.is_object() && outcome.value("accepted", false)) {
    ++tally.accepted;
  } else {
    const std::string code =
        outcome.is_object() && outcome.contains("code_name") && outcome["code_name"].is_string()
            ? outcome["code_name"].get<std::string>()
            : std::string("unknown");
    ++tally.rejected[code];
  }
  return true;
}

struct Worker {
  std::unique_ptr<api::ApiClient> client;
  Tally tally;
  Status status;
};

Status OpenConnection(Worker& worker, const std::string& base_url, const DriveOptions& options) {
  api::ClientOptions client_options;
  client_options.base_url = base_url;
  client_options.connect_timeout_ms = options.connect_timeout_ms;
  client_options.read_timeout_ms = options.read_timeout_ms;
  ASSIGN_OR_RETURN(worker.client, api::ApiClient::Create(client_options));
  if (options.probe_target.empty()) return Status::Ok();
  ASSIGN_OR_RETURN(api::ApiResponse probe,
                   worker.client->Send(options.probe_method, options.probe_target, options.probe_body));
  if (probe.http_status < 200 || probe.http_status >= 300) {
    return Status::Unavailable(base_url + options.probe_target + " answered HTTP " +
                               std::to_string(probe.http_status) + ": " + probe.body.substr(0, 200));
  }
  return Status::Ok();
}

void RunWorker(Worker& worker, const std::vector<HttpRequest>& requests, std::atomic<size_t>& next,
               const Judge& judge) {
  for (;;) {
    const size_t index = next.fetch_add(1, std::memory_order_relaxed);
    if (index >= requests.size()) return;
    const HttpRequest& request = requests[index];
    const Clock::time_point start = Clock::now();
    Result<api::ApiResponse> response = worker.client->Send("POST", request.target, request.body);
    const Clock::time_point end = Clock::now();
    const bool committed = judge(response.ok() ? &*response : nullptr, request, worker.tally);
    if (!committed) continue;
    ++worker.tally.requests_committed;
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(end - start).count();
    worker.tally.latencies_us.push_back(static_cast<uint32_t>(std::min<int64_t>(micros, UINT32_MAX)));
  }
}

}  // namespace

void Tally::Merge(Tally&& other) {
  requests_committed += other.requests_committed;
  committed += other.committed;
  accepted += other.accepted;
  for (const auto& [code, count] : other.rejected) rejected[code] += count;
  for (const auto& [code, count] : other.errors) errors[code] += count;
  latencies_us.insert(latencies_us.end(), other.latencies_us.begin(), other.latencies_us.end());
}

uint64_t Tally::ErrorCount() const {
  uint64_t total = 0;
  for (const auto& [code, count] : errors) total += count;
  return total;
}

Status ValidateDriveOptions(const DriveOptions& options) {
  if (options.base_urls.empty()) return Status::InvalidArgument("servers: none given");
  if (options.concurrency < 1 || options.concurrency > kConcurrencyMax) {
    return Status::InvalidArgument("--concurrency: 1.." + std::to_string(kConcurrencyMax) + ", got " +
                                   std::to_string(options.concurrency));
  }
  return Status::Ok();
}

Result<DriveResult> Drive(const std::vector<HttpRequest>& requests, const DriveOptions& options, const Judge& judge) {
  RETURN_IF_ERROR(ValidateDriveOptions(options));
  const size_t connections = options.concurrency;
  std::vector<Worker> workers(connections);
  std::latch ready(static_cast<std::ptrdiff_t>(connections));
  std::latch go(1);
  std::atomic<size_t> next{0};
  std::vector<std::thread> threads;
  threads.reserve(connections);
  for (size_t i = 0; i < connections; ++i) {
    threads.emplace_back([&, i] {
      Worker& worker = workers[i];
      worker.status = OpenConnection(worker, options.base_urls[i % options.base_urls.size()], options);
      worker.tally.latencies_us.reserve(requests.size() / connections + 1);
      ready.count_down();
      go.wait();
      if (worker.status.ok()) RunWorker(worker, requests, next, judge);
    });
  }
  ready.wait();
  // A connection that could not open fails the run before the clock starts.
  for (const Worker& worker : workers) {
    if (!worker.status.ok()) next.store(requests.size());
  }
  const Clock::time_point start = Clock::now();
  go.count_down();
  for (std::thread& thread : threads) thread.join();
  const Clock::time_point end = Clock::now();
  for (const Worker& worker : workers) {
    if (!worker.status.ok()) return worker.status.WithContext("opening a connection");
  }
  DriveResult result;
  result.elapsed_s = std::chrono::duration<double>(end - start).count();
  for (Worker& worker : workers) result.tally.Merge(std::move(worker.tally));
  return result;
}

bool JudgeShulian(const api::ApiResponse* response, const HttpRequest& request, Tally& tally) {
  if (response == nullptr) {
    AddError(tally, "transport", request.transactions);
    return false;
  }
  if (response->http_status != 200 && response->http_status != 202) {
    AddError(tally, ErrorKey(*response), request.transactions);
    return false;
  }
  const json parsed = json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    AddError(tally, "malformed answer", request.transactions);
    return false;
  }
  if (!parsed.contains("results")) return JudgeSubmitResult(parsed, tally);
  const json& results = parsed["results"];
  if (!results.is_array() || results.size() != request.transactions) {
    AddError(tally, "malformed answer", request.transactions);
    return false;
  }
  bool all = true;
  for (const json& result : results) all = JudgeSubmitResult(result, tally) && all;
  return all;
}

bool JudgeEtcd(const api::ApiResponse* response, const HttpRequest& request, Tally& tally) {
  if (response == nullptr) {
    AddError(tally, "transport", request.transactions);
    return false;
  }
  if (response->http_status != 200) {
    AddError(tally, ErrorKey(*response), request.transactions);
    return false;
  }
  // A txn answers {"succeeded": true, ...}; its puts have no compare, so it always succeeds.
  tally.committed += request.transactions;
  tally.accepted += request.transactions;
  return true;
}

}  // namespace shulian::load
