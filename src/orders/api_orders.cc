// The order endpoints of OrdersApi: place, list, get, cancel, and the admin
// views. How an order travels from POST to CONFIRMED: README.md.
#include <algorithm>
#include <cctype>
#include <chrono>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/sha256.h"
#include "orders/api.h"
#include "orders/api_policy.h"
#include "orders/money.h"
#include "orders/schema.h"
#include "orders/validation.h"

namespace orders {
namespace {

using gateway::Response;
using json = nlohmann::json;
using table::AttributeValue;

using Clock = std::chrono::steady_clock;

// Observes the seconds since `since` in `stage`; returns now.
Clock::time_point Lap(gateway::Histogram* stage, Clock::time_point since) {
  Clock::time_point now = Clock::now();
  stage->Observe(std::chrono::duration<double>(now - since).count());
  return now;
}

Response Accepted(const std::string& id, OrderStatus status) {
  Response r = Response::Json(202, json{{"id", id}, {"status", StatusName(status)}}.dump());
  r.headers.Set("Location", "/api/orders/" + id);
  return r;
}

std::string HexEncode(const std::string& s) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

bool HexDecode(const std::string& s, std::string* out) {
  if (s.size() % 2 != 0 || s.size() > 256) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); i += 2) {
    int hi = nibble(s[i]), lo = nibble(s[i + 1]);
    if (hi < 0 || lo < 0) return false;
    out->push_back(static_cast<char>(hi * 16 + lo));
  }
  return true;
}

// Order listings page newest first over a GSI keyed (hash, createdAt). The
// cursor is the hex of "createdAt|id" of the last order returned; the index
// hash value is never taken from the client, so a forged cursor cannot reach
// another customer's orders.
struct OrderPage {
  std::vector<Order> items;
  std::string next_cursor;
};

// The orders of one partition of `index` (hash_name = hash_value), newest first.
table::QueryRequest NewestFirst(const std::string& index, const std::string& hash_name,
                                const std::string& hash_value) {
  table::QueryRequest q;
  q.table_name = kOrdersTable;
  q.index_name = index;
  q.key_condition_expression = "#h = :h";
  q.attributes.names["#h"] = hash_name;
  q.attributes.values[":h"] = AttributeValue::S(hash_value);
  q.scan_index_forward = false;
  return q;
}

common::Result<OrderPage> QueryOrders(table::TableClient* tables, const std::string& index,
                                      const std::string& hash_name, const std::string& hash_value,
                                      const std::string& status_filter, int limit, const std::string& cursor) {
  table::QueryRequest q = NewestFirst(index, hash_name, hash_value);
  q.limit = limit;
  if (!cursor.empty()) {
    std::string decoded;
    size_t bar;
    if (!HexDecode(cursor, &decoded) || (bar = decoded.find('|')) == std::string::npos ||
        !ValidId(decoded.substr(bar + 1)) || bar != 24) {
      return common::Status::InvalidArgument("cursor is malformed; pass back the nextCursor of the previous page");
    }
    q.exclusive_start_key = table::Item{{"createdAt", AttributeValue::S(decoded.substr(0, bar))},
                                        {"id", AttributeValue::S(decoded.substr(bar + 1))},
                                        {hash_name, AttributeValue::S(hash_value)}};
  }
  ASSIGN_OR_RETURN(table::QueryResult result, tables->Query(q));
  // The indexes hold keys only (schema.cc; tables created before that hold
  // status or whole orders): read the rows, newest first as the index gave.
  // The status filter applies to the rows, after the limit, as a
  // FilterExpression would.
  std::map<std::string, table::Item> rows;
  table::KeysAndAttributes keys;
  for (const auto& item : result.items) {
    if (item.count("items") == 0) keys.keys.push_back({{"id", item.at("id")}});
  }
  if (!keys.keys.empty()) {
    ASSIGN_OR_RETURN(table::BatchGetResult got, tables->BatchGetItem({{kOrdersTable, std::move(keys)}}));
    for (auto& row : got.responses[kOrdersTable]) rows.emplace(row.at("id").scalar(), std::move(row));
  }
  OrderPage page;
  for (const auto& item : result.items) {
    const table::Item* row = &item;
    if (item.count("items") == 0) {
      auto found = rows.find(item.at("id").scalar());
      if (found == rows.end()) continue;  // deleted since
      row = &found->second;
    }
    ASSIGN_OR_RETURN(Order order, FromItem(*row));
    if (!status_filter.empty() && StatusName(order.status) != status_filter) continue;
    page.items.push_back(std::move(order));
  }
  if (result.last_evaluated_key) {
    const table::Item& last = *result.last_evaluated_key;
    auto created = last.find("createdAt"), id = last.find("id");
    if (created != last.end() && id != last.end()) {
      page.next_cursor = HexEncode(created->second.scalar() + "|" + id->second.scalar());
    }
  }
  return page;
}

