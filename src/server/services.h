// The composition root: everything the binary serves is constructed and wired
// in services.cc. A component adds its engine and handlers there in a few
// lines (see the comments in BuildServices); main.cc only runs the result.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gateway/aws_dispatcher.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "gateway/static_files.h"
#include "gateway/token_bucket.h"
#include "gateway/ws_hub.h"
#include "server/config.h"

namespace server {

// What the listeners serve and the engines behind them. Built once before the
// listeners start; routes and AWS services are registered during
// BuildServices only. Owned objects live until after the listeners stopped and
// are destroyed in reverse order of Own().
class ServiceRegistry {
 public:
  explicit ServiceRegistry(std::string data_dir, common::Clock* clock = common::SystemClock::Default());
  ~ServiceRegistry();

  const std::string& data_dir() const { return data_dir_; }
  common::Clock* clock() const { return clock_; }

  gateway::Router& web() { return web_; }            // :8080 routes (/api/...)
  gateway::AwsDispatcher& aws() { return aws_; }     // :4566, by X-Amz-Target
  gateway::Hub& hub() { return hub_; }               // /ws topics
  gateway::Throttler& throttler() { return throttler_; }
  gateway::MetricsRegistry& metrics() { return gateway::MetricsRegistry::Default(); }

  // Keeps an engine alive until shutdown; returns the raw pointer for wiring.
  template <typename T>
  T* Own(std::unique_ptr<T> object) {
    T* raw = object.get();
    owned_.push_back(std::shared_ptr<void>(std::move(object)));
    return raw;
  }
  // Runs after the listeners stopped, before owned objects are destroyed
  // (flush, close files). Hooks run in reverse order of registration.
  void OnShutdown(std::function<void()> hook) { shutdown_hooks_.push_back(std::move(hook)); }
  void RunShutdownHooks();

  // Where the web listener's static files come from when not the folder
  // (the site bucket); null: the folder.
  void SetStaticStore(std::shared_ptr<gateway::StaticStore> store) { static_store_ = std::move(store); }
  std::shared_ptr<gateway::StaticStore> static_store() const { return static_store_; }

  // Runs before every matched /api/ route (gateway::WebAppOptions::api_guard).
  using ApiGuard = std::function<std::optional<gateway::Response>(gateway::Request&)>;
  void SetApiGuard(ApiGuard guard) { api_guard_ = std::move(guard); }
  const ApiGuard& api_guard() const { return api_guard_; }

  // /readyz is 200 once every component that registered is ready.
  void SetReady(const std::string& component, bool ready);
  // True when all are ready; otherwise `not_ready` lists the others.
  bool Ready(std::vector<std::string>* not_ready) const;

 private:
  std::string data_dir_;
  common::Clock* clock_;
  gateway::Router web_;
  gateway::AwsDispatcher aws_;
  gateway::Hub hub_;
  gateway::Throttler throttler_;
  std::vector<std::shared_ptr<void>> owned_;
  std::shared_ptr<gateway::StaticStore> static_store_;
  ApiGuard api_guard_;
  std::vector<std::function<void()>> shutdown_hooks_;
  mutable std::mutex ready_mu_;
  std::map<std::string, bool> ready_;  // guarded by ready_mu_
};

// What a node does (`--role`, server.role): kAll serves and processes; kApi
// serves the web, /api/ and the AWS endpoint without running functions;
// kWorker runs the functions without serving.
enum class NodeRole { kAll, kApi, kWorker };
// "all", "api" or "worker"; InvalidArgument otherwise.
common::Result<NodeRole> ParseRole(std::string_view text);
// The built web UI: gateway.static_dir, else <exe dir>/../web/dist (the
// repository's web/dist for build/rivulet), else ./web/dist.
std::string StaticDir(const Config& config);

// Constructs the engines named by `config` and registers their handlers.
// Failures (a data directory that cannot be opened, say) stop startup.
common::Status BuildServices(const Config& config, ServiceRegistry* registry);

}  // namespace server
