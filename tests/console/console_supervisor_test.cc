// The supervisor's dashboard end to end: three real shulian-node processes with the
// sample scenario loaded, the page in a real headless Chromium, every figure the page
// shows compared with what the C++ ApiClient reads from the same ledger. Taizhou's
// supervisor sees the sample's five out-of-scope uses and drills down to them; then
// the nodes are restarted 40 days later (libfaketime) and one block passes the
// pending deadlines, and the page shows the overdue and deemed-approved flags and
// the missed deadlines as the ledger counts them.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>
#include <string>

#include "api/client.h"
#include "crypto/keys.h"
#include "tests/console/chromium.h"
#include "tests/process/cli_network.h"

namespace shulian::console_test {
namespace {

using json = nlohmann::json;
using cli::e2e::CliRun;
using cli::e2e::Shulian;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};
constexpr char kSupervisor[] = "tz.sjj.supervisor";
constexpr char kJurisdiction[] = "321200";
constexpr char kPayload[] = "<img src=x onerror=\"window.pwned=1\"><script>window.pwned=2</script>";
constexpr int64_t kDayMs = 86'400'000;
constexpr int64_t kCstOffsetMs = 8 * 3'600'000;
constexpr int kLaterDays = 40;

int64_t RealNowMs() {
  return std::chrono::duration_cast<milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "YYYY-MM-DD" of the China Standard Time day holding `ms`.
std::string CstDay(int64_t ms) {
  const std::time_t seconds = static_cast<std::time_t>((ms + kCstOffsetMs) / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[16];
  std::strftime(text, sizeof(text), "%Y-%m-%d", &tm);
  return text;
}

// libfaketime's preload library as the Debian package installs it, or "".
std::string FindLibFaketime() {
  std::error_code error;
  for (const auto& lib : std::filesystem::directory_iterator("/usr/lib", error)) {
    const std::filesystem::path candidate = lib.path() / "faketime" / "libfaketime.so.1";
    if (std::filesystem::exists(candidate, error)) return candidate.string();
  }
  return "";
}

class ConsoleSupervisorTest : public cli::e2e::CliNetworkTest {
 protected:
  ConsoleSupervisorTest() : CliNetworkTest("console-super", 8110) {}

  void LoadScenario() {
    server_ = WaitForLeader();
    ASSERT_FALSE(server_.empty()) << "no leader; logs in " << dir_;
    CliRun load = Shulian({"scenario", "load",
                           std::string(SHULIAN_SOURCE_DIR) + "/network-configs/scenario/jiangsu-taizhou.json",
                           "--keys", net(), "--server", server_});
    ASSERT_EQ(load.code, cli::kExitOk) << load.out << load.err;
  }

  // The supervisor's C++ client at node 1, its clock `shift_ms` ahead of this machine's.
  std::unique_ptr<api::ApiClient> SupervisorClient(int64_t shift_ms) {
    api::ClientOptions options;
    options.base_url = "http://" + Server(1);
    options.account = kSupervisor;
    options.key = std::make_shared<crypto::KeyPair>(crypto::KeyPair::LoadFromFile(Key(kSupervisor)).value());
    options.now_ms = [shift_ms] { return RealNowMs() + shift_ms; };
    return api::ApiClient::Create(options).value();
  }

  static json Read(api::ApiClient& client, const std::string& name,
                   const std::map<std::string, std::string>& p) {
    Result<json> answer = client.Query(name, p);
    EXPECT_TRUE(answer.ok()) << name << ": " << answer.status().ToString();
    return answer.ok() ? (*answer)["result"] : json();
  }

  // Signs in on the dashboard by choosing the supervisor's key file.
  void SignIn(Chromium& browser) {
    ASSERT_TRUE(browser.Navigate("http://" + Server(2) + "/console/supervisor.html", kStep).ok());
    ASSERT_TRUE(browser.Evaluate(SetValue("#signin-account", kSupervisor), kStep).ok());
    Result<json> document = browser.Call("DOM.getDocument", json::object(), kStep);
    ASSERT_TRUE(document.ok());
    Result<json> input = browser.Call(
        "DOM.querySelector", {{"nodeId", (*document)["root"]["nodeId"]}, {"selector", "#signin-key"}}, kStep);
    ASSERT_TRUE(input.ok());
    ASSERT_TRUE(browser
                    .Call("DOM.setFileInputFiles",
                          {{"files", {Key(kSupervisor)}}, {"nodeId", (*input)["nodeId"]}}, kStep)
                    .ok());
    ASSERT_TRUE(browser.Evaluate("document.querySelector('#signin-form button').click(); true", kStep).ok());
    ASSERT_TRUE(browser.WaitFor("!document.getElementById('dash').hidden", kStep).ok())
        << browser.Evaluate("document.getElementById('signin-state').textContent", kStep).value();
    WaitForCounts(browser);
  }

  void WaitForCounts(Chromium& browser) {
    ASSERT_TRUE(browser.WaitFor("!!document.querySelector('#totals .figure')", kStep).ok())
        << browser.Evaluate("document.getElementById('dash-state').textContent", kStep).value();
  }

  // Shows [from, to] (CST days, both included) on the dashboard.
  void ShowRange(Chromium& browser, const std::string& from, const std::string& to) {
    ASSERT_TRUE(browser
                    .Evaluate(SetValue("#range-from", from) + " && " + SetValue("#range-to", to) +
                                  " && (document.querySelector('#totals').replaceChildren(),"
                                  " document.querySelector('#range-form button[type=submit]').click(), true)",
                              kStep)
                    .ok());
    WaitForCounts(browser);
  }

  static std::string SetValue(const std::string& selector, const std::string& value) {
    return "(() => { const e = document.querySelector(" + json(selector).dump() +
           "); e.value = " + json(value).dump() + "; return true; })()";
  }

  // The figures of the totals, by name: {"uses": 18, "violating": 5, ...}.
  static json Figures(Chromium& browser) {
    return browser
        .Evaluate(
            "Object.fromEntries([...document.querySelectorAll('#totals .figure')].map((f) =>"
            " [f.dataset.figure, Number(f.querySelector('.number').textContent)]))",
            kStep)
        .value();
  }

  // The flags table: {kind: count}.
  static json FlagTable(Chromium& browser) {
    return browser
        .Evaluate(
            "Object.fromEntries([...document.querySelectorAll('#flags-table tbody tr')].map((tr) =>"
            " [tr.cells[1].textContent, Number(tr.cells[2].textContent)]))",
            kStep)
        .value();
  }

  // The values of column `column` of the drill-down once it lists `rows` rows.
  static std::multiset<std::string> DrillColumn(Chromium& browser, size_t rows, int column) {
    const Status shown = browser.WaitFor(
        "document.querySelectorAll('#drill-list tbody tr').length === " + std::to_string(rows), kStep);
    EXPECT_TRUE(shown.ok())
        << browser.Evaluate("document.getElementById('drill-list').textContent", kStep).value();
    const json cells =
        browser
            .Evaluate("[...document.querySelectorAll('#drill-list tbody tr')].map((tr) => tr.cells[" +
                          std::to_string(column) + "].textContent)",
                      kStep)
            .value();
    std::multiset<std::string> out;
    for (const json& c : cells) out.insert(c.get<std::string>());
    return out;
  }

  static json Nonzero(const json& by_kind) {
    json out = json::object();
    for (const auto& [kind, n] : by_kind.items())
      if (n.get<int64_t>() > 0) out[kind] = n;
    return out;
  }

  void SaveScreenshot(Chromium& browser, const std::string& name) {
    const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR");
    if (!shots) return;
    ASSERT_TRUE(browser.Evaluate("document.activeElement.blur(), window.scrollTo(0, 0), true", kStep).ok());
    Result<json> shot = browser.Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(
        WriteBase64File(std::filesystem::path(shots) / name, (*shot)["data"].get<std::string>()).ok());
  }

  std::string server_;
};

TEST_F(ConsoleSupervisorTest,
       TheSupervisorSeesTheSamplesFiveOutOfScopeUsesAndDrillsDownToThemAsTheLedgerHolds) {
  if (FindChromium().empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  LoadScenario();
  if (HasFatalFailure()) return;

  // What the ledger holds, read by the C++ client: the five out-of-scope uses of the sample.
  std::unique_ptr<api::ApiClient> client = SupervisorClient(0);
  const json violations = Read(*client, "rollup_violations", {{"authority_id", kJurisdiction}});
  ASSERT_EQ(violations.size(), 5u) << violations.dump();
  std::multiset<std::string> hashes, accessors;
  for (const json& v : violations) {
    hashes.insert(v["tx_hash"].get<std::string>());
    accessors.insert(v["accessor"].get<std::string>());
    EXPECT_FALSE(v["violations"].empty()) << v.dump();
  }
  EXPECT_EQ(accessors, (std::multiset<std::string>{"tz.mzj.user", "tz.mzj.user", "tz.rsj.registrar",
                                                   "tz.swj.user", "tz.swj.user"}));
  const int64_t now = RealNowMs();
  const json counts = Read(*client, "rollup_counts",
                           {{"authority_id", kJurisdiction},
                            {"from_day", CstDay(now - 29 * kDayMs)},
                            {"to_day", CstDay(now + kDayMs)}});

  Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Chromium& browser = **started;
  SignIn(browser);
  if (HasFatalFailure()) return;

  // The default range, the last 30 CST days, shows the ledger's totals and its flags by kind.
  const json figures = Figures(browser);
  EXPECT_EQ(figures["violating"], 5) << figures.dump();
  EXPECT_EQ(figures["violating"], counts["totals"]["violating_uses"]);
  EXPECT_EQ(figures["uses"], counts["totals"]["uses"]);
  EXPECT_EQ(figures["met"], counts["totals"]["deadlines_met"]);
  EXPECT_EQ(figures["missed"], counts["totals"]["deadlines_missed"]);
  EXPECT_GT(figures["met"].get<int64_t>(), 0) << figures.dump();
  EXPECT_EQ(FlagTable(browser), Nonzero(counts["flags_by_kind"]));
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('#uses-chart rect.bar-violating').length > 0", kStep)
                .value(),
            true);
  // Each authority's out-of-scope uses, as the ledger's by_authority counts them.
  const json by_authority =
      browser
          .Evaluate(
              "Object.fromEntries([...document.querySelectorAll('#authorities-table tbody tr')].map((tr) =>"
              " [tr.cells[0].textContent, Number(tr.cells[1].textContent)]))",
              kStep)
          .value();
  for (const auto& [authority, kinds] : counts["by_authority"].items()) {
    EXPECT_EQ(by_authority[authority], kinds.value("access_violation", 0)) << authority;
  }

  // The keyboard reaches the drill-down: Tab from the top of the page lands on a table's button.
  ASSERT_TRUE(browser.Evaluate("document.activeElement.blur(), window.scrollTo(0, 0), true", kStep).ok());
  bool reached = false;
  for (int press = 0; press < 80 && !reached; ++press) {
    for (const char* type : {"keyDown", "keyUp"}) {
      ASSERT_TRUE(browser
                      .Call("Input.dispatchKeyEvent",
                            {{"type", type}, {"key", "Tab"}, {"code", "Tab"}, {"windowsVirtualKeyCode", 9}},
                            kStep)
                      .ok());
    }
    reached =
        browser.Evaluate("!!document.activeElement.closest('#uses-table button, #flags-table button')", kStep)
            .value()
            .get<bool>();
  }
  ASSERT_TRUE(reached) << "Tab never reached a drill-down button";
  // Enter on the focused button (a day's uses) opens its records.
  for (const char* type : {"keyDown", "keyUp"}) {
    ASSERT_TRUE(browser
                    .Call("Input.dispatchKeyEvent",
                          {{"type", type},
                           {"key", "Enter"},
                           {"code", "Enter"},
                           {"windowsVirtualKeyCode", 13},
                           {"text", "\r"}},
                          kStep)
                    .ok());
  }
  ASSERT_TRUE(browser.WaitFor("document.querySelectorAll('#drill-list tbody tr').length > 0", kStep).ok());

  // Drill down from the total: the five records the C++ client read, hash by hash, in words.
  ASSERT_TRUE(
      browser
          .Evaluate("document.querySelector('#totals [data-figure=violating] button').click(), true", kStep)
          .ok());
  EXPECT_EQ(DrillColumn(browser, 5, 1), hashes);
  const json words =
      browser
          .Evaluate(
              "[...document.querySelectorAll('#drill-list tbody tr')].map((tr) => [tr.cells[1].textContent,"
              " tr.cells[11].textContent, tr.cells[11].title])",
              kStep)
          .value();
  for (const json& row : words) {
    const std::string text = row[1].get<std::string>();
    EXPECT_FALSE(text.empty()) << row.dump();
    EXPECT_EQ(text.find('_'), std::string::npos) << "a code, not words: " << text;
    for (const json& v : violations) {
      if (v["tx_hash"] != row[0]) continue;
      std::string codes;
      for (const json& code : v["violations"]) codes += (codes.empty() ? "" : ", ") + code.get<std::string>();
      EXPECT_EQ(row[2], codes);
    }
  }
  // A click on the chart's red part of the day lists the same five.
  ASSERT_TRUE(browser
                  .Evaluate("document.getElementById('drill-list').replaceChildren(),"
                            " document.querySelector('#uses-chart rect.bar-violating')"
                            ".dispatchEvent(new MouseEvent('click', {bubbles: true})), true",
                            kStep)
                  .ok());
  EXPECT_EQ(DrillColumn(browser, 5, 1), hashes);
  // In English the same figures and the violations in English words.
  ASSERT_TRUE(browser.Evaluate("document.getElementById('lang').click(), true", kStep).ok());
  EXPECT_EQ(
      browser.Evaluate("document.querySelector('#totals [data-figure=violating] .label').textContent", kStep)
          .value(),
      "Out-of-scope uses");
  EXPECT_EQ(browser
                .Evaluate("[...document.querySelectorAll('#drill-list tbody tr')].every((tr) =>"
                          " /^[a-z ;-]+$/.test(tr.cells[11].textContent.replace(/；/g, ';')))",
                          kStep)
                .value(),
            true);
  ASSERT_TRUE(browser.Evaluate("document.getElementById('lang').click(), true", kStep).ok());

  // And from the flags table: the out-of-scope flags, as rollup_flags lists them.
  const json flagged = Read(*client, "rollup_flags",
                            {{"authority_id", kJurisdiction},
                             {"kind", "access_violation"},
                             {"from_ms", std::to_string(now - 40 * kDayMs)}});
  ASSERT_TRUE(
      browser
          .Evaluate("[...document.querySelectorAll('#flags-table tbody tr')].find((tr) =>"
                    " tr.cells[1].textContent === 'access_violation').querySelector('button').click(), true",
                    kStep)
          .ok());
  std::multiset<std::string> flag_hashes;
  for (const json& f : flagged) flag_hashes.insert(f["tx_hash"].get<std::string>());
  EXPECT_EQ(DrillColumn(browser, flagged.size(), 6), flag_hashes);
  EXPECT_EQ(browser.Evaluate("document.querySelector('#drill-list tbody td:nth-child(2)').textContent", kStep)
                .value(),
            "越权使用");

  // An access whose purpose is an HTML payload shows as text in the access trace of its account.
  CliRun use = Shulian(Join(
      {"tx", "record_access", "--asset-id", "tz.scjgj.enterprise-registry", "--grant-id", "req-2026-tz-0001",
       "--purpose", kPayload, "--business-scenario", "企业开办一件事：税务登记", "--fields", "name",
       "--row-count", "1", "--result-digest", "sha256:rows", "--mode", "request_response", "--wait"},
      As("tz.swj.user", 1)));
  ASSERT_EQ(use.code, cli::kExitOk) << use.out << use.err;
  ASSERT_TRUE(browser.Evaluate("document.getElementById('trace-kind').value = 'account', true", kStep).ok());
  ASSERT_TRUE(browser.Evaluate(SetValue("#trace-id", "tz.swj.user"), kStep).ok());
  ASSERT_TRUE(browser.Evaluate("document.querySelector('#trace-form button').click(), true", kStep).ok());
  ASSERT_TRUE(browser
                  .WaitFor("[...document.querySelectorAll('#trace-list td')].some((t) => t.textContent === " +
                               json(kPayload).dump() + ")",
                           kStep)
                  .ok())
      << browser.Evaluate("document.getElementById('trace-list').textContent", kStep).value();
  EXPECT_EQ(browser.Evaluate("window.pwned === undefined", kStep).value(), true);
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('main img, main script').length", kStep).value(), 0);
  const json trace = Read(*client, "access_by_account", {{"account_id", "tz.swj.user"}});
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('#trace-list tbody tr').length", kStep).value(),
            trace.size());

  SaveScreenshot(browser, "supervisor.png");

  // On a 390 px wide screen nothing makes the page wider than the screen.
  ASSERT_TRUE(browser
                  .Call("Emulation.setDeviceMetricsOverride",
                        {{"width", 390}, {"height", 844}, {"deviceScaleFactor", 1}, {"mobile", true}}, kStep)
                  .ok());
  ASSERT_TRUE(browser.WaitFor("window.innerWidth === 390", kStep).ok());
  EXPECT_EQ(browser.Evaluate("document.documentElement.scrollWidth", kStep).value(), 390);
  EXPECT_EQ(browser.Evaluate("document.body.scrollWidth", kStep).value(), 390);
  const std::vector<std::string> errors = browser.Errors();
  EXPECT_TRUE(errors.empty()) << errors.front();

  // A range with nothing in it draws the empty state; an authority above the jurisdiction the node's refusal.
  ASSERT_TRUE(browser.Call("Emulation.clearDeviceMetricsOverride", json::object(), kStep).ok());
  ShowRange(browser, "2020-01-01", "2020-01-31");
  EXPECT_EQ(Figures(browser)["uses"], 0);
  EXPECT_EQ(browser.Evaluate("document.getElementById('uses-table').textContent", kStep).value(),
            "所选范围内暂无记录");
  EXPECT_EQ(browser.Evaluate("document.getElementById('flags-chart').textContent", kStep).value(),
            "所选范围内暂无记录");
  ASSERT_TRUE(
      browser
          .Evaluate(SetValue("#range-authority", "320000") +
                        " && (document.querySelector('#range-form button[type=submit]').click(), true)",
                    kStep)
          .ok());
  ASSERT_TRUE(browser.WaitFor("document.getElementById('dash-state').className === 'error'", kStep).ok());
  const std::string refusal =
      browser.Evaluate("document.getElementById('dash-state').textContent", kStep).value();
  EXPECT_EQ(refusal.rfind("读取失败：", 0), 0u) << refusal;
  EXPECT_GT(refusal.size(), std::string("读取失败：").size() + 10) << refusal;
  EXPECT_EQ(browser.Evaluate("document.querySelectorAll('#totals .figure').length", kStep).value(), 0);
}

TEST_F(ConsoleSupervisorTest,
       FortyDaysLaterThePageShowsTheOverdueAndDeemedApprovedFlagsAndMissedDeadlinesAsCounted) {
  if (FindChromium().empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  const std::string faketime = FindLibFaketime();
  if (faketime.empty())
    GTEST_SKIP() << "libfaketime is not installed (scripts/install-deps.sh installs the faketime package)";
  LoadScenario();
  if (HasFatalFailure()) return;
  const int64_t shift_ms = kLaterDays * kDayMs;
  const int64_t before = RealNowMs();
  const json missed_before =
      Read(*SupervisorClient(0), "rollup_counts",
           {{"authority_id", kJurisdiction},
            {"from_day", CstDay(before - 29 * kDayMs)},
            {"to_day", CstDay(before + shift_ms + 2 * kDayMs)}})["totals"]["deadlines_missed"];

  // The same nodes, 40 days later: every node's wall clock (not its steady clock) moved on.
  for (int id = 1; id <= kNodes; ++id) Stop(id);
  const char* asan = std::getenv("ASAN_OPTIONS");
  const std::string asan_before = asan ? asan : "";
  setenv("LD_PRELOAD", faketime.c_str(), 1);
  setenv("FAKETIME", ("+" + std::to_string(kLaterDays) + "d").c_str(), 1);
  setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1", 1);
  // Under the sanitizer build ASan wants to come first; the preload comes before it.
  setenv("ASAN_OPTIONS",
         (asan_before + (asan_before.empty() ? "" : ":") + "verify_asan_link_order=0").c_str(), 1);
  for (int id = 1; id <= kNodes; ++id) Start(id);
  unsetenv("LD_PRELOAD");
  unsetenv("FAKETIME");
  unsetenv("FAKETIME_DONT_FAKE_MONOTONIC");
  if (asan)
    setenv("ASAN_OPTIONS", asan_before.c_str(), 1);
  else
    unsetenv("ASAN_OPTIONS");
  ASSERT_FALSE(WaitForLeader().empty()) << "no leader after the restart; logs in " << dir_;

  // One transaction, signed on a clock as late as the nodes', makes a block whose time passes the deadlines.
  cli::Environment later;
  later.now_ms = [shift_ms] { return RealNowMs() + shift_ms; };
  std::ostringstream out, err;
  const int code =
      cli::RunCli(Join({"tx", "record_access", "--asset-id", "tz.scjgj.enterprise-registry", "--grant-id",
                        "req-2026-tz-0001", "--purpose", "核验新办纳税人登记信息", "--business-scenario",
                        "企业开办一件事：税务登记", "--fields", "name", "--row-count", "1", "--result-digest",
                        "sha256:later", "--mode", "request_response", "--wait"},
                       As("tz.swj.user", 1)),
                  out, err, later);
  ASSERT_EQ(code, cli::kExitOk) << out.str() << err.str();

  std::unique_ptr<api::ApiClient> client = SupervisorClient(shift_ms);
  const std::map<std::string, std::string> range = {{"authority_id", kJurisdiction},
                                                    {"from_day", CstDay(before - 29 * kDayMs)},
                                                    {"to_day", CstDay(RealNowMs() + shift_ms + kDayMs)}};
  json counts = Read(*client, "rollup_counts", range);
  ASSERT_TRUE(counts.is_object()) << counts.dump();
  ASSERT_GT(counts["totals"]["deadlines_missed"].get<int64_t>(), missed_before.get<int64_t>())
      << counts.dump();
  const json flags = counts["flags_by_kind"];
  ASSERT_GT(flags.value("share_review_overdue", 0) + flags.value("share_deemed_approved", 0), 0)
      << flags.dump();

  // The page, on a clock as late as the nodes' (its signed requests must fall in their window).
  Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Chromium& browser = **started;
  ASSERT_TRUE(browser
                  .Call("Page.addScriptToEvaluateOnNewDocument",
                        {{"source", "(() => { const now = Date.now; Date.now = () => now() + " +
                                        std::to_string(shift_ms) + "; })();"}},
                        kStep)
                  .ok());
  SignIn(browser);
  if (HasFatalFailure()) return;
  ShowRange(browser, range.at("from_day"), CstDay(RealNowMs() + shift_ms));
  counts = Read(*client, "rollup_counts", range);
  const json figures = Figures(browser);
  EXPECT_EQ(figures["missed"], counts["totals"]["deadlines_missed"]) << figures.dump();
  EXPECT_EQ(figures["met"], counts["totals"]["deadlines_met"]);
  EXPECT_EQ(figures["violating"], counts["totals"]["violating_uses"]);
  EXPECT_EQ(figures["flag_share_review_overdue"], flags.value("share_review_overdue", 0));
  EXPECT_EQ(figures["flag_share_deemed_approved"], flags.value("share_deemed_approved", 0));
  EXPECT_EQ(FlagTable(browser), Nonzero(counts["flags_by_kind"]));
  EXPECT_EQ(
      browser.Evaluate("document.querySelectorAll('#deadlines-chart rect.bar-missed').length > 0", kStep)
          .value(),
      true);

  // Each kind's records, as rollup_flags lists them, named in the seeds' terms.
  for (const auto& [kind, label] : std::vector<std::pair<std::string, std::string>>{
           {"share_review_overdue", "逾期未答复"}, {"share_deemed_approved", "视为同意"}}) {
    if (flags.value(kind, 0) == 0) continue;
    const json listed = Read(*client, "rollup_flags", {{"authority_id", kJurisdiction}, {"kind", kind}});
    ASSERT_TRUE(browser
                    .Evaluate("[...document.querySelectorAll('#flags-table tbody tr')].find((tr) =>"
                              " tr.cells[1].textContent === '" +
                                  kind + "').querySelector('button').click(), true",
                              kStep)
                    .ok());
    std::multiset<std::string> subjects;
    for (const json& f : listed) subjects.insert(f["subject_id"].get<std::string>());
    EXPECT_EQ(DrillColumn(browser, listed.size(), 4), subjects) << kind;
    for (const std::string& shown : DrillColumn(browser, listed.size(), 1)) EXPECT_EQ(shown, label) << kind;
  }
  // The missed deadlines of the whole range: every flag of a missed-deadline kind.
  ASSERT_TRUE(
      browser.Evaluate("document.querySelector('#totals [data-figure=missed] button').click(), true", kStep)
          .ok());
  DrillColumn(browser, counts["totals"]["deadlines_missed"].get<size_t>(), 1);
  SaveScreenshot(browser, "supervisor-later.png");
  const std::vector<std::string> errors = browser.Errors();
  EXPECT_TRUE(errors.empty()) << errors.front();
}

}  // namespace
}  // namespace shulian::console_test
