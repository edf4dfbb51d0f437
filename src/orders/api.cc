#include "orders/api.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "orders/api_policy.h"
#include "orders/openapi.h"
#include "orders/schema.h"
#include "orders/validation.h"

namespace orders {
namespace {

using gateway::Response;
using json = nlohmann::json;

std::string_view TitleFor(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 503: return "Service Unavailable";
    default: return status >= 500 ? "Internal Server Error" : "Error";
  }
}

}  // namespace

Response Problem(int status, std::string_view title, std::string_view detail, std::string_view request_id,
                 std::string_view field) {
  json j = {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}, {"requestId", request_id}};
  if (!field.empty()) j["field"] = field;
  Response r;
  r.status = status;
  r.body = j.dump(-1, ' ', false, json::error_handler_t::replace);
  r.headers.Set("Content-Type", "application/problem+json");
  return r;
}

Response ProblemFor(const common::Status& status, std::string_view request_id, std::string_view field) {
  int code = gateway::HttpStatusFor(status);
  if (code >= 500) {
    spdlog::error("request {}: {}", request_id, status.ToString());
    return Problem(code, TitleFor(code), "internal error; quote the request id when reporting it", request_id);
  }
  return Problem(code, TitleFor(code), status.message(), request_id, field);
}

OrdersApi::OrdersApi(table::TableClient* tables, stream::StreamClient* streams, SessionAuth* auth,
                     common::Clock* clock, Publisher publish, OutcomeWaiters* waiters, ApiOptions options)
    : tables_(tables),
      streams_(streams),
      auth_(auth),
      clock_(clock),
      publish_(std::move(publish)),
      waiters_(waiters),
      options_(options),
      stages_(AcceptStageHistograms()),
      catalog_(tables),
      work_(std::make_unique<WorkQueue>(options.worker_threads, options.max_queued, "api-work")),
      writes_(std::make_unique<WorkQueue>(options.write_threads, options.max_queued, "api-write")),
      login_throttle_(clock, options.login),
      signup_throttle_(clock, options.signup) {}

OrdersApi::~OrdersApi() {
  std::unique_lock lock(in_flight_mu_);
  if (!in_flight_cv_.wait_for(lock, std::chrono::seconds(30), [this] { return in_flight_ == 0; })) {
    spdlog::error("orders api: {} requests still unanswered 30 s after the server stopped", in_flight_);
  }
}

gateway::Respond OrdersApi::Tracked(Respond respond) {
  {
    std::lock_guard lock(in_flight_mu_);
    ++in_flight_;
  }
  // Released with the last copy of the answer, whichever thread drops it.
  std::shared_ptr<void> token(nullptr, [this](void*) {
    std::lock_guard lock(in_flight_mu_);
    if (--in_flight_ == 0) in_flight_cv_.notify_all();
  });
  return [respond = std::move(respond), token = std::move(token)](Response response) { respond(std::move(response)); };
}

common::Status OrdersApi::Register(gateway::Router* router) {
  auto async = [this](void (OrdersApi::*fn)(Request&, Respond)) {
    return [this, fn](Request& req, Respond respond) {
      if (before_each_) {
        common::Status s = before_each_();
        if (!s.ok()) return respond(ProblemFor(s, req.request_id));
      }
      (this->*fn)(req, Tracked(std::move(respond)));
    };
  };
  auto sync = [this](Response (OrdersApi::*fn)(Request&)) {
    return gateway::Sync([this, fn](Request& req) {
      if (before_each_) {
        common::Status s = before_each_();
        if (!s.ok()) return ProblemFor(s, req.request_id);
      }
      return (this->*fn)(req);
    });
  };
  RETURN_IF_ERROR(router->Add("POST", "/api/auth/signup", async(&OrdersApi::SignUp)));
  RETURN_IF_ERROR(router->Add("POST", "/api/auth/login", async(&OrdersApi::Login)));
  RETURN_IF_ERROR(router->Add("POST", "/api/auth/logout", async(&OrdersApi::Logout)));
  RETURN_IF_ERROR(router->Add("GET", "/api/auth/me", sync(&OrdersApi::Me)));
  RETURN_IF_ERROR(router->Add("GET", "/api/products", sync(&OrdersApi::ListProducts)));
  RETURN_IF_ERROR(router->Add("GET", "/api/products/{id}", sync(&OrdersApi::GetProduct)));
  RETURN_IF_ERROR(router->Add("GET", "/api/categories", sync(&OrdersApi::Categories)));
  RETURN_IF_ERROR(router->Add("POST", "/api/orders", async(&OrdersApi::PlaceOrder)));
  RETURN_IF_ERROR(router->Add("GET", "/api/orders", sync(&OrdersApi::ListMyOrders)));
  RETURN_IF_ERROR(router->Add("GET", "/api/orders/{id}", sync(&OrdersApi::GetOrder)));
  RETURN_IF_ERROR(router->Add("POST", "/api/orders/{id}/cancel", async(&OrdersApi::CancelOrder)));
  RETURN_IF_ERROR(router->Add("GET", "/api/admin/orders", async(&OrdersApi::AdminListOrders)));
  RETURN_IF_ERROR(router->Add("POST", "/api/admin/orders/{id}/status", async(&OrdersApi::AdminChangeStatus)));
  RETURN_IF_ERROR(router->Add("GET", "/api/admin/customers/{id}", sync(&OrdersApi::AdminCustomer)));
  RETURN_IF_ERROR(router->Add("GET", "/api/admin/products/low-stock", sync(&OrdersApi::AdminLowStock)));
  RETURN_IF_ERROR(router->Add("POST", "/api/admin/products/{id}/restock", async(&OrdersApi::AdminRestock)));
  RETURN_IF_ERROR(router->Add("POST", "/api/events", async(&OrdersApi::PostEvent)));
  RETURN_IF_ERROR(router->Add("GET", "/api/analytics/summary", sync(&OrdersApi::Summary)));
  RETURN_IF_ERROR(router->Add("GET", "/api/openapi.json", gateway::Sync([](Request&) {
    return Response::Json(200, std::string(OpenApiJson()));
  })));
  return common::Status::OK();
}