// The orders whose id ends with `number`, the 8 hex digits that emails call
// the order's number, newest first. Nothing indexes an id by its end, so
// this reads the key of every order (byTime holds keys only): an admin's
// lookup, not a hot path. 32 random bits rarely repeat, but they may: the
// newest 100 are read.
common::Result<OrderPage> FindOrdersByNumber(table::TableClient* tables, const std::string& number) {
  table::QueryRequest q = NewestFirst(kByTimeIndex, "all", "all");
  q.filter_expression = "contains(id, :n)";
  q.attributes.values[":n"] = AttributeValue::S(number);
  table::KeysAndAttributes keys;
  do {
    ASSIGN_OR_RETURN(table::QueryResult read, tables->Query(q));
    for (const auto& item : read.items) {
      const std::string& id = item.at("id").scalar();
      if (id.ends_with(number) && keys.keys.size() < 100) keys.keys.push_back({{"id", item.at("id")}});
    }
    q.exclusive_start_key = std::move(read.last_evaluated_key);
  } while (q.exclusive_start_key && keys.keys.size() < 100);  // newest first: the rest are older
  OrderPage page;
  if (keys.keys.empty()) return page;
  ASSIGN_OR_RETURN(table::BatchGetResult got, tables->BatchGetItem({{kOrdersTable, std::move(keys)}}));
  for (const auto& row : got.responses[kOrdersTable]) {
    ASSIGN_OR_RETURN(Order order, FromItem(row));
    page.items.push_back(std::move(order));
  }
  std::sort(page.items.begin(), page.items.end(),
            [](const Order& a, const Order& b) { return a.created_millis > b.created_millis; });
  return page;
}

// How many orders the customer has: their keys in the index, counted, not read.
common::Result<int64_t> CountOrders(table::TableClient* tables, const std::string& customer_id) {
  table::QueryRequest q;
  q.table_name = kOrdersTable;
  q.index_name = kByCustomerIndex;
  q.key_condition_expression = "customerId = :c";
  q.attributes.values[":c"] = AttributeValue::S(customer_id);
  q.select = table::Select::kCount;
  int64_t count = 0;
  while (true) {
    ASSIGN_OR_RETURN(table::QueryResult result, tables->Query(q));
    count += result.count;
    if (!result.last_evaluated_key) return count;
    q.exclusive_start_key = std::move(result.last_evaluated_key);
  }
}

std::string PageJson(const OrderPage& page) {
  std::string body = "{\"items\":[";
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i > 0) body += ",";
    body += ToJson(page.items[i]);
  }
  body += "],\"nextCursor\":" + (page.next_cursor.empty() ? std::string("null") : "\"" + page.next_cursor + "\"") + "}";
  return body;
}

