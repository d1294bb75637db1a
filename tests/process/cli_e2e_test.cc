// The `shulian` CLI end to end: a network written by `shulian network init`, three
// real shulian-node processes on 127.0.0.1, the sample scenario loaded through the
// API, and the supervisors' and users' commands run against what it recorded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "tests/process/cli_network.h"

namespace shulian::cli {
namespace {

using nlohmann::json;
using e2e::CliRun;
using e2e::Shulian;

class CliE2eTest : public e2e::CliNetworkTest {
 protected:
  CliE2eTest() : CliNetworkTest("cli-e2e", 20000) {}
};

TEST_F(CliE2eTest, ScenarioLoadsThroughTheCliAndSupervisorsTraceIt) {
  // Proves the sample scenario loads on a real 3-node network with every outcome as expected, the
  // supervisor's trace and summary find its five violations and the flagged second source, a rejected
  // transaction exits 1, and a read outside the caller's scope exits 1 without data.
  std::string server = WaitForLeader();
  ASSERT_FALSE(server.empty()) << "no leader; logs in " << dir_;

  CliRun load = Shulian({"scenario", "load", "network-configs/scenario/jiangsu-taizhou.json", "--keys", net(),
                         "--server", server});
  ASSERT_EQ(load.code, kExitOk) << load.out << load.err;

  // Any node answers (followers read through ReadIndex).
  CliRun scope = Shulian({"trace", "scope", "--authority", "321200", "--server", Server(3), "--account",
                          "tz.sjj.supervisor", "--key", Key("tz.sjj.supervisor"), "--json"});
  ASSERT_EQ(scope.code, kExitOk) << scope.err;
  EXPECT_EQ(json::parse(scope.out)["violations"].size(), 5u) << scope.out;

  CliRun summary = Shulian({"summary", "--authority", "321200", "--server", server, "--account",
                            "tz.sjj.supervisor", "--key", Key("tz.sjj.supervisor"), "--json"});
  ASSERT_EQ(summary.code, kExitOk) << summary.err;
  const json counters = json::parse(summary.out)["result"]["counters"];
  EXPECT_EQ(counters.value("violations", 0), 5) << summary.out;
  EXPECT_EQ(counters.value("duplicate_sources", 0), 1) << summary.out;  // Nanjing's second source, flagged

  CliRun history = Shulian({"asset", "history", "tz.scjgj.enterprise-registry", "--server", server,
                            "--account", "tz.scjgj.registrar", "--key", Key("tz.scjgj.registrar"), "--json"});
  ASSERT_EQ(history.code, kExitOk) << history.err;
  EXPECT_GE(json::parse(history.out)["result"].size(), 2u);  // registration and the corrected version

  CliRun rejected = Shulian({"tx",
                             "request_share",
                             "--request-id",
                             "req-e2e-1",
                             "--asset-id",
                             "tz.scjgj.food-license",
                             "--purpose",
                             "检查",
                             "--business-scenario",
                             "监督",
                             "--fields",
                             "license_no",
                             "--mode",
                             "request_response",
                             "--duration-days",
                             "10",
                             "--server",
                             Server(2),
                             "--account",
                             "tz.sjj.supervisor",
                             "--key",
                             Key("tz.sjj.supervisor"),
                             "--wait"});
  EXPECT_EQ(rejected.code, kExitFailed) << rejected.out << rejected.err;
  EXPECT_NE(rejected.out.find("REJECTED"), std::string::npos) << rejected.out;

  CliRun outside = Shulian({"overdue", "--authority", "321200", "--server", server, "--account",
                            "nj.ybj.user", "--key", Key("nj.ybj.user")});
  EXPECT_EQ(outside.code, kExitFailed) << outside.out << outside.err;
  EXPECT_TRUE(outside.out.empty());
}

}  // namespace
}  // namespace shulian::cli
