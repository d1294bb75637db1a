// The evidence routes end to end: a real HttpServer on 127.0.0.1 over the
// in-memory FakeNodeService, driven by the real ApiClient. Proves routing,
// parameter checks, who may call what, and the JSON / octet-stream answers; the
// bundles themselves are the node's (tests/process/evidence_test.cc).
#include <gtest/gtest.h>

#include "api/client.h"
#include "api/server.h"
#include "tests/api/fake_service.h"

namespace shulian::api {
namespace {

using nlohmann::json;
using testing::FakeNodeService;

ledger::CosignedCheckpoint SampleCheckpoint(uint64_t height) {
  ledger::CosignedCheckpoint cosigned;
  cosigned.checkpoint.network_id = std::string(FakeNodeService::kNetworkId);
  cosigned.checkpoint.height = height;
  cosigned.checkpoint.block_hash.bytes[0] = static_cast<uint8_t>(height);
  cosigned.checkpoint.block_time_ms = 1'700'000'000'000 + static_cast<int64_t>(height);
  cosigned.checkpoint.tx_log_size = height * 2;
  cosigned.checkpoint.outcome_log_size = height * 2;
  cosigned.signatures.push_back({1, {}});
  cosigned.signatures.push_back({3, {}});
  return cosigned;
}

class EvidenceRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    court_key_ = service_.AddAccount(std::string(FakeNodeService::kSeesEverything));
    alice_key_ = service_.AddAccount("alice");
    ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.handler_threads = 2;
    options.api.rate_limit.rate_per_second = 10'000;
    options.api.rate_limit.burst_max = 10'000;
    options.api.export_blocks_max = 100;
    auto server = HttpServer::Start(service_, std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::unique_ptr<ApiClient> Client(std::optional<std::string> account = std::nullopt,
                                    std::shared_ptr<const crypto::KeyPair> key = nullptr) {
    ClientOptions options;
    options.base_url = "http://127.0.0.1:" + std::to_string(server_->port());
    options.account = std::move(account);
    options.key = std::move(key);
    auto client = ApiClient::Create(std::move(options));
    EXPECT_TRUE(client.ok()) << client.status().ToString();
    return std::move(client).value();
  }
  std::unique_ptr<ApiClient> Court() { return Client(std::string(FakeNodeService::kSeesEverything), court_key_); }
  std::unique_ptr<ApiClient> Alice() { return Client("alice", alice_key_); }

  FakeNodeService service_;
  std::unique_ptr<HttpServer> server_;
  std::shared_ptr<const crypto::KeyPair> court_key_;
  std::shared_ptr<const crypto::KeyPair> alice_key_;
};

TEST_F(EvidenceRoutesTest, CheckpointsArePublicAndRoundTripTheirJson) {
  // Proves /v1/checkpoints/latest and /{height} answer unsigned requests with the
  // CosignedCheckpoint JSON, and a missing one is a 404 NotFound.
  EXPECT_EQ(Client()->GetCheckpoint().status().code(), ErrorCode::kNotFound);
  service_.AddCheckpoint(SampleCheckpoint(3));
  service_.AddCheckpoint(SampleCheckpoint(7));
  auto latest = Client()->GetCheckpoint();
  ASSERT_TRUE(latest.ok()) << latest.status().ToString();
  auto parsed = ledger::CosignedCheckpoint::FromJson(*latest);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(*parsed, SampleCheckpoint(7));
  auto three = Client()->GetCheckpoint(3);
  ASSERT_TRUE(three.ok());
  EXPECT_EQ((*three)["checkpoint"]["height"], 3);
  auto missing = Client()->GetCheckpoint(5);
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  auto junk = Client()->Send("GET", "/v1/checkpoints/abc");
  ASSERT_TRUE(junk.ok());
  EXPECT_EQ(junk->http_status, 400);
}

TEST_F(EvidenceRoutesTest, ConsistencyNeedsBothHeightsInOrder) {
  // Proves from/to are required, ordered and numeric, and the answer carries both
  // cosigned checkpoints and the proofs object.
  service_.AddCheckpoint(SampleCheckpoint(2));
  service_.AddCheckpoint(SampleCheckpoint(9));
  auto answer = Client()->GetConsistency(2, 9);
  ASSERT_TRUE(answer.ok()) << answer.status().ToString();
  EXPECT_EQ((*answer)["from"]["checkpoint"]["height"], 2);
  EXPECT_EQ((*answer)["to"]["checkpoint"]["height"], 9);
  EXPECT_TRUE((*answer)["proofs"].contains("tx_proof"));
  auto backwards = Client()->GetConsistency(9, 2);
  EXPECT_EQ(backwards.status().code(), ErrorCode::kInvalidArgument);
  for (const char* target : {"/v1/proofs/consistency?from=2", "/v1/proofs/consistency?from=x&to=9",
                             "/v1/proofs/consistency?from=2&to=9&extra=1"}) {
    auto response = Client()->Send("GET", target);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->http_status, 400) << target;
  }
}

TEST_F(EvidenceRoutesTest, EvidenceNeedsASignedCallerInScope) {
  // Proves bundles refuse unsigned requests (401) and callers out of scope (403),
  // and hand the parsed subject and checkpoint to the service.
  const std::string hash(64, 'a');
  auto anonymous = Client()->TransactionEvidence(hash, std::nullopt);
  ASSERT_FALSE(anonymous.ok());
  EXPECT_NE(anonymous.status().message().find("HTTP 401"), std::string::npos);
  EXPECT_EQ(Alice()->TransactionEvidence(hash, std::nullopt).status().code(), ErrorCode::kPermissionDenied);

  auto bundle = Court()->TransactionEvidence(hash, 4);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  std::optional<EvidenceRequest> seen = service_.last_evidence();
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->kind, EvidenceKind::kTransaction);
  EXPECT_EQ(seen->tx_hash.ToHex(), hash);
  EXPECT_EQ(seen->checkpoint_height, std::optional<uint64_t>(4));