// Reads ?status= (one of the six names) and ?limit=.
bool ListParams(const gateway::Request& req, std::string* status, int* limit, std::string* cursor, Response* error) {
  *status = req.QueryParam("status").value_or("");
  if (!status->empty() && !ParseStatus(*status).ok()) {
    *error = ProblemFor(ParseStatus(*status).status(), req.request_id, "status");
    return false;
  }
  auto parsed = req.IntQueryParam("limit", 20, 1, 100);
  if (!parsed.ok()) {
    *error = ProblemFor(parsed.status(), req.request_id, "limit");
    return false;
  }
  *limit = static_cast<int>(*parsed);
  *cursor = req.QueryParam("cursor").value_or("");
  return true;
}

}  // namespace

// The result of an Idempotency-Key's write, which runs beside the event's:
// whichever of the two finishes last continues (from its own thread).
class KeyWrite {
 public:
  void Finish(common::Status status) {
    std::function<void(const common::Status&)> then;
    {
      std::lock_guard lock(mu_);
      status_ = std::move(status);
      then = std::move(then_);
    }
    if (then) then(*status_);
  }
  // Runs `then` with the key's result: at once if it is known, else from Finish.
  void Then(std::function<void(const common::Status&)> then) {
    {
      std::lock_guard lock(mu_);
      if (!status_) {
        then_ = std::move(then);
        return;
      }
    }
    then(*status_);
  }

 private:
  std::mutex mu_;
  std::optional<common::Status> status_;
  std::function<void(const common::Status&)> then_;
};

common::Result<std::optional<Order>> OrdersApi::LoadOrder(const std::string& id) {
  if (!ValidId(id)) return std::optional<Order>();
  table::GetItemRequest get;
  get.table_name = kOrdersTable;
  get.key = {{"id", AttributeValue::S(id)}};
  ASSIGN_OR_RETURN(std::optional<table::Item> item, tables_->GetItem(get));
  if (!item) return std::optional<Order>();
  ASSIGN_OR_RETURN(Order order, FromItem(*item));
  return std::optional<Order>(std::move(order));
}

OrdersApi::AcceptStages OrdersApi::AcceptStageHistograms() {
  // Finer than the HTTP buckets: a stage is one group commit, ~0.3-3 ms.
  const std::vector<double> bounds = {0.00025, 0.0005, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01,
                                      0.015, 0.025, 0.05, 0.1, 0.25, 1};
  auto stage = [&](const char* name) {
    return &gateway::MetricsRegistry::Default().GetHistogram(
        "rivulet_order_accept_seconds",
        "POST /api/orders by stage: key (from the handler's start until the Idempotency-Key is checked and "
        "queued), event (until the OrderPlaced event and the key are durable), row (until the PLACED row is "
        "written and the 202 goes out).",
        {{"stage", name}}, bounds);
  };
  return {stage("key"), stage("event"), stage("row")};
}

