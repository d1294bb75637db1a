#include "api/server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "api/errors.h"
#include "api/rate_limiter.h"

namespace shulian::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
namespace ssl = boost::asio::ssl;

class HttpServer::Impl {
 public:
  Impl(NodeService& service, ServerOptions options)
      : options_(std::move(options)),
        handler_(service, options_.api),
        address_limiter_(options_.address_rate_limit),
        handlers_(options_.handler_threads),
        ioc_(static_cast<int>(options_.io_threads)),
        acceptor_(net::make_strand(ioc_)) {}

  ~Impl() { Stop(); }

  Status LoadTls();
  Status Listen();
  void Run();
  void Stop();

  const ServerOptions& options() const { return options_; }
  ApiHandler& handler() { return handler_; }
  net::thread_pool& handlers() { return handlers_; }
  uint16_t port() const { return port_; }
  ssl::context& tls() { return *tls_; }

  // Counts a connection from `address` opening or closing; returns how many that
  // address has open, this one included.
  size_t AddConnection(const std::string& address);
  void RemoveConnection(const std::string& address);
  // Charges one request to `address` as its headers arrive; the 429 answer (with
  // Retry-After) when the address's bucket is short.
  std::optional<HttpResponse> ChargeAddress(const std::string& address);

 private:
  void Accept();
  void OnAccept(beast::error_code error, tcp::socket socket);

  const ServerOptions options_;
  // These three before ioc_: sessions destroyed with ioc_ still count into them.
  ApiHandler handler_;
  RateLimiter address_limiter_;
  std::mutex addresses_mutex_;
  std::map<std::string, size_t> connections_by_address_;  // GUARDED_BY(addresses_mutex_); no zero entries
  net::thread_pool handlers_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<ssl::context> tls_;  // set when options_.tls is
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mutex_;
  bool stopped_ = false;  // GUARDED_BY(stop_mutex_)
};

namespace {

constexpr size_t kReadChunkBytes = 8 * 1024;

std::chrono::milliseconds Ms(uint64_t ms) { return std::chrono::milliseconds(static_cast<int64_t>(ms)); }

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

beast::tcp_stream MakeStream(tcp::socket socket, beast::tcp_stream*, HttpServer::Impl&) {
  return beast::tcp_stream(std::move(socket));
}
TlsStream MakeStream(tcp::socket socket, TlsStream*, HttpServer::Impl& server) {
  return TlsStream(std::move(socket), server.tls());
}

// One TCP connection: read a request, hand it to a worker, write the answer, repeat
// while the client keeps the connection alive. Every step runs on the
// connection's strand; the worker posts its answer back to it. `Stream` is a
// beast::tcp_stream, or a TlsStream over one whose handshake comes first.
template <class Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;

  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(MakeStream(std::move(socket), static_cast<Stream*>(nullptr), server)),
        server_(server),
        options_(server.options()) {
    // Beast reads at most the buffer's free capacity (512 bytes when empty): a
    // typical submission (about 1 KiB) would take two reads and two wake-ups.
    buffer_.reserve(kReadChunkBytes);
    server_.handler().counters().connections_open.fetch_add(1);
    beast::error_code endpoint_error;
    const tcp::endpoint remote = lowest().socket().remote_endpoint(endpoint_error);
    remote_address_ = endpoint_error ? "unknown" : remote.address().to_string();
    address_connections_ = server_.AddConnection(remote_address_);
  }
  ~Session() {
    server_.RemoveConnection(remote_address_);
    server_.handler().counters().connections_open.fetch_sub(1);
  }

  // Connections open from this one's address when it was accepted, itself included.
  size_t address_connections() const { return address_connections_; }

  void Start() {
    net::dispatch(stream_.get_executor(),
                  [self = shared_from_this()] { self->Handshake([self] { self->ReadHeader(); }); });
  }

