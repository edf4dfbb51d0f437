// OrdersApp: the order system assembled from interfaces. services.cc builds
// the engines and calls Start(); everything inside orders/ sees only
// TableClient, StreamClient, FunctionRuntime, a Router and a Publisher.
//
// Start registers the /api/ routes and the order-processor function. The rest
// (tables and streams when missing, the demo catalog (orders.seed_demo), the
// first admin, the processor's mapping on `orders`, then the `on_ready`
// hooks) happens at once when the shop's tables already exist, else at the
// first /api/ request: a Rivulet used only as a Kinesis/DynamoDB/S3 endpoint
// never gets streams or tables it did not ask for.
// Lifecycle: destroy after the listeners stopped; it deletes its mapping first
// so that the processor is no longer invoked.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "functions/runtime.h"
#include "gateway/router.h"
#include "orders/api.h"
#include "orders/auth.h"
#include "orders/notifier.h"
#include "orders/outcome_waiters.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace orders {

struct AppOptions {
  int shards = 2;                 // orders.shards: shards of `orders` and `activity` when created
  bool seed_demo = true;          // orders.seed_demo
  std::string admin_email;        // orders.admin_email / RIVULET_ADMIN_EMAIL
  std::string admin_password;     // orders.admin_password / RIVULET_ADMIN_PASSWORD
  int batch_size = 100;           // order-processor's mapping
  // orders.parallelization: the order-processor's concurrent batches per
  // shard (1..10; one order's events stay in one lane, in order). Lanes
  // overlap the batches' fsync waits but make smaller batches: on this
  // 2-core machine 3 lanes cost ~5 % more CPU per order and raised p50
  // accept -> confirmed at 2,500-3,000 orders/s, so one is the default.
  int parallelization = 1;
  SessionAuthOptions auth;
  ApiOptions api;
  // When set, the notifier function emails customers through it.
  notify::NotifyService* notify = nullptr;
  NotifierOptions notifier;
  // The order-processor's own clients (its execution role's checked ones,
  // src/roles); null: the shared `tables` and `streams`.
  table::TableClient* processor_tables = nullptr;
  stream::StreamClient* processor_streams = nullptr;
  // Run once the streams exist (analytics adds its mappings here).
  std::vector<std::function<common::Status()>> on_ready;
};

class OrdersApp {
 public:
  static common::Result<std::unique_ptr<OrdersApp>> Start(table::TableClient* tables, stream::StreamClient* streams,
                                                          functions::FunctionRuntime* runtime,
                                                          gateway::Router* router, Publisher publish,
                                                          common::Clock* clock, AppOptions options);
  ~OrdersApp();

  OrdersApi& api() { return *api_; }
  SessionAuth& auth() { return *auth_; }
  // Creates tables, streams, seed, admin and mappings once; cheap afterwards.
  common::Status EnsureInitialized();

 private:
  OrdersApp() = default;
  common::Status Initialize();

  table::TableClient* tables_ = nullptr;
  stream::StreamClient* streams_ = nullptr;
  AppOptions options_;
  std::atomic<bool> initialized_{false};
  std::mutex init_mu_;  // serialises Initialize

  functions::FunctionRuntime* runtime_ = nullptr;
  std::string mapping_id_;
  std::string notifier_mapping_id_;
  std::shared_ptr<OutcomeWaiters> waiters_;
  std::unique_ptr<SessionAuth> auth_;
  std::unique_ptr<OrdersApi> api_;
};

}  // namespace orders
