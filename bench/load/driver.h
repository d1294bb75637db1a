// The load driver: sends prepared HTTP requests over C concurrent keep-alive
// connections, one request at a time per connection, as fast as the server
// answers, and accounts for every answer — latency, committed and accepted
// transactions, ledger rejections and errors by code. The same driver measures
// Shulian (POST /v1/transactions with wait_for_commit) and etcd (its JSON
// gateway), so both systems are timed by one piece of code.
//
// Timing starts when every connection is open (each sends one untimed probe
// first) and ends when the last answer arrives. Latency is measured per request,
// from just before sending to the end of the answer, for requests whose
// transactions all committed; failed requests are counted in `errors`.
//
// Ownership: Drive borrows the requests; each worker thread owns its client.
// Thread-safety: Drive may be called from one thread at a time per request list.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "api/client.h"
#include "common/status.h"

namespace shulian::load {

inline constexpr uint32_t kConcurrencyMax = 1024;

struct HttpRequest {
  std::string target;  // "/v1/transactions"
  std::string body;    // JSON
  uint32_t transactions = 1;
};

// What a run of requests produced. Errors are keyed by a short stable text
// ("HTTP 429 resource_exhausted", "state timed_out", "transport").
struct Tally {
  uint64_t requests_committed = 0;
  uint64_t committed = 0;  // transactions in a block (accepted or rejected by the ledger)
  uint64_t accepted = 0;
  std::map<std::string, uint64_t> rejected;  // ledger outcome code name -> transactions
  std::map<std::string, uint64_t> errors;    // error -> transactions
  std::vector<uint32_t> latencies_us;        // one per committed request

  void Merge(Tally&& other);
  uint64_t ErrorCount() const;
};

// Classifies one answer (or a transport failure, `response` null) into `tally`.
// Returns true if every transaction of the request committed.
using Judge = std::function<bool(const api::ApiResponse* response, const HttpRequest& request, Tally& tally)>;

struct DriveOptions {
  std::vector<std::string> base_urls;  // connections are spread over these, round robin
  uint32_t concurrency = 16;
  std::string probe_target;  // GET before timing, so connections are open; empty: none
  std::string probe_method = "GET";
  std::string probe_body;
  uint64_t connect_timeout_ms = 5'000;
  uint64_t read_timeout_ms = 75'000;
};

Status ValidateDriveOptions(const DriveOptions& options);

struct DriveResult {
  Tally tally;
  double elapsed_s = 0;
};

// Sends every request once. Fails only if the options are bad or a connection
// cannot be opened for the probe; errors of individual requests are tallied.
Result<DriveResult> Drive(const std::vector<HttpRequest>& requests, const DriveOptions& options, const Judge& judge);

// Shulian: a 200 or 202 answer to POST /v1/transactions or /v1/transactions/batch.
bool JudgeShulian(const api::ApiResponse* response, const HttpRequest& request, Tally& tally);
// etcd's gateway: 200 means the put (or txn) committed on a quorum.
bool JudgeEtcd(const api::ApiResponse* response, const HttpRequest& request, Tally& tally);

}  // namespace shulian::load
