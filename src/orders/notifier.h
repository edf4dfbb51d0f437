// notifier: the function on `orders` that turns outcome events into emails
// through notify's outbox: OrderConfirmed, and OrderStatusChanged to SHIPPED,
// DELIVERED or CANCELLED (each switchable). The outbox entry id is the
// outcome event's id ("<orderId>/<STATUS>"), so a redelivered or re-emitted
// event enqueues nothing new: one email per order and status.
//
// Thread safety: Invoke runs concurrently for different shards.
#pragma once

#include <string>

#include "functions/function.h"
#include "notify/notify_service.h"
#include "orders/model.h"

namespace orders {

struct NotifierOptions {
  std::string shop_url = "http://localhost:8080";  // links in emails
  bool confirmed = true;  // orders.email_confirmed
  bool shipped = true;    // orders.email_shipped
  bool delivered = true;  // orders.email_delivered
  bool cancelled = true;  // orders.email_cancelled
  // The client the outbox entries are written through: the notifier's
  // execution role's (roles::CheckedTableClient); null for the outbox's own.
  table::TableClient* tables = nullptr;
};

class Notifier final : public functions::Function {
 public:
  static constexpr char kName[] = "notifier";

  Notifier(notify::NotifyService* notify, NotifierOptions options) : notify_(notify), options_(std::move(options)) {}
  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

 private:
  notify::NotifyService* notify_;
  NotifierOptions options_;
};

}  // namespace orders
