#include "api/server.h"

#include <array>
#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "api/errors.h"

namespace shulian::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

class HttpServer::Impl {
 public:
  Impl(NodeService& service, ServerOptions options)
      : options_(std::move(options)),
        handler_(service, options_.api),
        handlers_(options_.handler_threads),
        ioc_(static_cast<int>(options_.io_threads)),
        acceptor_(net::make_strand(ioc_)) {}

  ~Impl() { Stop(); }

  Status Listen();
  void Run();
  void Stop();

  const ServerOptions& options() const { return options_; }
  ApiHandler& handler() { return handler_; }
  net::thread_pool& handlers() { return handlers_; }
  uint16_t port() const { return port_; }

 private:
  void Accept();
  void OnAccept(beast::error_code error, tcp::socket socket);

  const ServerOptions options_;
  ApiHandler handler_;          // before ioc_: sessions destroyed with ioc_ still count into it
  net::thread_pool handlers_;
  net::io_context ioc_;
  tcp::acceptor acceptor_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;
  std::mutex stop_mutex_;
  bool stopped_ = false;  // GUARDED_BY(stop_mutex_)
};

namespace {

constexpr size_t kReadChunkBytes = 8 * 1024;

std::chrono::milliseconds Ms(uint64_t ms) { return std::chrono::milliseconds(static_cast<int64_t>(ms)); }

// One TCP connection: read a request, hand it to a worker, write the answer, repeat
// while the client keeps the connection alive. Every step runs on the
// connection's strand; the worker posts its answer back to it.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, HttpServer::Impl& server)
      : stream_(std::move(socket)), server_(server), options_(server.options()) {
    // Beast reads at most the buffer's free capacity (512 bytes when empty): a
    // typical submission (about 1 KiB) would take two reads and two wake-ups.
    buffer_.reserve(kReadChunkBytes);
    server_.handler().counters().connections_open.fetch_add(1);
  }
  ~Session() { server_.handler().counters().connections_open.fetch_sub(1); }

  void Start() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->ReadHeader(); });
  }

  // For a connection over the limit: answer 503 and close.
  void Refuse() {
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->keep_alive_ = false;
      self->Write(ApiHandler::ErrorResponse(503, kCodeTooManyConnections,
                                            "the server has max_connections open; retry shortly"));
    });
  }

 private:
  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(options_.header_bytes_max));
    parser_->body_limit(options_.body_bytes_max);
    stream_.expires_after(Ms(options_.idle_timeout_ms));
    http::async_read_header(stream_, buffer_, *parser_,
                            [self = shared_from_this()](beast::error_code error, size_t) { self->OnHeader(error); });
  }

  void OnHeader(beast::error_code error) {
    if (error) return OnReadError(error);
    const auto length = parser_->content_length();
    if (length && *length > options_.body_bytes_max) {
      return RefuseBody();
    }
    stream_.expires_after(Ms(options_.read_timeout_ms));
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
    beast::error_code endpoint_error;
    const tcp::endpoint remote = stream_.socket().remote_endpoint(endpoint_error);
    request->remote_address = endpoint_error ? "unknown" : remote.address().to_string();
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
    stream_.expires_after(Ms(options_.write_timeout_ms));
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
  // before the client has read our last answer.
  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(kLingerTime);
    Drain();
  }

  void Drain() {
    stream_.async_read_some(net::buffer(drain_buffer_), [self = shared_from_this()](beast::error_code error, size_t) {
      if (!error) return self->Drain();
      beast::error_code ignored;
      self->stream_.socket().close(ignored);
    });
  }

  static constexpr std::chrono::milliseconds kLingerTime{2000};
  std::array<char, 4096> drain_buffer_{};

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  HttpServer::Impl& server_;
  const ServerOptions& options_;
  bool keep_alive_ = true;
};

}  // namespace

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
    ApiCounters& counters = handler_.counters();
    auto session = std::make_shared<Session>(std::move(socket), *this);
    // The new session already counts itself.
    if (counters.connections_open.load() > options_.max_connections) {
      counters.connections_refused_total.fetch_add(1);
      session->Refuse();
    } else {
      counters.connections_accepted_total.fetch_add(1);
      session->Start();
    }
  }
  Accept();
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
  if (options.idle_timeout_ms == 0) return Status::InvalidArgument("server.idle_timeout_ms: at least 1");
  if (options.read_timeout_ms == 0) return Status::InvalidArgument("server.read_timeout_ms: at least 1");
  if (options.write_timeout_ms == 0) return Status::InvalidArgument("server.write_timeout_ms: at least 1");
  return ValidateApiOptions(options.api);
}

Result<std::unique_ptr<HttpServer>> HttpServer::Start(NodeService& service, ServerOptions options) {
  RETURN_IF_ERROR(ValidateServerOptions(options));
  auto impl = std::make_unique<Impl>(service, std::move(options));
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
