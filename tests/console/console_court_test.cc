// The court's page end to end: three real shulian-node processes with the sample
// scenario loaded, the page in a real headless Chromium. The court signs in with
// its CLI key file, opens the sample's dispute and sees the records it refers to as
// a timeline, as the C++ client reads them; downloads the case's evidence bundle
// (a real file, written by the browser's download) and verifies it in the page with
// the verdict and records of the C++ verifier on the same bytes; a tampered copy
// fails naming the C++ check; a transaction by hash shows its outcome. No request
// carries the key; the page fits a 390 px screen and the keyboard reaches it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "api/client.h"
#include "crypto/keys.h"
#include "ledger/evidence.h"
#include "ledger/genesis.h"
#include "ledger/genesis_import.h"
#include "tests/console/chromium.h"
#include "tests/process/cli_network.h"

namespace shulian::console_test {
namespace {

using json = nlohmann::json;
using cli::e2e::CliRun;
using cli::e2e::Shulian;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};
constexpr milliseconds kCheckpointWait{60'000};
constexpr char kCourt[] = "court.tz-intermediate";
constexpr char kDispute[] = "dsp-2026-0001";
constexpr char kBundleName[] = "dispute-dsp-2026-0001.json";
constexpr char kPayload[] = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>一致性核验";

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The C++ verdict on bundle text: "ok" or the failed check's name (the text before ':').
std::string CppVerdict(const std::string& text, const ledger::ImportedGenesis& genesis) {
  Result<ledger::VerifiedBundle> verified = ledger::VerifyBundleText(text, genesis);
  if (verified.ok()) return "ok";
  return verified.status().message().substr(0, verified.status().message().find(':'));
}

class ConsoleCourtTest : public cli::e2e::CliNetworkTest {
 protected:
  // Port base 8200 (tests/process/test_ports.h lists the fixtures' ranges).
  ConsoleCourtTest() : CliNetworkTest("console-court", 8115) {}

  std::unique_ptr<api::ApiClient> Client(const std::string& account, int node = 1) {
    api::ClientOptions options;
    options.base_url = "http://" + Server(node);
    options.account = account;
    options.key = std::make_shared<crypto::KeyPair>(crypto::KeyPair::LoadFromFile(Key(account)).value());
    return api::ApiClient::Create(options).value();
  }

  static std::string SetValue(const std::string& selector, const std::string& value) {
    return "(() => { const e = document.querySelector(" + json(selector).dump() +
           "); e.value = " + json(value).dump() + "; return true; })()";
  }

  static Status ChooseFile(Chromium& browser, const std::string& selector, const std::string& path) {
    ASSIGN_OR_RETURN(json document, browser.Call("DOM.getDocument", json::object(), kStep));
    ASSIGN_OR_RETURN(json node,
                     browser.Call("DOM.querySelector",
                                  {{"nodeId", document["root"]["nodeId"]}, {"selector", selector}}, kStep));
    return browser.Call("DOM.setFileInputFiles", {{"files", {path}}, {"nodeId", node["nodeId"]}}, kStep)
        .status();
  }

  // The bytes of a file the browser downloads, once it is whole; empty after the deadline.
  static std::string Downloaded(const std::filesystem::path& file) {
    const auto deadline = std::chrono::steady_clock::now() + kStep;
    while (std::chrono::steady_clock::now() < deadline) {
      if (std::filesystem::exists(file)) {
        const std::string bytes = ReadFile(file);
        if (!bytes.empty() && json::accept(bytes)) return bytes;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return "";
  }

  // What VerifiedBundle::ToJson says of each record, in the page's terms.
  static json ExpectedRecords(const json& proves) {
    json out = json::array();
    for (const json& record : proves["records"]) {
      out.push_back({record["tx_hash"], record["type"], record["sender"], record["block_height"],
                     record["outcome"]["accepted"], record["sender_signature_verified"]});
    }
    return out;
  }

  // Presses "verify the downloaded bundle" and returns what the page established:
  // its verdict, the bytes it verified (hex), the records and the signers.
  static json VerifyLastInPage(Chromium& browser) {
    EXPECT_TRUE(browser.Evaluate("document.getElementById('verify-last').click(); true", kStep).ok());
    EXPECT_TRUE(browser.WaitFor("document.getElementById('verdict').dataset.done === 'true'", kStep).ok());
    return browser
        .Evaluate(
            "(() => { const r = ShulianCourtPage.lastVerification(); return {ok: r.ok, check: r.check || '', "
            "className: document.getElementById('verdict').className, "
            "bytes: ShulianVerifier.hexOf(ShulianCourtPage.lastBundleBytes()), records: r.ok ? "
            "r.verified.records.map(x => [ShulianVerifier.hexOf(x.txHash), x.tx.typeName, x.tx.sender, "
            "Number(x.block.height), x.outcome.accepted, x.senderSignatureVerified]) : [], signers: r.ok ? "
            "r.verified.signers.map(Number) : []}; })()",
            kStep)
        .value();
  }

  // Waits until a cosigned checkpoint covers the ledger's head as it is after the
  // scenario: the case's bundle then holds every record, its closing too.
  bool WaitForCheckpointCovering(api::ApiClient& client, uint64_t height) {
    const auto deadline = std::chrono::steady_clock::now() + kCheckpointWait;
    while (std::chrono::steady_clock::now() < deadline) {
      Result<json> latest = client.GetCheckpoint();
      if (latest.ok() && (*latest)["checkpoint"].value("height", uint64_t{0}) >= height) return true;
      std::this_thread::sleep_for(milliseconds(500));
    }
    return false;
  }
};

TEST_F(ConsoleCourtTest, TheCourtSeesACaseTimelineDownloadsItsBundleAndVerifiesItInThePageAsTheCliDoes) {
  if (FindChromium().empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  const std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;
  CliRun load = Shulian({"scenario", "load",
                         std::string(SHULIAN_SOURCE_DIR) + "/network-configs/scenario/jiangsu-taizhou.json",
                         "--keys", net(), "--server", server});
  ASSERT_EQ(load.code, cli::kExitOk) << load.out << load.err;
  std::unique_ptr<api::ApiClient> court = Client(kCourt);
  const uint64_t head = court->GetStatus().value()["height"].get<uint64_t>();
  ASSERT_TRUE(WaitForCheckpointCovering(*court, head))
      << "no cosigned checkpoint covers the scenario; logs in " << dir_;
  const std::string genesis_bin = dir_ + "/genesis.bin";
  CliRun check = Shulian({"genesis", "check", genesis(), "--out", genesis_bin});
  ASSERT_EQ(check.code, cli::kExitOk) << check.err;
  const ledger::ImportedGenesis imported =
      ledger::ImportGenesis(ledger::LoadGenesisFile(genesis()).value()).value();
  const json dispute = court->Query("dispute", {{"dispute_id", kDispute}}).value()["result"];
  ASSERT_FALSE(dispute["record_refs"].empty());

  Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Chromium& browser = **started;
  ASSERT_TRUE(browser.Call("Network.enable", json::object(), kStep).ok());
  const std::filesystem::path downloads = browser.dir() / "downloads";
  std::filesystem::create_directories(downloads);
  Result<json> allowed = browser.Call("Browser.setDownloadBehavior",
                                      {{"behavior", "allow"}, {"downloadPath", downloads.string()}}, kStep);
  ASSERT_TRUE(allowed.ok()) << allowed.status().ToString();
  const std::string origin = "http://" + Server(2);
  ASSERT_TRUE(browser.Navigate(origin + "/console/court.html", kStep).ok());

  // Sign in with the court's key file, chosen through the file input.
  ASSERT_TRUE(browser.Evaluate(SetValue("#signin-account", kCourt), kStep).ok());
  ASSERT_TRUE(ChooseFile(browser, "#signin-key", Key(kCourt)).ok());
  ASSERT_TRUE(browser.Evaluate("document.querySelector('#signin-form button').click(); true", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("!document.getElementById('work').hidden", kStep).ok())
      << browser.Evaluate("document.getElementById('signin-state').textContent", kStep).value();
  ASSERT_TRUE(
      browser.WaitFor("!!document.querySelector('#disputes-list p, #disputes-list table')", kStep).ok());

  // The closed cases list the sample's dispute; opening it draws its timeline.
  ASSERT_TRUE(
      browser
          .Evaluate(SetValue("#disputes-status", "closed") +
                        " && document.getElementById('disputes-status').dispatchEvent(new Event('change'))",
                    kStep)
          .ok());
  const std::string open_case =
      "(() => { for (const tr of document.querySelectorAll('#disputes-list tbody tr')) if "
      "(tr.cells[0].textContent === '" +
      std::string(kDispute) + "') { tr.querySelector('button').click(); return true; } return false; })()";
  ASSERT_TRUE(browser.WaitFor(open_case, kStep).ok())
      << browser.Evaluate("document.getElementById('disputes-list').textContent", kStep).value();
  const size_t refs = dispute["record_refs"].size();
  ASSERT_TRUE(browser
                  .WaitFor("document.querySelectorAll('#timeline li.record[data-type]').length === " +
                               std::to_string(refs),
                           kStep)
                  .ok())
      << browser.Evaluate("document.getElementById('case').textContent", kStep).value();
  const json shown = browser
                         .Evaluate(
                             "[...document.querySelectorAll('#timeline li.record')].map((li) => ({hash: "
                             "li.dataset.hash, type: li.dataset.type, sender: li.dataset.sender, height: "
                             "Number(li.dataset.height), outcome: li.dataset.outcome}))",
                             kStep)
                         .value();
  std::set<std::string> shown_hashes;
  for (const json& record : shown) {
    shown_hashes.insert(record["hash"].get<std::string>());
    const json answer = court->GetTransaction(record["hash"].get<std::string>()).value();
    EXPECT_EQ(record["type"], answer["transaction"]["type"]);
    EXPECT_EQ(record["sender"], answer["transaction"]["sender"]);
    EXPECT_EQ(record["height"], answer["location"]["height"]);
    EXPECT_EQ(record["outcome"], answer["outcome"]["code_name"]);
  }
  EXPECT_EQ(shown_hashes, dispute["record_refs"].get<std::set<std::string>>());
  EXPECT_EQ(
      browser.Evaluate("document.querySelectorAll('#timeline li.opened, #timeline li.closed').length", kStep)
          .value(),
      2);
  const std::string ruling = browser.Evaluate("document.getElementById('ruling').textContent", kStep).value();
  EXPECT_NE(ruling.find(dispute["ruling_hash"].get<std::string>()), std::string::npos) << ruling;
  EXPECT_NE(ruling.find(dispute["summary"].get<std::string>()), std::string::npos) << ruling;

  // The case's bundle is downloaded as a file by the browser.
  ASSERT_TRUE(browser.Evaluate("document.getElementById('case-export').click(); true", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("!!document.getElementById('bundle-link')", kStep).ok())
      << browser.Evaluate("document.getElementById('export-state').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate("document.getElementById('bundle-link').download", kStep).value(), kBundleName);
  const std::string bytes = Downloaded(downloads / kBundleName);
  ASSERT_FALSE(bytes.empty()) << "the browser wrote no " << kBundleName;
  Result<ledger::VerifiedBundle> cpp = ledger::VerifyBundleText(bytes, imported);
  ASSERT_TRUE(cpp.ok()) << cpp.status().ToString();
  const json proves = cpp->ToJson();

  // The page verifies what it downloaded, with verifier.js and no server.
  ASSERT_TRUE(ChooseFile(browser, "#genesis", genesis_bin).ok());
  const json page = VerifyLastInPage(browser);
  EXPECT_EQ(page["ok"], true) << page.dump();
  EXPECT_EQ(page["className"], "verified");
  EXPECT_EQ(page["bytes"], ToHex(AsBytes(bytes))) << "the page verified other bytes than it downloaded";
  EXPECT_EQ(page["records"], ExpectedRecords(proves));
  EXPECT_EQ(page["signers"], proves["signers"]);
  const std::string described =
      browser.Evaluate("document.getElementById('result').textContent", kStep).value();
  for (const json& record : proves["records"]) {
    EXPECT_NE(described.find(record["tx_hash"].get<std::string>()), std::string::npos) << described;
  }

  // A tampered copy, chosen as a file, fails naming the check the C++ names.
  json tampered = json::parse(bytes);
  std::string& outcome = tampered["records"][0]["outcome"].get_ref<std::string&>();
  outcome.back() = outcome.back() == '0' ? '1' : '0';
  const std::string tampered_path = dir_ + "/tampered.json";
  std::ofstream(tampered_path) << tampered.dump(2);
  const std::string cpp_check = CppVerdict(tampered.dump(2), imported);
  ASSERT_NE(cpp_check, "ok");
  ASSERT_TRUE(ChooseFile(browser, "#bundle", tampered_path).ok());
  ASSERT_TRUE(browser.Evaluate("document.getElementById('verify-file').click(); true", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("document.getElementById('verdict').dataset.done === 'true'", kStep).ok());
  EXPECT_EQ(browser.Evaluate("document.getElementById('verdict').dataset.check", kStep).value(), cpp_check);
  EXPECT_EQ(browser.Evaluate("document.getElementById('verdict').className", kStep).value(), "failed");

  // Consistency: the page checks that a later checkpoint node 2 cosigned extends an
  // earlier one, with the verdict and signers of `shulian consistency --genesis`.
  // One more block (the court opens a second case, its subject an HTML payload), so
  // node 2 cosigns a later checkpoint.
  std::unique_ptr<api::ApiClient> node2 = Client(kCourt, 2);
  const uint64_t earliest = node2->GetCheckpoint().value()["checkpoint"]["height"].get<uint64_t>();
  CliRun opened = Shulian(Join({"tx", "open_dispute", "--dispute-id", "dsp-2026-court", "--subject", kPayload,
                                "--record-refs", dispute["record_refs"][0].get<std::string>(), "--wait"},
                               As(kCourt, 1)));
  ASSERT_EQ(opened.code, cli::kExitOk) << opened.out << opened.err;
  ASSERT_TRUE(WaitForCheckpointCovering(*node2, earliest + 1)) << "node 2 cosigned no later checkpoint";
  const uint64_t latest = node2->GetCheckpoint().value()["checkpoint"]["height"].get<uint64_t>();
  CliRun consistency =
      Shulian({"consistency", "--from", std::to_string(earliest), "--to", std::to_string(latest), "--genesis",
               genesis(), "--server", Server(2), "--json"});
  ASSERT_EQ(consistency.code, cli::kExitOk) << consistency.out << consistency.err;
  const json cli_consistency = json::parse(consistency.out);
  ASSERT_TRUE(browser.Evaluate(SetValue("#consistency-from", std::to_string(earliest)), kStep).ok());
  ASSERT_TRUE(browser.Evaluate(SetValue("#consistency-to", std::to_string(latest)), kStep).ok());
  ASSERT_TRUE(browser
                  .Evaluate("document.getElementById('consistency-verdict').dataset.done = ''; "
                            "document.querySelector('#consistency-form button[type=submit]').click(); true",
                            kStep)
                  .ok());
  ASSERT_TRUE(
      browser.WaitFor("document.getElementById('consistency-verdict').dataset.done === 'true'", kStep).ok());
  EXPECT_EQ(browser.Evaluate("document.getElementById('consistency-verdict').className", kStep).value(),
            "verified")
      << browser.Evaluate("document.getElementById('consistency-verdict').textContent", kStep).value();
  const json page_consistency =
      browser
          .Evaluate(
              "(() => { const r = ShulianCourtPage.lastConsistency(); return {from: Number(r.verified.from."
              "height), to: Number(r.verified.to.height), from_checked: r.verified.signatures.from.checked, "
              "to_checked: r.verified.signatures.to.checked, from_signers: "
              "r.verified.signatures.from.signers.map(Number), to_signers: "
              "r.verified.signatures.to.signers.map(Number)}; })()",
              kStep)
          .value();
  EXPECT_EQ(page_consistency["from"], cli_consistency["verified"]["from_height"]);
  EXPECT_EQ(page_consistency["to"], cli_consistency["verified"]["to_height"]);
  for (const char* end : {"from", "to"}) {
    const std::string said = cli_consistency["verified"]["signatures"][end].get<std::string>();
    EXPECT_EQ(page_consistency[std::string(end) + "_checked"], said.rfind("verified", 0) == 0) << said;
    json signers = json::array();
    for (const json& signature : cli_consistency["answer"][end]["signatures"])
      signers.push_back(signature["node_id"]);
    EXPECT_EQ(page_consistency[std::string(end) + "_signers"], signers);
  }

  // The payload subject, read from the ledger into the open cases, is text: no element, no script ran.
  ASSERT_TRUE(
      browser
          .Evaluate(SetValue("#disputes-status", "open") +
                        " && document.getElementById('disputes-status').dispatchEvent(new Event('change'))",
                    kStep)
          .ok());
  ASSERT_TRUE(
      browser
          .WaitFor("[...document.querySelectorAll('#disputes-list td')].some((t) => t.textContent === " +
                       json(kPayload).dump() + ")",
                   kStep)
          .ok())
      << browser.Evaluate("document.getElementById('disputes-list').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate("window.pwned === undefined", kStep).value(), true);
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('main img, main script').length", kStep).value(), 0);

  // A transaction by hash, with the ledger's outcome; a block by height.
  const std::string ref = dispute["record_refs"][0].get<std::string>();
  const json tx = court->GetTransaction(ref).value();
  ASSERT_TRUE(browser.Evaluate(SetValue("#tx-hash", ref), kStep).ok());
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#tx-form button[type=submit]').click(); true", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("!!document.getElementById('tx-facts')", kStep).ok())
      << browser.Evaluate("document.getElementById('tx-view').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate("document.getElementById('tx-facts').dataset.outcome", kStep).value(),
            tx["outcome"]["code_name"]);
  const std::string tx_text =
      browser.Evaluate("document.getElementById('tx-facts').textContent", kStep).value();
  EXPECT_NE(tx_text.find(tx["transaction"]["sender"].get<std::string>()), std::string::npos) << tx_text;
  const uint64_t height = tx["location"]["height"].get<uint64_t>();
  ASSERT_TRUE(browser.Evaluate(SetValue("#block-height", std::to_string(height)), kStep).ok());
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#block-form button[type=submit]').click(); true", kStep)
          .ok());
  ASSERT_TRUE(
      browser
          .WaitFor("[...document.querySelectorAll('#block-view td')].some((td) => td.textContent.includes('" +
                       ref + "'))",
                   kStep)
          .ok())
      << browser.Evaluate("document.getElementById('block-view').textContent", kStep).value();

  // The bundles of that transaction and of an asset's accesses, downloaded and
  // verified in the page as the C++ verifies the same files.
  const std::string access_asset = "tz.zjj.housing-sales";
  ASSERT_TRUE(browser
                  .Evaluate(SetValue("#access-asset", access_asset) + " && " +
                                SetValue("#access-from", "2020-01-01") + " && " +
                                SetValue("#access-to", "2030-12-31"),
                            kStep)
                  .ok());
  for (const auto& [press, name] : std::vector<std::pair<std::string, std::string>>{
           {"document.getElementById('tx-export').click()", "tx-" + ref.substr(0, 16) + ".json"},
           {"document.querySelector('#access-form button[type=submit]').click()",
            "access-" + access_asset + "-2020-01-01-2030-12-31.json"}}) {
    SCOPED_TRACE(name);
    ASSERT_TRUE(
        browser
            .Evaluate("document.getElementById('export-link').replaceChildren(); " + press + "; true", kStep)
            .ok());
    ASSERT_TRUE(browser.WaitFor("!!document.getElementById('bundle-link')", kStep).ok())
        << browser.Evaluate("document.getElementById('export-state').textContent", kStep).value();
    EXPECT_EQ(browser.Evaluate("document.getElementById('bundle-link').download", kStep).value(), name);
    const std::string file = Downloaded(downloads / name);
    ASSERT_FALSE(file.empty()) << "the browser wrote no " << name;
    Result<ledger::VerifiedBundle> verified = ledger::VerifyBundleText(file, imported);
    ASSERT_TRUE(verified.ok()) << verified.status().ToString();
    const json shown_verified = VerifyLastInPage(browser);
    EXPECT_EQ(shown_verified["ok"], true) << shown_verified.dump();
    EXPECT_EQ(shown_verified["bytes"], ToHex(AsBytes(file)));
    EXPECT_EQ(shown_verified["records"], ExpectedRecords(verified->ToJson()));
    EXPECT_FALSE(shown_verified["records"].empty());
  }
  const std::vector<std::string> errors = browser.Errors();
  EXPECT_TRUE(errors.empty()) << errors.front();

  if (const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR")) {
    ASSERT_TRUE(browser.Evaluate("document.getElementById('case').scrollIntoView(); true", kStep).ok());
    Result<json> shot = browser.Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(
        WriteBase64File(std::filesystem::path(shots) / "court.png", (*shot)["data"].get<std::string>()).ok());
  }

  // The keyboard reaches the controls: Tab from the top of the page.
  ASSERT_TRUE(browser.Evaluate("window.scrollTo(0, 0); document.activeElement.blur(); true", kStep).ok());
  std::set<std::string> reached;
  for (int i = 0; i < 80; ++i) {
    for (const char* type : {"keyDown", "keyUp"}) {
      ASSERT_TRUE(browser
                      .Call("Input.dispatchKeyEvent",
                            {{"type", type}, {"key", "Tab"}, {"code", "Tab"}, {"windowsVirtualKeyCode", 9}},
                            kStep)
                      .ok());
    }
    reached.insert(
        browser.Evaluate("document.activeElement.id || document.activeElement.tagName", kStep).value());
  }
  for (const char* control :
       {"disputes-status", "dispute-id", "case-export", "tx-hash", "tx-export", "block-height",
        "access-asset", "genesis", "verify-last", "bundle", "verify-file", "signout"}) {
    EXPECT_EQ(reached.count(control), 1u) << control << " is not reached by Tab";
  }

  // A 390 px wide screen: nothing overflows the body sideways.
  ASSERT_TRUE(browser
                  .Call("Emulation.setDeviceMetricsOverride",
                        {{"width", 390}, {"height", 844}, {"deviceScaleFactor", 1}, {"mobile", true}}, kStep)
                  .ok());
  EXPECT_EQ(browser
                .Evaluate("new Promise((done) => requestAnimationFrame(() => done("
                          "document.documentElement.scrollWidth <= window.innerWidth && "
                          "document.body.scrollWidth <= window.innerWidth)))",
                          kStep)
                .value(),
            true)
      << browser.Evaluate("document.documentElement.scrollWidth + ' > ' + window.innerWidth", kStep).value();

  // No request the page made carries the key: not its seed in hex, nor in base64.
  std::ifstream key_file(Key(kCourt));
  std::string header, seed_hex;
  std::getline(key_file, header);
  std::getline(key_file, seed_hex);
  ASSERT_EQ(seed_hex.size(), 64u);
  const std::string seed_b64_core = Base64(FromHex(seed_hex).value()).substr(0, 40);
  size_t requests = 0;
  for (const json& event : browser.events()) {
    if (event.value("method", "") != "Network.requestWillBeSent") continue;
    ++requests;
    const std::string text = event["params"]["request"].dump();
    EXPECT_EQ(text.find(seed_hex), std::string::npos) << text;
    EXPECT_EQ(text.find(seed_b64_core), std::string::npos) << text;
  }
  EXPECT_GT(requests, 5u);
}

}  // namespace
}  // namespace shulian::console_test
