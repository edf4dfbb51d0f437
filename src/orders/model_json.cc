// The JSON representations of model.h: the API's Order, the WebSocket status
// change and the events on the `orders` stream. Every order event is encoded
// once and decoded by several consumers (order-processor, notifier,
// update_relay, analytics), so both directions avoid a DOM: the writers
// append to one string, the reader walks simdjson's tape with one parser per
// thread.
#include "orders/model.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <ctime>

#include <simdjson.h>

#include "common/json_escape.h"

namespace orders {
namespace {

using common::Result;
using common::Status;

// Writes `value` (REQUIRES: 0 <= value < 10^width) as `width` decimal digits.
void PutDigits(char* at, int value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

// "2026-11-25T19:42:00.123Z" appended to `out`. Digits are placed by hand:
// snprintf took about 150 ns a call, a third of ToJson's time.
void AppendTime(std::string* out, int64_t millis) {
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  const int year = tm.tm_year + 1900;
  const int ms = static_cast<int>(millis % 1000);
  if (year < 0 || year > 9999 || ms < 0) {
    // Times no order has (from a foreign event): printf's form, as before.
    char buf[96];
    int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", year, tm.tm_mon + 1, tm.tm_mday,
                          tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
    out->append(buf, static_cast<size_t>(n));
    return;
  }
  char buf[] = "0000-00-00T00:00:00.000Z";
  PutDigits(buf, year, 4);
  PutDigits(buf + 5, tm.tm_mon + 1, 2);
  PutDigits(buf + 8, tm.tm_mday, 2);
  PutDigits(buf + 11, tm.tm_hour, 2);
  PutDigits(buf + 14, tm.tm_min, 2);
  PutDigits(buf + 17, tm.tm_sec, 2);
  PutDigits(buf + 20, ms, 3);
  out->append(buf, sizeof buf - 1);
}

// Writes JSON text for the fixed shapes below. The caller opens and closes
// objects and arrays in order and names each field; the writer places the
// commas. Field order: each object's keys are written in alphabetical
// order, as nlohmann's std::map-backed objects wrote them before, so the
// bytes are the same as before this writer.
class Writer {
 public:
  explicit Writer(std::string* out) : out_(out) {}

  void BeginObject() { Open('{'); }
  void EndObject() { Close('}'); }
  void BeginArray() { Open('['); }
  void EndArray() { Close(']'); }
  // Names the value that follows (an object or array). `key` is one of ours:
  // it needs no escaping.
  void Key(std::string_view key) {
    Separate();
    out_->push_back('"');
    out_->append(key);
    out_->append("\":");
    first_ = true;  // no comma before the value
  }
  void String(std::string_view key, std::string_view value) {
    Key(key);
    common::AppendJsonString(out_, value);
    first_ = false;
  }
  void Int(std::string_view key, int64_t value) {
    Key(key);
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out_->append(buf, end);
    first_ = false;
  }
  void Bool(std::string_view key, bool value) {
    Key(key);
    out_->append(value ? "true" : "false");
    first_ = false;
  }
  void Time(std::string_view key, int64_t millis) {
    Key(key);
    out_->push_back('"');
    AppendTime(out_, millis);
    out_->push_back('"');
    first_ = false;
  }

 private:
  void Separate() {
    if (!first_) out_->push_back(',');
  }
  void Open(char c) {
    Separate();
    out_->push_back(c);
    first_ = true;
  }
  void Close(char c) {
    out_->push_back(c);
    first_ = false;
  }

  std::string* out_;
  bool first_ = true;  // nothing written yet in the innermost object or array
};

// The API's Order (docs/api.md), or the full order in events: the API shape
// plus the customer's contact data, each line's category and millisecond
// times (history entries carry `atMillis` instead of `at`).
enum class OrderShape { kApi, kEvent };

void WriteAddress(Writer& w, const Address& a) {
  w.BeginObject();
  w.String("city", a.city);
  w.String("country", a.country);
  w.String("line1", a.line1);
  if (!a.line2.empty()) w.String("line2", a.line2);
  w.String("name", a.name);
  w.String("postalCode", a.postal_code);
  w.EndObject();
}

void WriteOrder(Writer& w, const Order& o, OrderShape shape) {
  const bool event = shape == OrderShape::kEvent;
  w.BeginObject();
  w.Time("createdAt", o.created_millis);
  if (event) w.Int("createdMillis", o.created_millis);
  w.String("currency", o.currency);
  // The API shows the customer's account name and email (the admin's order
  // lists need them; a customer sees only their own); rows from before they
  // were stored have neither.
  if (event || !o.customer_email.empty()) w.String("customerEmail", o.customer_email);
  w.String("customerId", o.customer_id);
  if (event || !o.customer_name.empty()) w.String("customerName", o.customer_name);
  w.Key("history");
  w.BeginArray();
  for (const auto& h : o.history) {
    w.BeginObject();
    if (event) {
      w.Int("atMillis", h.at_millis);
    } else {
      w.Time("at", h.at_millis);
    }
    if (!h.reason.empty()) w.String("reason", h.reason);
    w.String("status", StatusName(h.status));
    w.EndObject();
  }
  w.EndArray();
  w.String("id", o.id);
  w.Key("items");
  w.BeginArray();
  for (const auto& l : o.items) {
    w.BeginObject();
    if (event) w.String("category", l.category);
    w.Int("lineTotal", l.line_total);
    w.String("name", l.name);
    w.String("productId", l.product_id);
    w.Int("quantity", l.quantity);
    w.Int("unitPrice", l.unit_price);
    w.EndObject();
  }
  w.EndArray();
  w.Key("shippingAddress");
  WriteAddress(w, o.shipping_address);
  w.String("status", StatusName(o.status));
  w.Int("total", o.total);
  w.Time("updatedAt", o.updated_millis);
  if (event) w.Int("updatedMillis", o.updated_millis);
  w.EndObject();
}

// A first guess at an order's JSON size, so that most orders are written
// without growing the string.
size_t OrderSizeHint(const Order& o) { return 512 + 160 * o.items.size() + 80 * o.history.size(); }

// ---- Reading events -------------------------------------------------------

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

Status Malformed(std::string what) { return Status::InvalidArgument("malformed event: " + std::move(what)); }

std::string_view KindOf(element e) {
  switch (e.type()) {
    case simdjson::dom::element_type::ARRAY: return "an array";
    case simdjson::dom::element_type::OBJECT: return "an object";
    case simdjson::dom::element_type::STRING: return "a string";
    case simdjson::dom::element_type::BOOL: return "a boolean";
    case simdjson::dom::element_type::NULL_VALUE: return "null";
    default: return "a number";
  }
}

// The fields of one JSON object of an event, each read with its type
// checked. A required field fails when it is missing; one read with a
// fallback returns the fallback then (as nlohmann's value() did). Both fail
// when the field has another JSON type: integers must be integers that fit
// in 64 bits (not 2.0, "2" or true), as our encoder writes them.
class Fields {
 public:
  explicit Fields(object o) : o_(o) {}

  bool Has(std::string_view key) const {
    element e;
    return o_.at_key(key).get(e) == simdjson::SUCCESS;
  }
  Result<std::string> String(std::string_view key) const {
    ASSIGN_OR_RETURN(element e, Required(key));
    return AsString(e, key);
  }
  Result<std::string> String(std::string_view key, std::string_view fallback) const {
    element e;
    if (o_.at_key(key).get(e) != simdjson::SUCCESS) return std::string(fallback);
    return AsString(e, key);
  }
  Result<int64_t> Int(std::string_view key) const {
    ASSIGN_OR_RETURN(element e, Required(key));
    return AsInt(e, key);
  }
  Result<int64_t> Int(std::string_view key, int64_t fallback) const {
    element e;
    if (o_.at_key(key).get(e) != simdjson::SUCCESS) return fallback;
    return AsInt(e, key);
  }
  Result<bool> Bool(std::string_view key, bool fallback) const {
    element e;
    if (o_.at_key(key).get(e) != simdjson::SUCCESS) return fallback;
    bool value;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, e, "a boolean");
    return value;
  }
  Result<object> Object(std::string_view key) const {
    ASSIGN_OR_RETURN(element e, Required(key));
    object value;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, e, "an object");
    return value;
  }
  Result<array> Array(std::string_view key) const {
    ASSIGN_OR_RETURN(element e, Required(key));
    array value;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, e, "an array");
    return value;
  }

