// Order status rules and the orders table item form (ToItem/FromItem); the
// JSON forms are in model_json.cc.
#include "orders/model.h"

namespace orders {
namespace {

using table::AttributeValue;
using table::Item;

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

Event PlacedEvent(Order order) {
  Event e;
  e.type = "OrderPlaced";
  e.event_id = order.id;
  e.at_millis = order.created_millis;
  e.order_id = order.id;
  e.customer_id = order.customer_id;
  e.order = std::move(order);
  return e;
}

}  // namespace orders
