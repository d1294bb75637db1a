// The authority page end to end: three real shulian-node processes with the sample
// scenario loaded, the page in a real headless Chromium. A provider signs in with
// its CLI key file alone (the ledger names its authority; a wrong key is a 401),
// sees its authority's assets and an asset's history, the request waiting for it
// with the working days left on its calendar, is refused by a ledger rule (shown in
// words), approves in the page and the ledger read by the C++ client shows the
// grant; an asset registered from the page under an HTML payload name is shown as
// text; no request the page made carries the key.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "api/client.h"
#include "crypto/keys.h"
#include "ledger/calendar.h"
#include "tests/console/chromium.h"
#include "tests/process/cli_network.h"

namespace shulian::console_test {
namespace {

using json = nlohmann::json;
using cli::e2e::CliRun;
using cli::e2e::Shulian;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};
constexpr char kProvider[] = "tz.wjw.registrar";
constexpr char kPending[] = "req-2026-nj-0002";
constexpr char kPayload[] = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";

class ConsoleAuthorityTest : public cli::e2e::CliNetworkTest {
 protected:
  ConsoleAuthorityTest() : CliNetworkTest("console-auth", 14000) {}

  // Sets the form control `selector` to `value` as typing would.
  std::string SetValue(const std::string& selector, const std::string& value) {
    return "(() => { const e = document.querySelector(" + json(selector).dump() +
           "); e.value = " + json(value).dump() + "; return true; })()";
  }
};

TEST_F(ConsoleAuthorityTest,
       AProviderSignsInApprovesARequestAndSeesARuleRefusalInWordsWithTheKeyKeptInThePage) {
  if (FindChromium().empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  const std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;
  CliRun load = Shulian({"scenario", "load",
                         std::string(SHULIAN_SOURCE_DIR) + "/network-configs/scenario/jiangsu-taizhou.json",
                         "--keys", net(), "--server", server});
  ASSERT_EQ(load.code, cli::kExitOk) << load.out << load.err;

  Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Chromium& browser = **started;
  ASSERT_TRUE(browser.Call("Network.enable", json::object(), kStep).ok());
  const std::string origin = "http://" + Server(2);
  ASSERT_TRUE(browser.Navigate(origin + "/console/authority.html", kStep).ok());
  // The public catalog loads with no key.
  ASSERT_TRUE(browser.WaitFor("!!document.querySelector('#catalog-list table')", kStep).ok());

  // Sign in: the account id and the key file chosen through the file input, as a user would; no authority.
  EXPECT_EQ(browser.Evaluate("document.getElementById('signin-authority') === null", kStep).value(), true);
  auto sign_in_with = [&](const std::string& key_file) {
    ASSERT_TRUE(browser.Evaluate(SetValue("#signin-account", kProvider), kStep).ok());
    Result<json> document = browser.Call("DOM.getDocument", json::object(), kStep);
    ASSERT_TRUE(document.ok());
    Result<json> input = browser.Call(
        "DOM.querySelector", {{"nodeId", (*document)["root"]["nodeId"]}, {"selector", "#signin-key"}}, kStep);
    ASSERT_TRUE(input.ok());
    ASSERT_TRUE(
        browser.Call("DOM.setFileInputFiles", {{"files", {key_file}}, {"nodeId", (*input)["nodeId"]}}, kStep)
            .ok());
    ASSERT_TRUE(browser
                    .Evaluate("document.getElementById('signin-state').textContent = ''; "
                              "document.querySelector('#signin-form button').click(); true",
                              kStep)
                    .ok());
  };
  // Another account's key under this account's id: the signed `account` query is refused with 401.
  sign_in_with(Key("tz.swj.user"));
  ASSERT_TRUE(browser.WaitFor("document.getElementById('signin-state').className === 'error'", kStep).ok());
  EXPECT_EQ(
      browser.Evaluate("ShulianSession.info() === null && document.getElementById('work').hidden", kStep)
          .value(),
      true);
  bool refused_401 = false;
  for (const json& event : browser.events()) {
    if (event.value("method", "") != "Network.responseReceived") continue;
    const json& response = event["params"]["response"];
    if (response.value("url", "").find("/v1/query/account?account_id=") != std::string::npos) {
      refused_401 = refused_401 || response.value("status", 0) == 401;
    }
  }
  EXPECT_TRUE(refused_401) << "no 401 answer to the sign-in's account query";
  sign_in_with(Key(kProvider));
  ASSERT_TRUE(browser.WaitFor("!document.getElementById('work').hidden", kStep).ok())
      << browser.Evaluate("document.getElementById('signin-state').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate("document.getElementById('signin-key').value", kStep).value(), "");
  // The authority and role came from the ledger's answer, not from the user.
  EXPECT_EQ(browser.Evaluate("ShulianSession.info().authority", kStep).value(), "321200");
  EXPECT_NE(browser.Evaluate("document.getElementById('who').textContent", kStep)
                .value()
                .get<std::string>()
                .find("321200"),
            std::string::npos);

  api::ClientOptions options;
  options.base_url = "http://" + Server(1);
  options.account = kProvider;
  options.key = std::make_shared<crypto::KeyPair>(crypto::KeyPair::LoadFromFile(Key(kProvider)).value());
  std::unique_ptr<api::ApiClient> client = api::ApiClient::Create(options).value();
  Result<api::ApiResponse> me = client->Send("GET", std::string("/v1/query/account?account_id=") + kProvider);
  ASSERT_TRUE(me.ok());
  ASSERT_EQ(me->http_status, 200) << me->body;
  EXPECT_EQ(browser.Evaluate("ShulianSession.info().roles", kStep).value(),
            json::parse(me->body)["result"]["roles"]);

  // 我方资产: the page lists what assets_by_authority answers the C++ client, and an asset opens its history.
  Result<api::ApiResponse> own =
      client->Send("GET", "/v1/query/assets_by_authority?authority_id=321200&limit=20");
  ASSERT_TRUE(own.ok());
  ASSERT_EQ(own->http_status, 200) << own->body;
  json own_ids = json::array();
  const json own_list = json::parse(own->body)["result"];
  for (const json& asset : own_list) own_ids.push_back(asset["asset_id"]);
  ASSERT_GE(own_ids.size(), 2u) << own->body;
  const std::string listed_ids =
      "[...document.querySelectorAll('#assets-list tbody tr')].map((tr) => tr.cells[0].textContent)";
  ASSERT_TRUE(browser.WaitFor(listed_ids + ".length > 0", kStep).ok())
      << browser.Evaluate("document.getElementById('assets-list').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate(listed_ids, kStep).value(), own_ids);
  const std::string first_asset = own_ids[0].get<std::string>();
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#assets-list tbody tr button').click(); true", kStep).ok());
  ASSERT_TRUE(browser
                  .WaitFor("document.getElementById('asset-facts').textContent.includes(" +
                               json(first_asset).dump() +
                               ") && document.querySelectorAll('#history-list tbody tr').length > 0",
                           kStep)
                  .ok())
      << browser.Evaluate("document.getElementById('asset-facts').textContent", kStep).value() << " / "
      << browser.Evaluate("document.getElementById('history-list').textContent", kStep).value();
  const std::string pending_row =
      "[...document.querySelectorAll('#pending-list td')].some((td) => td.textContent === '" +
      std::string(kPending) + "')";
  ASSERT_TRUE(browser.WaitFor(pending_row, kStep).ok())
      << browser.Evaluate("document.getElementById('pending-list').textContent", kStep).value();

  // Its deadline as working days left: counted here with the ledger's Calendar over the genesis calendar,
  // from the due instant the C++ client reads (today is taken before and after the page's count, in case
  // midnight CST falls between).
  Result<api::ApiResponse> waiting =
      client->Send("GET", "/v1/query/requests_by_status?authority_id=321200&status=pending");
  ASSERT_TRUE(waiting.ok());
  int64_t due_ms = 0;
  const json waiting_list = json::parse(waiting->body)["result"];
  for (const json& r : waiting_list) {
    if (r.value("request_id", "") == std::string(kPending)) due_ms = r.value("due_ms", int64_t{0});
  }
  ASSERT_GT(due_ms, 0) << waiting->body;
  std::ifstream genesis_file(genesis());
  const json genesis_json = json::parse(genesis_file);
  Result<ledger::Calendar> calendar = ledger::Calendar::FromJson(genesis_json["calendars"][0]);
  ASSERT_TRUE(calendar.ok()) << calendar.status().ToString();
  auto expected_left = [&]() {
    const auto now_ms =
        std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
    const int64_t today = ledger::CivilDateOf(now_ms).ToDays();
    const int64_t due_day = ledger::CivilDateOf(due_ms - 1).ToDays();
    int n = 0;
    for (int64_t day = today + 1; day <= due_day; ++day)
      n += calendar->IsWorkingDay(ledger::Date::FromDays(day));
    return "剩余 " + std::to_string(n) + " 个工作日";
  };
  const std::string before = expected_left();
  const std::string left_cell =
      "(() => { for (const tr of document.querySelectorAll('#pending-list tbody tr')) if "
      "(tr.cells[0].textContent "
      "=== '" +
      std::string(kPending) +
      "') { const td = tr.querySelector('.working-left').parentElement; "
      "return [td.querySelector('.working-left').textContent, td.querySelector('.instant').textContent, "
      "td.title, td.className]; } return null; })()";
  const json shown = browser.Evaluate(left_cell, kStep).value();
  const std::string after = expected_left();
  ASSERT_TRUE(shown.is_array()) << shown.dump();
  EXPECT_TRUE(shown[0] == before || shown[0] == after) << shown.dump() << " expected " << before;
  EXPECT_NE(shown[1].get<std::string>().find("北京时间"), std::string::npos) << shown.dump();
  EXPECT_EQ(shown[2], shown[1]) << "the CST instant is the tooltip too";
  EXPECT_NE(shown[3], "late") << "not overdue yet";
  EXPECT_EQ(browser
                .Evaluate("[...document.querySelectorAll('#objections-list td')].some((td) => "
                          "td.textContent.includes('NaN'))",
                          kStep)
                .value(),
            false);
  if (const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR")) {
    ASSERT_TRUE(
        browser.Evaluate("document.getElementById('pending-title').scrollIntoView(); true", kStep).ok());
    Result<json> shot = browser.Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(WriteBase64File(std::filesystem::path(shots) / "authority-work.png",
                                (*shot)["data"].get<std::string>())
                    .ok());
  }

  // A rule says no: a grant wider than the request (001 §16). The page shows the ledger's refusal in words.
  // Clicks 批准 on the pending request once its row is drawn (a list may be redrawing).
  const std::string approve_button =
      "(() => { for (const tr of document.querySelectorAll('#pending-list tbody tr')) if "
      "(tr.cells[0].textContent === '" +
      std::string(kPending) +
      "') { tr.querySelector('button').click(); return true; } "
      "return false; })()";
  ASSERT_TRUE(browser.WaitFor(approve_button, kStep).ok());
  ASSERT_TRUE(browser
                  .Evaluate("(() => { const f = document.querySelector('#form-decide [name=fields]');"
                            " f.value = f.value + ',bank_account'; return true; })()",
                            kStep)
                  .ok());
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#form-decide button[type=submit]').click(); true", kStep)
          .ok());
  ASSERT_TRUE(browser.WaitFor("document.getElementById('result').className.includes('failed')", kStep).ok());
  const std::string refusal =
      browser.Evaluate("document.getElementById('result').textContent", kStep).value();
  EXPECT_EQ(refusal.rfind("账本拒绝：", 0), 0u) << refusal;
  EXPECT_GT(refusal.size(), std::string("账本拒绝：").size() + 10) << refusal;

  // Approved as requested: the ledger, read through the C++ client, holds the grant.
  ASSERT_TRUE(browser.WaitFor(approve_button, kStep).ok());
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#form-decide button[type=submit]').click(); true", kStep)
          .ok());
  ASSERT_TRUE(browser.WaitFor("document.getElementById('result').className.includes('verified')", kStep).ok())
      << browser.Evaluate("document.getElementById('result').textContent", kStep).value();
  Result<api::ApiResponse> granted =
      client->Send("GET", "/v1/query/requests_by_status?authority_id=321200&status=granted");
  ASSERT_TRUE(granted.ok());
  ASSERT_EQ(granted->http_status, 200) << granted->body;
  bool found = false;
  const json granted_list = json::parse(granted->body)["result"];
  for (const json& r : granted_list) found = found || r.value("request_id", "") == std::string(kPending);
  EXPECT_TRUE(found) << granted->body;
  EXPECT_TRUE(browser.WaitFor("!" + pending_row, kStep).ok())
      << "the granted request is still listed as waiting";

  // An asset registered from the page under an HTML payload name renders as text in the catalog.
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"asset_id", "tz.wjw.console-html"},
                                                        {"name", kPayload},
                                                        {"source_department", "泰州市卫生健康委员会"},
                                                        {"dataset_code", "321200-wjw-0900"},
                                                        {"fields", "a,b"},
                                                        {"open_type", "unconditional"},
                                                        {"content_hash", std::string(64, 'a')}}) {
    ASSERT_TRUE(browser.Evaluate(SetValue("#form-asset [name=" + name + "]", value), kStep).ok()) << name;
  }
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#form-asset button[type=submit]').click(); true", kStep)
          .ok());
  ASSERT_TRUE(browser
                  .WaitFor("document.getElementById('result').textContent.includes('" +
                               std::string("已记入账本") +
                               "') && !document.getElementById('result').className.includes('state')",
                           kStep)
                  .ok())
      << browser.Evaluate("document.getElementById('result').textContent", kStep).value();
  // No console error but the browser's own line for the 401 the wrong key was given.
  std::vector<std::string> errors;
  for (const std::string& error : browser.Errors()) {
    const bool wrong_key_401 = error.find("status of 401") != std::string::npos &&
                               error.find("/v1/query/account?account_id=") != std::string::npos;
    if (!wrong_key_401) errors.push_back(error);
  }
  EXPECT_TRUE(errors.empty()) << errors.front();

  // No request the page made carries the key: not its seed in hex, nor in base64.
  std::ifstream file(Key(kProvider));
  std::string header, seed_hex;
  std::getline(file, header);
  std::getline(file, seed_hex);
  ASSERT_EQ(seed_hex.size(), 64u);
  const Bytes seed = FromHex(seed_hex).value();
  const std::string seed_b64 = Base64(seed);
  const std::string seed_b64_core = seed_b64.substr(0, 40);
  size_t requests = 0;
  for (const json& event : browser.events()) {
    if (event.value("method", "") != "Network.requestWillBeSent") continue;
    ++requests;
    const std::string text = event["params"]["request"].dump();
    EXPECT_EQ(text.find(seed_hex), std::string::npos) << text;
    EXPECT_EQ(text.find(seed_b64_core), std::string::npos) << text;
  }
  EXPECT_GT(requests, 5u);
  // Nor does the page keep it anywhere a later visitor could read.
  EXPECT_EQ(
      browser
          .Evaluate(
              "localStorage.length === 0 || Object.keys(localStorage).every((k) => k === 'shulian.lang')",
              kStep)
          .value(),
      true);
  EXPECT_EQ(browser.Evaluate("sessionStorage.length", kStep).value(), 0);

  if (const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR")) {
    ASSERT_TRUE(browser
                    .Evaluate(SetValue("#catalog-search", "") +
                                  " && (document.getElementById('catalog-filter')"
                                  ".dispatchEvent(new Event('input')), window.scrollTo(0, 0), true)",
                              kStep)
                    .ok());
    Result<json> shot = browser.Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(
        WriteBase64File(std::filesystem::path(shots) / "authority.png", (*shot)["data"].get<std::string>())
            .ok());
  }

  // Signing out forgets the key: the session is gone and the work area hidden.
  ASSERT_TRUE(browser.Evaluate("document.getElementById('signout').click(); true", kStep).ok());
  EXPECT_EQ(
      browser.Evaluate("ShulianSession.info() === null && document.getElementById('work').hidden", kStep)
          .value(),
      true);

  // The payload name, read from the ledger into the public catalog, is text: no element, no script ran.
  ASSERT_TRUE(browser.Navigate(origin + "/console/authority.html", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("!!document.querySelector('#catalog-list table')", kStep).ok());
  ASSERT_TRUE(
      browser
          .Evaluate(SetValue("#catalog-search", "console-html") +
                        " && document.getElementById('catalog-filter').dispatchEvent(new Event('input'))",
                    kStep)
          .ok());
  ASSERT_TRUE(
      browser
          .WaitFor("[...document.querySelectorAll('#catalog-list td')].some((t) => t.textContent === " +
                       json(kPayload).dump() + ")",
                   kStep)
          .ok());
  EXPECT_EQ(browser.Evaluate("window.pwned === undefined", kStep).value(), true);
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('main img, main script').length", kStep).value(), 0);
}

}  // namespace
}  // namespace shulian::console_test
