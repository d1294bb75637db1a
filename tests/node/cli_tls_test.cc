// `shulian cert` and the CLI over https://: certificates written by the CLI are
// served by a real HttpServer on 127.0.0.1 (over an in-memory NodeService), and
// the CLI reaches it with --ca-file, --cert-sha256, their environment variables
// and CLI config keys, and is refused with a wrong pin.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "api/server.h"
#include "node/cli/cli.h"
#include "tests/api/fake_service.h"

namespace shulian::cli {
namespace {

namespace fs = std::filesystem;

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

CliRun RunShulian(const std::vector<std::string>& args, Environment env = {}) {
  std::ostringstream out, err;
  CliRun run;
  run.code = RunCli(args, out, err, env);
  run.out = out.str();
  run.err = err.str();
  return run;
}

class CliTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "shulian-cli-tls-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    server_.reset();
    std::error_code ignored;
    fs::remove_all(dir_, ignored);
  }
  std::string At(const std::string& name) const { return (dir_ / name).string(); }

  void Serve(const std::string& cert, const std::string& key) {
    api::ServerOptions options;
    options.port = 0;
    options.io_threads = 1;
    options.handler_threads = 2;
    options.tls.certificate_chain_file = cert;
    options.tls.private_key_file = key;
    auto server = api::HttpServer::Start(service_, options);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }
  std::string Url() const { return "https://127.0.0.1:" + std::to_string(server_->port()); }

  fs::path dir_;
  api::testing::FakeNodeService service_;
  std::unique_ptr<api::HttpServer> server_;
};

TEST_F(CliTlsTest, ACertificateSignedByTheCliAuthorityIsServedAndTrustedByCaFile) {
  CliRun ca =
      RunShulian({"cert", "ca", "--key-out", At("ca.key"), "--cert-out", At("ca.crt"), "--name", "Test CA"});
  ASSERT_EQ(ca.code, kExitOk) << ca.err;
  CliRun cert = RunShulian({"cert", "--key-out", At("api.key"), "--cert-out", At("api.crt"), "--host",
                            "127.0.0.1", "--host", "localhost", "--days", "7", "--ca-cert", At("ca.crt"),
                            "--ca-key", At("ca.key"), "--json"});
  ASSERT_EQ(cert.code, kExitOk) << cert.err;
  const nlohmann::json made = nlohmann::json::parse(cert.out);
  EXPECT_EQ(made["hosts"], nlohmann::json::array({"127.0.0.1", "localhost"}));
  struct stat key_stat {};
  ASSERT_EQ(::stat(At("api.key").c_str(), &key_stat), 0);
  EXPECT_EQ(key_stat.st_mode & 0777, 0600u);
  Serve(At("api.crt"), At("api.key"));

  CliRun status = RunShulian({"status", "--json", "--server", Url(), "--ca-file", At("ca.crt")});
  ASSERT_EQ(status.code, kExitOk) << status.err;
  EXPECT_EQ(nlohmann::json::parse(status.out)["network_id"], api::testing::FakeNodeService::kNetworkId);
  // The same through the environment, and through a CLI config file with a relative ca_file.
  Environment env;
  env.variables = {{"SHULIAN_SERVER", Url()}, {"SHULIAN_CA_FILE", At("ca.crt")}};
  EXPECT_EQ(RunShulian({"status"}, env).code, kExitOk);
  std::ofstream(At("cli.json")) << nlohmann::json{{"server", Url()}, {"ca_file", "ca.crt"}}.dump();
  CliRun configured = RunShulian({"status", "--cli-config", At("cli.json")});
  EXPECT_EQ(configured.code, kExitOk) << configured.err;
  // Without the authority the system's trust store does not know it: refused, exit 3.
  CliRun untrusted = RunShulian({"status", "--server", Url(), "--ca-file", At("api.crt")});
  EXPECT_EQ(untrusted.code, kExitUnreachable);
  EXPECT_NE(untrusted.err.find("refused the TLS certificate"), std::string::npos) << untrusted.err;
}

