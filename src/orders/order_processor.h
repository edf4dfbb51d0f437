// order-processor: the function on the `orders` stream that decides each
// order and applies status changes.
//
//  OrderPlaced          reserve stock for every line and write the order row
//                       as CONFIRMED in one TransactWriteItems, or write it as
//                       REJECTED with the reason; emit OrderConfirmed /
//                       OrderRejected.
//  OrderStatusRequested apply a customer's or admin's change (SHIPPED,
//                       DELIVERED, CANCELLED; a cancel puts the stock back in
//                       the same transaction); emit OrderStatusChanged.
//  anything else        ignored (outcome events, foreign records).
//
// An OrderPlaced under an Idempotency-Key is decided only if the key names
// its order. The API writes the key beside the event, so a crash may keep
// the event and lose the key: the processor then writes the key back, or,
// when a retry of the request has taken the key since, drops the event (the
// retry's order is the customer's; this one was never answered with a 202).
//
// Exactly-once effects under at-least-once delivery: every write is
// conditional on the order's current status and on the event id not being
// in the row's `appliedEvents`, so a replayed event changes nothing. The
// outcome event of an already applied event is emitted again (same event id,
// "<orderId>/<STATUS>") because the first emission may have been lost in a
// crash; consumers deduplicate by event id.
//
// Throughput: the new orders of a batch are confirmed in chunks, one
// TransactWriteItems each (stock decrements summed per product, one
// conditional row put per order), so a batch costs a few fsyncs and each
// product's item lock is taken once per chunk instead of once per order.
// A chunk whose transaction fails (a product short of stock, a redelivered
// event) changes nothing; its orders are then decided one by one exactly as
// before, so who gets the last item is still decided per order.
//
// Thread safety: Invoke runs concurrently for different shards.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>

#include "common/clock.h"
#include "functions/function.h"
#include "orders/api.h"
#include "orders/model.h"
#include "orders/outcome_waiters.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace orders {

class OrderProcessor final : public functions::Function {
 public:
  static constexpr char kName[] = "order-processor";
  // Orders of one batch applied at once (threads per invocation).
  static constexpr size_t kParallelOrders = 16;

  OrderProcessor(table::TableClient* tables, stream::StreamClient* streams, common::Clock* clock, Publisher publish,
                 std::shared_ptr<OutcomeWaiters> waiters)
      : tables_(tables), streams_(streams), clock_(clock), publish_(std::move(publish)), waiters_(std::move(waiters)) {}

  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

 private:
  // Each returns the outcome event to emit (none when nothing happened), or
  // a non-OK Status for a failure worth retrying (I/O).
  // `check_key`: whether to check that the event's Idempotency-Key (if any)
  // names its order (see above; false once that is settled).
  common::Result<std::optional<Event>> ApplyPlaced(const Event& event, bool check_key = true);
  common::Result<std::optional<Event>> ApplyStatusRequest(const Event& event);
  // Groups the batch's new orders (only an OrderPlaced in this batch) into
  // chunks that fit one transaction; indices into `order_ids`.
  static std::vector<std::vector<size_t>> ChunkNewOrders(const std::vector<std::string>& order_ids,
                                                         const std::map<std::string, std::vector<Event>>& groups);
  // Confirms a chunk's orders in one transaction (stock per product summed
  // over the chunk); the outcome events in chunk order. Any failure (a
  // condition: short stock or an event applied before) changes nothing, and
  // the caller decides those orders one by one.
  common::Result<std::vector<Event>> ApplyPlacedTogether(const std::vector<std::string>& order_ids,
                                                         const std::map<std::string, std::vector<Event>>& groups,
                                                         const std::vector<size_t>& chunk);
  // Whether an OrderPlaced's Idempotency-Key names its order (see above);
  // writes the key when it is missing.
  common::Result<bool> HoldsItsKey(const Event& placed);
  common::Result<std::optional<Order>> Load(const std::string& id);
  void Announce(const Order& order, const HistoryEntry& entry);
  common::Status Emit(const std::vector<Event>& events);

  table::TableClient* tables_;
  stream::StreamClient* streams_;
  common::Clock* clock_;
  Publisher publish_;
  std::shared_ptr<OutcomeWaiters> waiters_;
};

// The outcome event for `order` having reached `status` (deterministic id).
Event OutcomeEvent(const Order& order, OrderStatus status, const std::string& reason, int64_t at_millis);

}  // namespace orders
