#include "orders/model.h"

#include <ctime>

#include <nlohmann/json.hpp>

namespace orders {
namespace {

using table::AttributeValue;
using table::Item;
using json = nlohmann::json;

constexpr std::string_view kStatusNames[] = {"PLACED", "CONFIRMED", "SHIPPED", "DELIVERED", "REJECTED", "CANCELLED"};

AttributeValue S(std::string s) { return AttributeValue::S(std::move(s)); }
AttributeValue N(int64_t n) { return AttributeValue::N(std::to_string(n)); }

const AttributeValue* Find(const Item& item, const std::string& name) {
  auto it = item.find(name);
  return it == item.end() ? nullptr : &it->second;
}
std::string GetS(const Item& item, const std::string& name) {
  const AttributeValue* v = Find(item, name);
  return v != nullptr && v->type() == AttributeValue::Type::kS ? v->scalar() : std::string();
}
int64_t GetN(const Item& item, const std::string& name) {
  const AttributeValue* v = Find(item, name);
  if (v == nullptr || v->type() != AttributeValue::Type::kN) return 0;
  try {
    return std::stoll(v->scalar());
  } catch (...) {
    return 0;
  }
}

json AddressJson(const Address& a) {
  json j = {{"name", a.name}, {"line1", a.line1}, {"city", a.city}, {"postalCode", a.postal_code},
            {"country", a.country}};
  if (!a.line2.empty()) j["line2"] = a.line2;
  return j;
}
Address AddressFromJson(const json& j) {
  Address a;
  a.name = j.value("name", "");
  a.line1 = j.value("line1", "");
  a.line2 = j.value("line2", "");
  a.city = j.value("city", "");
  a.postal_code = j.value("postalCode", "");
  a.country = j.value("country", "");
  return a;
}

// The full order for events: the API shape plus the customer's contact data.
json OrderEventJson(const Order& order) {
  json j = json::parse(ToJson(order));
  j["customerEmail"] = order.customer_email;
  j["customerName"] = order.customer_name;
  j["createdMillis"] = order.created_millis;
  j["updatedMillis"] = order.updated_millis;
  for (size_t i = 0; i < order.items.size(); ++i) j["items"][i]["category"] = order.items[i].category;
  json history = json::array();
  for (const auto& h : order.history) {
    json e = {{"status", StatusName(h.status)}, {"atMillis", h.at_millis}};
    if (!h.reason.empty()) e["reason"] = h.reason;
    history.push_back(e);
  }
  j["history"] = history;
  return j;
}

common::Result<Order> OrderFromEventJson(const json& j) {
  Order o;
  o.id = j.at("id").get<std::string>();
  o.customer_id = j.at("customerId").get<std::string>();
  o.customer_email = j.value("customerEmail", "");
  o.customer_name = j.value("customerName", "");
  ASSIGN_OR_RETURN(o.status, ParseStatus(j.value("status", "PLACED")));
  for (const auto& line : j.at("items")) {
    OrderLine l;
    l.product_id = line.at("productId").get<std::string>();
    l.name = line.value("name", "");
    l.category = line.value("category", "");
    l.quantity = line.at("quantity").get<int64_t>();
    l.unit_price = line.at("unitPrice").get<int64_t>();
    l.line_total = line.at("lineTotal").get<int64_t>();
    o.items.push_back(std::move(l));
  }
  o.total = j.at("total").get<int64_t>();
  o.currency = j.at("currency").get<std::string>();
  if (j.contains("shippingAddress")) o.shipping_address = AddressFromJson(j["shippingAddress"]);
  o.created_millis = j.value("createdMillis", int64_t{0});
  o.updated_millis = j.value("updatedMillis", int64_t{0});
  if (j.contains("history")) {
    for (const auto& h : j["history"]) {
      HistoryEntry e;
      ASSIGN_OR_RETURN(e.status, ParseStatus(h.value("status", "")));
      e.at_millis = h.value("atMillis", int64_t{0});
      e.reason = h.value("reason", "");
      o.history.push_back(std::move(e));
    }
  }
  return o;
}

}  // namespace

std::string_view StatusName(OrderStatus status) { return kStatusNames[static_cast<int>(status)]; }

common::Result<OrderStatus> ParseStatus(std::string_view name) {
  for (int i = 0; i < 6; ++i) {
    if (kStatusNames[i] == name) return static_cast<OrderStatus>(i);
  }
  return common::Status::InvalidArgument("status '" + std::string(name.substr(0, 40)) +
                                         "' is not one of PLACED, CONFIRMED, SHIPPED, DELIVERED, REJECTED, CANCELLED");
}

bool IsFinal(OrderStatus status) {
  return status == OrderStatus::kDelivered || status == OrderStatus::kRejected || status == OrderStatus::kCancelled;
}

bool TransitionAllowed(OrderStatus from, OrderStatus to, bool by_admin) {
  switch (to) {
    case OrderStatus::kCancelled:
      if (from == OrderStatus::kPlaced || from == OrderStatus::kConfirmed) return true;
      return by_admin && from == OrderStatus::kShipped;
    case OrderStatus::kShipped:
      return by_admin && from == OrderStatus::kConfirmed;
    case OrderStatus::kDelivered:
      return by_admin && from == OrderStatus::kShipped;
    default:
      return false;
  }
}

std::string FormatTime(int64_t millis) {
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis % 1000));
  return buf;
}