 private:
  static Status WrongType(std::string_view key, element e, std::string_view expected) {
    return Malformed("'" + std::string(key) + "' is " + std::string(KindOf(e)) + "; expected " +
                     std::string(expected));
  }
  Result<element> Required(std::string_view key) const {
    element e;
    if (o_.at_key(key).get(e) != simdjson::SUCCESS) return Malformed("'" + std::string(key) + "' is missing");
    return e;
  }
  static Result<std::string> AsString(element e, std::string_view key) {
    std::string_view value;
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, e, "a string");
    return std::string(value);
  }
  static Result<int64_t> AsInt(element e, std::string_view key) {
    int64_t value;
    // Fails for non-numbers, for numbers with a fraction or exponent
    // (doubles) and for integers above INT64_MAX.
    if (e.get(value) != simdjson::SUCCESS) return WrongType(key, e, "an integer of at most 64 bits");
    return value;
  }

  object o_;
};

// An entry of the array `what` as an object.
Result<object> EntryObject(element entry, std::string_view what) {
  object o;
  if (entry.get(o) != simdjson::SUCCESS) {
    return Malformed("an entry of '" + std::string(what) + "' is " + std::string(KindOf(entry)) +
                     "; expected an object");
  }
  return o;
}

Result<Address> AddressFromJson(const Fields& f) {
  Address a;
  ASSIGN_OR_RETURN(a.name, f.String("name", ""));
  ASSIGN_OR_RETURN(a.line1, f.String("line1", ""));
  ASSIGN_OR_RETURN(a.line2, f.String("line2", ""));
  ASSIGN_OR_RETURN(a.city, f.String("city", ""));
  ASSIGN_OR_RETURN(a.postal_code, f.String("postalCode", ""));
  ASSIGN_OR_RETURN(a.country, f.String("country", ""));
  return a;
}

