#include "orders/order_processor.h"

#include <atomic>
#include <functional>
#include <map>
#include <set>
#include <thread>

#include <spdlog/spdlog.h>

#include "orders/schema.h"

namespace orders {
namespace {

using common::Status;
using table::AttributeValue;

bool Applied(const table::Item& item, const std::string& event_id) {
  auto it = item.find("appliedEvents");
  if (it == item.end() || it->second.type() != AttributeValue::Type::kSS) return false;
  for (const auto& e : it->second.set()) {
    if (e == event_id) return true;
  }
  return false;
}

// The row written for a decided order: the event's order plus the decision.
table::Item DecidedRow(Order order, OrderStatus status, const std::string& reason, int64_t now,
                       const std::string& event_id) {
  order.status = status;
  order.updated_millis = now;
  if (order.history.empty()) order.history.push_back({OrderStatus::kPlaced, order.created_millis, ""});
  order.history.push_back({status, now, reason});
  table::Item item = ToItem(order);
  item["appliedEvents"] = AttributeValue::SS({event_id});
  return item;
}

// A decided row may be written only over nothing or over the API's PLACED
// row, and only once per event.
constexpr char kPlacedCondition[] = "attribute_not_exists(id) OR (#s = :placed AND NOT contains(appliedEvents, :eid))";

void SetPlacedCondition(table::ExpressionAttributes* attrs, const std::string& event_id) {
  attrs->names["#s"] = "status";
  attrs->values[":placed"] = AttributeValue::S("PLACED");
  attrs->values[":eid"] = AttributeValue::S(event_id);
}

// That an OrderPlaced's Idempotency-Key names its order, checked in the
// transaction that decides the order: a writer sees the key while its write
// is still queued, so the check waits for no fsync.
table::TransactWriteItem KeyNamesOrder(const Event& placed) {
  table::TransactWriteItem check;
  check.kind = table::TransactWriteItem::Kind::kConditionCheck;
  check.table_name = kIdempotencyTable;
  check.key = {{"key", AttributeValue::S(placed.idempotency_key)}};
  check.condition_expression = "orderId = :order";
  check.attributes.values[":order"] = AttributeValue::S(placed.order_id);
  return check;
}

const HistoryEntry* LastOf(const Order& order, OrderStatus status) {
  for (auto it = order.history.rbegin(); it != order.history.rend(); ++it) {
    if (it->status == status) return &*it;
  }
  return nullptr;
}

}  // namespace

Event OutcomeEvent(const Order& order, OrderStatus status, const std::string& reason, int64_t at_millis) {
  Event e;
  e.type = status == OrderStatus::kConfirmed ? "OrderConfirmed"
           : status == OrderStatus::kRejected ? "OrderRejected"
                                               : "OrderStatusChanged";
  e.event_id = order.id + "/" + std::string(StatusName(status));
  e.at_millis = at_millis;
  e.order_id = order.id;
  e.customer_id = order.customer_id;
  e.status = status;
  e.reason = reason;
  e.order = order;
  return e;
}

common::Result<std::optional<Order>> OrderProcessor::Load(const std::string& id) {
  table::GetItemRequest get;
  get.table_name = kOrdersTable;
  get.key = {{"id", AttributeValue::S(id)}};
  ASSIGN_OR_RETURN(std::optional<table::Item> item, tables_->GetItem(get));
  if (!item) return std::optional<Order>();
  ASSIGN_OR_RETURN(Order order, FromItem(*item));
  return std::optional<Order>(std::move(order));
}

common::Result<bool> OrderProcessor::HoldsItsKey(const Event& placed) {
  table::WriteFailure failure;
  auto written = tables_->PutItem(
      NewIdempotencyKey(placed.idempotency_key, placed.order_id, placed.request_fingerprint, placed.at_millis),
      &failure);
  if (written.ok()) {
    spdlog::info("order-processor: order {}: its Idempotency-Key was lost; written again", placed.order_id);
    return true;
  }
  if (!written.status().IsConditionFailed() || !failure.item) return written.status();
  auto holder = failure.item->find("orderId");
  if (holder != failure.item->end() && holder->second.scalar() == placed.order_id) return true;
  spdlog::info("order-processor: dropping order {}: its Idempotency-Key now names another order (a retry after a "
               "crash)", placed.order_id);
  return false;
}

void OrderProcessor::Announce(const Order& order, const HistoryEntry& entry) {
  std::string update = StatusChangeJson(order.id, entry);
  publish_("orders/" + order.customer_id, update);
  publish_("admin/orders", update);
}

common::Result<std::optional<Event>> OrderProcessor::ApplyPlaced(const Event& event, bool check_key) {
  const Order& order = *event.order;
  if (order.id.empty() || order.customer_id.empty()) return std::optional<Event>();
  int64_t now = clock_->NowMillis();
  check_key &= !event.idempotency_key.empty();
  // The key's check failed in the transaction below, or cannot run in one
  // (an invalid order): settle the key, then decide without the check.
  auto settle_key = [&]() -> common::Result<std::optional<Event>> {
    ASSIGN_OR_RETURN(bool holds, HoldsItsKey(event));
    if (!holds) return std::optional<Event>();
    return ApplyPlaced(event, /*check_key=*/false);
  };

  std::vector<table::TransactWriteItem> actions;
  for (const auto& line : order.items) {
    table::TransactWriteItem reserve;
    reserve.kind = table::TransactWriteItem::Kind::kUpdate;
    reserve.table_name = kProductsTable;
    reserve.key = {{"id", AttributeValue::S(line.product_id)}};
    reserve.update_expression = "SET stock = stock - :q";
    reserve.condition_expression = "attribute_exists(id) AND stock >= :q";
    reserve.attributes.values[":q"] = AttributeValue::N(std::to_string(line.quantity));
    actions.push_back(std::move(reserve));
  }
  table::TransactWriteItem row;
  row.kind = table::TransactWriteItem::Kind::kPut;
  row.table_name = kOrdersTable;
  row.item = DecidedRow(order, OrderStatus::kConfirmed, "", now, event.event_id);
  row.condition_expression = kPlacedCondition;
  SetPlacedCondition(&row.attributes, event.event_id);
  const size_t row_index = actions.size();  // after one action per line
  actions.push_back(std::move(row));
  if (check_key) actions.push_back(KeyNamesOrder(event));

  // A transaction holds at most 100 actions.
  bool valid = !order.items.empty() && actions.size() <= 100;
  for (const auto& line : order.items) valid &= line.quantity > 0;
  std::string reason;
  if (valid) {
    table::WriteFailure failure;
    Status s = tables_->TransactWriteItems(actions, "", &failure);
    if (s.ok()) {
      Order confirmed = order;
      confirmed.status = OrderStatus::kConfirmed;
      confirmed.updated_millis = now;
      if (confirmed.history.empty()) confirmed.history.push_back({OrderStatus::kPlaced, order.created_millis, ""});
      confirmed.history.push_back({OrderStatus::kConfirmed, now, ""});
      Announce(confirmed, confirmed.history.back());
      return std::optional<Event>(OutcomeEvent(confirmed, OrderStatus::kConfirmed, "", now));
    }
    if (!s.IsConditionFailed()) return s;
    bool complete = failure.reasons.size() == actions.size();
    if (check_key && complete && failure.reasons.back().code != "None") return settle_key();
    bool row_failed = complete && failure.reasons[row_index].code != "None";
    for (size_t i = 0; i < row_index && i < failure.reasons.size(); ++i) {
      if (failure.reasons[i].code == "ConditionalCheckFailed") {
        reason = "out of stock: " + order.items[i].name + " (" + order.items[i].product_id + ")";
        break;
      }
    }
    if (row_failed || reason.empty()) {
      // Already decided by an earlier delivery of this event (or the order id
      // was taken by another order): change nothing, re-emit the outcome.
      ASSIGN_OR_RETURN(std::optional<Order> current, Load(order.id));
      if (!current) return Status::Internal("transaction for order " + order.id + " failed without a reason");
      for (OrderStatus st : {OrderStatus::kConfirmed, OrderStatus::kRejected}) {
        if (const HistoryEntry* h = LastOf(*current, st)) {
          return std::optional<Event>(OutcomeEvent(*current, st, h->reason, h->at_millis));
        }
      }
      return std::optional<Event>();
    }
  } else if (check_key) {
    return settle_key();
  } else {
    reason = "invalid order: no lines or a quantity below 1";
  }

  table::PutItemRequest put;
  put.table_name = kOrdersTable;
  put.item = DecidedRow(order, OrderStatus::kRejected, reason, now, event.event_id);
  put.condition_expression = kPlacedCondition;
  SetPlacedCondition(&put.attributes, event.event_id);
  auto written = tables_->PutItem(put);
  if (!written.ok() && !written.status().IsConditionFailed()) return written.status();
  ASSIGN_OR_RETURN(Order rejected, FromItem(put.item));
  if (written.ok()) Announce(rejected, rejected.history.back());
  return std::optional<Event>(OutcomeEvent(rejected, OrderStatus::kRejected, reason, now));
}

common::Result<std::optional<Event>> OrderProcessor::ApplyStatusRequest(const Event& event) {
  ASSIGN_OR_RETURN(std::optional<Order> loaded, Load(event.order_id));
  if (!loaded) {
    waiters_->Complete(event.event_id, Status::NotFound("order '" + event.order_id + "' does not exist"));
    return std::optional<Event>();
  }
  Order order = std::move(*loaded);
  // Re-read to see appliedEvents (FromItem drops it).
  table::GetItemRequest get;
  get.table_name = kOrdersTable;
  get.key = {{"id", AttributeValue::S(order.id)}};
  ASSIGN_OR_RETURN(std::optional<table::Item> item, tables_->GetItem(get));
  if (item && Applied(*item, event.event_id)) {
    waiters_->Complete(event.event_id, order);
    const HistoryEntry* h = LastOf(order, event.status);
    return std::optional<Event>(OutcomeEvent(order, event.status, h ? h->reason : "", h ? h->at_millis : 0));
  }
  if (order.status == event.status) {
    waiters_->Complete(event.event_id, order);
    return std::optional<Event>();
  }
  if (!TransitionAllowed(order.status, event.status, event.by_admin)) {
    waiters_->Complete(event.event_id, Status::ConditionFailed("order is " + std::string(StatusName(order.status)) +
                                                               "; it cannot become " +
                                                               std::string(StatusName(event.status))));
    return std::optional<Event>();
  }

  int64_t now = clock_->NowMillis();
  HistoryEntry entry{event.status, now, event.reason};
  std::vector<table::TransactWriteItem> actions;
  table::TransactWriteItem row;
  row.kind = table::TransactWriteItem::Kind::kUpdate;
  row.table_name = kOrdersTable;
  row.key = {{"id", AttributeValue::S(order.id)}};
  row.update_expression = "SET #s = :to, updatedMillis = :now, history = list_append(history, :h) ADD appliedEvents :eids";
  row.condition_expression = "#s = :from";
  row.attributes.names["#s"] = "status";
  row.attributes.values[":to"] = AttributeValue::S(std::string(StatusName(event.status)));
  row.attributes.values[":from"] = AttributeValue::S(std::string(StatusName(order.status)));
  row.attributes.values[":now"] = AttributeValue::N(std::to_string(now));
  row.attributes.values[":h"] = AttributeValue::L({HistoryValue(entry)});
  row.attributes.values[":eids"] = AttributeValue::SS({event.event_id});
  actions.push_back(std::move(row));
  // Stock was reserved when the order was confirmed: a cancel puts it back.
  bool restock = event.status == OrderStatus::kCancelled &&
                 (order.status == OrderStatus::kConfirmed || order.status == OrderStatus::kShipped);
  if (restock) {
    for (const auto& line : order.items) {
      table::TransactWriteItem back;
      back.kind = table::TransactWriteItem::Kind::kUpdate;
      back.table_name = kProductsTable;
      back.key = {{"id", AttributeValue::S(line.product_id)}};
      back.update_expression = "SET stock = stock + :q";
      back.condition_expression = "attribute_exists(id)";
      back.attributes.values[":q"] = AttributeValue::N(std::to_string(line.quantity));
      actions.push_back(std::move(back));
    }
  }
  table::WriteFailure failure;
  Status s = tables_->TransactWriteItems(actions, "", &failure);
  if (s.IsConditionFailed() && restock && !failure.reasons.empty() && failure.reasons.front().code == "None") {
    // A product was deleted from the catalog meanwhile: cancel without restocking it.
    actions.resize(1);
    s = tables_->TransactWriteItems(actions, "", nullptr);
  }
  if (s.IsConditionFailed()) {
    // Only this processor changes a decided order's status, and one shard is
    // processed by one thread, so the status cannot have moved; report it.
    waiters_->Complete(event.event_id, Status::ConditionFailed("order " + order.id + " changed meanwhile; retry"));
    return std::optional<Event>();
  }
  RETURN_IF_ERROR(s);
  order.status = event.status;
  order.updated_millis = now;
  order.history.push_back(entry);
  Announce(order, entry);
  waiters_->Complete(event.event_id, order);
  return std::optional<Event>(OutcomeEvent(order, event.status, event.reason, now));
}

common::Status OrderProcessor::Emit(const std::vector<Event>& events) {
  for (size_t start = 0; start < events.size(); start += 500) {
    std::vector<stream::PutEntry> entries;
    for (size_t i = start; i < std::min(events.size(), start + 500); ++i) {
      entries.push_back({events[i].order_id, std::nullopt, EncodeEvent(events[i])});
    }
    // The processor waits for its outcomes anyway: the stream may commit
    // them on this thread.
    auto put = streams_->PutRecordsAndWait(kOrdersStream, std::move(entries));
    RETURN_IF_ERROR(put.status());
    for (const auto& one : *put) RETURN_IF_ERROR(one.status());
  }
  return Status::OK();
}

std::vector<std::vector<size_t>> OrderProcessor::ChunkNewOrders(const std::vector<std::string>& order_ids,
                                                                const std::map<std::string, std::vector<Event>>& groups) {
  std::vector<std::vector<size_t>> chunks;
  std::set<std::string> products;
  std::vector<size_t> chunk;
  size_t order_actions = 0;
  auto close = [&] {
    if (chunk.size() > 1) chunks.push_back(std::move(chunk));  // a single order gains nothing
    chunk.clear();
    products.clear();
    order_actions = 0;
  };
  for (size_t i = 0; i < order_ids.size(); ++i) {
    const auto& events = groups.at(order_ids[i]);
    if (events.size() != 1 || events[0].type != "OrderPlaced" || !events[0].order) continue;
    const Order& order = *events[0].order;
    // A transaction holds at most 100 actions: one per product plus, per
    // order, its row and its key's check.
    size_t per_order = events[0].idempotency_key.empty() ? 1 : 2;
    if (order.id.empty() || order.customer_id.empty() || order.items.empty() ||
        order.items.size() + per_order > 100) {
      continue;
    }
    bool valid = true;
    size_t added = 0;
    for (const auto& line : order.items) {
      valid &= line.quantity > 0;
      added += products.count(line.product_id) == 0;
    }
    if (!valid) continue;
    if (products.size() + order_actions + added + per_order > 100) close();
    for (const auto& line : order.items) products.insert(line.product_id);
    chunk.push_back(i);
    order_actions += per_order;
  }
  close();
  return chunks;
}

common::Result<std::vector<Event>> OrderProcessor::ApplyPlacedTogether(
    const std::vector<std::string>& order_ids, const std::map<std::string, std::vector<Event>>& groups,
    const std::vector<size_t>& chunk) {
  int64_t now = clock_->NowMillis();
  std::map<std::string, int64_t> quantities;  // product -> units over the chunk
  std::vector<table::TransactWriteItem> actions;
  for (size_t i : chunk) {
    const Event& event = groups.at(order_ids[i]).front();
    for (const auto& line : event.order->items) quantities[line.product_id] += line.quantity;
    table::TransactWriteItem row;
    row.kind = table::TransactWriteItem::Kind::kPut;
    row.table_name = kOrdersTable;
    row.item = DecidedRow(*event.order, OrderStatus::kConfirmed, "", now, event.event_id);
    row.condition_expression = kPlacedCondition;
    SetPlacedCondition(&row.attributes, event.event_id);
    actions.push_back(std::move(row));
    if (!event.idempotency_key.empty()) actions.push_back(KeyNamesOrder(event));
  }
  for (const auto& [product, quantity] : quantities) {
    table::TransactWriteItem reserve;
    reserve.kind = table::TransactWriteItem::Kind::kUpdate;
    reserve.table_name = kProductsTable;
    reserve.key = {{"id", AttributeValue::S(product)}};
    reserve.update_expression = "SET stock = stock - :q";
    reserve.condition_expression = "attribute_exists(id) AND stock >= :q";
    reserve.attributes.values[":q"] = AttributeValue::N(std::to_string(quantity));
    actions.push_back(std::move(reserve));
  }
  RETURN_IF_ERROR(tables_->TransactWriteItems(actions, "", nullptr));
  std::vector<Event> outcomes;
  for (size_t i : chunk) {
    Order confirmed = *groups.at(order_ids[i]).front().order;
    confirmed.status = OrderStatus::kConfirmed;
    confirmed.updated_millis = now;
    if (confirmed.history.empty()) confirmed.history.push_back({OrderStatus::kPlaced, confirmed.created_millis, ""});
    confirmed.history.push_back({OrderStatus::kConfirmed, now, ""});
    Announce(confirmed, confirmed.history.back());
    outcomes.push_back(OutcomeEvent(confirmed, OrderStatus::kConfirmed, "", now));
  }
  return outcomes;
}

functions::InvocationResult OrderProcessor::Invoke(const functions::Batch& batch,
                                                   const functions::InvocationContext& context) {
  // Events of one order keep their stream order; different orders are
  // independent (stock items are guarded by their own conditions), so they
  // are applied in parallel and their fsyncs share RocksDB's group commits.
  std::vector<std::string> order_ids;
  std::map<std::string, std::vector<Event>> groups;
  for (const auto& record : batch.records) {
    // The stream also carries this processor's outcome events: not decoded.
    auto event = DecodeEventOf(record.data, {"OrderPlaced", "OrderStatusRequested"});
    if (!event.ok()) {
      spdlog::warn("order-processor: skipping record {} of {}: {}", record.sequence_number, batch.shard_id,
                   event.status().message());
      continue;
    }
    if (!*event) continue;
    auto& group = groups[(*event)->order_id];
    if (group.empty()) order_ids.push_back((*event)->order_id);
    group.push_back(std::move(**event));
  }

  std::vector<std::vector<Event>> outcomes(order_ids.size());
  std::vector<Status> failures(order_ids.size());
  std::vector<char> done(order_ids.size(), 0);
  auto parallel = [](size_t n, const std::function<void(size_t)>& fn) {
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (size_t i = next++; i < n; i = next++) fn(i);
    };
    size_t threads = std::min<size_t>(n, kParallelOrders);
    std::vector<std::thread> helpers;
    for (size_t t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& t : helpers) t.join();
  };