  ASSERT_TRUE(Court()->AssetAccessEvidence("asset/1 x", 100, 200, std::nullopt).ok());
  seen = service_.last_evidence();
  EXPECT_EQ(seen->kind, EvidenceKind::kAssetAccess);
  EXPECT_EQ(seen->asset_id, "asset/1 x");
  EXPECT_EQ(seen->from_ms, 100);
  EXPECT_EQ(seen->to_ms, 200);
  EXPECT_FALSE(seen->checkpoint_height.has_value());

  ASSERT_TRUE(Court()->DisputeEvidence("case-7", 2).ok());
  seen = service_.last_evidence();
  EXPECT_EQ(seen->kind, EvidenceKind::kDispute);
  EXPECT_EQ(seen->dispute_id, "case-7");
}

TEST_F(EvidenceRoutesTest, BadEvidenceParametersAre400AndNeverReachTheService) {
  // Proves malformed hashes, time ranges and checkpoint heights are refused by the API.
  EXPECT_EQ(Court()->TransactionEvidence("xyz", std::nullopt).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_FALSE(service_.last_evidence().has_value());
  EXPECT_EQ(Court()->AssetAccessEvidence("a1", 200, 100, std::nullopt).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Court()->AssetAccessEvidence("a1", 100, 100, std::nullopt).status().code(), ErrorCode::kInvalidArgument);
  for (const char* target : {"/v1/evidence/assets/a1/access?from_ms=1", "/v1/evidence/assets/a1/access?from_ms=1&to_ms=z",
                             "/v1/evidence/disputes/c1?checkpoint=-1", "/v1/evidence/disputes/c1?unknown=1"}) {
    auto response = Court()->Send("GET", target);
    ASSERT_TRUE(response.ok());
    EXPECT_EQ(response->http_status, 400) << target;
  }
  EXPECT_FALSE(service_.last_evidence().has_value());
}

TEST_F(EvidenceRoutesTest, LedgerExportIsOctetStreamBoundedAndScoped) {
  // Proves the export route answers bytes, refuses empty, reversed and oversized
  // ranges, and is only for callers who see everything.
  auto response = Court()->Send("GET", "/v1/ledger/export?from=1&to=100");
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->http_status, 200);
  EXPECT_EQ(response->content_type, "application/octet-stream");
  EXPECT_EQ(response->body, "export 1-100");
  EXPECT_EQ(response->export_to, "100");
  EXPECT_EQ(service_.last_export_bytes_max(), ApiOptions{}.export_bytes_max);
  auto bytes = Court()->LedgerExport(3, 4);
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->body, "export 3-4");
  EXPECT_EQ(bytes->to_height, 4u);
  EXPECT_EQ(Court()->LedgerExport(1, 101).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Court()->LedgerExport(0, 1).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Court()->LedgerExport(5, 4).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(Alice()->LedgerExport(1, 2).status().code(), ErrorCode::kPermissionDenied);
  auto anonymous = Client()->Send("GET", "/v1/ledger/export?from=1&to=2");
  ASSERT_TRUE(anonymous.ok());
  EXPECT_EQ(anonymous->http_status, 401);
}

}  // namespace
}  // namespace shulian::api