void OrdersApi::PlaceOrder(Request& req, Respond respond) {
  Clock::time_point started = Clock::now();
  auto user = auth_->Authenticate(req);
  if (!user.ok()) return respond(ProblemFor(user.status(), req.request_id));
  // The new order's key is the caller's id: a customer places only their own.
  // Time first (12 hex digits of epoch ms), then 48 random bits: ids of new
  // orders sort by time, so their rows and outbox entries are inserted near
  // each other in the table's memtable, and the id still cannot be guessed.
  std::string order_id = fmt::format("o-{:012x}{}", clock_->NowMillis(), RandomHex(6));
  if (!auth_->Allowed(&*user, "rivulet:PlaceOrder", OrderArn(user->user_id, order_id), user->user_id)) {
    return respond(Problem(403, "Forbidden", "this account may not place orders", req.request_id));
  }
  std::string field;
  auto parsed = ParsePlaceOrder(req.body, &field);
  if (!parsed.ok()) return respond(ProblemFor(parsed.status(), req.request_id, field));
  std::string key(req.Header("Idempotency-Key"));
  if (req.headers.Has("Idempotency-Key")) {
    bool printable = !key.empty() && key.size() <= 128;
    for (unsigned char c : key) printable &= c > 0x20 && c < 0x7f;
    if (!printable) {
      return respond(Problem(400, "Bad Request", "Idempotency-Key must be 1..128 visible ASCII characters",
                             req.request_id, "Idempotency-Key"));
    }
  }

  // Price from the catalog, never from the client.
  std::vector<std::string> ids;
  for (const auto& line : parsed->items) ids.push_back(line.product_id);
  auto products = catalog_.GetMany(ids);
  if (!products.ok()) return respond(ProblemFor(products.status(), req.request_id));
  std::map<std::string, const Product*> by_id;
  for (const auto& p : *products) by_id[p.id] = &p;
  Order order;
  for (size_t i = 0; i < parsed->items.size(); ++i) {
    const auto& line = parsed->items[i];
    std::string path = "items[" + std::to_string(i) + "].productId";
    auto it = by_id.find(line.product_id);
    if (it == by_id.end()) {
      return respond(Problem(400, "Bad Request", "product '" + line.product_id + "' does not exist", req.request_id, path));
    }
    const Product& p = *it->second;
    if (order.currency.empty()) order.currency = p.currency;
    if (p.currency != order.currency) {
      return respond(Problem(400, "Bad Request", "product '" + p.id + "' is priced in " + p.currency +
                                                     " and the others in " + order.currency + "; order them separately",
                             req.request_id, path));
    }
    auto line_total = LineTotal(p.price, line.quantity);
    if (!line_total.ok()) return respond(ProblemFor(line_total.status(), req.request_id, "items[" + std::to_string(i) + "].quantity"));
    auto total = AddAmounts(order.total, *line_total);
    if (!total.ok()) return respond(ProblemFor(total.status(), req.request_id, "items"));
    order.total = *total;
    order.items.push_back({p.id, p.name, p.category, line.quantity, p.price, *line_total});
  }
  int64_t now = clock_->NowMillis();
  order.id = order_id;
  order.customer_id = user->user_id;
  order.customer_email = user->email;
  order.customer_name = user->name;
  order.status = OrderStatus::kPlaced;
  order.shipping_address = parsed->shipping_address;
  order.created_millis = order.updated_millis = now;
  order.history = {{OrderStatus::kPlaced, now, ""}};

  if (key.empty()) return PutPlacedOrder(std::move(order), {}, req.request_id, std::move(respond), started);

  // The key (24 h, fsynced) is written beside the event, and the row and
  // the 202 wait for both. The local engine checks the key's condition
  // before it returns: a new key is queued (a retry racing this request
  // sees it) and the event goes out at once, without waiting for the key's
  // fsync. A key that exists (a retry) takes the slow path. Should a crash
  // keep the event and lose the key, the processor restores the key from
  // the event, or, if a retry has taken the key meanwhile, drops the event
  // (README.md).
  std::string idem_key = user->user_id + "#" + key;
  std::string fingerprint = common::Sha256Hex(req.body);
  auto placing = std::make_shared<Order>(std::move(order));
  auto answer = std::make_shared<Respond>(std::move(respond));
  auto slow_path = [this, placing, answer, idem_key, fingerprint, id = req.request_id] {
    Offload(id, std::move(*answer),
            [this, placing, idem_key, fingerprint, id](Respond respond) {
              PlaceUnderKey(std::move(*placing), idem_key, fingerprint, id, std::move(respond));
            },
            writes_.get());
  };
  auto key_write = std::make_shared<KeyWrite>();
  bool staged = false;
  bool queued = tables_->TryPutItemAsync(
      NewIdempotencyKey(idem_key, placing->id, fingerprint, clock_->NowMillis()),
      [key_write, slow_path](common::Result<table::WriteResult> written) {
        if (written.status().IsConditionFailed()) return slow_path();
        key_write->Finish(written.status());
      },
      &staged);
  if (!queued) return slow_path();
  if (!staged) {
    // Refused: the slow path answers a failed condition, this any other error.
    return key_write->Then([answer, id = req.request_id](const common::Status& s) { (*answer)(ProblemFor(s, id)); });
  }
  PutPlacedOrder(std::move(*placing), {idem_key, fingerprint, key_write}, req.request_id, std::move(*answer),
                 Lap(stages_.key, started));
}