TEST_F(CliTlsTest, TxSubmitsOverHttpsWithCaFileOrPin) {
  // `tx TYPE` takes --ca-file and --cert-sha256 like every other command that talks
  // to a server (it once refused them as unknown body fields).
  ASSERT_EQ(RunShulian({"cert", "ca", "--key-out", At("ca.key"), "--cert-out", At("ca.crt")}).code, kExitOk);
  CliRun cert = RunShulian({"cert", "--key-out", At("api.key"), "--cert-out", At("api.crt"), "--host",
                            "127.0.0.1", "--ca-cert", At("ca.crt"), "--ca-key", At("ca.key")});
  ASSERT_EQ(cert.code, kExitOk) << cert.err;
  const std::string pin = cert.out.substr(0, cert.out.find('\n'));
  Serve(At("api.crt"), At("api.key"));
  ASSERT_TRUE(service_.AddAccount("tz.sjj.supervisor")->SaveToFile(At("sup.key")).ok());
  const std::vector<std::string> tx = {
      "tx",          "suspend_account", "--server", Url(),      "--account", "tz.sjj.supervisor", "--key",
      At("sup.key"), "--account-id",    "tz.x",     "--reason", "test",      "--legal-basis",     "test",
      "--json"};
  for (const std::vector<std::string>& trust : {std::vector<std::string>{"--ca-file", At("ca.crt")},
                                                std::vector<std::string>{"--cert-sha256", pin}}) {
    std::vector<std::string> args = tx;
    args.insert(args.end(), trust.begin(), trust.end());
    CliRun submitted = RunShulian(args);
    ASSERT_EQ(submitted.code, kExitOk) << trust[0] << ": " << submitted.err;
    EXPECT_TRUE(nlohmann::json::parse(submitted.out).contains("tx_hash")) << submitted.out;
  }
}

TEST_F(CliTlsTest, ASelfSignedCertificateIsReachedByItsPrintedPinAndAWrongPinIsRefused) {
  CliRun cert =
      RunShulian({"cert", "--key-out", At("api.key"), "--cert-out", At("api.crt"), "--host", "127.0.0.1"});
  ASSERT_EQ(cert.code, kExitOk) << cert.err;
  const std::string pin = cert.out.substr(0, cert.out.find('\n'));
  ASSERT_EQ(pin.size(), 64u) << cert.out;
  Serve(At("api.crt"), At("api.key"));
  CliRun pinned = RunShulian({"status", "--server", Url(), "--cert-sha256", pin});
  EXPECT_EQ(pinned.code, kExitOk) << pinned.err;
  Environment env;
  env.variables = {{"SHULIAN_CERT_SHA256", std::string(64, '0')}};
  CliRun wrong = RunShulian({"status", "--server", Url()}, env);
  EXPECT_EQ(wrong.code, kExitUnreachable);
  EXPECT_NE(wrong.err.find("its SHA-256 is " + pin + ", not the pinned cert_sha256"), std::string::npos)
      << wrong.err;
}

TEST_F(CliTlsTest, BadCertOptionsAreRefusedAndWriteNothing) {
  EXPECT_EQ(RunShulian({"cert", "--key-out", At("k"), "--cert-out", At("c")}).code, kExitUsage);  // no --host
  CliRun bad_host = RunShulian({"cert", "--key-out", At("k"), "--cert-out", At("c"), "--host", "a b"});
  EXPECT_EQ(bad_host.code, kExitUsage);
  EXPECT_NE(bad_host.err.find("host 'a b'"), std::string::npos) << bad_host.err;
  EXPECT_EQ(
      RunShulian({"cert", "--key-out", At("k"), "--cert-out", At("c"), "--host", "x", "--days", "0"}).code,
      kExitUsage);
  EXPECT_EQ(
      RunShulian({"cert", "--key-out", At("k"), "--cert-out", At("c"), "--host", "x", "--ca-cert", At("c")})
          .code,
      kExitUsage);
  // An authority that is not one: a self-signed server certificate cannot sign.
  ASSERT_EQ(RunShulian({"cert", "--key-out", At("s.key"), "--cert-out", At("s.crt"), "--host", "x"}).code,
            kExitOk);
  CliRun not_ca = RunShulian({"cert", "--key-out", At("k"), "--cert-out", At("c"), "--host", "x", "--ca-cert",
                              At("s.crt"), "--ca-key", At("s.key")});
  EXPECT_EQ(not_ca.code, kExitUsage);
  EXPECT_NE(not_ca.err.find("not a CA"), std::string::npos) << not_ca.err;
  EXPECT_FALSE(fs::exists(At("k")));
  EXPECT_FALSE(fs::exists(At("c")));
  // Existing files are never replaced.
  CliRun again = RunShulian({"cert", "--key-out", At("s.key"), "--cert-out", At("c"), "--host", "x"});
  EXPECT_NE(again.code, kExitOk);
  EXPECT_NE(again.err.find("already exists"), std::string::npos);
  EXPECT_FALSE(fs::exists(At("c")));
}

}  // namespace
}  // namespace shulian::cli
