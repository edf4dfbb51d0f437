#include "orders/update_relay.h"

#include "orders/model.h"
#include "orders/schema.h"

namespace orders {

functions::InvocationResult UpdateRelay::Invoke(const functions::Batch& batch, const functions::InvocationContext&) {
  for (const auto& record : batch.records) {
    auto decoded = DecodeEventOf(record.data, {"OrderConfirmed", "OrderRejected", "OrderStatusChanged"});
    if (!decoded.ok() || !*decoded || !(*decoded)->order) continue;
    const Event& e = **decoded;
    // The same message order-processor's Announce sends: the entry of the
    // status this event reached.
    const auto& history = e.order->history;
    for (auto it = history.rbegin(); it != history.rend(); ++it) {
      if (it->status != e.status) continue;
      std::string update = StatusChangeJson(e.order_id, *it);
      publish_("orders/" + e.order->customer_id, update);
      publish_("admin/orders", update);
      break;
    }
  }
  return functions::InvocationResult::Success();
}

functions::EventSourceMappingConfig UpdateRelay::Mapping() {
  functions::EventSourceMappingConfig mapping;
  mapping.id = "order-update-relay-orders";
  mapping.function_name = kName;
  mapping.stream_name = kOrdersStream;
  mapping.batch_size = 500;
  mapping.maximum_batching_window_ms = 0;
  mapping.starting_position = functions::StartingPosition::kLatest;
  mapping.persist_checkpoints = false;
  return mapping;
}

}  // namespace orders