common::Result<Principal> OrdersApi::Authorize(const Request& req, std::string_view action,
                                               std::string_view resource, std::string_view denied,
                                               std::string_view leading_key) {
  ASSIGN_OR_RETURN(Principal user, auth_->Authenticate(req));
  if (!auth_->Allowed(&user, action, resource, leading_key)) return common::Status::PermissionDenied(std::string(denied));
  return user;
}

std::optional<Response> OrdersApi::Public(const Request& req, std::string_view action, std::string_view resource) {
  if (auth_->Allowed(nullptr, action, resource)) return std::nullopt;
  return Problem(403, "Forbidden", "this needs a signed-in user", req.request_id);
}

void OrdersApi::Offload(const std::string& request_id, Respond respond, std::function<void(Respond)> task,
                        WorkQueue* queue) {
  auto shared = std::make_shared<Respond>(std::move(respond));
  bool queued = (queue != nullptr ? queue : work_.get())->Post([shared, task = std::move(task)] { task(std::move(*shared)); });
  if (!queued) (*shared)(Problem(503, "Service Unavailable", "the server is overloaded; retry shortly", request_id));
}

// --- auth -------------------------------------------------------------------

namespace {

// 429 with Retry-After: "<what>; try again in <seconds> s".
Response TooMany(std::string_view what, int64_t seconds, std::string_view request_id) {
  Response r = Problem(429, "Too Many Requests",
                       std::string(what) + "; try again in " + std::to_string(seconds) + " s", request_id);
  r.headers.Set("Retry-After", std::to_string(seconds));
  return r;
}

Response TooManySignIns(int64_t seconds, std::string_view request_id) {
  return TooMany("too many failed sign-ins for this account or from this address", seconds, request_id);
}

}  // namespace

void OrdersApi::SignUp(Request& req, Respond respond) {
  if (!auth_->Allowed(nullptr, "rivulet:SignUp", ShopArn("customer/*"))) {
    return respond(Problem(403, "Forbidden", "sign-up is closed", req.request_id));
  }
  std::string field;
  auto parsed = ParseSignup(req.body, &field);
  if (!parsed.ok()) return respond(ProblemFor(parsed.status(), req.request_id, field));
  // Counted here, on the I/O thread, before any hashing: a refused sign-up
  // costs no argon2 time, and concurrent ones cannot all pass one check.
  if (int wait = signup_throttle_.Acquire(req.remote_addr); wait > 0) {
    return respond(TooMany("too many sign-ups from this address", wait, req.request_id));
  }
  Offload(req.request_id, std::move(respond),
          [this, request = std::move(parsed).value(), id = req.request_id, tls = req.tls](Respond respond) {
            auto user = auth_->SignUp(request);
            if (!user.ok()) {
              return respond(ProblemFor(user.status(), id, user.status().code() == common::Status::Code::kAlreadyExists ? "email" : ""));
            }
            auto token = auth_->CreateSession(*user);
            if (!token.ok()) return respond(ProblemFor(token.status(), id));
            Response r = Response::Json(201, PrincipalJson(*user));
            r.headers.Add("Set-Cookie", auth_->SessionCookie(*token, tls));
            respond(std::move(r));
          });
}

