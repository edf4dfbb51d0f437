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
  std::unique_ptr<OrdersApp> app(new OrdersApp());
  app->tables_ = tables;
  app->streams_ = streams;
  app->runtime_ = runtime;
  app->options_ = options;
  app->waiters_ = std::make_shared<OutcomeWaiters>();
  app->auth_ = std::make_unique<SessionAuth>(tables, clock, options.auth);
  app->api_ = std::make_unique<OrdersApi>(tables, streams, app->auth_.get(), clock, publish, app->waiters_.get(),
                                          options.api);
  OrdersApp* raw = app.get();
  app->api_->SetBeforeEach([raw] { return raw->EnsureInitialized(); });
  RETURN_IF_ERROR(app->api_->Register(router));
  auto processor = std::make_shared<OrderProcessor>(options.processor_tables ? options.processor_tables : tables,
                                                    options.processor_streams ? options.processor_streams : streams,
                                                    clock, publish, app->waiters_);
  RETURN_IF_ERROR(runtime->RegisterFunction(OrderProcessor::kName, processor));
  if (options.notify != nullptr) {
    RETURN_IF_ERROR(runtime->RegisterFunction(Notifier::kName,
                                              std::make_shared<Notifier>(options.notify, options.notifier)));
  }

  // A shop that ran before resumes at once: accepted orders must be processed
  // after a restart without waiting for someone to open the shop.
  if (tables->DescribeTable(kOrdersTable).ok()) RETURN_IF_ERROR(app->EnsureInitialized());
  return app;
}

common::Status OrdersApp::EnsureInitialized() {
  if (initialized_.load(std::memory_order_acquire)) return common::Status::OK();
  std::lock_guard lock(init_mu_);
  if (initialized_.load(std::memory_order_relaxed)) return common::Status::OK();
  RETURN_IF_ERROR(Initialize());
  initialized_.store(true, std::memory_order_release);
  return common::Status::OK();
}

common::Status OrdersApp::Initialize() {
  RETURN_IF_ERROR(EnsureTables(tables_));
  RETURN_IF_ERROR(EnsureStreams(streams_, options_.shards));
  if (options_.seed_demo) RETURN_IF_ERROR(SeedDemoCatalog(tables_));

  std::string generated;
  RETURN_IF_ERROR(auth_->EnsureAdmin(options_.admin_email, options_.admin_password, &generated));
  if (!generated.empty()) {
    // Printed once: the next start finds the admin and prints nothing.
    std::string email = options_.admin_email.empty() ? "admin@rivulet.local" : options_.admin_email;
    std::printf("Created the first admin: %s with password %s (set RIVULET_ADMIN_EMAIL and "
                "RIVULET_ADMIN_PASSWORD to choose them)\n", email.c_str(), generated.c_str());
    std::fflush(stdout);
    spdlog::warn("created the first admin {} with a generated password (printed on stdout)", email);
  }

  functions::EventSourceMappingConfig mapping;
  // A stable id: the runtime keeps checkpoints (and LATEST's pinned start)
  // under it, so a restart resumes where the last run stopped.
  mapping.id = "order-processor-orders";
  mapping.function_name = OrderProcessor::kName;
  mapping.stream_name = kOrdersStream;
  mapping.batch_size = options_.batch_size;
  mapping.maximum_batching_window_ms = 0;
  mapping.parallelization_factor = options_.parallelization;
  mapping.starting_position = functions::StartingPosition::kTrimHorizon;
  auto created = runtime_->CreateMapping(mapping);
  if (!created.ok() && created.status().code() != common::Status::Code::kAlreadyExists) return created.status();
  mapping_id_ = mapping.id;
  if (options_.notify != nullptr) {
    functions::EventSourceMappingConfig notifier = mapping;
    notifier.id = "notifier-orders";
    notifier.function_name = Notifier::kName;
    // Emails may wait 100 ms: their outbox entries are then written in a few
    // large transactions instead of one (and one fsync) per stream commit.
    notifier.maximum_batching_window_ms = 100;
    // The processor's lanes were measured for it alone; emails keep one.
    notifier.parallelization_factor = 1;
    auto made = runtime_->CreateMapping(notifier);
    if (!made.ok() && made.status().code() != common::Status::Code::kAlreadyExists) return made.status();
    notifier_mapping_id_ = notifier.id;
  }
  for (auto& hook : options_.on_ready) RETURN_IF_ERROR(hook());
  return common::Status::OK();
}

OrdersApp::~OrdersApp() {
  if (runtime_ != nullptr && !mapping_id_.empty()) (void)runtime_->DeleteMapping(mapping_id_);
  if (runtime_ != nullptr && !notifier_mapping_id_.empty()) (void)runtime_->DeleteMapping(notifier_mapping_id_);
}

}  // namespace orders