// The event shape of WriteOrder. Required: id, customerId, items (each with
// productId, quantity, unitPrice, lineTotal), total, currency.
Result<Order> OrderFromEventJson(const Fields& f) {
  Order o;
  ASSIGN_OR_RETURN(o.id, f.String("id"));
  ASSIGN_OR_RETURN(o.customer_id, f.String("customerId"));
  ASSIGN_OR_RETURN(o.customer_email, f.String("customerEmail", ""));
  ASSIGN_OR_RETURN(o.customer_name, f.String("customerName", ""));
  ASSIGN_OR_RETURN(std::string status, f.String("status", "PLACED"));
  ASSIGN_OR_RETURN(o.status, ParseStatus(status));
  ASSIGN_OR_RETURN(array items, f.Array("items"));
  o.items.reserve(items.size());
  for (element entry : items) {
    ASSIGN_OR_RETURN(object line_json, EntryObject(entry, "items"));
    Fields line(line_json);
    OrderLine l;
    ASSIGN_OR_RETURN(l.product_id, line.String("productId"));
    ASSIGN_OR_RETURN(l.name, line.String("name", ""));
    ASSIGN_OR_RETURN(l.category, line.String("category", ""));
    ASSIGN_OR_RETURN(l.quantity, line.Int("quantity"));
    ASSIGN_OR_RETURN(l.unit_price, line.Int("unitPrice"));
    ASSIGN_OR_RETURN(l.line_total, line.Int("lineTotal"));
    o.items.push_back(std::move(l));
  }
  ASSIGN_OR_RETURN(o.total, f.Int("total"));
  ASSIGN_OR_RETURN(o.currency, f.String("currency"));
  if (f.Has("shippingAddress")) {
    ASSIGN_OR_RETURN(object address, f.Object("shippingAddress"));
    ASSIGN_OR_RETURN(o.shipping_address, AddressFromJson(Fields(address)));
  }
  ASSIGN_OR_RETURN(o.created_millis, f.Int("createdMillis", 0));
  ASSIGN_OR_RETURN(o.updated_millis, f.Int("updatedMillis", 0));
  if (f.Has("history")) {
    ASSIGN_OR_RETURN(array history, f.Array("history"));
    o.history.reserve(history.size());
    for (element entry : history) {
      ASSIGN_OR_RETURN(object entry_json, EntryObject(entry, "history"));
      Fields h(entry_json);
      HistoryEntry e;
      ASSIGN_OR_RETURN(std::string entry_status, h.String("status", ""));
      ASSIGN_OR_RETURN(e.status, ParseStatus(entry_status));
      ASSIGN_OR_RETURN(e.at_millis, h.Int("atMillis", 0));
      ASSIGN_OR_RETURN(e.reason, h.String("reason", ""));
      o.history.push_back(std::move(e));
    }
  }
  return o;
}

}  // namespace

