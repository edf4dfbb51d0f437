#include "orders/orders_app.h"

#include <cstdio>

#include <spdlog/spdlog.h>

#include "orders/catalog.h"
#include "orders/order_processor.h"
#include "orders/schema.h"

namespace orders {

common::Result<std::unique_ptr<OrdersApp>> OrdersApp::Start(table::TableClient* tables, stream::StreamClient* streams,
                                                             functions::FunctionRuntime* runtime,
                                                             gateway::Router* router, Publisher publish,
                                                             common::Clock* clock, AppOptions options) {
  if (options.shards < 1 || options.shards > 64) {
    return common::Status::InvalidArgument("orders.shards is " + std::to_string(options.shards) + "; it must be 1..64");
  }
  RETURN_IF_ERROR(EnsureTables(tables));
  RETURN_IF_ERROR(EnsureStreams(streams, options.shards));
  if (options.seed_demo) RETURN_IF_ERROR(SeedDemoCatalog(tables));

  std::unique_ptr<OrdersApp> app(new OrdersApp());
  app->runtime_ = runtime;
  app->waiters_ = std::make_shared<OutcomeWaiters>();
  app->auth_ = std::make_unique<SessionAuth>(tables, clock, options.auth);

  std::string generated;
  RETURN_IF_ERROR(app->auth_->EnsureAdmin(options.admin_email, options.admin_password, &generated));
  if (!generated.empty()) {
    // Printed once: the next start finds the admin and prints nothing.
    std::string email = options.admin_email.empty() ? "admin@rivulet.local" : options.admin_email;
    std::printf("Created the first admin: %s with password %s (set RIVULET_ADMIN_EMAIL and "
                "RIVULET_ADMIN_PASSWORD to choose them)\n", email.c_str(), generated.c_str());
    std::fflush(stdout);
    spdlog::warn("created the first admin {} with a generated password (printed on stdout)", email);
  }

  app->api_ = std::make_unique<OrdersApi>(tables, streams, app->auth_.get(), clock, publish, app->waiters_.get(),
                                          options.api);
  RETURN_IF_ERROR(app->api_->Register(router));

  auto processor = std::make_shared<OrderProcessor>(tables, streams, clock, publish, app->waiters_);
  RETURN_IF_ERROR(runtime->RegisterFunction(OrderProcessor::kName, processor));
  functions::EventSourceMappingConfig mapping;
  // A stable id: the runtime keeps checkpoints (and LATEST's pinned start)
  // under it, so a restart resumes where the last run stopped.
  mapping.id = "order-processor-orders";
  mapping.function_name = OrderProcessor::kName;
  mapping.stream_name = kOrdersStream;
  mapping.batch_size = options.batch_size;
  mapping.maximum_batching_window_ms = 0;
  mapping.starting_position = functions::StartingPosition::kTrimHorizon;
  ASSIGN_OR_RETURN(app->mapping_id_, runtime->CreateMapping(mapping));
  return app;
}

OrdersApp::~OrdersApp() {
  if (runtime_ != nullptr && !mapping_id_.empty()) (void)runtime_->DeleteMapping(mapping_id_);
}

}  // namespace orders