void OrdersApi::Login(Request& req, Respond respond) {
  std::string field;
  auto parsed = ParseLogin(req.body, &field);
  if (!parsed.ok()) return respond(ProblemFor(parsed.status(), req.request_id, field));
  if (!auth_->Allowed(nullptr, "rivulet:SignIn", ShopArn("session"))) {
    return respond(Problem(403, "Forbidden", "sign-in is closed", req.request_id));
  }
  // Refused before any hashing: a locked-out guesser costs no argon2 time.
  if (int64_t wait = login_throttle_.RetryAfter(parsed->email, req.remote_addr); wait > 0) {
    return respond(TooManySignIns(wait, req.request_id));
  }
  Offload(req.request_id, std::move(respond),
          [this, request = std::move(parsed).value(), id = req.request_id, ip = req.remote_addr,
           tls = req.tls](Respond respond) {
            // Again here: attempts queued together all passed the first check.
            if (int64_t wait = login_throttle_.RetryAfter(request.email, ip); wait > 0) {
              return respond(TooManySignIns(wait, id));
            }
            auto user = auth_->Login(request);
            if (!user.ok()) {
              if (user.status().code() == common::Status::Code::kUnauthenticated) {
                login_throttle_.RecordFailure(request.email, ip);
              }
              return respond(ProblemFor(user.status(), id));
            }
            login_throttle_.RecordSuccess(request.email);
            auto token = auth_->CreateSession(*user);
            if (!token.ok()) return respond(ProblemFor(token.status(), id));
            Response r = Response::Json(200, PrincipalJson(*user));
            r.headers.Add("Set-Cookie", auth_->SessionCookie(*token, tls));
            respond(std::move(r));
          });
}

void OrdersApi::Logout(Request& req, Respond respond) {
  // The Request stays valid until respond runs, so the worker may read it.
  Offload(req.request_id, std::move(respond), [this, &req](Respond respond) {
    common::Status s = auth_->Logout(req);
    if (!s.ok()) return respond(ProblemFor(s, req.request_id));
    Response r;
    r.status = 204;
    r.headers.Add("Set-Cookie", auth_->ClearedCookie(req.tls));
    respond(std::move(r));
  });
}

Response OrdersApi::Me(Request& req) {
  auto user = auth_->Authenticate(req);
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  if (!auth_->Allowed(&*user, "rivulet:GetProfile", CustomerArn(user->user_id))) {
    return Problem(403, "Forbidden", "this account may not read its profile", req.request_id);
  }
  return Response::Json(200, PrincipalJson(*user));
}

// --- catalog ----------------------------------------------------------------

Response OrdersApi::ListProducts(Request& req) {
  if (auto denied = Public(req, "rivulet:ListProducts", ShopArn("product/*"))) return *denied;
  auto limit = req.IntQueryParam("limit", 20, 1, 100);
  if (!limit.ok()) return ProblemFor(limit.status(), req.request_id, "limit");
  std::string search = req.QueryParam("search").value_or("");
  std::string category = req.QueryParam("category").value_or("");
  std::string cursor = req.QueryParam("cursor").value_or("");
  if (search.size() > 200) return Problem(400, "Bad Request", "search is longer than 200 characters", req.request_id, "search");
  if (category.size() > 100) return Problem(400, "Bad Request", "category is longer than 100 characters", req.request_id, "category");
  if (!cursor.empty() && !ValidId(cursor)) return Problem(400, "Bad Request", "cursor is malformed", req.request_id, "cursor");
  auto page = catalog_.List(search, category, static_cast<int>(*limit), cursor);
  if (!page.ok()) return ProblemFor(page.status(), req.request_id);
  std::string next = page->next_cursor.empty() ? "null" : json(page->next_cursor).dump();
  std::string body = "{\"items\":" + ProductsJson(page->items) + ",\"nextCursor\":" + next + "}";
  return Response::Json(200, std::move(body));
}

Response OrdersApi::GetProduct(Request& req) {
  std::string id(req.PathParam("id"));
  if (auto denied = Public(req, "rivulet:GetProduct", ShopArn("product/" + id))) return *denied;
  if (!ValidId(id)) return Problem(404, "Not Found", "no such product", req.request_id);
  auto product = catalog_.Get(id);
  if (!product.ok()) return ProblemFor(product.status(), req.request_id);
  return Response::Json(200, ProductJson(*product));
}

