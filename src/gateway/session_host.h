// Internal to the gateway: what a protocol session on an accepted connection
// needs from the server that accepted it (Server::Impl implements it). Lets
// the HTTP/2 session live in its own files, apart from the Beast code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "gateway/server.h"

namespace gateway {

// Sessions register per context so Shutdown can reach idle ones.
class SessionBase {
 public:
  virtual ~SessionBase() = default;
  virtual void OnDrain() = 0;
  virtual void OnTick(int64_t now_ms) {}
};

// Guards posts from late Respond calls against a destroyed io_context.
struct Liveness {
  std::mutex mu;
  bool alive = true;
};

class SessionHost {
 public:
  virtual ~SessionHost() = default;
  virtual const ServerOptions& options() const = 0;
  virtual void Register(size_t ctx, SessionBase* s) = 0;
  virtual void Unregister(size_t ctx, SessionBase* s) = 0;
  // Updated by each context's ticker; read on that context's thread only.
  virtual int64_t coarse_now_ms(size_t ctx) const = 0;
  virtual bool draining() const = 0;
  virtual const std::shared_ptr<Liveness>& liveness() const = 0;
  // Open-connection gauge.
  virtual void ConnectionOpened() = 0;
  virtual void ConnectionClosed() = 0;
  // A request reached its handler / got its answer (drain waits for these).
  virtual void RequestStarted() = 0;
  virtual void RequestAnswered() = 0;
  // Metrics and the access log line for one answered request.
  virtual void RequestDone(const ListenerOptions& listener, const Request& request, int status, size_t bytes,
                           double seconds, std::string_view remote) = 0;
  virtual void Rejected(int status) = 0;
  // The client's X-Request-Id when usable, else a fresh one.
  virtual std::string RequestIdFor(std::string_view incoming) const = 0;
  // The Access-Control-Allow-Origin value for this Origin, "" for none.
  virtual std::string CorsOriginFor(const CorsOptions& cors, std::string_view origin) const = 0;
};

}  // namespace gateway
