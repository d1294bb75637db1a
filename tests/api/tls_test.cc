// TLS on the HTTP API: a real HttpServer serving TLS on 127.0.0.1 with
// certificates made by crypto/x509.h, driven by the real ApiClient over https://
// and by raw sockets.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>

#include "api/client.h"
#include "api/server.h"
#include "crypto/x509.h"
#include "ledger/tx_json.h"
#include "tests/api/fake_service.h"

namespace shulian::api {
namespace {

using nlohmann::json;
using testing::FakeNodeService;
namespace net = boost::asio;

std::string WriteFile(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  return path.string();
}

bool WaitUntil(const std::function<bool()>& predicate) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    if (predicate()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return predicate();
}

// A blocking TCP connection to 127.0.0.1 with a 5 s receive timeout.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  }
  ~RawConnection() { ::close(fd_); }
  bool connected() const { return connected_; }
  bool Send(std::string_view data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  // Everything the server sends until it closes (or 5 s pass without a byte).
  std::string ReadAll(bool* closed) {
    std::string out;
    char chunk[4096];
    while (true) {
      const ssize_t got = ::recv(fd_, chunk, sizeof(chunk), 0);
      if (got <= 0) {
        *closed = got == 0 || errno == ECONNRESET;
        return out;
      }
      out.append(chunk, static_cast<size_t>(got));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
};

class ApiTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("shulian-tls-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    alice_key_ = service_.AddAccount("alice");
    ca_ = Make(crypto::MakeCertificateAuthority({{}, "test authority", 30}));
    ca_file_ = WriteFile(dir_ / "ca.crt", ca_.certificate_pem);
    const crypto::PemCertificate other_ca =
        Make(crypto::MakeCertificateAuthority({{}, "another authority", 30}));
    other_ca_file_ = WriteFile(dir_ / "other-ca.crt", other_ca.certificate_pem);
    server_cert_ = Make(crypto::MakeServerCertificate({{"localhost", "127.0.0.1"}, "", 30}, &ca_));
    StartServer(TlsOptionsFor(server_cert_, "server"));
  }
  void TearDown() override {
    server_.reset();
    std::filesystem::remove_all(dir_);
  }

  static crypto::PemCertificate Make(Result<crypto::PemCertificate> made) {
    EXPECT_TRUE(made.ok()) << made.status().ToString();
    return made.ok() ? *made : crypto::PemCertificate{};
  }

  ServerOptions TlsOptionsFor(const crypto::PemCertificate& cert, const std::string& name) {
    ServerOptions options;
    options.port = 0;
    options.io_threads = 2;
    options.handler_threads = 2;
    options.tls.certificate_chain_file = WriteFile(dir_ / (name + ".crt"), cert.certificate_pem);
    options.tls.private_key_file = WriteFile(dir_ / (name + ".key"), cert.private_key_pem);
    return options;
  }

  void StartServer(ServerOptions options) {
    server_.reset();
    auto server = HttpServer::Start(service_, std::move(options));
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  std::string Url(const std::string& host) const {
    return "https://" + host + ":" + std::to_string(server_->port());
  }

  Result<std::unique_ptr<ApiClient>> Client(const std::string& host, const std::string& ca_file,
                                            const std::string& cert_sha256 = "", bool sign = false) {
    ClientOptions options;
    options.base_url = Url(host);
    options.ca_file = ca_file;
    options.cert_sha256 = cert_sha256;
    options.connect_timeout_ms = 2'000;
    options.read_timeout_ms = 5'000;
    if (sign) {
      options.account = "alice";
      options.key = alice_key_;
    }
    return ApiClient::Create(std::move(options));
  }

  std::filesystem::path dir_;
  FakeNodeService service_;
  std::shared_ptr<const crypto::KeyPair> alice_key_;
  crypto::PemCertificate ca_;
  crypto::PemCertificate server_cert_;
  std::string ca_file_;
  std::string other_ca_file_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(ApiTlsTest, AClientTrustingTheAuthorityOrPinningTheCertificateGetsAnswers) {
  // By CA (with the host as an IP and as a name) and by pin, signed or not: the
  // same answers as over plain HTTP, and a submission is queued.
  for (const std::string host : {"127.0.0.1", "localhost"}) {
    auto client = Client(host, ca_file_);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    auto status = (*client)->GetStatus();
    ASSERT_TRUE(status.ok()) << host << ": " << status.status().ToString();
    EXPECT_EQ((*status)["network_id"], FakeNodeService::kNetworkId);
  }
  auto pin = crypto::CertificatePemSha256(server_cert_.certificate_pem);
  ASSERT_TRUE(pin.ok());
  auto pinned = Client("127.0.0.1", "", pin->ToHex(), /*sign=*/true);
  ASSERT_TRUE(pinned.ok()) << pinned.status().ToString();
  auto queries = (*pinned)->ListQueries();
  EXPECT_TRUE(queries.ok()) << queries.status().ToString();
  const ledger::Transaction tx = service_.MakeTransaction("alice", 1);
  auto submitted = (*pinned)->Submit(tx);
  ASSERT_TRUE(submitted.ok()) << submitted.status().ToString();
  EXPECT_EQ((*submitted)["tx_hash"], tx.Hash().ToHex());
  EXPECT_EQ(service_.queued(), 1u);
}

TEST_F(ApiTlsTest, ACertificateOfAnotherAuthorityIsRefusedAsNotTrusted) {
  auto client = Client("127.0.0.1", other_ca_file_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const ledger::Transaction tx = service_.MakeTransaction("alice", 1);
  const Status status = (*client)->Submit(tx).status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("refused the TLS certificate"), std::string::npos) << status.message();
  EXPECT_NE(status.message().find("not trusted by ca_file " + other_ca_file_), std::string::npos)
      << status.message();
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiTlsTest, AWrongPinIsRefusedNamingBothFingerprints) {
  auto other = crypto::CertificatePemSha256(ca_.certificate_pem);
  auto actual = crypto::CertificatePemSha256(server_cert_.certificate_pem);
  ASSERT_TRUE(other.ok() && actual.ok());
  auto client = Client("127.0.0.1", "", other->ToHex());
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const Status status = (*client)->GetStatus().status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("its SHA-256 is " + actual->ToHex() + ", not the pinned cert_sha256 " +
                                  other->ToHex()),
            std::string::npos)
      << status.message();
}

TEST_F(ApiTlsTest, ACertificateThatDoesNotNameTheHostIsRefused) {
  // Trusted authority, but the certificate names another host than the URL's.
  StartServer(
      TlsOptionsFor(Make(crypto::MakeServerCertificate({{"node-9.example"}, "", 30}, &ca_)), "other-host"));
  auto client = Client("127.0.0.1", ca_file_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  const Status status = (*client)->GetStatus().status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("does not name the host of the URL"), std::string::npos)
      << status.message();
}

TEST_F(ApiTlsTest, APlainHttpClientGetsNoAnswerAndChangesNothing) {
  const ledger::Transaction tx = service_.MakeTransaction("alice", 1);
  const std::string body = json{{"transaction_hex", ToHex(tx.Encode())}}.dump();
  RawConnection raw(server_->port());
  ASSERT_TRUE(raw.connected());
  ASSERT_TRUE(
      raw.Send("POST /v1/transactions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Content-Length: " +
               std::to_string(body.size()) + "\r\n\r\n" + body));
  bool closed = false;
  const std::string answer = raw.ReadAll(&closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(answer.find("HTTP/1.1"), std::string::npos) << answer;
  EXPECT_EQ(service_.queued(), 0u);
  // The plain-HTTP ApiClient says the server cannot be reached.
  ClientOptions options;
  options.base_url = "http://127.0.0.1:" + std::to_string(server_->port());
  options.read_timeout_ms = 5'000;
  auto plain = ApiClient::Create(options);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ((*plain)->Submit(tx).status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(service_.queued(), 0u);
}

TEST_F(ApiTlsTest, AnHttpsClientToAPlainServerIsToldTheHandshakeFailed) {
  ServerOptions options;
  options.port = 0;
  StartServer(options);
  auto client = Client("127.0.0.1", ca_file_);
  ASSERT_TRUE(client.ok());
  const Status status = (*client)->GetStatus().status();
  EXPECT_EQ(status.code(), ErrorCode::kUnavailable);
  EXPECT_NE(status.message().find("TLS handshake"), std::string::npos) << status.message();
}

TEST_F(ApiTlsTest, ASilentConnectionIsClosedByTheFirstRequestDeadline) {
  // Nothing sent: closed and counted, as over plain HTTP.
  ServerOptions options = TlsOptionsFor(server_cert_, "server");
  options.first_request_timeout_ms = 200;
  options.idle_timeout_ms = 600'000;
  StartServer(options);
  const ApiCounters& counters = server_->handler().counters();
  {
    RawConnection silent(server_->port());
    ASSERT_TRUE(silent.connected());
    bool closed = false;
    EXPECT_EQ(silent.ReadAll(&closed), "");
    EXPECT_TRUE(closed);
    EXPECT_TRUE(WaitUntil([&] { return counters.first_request_timeouts_total.load() == 1; }));
  }
  // A finished handshake does not restart the deadline: a client that completes
  // it and then sends no request is closed by the same deadline, not idle_timeout_ms.
  net::io_context io;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  net::ssl::stream<net::ip::tcp::socket> stream(io, tls);
  stream.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->port()});
  timeval timeout{5, 0};
  ::setsockopt(stream.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  stream.handshake(net::ssl::stream_base::client);
  char byte = 0;
  boost::system::error_code error;
  const size_t read = net::read(stream, net::buffer(&byte, 1), error);
  EXPECT_EQ(read, 0u);
  EXPECT_TRUE(error == net::error::eof || error == net::ssl::error::stream_truncated) << error.message();
  EXPECT_TRUE(WaitUntil([&] { return counters.first_request_timeouts_total.load() == 2; }));
}

TEST_F(ApiTlsTest, TheHandshakeAndTheFirstRequestShareOneDeadline) {
  // The deadline runs from the accept: a client that waits 60% of it before its
  // handshake and 60% after gets no answer to the request it then sends, though
  // neither wait alone is over the deadline. (A slower machine only closes it
  // sooner; a server restarting the deadline after the handshake would answer.)
  ServerOptions options = TlsOptionsFor(server_cert_, "server");
  options.first_request_timeout_ms = 500;
  options.idle_timeout_ms = 600'000;
  StartServer(options);
  net::io_context io;
  net::ssl::context tls(net::ssl::context::tls_client);
  tls.set_verify_mode(net::ssl::verify_none);
  net::ssl::stream<net::ip::tcp::socket> stream(io, tls);
  stream.next_layer().connect({net::ip::make_address("127.0.0.1"), server_->port()});
  timeval timeout{5, 0};
  ::setsockopt(stream.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  boost::system::error_code error;
  stream.handshake(net::ssl::stream_base::client, error);
  if (!error) {
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const std::string request = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    net::write(stream, net::buffer(request), error);
    char byte = 0;
    const size_t read = net::read(stream, net::buffer(&byte, 1), error);
    EXPECT_EQ(read, 0u) << "the server answered a request sent after its first-request deadline";
  }
  EXPECT_TRUE(error) << "the connection is still open";
  EXPECT_TRUE(WaitUntil([&] { return server_->handler().counters().first_request_timeouts_total.load() == 1; }));
}

TEST_F(ApiTlsTest, TheConnectionCapAndTheBodyLimitApplyOverTls) {
  // A connection is counted from its accept, before any handshake: with one open
  // (a raw TCP connection that never starts TLS), a second from the same address
  // gets its 503 over TLS; a body over body_bytes_max gets 413.
  ServerOptions options = TlsOptionsFor(server_cert_, "server");
  options.connections_per_address_max = 1;
  options.body_bytes_max = 1024;
  StartServer(options);
  auto client = Client("127.0.0.1", ca_file_);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  auto too_big = (*client)->Send("POST", "/v1/transactions", std::string(4096, 'x'));
  ASSERT_TRUE(too_big.ok()) << too_big.status().ToString();
  EXPECT_EQ(too_big->http_status, 413) << too_big->body;
  client->reset();
  const ApiCounters& counters = server_->handler().counters();
  ASSERT_TRUE(WaitUntil([&] { return counters.connections_open.load() == 0; }));  // the 413's connection is gone
  {
    RawConnection holder(server_->port());
    ASSERT_TRUE(holder.connected());
    ASSERT_TRUE(WaitUntil([&] { return counters.connections_open.load() >= 1; }));
    auto second = Client("127.0.0.1", ca_file_);
    ASSERT_TRUE(second.ok());
    auto refused = (*second)->Send("GET", "/healthz");
    ASSERT_TRUE(refused.ok()) << refused.status().ToString();
    EXPECT_EQ(refused->http_status, 503) << refused->body;
    EXPECT_NE(refused->body.find("connections_per_address_max"), std::string::npos) << refused->body;
    EXPECT_EQ(counters.connections_refused_per_address_total.load(), 1u);
  }
}

TEST_F(ApiTlsTest, TlsFilesThatCannotBeUsedAreRefusedNamingTheFile) {
  ServerOptions options = TlsOptionsFor(server_cert_, "good");
  options.tls.certificate_chain_file = (dir_ / "missing.crt").string();
  Status status = HttpServer::Start(service_, options).status();
  EXPECT_NE(status.message().find("server.tls.certificate_chain_file: cannot load '" +
                                  options.tls.certificate_chain_file + "'"),
            std::string::npos)
      << status.message();
  // A key that is not the certificate's.
  options = TlsOptionsFor(server_cert_, "good");
  options.tls.private_key_file = WriteFile(dir_ / "ca.key", ca_.private_key_pem);
  status = HttpServer::Start(service_, options).status();
  EXPECT_NE(status.message().find("server.tls.private_key_file: cannot load '" +
                                  options.tls.private_key_file + "': it is not the key of the certificate"),
            std::string::npos)
      << status.message();
  // Garbage as a key; only one of the two files.
  options.tls.private_key_file = WriteFile(dir_ / "garbage.key", "not a key\n");
  status = HttpServer::Start(service_, options).status();
  EXPECT_NE(status.message().find("server.tls.private_key_file: cannot load"), std::string::npos)
      << status.message();
  options.tls.private_key_file.clear();
  status = HttpServer::Start(service_, options).status();
  EXPECT_NE(status.message().find("server.tls: give both"), std::string::npos) << status.message();
}

TEST(ApiTlsClientTest, TlsSettingsThatDoNotFitTheUrlAreRefused) {
  ClientOptions options;
  options.base_url = "http://127.0.0.1:1";
  options.cert_sha256 = std::string(64, 'a');
  EXPECT_NE(ApiClient::Create(options).status().message().find("only for an https:// server"),
            std::string::npos);
  options.base_url = "https://127.0.0.1:1";
  options.ca_file = "/nonexistent/ca.crt";
  EXPECT_NE(ApiClient::Create(options).status().message().find("not both"), std::string::npos);
  options.cert_sha256 = "12:34";
  options.ca_file.clear();
  EXPECT_NE(ApiClient::Create(options).status().message().find("expected 64 hex digits"), std::string::npos);
  options.cert_sha256.clear();
  options.ca_file = "/nonexistent/ca.crt";
  EXPECT_NE(ApiClient::Create(options).status().message().find("ca_file: /nonexistent/ca.crt"),
            std::string::npos);
}

}  // namespace
}  // namespace shulian::api
