#include "analytics/analytics_function.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/thread_name.h"
#include "orders/model.h"
#include "orders/schema.h"

namespace analytics {

functions::InvocationResult AnalyticsFunction::Invoke(const functions::Batch& batch,
                                                      const functions::InvocationContext& context) {
  bool activity = batch.stream_name == orders::kActivityStream;
  for (const auto& record : batch.records) {
    if (activity) {
      auto j = nlohmann::json::parse(record.data, nullptr, /*allow_exceptions=*/false);
      if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) continue;
      int64_t at = j.contains("at") && j["at"].is_number_integer() ? j["at"].get<int64_t>() : record.arrival_millis;
      std::string user = j.contains("userId") && j["userId"].is_string() ? j["userId"].get<std::string>() : "";
      windows_->AddActivity(j["type"].get<std::string>(), user, at);
      continue;
    }
    auto event = orders::DecodeEvent(record.data);
    if (!event.ok()) continue;  // foreign records on the stream are not ours to count
    // OrderPlaced is counted when accepted: its `at` is the API's accept time.
    windows_->AddOrderEvent(*event);
  }
  return functions::InvocationResult::Success();
}

common::Result<std::unique_ptr<Analytics>> Analytics::Start(functions::FunctionRuntime* runtime,
                                                            orders::Publisher publish, common::Clock* clock,
                                                            int publish_interval_ms) {
  std::unique_ptr<Analytics> a(new Analytics());
  a->runtime_ = runtime;
  a->publish_ = std::move(publish);
  a->clock_ = clock;
  a->interval_ms_ = publish_interval_ms;
  a->windows_ = std::make_shared<Windows>();
  RETURN_IF_ERROR(runtime->RegisterFunction(kFunctionName, std::make_shared<AnalyticsFunction>(a->windows_)));
  Analytics* raw = a.get();
  a->publisher_ = std::thread([raw] {
    common::NameThisThread("analytics-pub");
    raw->PublishLoop();
  });
  return a;
}

common::Status Analytics::StartMappings() {
  std::lock_guard lock(mu_);
  if (!mapping_ids_.empty()) return common::Status::OK();
  // Each start rebuilds the in-memory windows from the last 24 h, so the
  // mappings keep no checkpoints.
  for (const char* stream : {orders::kOrdersStream, orders::kActivityStream}) {
    functions::EventSourceMappingConfig m;
    m.id = std::string("analytics-") + stream;
    m.persist_checkpoints = false;
    m.function_name = kFunctionName;
    m.stream_name = stream;
    m.batch_size = 1000;
    // Gathering for 100 ms turns one invocation per stream commit into a few
    // per second at any rate; the dashboard refreshes once a second.
    m.maximum_batching_window_ms = 100;
    m.starting_position = functions::StartingPosition::kAtTimestamp;
    m.starting_position_timestamp_millis = clock_->NowMillis() - 24 * 3'600'000;
    ASSIGN_OR_RETURN(std::string id, runtime_->CreateMapping(m));
    mapping_ids_.push_back(id);
  }
  return common::Status::OK();
}

Analytics::~Analytics() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  std::lock_guard lock(mu_);
  for (const auto& id : mapping_ids_) (void)runtime_->DeleteMapping(id);
}

common::Result<std::string> Analytics::Summary(const std::string& range) {
  return windows_->SummaryJson(range, clock_->NowMillis());
}

void Analytics::PublishLoop() {
  std::unique_lock lock(mu_);
  while (!cv_.wait_for(lock, std::chrono::milliseconds(interval_ms_), [this] { return stopping_; })) {
    lock.unlock();
    publish_("analytics", windows_->SummaryJson("5m", clock_->NowMillis()));
    lock.lock();
  }
}

}  // namespace analytics