void OrdersApi::PlaceUnderKey(Order order, const std::string& idem_key, const std::string& fingerprint,
                              const std::string& request_id, Respond respond) {
  table::WriteFailure failure;
  auto written = tables_->PutItem(NewIdempotencyKey(idem_key, order.id, fingerprint, clock_->NowMillis()), &failure);
  if (written.ok()) {
    return PutPlacedOrder(std::move(order), {idem_key, fingerprint, nullptr}, request_id, std::move(respond),
                          Clock::now());
  }
  if (!written.status().IsConditionFailed() || !failure.item) return respond(ProblemFor(written.status(), request_id));
  const table::Item& old = *failure.item;
  if (old.at("fingerprint").scalar() != fingerprint) {
    return respond(Problem(422, "Unprocessable Content", "this Idempotency-Key was used with a different request body",
                           request_id, "Idempotency-Key"));
  }
  std::string existing = old.at("orderId").scalar();
  auto current = LoadOrder(existing);
  if (!current.ok()) return respond(ProblemFor(current.status(), request_id));
  if (current->has_value()) return respond(Accepted(existing, (*current)->status));
  // No row yet: the first request is still on its way, or a crash kept its
  // key and lost its event. Place the order again under that id; the
  // processor decides an order once, so a second OrderPlaced for it is not
  // decided again. The key stays either way.
  order.id = existing;
  PutPlacedOrder(std::move(order), {}, request_id, std::move(respond), Clock::now());
}

void OrdersApi::PutPlacedOrder(Order order, PlacedUnder under, const std::string& request_id, Respond respond,
                               std::chrono::steady_clock::time_point since) {
  Event placed_event = PlacedEvent(order);
  placed_event.idempotency_key = under.key;
  placed_event.request_fingerprint = under.fingerprint;
  stream::PutEntry entry{order.id, std::nullopt, EncodeEvent(placed_event)};
  // The PLACED row, written once the event is durable (README.md). Built
  // here, not in the callback, which runs on the stream's commit thread.
  auto put = std::make_shared<table::PutItemRequest>();
  put->table_name = kOrdersTable;
  put->item = ToItem(order);
  put->condition_expression = "attribute_not_exists(id)";
  put->sync = false;  // the durable event rebuilds it: no fsync on the answer's path
  auto shared = std::make_shared<Respond>(std::move(respond));
  auto placed = std::make_shared<Order>(std::move(order));
  // Runs once the event's write and the key's are both done.
  auto decided = [this, put, shared, placed, idem_key = under.key, request_id, since](
                     const common::Status& event, const common::Status& key) {
    if (!event.ok()) {
      // Not accepted: forget the key so that a retry can place the order.
      if (!idem_key.empty() && key.ok()) {
        writes_->Post([this, idem_key] {
          table::DeleteItemRequest del;
          del.table_name = kIdempotencyTable;
          del.key = {{"key", AttributeValue::S(idem_key)}};
          (void)tables_->DeleteItem(del);
        });
      }
      return (*shared)(ProblemFor(event, request_id));
    }
    // The event is durable and the key is not: the processor restores the
    // key from the event, unless a retry takes it first (then the order is
    // the retry's). No row: this order may never be decided.
    if (!key.ok()) return (*shared)(ProblemFor(key, request_id));
    // The event is durable: the order exists. Write the PLACED row before
    // answering so that GET /api/orders/{id} finds it at once (README.md).
    auto answer = [this, shared, placed, durable = Lap(stages_.event, since)](
                      const common::Result<table::WriteResult>& written) {
      Lap(stages_.row, durable);
      if (written.ok()) {
        std::string update = StatusChangeJson(placed->id, placed->history.front());
        publish_("orders/" + placed->customer_id, update);
        publish_("admin/orders", update);
      } else if (!written.status().IsConditionFailed()) {
        // The processor writes the row from the event anyway.
        spdlog::warn("order {}: PLACED row not written: {}", placed->id, written.status().ToString());
      }
      (*shared)(Accepted(placed->id, OrderStatus::kPlaced));
    };
    // The local engine queues the write without blocking this (log commit
    // or table commit) thread and answers from the thread that writes it;
    // other clients block, so a writer thread waits for them.
    if (tables_->TryPutItemAsync(*put, answer)) return;
    // A full queue must not turn an accepted order into an error.
    bool queued = writes_->Post([this, put, answer] { answer(tables_->PutItem(*put)); });
    if (!queued) (*shared)(Accepted(placed->id, OrderStatus::kPlaced));
  };
  streams_->PutRecords(kOrdersStream, {std::move(entry)},
                       [decided, key_write = std::move(under.write)](
                           common::Result<std::vector<common::Result<stream::PutResult>>> r) {
                         common::Status event = r.ok() ? r->front().status() : r.status();
                         if (!key_write) return decided(event, common::Status::OK());
                         key_write->Then([decided, event](const common::Status& key) { decided(event, key); });
                       });
}

