// The console's transaction encoder and request signer (console/tx.js,
// console/session.js) against the C++ ones, in a real headless Chromium: for every
// transaction kind the pages build, the same JSON input gives byte-identical signing
// bytes and signed transaction bytes (Ed25519 is deterministic, so the key read from
// a CLI key file by the page must sign exactly as KeyPair does); a signed request
// gets the same canonical bytes and signature as api::SignRequest.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "api/request_auth.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/tx_json.h"
#include "tests/console/chromium.h"

namespace shulian::console_test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};

std::string ReadSource(const std::string& name) {
  std::ifstream file(std::string(SHULIAN_SOURCE_DIR) + "/console/" + name);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A page with the console's codec, encoder and session scripts, and the key file
// written by the C++ key code read into it.
class TxAgreementTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (FindChromium().empty())
      GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
    ASSERT_TRUE(crypto::Initialize().ok());
    std::array<uint8_t, 32> seed{};
    for (size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<uint8_t>(7 * i + 3);
    key_ = std::make_unique<crypto::KeyPair>(crypto::KeyPair::FromSeed(seed).value());
    Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
    ASSERT_TRUE(started.ok()) << started.status().ToString();
    browser_ = std::move(*started);
    // A file:// page is a secure context, so WebCrypto is there, as for a saved verifier.
    ASSERT_TRUE(
        browser_->Navigate("file://" + std::string(SHULIAN_SOURCE_DIR) + "/console/verify.html", kStep).ok());
    for (const char* script : {"codec.js", "tx.js", "session.js"}) {
      ASSERT_TRUE(browser_->Evaluate(ReadSource(script) + "\ntrue", kStep).ok()) << script;
    }
    const std::filesystem::path key_file = browser_->dir() / "account.key";
    ASSERT_TRUE(key_->SaveToFile(key_file).ok());
    std::ifstream file(key_file);
    std::stringstream text;
    text << file.rdbuf();
    ASSERT_EQ(
        browser_
            ->Evaluate("ShulianSession.importSeed(ShulianSession.parseKeyFile(" + json(text.str()).dump() +
                           ")).then((k) => { window.testKey = k; return k.extractable; })",
                       kStep)
            .value(),
        false);
  }

  Result<json> Page(const std::string& expression) { return browser_->Evaluate(expression, kStep); }

  std::unique_ptr<crypto::KeyPair> key_;
  std::unique_ptr<Chromium> browser_;
};

const char kGenesis[] = "5c1f0e3d9a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d";
const char kDigest[] = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

// Every kind the console's forms send, with optional fields present and absent,
// Chinese text and an HTML payload as a name.
std::vector<json> Inputs() {
  json asset = {{"asset_id", "tz.scjgj.x-1"},
                {"provider_authority", "321200"},
                {"source_department", "泰州市市场监督管理局"},
                {"dataset_code", "321200-scjgj-0099"},
                {"name", "<img src=x onerror=alert(1)>"},
                {"description", "含\n换行"},
                {"resource_type", "departmental"},
                {"grade", "important"},
                {"contains_personal_data", true},
                {"fields", {"name", "credit_code"}},
                {"format", "csv"},
                {"update_frequency", "weekly"},
                {"share_type", "conditional"},
                {"share_reason", "涉及商业秘密"},
                {"share_legal_basis", "《江苏省公共数据管理办法》第十九条"},
                {"open_type", "not_open"},
                {"open_reason", "依法不予开放"},
                {"open_legal_basis", "第二十五条"},
                {"content_hash", kDigest},
                {"size_bytes", 9007199254740991}};
  json request = {{"request_id", "req-1"}, {"asset_id", "tz.scjgj.x-1"},
                  {"purpose", "核验"},     {"business_scenario", "税务登记"},
                  {"fields", {"name"}},    {"mode", "copy"},
                  {"duration_days", 365}};
  json approve = {{"request_id", "req-1"},
                  {"terms",
                   {{"fields", {"name", "credit_code"}},
                    {"business_scenario", "税务登记"},
                    {"duration_days", 30},
                    {"mode", "request_response"},
                    {"desensitised", true}}},
                  {"conditions", "仅限本次使用"}};
  json refuse = {{"request_id", "req-1"}, {"legal_basis", "第十九条"}, {"reason", "超出职责范围"}};
  json use = {{"grant_id", "req-1"},      {"asset_id", "tz.scjgj.x-1"},
              {"purpose", "核验"},        {"business_scenario", "税务登记"},
              {"fields", {"name"}},       {"row_count", 12},
              {"result_digest", kDigest}, {"mode", "request_response"},
              {"third_party", false}};
  json open_use = use;
  open_use["grant_id"] = nullptr;
  open_use["third_party"] = true;
  open_use["subject_authorisation_hash"] = kDigest;
  json answer = {
      {"objection_id", "obj-1"}, {"answer", "corrected"}, {"reason", "已更正"}, {"new_version", 2}};
  json answer_rejected = {{"objection_id", "obj-1"}, {"answer", "rejected"}, {"reason", "数据无误"}};
  std::vector<json> out;
  int64_t time = 1767225600123;
  for (const auto& [type, body] :
       std::vector<std::pair<std::string, json>>{{"register_asset", asset},
                                                 {"request_share", request},
                                                 {"approve_share", approve},
                                                 {"refuse_share", refuse},
                                                 {"record_access", use},
                                                 {"record_access", open_use},
                                                 {"answer_objection", answer},
                                                 {"answer_objection", answer_rejected}}) {
    out.push_back({{"type", type},
                   {"network_id", "jiangsu-demo"},
                   {"sender", "tz.scjgj.registrar"},
                   {"client_time_ms", time++},
                   {"nonce", "18446744073709551615"},
                   {"body", body}});
  }
  return out;
}