  // For a connection over the limit: answer 503 and close.
  void Refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      self->Handshake([self] {
        self->Write(ApiHandler::ErrorResponse(503, kCodeTooManyConnections,
                                              "the server has max_connections open; retry shortly"));
      });
    });
  }

  // For a connection from an address that already has its share open: 503 and close.
  void RefuseForAddress() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      self->Handshake([self] {
        self->Write(ApiHandler::ErrorResponse(503, kCodeTooManyConnections,
                                              "address " + self->remote_address_ +
                                                  " already has connections_per_address_max (" +
                                                  std::to_string(self->options_.connections_per_address_max) +
                                                  ") connections open; close one or retry shortly"));
      });
    });
  }

 private:
  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  // TLS: the server's handshake, then `next`; plain: `next` at once. The
  // first-request deadline starts here and is not restarted for the headers.
  template <class Next>
  void Handshake(Next next) {
    if constexpr (kTls) {
      lowest().expires_after(Ms(options_.first_request_timeout_ms));
      first_deadline_set_ = true;
      stream_.async_handshake(
          ssl::stream_base::server, [self = shared_from_this(), next](beast::error_code error) {
            if (!error) return next();
            if (error == beast::error::timeout) {
              self->server_.handler().counters().first_request_timeouts_total.fetch_add(1);
            }
            self->Close();  // a failed handshake has nobody to answer
          });
    } else {
      next();
    }
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.header_bytes_max));
    parser_->body_limit(options_.body_bytes_max);
    // A connection that has not yet sent a request may be anyone holding a socket
    // open, so it gets the shorter deadline.
    if (!first_request_) {
      lowest().expires_after(Ms(options_.idle_timeout_ms));
    } else if (!first_deadline_set_) {
      lowest().expires_after(Ms(options_.first_request_timeout_ms));
    }
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, size_t) { self->OnHeader(error); });
  }

  void OnHeader(beast::error_code error) {
    if (error) {
      if (first_request_ && error == beast::error::timeout) {
        server_.handler().counters().first_request_timeouts_total.fetch_add(1);
      }
      return OnReadError(error);
    }
    first_request_ = false;
    // Charged before the body is read or anything is parsed or verified; the unread
    // body is why the connection cannot be kept.
    if (std::optional<HttpResponse> refused = server_.ChargeAddress(remote_address_)) {
      keep_alive_ = false;
      return Write(std::move(*refused));
    }
    const auto length = parser_->content_length();
    if (length && *length > options_.body_bytes_max) {
      return RefuseBody();
    }
    lowest().expires_after(Ms(options_.read_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code read_error, size_t) { self->OnBody(read_error); });
  }

  void RefuseBody() {
    keep_alive_ = false;
    Write(ApiHandler::ErrorResponse(413, kCodePayloadTooLarge,
                                    "request body is larger than " + std::to_string(options_.body_bytes_max) +
                                        " bytes"));
  }

  void OnReadError(beast::error_code error) {
    keep_alive_ = false;
    if (error == http::error::body_limit) return RefuseBody();
    if (error == http::error::header_limit) {
      return Write(ApiHandler::ErrorResponse(431, kCodeHeadersTooLarge,
                                             "request headers are larger than " +
                                                 std::to_string(options_.header_bytes_max) + " bytes"));
    }
    const bool is_http_error = error.category() == http::make_error_code(http::error::bad_target).category();
    if (is_http_error && error != http::error::end_of_stream && error != http::error::partial_message) {
      return Write(ApiHandler::ErrorResponse(400, kCodeMalformedRequest, "malformed HTTP request: " + error.message()));
    }
    Close();  // end of stream, timeout or a socket error: nobody to answer
  }

  void OnBody(beast::error_code error) {
    if (error) return OnReadError(error);
    http::request<http::string_body> message = parser_->release();
    keep_alive_ = message.keep_alive();
    auto request = std::make_shared<HttpRequest>();
    request->method = std::string(message.method_string());
    request->target = std::string(message.target());
    for (const auto& field : message) {
      std::string name(field.name_string());
      for (char& c : name) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      }
      auto [it, inserted] = request->headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += "," + std::string(field.value());
    }
    request->body = std::move(message.body());
    request->remote_address = remote_address_;
    // Hand the work to a worker; the answer comes back to this connection's strand.
    net::post(server_.handlers(), [self = shared_from_this(), request] {
      HttpResponse response = self->server_.handler().Handle(*request);
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->Write(std::move(response)); });
    });
  }

  void Write(HttpResponse response) {
    auto message = std::make_shared<http::response<http::string_body>>();
    message->version(11);
    message->result(static_cast<unsigned>(response.status));
    message->set(http::field::server, "shulian");
    message->set(http::field::content_type, response.content_type);
    for (const auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_);
    message->prepare_payload();
    lowest().expires_after(Ms(options_.write_timeout_ms));
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message](beast::error_code error, size_t) {
                        self->OnWrite(error);
                      });
  }

  void OnWrite(beast::error_code error) {
    if (error || !keep_alive_) return Close();
    ReadHeader();
  }

  // Stops sending, then reads and discards whatever the client still sends for a
  // short while, so that closing with unread bytes does not reset the connection
  // before the client has read our last answer. Under TLS the TCP connection is
  // closed without a close_notify: every answer carries its length, and waiting
  // for the client's close_notify would hold the connection for nothing.
  void Close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    lowest().async_read_some(net::buffer(drain_buffer_),
                             [self = shared_from_this()](beast::error_code error, size_t) {
                               if (!error) return self->Drain();
                               beast::error_code ignored;
                               self->lowest().socket().close(ignored);
                             });
  }

  static constexpr std::chrono::milliseconds kLingerTime{2000};
  std::array<char, 4096> drain_buffer_{};

  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
  const ServerOptions& options_;
  std::string remote_address_;  // "unknown" if the socket could not say
  size_t address_connections_ = 0;
  bool first_request_ = true;  // no request headers have arrived yet
  bool first_deadline_set_ = false;  // the TLS handshake started the first-request deadline
  bool keep_alive_ = true;
};