std::string FormatTime(int64_t millis) {
  std::string out;
  AppendTime(&out, millis);
  return out;
}

std::string ToJson(const Order& order) {
  std::string out;
  out.reserve(OrderSizeHint(order));
  Writer w(&out);
  WriteOrder(w, order, OrderShape::kApi);
  return out;
}

std::string StatusChangeJson(const std::string& order_id, const HistoryEntry& entry) {
  std::string out;
  out.reserve(128 + order_id.size() + entry.reason.size());
  Writer w(&out);
  w.BeginObject();
  w.Time("at", entry.at_millis);
  w.String("orderId", order_id);
  if (!entry.reason.empty()) w.String("reason", entry.reason);
  w.String("status", StatusName(entry.status));
  w.EndObject();
  return out;
}

std::string EncodeEvent(const Event& event) {
  std::string out;
  out.reserve(128 + (event.order ? OrderSizeHint(*event.order) : 0));
  Writer w(&out);
  w.BeginObject();
  if (event.type == "OrderPlaced") {
    w.Int("at", event.at_millis);
    w.String("eventId", event.event_id);
    if (!event.idempotency_key.empty()) {
      w.Key("idempotency");
      w.BeginObject();
      w.String("fingerprint", event.request_fingerprint);
      w.String("key", event.idempotency_key);
      w.EndObject();
    }
    if (event.order) {
      w.Key("order");
      WriteOrder(w, *event.order, OrderShape::kEvent);
    }
  } else if (event.type == "OrderStatusRequested") {
    w.String("actor", event.actor);
    w.Int("at", event.at_millis);
    w.Bool("byAdmin", event.by_admin);
    w.String("eventId", event.event_id);
    w.String("orderId", event.order_id);
    if (!event.reason.empty()) w.String("reason", event.reason);
    w.String("status", StatusName(event.status));
  } else {  // outcome events
    w.Int("at", event.at_millis);
    w.String("customerId", event.customer_id);
    w.String("eventId", event.event_id);
    if (event.order) {
      w.Key("order");
      WriteOrder(w, *event.order, OrderShape::kEvent);
    }
    w.String("orderId", event.order_id);
    if (!event.reason.empty()) w.String("reason", event.reason);
    w.String("status", StatusName(event.status));
  }
  w.String("type", event.type);
  w.EndObject();
  return out;
}