Response OrdersApi::ListMyOrders(Request& req) {
  auto user = auth_->Authenticate(req);
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  // The query's partition key is the caller's id, never the client's choice.
  if (!auth_->Allowed(&*user, "rivulet:ListOrders", OrderArn(user->user_id, "*"), user->user_id)) {
    return Problem(403, "Forbidden", "this account may not list orders", req.request_id);
  }
  std::string status, cursor;
  int limit = 0;
  Response error;
  if (!ListParams(req, &status, &limit, &cursor, &error)) return error;
  auto page = QueryOrders(tables_, kByCustomerIndex, "customerId", user->user_id, status, limit, cursor);
  if (!page.ok()) return ProblemFor(page.status(), req.request_id, "cursor");
  return Response::Json(200, PageJson(*page));
}

Response OrdersApi::GetOrder(Request& req) {
  auto user = auth_->Authenticate(req);
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  std::string id(req.PathParam("id"));
  auto order = LoadOrder(id);
  if (!order.ok()) return ProblemFor(order.status(), req.request_id);
  // An order the caller may not read is indistinguishable from a missing
  // one (404, same words): a 403 would confirm that a guessed id exists.
  if (!order->has_value() || !auth_->Allowed(&*user, "rivulet:GetOrder", OrderArn((*order)->customer_id, id),
                                             (*order)->customer_id)) {
    return Problem(404, "Not Found", "order '" + id.substr(0, 64) + "' does not exist", req.request_id);
  }
  return Response::Json(200, ToJson(**order));
}

void OrdersApi::CancelOrder(Request& req, Respond respond) {
  auto user = auth_->Authenticate(req);
  if (!user.ok()) return respond(ProblemFor(user.status(), req.request_id));
  std::string id(req.PathParam("id"));
  if (!req.body.empty() && req.body != "{}") {
    return respond(Problem(400, "Bad Request", "cancel takes no body", req.request_id));
  }
  auto order = LoadOrder(id);
  if (!order.ok()) return respond(ProblemFor(order.status(), req.request_id));
  if (!order->has_value() || !auth_->Allowed(&*user, "rivulet:CancelOrder", OrderArn((*order)->customer_id, id),
                                             (*order)->customer_id)) {
    return respond(Problem(404, "Not Found", "order '" + id.substr(0, 64) + "' does not exist", req.request_id));
  }
  const Order& current = **order;
  if (current.status == OrderStatus::kCancelled) return respond(Response::Json(200, ToJson(current)));
  if (!TransitionAllowed(current.status, OrderStatus::kCancelled, false)) {
    return respond(Problem(409, "Conflict",
                           "order is " + std::string(StatusName(current.status)) +
                               "; only orders not yet shipped can be cancelled",
                           req.request_id));
  }
  PutStatusRequest(current, OrderStatus::kCancelled, *user, "cancelled by the customer", req.request_id,
                   std::move(respond));
}