Response OrdersApi::AdminLowStock(Request& req) {
  auto user = Authorize(req, "rivulet:ListLowStock", ShopArn("product/*"), "this is for admins");
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  auto threshold = req.IntQueryParam("threshold", 10, 0, kMaxStock);
  if (!threshold.ok()) return ProblemFor(threshold.status(), req.request_id, "threshold");
  auto limit = req.IntQueryParam("limit", 10, 1, 100);
  if (!limit.ok()) return ProblemFor(limit.status(), req.request_id, "limit");
  auto low = catalog_.LowStock(*threshold, static_cast<int>(*limit));
  if (!low.ok()) return ProblemFor(low.status(), req.request_id);
  std::string body = "{\"items\":" + ProductsJson(low->items) +
                     fmt::format(",\"total\":{},\"threshold\":{}}}", low->total, *threshold);
  return Response::Json(200, std::move(body));
}

void OrdersApi::AdminRestock(Request& req, Respond respond) {
  std::string id(req.PathParam("id"));
  auto user = Authorize(req, "rivulet:RestockProduct", ShopArn("product/" + id), "this is for admins");
  if (!user.ok()) return respond(ProblemFor(user.status(), req.request_id));
  std::string field;
  auto restock = ParseRestock(req.body, &field);
  if (!restock.ok()) return respond(ProblemFor(restock.status(), req.request_id, field));
  if (!ValidId(id)) return respond(Problem(404, "Not Found", "no such product", req.request_id));
  // The update waits for its fsync: not on the I/O thread.
  Offload(
      req.request_id, std::move(respond),
      [this, id, quantity = restock->quantity, admin = user->user_id, request_id = req.request_id](Respond respond) {
        auto product = catalog_.Restock(id, quantity);
        if (!product.ok()) {
          std::string_view field = product.status().IsConditionFailed() ? "quantity" : "";
          return respond(ProblemFor(product.status(), request_id, field));
        }
        spdlog::info("audit principal=shop-user/{} action=rivulet:RestockProduct resource=product/{} quantity={} "
                     "stock={}", admin, id, quantity, product->stock);
        respond(Response::Json(200, ProductJson(*product)));
      },
      writes_.get());
}

Response OrdersApi::Categories(Request& req) {
  if (auto denied = Public(req, "rivulet:ListCategories", ShopArn("category/*"))) return *denied;
  auto body = catalog_.CategoriesJson();
  if (!body.ok()) return ProblemFor(body.status(), req.request_id);
  return Response::Json(200, std::move(body).value());
}

// --- activity and analytics ---------------------------------------------------

void OrdersApi::PostEvent(Request& req, Respond respond) {
  std::string field;
  auto event = ParseActivityEvent(req.body, &field);
  if (!event.ok()) return respond(ProblemFor(event.status(), req.request_id, field));
  // Anonymous visitors count for the funnel too; signed-in ones carry their id.
  auto user = auth_->Authenticate(req);
  if (!auth_->Allowed(user.ok() ? &*user : nullptr, "rivulet:PostEvent", ShopArn("activity"))) {
    return respond(Problem(403, "Forbidden", "events are not accepted from this caller", req.request_id));
  }
  std::string user_id = user.ok() ? user->user_id : "";
  int64_t now = clock_->NowMillis();
  json j = {{"type", event->type}, {"eventId", "a-" + RandomHex(8)}, {"at", now}};
  if (!event->product_id.empty()) j["productId"] = event->product_id;
  if (!user_id.empty()) j["userId"] = user_id;
  stream::PutEntry entry{user_id.empty() ? RandomHex(8) : user_id, std::nullopt, j.dump()};
  auto shared = std::make_shared<Respond>(std::move(respond));
  streams_->PutRecords(kActivityStream, {std::move(entry)},
                       [shared, id = req.request_id](common::Result<std::vector<common::Result<stream::PutResult>>> r) {
                         common::Status s = r.ok() ? r->front().status() : r.status();
                         if (!s.ok()) return (*shared)(ProblemFor(s, id));
                         (*shared)(Response::Json(202, "{}"));
                       });
}

Response OrdersApi::Summary(Request& req) {
  auto user = Authorize(req, "rivulet:GetAnalytics", ShopArn("analytics"), "analytics are for admins");
  if (!user.ok()) return ProblemFor(user.status(), req.request_id);
  std::string range = req.QueryParam("range").value_or("5m");
  if (range != "5m" && range != "1h" && range != "24h") {
    return Problem(400, "Bad Request", "range must be 5m, 1h or 24h", req.request_id, "range");
  }
  if (!summary_) return Problem(503, "Service Unavailable", "analytics are not running", req.request_id);
  auto body = summary_(range);
  if (!body.ok()) return ProblemFor(body.status(), req.request_id);
  return Response::Json(200, std::move(body).value());
}

}  // namespace orders
