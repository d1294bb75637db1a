// HttpServer: the HTTP API on Boost.Beast. It owns the sockets and threads; what
// a request means is ApiHandler's business (api/handler.h).
//
// Threads: `io_threads` run one io_context (accepting, reading, writing; each
// connection on its own strand); requests are handed to `handler_threads` workers,
// so a slow service call (a linearizable read, a wait for commit) never stalls the
// sockets. HTTP/1.1 keep-alive; one request at a time per connection (no
// pipelining), so the requests in flight are at most max_connections.
//
// Limits: a connection over max_connections, or from an address that already has
// connections_per_address_max open, gets 503 and is closed; a body over
// body_bytes_max gets 413 (refused from Content-Length before the body is read
// when possible); headers over header_bytes_max get 431; a target over
// ApiOptions::target_bytes_max gets 414; a new connection whose first request's
// headers do not arrive within first_request_timeout_ms, a later request's within
// idle_timeout_ms, or a body within read_timeout_ms, is closed; a response not
// written within write_timeout_ms is dropped with its connection.
//
// Unauthenticated load: every request's headers are charged to its remote address
// (address_rate_limit, one token each) as soon as they arrive, before the body is
// read or any signature checked; a short bucket gets 429 with Retry-After and the
// connection is closed with the body unread. The handler's own per-account and
// per-address limits (ApiOptions::rate_limit) apply after that, as before.
// No address is exempt: followers forward submissions over the peer session
// (node/forward.h), not through this port.
//
// TLS: with `tls` set, every connection is TLS (1.2 or later, forward-secret
// AEAD ciphers only) with the given certificate chain and key; a client speaking
// plain HTTP to it gets no answer. The handshake is part of a new connection's
// first request, so first_request_timeout_ms bounds handshake and headers
// together, and the connection caps count a connection from its accept.
//
// Ownership: borrows the NodeService, which must outlive the server. Start returns
// a running server; Stop (or the destructor) closes the listener and every
// connection and joins all threads. Thread-safety: Stop and the accessors may be
// called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "api/handler.h"
#include "api/service.h"
#include "common/status.h"

namespace shulian::api {

// Both paths or neither (plain HTTP).
struct TlsOptions {
  std::string certificate_chain_file;  // PEM: the server's certificate first, then intermediates
  std::string private_key_file;        // PEM, unencrypted
  bool enabled() const { return !certificate_chain_file.empty() || !private_key_file.empty(); }
};

struct ServerOptions {
  std::string listen_address = "127.0.0.1";
  uint16_t port = 8080;  // 0 picks a free port (see HttpServer::port())
  size_t io_threads = 2;
  size_t handler_threads = 8;
  size_t max_connections = 1024;
  size_t body_bytes_max = 4 * 1024 * 1024;
  size_t header_bytes_max = 16 * 1024;
  size_t connections_per_address_max = 64;    // open at once from one remote address
  uint64_t first_request_timeout_ms = 5'000;  // a new connection's first request headers
  uint64_t idle_timeout_ms = 60'000;          // waiting for the next request's headers
  uint64_t read_timeout_ms = 30'000;   // reading a request body
  uint64_t write_timeout_ms = 30'000;  // writing a response
  // Requests per second and burst per remote address, charged on the headers; a
  // rate of 0 turns it off.
  RateLimitOptions address_rate_limit{1'000, 2'000, 65'536};
  TlsOptions tls;                                  // empty: plain HTTP
  ApiOptions api;
};

// InvalidArgument naming the field ("server.max_connections: ...").
Status ValidateServerOptions(const ServerOptions& options);

class HttpServer {
 public:
  // Binds, listens and starts the threads. Fails on bad options, a TLS
  // certificate or key that cannot be loaded (naming the file), or when the
  // address cannot be bound.
  static Result<std::unique_ptr<HttpServer>> Start(NodeService& service, ServerOptions options);

  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;
  ~HttpServer();

  // Idempotent.
  void Stop();

  uint16_t port() const;
  const std::string& address() const;
  ApiHandler& handler();

  // The route table served (for the OpenAPI check and documentation).
  static const std::vector<RouteInfo>& Routes() { return ApiHandler::Routes(); }

  class Impl;

 private:
  explicit HttpServer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace shulian::api
