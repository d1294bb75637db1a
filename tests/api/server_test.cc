// The HTTP API end to end: a real HttpServer on 127.0.0.1 (ephemeral port) over
// an in-memory NodeService, driven by the real ApiClient and by raw sockets.
#include "api/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <functional>
#include <set>
#include <thread>

#include <gtest/gtest.h>

#include "api/client.h"
#include "api/errors.h"
#include "api/request_auth.h"
#include "ledger/tx_json.h"
#include "tests/api/fake_service.h"

namespace shulian::api {
namespace {

using nlohmann::json;
using testing::FakeNodeService;

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// A blocking TCP connection for hand-written HTTP.
class RawConnection {
 public:
  // Connects to 127.0.0.1:`port` from `source` (any address of 127.0.0.0/8 is local).
  explicit RawConnection(uint16_t port, const char* source = "127.0.0.1") {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    EXPECT_EQ(::inet_pton(AF_INET, source, &local.sin_addr), 1);
    EXPECT_EQ(::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof(local)), 0) << source;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }

  bool connected() const { return connected_; }

  bool Send(std::string_view data) {
    while (!data.empty()) {
      const ssize_t sent = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (sent <= 0) return false;
      data.remove_prefix(static_cast<size_t>(sent));
    }
    return true;
  }

  // Reads one response (headers and a Content-Length body). Empty on EOF/timeout.
  std::string ReadResponse() {
    while (true) {
      const size_t header_end = buffer_.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        size_t length = 0;
        const std::string headers = Lower(buffer_.substr(0, header_end));
        const size_t at = headers.find("content-length:");
        if (at != std::string::npos) length = std::stoul(headers.substr(at + 15));
        const size_t total = header_end + 4 + length;
        if (buffer_.size() >= total) {
          std::string response = buffer_.substr(0, total);
          buffer_.erase(0, total);
          return response;
        }
      }
      char chunk[4096];
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0) return {};
      buffer_.append(chunk, static_cast<size_t>(got));
    }
  }

  // True if the server closed the connection (EOF) within the receive timeout.
  bool ClosedByPeer() {
    char byte;
    return ::recv(fd_, &byte, 1, 0) == 0;
  }

 private:
  static std::string Lower(std::string text) {
    for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
  }

  int fd_ = -1;
  bool connected_ = false;
  std::string buffer_;
};