AttributeValue HistoryValue(const HistoryEntry& entry) {
  Item m = {{"status", S(std::string(StatusName(entry.status)))}, {"at", N(entry.at_millis)}};
  if (!entry.reason.empty()) m["reason"] = S(entry.reason);
  return AttributeValue::M(std::move(m));
}

table::Item ToItem(const Order& order) {
  std::vector<AttributeValue> lines;
  for (const auto& l : order.items) {
    lines.push_back(AttributeValue::M({{"productId", S(l.product_id)},
                                       {"name", S(l.name)},
                                       {"category", S(l.category)},
                                       {"quantity", N(l.quantity)},
                                       {"unitPrice", N(l.unit_price)},
                                       {"lineTotal", N(l.line_total)}}));
  }
  std::vector<AttributeValue> history;
  for (const auto& h : order.history) history.push_back(HistoryValue(h));
  const Address& a = order.shipping_address;
  Item address = {{"name", S(a.name)}, {"line1", S(a.line1)}, {"city", S(a.city)},
                  {"postalCode", S(a.postal_code)}, {"country", S(a.country)}};
  if (!a.line2.empty()) address["line2"] = S(a.line2);
  return Item{
      {"id", S(order.id)},
      {"customerId", S(order.customer_id)},
      {"customerEmail", S(order.customer_email)},
      {"customerName", S(order.customer_name)},
      {"status", S(std::string(StatusName(order.status)))},
      {"items", AttributeValue::L(std::move(lines))},
      {"total", N(order.total)},
      {"currency", S(order.currency)},
      {"shippingAddress", AttributeValue::M(std::move(address))},
      {"createdAt", S(FormatTime(order.created_millis))},
      {"createdMillis", N(order.created_millis)},
      {"updatedMillis", N(order.updated_millis)},
      {"history", AttributeValue::L(std::move(history))},
      {"all", S("all")},
  };
}

common::Result<Order> FromItem(const table::Item& item) {
  Order o;
  o.id = GetS(item, "id");
  if (o.id.empty()) return common::Status::Corruption("order item without id");
  o.customer_id = GetS(item, "customerId");
  o.customer_email = GetS(item, "customerEmail");
  o.customer_name = GetS(item, "customerName");
  ASSIGN_OR_RETURN(o.status, ParseStatus(GetS(item, "status")));
  if (const auto* lines = Find(item, "items"); lines != nullptr && lines->type() == AttributeValue::Type::kL) {
    for (const auto& v : lines->list()) {
      if (v.type() != AttributeValue::Type::kM) continue;
      const Item& m = v.map();
      o.items.push_back({GetS(m, "productId"), GetS(m, "name"), GetS(m, "category"), GetN(m, "quantity"),
                         GetN(m, "unitPrice"), GetN(m, "lineTotal")});
    }
  }
  o.total = GetN(item, "total");
  o.currency = GetS(item, "currency");
  if (const auto* a = Find(item, "shippingAddress"); a != nullptr && a->type() == AttributeValue::Type::kM) {
    const Item& m = a->map();
    o.shipping_address = {GetS(m, "name"), GetS(m, "line1"), GetS(m, "line2"),
                          GetS(m, "city"), GetS(m, "postalCode"), GetS(m, "country")};
  }
  o.created_millis = GetN(item, "createdMillis");
  o.updated_millis = GetN(item, "updatedMillis");
  if (const auto* h = Find(item, "history"); h != nullptr && h->type() == AttributeValue::Type::kL) {
    for (const auto& v : h->list()) {
      if (v.type() != AttributeValue::Type::kM) continue;
      HistoryEntry e;
      ASSIGN_OR_RETURN(e.status, ParseStatus(GetS(v.map(), "status")));
      e.at_millis = GetN(v.map(), "at");
      e.reason = GetS(v.map(), "reason");
      o.history.push_back(std::move(e));
    }
  }
  return o;
}

