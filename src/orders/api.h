// The REST API of the order system under /api/ (docs/api.md): auth, catalog,
// orders, admin, activity events and the analytics summary.
//
// Threads: reads (catalog, listings, session lookups) run on the gateway's
// I/O thread; anything that waits for an fsync or hashes a password runs on
// the API's WorkQueue; stream puts answer from their completion callback.
// Lifecycle: construct, Register() before the listeners start; destroy after
// they stopped (pending callbacks hold no pointer to a destroyed Respond).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "gateway/http.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "orders/auth.h"
#include "orders/catalog.h"
#include "orders/login_throttle.h"
#include "orders/model.h"
#include "orders/outcome_waiters.h"
#include "orders/signup_throttle.h"
#include "orders/work_queue.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace orders {

// Sends `json` to WebSocket subscribers of `topic` (gateway::Hub::Publish).
using Publisher = std::function<void(const std::string& topic, const std::string& json)>;
// Answers GET /api/analytics/summary?range=... with a Summary JSON.
using SummarySource = std::function<common::Result<std::string>(const std::string& range)>;

class KeyWrite;  // api_orders.cc

struct ApiOptions {
  int worker_threads = 4;   // CPU work: password hashing
  // Threads that wait for fsyncs on the order path (idempotency keys, PLACED
  // rows, cancels waiting for the processor). They mostly sleep; many of
  // them let RocksDB group-commit many orders per fsync.
  int write_threads = 32;
  size_t max_queued = 20'000;
  int cancel_wait_ms = 5000;  // how long a cancel waits for the processor
  LoginThrottleOptions login;  // api.login_*: sign-in throttling per account and IP
  SignupThrottleOptions signup;  // api.signup_*: sign-up throttling per IP
};

class OrdersApi {
 public:
  OrdersApi(table::TableClient* tables, stream::StreamClient* streams, SessionAuth* auth, common::Clock* clock,
            Publisher publish, OutcomeWaiters* waiters, ApiOptions options = {});
  // Waits (up to 30 s) for the answers still to come: their callbacks run on
  // the engines' threads and use this object, also after the server's drain
  // gave up on them.
  ~OrdersApi();
  OrdersApi(const OrdersApi&) = delete;
  OrdersApi& operator=(const OrdersApi&) = delete;

  common::Status Register(gateway::Router* router);
  // Set before the listeners start; without one, the summary is 503.
  void SetSummarySource(SummarySource source) { summary_ = std::move(source); }
  // Runs before every handler (OrdersApp's lazy first-use initialisation);
  // a failure answers with its problem instead. Set before Register().
  void SetBeforeEach(std::function<common::Status()> hook) { before_each_ = std::move(hook); }

 private:
  using Request = gateway::Request;
  using Respond = gateway::Respond;
  using Response = gateway::Response;

  // auth
  void SignUp(Request& req, Respond respond);
  void Login(Request& req, Respond respond);
  void Logout(Request& req, Respond respond);
  Response Me(Request& req);
  // catalog
  Response ListProducts(Request& req);
  Response GetProduct(Request& req);
  Response Categories(Request& req);
  // orders (api_orders.cc)
  void PlaceOrder(Request& req, Respond respond);
  Response ListMyOrders(Request& req);
  Response GetOrder(Request& req);
  void CancelOrder(Request& req, Respond respond);
  void AdminListOrders(Request& req, Respond respond);  // by orderNumber, or AdminQueryOrders
  Response AdminQueryOrders(Request& req);
  void AdminChangeStatus(Request& req, Respond respond);
  Response AdminCustomer(Request& req);
  Response AdminLowStock(Request& req);
  void AdminRestock(Request& req, Respond respond);
  // activity and analytics
  void PostEvent(Request& req, Respond respond);
  Response Summary(Request& req);

  // Shared by the order handlers.

  // Remembers the Idempotency-Key, then places the order; a key seen before
  // answers with its order instead (blocks: runs on writes_).
  void PlaceUnderKey(Order order, const std::string& idem_key, const std::string& fingerprint,
                     const std::string& request_id, Respond respond);
  // The Idempotency-Key an order is placed under (none: `key` empty).
  struct PlacedUnder {
    std::string key;  // the idempotency table's key: "<user id>#<header>"
    std::string fingerprint;
    // The key's write when it runs beside the event's (api_orders.cc); null
    // when the key is durable already.
    std::shared_ptr<KeyWrite> write;
  };
  // `since`: when the stage before the event's began (AcceptStages).
  void PutPlacedOrder(Order order, PlacedUnder under, const std::string& request_id, Respond respond,
                      std::chrono::steady_clock::time_point since);
  void PutStatusRequest(const Order& current, OrderStatus to, const Principal& actor, const std::string& reason,
                        const std::string& request_id, Respond respond);
  common::Result<std::optional<Order>> LoadOrder(const std::string& id);
  // The signed-in caller when its role's policy allows `action` on
  // `resource` (api_policy.h); Unauthenticated (401) when signed out,
  // PermissionDenied (403) with `denied` as the message otherwise.
  common::Result<Principal> Authorize(const Request& req, std::string_view action, std::string_view resource,
                                      std::string_view denied, std::string_view leading_key = "");
  // For routes anyone may use: asked as the anonymous principal (every
  // role's policy includes its grants, and no session lookup is needed);
  // the 403 to send when even that is denied.
  std::optional<Response> Public(const Request& req, std::string_view action, std::string_view resource);
  // `respond`, counted in in_flight_ until it is destroyed (after it answered).
  Respond Tracked(Respond respond);
  // Runs `task` on `queue` (default: the CPU work queue), or answers 503 when it is full.
  void Offload(const std::string& request_id, Respond respond, std::function<void(Respond)> task,
               WorkQueue* queue = nullptr);

  // Where POST /api/orders spends its time, by stage
  // (rivulet_order_accept_seconds{stage}; bench/orders/README.md).
  struct AcceptStages {
    gateway::Histogram* key;    // handler start -> the Idempotency-Key checked and queued
    gateway::Histogram* event;  // -> the OrderPlaced event and the key durable
    gateway::Histogram* row;    // -> the PLACED row written (the 202)
  };
  static AcceptStages AcceptStageHistograms();

  table::TableClient* tables_;
  stream::StreamClient* streams_;
  SessionAuth* auth_;
  common::Clock* clock_;
  Publisher publish_;
  OutcomeWaiters* waiters_;
  ApiOptions options_;
  const AcceptStages stages_;
  Catalog catalog_;
  SummarySource summary_;
  std::function<common::Status()> before_each_;
  // Declared before the queues: their tasks hold answers, and so tokens.
  std::mutex in_flight_mu_;
  std::condition_variable in_flight_cv_;
  int in_flight_ = 0;  // guarded by in_flight_mu_
  std::unique_ptr<WorkQueue> work_;    // argon2 and other CPU work
  std::unique_ptr<WorkQueue> writes_;  // waiting for fsyncs on the order path
  LoginThrottle login_throttle_;
  SignupThrottle signup_throttle_;
};

// problem+json with an optional "field".
gateway::Response Problem(int status, std::string_view title, std::string_view detail, std::string_view request_id,
                          std::string_view field = "");
// A failed Status as problem+json (the HTTP code from gateway::HttpStatusFor).
gateway::Response ProblemFor(const common::Status& status, std::string_view request_id, std::string_view field = "");

}  // namespace orders