namespace {

// The event's top-level object, parsed by this thread's parser: valid until
// the thread's next parse.
common::Result<object> ParseEventObject(std::string_view data) {
  // One parser per thread: it keeps its buffers between calls, so a decode
  // allocates only the Event's own strings. The elements point into the
  // parser and are copied out before the next parse.
  thread_local simdjson::dom::parser parser;
  if (data.empty()) return Status::InvalidArgument("event is empty; expected a JSON object");
  element root;
  if (auto error = parser.parse(data.data(), data.size()).get(root); error != simdjson::SUCCESS) {
    return Status::InvalidArgument(std::string("event is not a JSON object: ") + simdjson::error_message(error));
  }
  object top;
  if (root.get(top) != simdjson::SUCCESS) return Status::InvalidArgument("event is not a JSON object");
  return top;
}

common::Result<Event> DecodeEventObject(object top) {
  Fields f(top);
  Event e;
  ASSIGN_OR_RETURN(e.type, f.String("type"));
  ASSIGN_OR_RETURN(e.event_id, f.String("eventId"));
  ASSIGN_OR_RETURN(e.at_millis, f.Int("at", 0));
  if (e.event_id.empty()) return Status::InvalidArgument("event without eventId");
  if (e.type == "OrderPlaced") {
    ASSIGN_OR_RETURN(object order_json, f.Object("order"));
    ASSIGN_OR_RETURN(Order order, OrderFromEventJson(Fields(order_json)));
    e.order_id = order.id;
    e.customer_id = order.customer_id;
    e.order = std::move(order);
    if (f.Has("idempotency")) {
      ASSIGN_OR_RETURN(object idempotency_json, f.Object("idempotency"));
      Fields idempotency(idempotency_json);
      ASSIGN_OR_RETURN(e.idempotency_key, idempotency.String("key"));
      ASSIGN_OR_RETURN(e.request_fingerprint, idempotency.String("fingerprint"));
      if (e.idempotency_key.empty()) return Status::InvalidArgument("idempotency.key is empty");
    }
  } else if (e.type == "OrderStatusRequested") {
    ASSIGN_OR_RETURN(e.order_id, f.String("orderId"));
    ASSIGN_OR_RETURN(std::string status, f.String("status"));
    ASSIGN_OR_RETURN(e.status, ParseStatus(status));
    ASSIGN_OR_RETURN(e.by_admin, f.Bool("byAdmin", false));
    ASSIGN_OR_RETURN(e.actor, f.String("actor", ""));
    ASSIGN_OR_RETURN(e.reason, f.String("reason", ""));
  } else if (e.type == "OrderConfirmed" || e.type == "OrderRejected" || e.type == "OrderStatusChanged") {
    ASSIGN_OR_RETURN(e.order_id, f.String("orderId"));
    ASSIGN_OR_RETURN(e.customer_id, f.String("customerId", ""));
    ASSIGN_OR_RETURN(std::string status, f.String("status"));
    ASSIGN_OR_RETURN(e.status, ParseStatus(status));
    ASSIGN_OR_RETURN(e.reason, f.String("reason", ""));
    if (f.Has("order")) {
      ASSIGN_OR_RETURN(object order_json, f.Object("order"));
      ASSIGN_OR_RETURN(Order order, OrderFromEventJson(Fields(order_json)));
      e.order = std::move(order);
    }
  } else {
    return Status::InvalidArgument("unknown event type '" + e.type.substr(0, 40) + "'");
  }
  return e;
}

}  // namespace

common::Result<Event> DecodeEvent(std::string_view data) {
  ASSIGN_OR_RETURN(object top, ParseEventObject(data));
  return DecodeEventObject(top);
}

common::Result<std::optional<Event>> DecodeEventOf(std::string_view data,
                                                   std::initializer_list<std::string_view> types) {
  ASSIGN_OR_RETURN(object top, ParseEventObject(data));
  ASSIGN_OR_RETURN(std::string type, Fields(top).String("type"));
  if (std::find(types.begin(), types.end(), type) == types.end()) return std::optional<Event>();
  ASSIGN_OR_RETURN(Event event, DecodeEventObject(top));
  return std::optional<Event>(std::move(event));
}

}  // namespace orders
