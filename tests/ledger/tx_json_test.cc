#include "ledger/tx_json.h"

#include <gtest/gtest.h>

#include <string>

#include "crypto/keys.h"
#include "tests/ledger/body_samples.h"

namespace shulian::ledger {
namespace {

using nlohmann::json;
using testing::SampleBodies;
using testing::SampleOf;
using testing::SampleRequestShare;

crypto::KeyPair TestKey() {
  Bytes seed(crypto::KeyPair::kSeedBytes, 0x42);
  Result<crypto::KeyPair> key = crypto::KeyPair::FromSeed(seed);
  assert(key.ok());
  return std::move(key).value();
}

const crypto::Digest kGenesisHash = crypto::Sha256(AsBytes("jiangsu-test genesis"));

Transaction SignedTransaction(const Body& body) {
  Transaction tx;
  tx.type = BodyType(body);
  tx.network_id = "jiangsu-test";
  tx.sender = "tz.scjgj.registrar";
  tx.client_time_ms = 1'735'689'600'000;
  tx.nonce = 18'446'744'073'709'551'615u;  // u64 max: must survive JSON exactly
  tx.body = EncodeBody(body);
  tx.Sign(TestKey(), kGenesisHash);
  return tx;
}

json RequestShareJson() { return TransactionToJson(SignedTransaction(SampleRequestShare())); }

void ExpectRejectedNaming(const json& j, std::string_view key) {
  Result<Transaction> parsed = TransactionFromJson(j);
  ASSERT_FALSE(parsed.ok()) << "accepted: " << j.dump();
  EXPECT_EQ(parsed.status().code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(parsed.status().message().find(key), std::string::npos) << parsed.status().message();
}

class TxJsonTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { ASSERT_TRUE(crypto::Initialize().ok()); }
};

// Every body converts to JSON and back to an equal body, also through JSON text.
TEST_F(TxJsonTest, EveryBodyRoundTripsThroughJson) {
  for (const Body& body : SampleBodies()) {
    SCOPED_TRACE(TxTypeName(BodyType(body)));
    json j = json::parse(BodyToJson(body).dump());
    Result<Body> back = BodyFromJson(BodyType(body), j);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, body);
    Result<json> from_bytes = BodyBytesToJson(BodyType(body), EncodeBody(body));
    ASSERT_TRUE(from_bytes.ok());
    EXPECT_EQ(*from_bytes, j);
  }
}

// Every signed transaction converts to JSON and back unchanged; its signature still verifies.
TEST_F(TxJsonTest, EveryTransactionRoundTripsThroughJson) {
  for (const Body& body : SampleBodies()) {
    SCOPED_TRACE(TxTypeName(BodyType(body)));
    Transaction tx = SignedTransaction(body);
    json j = json::parse(TransactionToJson(tx).dump());
    EXPECT_EQ(j["type"], std::string(TxTypeName(tx.type)));
    EXPECT_EQ(j["hash"], tx.Hash().ToHex());
    Result<Transaction> back = TransactionFromJson(j);
    ASSERT_TRUE(back.ok()) << back.status().ToString();
    EXPECT_EQ(*back, tx);
    EXPECT_TRUE(back->VerifySignature(TestKey().public_key(), kGenesisHash));
  }
}

// The schema is the documented one (docs/transactions.md): keys, value forms, nonce as a string.
TEST_F(TxJsonTest, RequestShareJsonHasTheDocumentedSchema) {
  json j = RequestShareJson();
  json expected_body = {
      {"request_id", "req-2025-0001"},
      {"asset_id", "tz.scjgj.enterprise-registry"},
      {"purpose", "核验企业登记信息以办理税务登记"},
      {"business_scenario", "企业开办一件事 — 核验营业执照"},
      {"fields", {"name", "credit_code", "registered_capital", "legal_person"}},
      {"mode", "request_response"},
      {"duration_days", 365},
  };
  EXPECT_EQ(j["body"], expected_body);
  EXPECT_EQ(j["nonce"], "18446744073709551615");
  EXPECT_EQ(j["version"], 2);
  EXPECT_EQ(j["client_time_ms"], 1'735'689'600'000);
  EXPECT_EQ(j["signature"].get<std::string>().size(), 128u);
  EXPECT_EQ(j.size(), 9u) << j.dump();  // 6 envelope fields, body, signature, hash
}

// An unknown key is rejected by name, at the top, in a body and in a nested object.
TEST_F(TxJsonTest, UnknownKeysAreRejectedByName) {
  json top = RequestShareJson();
  top["priority"] = 1;
  ExpectRejectedNaming(top, "priority");
  json in_body = RequestShareJson();
  in_body["body"]["urgency"] = "high";
  ExpectRejectedNaming(in_body, "body.urgency");
  json approve = TransactionToJson(SignedTransaction(SampleOf<ApproveShareBody>()));
  approve["body"]["terms"]["extra"] = true;
  ExpectRejectedNaming(approve, "body.terms.extra");
}

// A missing required key is rejected by name; optional fields may be left out.
TEST_F(TxJsonTest, MissingKeysAreRejectedByName) {
  for (std::string key : {"type", "version", "network_id", "sender", "client_time_ms", "nonce", "signature"}) {
    json j = RequestShareJson();
    j.erase(key);
    ExpectRejectedNaming(j, key);
  }
  json no_body = RequestShareJson();
  no_body.erase("body");
  ExpectRejectedNaming(no_body, "body");
  json no_purpose = RequestShareJson();
  no_purpose["body"].erase("purpose");
  ExpectRejectedNaming(no_purpose, "body.purpose");
  json no_terms_field = TransactionToJson(SignedTransaction(SampleOf<ApproveShareBody>()));
  no_terms_field["body"]["terms"].erase("mode");
  ExpectRejectedNaming(no_terms_field, "body.terms.mode");

  // An optional field left out means absent: the body changes, so the hash no longer matches.
  json no_grant = TransactionToJson(SignedTransaction(SampleOf<RecordAccessBody>()));
  no_grant["body"].erase("grant_id");
  no_grant.erase("hash");
  Result<Transaction> parsed = TransactionFromJson(no_grant);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  Result<RecordAccessBody> body = RecordAccessBody::Decode(parsed->body);
  ASSERT_TRUE(body.ok());
  EXPECT_FALSE(body->grant_id.has_value());
}

// A value of the wrong JSON type is rejected naming the key and both types.
TEST_F(TxJsonTest, WrongTypesAreRejectedByName) {
  struct Case {
    std::string key;
    json value;
  };
  for (const Case& c : {Case{"duration_days", "365"}, Case{"duration_days", 36.5}, Case{"duration_days", -1},
                        Case{"fields", "name"}, Case{"mode", 1}, Case{"purpose", nullptr},
                        Case{"request_id", json::array()}}) {
    json j = RequestShareJson();
    j["body"][c.key] = c.value;
    ExpectRejectedNaming(j, "body." + c.key);
  }
  json string_body = RequestShareJson();
  string_body["body"] = "request";
  ExpectRejectedNaming(string_body, "body");
  json numeric_nonce = RequestShareJson();
  numeric_nonce["nonce"] = 5;
  ExpectRejectedNaming(numeric_nonce, "nonce");
  json text_time = RequestShareJson();
  text_time["client_time_ms"] = "now";
  ExpectRejectedNaming(text_time, "client_time_ms");
  json text_days = RequestShareJson();
  text_days["body"]["duration_days"] = "365";
  Result<Transaction> parsed = TransactionFromJson(text_days);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("expected an integer, got string"), std::string::npos)
      << parsed.status().message();
}