// Admits a new connection, or refuses it over the connection caps.
template <class Stream>
void Admit(tcp::socket socket, HttpServer::Impl& server) {
  const ServerOptions& options = server.options();
  ApiCounters& counters = server.handler().counters();
  auto session = std::make_shared<Session<Stream>>(std::move(socket), server);
  // The new session already counts itself.
  if (counters.connections_open.load() > options.max_connections) {
    counters.connections_refused_total.fetch_add(1);
    session->Refuse();
  } else if (session->address_connections() > options.connections_per_address_max) {
    counters.connections_refused_per_address_total.fetch_add(1);
    session->RefuseForAddress();
  } else {
    counters.connections_accepted_total.fetch_add(1);
    session->Start();
  }
}

// TLS 1.2 and later with forward-secret AEAD ciphers only (TLS 1.3's own suites
// are all of that kind); the server's order of preference wins.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

Status HttpServer::Impl::LoadTls() {
  const TlsOptions& tls = options_.tls;
  if (!tls.enabled()) return Status::Ok();
  tls_.emplace(ssl::context::tls_server);
  SSL_CTX* native = tls_->native_handle();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1) {
    return Status::Internal("server.tls: cannot restrict the TLS versions and ciphers");
  }
  tls_->set_options(ssl::context::default_workarounds | ssl::context::no_compression |
                    ssl::context::single_dh_use | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_RENEGOTIATION);
  beast::error_code error;
  if (tls_->use_certificate_chain_file(tls.certificate_chain_file, error); error) {
    return Status::InvalidArgument("server.tls.certificate_chain_file: cannot load '" +
                                   tls.certificate_chain_file + "': " + error.message());
  }
  if (tls_->use_private_key_file(tls.private_key_file, ssl::context::pem, error); error) {
    // OpenSSL checks the key against the certificate as it loads it.
    const bool mismatch = error.message().find("mismatch") != std::string::npos;
    return Status::InvalidArgument(
        "server.tls.private_key_file: cannot load '" + tls.private_key_file + "': " +
        (mismatch ? "it is not the key of the certificate in '" + tls.certificate_chain_file + "'"
                  : error.message()));
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Status::InvalidArgument("server.tls.private_key_file: '" + tls.private_key_file +
                                   "' is not the key of the certificate in '" + tls.certificate_chain_file +
                                   "'");
  }
  return Status::Ok();
}

Status HttpServer::Impl::Listen() {
  beast::error_code error;
  const net::ip::address address = net::ip::make_address(options_.listen_address, error);
  if (error) return Status::InvalidArgument("server.listen_address: '" + options_.listen_address + "' is not an IP address");
  const tcp::endpoint endpoint(address, options_.port);
  const std::string where = options_.listen_address + ":" + std::to_string(options_.port);
  if (acceptor_.open(endpoint.protocol(), error); error) return Status::IoError("open " + where + ": " + error.message());
  if (acceptor_.set_option(net::socket_base::reuse_address(true), error); error) {
    return Status::IoError("reuse_address on " + where + ": " + error.message());
  }
  if (acceptor_.bind(endpoint, error); error) return Status::IoError("bind " + where + ": " + error.message());
  if (acceptor_.listen(net::socket_base::max_listen_connections, error); error) {
    return Status::IoError("listen on " + where + ": " + error.message());
  }
  port_ = acceptor_.local_endpoint().port();
  return Status::Ok();
}

void HttpServer::Impl::Run() {
  Accept();
  threads_.reserve(options_.io_threads);
  for (size_t i = 0; i < options_.io_threads; ++i) {
    threads_.emplace_back([this] { ioc_.run(); });
  }
}

void HttpServer::Impl::Accept() {
  acceptor_.async_accept(net::make_strand(ioc_), [this](beast::error_code error, tcp::socket socket) {
    OnAccept(error, std::move(socket));
  });
}

