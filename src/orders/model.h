// The order domain: orders, their lines and status history, and the events
// on the `orders` stream, with their three representations: table items
// (orders table), JSON for /api/ (docs/api.md) and JSON stream events.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "table/attribute_value.h"

namespace orders {

// Lifecycle: PLACED -> CONFIRMED -> SHIPPED -> DELIVERED, or REJECTED from
// PLACED, or CANCELLED before DELIVERED. Stored as their names.
enum class OrderStatus { kPlaced, kConfirmed, kShipped, kDelivered, kRejected, kCancelled };

std::string_view StatusName(OrderStatus status);
// InvalidArgument for anything but the six upper-case names.
common::Result<OrderStatus> ParseStatus(std::string_view name);
bool IsFinal(OrderStatus status);
// The transitions an actor may ask for through the stream (not PLACED ->
// CONFIRMED/REJECTED, which only the processor decides). Customers may only
// cancel before shipping; admins may ship, deliver and cancel.
bool TransitionAllowed(OrderStatus from, OrderStatus to, bool by_admin);

struct Address {
  std::string name, line1, line2, city, postal_code, country;
};

struct OrderLine {
  std::string product_id;
  std::string name;
  std::string category;
  int64_t quantity = 0;
  int64_t unit_price = 0;
  int64_t line_total = 0;
};

struct HistoryEntry {
  OrderStatus status = OrderStatus::kPlaced;
  int64_t at_millis = 0;
  std::string reason;  // "" when none
};

struct Order {
  std::string id;
  std::string customer_id;
  std::string customer_email;
  std::string customer_name;
  OrderStatus status = OrderStatus::kPlaced;
  std::vector<OrderLine> items;
  int64_t total = 0;
  std::string currency;
  Address shipping_address;
  int64_t created_millis = 0;
  int64_t updated_millis = 0;
  std::vector<HistoryEntry> history;
};

// "2026-11-25T19:42:00.123Z".
std::string FormatTime(int64_t millis);

// Orders table item <-> Order. The item also carries the GSI keys
// (customerId, status, createdAt, all) and `appliedEvents` (kept as is).
table::Item ToItem(const Order& order);
common::Result<Order> FromItem(const table::Item& item);
table::AttributeValue HistoryValue(const HistoryEntry& entry);

// The `Order` JSON of docs/api.md.
std::string ToJson(const Order& order);
// `{orderId, status, at, reason?}` for the WebSocket topics.
std::string StatusChangeJson(const std::string& order_id, const HistoryEntry& entry);

// Events on the `orders` stream (JSON). Append only: types are on disk.
//   OrderPlaced          {type, eventId, at, order: {...full order...}}
//   OrderStatusRequested {type, eventId, at, orderId, status, byAdmin, actor, reason?}
//   OrderConfirmed / OrderRejected / OrderStatusChanged
//                        {type, eventId, at, orderId, customerId, status, reason?, order}
// Outcome events are emitted by order-processor and carry the whole order so
// that consumers (notifier, analytics) need no table read.
struct Event {
  std::string type;
  std::string event_id;
  int64_t at_millis = 0;
  std::optional<Order> order;   // OrderPlaced and outcome events
  std::string order_id;         // all
  std::string customer_id;      // outcome events
  OrderStatus status = OrderStatus::kPlaced;  // requested or reached status
  bool by_admin = false;
  std::string actor;            // user id of who asked
  std::string reason;
  // OrderPlaced under an Idempotency-Key: the key's item in the idempotency
  // table and the request body's fingerprint. The key is written beside the
  // event, not before it; the processor restores it if a crash lost it
  // (README.md, "POST /api/orders").
  std::string idempotency_key;
  std::string request_fingerprint;
};

// The OrderPlaced event of a new order (event id = order id).
Event PlacedEvent(Order order);

// The JSON writers (ToJson, StatusChangeJson, EncodeEvent) write each
// object's keys in alphabetical order and replace ill-formed UTF-8 in
// strings with U+FFFD, so their output is always valid JSON.
std::string EncodeEvent(const Event& event);
// InvalidArgument for data that is not one of our events (the stream is
// writable from outside through the Kinesis API, so it may hold anything):
// not one JSON object, a required field missing, any field of another JSON
// type than EncodeEvent writes (integers must be integers within int64),
// an unknown type or status. Optional fields that are missing take their
// defaults (at 0, byAdmin false, actor/reason/customerId "", no order).
common::Result<Event> DecodeEvent(std::string_view data);
// The same for a consumer that wants only some event types: an event of
// another type costs a parse, not an Order, and comes back as nullopt
// (each consumer skips about half of the orders stream). Data that is not
// a JSON object with a string `type` is an error, as for DecodeEvent.
common::Result<std::optional<Event>> DecodeEventOf(std::string_view data,
                                                   std::initializer_list<std::string_view> types);

}  // namespace orders
