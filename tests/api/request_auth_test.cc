// Signed requests: the canonical bytes, the signer, and every way the verifier
// refuses (wrong key, tampered method/path/body/time/account, stale or future
// time, replay, a full replay cache, malformed headers).
#include "api/request_auth.h"

#include <gtest/gtest.h>

#include "crypto/keys.h"

namespace shulian::api {
namespace {

constexpr int64_t kNowMs = 1'760'000'000'000;
constexpr std::string_view kBody = R"({"x":1})";
const RequestBinding kNode1{"net-a", 1};

class RequestAuthTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize().ok()); }

  RequestCredentials Sign(const crypto::KeyPair& signer, std::string_view method, std::string_view target,
                          int64_t time_ms, std::string_view body, std::string_view account = "alice",
                          const RequestBinding& binding = kNode1) {
    const SignedHeaders headers = SignRequest(signer, binding, account, method, target, time_ms, AsBytes(body));
    auto parsed = ParseSignedHeaders(headers);
    EXPECT_TRUE(parsed.ok()) << parsed.status().ToString();
    return *parsed;
  }

  crypto::KeyPair key_ = crypto::KeyPair::Generate();
  RequestVerifier verifier_{kNode1, RequestAuthOptions{60'000, 16}};
};

TEST_F(RequestAuthTest, ValidRequestIsAccepted) {
  // A request signed by the account's key, on time, verifies and is remembered.
  const auto credentials = Sign(key_, "GET", "/v1/query/asset?asset_id=a1", kNowMs, kBody);
  EXPECT_TRUE(verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/query/asset?asset_id=a1", AsBytes(kBody), kNowMs).ok());
  EXPECT_EQ(verifier_.cached_signatures(), 1u);
}

TEST_F(RequestAuthTest, WrongKeyIsRefused) {
  // A signature by another key does not authenticate the account.
  const crypto::KeyPair other = crypto::KeyPair::Generate();
  const auto credentials = Sign(other, "GET", "/v1/status", kNowMs, "");
  const Status status = verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("does not verify"), std::string::npos) << status.message();
  EXPECT_EQ(verifier_.cached_signatures(), 0u);
}

TEST_F(RequestAuthTest, TamperedMethodPathBodyTimeOrAccountIsRefused) {
  // Each signed component is bound: changing any one breaks the signature.
  const auto credentials = Sign(key_, "GET", "/v1/query/asset?asset_id=a1", kNowMs, kBody);
  const auto key = key_.public_key();
  EXPECT_FALSE(verifier_.Verify(credentials, key, "POST", "/v1/query/asset?asset_id=a1", AsBytes(kBody), kNowMs).ok());
  EXPECT_FALSE(verifier_.Verify(credentials, key, "GET", "/v1/query/asset?asset_id=a2", AsBytes(kBody), kNowMs).ok());
  EXPECT_FALSE(verifier_.Verify(credentials, key, "GET", "/v1/query/asset", AsBytes(kBody), kNowMs).ok());
  EXPECT_FALSE(verifier_.Verify(credentials, key, "GET", "/v1/query/asset?asset_id=a1", AsBytes(R"({"x":2})"), kNowMs).ok());
  RequestCredentials later = credentials;
  later.time_ms += 1;
  EXPECT_FALSE(verifier_.Verify(later, key, "GET", "/v1/query/asset?asset_id=a1", AsBytes(kBody), kNowMs).ok());
  RequestCredentials other_account = credentials;
  other_account.account = "mallory";
  EXPECT_FALSE(verifier_.Verify(other_account, key, "GET", "/v1/query/asset?asset_id=a1", AsBytes(kBody), kNowMs).ok());
  EXPECT_EQ(verifier_.cached_signatures(), 0u);
  // The untouched request still passes, so the refusals above were the tampering.
  EXPECT_TRUE(verifier_.Verify(credentials, key, "GET", "/v1/query/asset?asset_id=a1", AsBytes(kBody), kNowMs).ok());
}

TEST_F(RequestAuthTest, StaleOrFutureTimeIsRefused) {
  // Times outside ±window of the verifier's clock are refused; the edges pass.
  const auto key = key_.public_key();
  const auto stale = Sign(key_, "GET", "/v1/status", kNowMs - 60'001, "");
  const Status status = verifier_.Verify(stale, key, "GET", "/v1/status", {}, kNowMs);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("window"), std::string::npos) << status.message();
  const auto future = Sign(key_, "GET", "/v1/status", kNowMs + 60'001, "");
  EXPECT_FALSE(verifier_.Verify(future, key, "GET", "/v1/status", {}, kNowMs).ok());
  const auto edge_past = Sign(key_, "GET", "/v1/status", kNowMs - 60'000, "");
  EXPECT_TRUE(verifier_.Verify(edge_past, key, "GET", "/v1/status", {}, kNowMs).ok());
  const auto edge_future = Sign(key_, "GET", "/v1/status", kNowMs + 60'000, "");
  EXPECT_TRUE(verifier_.Verify(edge_future, key, "GET", "/v1/status", {}, kNowMs).ok());
}

TEST_F(RequestAuthTest, ExactReplayInsideWindowIsRefused) {
  // The same signed request twice: the second is a replay.
  const auto credentials = Sign(key_, "GET", "/v1/status", kNowMs, "");
  ASSERT_TRUE(verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs).ok());
  const Status replay = verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs + 5'000);
  EXPECT_EQ(replay.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(replay.message().find("replayed"), std::string::npos) << replay.message();
  // Once the window has passed, the time check refuses it and the cache forgets it.
  const Status late = verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs + 60'001);
  EXPECT_NE(late.message().find("window"), std::string::npos) << late.message();
  const auto fresh = Sign(key_, "GET", "/v1/status", kNowMs + 60'001, "");
  ASSERT_TRUE(verifier_.Verify(fresh, key_.public_key(), "GET", "/v1/status", {}, kNowMs + 60'001).ok());
  EXPECT_EQ(verifier_.cached_signatures(), 1u);
}

TEST_F(RequestAuthTest, FullReplayCacheRefusesRatherThanForgets) {
  // With the cache full of live signatures, new requests wait (Unavailable).
  for (int i = 0; i < 16; ++i) {
    const auto credentials = Sign(key_, "GET", "/v1/status?i=" + std::to_string(i), kNowMs, "");
    ASSERT_TRUE(verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status?i=" + std::to_string(i), {}, kNowMs).ok());
  }
  const auto one_more = Sign(key_, "GET", "/v1/status?i=16", kNowMs, "");
  EXPECT_EQ(verifier_.Verify(one_more, key_.public_key(), "GET", "/v1/status?i=16", {}, kNowMs).code(),
            ErrorCode::kUnavailable);
  // A refused request still fails the same way a moment later: nothing was evicted.
  const auto first_again = Sign(key_, "GET", "/v1/status?i=0", kNowMs, "");
  EXPECT_EQ(verifier_.Verify(first_again, key_.public_key(), "GET", "/v1/status?i=0", {}, kNowMs).code(),
            ErrorCode::kPermissionDenied);
}

TEST_F(RequestAuthTest, MalformedHeadersAreRefusedNamingTheHeader) {
  // Each header is checked for syntax before any key lookup.
  SignedHeaders headers = SignRequest(key_, kNode1, "alice", "GET", "/", kNowMs, {});
  SignedHeaders bad_account = headers;
  bad_account.account = "Alice!";
  EXPECT_NE(ParseSignedHeaders(bad_account).status().message().find("X-Shulian-Account"), std::string::npos);
  SignedHeaders bad_time = headers;
  bad_time.time_ms = "12x";
  EXPECT_NE(ParseSignedHeaders(bad_time).status().message().find("X-Shulian-Time"), std::string::npos);
  SignedHeaders bad_signature = headers;
  bad_signature.signature = "abcd";
  EXPECT_NE(ParseSignedHeaders(bad_signature).status().message().find("X-Shulian-Signature"), std::string::npos);
  SignedHeaders bad_node = headers;
  bad_node.node_id = "-1";
  EXPECT_NE(ParseSignedHeaders(bad_node).status().message().find("X-Shulian-Node"), std::string::npos);
  EXPECT_TRUE(ParseSignedHeaders(headers).ok());
}

TEST_F(RequestAuthTest, UnboundV1RequestIsRefusedSayingV2IsRequired) {
  // Headers without the network and node (a v1 signer) are refused before any key lookup.
  SignedHeaders headers = SignRequest(key_, kNode1, "alice", "GET", "/", kNowMs, {});
  headers.network_id.clear();
  headers.node_id.clear();
  const Status status = ParseSignedHeaders(headers).status();
  EXPECT_EQ(status.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(status.message().find("shulian/request/v2"), std::string::npos) << status.message();
}

TEST_F(RequestAuthTest, RequestSignedForAnotherNodeIsRefusedNamingBothNodes) {
  // A signature node 1 accepted cannot be replayed at node 2: node 2 refuses it
  // before its replay cache (which never saw it) is consulted.
  const auto credentials = Sign(key_, "GET", "/v1/status", kNowMs, {});
  ASSERT_TRUE(verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs).ok());
  RequestVerifier node2({"net-a", 2});
  const Status status = node2.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("signed for node 1 of network 'net-a'; this is node 2 of network 'net-a'"),
            std::string::npos)
      << status.message();
  // Claiming node 2 in the headers does not help: the signature covers node 1.
  RequestCredentials relabelled = credentials;
  relabelled.binding.node_id = 2;
  EXPECT_NE(node2.Verify(relabelled, key_.public_key(), "GET", "/v1/status", {}, kNowMs).message().find(
                "does not verify"),
            std::string::npos);
  EXPECT_EQ(node2.cached_signatures(), 0u);
}

TEST_F(RequestAuthTest, RequestSignedForAnotherNetworkIsRefusedNamingBothNetworks) {
  // Same node id, another network id: refused, and a relabelled claim fails the signature.
  const auto credentials = Sign(key_, "GET", "/v1/status", kNowMs, {}, "alice", {"net-b", 1});
  const Status status = verifier_.Verify(credentials, key_.public_key(), "GET", "/v1/status", {}, kNowMs);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("signed for node 1 of network 'net-b'; this is node 1 of network 'net-a'"),
            std::string::npos)
      << status.message();
  RequestCredentials relabelled = credentials;
  relabelled.binding.network_id = "net-a";
  EXPECT_NE(verifier_.Verify(relabelled, key_.public_key(), "GET", "/v1/status", {}, kNowMs).message().find(
                "does not verify"),
            std::string::npos);
}

TEST_F(RequestAuthTest, SigningBytesAreLengthPrefixedAndDomainSeparated) {
  // Moving a character between method and target changes the bytes (no ambiguity).
  const Bytes a = RequestSigningBytes(kNode1, "alice", "GET", "/x", 1, {});
  const Bytes b = RequestSigningBytes(kNode1, "alice", "GE", "T/x", 1, {});
  EXPECT_NE(a, b);
  EXPECT_EQ(std::string(a.begin(), a.begin() + 18), "shulian/request/v2");
  // tag + 4+5 (network) + 8 (node) + 4+5 + 4+3 + 4+2 + 8 + 32
  EXPECT_EQ(a.size(), 18u + 9 + 8 + 9 + 7 + 6 + 8 + 32);
  EXPECT_NE(a, RequestSigningBytes({"net-a", 2}, "alice", "GET", "/x", 1, {}));
  EXPECT_NE(a, RequestSigningBytes({"net-b", 1}, "alice", "GET", "/x", 1, {}));
}

}  // namespace
}  // namespace shulian::api
