// The handler behind the web listener (:8080): routes registered on the
// Router, throttling per route and client, static files with SPA fallback,
// and the built-in endpoints:
//   GET /healthz  liveness: 200 {"status":"ok"} while the process serves
//   GET /readyz   200 once every component reported ready, else 503 + list
//   GET /metrics  Prometheus text (MetricsRegistry::Default())
//   GET /         a small "what is running" page when there is no static dir
// Errors under /api/ are problem JSON (404, 405 with Allow, 429 with Retry-After).
//
// Thread safety: construct and AddBuiltinRoutes() before serving; Handle()
// from any thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "gateway/http.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "gateway/static_files.h"
#include "gateway/token_bucket.h"

namespace gateway {

struct WebAppOptions {
  std::string static_dir;  // may be missing
  // When set, static files come from here (the site bucket) instead.
  std::shared_ptr<StaticStore> static_store;
  bool spa_fallback = true;
  std::string version;
  // Fills the names of components not ready yet; true when all are.
  std::function<bool(std::vector<std::string>*)> ready;
  // Runs before the throttler and the handler of every matched /api/ route
  // (CSRF, JSON-only bodies, API keys: server/services.cc); a response
  // answers instead. It may set request.principal_id (an API key's id), which
  // then replaces the client address as the throttler's key.
  std::function<std::optional<Response>(Request&)> api_guard;
};

class WebApp {
 public:
  WebApp(WebAppOptions options, Router* router, Throttler* throttler,
         MetricsRegistry* metrics = &MetricsRegistry::Default());

  common::Status AddBuiltinRoutes();
  void Handle(Request& request, Respond respond);
  Handler AsHandler() {
    return [this](Request& request, Respond respond) { Handle(request, std::move(respond)); };
  }
  const StaticFiles& static_files() const { return static_files_; }

 private:
  void NotFound(Request& request, Respond& respond);

  WebAppOptions options_;
  Router* router_;
  Throttler* throttler_;
  MetricsRegistry* metrics_;
  StaticFiles static_files_;
};

// "Not Found" for 404, ... ("Error" when unknown).
std::string_view ReasonPhrase(int status);

}  // namespace gateway
