// The `analytics` function: reads `orders` and `activity` (two event-source
// mappings on one Function), folds every event into Windows, serves
// GET /api/analytics/summary and publishes the 5m Summary on the WebSocket
// topic `analytics` once a second.
//
// State is in memory and rebuilt at each start: the mappings get fresh ids
// and start AT_TIMESTAMP 24 hours back (the streams' retention), so the
// windows are refilled from the streams themselves, no table needed.
//
// Lifecycle: Start() registers the function, StartMappings() starts reading; the destructor deletes the
// mappings and stops the publishing thread. Thread safety: Invoke may run
// concurrently for different shards; Summary from any thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "analytics/windows.h"
#include "common/clock.h"
#include "functions/function.h"
#include "functions/runtime.h"
#include "orders/api.h"

namespace analytics {

class AnalyticsFunction final : public functions::Function {
 public:
  explicit AnalyticsFunction(std::shared_ptr<Windows> windows) : windows_(std::move(windows)) {}
  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

 private:
  std::shared_ptr<Windows> windows_;
};

class Analytics {
 public:
  static constexpr char kFunctionName[] = "analytics";

  // Registers the function and starts publishing; the mappings come with
  // StartMappings(), once the streams exist.
  static common::Result<std::unique_ptr<Analytics>> Start(functions::FunctionRuntime* runtime,
                                                          orders::Publisher publish, common::Clock* clock,
                                                          int publish_interval_ms = 1000);
  ~Analytics();

  // Creates the two mappings (once; later calls do nothing).
  common::Status StartMappings();

  // Summary JSON for "5m", "1h" or "24h".
  common::Result<std::string> Summary(const std::string& range);

 private:
  Analytics() = default;
  void PublishLoop();

  functions::FunctionRuntime* runtime_ = nullptr;
  orders::Publisher publish_;
  common::Clock* clock_ = nullptr;
  int interval_ms_ = 1000;
  std::shared_ptr<Windows> windows_;
  std::mutex mu_;
  std::vector<std::string> mapping_ids_;  // guarded by mu_
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread publisher_;
};

}  // namespace analytics
