// The DynamoDB JSON 1.0 wire adapter: POST / with
// `X-Amz-Target: DynamoDB_20120810.<Operation>` and an
// application/x-amz-json-1.0 body, translated to TableClient calls. It holds
// no state besides a small worker pool: writes (which wait for an fsync) run
// there so they never block the I/O thread; reads run inline.
//
// Errors: every failure goes through ToResponse (dynamodb_handler.cc), the
// one place that maps common::Status to AWS's
// `com.amazonaws.dynamodb.v20120810#<Exception>` shape.
//
// Thread safety: Handle() may run on any number of threads at once.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "gateway/http.h"
#include "table/table_client.h"

namespace aws::dynamodb {

inline constexpr char kTargetPrefix[] = "DynamoDB_20120810";

class DynamoDbHandler {
 public:
  // `tables` must outlive the handler. `workers` threads run write operations.
  explicit DynamoDbHandler(table::TableClient* tables, int workers = 16);
  ~DynamoDbHandler();

  void Handle(gateway::Request& request, gateway::Respond respond);
  // Runs one request on the calling thread (tests, and the worker threads).
  gateway::Response HandleSync(const gateway::Request& request);

  gateway::Handler AsHandler() {
    return [this](gateway::Request& request, gateway::Respond respond) { Handle(request, std::move(respond)); };
  }

 private:
  void WorkerLoop();

  table::TableClient* tables_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;  // guarded by mu_
  bool stopping_ = false;                    // guarded by mu_
  std::vector<std::thread> workers_;
};

}  // namespace aws::dynamodb