void HttpServer::Impl::OnAccept(beast::error_code error, tcp::socket socket) {
  if (error == net::error::operation_aborted || !acceptor_.is_open()) return;
  if (!error) {
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);  // answers are small; send them now
    if (tls_) {
      Admit<TlsStream>(std::move(socket), *this);
    } else {
      Admit<beast::tcp_stream>(std::move(socket), *this);
    }
  }
  Accept();
}

size_t HttpServer::Impl::AddConnection(const std::string& address) {
  std::lock_guard<std::mutex> lock(addresses_mutex_);
  return ++connections_by_address_[address];
}

void HttpServer::Impl::RemoveConnection(const std::string& address) {
  std::lock_guard<std::mutex> lock(addresses_mutex_);
  auto it = connections_by_address_.find(address);
  if (it == connections_by_address_.end()) return;
  if (--it->second == 0) connections_by_address_.erase(it);
}

std::optional<HttpResponse> HttpServer::Impl::ChargeAddress(const std::string& address) {
  const std::string key = "address:" + address;
  const int64_t now_ms = handler_.NowMs();
  const Status status = address_limiter_.Acquire(key, 1, now_ms);
  if (status.ok()) return std::nullopt;
  handler_.counters().requests_refused_address_rate_total.fetch_add(1);
  HttpResponse response = ApiHandler::ErrorResponse(429, kCodeRateLimited, status.message());
  const int64_t wait_ms = std::max<int64_t>(1, address_limiter_.RetryAfterMs(key, 1, now_ms));
  response.headers.emplace_back("Retry-After", std::to_string((wait_ms + 999) / 1000));
  return response;
}

void HttpServer::Impl::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  net::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  handlers_.join();  // requests in progress finish; their answers are dropped below
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
}

Status ValidateServerOptions(const ServerOptions& options) {
  if (options.io_threads == 0 || options.io_threads > 256) return Status::InvalidArgument("server.io_threads: 1..256");
  if (options.handler_threads == 0 || options.handler_threads > 1024) {
    return Status::InvalidArgument("server.handler_threads: 1..1024");
  }
  if (options.max_connections == 0) return Status::InvalidArgument("server.max_connections: at least 1");
  if (options.body_bytes_max == 0) return Status::InvalidArgument("server.body_bytes_max: at least 1");
  if (options.header_bytes_max < 1024 || options.header_bytes_max > (uint64_t{1} << 31)) {
    return Status::InvalidArgument("server.header_bytes_max: between 1024 and 2^31");
  }
  if (options.connections_per_address_max == 0) {
    return Status::InvalidArgument("server.connections_per_address_max: at least 1");
  }
  if (options.first_request_timeout_ms == 0) {
    return Status::InvalidArgument("server.first_request_timeout_ms: at least 1");
  }
  if (options.idle_timeout_ms == 0) return Status::InvalidArgument("server.idle_timeout_ms: at least 1");
  if (options.read_timeout_ms == 0) return Status::InvalidArgument("server.read_timeout_ms: at least 1");
  if (options.write_timeout_ms == 0) return Status::InvalidArgument("server.write_timeout_ms: at least 1");
  const RateLimitOptions& address_rate = options.address_rate_limit;
  if (!(address_rate.rate_per_second >= 0)) {
    return Status::InvalidArgument("server.address_rate_limit.rate_per_second: >= 0");
  }
  if (address_rate.rate_per_second > 0 && !(address_rate.burst_max >= 1)) {
    return Status::InvalidArgument("server.address_rate_limit.burst_max: at least 1");
  }
  if (address_rate.keys_max == 0) {
    return Status::InvalidArgument("server.address_rate_limit.keys_max: at least 1");
  }
  if (options.tls.certificate_chain_file.empty() != options.tls.private_key_file.empty()) {
    return Status::InvalidArgument(
        "server.tls: give both certificate_chain_file and private_key_file for TLS, or neither for plain "
        "HTTP");
  }
  return ValidateApiOptions(options.api);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(NodeService& service, ServerOptions options) {
  RETURN_IF_ERROR(ValidateServerOptions(options));
  auto impl = std::make_unique<Impl>(service, std::move(options));
  RETURN_IF_ERROR(impl->LoadTls());
  RETURN_IF_ERROR(impl->Listen());
  impl->Run();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() { Stop(); }
void HttpServer::Stop() { impl_->Stop(); }
uint16_t HttpServer::port() const { return impl_->port(); }
const std::string& HttpServer::address() const { return impl_->options().listen_address; }
ApiHandler& HttpServer::handler() { return impl_->handler(); }

}  // namespace shulian::api