TEST_F(TxAgreementTest, ThePageEncodesAndSignsEveryFormTransactionByteForByteAsTheCppCodec) {
  const crypto::Digest genesis = crypto::Digest::FromHex(kGenesis).value();
  std::set<std::string> kinds;
  for (const json& input : Inputs()) {
    ledger::Transaction tx;
    tx.type = *ledger::TxTypeFromName(input["type"].get<std::string>());
    tx.network_id = input["network_id"];
    tx.sender = input["sender"];
    tx.client_time_ms = input["client_time_ms"];
    tx.nonce = std::stoull(input["nonce"].get<std::string>());
    Result<ledger::Body> body = ledger::BodyFromJson(tx.type, input["body"]);
    ASSERT_TRUE(body.ok()) << body.status().ToString();
    tx.body = ledger::EncodeBody(*body);
    tx.Sign(*key_, genesis);
    const std::string call = "(async () => { const tx = " + input.dump() + "; return [" +
                             "ShulianCodec.hex(ShulianTx.signingBytes(tx, '" + kGenesis + "')), " +
                             "(await ShulianTx.build(tx, '" + kGenesis + "', async (b) => new Uint8Array(" +
                             "await crypto.subtle.sign({name: 'Ed25519'}, window.testKey, b)))).hex]; })()";
    Result<json> page = Page(call);
    ASSERT_TRUE(page.ok()) << input["type"] << ": " << page.status().ToString();
    EXPECT_EQ((*page)[0], ToHex(tx.SigningBytes(genesis))) << input["type"];
    EXPECT_EQ((*page)[1], ToHex(tx.Encode())) << input["type"];
    kinds.insert(input["type"]);
  }
  // Every kind the encoder knows was compared.
  EXPECT_EQ(Page("ShulianTx.KINDS.length").value(), kinds.size());
  const json known = Page("ShulianTx.KINDS").value();
  for (const json& kind : known) EXPECT_TRUE(kinds.contains(kind.get<std::string>())) << kind;
}

TEST_F(TxAgreementTest, ThePageRefusesWhatItCannotEncodeNamingTheField) {
  json input = Inputs()[3];  // refuse_share
  input["body"].erase("legal_basis");
  const std::string missing = "(() => { try { ShulianTx.signingBytes(" + input.dump() + ", '" + kGenesis +
                              "'); return 'encoded'; } catch (e) { return e.message; } })()";
  EXPECT_EQ(Page(missing).value(), "body.legal_basis: missing");
  input = Inputs()[1];
  input["body"]["mode"] = "telepathy";
  const std::string bad = "(() => { try { ShulianTx.signingBytes(" + input.dump() + ", '" + kGenesis +
                          "'); return 'encoded'; } catch (e) { return e.message; } })()";
  EXPECT_EQ(Page(bad).value(), "body.mode: unknown value \"telepathy\"");
  EXPECT_EQ(
      Page("(() => { try { ShulianSession.parseKeyFile('shulian-ed25519-public-v1\\n00'); return 'read'; }"
           " catch (e) { return e.message; } })()")
          .value(),
      "key_file_header");
}

TEST_F(TxAgreementTest, ThePageSignsARequestAsTheCliDoes) {
  const api::RequestBinding binding{"jiangsu-demo", 2};
  const std::string body = R"({"to": 3})";
  for (const auto& [method, target, request_body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "/v1/query/requests_by_status?authority_id=321200&status=pending&limit=20", ""},
           {"POST", "/v1/admin/leadership", body}}) {
    const int64_t time_ms = 1767225600999;
    const Bytes expected = api::RequestSigningBytes(binding, "tz.scjgj.registrar", method, target, time_ms,
                                                    AsBytes(request_body));
    const api::SignedHeaders headers = api::SignRequest(*key_, binding, "tz.scjgj.registrar", method, target,
                                                        time_ms, AsBytes(request_body));
    const std::string call =
        "(async () => { const b = await ShulianSession.requestSigningBytes({network_id: 'jiangsu-demo', "
        "node_id: 2}, 'tz.scjgj.registrar', " +
        json(method).dump() + ", " + json(target).dump() + ", " + std::to_string(time_ms) +
        ", ShulianCodec.utf8(" + json(request_body).dump() +
        ")); return [ShulianCodec.hex(b), ShulianCodec.hex(new Uint8Array(await crypto.subtle.sign("
        "{name: 'Ed25519'}, window.testKey, b)))]; })()";
    Result<json> page = Page(call);
    ASSERT_TRUE(page.ok()) << page.status().ToString();
    EXPECT_EQ((*page)[0], ToHex(expected)) << target;
    EXPECT_EQ((*page)[1], headers.signature) << target;
  }
}

}  // namespace
}  // namespace shulian::console_test