// Unknown transaction types and enum names are rejected by name.
TEST_F(TxJsonTest, UnknownNamesAreRejected) {
  json j = RequestShareJson();
  j["type"] = "transfer_money";
  ExpectRejectedNaming(j, "type");
  ExpectRejectedNaming(j, "transfer_money");
  json mode = RequestShareJson();
  mode["body"]["mode"] = "download";
  ExpectRejectedNaming(mode, "body.mode");
  ExpectRejectedNaming(mode, "request_response, copy");
  json version = RequestShareJson();
  version["version"] = 3;
  ExpectRejectedNaming(version, "version");
}

// Values that JSON can hold but the binary form refuses are refused from JSON too.
TEST_F(TxJsonTest, BinaryRulesApplyToJsonInput) {
  json bad_id = RequestShareJson();
  bad_id["body"]["request_id"] = "REQ 1";
  ExpectRejectedNaming(bad_id, "body.request_id");
  json bad_hex = TransactionToJson(SignedTransaction(SampleOf<RaiseObjectionBody>()));
  bad_hex["body"]["description_hash"] = "abc";
  ExpectRejectedNaming(bad_hex, "body.description_hash");
  json big = TransactionToJson(SignedTransaction(SampleOf<RecordAccessBody>()));
  big["body"]["row_count"] = kJsonIntegerMax + 1;
  ExpectRejectedNaming(big, "body.row_count");
  json duplicate = RequestShareJson();
  duplicate["body"]["fields"] = {"name", "name"};
  ExpectRejectedNaming(duplicate, "body.fields[1]");
  json bad_sender = RequestShareJson();
  bad_sender["sender"] = "Bad Sender";
  ExpectRejectedNaming(bad_sender, "sender");
  for (std::string nonce : {"", "01", "-1", "18446744073709551616", "1e3"}) {
    json j = RequestShareJson();
    j["nonce"] = nonce;
    ExpectRejectedNaming(j, "nonce");
  }
}

// A "hash" on input must match the transaction it came with.
TEST_F(TxJsonTest, MismatchedHashIsRejected) {
  json j = RequestShareJson();
  j["client_time_ms"] = 1;
  ExpectRejectedNaming(j, "hash");
  j.erase("hash");
  EXPECT_TRUE(TransactionFromJson(j).ok());
}

// A transaction whose body does not decode (recorded as rejected) is still shown,
// raw, with the reason, and converts back to the same bytes.
TEST_F(TxJsonTest, UndecodableBodyIsShownRawAndRoundTrips) {
  Transaction tx = SignedTransaction(SampleRequestShare());
  tx.body.push_back(0xEE);
  tx.Sign(TestKey(), kGenesisHash);
  json j = TransactionToJson(tx);
  EXPECT_FALSE(j.contains("body"));
  EXPECT_EQ(j["body_hex"], ToHex(tx.body));
  EXPECT_NE(j["body_error"].get<std::string>().find("trailing"), std::string::npos);
  j.erase("body_error");  // output only
  Result<Transaction> back = TransactionFromJson(j);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, tx);
  json both = RequestShareJson();
  both["body_hex"] = "00";
  ExpectRejectedNaming(both, "body");
}

}  // namespace
}  // namespace shulian::ledger
