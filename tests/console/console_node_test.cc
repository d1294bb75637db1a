// The console served by real shulian-node processes, in a real headless Chromium:
// it loads under its Content-Security-Policy with no console error, shows the
// leader the nodes agree on, and the policy really blocks inline script.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "tests/console/chromium.h"
#include "tests/process/network.h"

namespace shulian::console_test {
namespace {

using json = nlohmann::json;
using std::chrono::milliseconds;

constexpr milliseconds kStep{30'000};

TEST(ConsoleNodeTest, TheHealthPageLoadsUnderItsPolicyWithNoErrorAndShowsTheLeader) {
  if (FindChromium().empty())
    GTEST_SKIP() << "chromium is not installed (scripts/install-deps.sh installs it)";
  process_test::TestNetwork network(3);
  network.StartAll();
  const uint64_t leader = network.WaitForLeader(30'000);
  ASSERT_NE(leader, 0u) << "no leader; logs in " << network.dir();
  // One committed transaction, then a cosigned checkpoint for the page to show.
  Result<json> committed = network.Client(leader)->Submit(network.AssetTx("console-asset-1"), true, 10'000);
  ASSERT_TRUE(committed.ok()) << committed.status().ToString();
  std::string checkpoint_height;
  for (int tries = 0; tries < 100 && checkpoint_height.empty(); ++tries) {
    Result<api::ApiResponse> latest = network.Client(2)->Send("GET", "/v1/checkpoints/latest");
    if (latest.ok() && latest->http_status == 200) {
      checkpoint_height = std::to_string(json::parse(latest->body)["checkpoint"]["height"].get<uint64_t>());
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  ASSERT_FALSE(checkpoint_height.empty()) << "node 2 holds no cosigned checkpoint";
  Result<std::unique_ptr<Chromium>> started = Chromium::Start(kStep);
  ASSERT_TRUE(started.ok()) << started.status().ToString();
  Chromium& browser = **started;
  const std::string origin = "http://" + network.config(2).api_address.ToString();
  ASSERT_TRUE(browser.Navigate(origin + "/", kStep).ok());
  ASSERT_TRUE(browser.WaitFor("!document.getElementById('status').hidden", kStep).ok());

  // The leader row, found by its Chinese label (the page starts in zh-CN).
  const std::string leader_shown =
      "(() => { for (const dt of document.querySelectorAll('#facts dt')) if (dt.textContent === '领导节点') "
      "return dt.nextElementSibling.textContent; return null; })()";
  EXPECT_EQ(browser.Evaluate(leader_shown, kStep).value(), std::to_string(leader));
  const std::string first_checkpoint_value = "document.querySelector('#checkpoint dd').textContent";
  EXPECT_GE(std::stoull(browser.Evaluate(first_checkpoint_value, kStep).value().get<std::string>()),
            std::stoull(checkpoint_height));
  const json policy = browser
                          .Evaluate(
                              "fetch('/').then(r => [r.headers.get('content-security-policy'), "
                              "r.headers.get('content-type')])",
                              kStep)
                          .value();
  EXPECT_EQ(policy[0],
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'");
  EXPECT_EQ(policy[1], "text/html; charset=utf-8");
  const std::vector<std::string> errors = browser.Errors();
  EXPECT_TRUE(errors.empty()) << errors.front();

  // English on request, same leader.
  ASSERT_TRUE(browser.Evaluate("document.getElementById('lang').click(); true", kStep).ok());
  EXPECT_EQ(browser.Evaluate("document.documentElement.lang", kStep).value(), "en");
  if (const char* shots = std::getenv("SHULIAN_SCREENSHOT_DIR")) {
    Result<json> shot = browser.Call("Page.captureScreenshot", {{"format", "png"}}, kStep);
    ASSERT_TRUE(shot.ok());
    ASSERT_TRUE(
        WriteBase64File(std::filesystem::path(shots) / "health.png", (*shot)["data"].get<std::string>())
            .ok());
  }

  // The policy is in force: an inline script injected into the page does not run.
  ASSERT_TRUE(browser
                  .Evaluate("const s = document.createElement('script'); s.textContent = 'window.ran = 1';"
                            " document.body.append(s); true",
                            kStep)
                  .ok());
  EXPECT_EQ(browser.Evaluate("window.ran === undefined", kStep).value(), true);
}

}  // namespace
}  // namespace shulian::console_test