// Polls `predicate` until it holds or 5 s pass (for counters updated just after
// the event a test observes).
bool WaitUntil(const std::function<bool()>& predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

int StatusOf(const std::string& response) {
  if (response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

json BodyOf(const std::string& response) {
  const size_t at = response.find("\r\n\r\n");
  return json::parse(response.substr(at + 4), nullptr, false);
}

std::string ErrorCodeOf(const std::string& response) {
  const json body = BodyOf(response);
  if (body.is_discarded() || !body.contains("error")) return "<no error body>";
  return body["error"]["code"].get<std::string>();
}

class ApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    alice_key_ = service_.AddAccount("alice");
    bob_key_ = service_.AddAccount("bob");
    StartServer(DefaultOptions());
  }

  static ServerOptions DefaultOptions() {
    ServerOptions options;
    options.port = 0;
    options.io_threads = 2;
    options.handler_threads = 4;
    options.body_bytes_max = 64 * 1024;
    options.header_bytes_max = 4 * 1024;
    options.api.rate_limit.rate_per_second = 10'000;
    options.api.rate_limit.burst_max = 10'000;
    options.api.batch_transactions_max = 8;
    options.api.page_items_max = 5;
    options.api.page_items_default = 3;
    return options;
  }

  void StartServer(ServerOptions options) {
    server_.reset();
    auto server = HttpServer::Start(service_, std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::string BaseUrl() const { return "http://127.0.0.1:" + std::to_string(server_->port()); }

  std::unique_ptr<ApiClient> Client(std::optional<std::string> account = std::nullopt,
                                    std::shared_ptr<const crypto::KeyPair> key = nullptr) {
    ClientOptions options;
    options.base_url = BaseUrl();
    options.account = std::move(account);
    options.key = std::move(key);
    auto client = ApiClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }

  std::unique_ptr<ApiClient> Alice() { return Client("alice", alice_key_); }

  // One request on a fresh raw connection, closed afterwards.
  std::string Raw(const std::string& request) {
    RawConnection connection(server_->port());
    EXPECT_TRUE(connection.connected());
    EXPECT_TRUE(connection.Send(request));
    return connection.ReadResponse();
  }

  static std::string Post(const std::string& target, const std::string& body,
                          const std::string& extra_headers = "") {
    return "POST " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\n" +
           extra_headers + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  static std::string Get(const std::string& target, const std::string& extra_headers = "") {
    return "GET " + target + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n" + extra_headers + "\r\n";
  }
  static std::string SignedHeaderLines(const crypto::KeyPair& key, const std::string& account,
                                       const std::string& method, const std::string& target, int64_t time_ms,
                                       std::string_view body = {},
                                       const RequestBinding& binding = {std::string(FakeNodeService::kNetworkId), 1}) {
    const SignedHeaders headers = SignRequest(key, binding, account, method, target, time_ms, AsBytes(body));
    return "X-Shulian-Network: " + headers.network_id + "\r\nX-Shulian-Node: " + headers.node_id +
           "\r\nX-Shulian-Account: " + headers.account + "\r\nX-Shulian-Time: " + headers.time_ms +
           "\r\nX-Shulian-Signature: " + headers.signature + "\r\n";
  }

  FakeNodeService service_;
  std::shared_ptr<const crypto::KeyPair> alice_key_;
  std::shared_ptr<const crypto::KeyPair> bob_key_;
  std::unique_ptr<HttpServer> server_;
};

// ------------------------------- submissions -------------------------------

TEST_F(ApiServerTest, SubmitQueuesTheTransactionAndReturnsItsHash) {
  // Without waiting: 202, state "queued", the transaction's hash; the node has it.
  const ledger::Transaction tx = service_.MakeTransaction("alice", 1);
  auto result = Client()->Submit(tx);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["state"], "queued");
  EXPECT_EQ((*result)["tx_hash"], tx.Hash().ToHex());
  EXPECT_TRUE((*result)["outcome"].is_null());
  EXPECT_EQ(service_.queued(), 1u);
}

TEST_F(ApiServerTest, SubmitAndWaitReturnsTheCommittedOutcome) {
  // Waiting for commit: 200 with the height and the outcome.
  const ledger::Transaction tx = service_.MakeTransaction("alice", 2);
  auto response = Client()->Send("POST", "/v1/transactions",
                                 json{{"transaction_hex", ToHex(tx.Encode())}, {"wait_for_commit", true}}.dump());
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->http_status, 200);
  const json body = json::parse(response->body);
  EXPECT_EQ(body["state"], "committed");
  EXPECT_EQ(body["height"], 1);
  EXPECT_EQ(body["outcome"]["accepted"], true);
  EXPECT_EQ(body["outcome"]["tx_hash"], tx.Hash().ToHex());
}

TEST_F(ApiServerTest, SubmitAcceptsTheJsonForm) {
  // The JSON form of ledger/tx_json.h decodes to the same transaction.
  const ledger::Transaction tx = service_.MakeTransaction("bob", 3);
  auto result = Client()->SubmitJson(ledger::TransactionToJson(tx), true, 5'000);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  EXPECT_EQ((*result)["tx_hash"], tx.Hash().ToHex());
  EXPECT_EQ((*result)["state"], "committed");
}

TEST_F(ApiServerTest, BatchIsAdmittedWholeWithOneResultEach) {
  // A batch of three gets three results in order.
  std::vector<ledger::Transaction> txs = {service_.MakeTransaction("alice", 10), service_.MakeTransaction("bob", 11),
                                          service_.MakeTransaction("alice", 12)};
  auto result = Client()->SubmitBatch(txs, true);
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  ASSERT_EQ((*result)["results"].size(), 3u);
  for (size_t i = 0; i < txs.size(); ++i) {
    EXPECT_EQ((*result)["results"][i]["tx_hash"], txs[i].Hash().ToHex());
    EXPECT_EQ((*result)["results"][i]["state"], "committed");
  }
  EXPECT_EQ(service_.committed(), 3u);
}

TEST_F(ApiServerTest, BadBatchesAreRefusedAndChangeNothing) {
  // Too many items, a duplicate, a bad item: 400 naming the item; nothing queued.
  std::vector<ledger::Transaction> too_many;
  for (uint64_t i = 0; i < 9; ++i) too_many.push_back(service_.MakeTransaction("alice", 100 + i));
  auto over = Client()->SubmitBatch(too_many);
  EXPECT_EQ(over.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(over.status().message().find("at most 8"), std::string::npos) << over.status().message();

  const ledger::Transaction tx = service_.MakeTransaction("alice", 200);
  auto duplicate = Client()->SubmitBatch({tx, tx});
  EXPECT_NE(duplicate.status().message().find("transactions[1]: duplicate"), std::string::npos)
      << duplicate.status().message();

  const std::string body = json{{"transactions", {ToHex(tx.Encode()), "zz"}}}.dump();
  const std::string response = Raw(Post("/v1/transactions/batch", body));
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_NE(BodyOf(response)["error"]["message"].get<std::string>().find("transactions[1]"), std::string::npos);
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiServerTest, BadSignatureOrUnknownSenderIsRefusedBeforeQueueing) {
  // A transaction whose signature fails, or from no account, never reaches the queue.
  ledger::Transaction forged = service_.MakeTransaction("alice", 5);
  forged.Sign(*bob_key_, FakeNodeService::GenesisHash());
  auto refused = Client()->Submit(forged);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("signature"), std::string::npos) << refused.status().message();
  EXPECT_NE(refused.status().message().find("HTTP 400 invalid_argument"), std::string::npos);

  const ledger::Transaction stranger = service_.MakeTransaction("carol", 6);
  auto unknown = Client()->Submit(stranger);
  EXPECT_EQ(unknown.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(unknown.status().message().find("carol"), std::string::npos) << unknown.status().message();
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiServerTest, MalformedBodiesAre400WithAClearMessage) {
  // Broken JSON, a non-object, an unknown key, both forms, a bad field, deep nesting.
  struct Case {
    std::string body;
    std::string expect_in_message;
  };
  const std::vector<Case> cases = {
      {"{not json", "malformed JSON"},
      {"[1,2]", "expected a JSON object"},
      {R"({"transaction_hex":"00","surprise":1})", "unknown key 'surprise'"},
      {R"({"transaction_hex":"00","transaction":{}})", "exactly one"},
      {R"({"transaction_hex":"0g"})", "transaction_hex"},
      {R"({"transaction":{"type":"suspend_account"}})", "transaction"},
      {R"({"transaction_hex":"00","wait_timeout_ms":-1})", "wait_timeout_ms"},
      {R"({"transaction_hex":"00","wait_timeout_ms":999999999})", "wait_timeout_ms"},
      {std::string(200, '[') + std::string(200, ']'), "deeper than"},
      {"", "got nothing"},
  };
  for (const Case& c : cases) {
    const std::string response = Raw(Post("/v1/transactions", c.body));
    EXPECT_EQ(StatusOf(response), 400) << c.body;
    EXPECT_EQ(ErrorCodeOf(response), "invalid_argument") << c.body;
    const json body = BodyOf(response);
    ASSERT_FALSE(body.is_discarded()) << response;
    EXPECT_NE(body["error"]["message"].get<std::string>().find(c.expect_in_message), std::string::npos)
        << c.body << " -> " << body["error"]["message"];
  }
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiServerTest, FullQueueAnswers429WithRetryAfter) {
  // The service's ResourceExhausted becomes 429 resource_exhausted.
  service_.set_queue_capacity(1);
  ASSERT_TRUE(Client()->Submit(service_.MakeTransaction("alice", 1)).ok());
  const ledger::Transaction tx = service_.MakeTransaction("alice", 2);
  const std::string response = Raw(Post("/v1/transactions", json{{"transaction_hex", ToHex(tx.Encode())}}.dump()));
  EXPECT_EQ(StatusOf(response), 429);
  EXPECT_EQ(ErrorCodeOf(response), "resource_exhausted");
  EXPECT_NE(response.find("Retry-After: 1"), std::string::npos) << response;
  auto via_client = Client()->Submit(tx);
  EXPECT_EQ(via_client.status().code(), ErrorCode::kResourceExhausted);
}

// ------------------------------- reads -------------------------------

TEST_F(ApiServerTest, TransactionLookupNeedsASignedRequestAndShowsLocationAndOutcome) {
  // Unsigned: 401. Signed: the transaction, its block position and outcome.
  const ledger::Transaction tx = service_.MakeTransaction("alice", 7);
  ASSERT_TRUE(Client()->Submit(tx, true).ok());
  auto anonymous = Client()->GetTransaction(tx.Hash().ToHex());
  EXPECT_EQ(anonymous.status().code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(anonymous.status().message().find("unauthenticated"), std::string::npos);

  auto found = Alice()->GetTransaction(tx.Hash().ToHex());
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  EXPECT_EQ((*found)["hash"], tx.Hash().ToHex());
  EXPECT_EQ((*found)["transaction"]["sender"], "alice");
  EXPECT_EQ((*found)["location"]["height"], 1);
  EXPECT_EQ((*found)["location"]["index"], 0);
  EXPECT_EQ((*found)["outcome"]["accepted"], true);
  ASSERT_TRUE(service_.last_caller().has_value());
  EXPECT_EQ(service_.last_caller()->account, "alice");
  EXPECT_EQ(service_.last_consistency(), ReadConsistency::kLinearizable);

  auto missing = Alice()->GetTransaction(std::string(64, 'a'));
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  auto malformed = Alice()->GetTransaction("xyz");
  EXPECT_EQ(malformed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(malformed.status().message().find("hash"), std::string::npos);
}

TEST_F(ApiServerTest, BlocksByHeightAndHashAgreeAndStaleIsPassedThrough) {
  // The same block by height and by its hash; consistency=stale reaches the service.
  ASSERT_TRUE(Client()->SubmitBatch({service_.MakeTransaction("alice", 1), service_.MakeTransaction("bob", 2)}, true).ok());
  auto by_height = Alice()->GetBlock(1, ReadConsistency::kStale);
  ASSERT_TRUE(by_height.ok()) << by_height.status().ToString();
  EXPECT_EQ(service_.last_consistency(), ReadConsistency::kStale);
  EXPECT_EQ((*by_height)["header"]["height"], 1);
  EXPECT_EQ((*by_height)["transactions"].size(), 2u);
  EXPECT_EQ((*by_height)["outcomes"].size(), 2u);
  auto by_hash = Alice()->GetBlockByHash((*by_height)["hash"].get<std::string>());
  ASSERT_TRUE(by_hash.ok()) << by_hash.status().ToString();
  EXPECT_EQ(*by_hash, *by_height);
  EXPECT_EQ(Alice()->GetBlock(99).status().code(), ErrorCode::kNotFound);

  const std::string bad = "/v1/blocks/1?consistency=eventual";
  const std::string response = Raw(Get(bad, SignedHeaderLines(*alice_key_, "alice", "GET", bad, NowMs())));
  EXPECT_EQ(StatusOf(response), 400);
  EXPECT_NE(BodyOf(response)["error"]["message"].get<std::string>().find("consistency"), std::string::npos);
  const std::string negative = "/v1/blocks/-1";
  EXPECT_EQ(StatusOf(Raw(Get(negative, SignedHeaderLines(*alice_key_, "alice", "GET", negative, NowMs())))), 400);
}

TEST_F(ApiServerTest, EveryErrorCodeMapsToItsHttpStatusAndBackInTheClient) {
  // The service's ErrorCode → HTTP status + JSON code → the client's ErrorCode.
  auto alice = Alice();
  for (int i = 1; i <= static_cast<int>(ErrorCode::kInternal); ++i) {
    const auto code = static_cast<ErrorCode>(i);
    const uint64_t height = FakeNodeService::kErrorHeightBase + static_cast<uint64_t>(i);
    auto response = alice->Send("GET", "/v1/blocks/" + std::to_string(height));
    ASSERT_TRUE(response.ok());
    const HttpError expected = HttpErrorFor(code);
    EXPECT_EQ(response->http_status, expected.http_status) << ErrorCodeName(code);
    const json body = json::parse(response->body);
    EXPECT_EQ(body["error"]["code"], std::string(expected.code));
    EXPECT_EQ(body["error"]["message"], "forced error for height " + std::to_string(height));
    auto mapped = alice->GetBlock(height);
    EXPECT_EQ(mapped.status().code(), code) << ErrorCodeName(code);
  }
}

TEST_F(ApiServerTest, StatusShowsRoleTermLeaderHeightsAndPeerLag) {
  // GET /v1/status renders every field of NodeStatus.
  auto status = Client()->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["role"], "leader");
  EXPECT_EQ((*status)["term"], 3);
  EXPECT_EQ((*status)["leader_id"], 1);
  EXPECT_EQ((*status)["commit_index"], 2);
  EXPECT_EQ((*status)["applied_index"], 2);
  EXPECT_EQ((*status)["height"], 0);
  ASSERT_EQ((*status)["peers"].size(), 2u);
  EXPECT_EQ((*status)["peers"][1]["lag_entries"], 5);
  EXPECT_EQ((*status)["peers"][1]["connected"], false);
}

TEST_F(ApiServerTest, StatusShowsRaftMembershipAndEachPeersMemberKind) {
  // Proves GET /v1/status carries the membership (voters, learners, removed) and each peer's member kind, and
  // that its keys are exactly those api/openapi.json's NodeStatus and Peer schemas list.
  auto status = Client()->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_EQ((*status)["membership"], json::parse(R"({"voters": [1, 2], "learners": [3], "removed": [4]})"));
  EXPECT_EQ((*status)["peers"][0]["member"], "voter");
  EXPECT_EQ((*status)["peers"][1]["member"], "learner");

  std::ifstream in(std::string(SHULIAN_SOURCE_DIR) + "/api/openapi.json");
  const json spec = json::parse(in, nullptr, false);
  ASSERT_FALSE(spec.is_discarded());
  auto keys_of = [](const json& object) {
    std::set<std::string> keys;
    for (const auto& [key, value] : object.items()) keys.insert(key);
    return keys;
  };
  const json& schemas = spec["components"]["schemas"];
  EXPECT_EQ(keys_of(schemas["NodeStatus"]["properties"]), keys_of(*status));
  EXPECT_EQ(keys_of(schemas["Peer"]["properties"]), keys_of((*status)["peers"][0]));
  EXPECT_EQ(keys_of(schemas["Membership"]["properties"]), keys_of((*status)["membership"]));
}

TEST_F(ApiServerTest, QueriesArePaginatedAndScopedToTheCaller) {
  // A signed query reaches the service with its caller, params, limit and cursor;
  // pages chain through next_cursor.
  auto alice = Alice();
  PageRequest page;
  page.limit = 4;
  auto first = alice->Query("asset_history", {{"asset_id", "a1"}, {"from_ms", "5"}}, page);
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ((*first)["result"].size(), 4u);
  EXPECT_EQ((*first)["next_cursor"], "4");
  const auto seen = service_.last_query();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->caller.account, "alice");
  EXPECT_EQ(seen->params.at("asset_id"), "a1");
  EXPECT_EQ(seen->params.at("from_ms"), "5");
  EXPECT_EQ(seen->limit, 4u);
  size_t total = (*first)["result"].size();
  std::string cursor = (*first)["next_cursor"];
  while (!cursor.empty()) {
    page.cursor = cursor;
    auto next = alice->Query("asset_history", {{"asset_id", "a1"}}, page);
    ASSERT_TRUE(next.ok()) << next.status().ToString();
    total += (*next)["result"].size();
    cursor = (*next)["next_cursor"].is_null() ? "" : (*next)["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(total, 10u);
  auto single = alice->Query("supervisor_summary", {});
  ASSERT_TRUE(single.ok());
  EXPECT_TRUE((*single)["result"].is_object());
}

TEST_F(ApiServerTest, BadQueriesAreRefusedWithTheirReason) {
  // Unsigned private query 401; unknown query 404; missing/unknown parameter and
  // limit out of range 400; the service's NotFound stays 404.
  EXPECT_EQ(Client()->Query("asset_history", {{"asset_id", "a1"}}).status().code(), ErrorCode::kPermissionDenied);
  auto alice = Alice();
  EXPECT_EQ(alice->Query("no_such_query", {}).status().code(), ErrorCode::kNotFound);
  auto missing = alice->Query("asset_history", {});
  EXPECT_NE(missing.status().message().find("needs parameter 'asset_id'"), std::string::npos);
  auto unknown = alice->Query("asset_history", {{"asset_id", "a"}, {"colour", "red"}});
  EXPECT_NE(unknown.status().message().find("unknown query parameter 'colour'"), std::string::npos);
  PageRequest too_big;
  too_big.limit = 6;
  auto limit = alice->Query("asset_history", {{"asset_id", "a"}}, too_big);
  EXPECT_NE(limit.status().message().find("limit: between 1 and 5"), std::string::npos) << limit.status().message();
  EXPECT_EQ(alice->Query("asset_history", {{"asset_id", "missing"}}).status().code(), ErrorCode::kNotFound);
}

TEST_F(ApiServerTest, CatalogIsPublicAndQueriesAreListed) {
  // GET /v1/catalog answers unsigned requests; GET /v1/queries lists what exists.
  auto catalog = Client()->Catalog();
  ASSERT_TRUE(catalog.ok()) << catalog.status().ToString();
  EXPECT_EQ((*catalog)["query"], "open_catalog");
  EXPECT_EQ((*catalog)["result"].size(), 3u);  // page_items_default
  EXPECT_TRUE(service_.last_query()->caller.anonymous());
  auto queries = Client()->ListQueries();
  ASSERT_TRUE(queries.ok());
  EXPECT_EQ((*queries)["queries"].size(), 3u);
  EXPECT_EQ((*queries)["queries"][1]["required_params"][0], "asset_id");
}

// ------------------------------- operations -------------------------------

TEST_F(ApiServerTest, HealthAndReadinessFollowTheService) {
  // /readyz turns 503 when the node is not ready; /healthz stays 200.
  EXPECT_TRUE(Client()->Healthz().ok());
  EXPECT_TRUE(Client()->Readyz().ok());
  service_.set_ready(false);
  auto ready = Client()->Readyz();
  EXPECT_EQ(ready.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(ready.status().message().find("no leader known"), std::string::npos);
  EXPECT_TRUE(Client()->Healthz().ok());
}

TEST_F(ApiServerTest, MetricsRenderServiceAndServerFamilies) {
  // /metrics is Prometheus text with the node's metrics and the server's own.
  ASSERT_TRUE(Client()->GetStatus().ok());
  auto client = Client();
  auto raw = client->Send("GET", "/metrics");
  ASSERT_TRUE(raw.ok());
  EXPECT_EQ(raw->content_type, "text/plain; version=0.0.4; charset=utf-8");
  auto text = client->Metrics();
  ASSERT_TRUE(text.ok());
  EXPECT_NE(text->find("# TYPE shulian_peer_lag_entries gauge"), std::string::npos) << *text;
  EXPECT_NE(text->find("shulian_peer_lag_entries{peer=\"3\"} 5"), std::string::npos);
  EXPECT_NE(text->find("shulian_api_responses_total{status=\"200\"}"), std::string::npos);
  EXPECT_NE(text->find("shulian_api_connections_open"), std::string::npos);
}

// ------------------------------- HTTP edges -------------------------------

TEST_F(ApiServerTest, BackupNeedsASignedRequestAndAnOutFolderAndPassesItToTheService) {
  // Unsigned: 401. Signed but no "out", a non-string one or an unknown field: 400
  // before the service is asked. A well-formed request reaches the service, which
  // refuses a caller that is not its operator (403).
  const std::string target = "/v1/admin/backup";
  EXPECT_EQ(StatusOf(Raw(Post(target, R"({"out":"/tmp/b"})"))), 401);
  auto signed_post = [&](const std::string& body) {
    return StatusOf(
        Raw(Post(target, body, SignedHeaderLines(*alice_key_, "alice", "POST", target, NowMs(), body))));
  };
  EXPECT_EQ(signed_post("{}"), 400);
  EXPECT_EQ(signed_post(R"({"out":7})"), 400);
  EXPECT_EQ(signed_post(R"({"out":"/tmp/b","also":1})"), 400);
  Result<nlohmann::json> refused = Alice()->Backup("/tmp/b");
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
}

TEST_F(ApiServerTest, UnknownRouteIs404AndWrongMethodIs405WithAllow) {
  // Both answer JSON errors; 405 names the allowed methods.
  const std::string unknown = Raw(Get("/v2/nothing"));
  EXPECT_EQ(StatusOf(unknown), 404);
  EXPECT_EQ(ErrorCodeOf(unknown), "unknown_route");
  const std::string wrong = Raw(Post("/v1/status", "{}"));
  EXPECT_EQ(StatusOf(wrong), 405);
  EXPECT_EQ(ErrorCodeOf(wrong), "method_not_allowed");
  EXPECT_NE(wrong.find("Allow: GET"), std::string::npos) << wrong;
  const std::string wrong_submit = Raw(Get("/v1/transactions"));
  EXPECT_EQ(StatusOf(wrong_submit), 405);
  EXPECT_NE(wrong_submit.find("Allow: POST"), std::string::npos) << wrong_submit;
}

TEST_F(ApiServerTest, OversizedBodyIs413FromContentLengthAndFromChunks) {
  // Declared too large: refused before reading. Sent chunked past the limit: refused too.
  const std::string declared =
      "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + std::string(100, 'x');
  const std::string response = Raw(declared);
  EXPECT_EQ(StatusOf(response), 413);
  EXPECT_EQ(ErrorCodeOf(response), "payload_too_large");

  std::string chunked = "POST /v1/transactions HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  const std::string chunk(16 * 1024, 'a');
  for (int i = 0; i < 5; ++i) chunked += "4000\r\n" + chunk + "\r\n";
  chunked += "0\r\n\r\n";
  const std::string chunked_response = Raw(chunked);
  EXPECT_EQ(StatusOf(chunked_response), 413);

  auto via_client = Client()->Send("POST", "/v1/transactions", std::string(70 * 1024, ' '));
  ASSERT_TRUE(via_client.ok()) << via_client.status().ToString();
  EXPECT_EQ(via_client->http_status, 413);
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiServerTest, OversizedHeadersAre431AndLongTargetsAre414) {
  // Header and target limits answer with their own codes.
  const std::string big_header = Raw(Get("/v1/status", "X-Filler: " + std::string(8 * 1024, 'a') + "\r\n"));
  EXPECT_EQ(StatusOf(big_header), 431);
  EXPECT_EQ(ErrorCodeOf(big_header), "headers_too_large");
  ServerOptions options = DefaultOptions();
  options.header_bytes_max = 64 * 1024;
  StartServer(options);
  const std::string long_target = Raw(Get("/v1/query/open_catalog?authority=" + std::string(5000, 'a')));
  EXPECT_EQ(StatusOf(long_target), 414);
  EXPECT_EQ(ErrorCodeOf(long_target), "target_too_long");
}

TEST_F(ApiServerTest, GarbageInputNeverCrashesTheServer) {
  // Malformed request lines, bad escapes and binary noise get 400 or a close;
  // the server keeps answering.
  const std::vector<std::string> inputs = {
      "NOT HTTP AT ALL\r\n\r\n",
      "GET /v1/status HTTP/9.9\r\n\r\n",
      "GET /v1/query/open_catalog?limit=%ZZ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /v1/query/open_catalog?limit=abc HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /v1/query/open_catalog?limit=99999999999999999999999 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "POST /v1/transactions HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
      std::string("\x00\x01\x02\xff\xfe\r\n\r\n", 9),
      "GET relative HTTP/1.1\r\nHost: x\r\n\r\n",
      // Bytes that are not UTF-8 echoed into error messages.
      "GET /v1/query/%FF%FE HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /v1/query/open_catalog?%FF=1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      "GET /v1/blocks/%C3%28 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
  };
  for (const std::string& input : inputs) {
    const std::string response = Raw(input);
    if (!response.empty()) {
      EXPECT_GE(StatusOf(response), 400) << input;
      EXPECT_LT(StatusOf(response), 500) << input;
      EXPECT_FALSE(BodyOf(response).is_discarded()) << input << " -> " << response;
    }
  }
  EXPECT_TRUE(Client()->GetStatus().ok());
}

TEST_F(ApiServerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  // Three requests in turn on one socket, including an error in between.
  RawConnection connection(server_->port());
  ASSERT_TRUE(connection.connected());
  const std::string request = "GET /v1/status HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_TRUE(connection.Send(request));
  EXPECT_EQ(StatusOf(connection.ReadResponse()), 200);
  ASSERT_TRUE(connection.Send("GET /nope HTTP/1.1\r\nHost: x\r\n\r\n"));
  EXPECT_EQ(StatusOf(connection.ReadResponse()), 404);
  ASSERT_TRUE(connection.Send(request));
  const std::string third = connection.ReadResponse();
  EXPECT_EQ(StatusOf(third), 200);
  EXPECT_EQ(third.find("Connection: close"), std::string::npos);
}

// ------------------------------- signed requests -------------------------------

TEST_F(ApiServerTest, SignedRequestChecksAtTheServer) {
  // Through the server: a good signature passes; wrong key, unknown account,
  // stale time, tampered target and an exact replay are 401 with the reason.
  const std::string target = "/v1/blocks/by-hash/" + std::string(64, 'b');
  const int64_t now = NowMs();
  const std::string good = SignedHeaderLines(*alice_key_, "alice", "GET", target, now);
  EXPECT_EQ(StatusOf(Raw(Get(target, good))), 404);  // authenticated; no such block
  const std::string replay = Raw(Get(target, good));
  EXPECT_EQ(StatusOf(replay), 401);
  EXPECT_NE(BodyOf(replay)["error"]["message"].get<std::string>().find("replayed"), std::string::npos);

  const std::string wrong_key = Raw(Get(target, SignedHeaderLines(*bob_key_, "alice", "GET", target, now + 1)));
  EXPECT_EQ(StatusOf(wrong_key), 401);
  EXPECT_EQ(ErrorCodeOf(wrong_key), "unauthenticated");
  const std::string unknown = Raw(Get(target, SignedHeaderLines(*bob_key_, "carol", "GET", target, now)));
  EXPECT_EQ(StatusOf(unknown), 401);
  EXPECT_NE(BodyOf(unknown)["error"]["message"].get<std::string>().find("carol"), std::string::npos);
  const std::string stale =
      Raw(Get(target, SignedHeaderLines(*alice_key_, "alice", "GET", target, now - 10 * 60 * 1000)));
  EXPECT_EQ(StatusOf(stale), 401);
  EXPECT_NE(BodyOf(stale)["error"]["message"].get<std::string>().find("window"), std::string::npos);
  const std::string tampered =
      Raw(Get(target + "?consistency=stale", SignedHeaderLines(*alice_key_, "alice", "GET", target, now + 2)));
  EXPECT_EQ(StatusOf(tampered), 401);
  const std::string partial = Raw(Get(target, "X-Shulian-Account: alice\r\n"));
  EXPECT_EQ(StatusOf(partial), 401);
  EXPECT_NE(BodyOf(partial)["error"]["message"].get<std::string>().find("X-Shulian-Network"), std::string::npos);
}

TEST_F(ApiServerTest, SignedRequestForAnotherNodeOrNetworkIs401SayingWhich) {
  // The server is node 1 of test-net: a request signed for node 2, or for node 1 of
  // another network, is refused with both bindings named; a bound one passes.
  const std::string target = "/v1/blocks/by-hash/" + std::string(64, 'b');
  const int64_t now = NowMs();
  const std::string net(FakeNodeService::kNetworkId);
  const std::string other_node = Raw(Get(target, SignedHeaderLines(*alice_key_, "alice", "GET", target, now, {},
                                                                   {net, 2})));
  EXPECT_EQ(StatusOf(other_node), 401);
  EXPECT_NE(BodyOf(other_node)["error"]["message"].get<std::string>().find(
                "signed for node 2 of network '" + net + "'; this is node 1 of network '" + net + "'"),
            std::string::npos)
      << other_node;
  const std::string other_network = Raw(Get(target, SignedHeaderLines(*alice_key_, "alice", "GET", target, now + 1,
                                                                      {}, {"other-net", 1})));
  EXPECT_EQ(StatusOf(other_network), 401);
  EXPECT_NE(BodyOf(other_network)["error"]["message"].get<std::string>().find("network 'other-net'"),
            std::string::npos);
  EXPECT_EQ(StatusOf(Raw(Get(target, SignedHeaderLines(*alice_key_, "alice", "GET", target, now + 2)))), 404);
}

TEST_F(ApiServerTest, ClientLearnsTheBindingFromStatusAndItsSignedReadsPass) {
  // A signing client with no binding given reads it from GET /v1/status; a client
  // told the wrong node gets the server's 401 naming both.
  EXPECT_EQ(Alice()->GetBlock(FakeNodeService::kErrorHeightBase - 1).status().code(), ErrorCode::kNotFound);
  ClientOptions options;
  options.base_url = BaseUrl();
  options.account = "alice";
  options.key = alice_key_;
  options.binding = RequestBinding{std::string(FakeNodeService::kNetworkId), 7};
  auto client = ApiClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const Status wrong = (*client)->GetBlock(FakeNodeService::kErrorHeightBase - 1).status();
  EXPECT_NE(wrong.message().find("signed for node 7"), std::string::npos) << wrong.ToString();
}

TEST_F(ApiServerTest, SignedPostBindsTheBody) {
  // A signature over one body does not authenticate another.
  const std::string body = json{{"transaction_hex", ToHex(service_.MakeTransaction("alice", 9).Encode())}}.dump();
  const std::string other = json{{"transaction_hex", ToHex(service_.MakeTransaction("alice", 10).Encode())}}.dump();
  const std::string headers = SignedHeaderLines(*alice_key_, "alice", "POST", "/v1/transactions", NowMs(), body);
  EXPECT_EQ(StatusOf(Raw(Post("/v1/transactions", other, headers))), 401);
  EXPECT_EQ(StatusOf(Raw(Post("/v1/transactions", body, headers))), 202);
}

// ------------------------------- limits under load -------------------------------

TEST_F(ApiServerTest, PerAccountRateLimitAnswers429) {
  // A burst of 3 at 1/s: the fourth signed request from alice is 429; bob is unaffected.
  ServerOptions options = DefaultOptions();
  options.api.rate_limit.rate_per_second = 1;
  options.api.rate_limit.burst_max = 3;
  StartServer(options);
  auto alice = Alice();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(alice->GetBlock(FakeNodeService::kErrorHeightBase - 1).status().code() == ErrorCode::kNotFound);
  auto response = alice->Send("GET", "/v1/blocks/1");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->http_status, 429);
  EXPECT_EQ(json::parse(response->body)["error"]["code"], "rate_limited");
  EXPECT_EQ(alice->GetBlock(1).status().code(), ErrorCode::kResourceExhausted);
  EXPECT_EQ(Client("bob", bob_key_)->GetBlock(1).status().code(), ErrorCode::kNotFound);
  // Health probes are never limited.
  for (int i = 0; i < 10; ++i) EXPECT_TRUE(Client()->Healthz().ok());
}

TEST_F(ApiServerTest, SubmissionsAreRateLimitedPerSender) {
  // Submissions count against the sender proven by the transaction signature.
  ServerOptions options = DefaultOptions();
  options.api.rate_limit.rate_per_second = 1;
  options.api.rate_limit.burst_max = 2;
  StartServer(options);
  auto client = Client();
  EXPECT_TRUE(client->Submit(service_.MakeTransaction("alice", 1)).ok());
  EXPECT_TRUE(client->Submit(service_.MakeTransaction("alice", 2)).ok());
  EXPECT_EQ(client->Submit(service_.MakeTransaction("alice", 3)).status().code(), ErrorCode::kResourceExhausted);
  EXPECT_TRUE(client->Submit(service_.MakeTransaction("bob", 4)).ok());
  EXPECT_EQ(service_.queued(), 3u);
}

TEST_F(ApiServerTest, ConcurrentClientsAllGetAnswers) {
  // 16 client threads × 40 mixed requests on keep-alive connections: all succeed.
  constexpr int kThreads = 16;
  constexpr int kRequests = 40;
  std::atomic<int> failures{0};
  std::vector<std::string> accounts;
  std::vector<std::shared_ptr<const crypto::KeyPair>> keys;
  for (int t = 0; t < kThreads; ++t) {
    accounts.push_back("user" + std::to_string(t));
    keys.push_back(service_.AddAccount(accounts.back()));
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // One account per thread: a client stamps its own requests with increasing
      // times, but two clients of one account could sign the same request in the
      // same millisecond, which the server rightly refuses as a replay.
      auto client = Client(accounts[t], keys[t]);
      for (int i = 0; i < kRequests; ++i) {
        bool ok = false;
        if (i % 4 == 0) {
          ok = client->Submit(service_.MakeTransaction(accounts[t], static_cast<uint64_t>(i)), true).ok();
        } else if (i % 4 == 1) {
          ok = client->GetStatus().ok();
        } else if (i % 4 == 2) {
          ok = client->Catalog().ok();
        } else {
          ok = client->Query("asset_history", {{"asset_id", "a" + std::to_string(i)}}).ok();
        }
        if (!ok) failures.fetch_add(1);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(service_.committed(), static_cast<size_t>(kThreads * kRequests / 4));
}

TEST_F(ApiServerTest, ConnectionsOverTheLimitGet503) {
  // With max_connections = 2 and two idle connections open, a third is refused.
  ServerOptions options = DefaultOptions();
  options.max_connections = 2;
  StartServer(options);
  RawConnection first(server_->port());
  RawConnection second(server_->port());
  ASSERT_TRUE(first.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(second.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(first.ReadResponse()), 200);
  ASSERT_EQ(StatusOf(second.ReadResponse()), 200);
  RawConnection third(server_->port());
  ASSERT_TRUE(third.connected());
  const std::string refused = third.ReadResponse();
  EXPECT_EQ(StatusOf(refused), 503);
  EXPECT_EQ(ErrorCodeOf(refused), "too_many_connections");
  EXPECT_EQ(server_->handler().counters().connections_refused_total.load(), 1u);
}

TEST_F(ApiServerTest, IdleConnectionsAreClosedAfterTheTimeout) {
  // A kept-alive connection that sends nothing after its answer is closed after
  // idle_timeout_ms (well within the 5 s receive timeout of ClosedByPeer).
  ServerOptions options = DefaultOptions();
  options.idle_timeout_ms = 200;
  StartServer(options);
  RawConnection idle(server_->port());
  ASSERT_TRUE(idle.connected());
  ASSERT_TRUE(idle.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(idle.ReadResponse()), 200);
  EXPECT_TRUE(idle.ClosedByPeer());
}

// ------------------------- unauthenticated load -------------------------

TEST_F(ApiServerTest, AConnectionThatSendsNothingIsClosedByTheFirstRequestTimeout) {
  // A new connection must send its first request's headers within
  // first_request_timeout_ms, however long idle_timeout_ms is; it is counted.
  ServerOptions options = DefaultOptions();
  options.first_request_timeout_ms = 200;
  options.idle_timeout_ms = 600'000;
  StartServer(options);
  RawConnection silent(server_->port());
  ASSERT_TRUE(silent.connected());
  EXPECT_TRUE(silent.ClosedByPeer());
  // The stream closes the socket on its deadline, before the read's handler counts it.
  const ApiCounters& counters = server_->handler().counters();
  EXPECT_TRUE(WaitUntil([&] { return counters.first_request_timeouts_total.load() == 1; }));
  // Half a request line is no better than nothing.
  RawConnection slow(server_->port());
  ASSERT_TRUE(slow.Send("GET /healthz HTTP/1.1\r\nHo"));
  EXPECT_TRUE(slow.ClosedByPeer());
  EXPECT_TRUE(WaitUntil([&] { return counters.first_request_timeouts_total.load() == 2; }));
}

TEST_F(ApiServerTest, AnAddressOverItsConnectionCapGets503WhileOthersAreServed) {
  // With connections_per_address_max = 2 and two connections open from 127.0.0.2,
  // a third from there is answered 503 and closed; 127.0.0.1 is still served.
  ServerOptions options = DefaultOptions();
  options.connections_per_address_max = 2;
  StartServer(options);
  RawConnection first(server_->port(), "127.0.0.2");
  RawConnection second(server_->port(), "127.0.0.2");
  ASSERT_TRUE(first.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_TRUE(second.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
  ASSERT_EQ(StatusOf(first.ReadResponse()), 200);
  ASSERT_EQ(StatusOf(second.ReadResponse()), 200);
  RawConnection third(server_->port(), "127.0.0.2");
  ASSERT_TRUE(third.connected());
  const std::string refused = third.ReadResponse();
  EXPECT_EQ(StatusOf(refused), 503);
  EXPECT_EQ(ErrorCodeOf(refused), "too_many_connections");
  EXPECT_NE(refused.find("connections_per_address_max (2)"), std::string::npos) << refused;
  EXPECT_TRUE(third.ClosedByPeer());
  EXPECT_EQ(server_->handler().counters().connections_refused_per_address_total.load(), 1u);
  EXPECT_EQ(StatusOf(Raw(Get("/healthz"))), 200);
  EXPECT_EQ(server_->handler().counters().connections_refused_total.load(), 0u);
}

TEST_F(ApiServerTest, AnAddressOverItsRequestRateGets429BeforeItsBodyIsRead) {
  // The per-address charge is made on the headers: with the address's one token
  // spent, a POST announcing a large body gets 429 with Retry-After although not a
  // byte of that body was sent, and the connection is closed.
  ServerOptions options = DefaultOptions();
  options.address_rate_limit.rate_per_second = 0.001;  // no refill within the test
  options.address_rate_limit.burst_max = 1;
  StartServer(options);
  EXPECT_EQ(StatusOf(Raw(Get("/healthz"))), 200);
  RawConnection connection(server_->port());
  ASSERT_TRUE(
      connection.Send("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                      "Content-Length: 60000\r\n\r\n"));
  const std::string refused = connection.ReadResponse();
  EXPECT_EQ(StatusOf(refused), 429) << refused;
  EXPECT_EQ(ErrorCodeOf(refused), "rate_limited");
  EXPECT_NE(refused.find("Retry-After: "), std::string::npos) << refused;
  EXPECT_TRUE(connection.ClosedByPeer());
  EXPECT_EQ(server_->handler().counters().requests_refused_address_rate_total.load(), 1u);
  EXPECT_EQ(service_.queued(), 0u);
  // Another address has its own bucket.
  RawConnection other(server_->port(), "127.0.0.3");
  ASSERT_TRUE(other.Send(Get("/healthz")));
  EXPECT_EQ(StatusOf(other.ReadResponse()), 200);
}

TEST(ApiServerStartTest, BadOptionsAreRefusedNamingTheField) {
  // Start validates options before binding anything.
  FakeNodeService service;
  ServerOptions options;
  options.port = 0;
  options.max_connections = 0;
  auto server = HttpServer::Start(service, options);
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.status().message().find("server.max_connections"), std::string::npos);
  options.max_connections = 10;
  options.listen_address = "not-an-ip";
  EXPECT_NE(HttpServer::Start(service, options).status().message().find("server.listen_address"), std::string::npos);
  options.listen_address = "127.0.0.1";
  options.connections_per_address_max = 0;
  EXPECT_NE(HttpServer::Start(service, options).status().message().find("server.connections_per_address_max"),
            std::string::npos);
  options.connections_per_address_max = 64;
  options.first_request_timeout_ms = 0;
  EXPECT_NE(HttpServer::Start(service, options).status().message().find("server.first_request_timeout_ms"),
            std::string::npos);
  options.first_request_timeout_ms = 5000;
  options.address_rate_limit.rate_per_second = -1;
  EXPECT_NE(HttpServer::Start(service, options)
                .status()
                .message()
                .find("server.address_rate_limit.rate_per_second"),
            std::string::npos);
  options.address_rate_limit.rate_per_second = 10;
  options.address_rate_limit.burst_max = 0;
  EXPECT_NE(
      HttpServer::Start(service, options).status().message().find("server.address_rate_limit.burst_max"),
      std::string::npos);
  options.address_rate_limit.burst_max = 20;
  options.api.page_items_default = 5000;
  EXPECT_NE(HttpServer::Start(service, options).status().message().find("api.page_items_default"), std::string::npos);
}

TEST(ApiClientTest, UnreachableServerIsUnavailableAndBadUrlsAreRefused) {
  // The client reports transport failures as Unavailable, bad setup as InvalidArgument.
  ClientOptions options;
  options.base_url = "http://127.0.0.1:1";
  options.connect_timeout_ms = 500;
  auto client = ApiClient::Create(options);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->GetStatus().status().code(), ErrorCode::kUnavailable);
  options.base_url = "ftp://x";
  EXPECT_EQ(ApiClient::Create(options).status().code(), ErrorCode::kInvalidArgument);
  options.base_url = "http://127.0.0.1:1";
  options.account = "alice";
  EXPECT_EQ(ApiClient::Create(options).status().code(), ErrorCode::kInvalidArgument);
}

}  // namespace
}  // namespace shulian::api
