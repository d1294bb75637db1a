// TLS on a real node: a one-validator network whose shulian-node serves its API
// over TLS with a certificate from `shulian cert`, reached by the `shulian` CLI
// over https://; and the node's refusals to start on an unusable certificate or on
// plain HTTP off loopback.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "node/cli/cli.h"
#include "tests/process/network.h"

namespace shulian::process_test {
namespace {

using nlohmann::json;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun Shulian(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  CliRun run;
  run.code = cli::RunCli(args, out, err, cli::Environment{});
  run.out = out.str();
  run.err = err.str();
  return run;
}

TEST(ProcessTlsTest, ANodeServingTlsIsUsedThroughTheCliOverHttps) {
  TestNetwork net(1);
  const std::string ca_key = (net.dir() / "ca.key").string(), ca_crt = (net.dir() / "ca.crt").string();
  const std::string api_key = (net.dir() / "api.key").string(), api_crt = (net.dir() / "api.crt").string();
  ASSERT_EQ(Shulian({"cert", "ca", "--key-out", ca_key, "--cert-out", ca_crt}).code, cli::kExitOk);
  CliRun cert = Shulian({"cert", "--key-out", api_key, "--cert-out", api_crt, "--host", "127.0.0.1",
                         "--ca-cert", ca_crt, "--ca-key", ca_key});
  ASSERT_EQ(cert.code, cli::kExitOk) << cert.err;
  const std::string pin = cert.out.substr(0, cert.out.find('\n'));
  // Written relative to the config file (NodeConfigToJson does so for paths inside
  // its folder), so the node resolves them as it does its other paths.
  net.config(1).api_tls = {net.dir() / "api.crt", net.dir() / "api.key"};
  net.WriteConfig(1);
  net.Start(1);
  const std::string server = "https://" + net.config(1).api_address.ToString();

  // Wait for the node to elect itself, asking over TLS.
  json status;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    CliRun run = Shulian({"status", "--json", "--server", server, "--ca-file", ca_crt});
    if (run.code == cli::kExitOk) {
      status = json::parse(run.out);
      if (status["leader_id"].is_number() && status["leader_id"].get<uint64_t>() == 1) break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(status["leader_id"], 1) << status.dump() << "; log " << net.LogPath(1);

  // A signed transaction submitted and committed over https, then read back with a pin.
  const ledger::Transaction tx = net.AssetTx("asset-tls-1");
  const std::string tx_file = (net.dir() / "tx.json").string();
  {
    std::ofstream out(tx_file);
    out << json{{"transaction_hex", ToHex(tx.Encode())}}.dump();
  }
  api::ClientOptions options;
  options.base_url = server;
  options.ca_file = ca_crt;
  auto client = api::ApiClient::Create(options);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto submitted = (*client)->Submit(tx, /*wait_for_commit=*/true);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ((*submitted)["state"], "committed") << submitted->dump();
  const std::string court_key = (net.dir() / "court.key").string();
  ASSERT_TRUE(KeyFor("court").SaveToFile(court_key).ok());
  CliRun read = Shulian({"tx-status", tx.Hash().ToHex(), "--json", "--server", server, "--cert-sha256", pin,
                         "--account", "court", "--key", court_key});
  ASSERT_EQ(read.code, cli::kExitOk) << read.err;
  EXPECT_NE(read.out.find(tx.Hash().ToHex()), std::string::npos) << read.out;
  // Plain HTTP to the same port: nothing.
  CliRun plain = Shulian({"status", "--server", "http://" + net.config(1).api_address.ToString()});
  EXPECT_EQ(plain.code, cli::kExitUnreachable);
}

TEST(ProcessTlsTest, ANodeRefusesToStartOnPlainHttpOffLoopbackOrAnUnusableCertificate) {
  TestNetwork net(1);
  const uint16_t port = net.config(1).api_address.port;
  net.config(1).api_address = {"0.0.0.0", port};
  net.WriteConfig(1);
  RunResult plain = RunNodeToExit(net.ConfigPath(1), 10'000);
  EXPECT_EQ(plain.exit_code, 2);
  EXPECT_NE(plain.stderr_text.find("config: api_tls: required: api_address 0.0.0.0:"), std::string::npos)
      << plain.stderr_text;
  EXPECT_NE(plain.stderr_text.find("api_plain_http_allowed"), std::string::npos);

  net.config(1).api_address = {"127.0.0.1", port};
  net.config(1).api_tls = {net.dir() / "missing.crt", net.dir() / "missing.key"};
  net.WriteConfig(1);
  RunResult missing = RunNodeToExit(net.ConfigPath(1), 10'000);
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.stderr_text.find("server.tls.certificate_chain_file: cannot load '" +
                                     (net.dir() / "missing.crt").string() + "'"),
            std::string::npos)
      << missing.stderr_text;
}

}  // namespace
}  // namespace shulian::process_test