void OrdersApi::PutStatusRequest(const Order& current, OrderStatus to, const Principal& actor,
                                 const std::string& reason, const std::string& request_id, Respond respond) {
  Event event;
  event.type = "OrderStatusRequested";
  event.event_id = "r-" + RandomHex(10);
  event.at_millis = clock_->NowMillis();
  event.order_id = current.id;
  event.status = to;
  event.by_admin = actor.admin();
  event.actor = actor.user_id;
  event.reason = reason;
  // Customers' cancels wait for the processor to answer with the real outcome;
  // admins get 202 at once (docs/api.md).
  bool wait = to == OrderStatus::kCancelled && !actor.admin();
  auto outcome = std::make_shared<std::future<common::Result<Order>>>();
  if (wait) *outcome = waiters_->Expect(event.event_id);
  auto shared = std::make_shared<Respond>(std::move(respond));
  std::string event_id = event.event_id, order_id = current.id;
  streams_->PutRecords(
      kOrdersStream, {stream::PutEntry{current.id, std::nullopt, EncodeEvent(event)}},
      [this, shared, outcome, wait, to, event_id, order_id,
       request_id](common::Result<std::vector<common::Result<stream::PutResult>>> r) {
        common::Status s = r.ok() ? r->front().status() : r.status();
        if (!s.ok()) {
          if (wait) waiters_->Forget(event_id);
          return (*shared)(ProblemFor(s, request_id));
        }
        Response accepted = Response::Json(202, json{{"id", order_id}, {"status", StatusName(to)}}.dump());
        if (!wait) return (*shared)(std::move(accepted));
        bool queued = writes_->Post([this, shared, outcome, event_id, request_id, accepted]() mutable {
          if (outcome->wait_for(std::chrono::milliseconds(options_.cancel_wait_ms)) != std::future_status::ready) {
            waiters_->Forget(event_id);
            return (*shared)(std::move(accepted));  // durable; the WebSocket tells the rest
          }
          auto result = outcome->get();
          if (!result.ok()) return (*shared)(ProblemFor(result.status(), request_id));
          (*shared)(Response::Json(200, ToJson(*result)));
        });
        if (!queued) {
          waiters_->Forget(event_id);
          (*shared)(std::move(accepted));
        }
      });
}

void OrdersApi::AdminListOrders(Request& req, Respond respond) {
  std::string number = req.QueryParam("orderNumber").value_or("");
  if (number.empty()) return respond(AdminQueryOrders(req));
  auto user = Authorize(req, "rivulet:ListAllOrders", OrderArn("*", "*"), "this is for admins");
  if (!user.ok()) return respond(ProblemFor(user.status(), req.request_id));
  for (const char* other : {"customerId", "customerEmail", "status", "cursor"}) {
    if (req.QueryParam(other)) {
      return respond(Problem(400, "Bad Request", "orderNumber finds one order: give it without other filters or a cursor",
                             req.request_id, "orderNumber"));
    }
  }
  if (number.size() != 8 || !std::all_of(number.begin(), number.end(), [](unsigned char c) { return std::isxdigit(c); })) {
    return respond(Problem(400, "Bad Request", "orderNumber is the 8 letters and digits an email gives, e.g. 74161BC8",
                           req.request_id, "orderNumber"));
  }
  // It reads the key of every order (12-30 ms at 10,000 here): off the I/O thread.
  Offload(req.request_id, std::move(respond),
          [this, number = AsciiLower(number), request_id = req.request_id](Respond respond) {
            auto page = FindOrdersByNumber(tables_, number);
            respond(page.ok() ? Response::Json(200, PageJson(*page)) : ProblemFor(page.status(), request_id));
          });
}

