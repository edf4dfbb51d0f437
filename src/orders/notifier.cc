#include "orders/notifier.h"

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "notify/template.h"

namespace orders {
namespace {

// The template for an outcome event, or "" when it sends no email.
std::string TemplateFor(const Event& e, const NotifierOptions& o) {
  if (e.type == "OrderConfirmed") return o.confirmed ? "order_confirmed" : "";
  if (e.type != "OrderStatusChanged") return "";
  switch (e.status) {
    case OrderStatus::kShipped: return o.shipped ? "order_shipped" : "";
    case OrderStatus::kDelivered: return o.delivered ? "order_delivered" : "";
    case OrderStatus::kCancelled: return o.cancelled ? "order_cancelled" : "";
    default: return "";
  }
}

nlohmann::json TemplateData(const Order& order, const Event& e, const std::string& shop_url) {
  auto money = [&](int64_t v) { return notify::FormatMoney(v, order.currency); };
  nlohmann::json items = nlohmann::json::array();
  for (const auto& line : order.items) {
    items.push_back({{"name", line.name}, {"quantity", line.quantity}, {"unitPrice", money(line.unit_price)},
                     {"lineTotal", money(line.line_total)}});
  }
  const Address& a = order.shipping_address;
  // A short display number: the last 8 characters of the id, upper case.
  std::string number = order.id.size() > 8 ? order.id.substr(order.id.size() - 8) : order.id;
  for (char& c : number) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  nlohmann::json data = {
      {"shopName", "Rivulet Shop"},
      {"shopUrl", shop_url},
      {"customerName", order.customer_name},
      {"orderId", order.id},
      {"orderNumber", number},
      {"orderUrl", shop_url + "/orders/" + order.id},
      {"placedAt", notify::FormatEmailTime(order.created_millis)},
      {"items", items},
      {"total", money(order.total)},
      {"shippingAddress",
       {{"name", a.name}, {"line1", a.line1}, {"line2", a.line2}, {"city", a.city}, {"postalCode", a.postal_code},
        {"country", a.country}}},
  };
  if (e.status == OrderStatus::kDelivered) data["deliveredAt"] = notify::FormatEmailTime(e.at_millis);
  if (e.status == OrderStatus::kCancelled) data["cancelReason"] = e.reason;
  return data;
}

}  // namespace

functions::InvocationResult Notifier::Invoke(const functions::Batch& batch,
                                             const functions::InvocationContext& context) {
  // The batch's emails are sent and recorded together: one transaction per
  // 100 entries instead of one fsync per email (Dispatcher::Deliver).
  std::vector<std::pair<std::string, notify::Email>> emails;
  for (const auto& record : batch.records) {
    // Emails follow outcomes only: OrderPlaced and the requests are not decoded.
    auto decoded = DecodeEventOf(record.data, {"OrderConfirmed", "OrderStatusChanged"});
    if (!decoded.ok() || !*decoded || !(*decoded)->order) continue;
    const auto& event = *decoded;
    std::string name = TemplateFor(*event, options_);
    if (name.empty() || event->order->customer_email.empty()) continue;
    const Order& order = *event->order;
    auto email = notify_->Compose(name, TemplateData(order, *event, options_.shop_url),
                                  notify::Mailbox{order.customer_name, order.customer_email});
    if (!email.ok()) {
      // A template that cannot render will not render on a retry either.
      spdlog::error("notifier: {} for {}: {}", name, order.id, email.status().ToString());
      continue;
    }
    emails.emplace_back(event->event_id, std::move(email).value());
  }
  if (emails.empty()) return functions::InvocationResult::Success();
  auto created = notify_->dispatcher().Deliver(std::move(emails), options_.tables);
  if (!created.ok()) return functions::InvocationResult::Failure("delivering emails: " + created.status().ToString());
  return functions::InvocationResult::Success();
}

}  // namespace orders
