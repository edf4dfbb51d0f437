// The one place where engines are built and handlers registered. To plug in
// a component, add a block to BuildServices:
//
//   ASSIGN_OR_RETURN(auto engine, stream::OpenEngine(registry->data_dir() + "/streams", ...));
//   auto* streams = registry->Own(std::move(engine));
//   RETURN_IF_ERROR(registry->aws().Register("Kinesis_20131202", aws::kinesis::MakeHandler(streams)));
//   RETURN_IF_ERROR(registry->web().Add("POST", "/api/orders", orders::MakePostHandler(...)));
//   registry->SetReady("stream", true);
//
// and the library to src/server/CMakeLists.txt.
#include "server/services.h"

#include "gateway/debug_routes.h"

namespace server {

ServiceRegistry::ServiceRegistry(std::string data_dir, common::Clock* clock)
    : data_dir_(std::move(data_dir)), clock_(clock), throttler_(clock) {}

ServiceRegistry::~ServiceRegistry() {
  RunShutdownHooks();
  while (!owned_.empty()) owned_.pop_back();  // reverse order of Own()
}

void ServiceRegistry::RunShutdownHooks() {
  while (!shutdown_hooks_.empty()) {
    auto hook = std::move(shutdown_hooks_.back());
    shutdown_hooks_.pop_back();
    hook();
  }
}

void ServiceRegistry::SetReady(const std::string& component, bool ready) {
  std::lock_guard lock(ready_mu_);
  ready_[component] = ready;
}

bool ServiceRegistry::Ready(std::vector<std::string>* not_ready) const {
  std::lock_guard lock(ready_mu_);
  bool all = true;
  for (const auto& [name, ready] : ready_) {
    if (ready) continue;
    all = false;
    if (not_ready != nullptr) not_ready->push_back(name);
  }
  return all;
}

common::Status BuildServices(const Config& config, ServiceRegistry* registry) {
  // --- gateway test hooks (off by default) ---
  if (config.GetBool("gateway.debug_endpoints", false)) {
    RETURN_IF_ERROR(gateway::AddDebugRoutes(&registry->web(), &registry->hub(), &registry->throttler()));
  }

  // --- stream (Kinesis) ---
  // --- table (DynamoDB) ---
  // --- objects (S3): registry->aws().SetRestFallback(...) ---
  // --- functions, notify, orders, analytics ---
  return common::Status::OK();
}

}  // namespace server