Response OrdersApi::AdminQueryOrders(Request& req) {
  auto user = Authorize(req, "rivulet:ListAllOrders", OrderArn("*", "*"), "this is for admins");
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  std::string status, cursor;
  int limit = 0;
  Response error;
  if (!ListParams(req, &status, &limit, &cursor, &error)) return error;
  std::string customer = req.QueryParam("customerId").value_or("");
  if (!customer.empty() && !ValidId(customer)) {
    return Problem(400, "Bad Request", "customerId is malformed", req.request_id, "customerId");
  }
  if (std::string email = req.QueryParam("customerEmail").value_or(""); !email.empty()) {
    if (!customer.empty()) {
      return Problem(400, "Bad Request", "give customerId or customerEmail, not both", req.request_id,
                     "customerEmail");
    }
    if (email.size() > 254) {
      return Problem(400, "Bad Request", "customerEmail is longer than 254 characters", req.request_id,
                     "customerEmail");
    }
    auto id = auth_->UserIdForEmail(email);
    if (!id.ok()) return ProblemFor(id.status(), req.request_id);
    if (!*id) return Response::Json(200, PageJson(OrderPage{}));  // no such account: no orders
    customer = **id;
  }
  common::Result<OrderPage> page =
      !customer.empty() ? QueryOrders(tables_, kByCustomerIndex, "customerId", customer, status, limit, cursor)
      : !status.empty() ? QueryOrders(tables_, kByStatusIndex, "status", status, "", limit, cursor)
                        : QueryOrders(tables_, kByTimeIndex, "all", "all", "", limit, cursor);
  if (!page.ok()) return ProblemFor(page.status(), req.request_id, "cursor");
  return Response::Json(200, PageJson(*page));
}

void OrdersApi::AdminChangeStatus(Request& req, Respond respond) {
  // Decided before the order is loaded, so a non-admin learns nothing about the id.
  auto user = Authorize(req, "rivulet:ChangeOrderStatus", OrderArn("*", req.PathParam("id")), "this is for admins");
  if (!user.ok()) return respond(ProblemFor(user.status(), req.request_id));
  std::string field;
  auto change = ParseStatusChange(req.body, &field);
  if (!change.ok()) return respond(ProblemFor(change.status(), req.request_id, field));
  std::string id(req.PathParam("id"));
  auto order = LoadOrder(id);
  if (!order.ok()) return respond(ProblemFor(order.status(), req.request_id));
  if (!order->has_value()) {
    return respond(Problem(404, "Not Found", "order '" + id.substr(0, 64) + "' does not exist", req.request_id));
  }
  const Order& current = **order;
  if (current.status == change->status) {
    return respond(Response::Json(202, json{{"id", current.id}, {"status", StatusName(current.status)}}.dump()));
  }
  if (!TransitionAllowed(current.status, change->status, true)) {
    return respond(Problem(409, "Conflict",
                           "order is " + std::string(StatusName(current.status)) + "; it cannot become " +
                               std::string(StatusName(change->status)),
                           req.request_id, "status"));
  }
  std::string reason = change->reason.empty() && change->status == OrderStatus::kCancelled ? "cancelled by an admin"
                                                                                             : change->reason;
  PutStatusRequest(current, change->status, *user, reason, req.request_id, std::move(respond));
}

Response OrdersApi::AdminCustomer(Request& req) {
  std::string id(req.PathParam("id"));
  auto user = Authorize(req, "rivulet:GetCustomer", CustomerArn(id), "this is for admins");
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  if (!ValidId(id)) return Problem(404, "Not Found", "no such customer", req.request_id);
  auto customer = auth_->GetUser(id);
  if (!customer.ok()) return ProblemFor(customer.status(), req.request_id);
  auto page = QueryOrders(tables_, kByCustomerIndex, "customerId", id, "", 100, "");
  if (!page.ok()) return ProblemFor(page.status(), req.request_id);
  auto count = CountOrders(tables_, id);
  if (!count.ok()) return ProblemFor(count.status(), req.request_id);
  std::string body = "{\"customer\":" + PrincipalJson(*customer) + ",\"orderCount\":" + std::to_string(*count) +
                     ",\"orders\":[";
  for (size_t i = 0; i < page->items.size(); ++i) body += (i > 0 ? "," : "") + ToJson(page->items[i]);
  return Response::Json(200, body + "]}");
}

}  // namespace orders