  // Fast path: new orders decided together, one transaction (one fsync, one
  // set of item locks) per chunk. Only when a chunk fails (a product short of
  // stock, or an event seen before) are its orders decided one by one below.
  std::vector<std::vector<size_t>> chunks = ChunkNewOrders(order_ids, groups);
  parallel(chunks.size(), [&](size_t c) {
    auto decided = ApplyPlacedTogether(order_ids, groups, chunks[c]);
    if (!decided.ok()) return;  // decided one by one below
    for (size_t k = 0; k < chunks[c].size(); ++k) {
      outcomes[chunks[c][k]].push_back(std::move((*decided)[k]));
      done[chunks[c][k]] = 1;
    }
  });

  std::vector<size_t> rest;
  for (size_t i = 0; i < order_ids.size(); ++i) {
    if (!done[i]) rest.push_back(i);
  }
  parallel(rest.size(), [&](size_t r) {
    size_t i = rest[r];
    for (const Event& event : groups[order_ids[i]]) {
      auto outcome = event.type == "OrderPlaced" ? ApplyPlaced(event) : ApplyStatusRequest(event);
      if (!outcome.ok()) {
        // Later events of this order wait for the retry of the batch.
        failures[i] = outcome.status().WithContext(event.type + " " + event.event_id);
        break;
      }
      if (*outcome) outcomes[i].push_back(std::move(**outcome));
    }
  });

  std::vector<Event> emit;
  Status failed;
  for (size_t i = 0; i < order_ids.size(); ++i) {
    for (auto& e : outcomes[i]) emit.push_back(std::move(e));
    if (!failures[i].ok() && failed.ok()) failed = failures[i];
  }
  Status emitted = Emit(emit);
  if (!failed.ok()) {
    // Retry the batch: what was applied is skipped on the next attempt.
    spdlog::warn("order-processor: batch on {} failed (attempt {}): {}", batch.shard_id, context.attempt,
                 failed.ToString());
    return functions::InvocationResult::Failure(failed.ToString());
  }
  if (!emitted.ok()) return functions::InvocationResult::Failure("emitting outcome events: " + emitted.ToString());
  return functions::InvocationResult::Success();
}

}  // namespace orders
