// The load tool (bench/load): its workload is valid signed transactions, its
// figures are computed as documented, bad flags are usage errors, and it drives
// a real 3-node network (and, where etcd is installed, a real etcd) with every
// transaction accounted for.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/client.h"
#include "bench/load/compare.h"
#include "bench/load/load_tool.h"
#include "bench/load/report.h"
#include "bench/load/workload.h"
#include "crypto/keys.h"
#include "ledger/bodies.h"
#include "ledger/transaction.h"
#include "node/cli/network_init.h"

namespace shulian::load {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kNodes = 3;
constexpr int kLeaderWaitMs = 30'000;
constexpr int kToolTimeoutMs = 60'000;

std::string MakeTempDir(const std::string& name) {
  std::string pattern = (fs::temp_directory_path() / (name + "-XXXXXX")).string();
  if (mkdtemp(pattern.data()) == nullptr) return "";
  return pattern;
}

// Runs `argv` with stdout and stderr in files; returns the exit code, -1 on timeout.
struct ProgramRun {
  int code = -1;
  std::string out;
  std::string err;
};
ProgramRun RunProgram(const std::vector<std::string>& argv, const std::string& dir, int timeout_ms) {
  const std::string out_path = dir + "/run.out", err_path = dir + "/run.err";
  pid_t pid = fork();
  if (pid == 0) {
    int out = open(out_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    int err = open(err_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(out, 1);
    dup2(err, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  ProgramRun run;
  int status = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
      return run;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream out(out_path), err(err_path);
  std::stringstream out_text, err_text;
  out_text << out.rdbuf();
  err_text << err.rdbuf();
  run.out = out_text.str();
  run.err = err_text.str();
  return run;
}

pid_t Spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
  }
  return pid;
}

void Stop(std::vector<pid_t>& pids) {
  for (pid_t pid : pids) kill(pid, SIGTERM);
  for (pid_t pid : pids) {
    int status = 0;
    for (int i = 0; i < 100 && waitpid(pid, &status, WNOHANG) == 0; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    if (waitpid(pid, &status, WNOHANG) == 0) {
      kill(pid, SIGKILL);
      waitpid(pid, &status, 0);
    }
  }
  pids.clear();
}

WorkloadOptions SmallWorkload() {
  WorkloadOptions options;
  options.network_id = "load-test";
  options.genesis_hash = crypto::Sha256(AsBytes("load-test genesis"));
  options.tag = "t1";
  options.seed = "load-test";
  options.providers = 3;
  options.users = 10;
  options.assets_per_provider = 4;
  options.grants_per_user = 2;
  return options;
}

TEST(LoadReportTest, PercentilesAreNearestRankOverCommittedRequests) {
  // Proves p50/p95/p99/max/mean follow the nearest-rank definition on 1..100 ms.
  std::vector<uint32_t> latencies;
  for (uint32_t ms = 100; ms >= 1; --ms) latencies.push_back(ms * 1000);
  LatencySummary summary = SummarizeLatencies(latencies);
  EXPECT_DOUBLE_EQ(summary.p50_ms, 50);
  EXPECT_DOUBLE_EQ(summary.p95_ms, 95);
  EXPECT_DOUBLE_EQ(summary.p99_ms, 99);
  EXPECT_DOUBLE_EQ(summary.max_ms, 100);
  EXPECT_DOUBLE_EQ(summary.mean_ms, 50.5);
  std::vector<uint32_t> none;
  EXPECT_DOUBLE_EQ(SummarizeLatencies(none).p99_ms, 0);
}

TEST(LoadReportTest, ReadsPeakAndCurrentMemoryFromProc) {
  // Proves VmHWM and VmRSS are read for a live process and a missing one is NotFound.
  Result<ProcessFigures> self = ReadProcessMemory(getpid(), "self");
  ASSERT_TRUE(self.ok()) << self.status().ToString();
  EXPECT_GT(self->vm_rss_kib, 0u);
  EXPECT_GE(self->vm_hwm_kib, self->vm_rss_kib);
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(ReadProcessMemory(child, "gone").status().code(), ErrorCode::kNotFound);
}

TEST(LoadReportTest, StatCpuTicksAreCountedFromTheLastParenthesis) {
  // Proves utime + stime are fields 14 and 15 counted after the command name,
  // even when the name holds spaces and parentheses, and bad lines are errors.
  const std::string tail = " R 1 2 3 4 5 6 7 8 9 10 250 50 7 8 20 0\n";
  Result<uint64_t> ticks = ParseStatCpuTicks("4242 (node) x (y)" + tail);
  ASSERT_TRUE(ticks.ok()) << ticks.status().ToString();
  EXPECT_EQ(*ticks, 300u);
  Result<uint64_t> plain = ParseStatCpuTicks("4242 (shulian-node)" + tail);
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(*plain, 300u);
  EXPECT_EQ(ParseStatCpuTicks("4242 shulian-node R 1 2").status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(ParseStatCpuTicks("4242 (n) R 1 2 3 4 5 6 7 8 9 10 250").status().code(), ErrorCode::kCorruption);
  EXPECT_EQ(ParseStatCpuTicks("4242 (n) R 1 2 3 4 5 6 7 8 9 10 -5 50").status().code(),
            ErrorCode::kCorruption);
}

TEST(LoadReportTest, CpuTimeOfALiveProcessGrowsWithWorkAndAGoneOneIsNotFound) {
  // Proves the CPU time read from /proc rises while this process computes.
  Result<uint64_t> before = ReadProcessCpuMicros(getpid());
  ASSERT_TRUE(before.ok()) << before.status().ToString();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  volatile uint64_t sink = 0;
  uint64_t after = *before;
  while (after == *before && std::chrono::steady_clock::now() < deadline) {
    for (int i = 0; i < 1'000'000; ++i) sink = sink + static_cast<uint64_t>(i);
    Result<uint64_t> now = ReadProcessCpuMicros(getpid());
    ASSERT_TRUE(now.ok()) << now.status().ToString();
    after = *now;
  }
  EXPECT_GT(after, *before);
  pid_t child = fork();
  if (child == 0) _exit(0);
  waitpid(child, nullptr, 0);
  EXPECT_EQ(ReadProcessCpuMicros(child).status().code(), ErrorCode::kNotFound);
}

TEST(LoadReportTest, ServerCpuPerWriteIsUnknownWhenAnyServerWasNotMeasured) {
  // Proves the cluster's CPU per write adds up every watched process, and that a
  // process whose CPU could not be read makes the figure unknown, not smaller.
  Report report;
  report.tally.committed = 100;
  ProcessFigures leader, follower;
  leader.cpu_us = 3'000;
  leader.cpu_measured = true;
  follower.cpu_us = 1'000;
  follower.cpu_measured = true;
  report.processes = {leader, follower};
  EXPECT_DOUBLE_EQ(report.ServerCpuMicrosPerTx(), 40);
  report.processes[1].cpu_measured = false;
  EXPECT_DOUBLE_EQ(report.ServerCpuMicrosPerTx(), 0);
  EXPECT_TRUE(ReportToJson(report)["processes"][1]["cpu_us"].is_null());
  EXPECT_NE(ReportToText(report).find("servers not measured (see the notes)"), std::string::npos);
  report.processes.clear();
  EXPECT_NE(ReportToText(report).find("servers not watched (--pids)"), std::string::npos);
}

// A report as `shulian-load --json` writes it, reduced to what the table reads.
json FakeReport(double per_s, double p50, double p99, uint64_t rss_kib, std::optional<double> cpu_us_per_tx) {
  json report = {{"committed_per_s", per_s},
                 {"committed", 1000},
                 {"error_count", 0},
                 {"latency_ms", {{"p50", p50}, {"p95", p99}, {"p99", p99}, {"max", p99}, {"mean", p50}}},
                 {"processes", json::array({{{"vm_hwm_kib", rss_kib}, {"vm_rss_kib", rss_kib}}})}};
  if (cpu_us_per_tx) report["server_cpu_us_per_tx"] = *cpu_us_per_tx;
  return report;
}

void WriteReport(const std::string& dir, const std::string& name, const json& report) {
  std::ofstream(dir + "/" + name) << report.dump();
}

TEST(LoadCompareTest, TableShowsRatiosCpuPerWriteAndAVerdictPerTarget) {
  // Proves the side-by-side table pairs the reports by concurrency with their
  // ratios and CPU per write (a dash where a report predates it), and each
  // target line says met, NOT met or not measured from the figures.
  const std::string dir = MakeTempDir("shulian-compare");
  ASSERT_FALSE(dir.empty());
  WriteReport(dir, "shulian-c1.json", FakeReport(500, 1.5, 3, 100 * 1024, 700));
  WriteReport(dir, "etcd-c1.json", FakeReport(800, 1.2, 2, 50 * 1024, 400));
  WriteReport(dir, "shulian-c64.json", FakeReport(2600, 22, 52, 150 * 1024, 610));
  WriteReport(dir, "etcd-c64.json", FakeReport(4600, 13, 27, 80 * 1024, std::nullopt));
  Result<Comparison> comparison = LoadComparison(dir);
  ASSERT_TRUE(comparison.ok()) << comparison.status().ToString();
  const std::string text = ComparisonToText(*comparison);
  EXPECT_NE(
      text.find("| 1 | 500 | 800 | 0.62× | 1.50 / 3.00 / 3.00 / 3.0 | 1.20 / 2.00 / 2.00 / 2.0 | 1.50× | "
                "0 / 0 | 100 / 50 | 700 / 400 |"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("| 64 | 2600 | 4600 | 0.57× |"), std::string::npos) << text;
  EXPECT_NE(text.find("| 150 / 80 | 610 / – |"), std::string::npos) << text;
  EXPECT_NE(
      text.find(
          "concurrency 64: >= 2x etcd's writes/s (0.57x) and p99 not higher (52.0 vs 27.0 ms): NOT met"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("concurrency 256: >= 2x etcd's writes/s (–) and p99 not higher (–): not measured"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("median commit latency <= 2 ms (1.50 ms): met"), std::string::npos) << text;
  EXPECT_NE(text.find("(run with --million): not measured"), std::string::npos) << text;
  fs::remove_all(dir);
}

TEST(LoadCompareTest, LongRunIsShownAndItsLargestNodeRssJudged) {
  // Proves the 1,000,000-transaction run gets its own line (rate, latency, CPU
  // per write) and the memory target is met or not by the largest node's RSS.
  const std::string dir = MakeTempDir("shulian-compare");
  ASSERT_FALSE(dir.empty());
  WriteReport(dir, "shulian-c64.json", FakeReport(2600, 22, 52, 150 * 1024, 610));
  json million = FakeReport(2200, 25, 60, 200 * 1024, 700);
  million["committed"] = 1'000'000;
  million["concurrency"] = 64;
  million["processes"].push_back({{"vm_hwm_kib", 240 * 1024}, {"vm_rss_kib", 230 * 1024}});
  WriteReport(dir, "million.json", million);
  Result<Comparison> comparison = LoadComparison(dir);
  ASSERT_TRUE(comparison.ok()) << comparison.status().ToString();
  std::string text = ComparisonToText(*comparison);
  EXPECT_NE(text.find("Long run, Shulian only: 1000000 transactions at concurrency 64: 2200 tx/s, p50 / p99 "
                      "25.00 / 60.00 ms, server CPU per write 700 µs"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("(largest RSS 230 MiB, peak 240 MiB): met"), std::string::npos) << text;

  million["processes"].push_back({{"vm_hwm_kib", 300 * 1024}, {"vm_rss_kib", 260 * 1024}});
  WriteReport(dir, "million.json", million);
  comparison = LoadComparison(dir);
  ASSERT_TRUE(comparison.ok()) << comparison.status().ToString();
  text = ComparisonToText(*comparison);
  EXPECT_NE(text.find("(largest RSS 260 MiB, peak 300 MiB): NOT met"), std::string::npos) << text;
  fs::remove_all(dir);
}

TEST(LoadWorkloadTest, SetupAndMixAreValidSignedAndDistinct) {
  // Proves every setup and timed transaction decodes, verifies with its sender's
  // key, has a valid body and a distinct hash, and the mix follows the percentages.
  ASSERT_TRUE(crypto::Initialize().ok());
  Result<Workload> workload = Workload::Create(SmallWorkload());
  ASSERT_TRUE(workload.ok()) << workload.status().ToString();
  crypto::KeyPair operator_key = crypto::KeyPair::Generate();
  std::map<std::string, crypto::PublicKey> keys = {{"op", operator_key.public_key()}};
  for (const auto* group : {&workload->providers(), &workload->users()}) {
    for (const LoadAccount& account : *group) keys[account.id] = account.key.public_key();
  }
  auto phases = workload->SetupPhases("op", operator_key, 1'767'225'600'000);
  ASSERT_EQ(phases.size(), 4u);
  EXPECT_EQ(phases[0].size(), 13u);  // accounts
  EXPECT_EQ(phases[1].size(), 12u);  // assets
  EXPECT_EQ(phases[2].size(), 20u);  // requests
  EXPECT_EQ(phases[3].size(), 5u);   // approvals of requests on conditional assets (one asset in four)
  std::vector<ledger::Transaction> timed = workload->Generate(2000, 1'767'225'600'000);
  std::set<std::string> hashes;
  std::map<ledger::TxType, size_t> types;
  auto check = [&](const ledger::Transaction& tx) {
    Result<ledger::Transaction> decoded = ledger::Transaction::Decode(tx.Encode());
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_TRUE(keys.contains(tx.sender)) << tx.sender;
    EXPECT_TRUE(decoded->VerifySignature(keys.at(tx.sender), SmallWorkload().genesis_hash));
    EXPECT_TRUE(ledger::ValidateBody(tx.type, tx.body).ok()) << ledger::ValidateBody(tx.type, tx.body).ToString();
    EXPECT_TRUE(hashes.insert(tx.Hash().ToHex()).second);
    ++types[tx.type];
  };
  for (const auto& phase : phases) {
    for (const auto& tx : phase) check(tx);
  }
  types.clear();
  for (const auto& tx : timed) check(tx);
  EXPECT_GT(types[ledger::TxType::kRecordAccess], 1700u);
  EXPECT_GT(types[ledger::TxType::kRegisterAsset], 40u);
  EXPECT_GT(types[ledger::TxType::kRequestShare], 40u);
  EXPECT_EQ(types[ledger::TxType::kRecordAccess] + types[ledger::TxType::kRegisterAsset] +
                types[ledger::TxType::kRequestShare],
            2000u);
}

TEST(LoadToolTest, BadFlagsAreUsageErrorsThatNameTheFlag) {
  // Proves a bad flag exits 2 with a message naming it, before anything is sent.
  auto run = [](std::vector<std::string> args) {
    std::ostringstream out, err;
    int code = RunLoadTool(args, out, err);
    return std::make_pair(code, err.str());
  };
  auto [code, err] = run({"shulian", "--network", "/nonexistent", "--concurrency", "0"});
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("--concurrency"), std::string::npos) << err;
  std::tie(code, err) = run({"etcd", "--batch", "500"});
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("--batch"), std::string::npos) << err;
  std::tie(code, err) = run({"shulian", "--transactions", "10"});
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("--network"), std::string::npos) << err;
  std::tie(code, err) = run({"shulian", "--network", "/x", "--mix", "50,10,10"});
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("--mix"), std::string::npos) << err;
  std::tie(code, err) = run({"cassandra"});
  EXPECT_EQ(code, kExitUsage);
  std::tie(code, err) = run({"shulian", "--network", "/nonexistent"});
  EXPECT_EQ(code, kExitUsage);
  EXPECT_NE(err.find("accounts.json"), std::string::npos) << err;
}

class LoadProcessTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(crypto::Initialize().ok());
    dir_ = MakeTempDir("shulian-load-test");
    ASSERT_FALSE(dir_.empty());
    // Ports from the pid so that parallel runs on one machine do not collide:
    // peers 1100-2999, API 3100-4999, below the kernel's ephemeral range and apart
    // from the other process tests (tests/process/test_ports.h).
    peer_base_ = 1100 + static_cast<uint32_t>(getpid() % 190) * 10;
    api_base_ = peer_base_ + 2000;
  }
  void TearDown() override {
    Stop(pids_);
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  void StartShulian() {
    cli::NetworkInitOptions options;
    options.seed = "load-test";
    options.peer_port_base = peer_base_;
    options.api_port_base = api_base_;
    Result<cli::NetworkPlan> plan = cli::PlanNetwork(options);
    ASSERT_TRUE(plan.ok()) << plan.status().ToString();
    ASSERT_TRUE(cli::WriteNetwork(*plan, net()).ok());
    for (int id = 1; id <= kNodes; ++id) {
      pids_.push_back(Spawn({SHULIAN_NODE_BINARY, "--config", net() + "/node-" + std::to_string(id) + ".json"},
                            dir_ + "/node-" + std::to_string(id) + ".log"));
    }
  }

  // True once every node names the same leader, so the tool does not start in
  // the middle of the start-up election (a loaded machine can hold two).
  bool WaitForAgreedLeader() const {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kLeaderWaitMs);
    while (std::chrono::steady_clock::now() < deadline) {
      std::set<int64_t> leaders;
      for (uint32_t id = 1; id <= kNodes; ++id) {
        api::ClientOptions options;
        options.base_url = Url(id);
        auto client = api::ApiClient::Create(options);
        Result<json> status = client.ok() ? (*client)->GetStatus() : Result<json>(client.status());
        const json leader = status.ok() ? status->value("leader_id", json()) : json();
        leaders.insert(leader.is_number() ? leader.get<int64_t>() : -1);
      }
      if (leaders.size() == 1 && *leaders.begin() > 0) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return false;
  }

  std::string net() const { return dir_ + "/net"; }
  std::string Url(uint32_t id) const { return "http://127.0.0.1:" + std::to_string(api_base_ + id); }

  json RunTool(std::vector<std::string> args) {
    args.insert(args.begin(), SHULIAN_LOAD_BINARY);
    ProgramRun run = RunProgram(args, dir_, kToolTimeoutMs);
    EXPECT_EQ(run.code, kExitOk) << run.out << run.err;
    json parsed = json::parse(run.out, nullptr, false);
    EXPECT_FALSE(parsed.is_discarded()) << run.out << run.err;
    return parsed;
  }

  std::string dir_;
  uint32_t peer_base_ = 0;
  uint32_t api_base_ = 0;
  std::vector<pid_t> pids_;
};

TEST_F(LoadProcessTest, DrivesAThreeNodeNetworkAndAccountsForEveryTransaction) {
  // Proves the tool sets up its accounts, assets and grants, then commits every
  // timed transaction, single and batched, with no errors, ordered percentiles
  // and the peak memory of all three nodes; and the ledger holds what it reported.
  StartShulian();
  ASSERT_TRUE(WaitForAgreedLeader()) << "no agreed leader; logs in " << dir_;
  std::string pids;
  for (pid_t pid : pids_) pids += (pids.empty() ? "" : ",") + std::to_string(pid);
  const std::vector<std::string> common = {"--network", net(), "--users", "12", "--providers", "3", "--pids",
                                           pids, "--json", "--seed", "load-test"};
  std::vector<std::string> single = {"shulian", "--transactions", "300", "--concurrency", "8", "--tag", "single"};
  single.insert(single.end(), common.begin(), common.end());
  json report = RunTool(single);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["committed"], 300);
  EXPECT_EQ(report["accepted"], 300) << report.dump();  // every use within its grant, every id new
  EXPECT_EQ(report["error_count"], 0) << report.dump();
  EXPECT_EQ(report["requests_committed"], 300);
  EXPECT_GT(report["committed_per_s"].get<double>(), 0);
  EXPECT_GT(report["tx_bytes_mean"].get<double>(), 200);
  const json& latency = report["latency_ms"];
  EXPECT_GT(latency["p50"].get<double>(), 0);
  EXPECT_LE(latency["p50"].get<double>(), latency["p95"].get<double>());
  EXPECT_LE(latency["p95"].get<double>(), latency["p99"].get<double>());
  EXPECT_LE(latency["p99"].get<double>(), latency["max"].get<double>());
  ASSERT_EQ(report["processes"].size(), 3u) << report.dump();
  uint64_t cpu_us = 0;
  for (const json& process : report["processes"]) {
    EXPECT_GT(process["vm_hwm_kib"].get<uint64_t>(), 0u);
    cpu_us += process["cpu_us"].get<uint64_t>();
  }
  EXPECT_GT(cpu_us, 0u) << report.dump();  // every node verifies and stores each transaction
  EXPECT_DOUBLE_EQ(report["server_cpu_us_per_tx"].get<double>(), static_cast<double>(cpu_us) / 300)
      << report.dump();
  EXPECT_GT(report["client_cpu_us"].get<uint64_t>(), 0u) << report.dump();

  std::vector<std::string> batched = {"shulian", "--transactions", "200", "--concurrency", "4", "--batch", "25",
                                      "--tag", "batched"};
  batched.insert(batched.end(), common.begin(), common.end());
  report = RunTool(batched);
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["committed"], 200);
  EXPECT_EQ(report["accepted"], 200) << report.dump();
  EXPECT_EQ(report["requests"], 8);
  EXPECT_EQ(report["error_count"], 0) << report.dump();

  // The ledger agrees: the access records of one load user are there to query.
  api::ClientOptions client_options;
  client_options.base_url = Url(1);
  auto client = api::ApiClient::Create(client_options);
  ASSERT_TRUE(client.ok());
  Result<json> status = (*client)->GetStatus();
  ASSERT_TRUE(status.ok()) << status.status().ToString();
  EXPECT_GE(status->value("height", 0), 2);
}

TEST_F(LoadProcessTest, DrivesEtcdThroughItsJsonGateway) {
  // Proves etcd mode PUTs values as large as our encoded transactions through
  // etcd's gateway and counts each one; skipped where etcd is not installed.
  const std::string etcd = "/usr/bin/etcd";
  if (!fs::exists(etcd)) GTEST_SKIP() << "etcd is not installed (apt-get install etcd-server)";
  const std::string client_url = "http://127.0.0.1:" + std::to_string(api_base_ + 9);
  const std::string peer_url = "http://127.0.0.1:" + std::to_string(peer_base_ + 9);
  pids_.push_back(Spawn({etcd, "--name", "t1", "--data-dir", dir_ + "/etcd", "--listen-client-urls", client_url,
                         "--advertise-client-urls", client_url, "--listen-peer-urls", peer_url,
                         "--initial-advertise-peer-urls", peer_url, "--initial-cluster", "t1=" + peer_url},
                        dir_ + "/etcd.log"));
  json report = RunTool({"etcd", "--endpoints", client_url, "--transactions", "300", "--concurrency", "8",
                         "--json", "--pids", std::to_string(pids_.back()), "--users", "12", "--providers", "3"});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["committed"], 300);
  EXPECT_EQ(report["error_count"], 0) << report.dump();
  EXPECT_GT(report["tx_bytes_mean"].get<double>(), 200);
  ASSERT_EQ(report["processes"].size(), 1u);
  EXPECT_GT(report["processes"][0]["cpu_us"].get<uint64_t>(), 0u) << report.dump();
  report = RunTool({"etcd", "--endpoints", client_url, "--transactions", "100", "--concurrency", "2", "--batch",
                    "10", "--json", "--users", "12", "--providers", "3"});
  ASSERT_TRUE(report.is_object());
  EXPECT_EQ(report["committed"], 100);
  EXPECT_EQ(report["requests"], 10);
  EXPECT_EQ(report["error_count"], 0) << report.dump();
}

}  // namespace
}  // namespace shulian::load