std::string ToJson(const Order& order) {
  json items = json::array();
  for (const auto& l : order.items) {
    items.push_back({{"productId", l.product_id}, {"name", l.name}, {"quantity", l.quantity},
                     {"unitPrice", l.unit_price}, {"lineTotal", l.line_total}});
  }
  json history = json::array();
  for (const auto& h : order.history) {
    json e = {{"status", StatusName(h.status)}, {"at", FormatTime(h.at_millis)}};
    if (!h.reason.empty()) e["reason"] = h.reason;
    history.push_back(std::move(e));
  }
  json j = {{"id", order.id},
            {"customerId", order.customer_id},
            {"status", StatusName(order.status)},
            {"items", std::move(items)},
            {"total", order.total},
            {"currency", order.currency},
            {"shippingAddress", AddressJson(order.shipping_address)},
            {"createdAt", FormatTime(order.created_millis)},
            {"updatedAt", FormatTime(order.updated_millis)},
            {"history", std::move(history)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string StatusChangeJson(const std::string& order_id, const HistoryEntry& entry) {
  json j = {{"orderId", order_id}, {"status", StatusName(entry.status)}, {"at", FormatTime(entry.at_millis)}};
  if (!entry.reason.empty()) j["reason"] = entry.reason;
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string EncodeEvent(const Event& event) {
  json j = {{"type", event.type}, {"eventId", event.event_id}, {"at", event.at_millis}};
  if (event.type == "OrderPlaced") {
    j["order"] = OrderEventJson(*event.order);
  } else if (event.type == "OrderStatusRequested") {
    j["orderId"] = event.order_id;
    j["status"] = StatusName(event.status);
    j["byAdmin"] = event.by_admin;
    j["actor"] = event.actor;
    if (!event.reason.empty()) j["reason"] = event.reason;
  } else {
    j["orderId"] = event.order_id;
    j["customerId"] = event.customer_id;
    j["status"] = StatusName(event.status);
    if (!event.reason.empty()) j["reason"] = event.reason;
    if (event.order) j["order"] = OrderEventJson(*event.order);
  }
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

common::Result<Event> DecodeEvent(std::string_view data) {
  json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return common::Status::InvalidArgument("event is not a JSON object");
  try {
    Event e;
    e.type = j.at("type").get<std::string>();
    e.event_id = j.at("eventId").get<std::string>();
    e.at_millis = j.value("at", int64_t{0});
    if (e.event_id.empty()) return common::Status::InvalidArgument("event without eventId");
    if (e.type == "OrderPlaced") {
      ASSIGN_OR_RETURN(Order order, OrderFromEventJson(j.at("order")));
      e.order_id = order.id;
      e.customer_id = order.customer_id;
      e.order = std::move(order);
    } else if (e.type == "OrderStatusRequested") {
      e.order_id = j.at("orderId").get<std::string>();
      ASSIGN_OR_RETURN(e.status, ParseStatus(j.at("status").get<std::string>()));
      e.by_admin = j.value("byAdmin", false);
      e.actor = j.value("actor", "");
      e.reason = j.value("reason", "");
    } else if (e.type == "OrderConfirmed" || e.type == "OrderRejected" || e.type == "OrderStatusChanged") {
      e.order_id = j.at("orderId").get<std::string>();
      e.customer_id = j.value("customerId", "");
      ASSIGN_OR_RETURN(e.status, ParseStatus(j.at("status").get<std::string>()));
      e.reason = j.value("reason", "");
      if (j.contains("order")) {
        ASSIGN_OR_RETURN(Order order, OrderFromEventJson(j["order"]));
        e.order = std::move(order);
      }
    } else {
      return common::Status::InvalidArgument("unknown event type '" + e.type.substr(0, 40) + "'");
    }
    return e;
  } catch (const json::exception& ex) {
    return common::Status::InvalidArgument(std::string("malformed event: ") + ex.what());
  }
}

}  // namespace orders
