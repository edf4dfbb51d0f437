// The HTTP/1.1 + WebSocket server (Boost.Beast): N threads, each with its own
// io_context and its own SO_REUSEPORT acceptor per listener, so a connection
// stays on the thread that accepted it and no strands are needed.
//
// Per connection: keep-alive; header/body size limits (431/413 then close);
// a read deadline for each request (slowloris clients are cut off) and an
// idle deadline between requests; a request id on every response; CORS;
// one access log line per request; Prometheus metrics by listener, route and
// status. Handlers may answer later from any thread: the write is posted back
// to the connection's io_context. GET /ws upgrades to a WebSocket whose frames
// go to the Hub (listeners with a hub only).
//
// TLS (optional, per listener: ListenerOptions::tls_cert_file/tls_key_file):
// OpenSSL via Asio on the same io_context. The handshake must finish within
// ServerOptions::tls_handshake_timeout_ms; ALPN picks h2, else http/1.1, and
// the connection then runs the same HTTP/2 or HTTP/1.1 + WebSocket session as
// a plain one (Request::tls is set). A client speaking plain HTTP to a TLS
// port gets a plain 400 and the connection is closed.
//
// Lifecycle: AddListener() (binds, so port() is known) -> Start() -> Shutdown()
// (stops accepting, lets in-flight requests finish within the drain timeout,
// closes idle and WebSocket connections, joins the threads).
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "gateway/client_address.h"
#include "gateway/http.h"
#include "gateway/metrics.h"
#include "gateway/ws_hub.h"

namespace gateway {

struct CorsOptions {
  // "*" or a comma-separated list of origins; empty disables CORS.
  std::string allowed_origins;
  std::string allowed_headers = "Content-Type, Authorization, X-Api-Key, X-Request-Id, X-Amz-Target, X-Amz-Date, X-Amz-Security-Token, X-Amz-Content-Sha256";
  std::string allowed_methods = "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS";
};

struct ListenerOptions {
  std::string name;  // "http", "aws": metrics label and log prefix
  std::string address = "127.0.0.1";
  uint16_t port = 0;  // 0 picks a free port
  Handler handler;
  CorsOptions cors;
  Hub* hub = nullptr;  // when set, GET /ws upgrades to a WebSocket on this hub
  // Body size limit on this listener; 0 = ServerOptions::max_body_bytes. The
  // AWS endpoint needs more than /api/ (S3 parts of 8 MiB and more).
  size_t max_body_bytes = 0;
  // Requests for which this returns true (it sees the method, target, path,
  // query and headers; no body) reach the handler as soon as their headers
  // are read, with Request::body_stream instead of Request::body, and may
  // carry up to max_streamed_body_bytes. The read timeout then applies to
  // each chunk instead of the whole request.
  std::function<bool(const Request& head)> stream_body;
  uint64_t max_streamed_body_bytes = 0;
  // Shapes errors the gateway itself answers (400 malformed, 413, 431, 500)
  // in the listener's protocol. Default: problem JSON.
  std::function<Response(int status, std::string_view title, std::string_view detail,
                         std::string_view request_id)>
      error_response = Response::Problem;
  // PEM files; both set = this listener speaks TLS only. AddListener fails
  // (InvalidArgument) when a file is unreadable or the key does not match.
  std::string tls_cert_file;  // the certificate, then any intermediates
  std::string tls_key_file;
  // Proxies whose X-Forwarded-For names the client (see client_address.h);
  // empty: the socket's peer is the client.
  AddressSet trusted_proxies;
};

struct ServerOptions {
  int threads = 0;  // 0: hardware threads
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
  int read_timeout_ms = 10'000;   // whole request, headers and body
  int idle_timeout_ms = 60'000;   // between keep-alive requests
  int drain_timeout_ms = 15'000;  // Shutdown() waits this long for in-flight requests
  int tls_handshake_timeout_ms = 10'000;  // TLS listeners: from accept to a finished handshake
  bool access_log = false;        // info-level access log; otherwise debug level
  size_t ws_max_queue_messages = 1024;
  size_t ws_max_queue_bytes = 4 * 1024 * 1024;
  size_t ws_max_frame_bytes = 64 * 1024;
  int ws_idle_timeout_ms = 60'000;  // a ping is sent at half of it
};

class Server {
 public:
  explicit Server(ServerOptions options, MetricsRegistry* metrics = &MetricsRegistry::Default());
  ~Server();  // Shutdown() if still running
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds the listener's acceptors. IOError when the address is unusable,
  // InvalidArgument when its TLS certificate or key cannot be used.
  common::Status AddListener(ListenerOptions options);
  // The bound port of the listener named `name`, 0 when unknown.
  uint16_t port(const std::string& name) const;

  common::Status Start();
  // Idempotent; blocks until the threads have exited.
  void Shutdown();

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace gateway
