#include "orders/api_keys.h"

#include <openssl/crypto.h>

#include <algorithm>
#include <chrono>
#include <cmath>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "common/sha256.h"
#include "common/thread_name.h"
#include "orders/api.h"
#include "orders/api_policy.h"
#include "orders/model.h"

namespace orders {
namespace {

using common::Status;
using gateway::Response;
using json = nlohmann::json;
using table::AttributeValue;

constexpr int64_t kDayMillis = 24 * 3600 * 1000;
constexpr size_t kIdHex = 16, kSecretHex = 48;

bool IsHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "rvk_<id>_<secret>" -> id; "" when the key is not of that shape.
std::string IdOf(std::string_view key) {
  if (key.size() != 4 + kIdHex + 1 + kSecretHex || !key.starts_with("rvk_") || key[4 + kIdHex] != '_') return "";
  std::string_view id = key.substr(4, kIdHex), secret = key.substr(5 + kIdHex);
  return IsHex(id) && IsHex(secret) ? std::string(id) : "";
}

json PlanJson(const UsagePlan& p) {
  return {{"rateLimit", p.rate_limit}, {"burstLimit", p.burst_limit}, {"quotaPerDay", p.quota_per_day}};
}


std::string GetS(const table::Item& item, const char* name) {
  auto it = item.find(name);
  return it != item.end() ? it->second.scalar() : "";
}

ApiKeyInfo KeyFromItem(const table::Item& item) {
  ApiKeyInfo info;
  info.id = GetS(item, "id");
  info.name = GetS(item, "name");
  info.created_by = GetS(item, "createdBy");
  auto num = [&](const char* name, double def) {
    std::string v = GetS(item, name);
    char* end = nullptr;
    double d = v.empty() ? def : std::strtod(v.c_str(), &end);
    return std::isfinite(d) ? d : def;
  };
  info.plan.rate_limit = num("rateLimit", 10);
  info.plan.burst_limit = num("burstLimit", 20);
  info.plan.quota_per_day = static_cast<int64_t>(num("quotaPerDay", 0));
  info.created_millis = static_cast<int64_t>(num("createdMillis", 0));
  return info;
}

std::string Num(double v) {
  json j = v;
  return j.dump();
}

// The usage item's id: "usage/<key id>/<YYYY-MM-DD>" (never a key's id,
// which is 16 hex digits).
std::string UsageId(const std::string& id, int64_t day) {
  return "usage/" + id + "/" + FormatTime(day * kDayMillis).substr(0, 10);
}

int64_t UsedOf(const table::Item& item) {
  auto it = item.find("used");
  if (it == item.end()) return 0;
  const std::string& v = it->second.scalar();
  return std::strtoll(v.c_str(), nullptr, 10);
}

Response KeyProblem(int status, std::string_view detail, const gateway::Request& request) {
  return Problem(status, status == 429 ? "Too Many Requests" : "Forbidden", detail, request.request_id);
}

}  // namespace

common::Result<UsagePlan> ParseUsagePlan(std::string_view text, std::string* field) {
  UsagePlan plan;
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) {
    *field = "usagePlan";
    return Status::InvalidArgument("usagePlan must be an object {rateLimit, burstLimit, quotaPerDay}");
  }
  for (const auto& [k, v] : j.items()) {
    *field = "usagePlan." + k;
    if (k != "rateLimit" && k != "burstLimit" && k != "quotaPerDay") {
      return Status::InvalidArgument("usagePlan has an unknown field '" + k.substr(0, 40) + "'");
    }
    if (!v.is_number()) return Status::InvalidArgument(*field + " must be a number");
    double d = v.get<double>();
    if (k == "rateLimit" && !(d > 0 && d <= 100000)) return Status::InvalidArgument("rateLimit must be > 0 and <= 100000");
    if (k == "burstLimit" && !(d >= 1 && d <= 1000000)) return Status::InvalidArgument("burstLimit must be 1..1000000");
    if (k == "quotaPerDay" && !(d >= 0 && d <= 1e12 && d == std::floor(d))) {
      return Status::InvalidArgument("quotaPerDay must be a whole number 0..1000000000000 (0: no quota)");
    }
    if (k == "rateLimit") plan.rate_limit = d;
    if (k == "burstLimit") plan.burst_limit = d;
    if (k == "quotaPerDay") plan.quota_per_day = static_cast<int64_t>(d);
  }
  field->clear();
  return plan;
}

ApiKeys::ApiKeys(table::TableClient* tables, common::Clock* clock, Options options)
    : tables_(tables), clock_(clock), options_(std::move(options)) {
  if (options_.flush_ms > 0) flusher_ = std::thread([this] {
    common::NameThisThread("apikey-flush");
    FlushLoop();
  });
}

ApiKeys::~ApiKeys() { Stop(); }

void ApiKeys::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  stop_cv_.notify_all();
  if (flusher_.joinable()) flusher_.join();
  Flush();  // what was counted since the last one
}

void ApiKeys::FlushLoop() {
  std::unique_lock lock(stop_mu_);
  while (!stop_cv_.wait_for(lock, std::chrono::milliseconds(options_.flush_ms), [this] { return stopping_; })) {
    lock.unlock();
    Flush();
    lock.lock();
  }
}

common::Result<int64_t> ApiKeys::ReadUsage(const std::string& id, int64_t day) {
  table::GetItemRequest get;
  get.table_name = kApiKeysTable;
  get.key = {{"id", AttributeValue::S(UsageId(id, day))}};
  ASSIGN_OR_RETURN(auto item, tables_->GetItem(get));
  return item ? UsedOf(*item) : 0;
}

common::Result<int64_t> ApiKeys::AddUsage(const std::string& id, int64_t day, int64_t n) {
  table::UpdateItemRequest update;
  update.table_name = kApiKeysTable;
  update.key = {{"id", AttributeValue::S(UsageId(id, day))}};
  // ADD creates the item and the counter at 0 when absent; nodes' additions
  // never overwrite each other. The TTL removes it two days later.
  update.update_expression = "ADD #u :n SET #e = :e";
  update.attributes.names = {{"#u", "used"}, {"#e", "expiresAt"}};
  update.attributes.values = {{":n", AttributeValue::N(std::to_string(n))},
                              {":e", AttributeValue::N(std::to_string((day + 2) * (kDayMillis / 1000)))}};
  update.return_values = table::ReturnValues::kUpdatedNew;
  ASSIGN_OR_RETURN(table::WriteResult result, tables_->UpdateItem(update));
  return result.attributes ? UsedOf(*result.attributes) : n;
}

void ApiKeys::Flush() {
  std::lock_guard flushing(flush_mu_);
  struct Work {
    std::string id;
    int64_t day;
    int64_t n;  // 0: only re-read the total
  };
  std::vector<Work> work;
  int64_t now = clock_->NowMillis();
  {
    std::lock_guard lock(mu_);
    for (auto& [id, e] : entries_) {
      if (e.pending > 0) {
        work.push_back({id, e.day, e.pending});
        e.in_flight += e.pending;
        e.pending = 0;
      } else if (e.in_flight == 0 && e.plan.quota_per_day > 0 && now - e.last_used_ms < 60'000) {
        // Used here lately: other nodes' use shows within a flush interval.
        work.push_back({id, e.day, 0});
      }
    }
  }
  for (const Work& w : work) {
    auto total = w.n > 0 ? AddUsage(w.id, w.day, w.n) : ReadUsage(w.id, w.day);
    std::lock_guard lock(mu_);
    auto it = entries_.find(w.id);
    // A key deleted, or a day that ended, meanwhile: its counts no longer matter.
    if (it == entries_.end() || it->second.day != w.day) continue;
    Entry& e = it->second;
    e.in_flight -= w.n;
    if (total.ok()) {
      e.stored = std::max(e.stored, *total);
    } else {
      e.pending += w.n;  // tried again at the next flush
      spdlog::warn("api keys: counting the use of key {} in {} failed: {}", w.id, kApiKeysTable,
                   total.status().ToString());
    }
  }
}

Status ApiKeys::EnsureTable() {
  std::lock_guard lock(table_mu_);
  if (table_ready_) return Status::OK();
  table::CreateTableRequest create{kApiKeysTable, {{"id", table::KeyType::kHash}}, {{"id", AttributeValue::Type::kS}}, {}};
  auto created = tables_->CreateTable(create);
  if (!created.ok() && created.status().code() != Status::Code::kResourceInUse) return created.status();
  // Usage items expire (tables created before they existed get the TTL too).
  ASSIGN_OR_RETURN(table::TableDescription desc, tables_->DescribeTable(kApiKeysTable));
  if (desc.ttl_attribute.empty()) {
    // Remote tables do not report their TTL here, and another node may have
    // turned it on meanwhile ("already enabled"): only other errors are worth
    // a warning, and without a TTL old usage items merely stay.
    Status ttl = tables_->UpdateTimeToLive(kApiKeysTable, "expiresAt");
    if (!ttl.ok() && ttl.code() != Status::Code::kInvalidArgument) {
      spdlog::warn("api keys: turning on the TTL of {} failed: {}", kApiKeysTable, ttl.ToString());
    }
  }
  table_ready_ = true;
  return Status::OK();
}

common::Result<std::pair<ApiKeyInfo, std::string>> ApiKeys::Create(const std::string& name, const UsagePlan& plan,
                                                                   const std::string& created_by) {
  RETURN_IF_ERROR(EnsureTable());
  ApiKeyInfo info;
  info.id = RandomHex(kIdHex / 2);
  info.name = name;
  info.plan = plan;
  info.created_millis = clock_->NowMillis();
  info.created_by = created_by;
  std::string key = "rvk_" + info.id + "_" + RandomHex(kSecretHex / 2);
  table::PutItemRequest put;
  put.table_name = kApiKeysTable;
  put.item = {{"id", AttributeValue::S(info.id)},
              {"keyHash", AttributeValue::S(common::Sha256Hex(key))},
              {"name", AttributeValue::S(name)},
              {"rateLimit", AttributeValue::N(Num(plan.rate_limit))},
              {"burstLimit", AttributeValue::N(Num(plan.burst_limit))},
              {"quotaPerDay", AttributeValue::N(std::to_string(plan.quota_per_day))},
              {"createdMillis", AttributeValue::N(std::to_string(info.created_millis))},
              {"createdBy", AttributeValue::S(created_by)}};
  put.condition_expression = "attribute_not_exists(id)";
  RETURN_IF_ERROR(tables_->PutItem(put).status());
  return std::make_pair(info, key);
}

common::Result<std::vector<ApiKeyInfo>> ApiKeys::List() {
  RETURN_IF_ERROR(EnsureTable());
  std::vector<ApiKeyInfo> out;
  table::ScanRequest scan;
  scan.table_name = kApiKeysTable;
  do {
    ASSIGN_OR_RETURN(table::QueryResult page, tables_->Scan(scan));
    for (const auto& item : page.items) {
      if (item.count("keyHash") != 0) out.push_back(KeyFromItem(item));  // not the usage items
    }
    scan.exclusive_start_key = page.last_evaluated_key;
  } while (scan.exclusive_start_key);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.created_millis < b.created_millis; });
  return out;
}

Status ApiKeys::Delete(const std::string& id) {
  RETURN_IF_ERROR(EnsureTable());
  table::DeleteItemRequest del;
  del.table_name = kApiKeysTable;
  del.key = {{"id", AttributeValue::S(id)}};
  del.condition_expression = "attribute_exists(id)";
  Status s = tables_->DeleteItem(del).status();
  if (s.IsConditionFailed()) return Status::NotFound("API key '" + id.substr(0, 40) + "' does not exist");
  RETURN_IF_ERROR(s);
  std::lock_guard lock(mu_);
  entries_.erase(id);
  return Status::OK();
}

int64_t ApiKeys::UsedToday(const std::string& id) {
  int64_t day = clock_->NowMillis() / kDayMillis;
  auto stored = ReadUsage(id, day);
  int64_t total = stored.ok() ? *stored : 0;
  std::lock_guard lock(mu_);
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.day != day) return total;
  const Entry& e = it->second;
  // A flush whose addition reached the table may not have moved in_flight
  // into stored yet: count it once.
  return std::max(total, e.stored + e.in_flight) + e.pending;
}

common::Result<ApiKeys::Entry*> ApiKeys::Find(const std::string& id, int64_t now, std::unique_lock<std::mutex>& lock) {
  auto it = entries_.find(id);
  if (it != entries_.end() && now - it->second.checked_ms < options_.recheck_ms) return &it->second;
  table::GetItemRequest get;
  get.table_name = kApiKeysTable;
  get.key = {{"id", AttributeValue::S(id)}};
  // Read without the lock: a slow table read must not stall other keys' checks.
  bool loaded = it != entries_.end();
  int64_t day = now / kDayMillis;
  lock.unlock();
  auto item = tables_->GetItem(get);
  // A key new to this node: what the other nodes (or this one before a
  // restart) used today.
  common::Result<int64_t> used = 0;
  if (!loaded && item.ok() && item->has_value()) used = ReadUsage(id, day);
  lock.lock();
  it = entries_.find(id);  // another request may have loaded or dropped it meanwhile
  if (!item.ok()) {
    // No table yet: no key was ever created, so none is valid.
    if (item.status().IsNotFound()) return static_cast<Entry*>(nullptr);
    return item.status();
  }
  if (!item->has_value()) {
    if (it != entries_.end()) entries_.erase(it);
    return static_cast<Entry*>(nullptr);
  }
  ApiKeyInfo info = KeyFromItem(**item);
  std::string hash = GetS(**item, "keyHash");
  if (it == entries_.end()) {
    if (!used.ok()) return used.status();
    Entry entry{.key_hash = hash,
                .plan = info.plan,
                .checked_ms = now,
                .bucket = gateway::TokenBucket(info.plan.burst_limit, info.plan.rate_limit, clock_),
                .day = day,
                .stored = *used};
    it = entries_.emplace(id, std::move(entry)).first;
  } else {
    it->second.key_hash = hash;
    it->second.checked_ms = now;
  }
  return &it->second;
}

std::optional<Response> ApiKeys::Check(gateway::Request& request) {
  bool presented = request.headers.Has("X-Api-Key");
  if (!presented) {
    std::string route = request.method + " " + request.route;
    if (options_.required_routes.count(route) == 0) return std::nullopt;
    return KeyProblem(403, "this route needs an API key in the x-api-key header", request);
  }
  std::string_view key = request.Header("X-Api-Key");
  std::string id = IdOf(key);
  if (id.empty()) return KeyProblem(403, "the x-api-key header does not hold a valid API key", request);
  int64_t now = clock_->NowMillis();
  std::unique_lock lock(mu_);
  auto found = Find(id, now, lock);
  if (!found.ok()) return ProblemFor(found.status(), request.request_id);
  Entry* entry = *found;
  std::string hash = common::Sha256Hex(key);
  if (entry == nullptr || entry->key_hash.size() != hash.size() ||
      CRYPTO_memcmp(entry->key_hash.data(), hash.data(), hash.size()) != 0) {
    spdlog::info("audit principal=apikey/{} action=UseApiKey resource={} decision=denied reason=\"unknown key\"", id,
                 request.path);
    return KeyProblem(403, "the x-api-key header does not hold a valid API key", request);
  }
  int64_t day = now / kDayMillis;
  if (entry->day != day) {
    // A new UTC day: yesterday's unflushed counts no longer matter, and the
    // next flush reads what other nodes have counted today.
    entry->day = day;
    entry->stored = entry->in_flight = entry->pending = 0;
  }
  entry->last_used_ms = now;
  if (entry->plan.quota_per_day > 0 &&
      entry->stored + entry->in_flight + entry->pending >= entry->plan.quota_per_day) {
    int64_t wait = ((day + 1) * kDayMillis - now + 999) / 1000;
    Response r = KeyProblem(429, "this API key's daily quota of " + std::to_string(entry->plan.quota_per_day) +
                                     " requests is used up; it renews at 00:00 UTC",
                            request);
    r.headers.Set("Retry-After", std::to_string(std::max<int64_t>(1, wait)));
    return r;
  }
  if (!entry->bucket.TryConsume(1)) {
    int64_t wait = std::max<int64_t>(1, (entry->bucket.MicrosUntil(1) + 999'999) / 1'000'000);
    Response r = KeyProblem(429, "this API key's rate limit is exceeded; retry in " + std::to_string(wait) + " s",
                            request);
    r.headers.Set("Retry-After", std::to_string(wait));
    return r;
  }
  ++entry->pending;
  request.principal_id = "apikey/" + id;
  return std::nullopt;
}

common::Status ApiKeys::Register(gateway::Router* router, Authenticator* auth) {
  // The admin's id when the caller may manage keys; the problem otherwise.
  auto admin = [auth](const gateway::Request& req, const std::string& resource) -> common::Result<Principal> {
    ASSIGN_OR_RETURN(Principal user, auth->Authenticate(req));
    if (!auth->Allowed(&user, "rivulet:ManageApiKeys", resource)) {
      return Status::PermissionDenied("API keys are managed by admins");
    }
    return user;
  };
  RETURN_IF_ERROR(router->Add("POST", "/api/admin/api-keys", gateway::Sync([this, admin](gateway::Request& req) {
    auto user = admin(req, ShopArn("api-key/*"));
    if (!user.ok()) return ProblemFor(user.status(), req.request_id);
    json body = json::parse(req.body.empty() ? std::string_view("{}") : std::string_view(req.body), nullptr, false);
    if (body.is_discarded() || !body.is_object()) return Problem(400, "Bad Request", "the body must be a JSON object", req.request_id);
    for (const auto& [k, v] : body.items()) {
      if (k != "name" && k != "usagePlan") return Problem(400, "Bad Request", "unknown field '" + k.substr(0, 40) + "'", req.request_id, k.substr(0, 40));
    }
    if (!body.contains("name") || !body["name"].is_string() || body["name"].get<std::string>().empty() ||
        body["name"].get<std::string>().size() > 100) {
      return Problem(400, "Bad Request", "name must be a string of 1..100 characters", req.request_id, "name");
    }
    UsagePlan plan;
    if (body.contains("usagePlan")) {
      std::string field;
      auto parsed = ParseUsagePlan(body["usagePlan"].dump(), &field);
      if (!parsed.ok()) return ProblemFor(parsed.status(), req.request_id, field);
      plan = *parsed;
    }
    auto created = Create(body["name"].get<std::string>(), plan, user->user_id);
    if (!created.ok()) return ProblemFor(created.status(), req.request_id);
    const auto& [info, key] = *created;
    spdlog::info("audit principal=shop-user/{} action=rivulet:CreateApiKey resource=api-key/{} decision=allowed",
                 user->user_id, info.id);
    json out = {{"id", info.id}, {"name", info.name}, {"key", key}, {"usagePlan", PlanJson(info.plan)},
                {"createdAt", FormatTime(info.created_millis)}};
    Response r = Response::Json(201, out.dump(-1, ' ', false, json::error_handler_t::replace));
    r.headers.Set("Cache-Control", "no-store");
    r.headers.Set("Location", "/api/admin/api-keys/" + info.id);
    return r;
  })));
  RETURN_IF_ERROR(router->Add("GET", "/api/admin/api-keys", gateway::Sync([this, admin](gateway::Request& req) {
    auto user = admin(req, ShopArn("api-key/*"));
    if (!user.ok()) return ProblemFor(user.status(), req.request_id);
    auto keys = List();
    if (!keys.ok()) return ProblemFor(keys.status(), req.request_id);
    json items = json::array();
    for (const auto& k : *keys) {
      items.push_back({{"id", k.id}, {"name", k.name}, {"usagePlan", PlanJson(k.plan)},
                       {"createdAt", FormatTime(k.created_millis)}, {"createdBy", k.created_by},
                       {"usedToday", UsedToday(k.id)}});
    }
    return Response::Json(200, json{{"items", items}}.dump(-1, ' ', false, json::error_handler_t::replace));
  })));
  return router->Add("DELETE", "/api/admin/api-keys/{id}", gateway::Sync([this, admin](gateway::Request& req) {
    std::string id(req.PathParam("id"));
    auto user = admin(req, ShopArn("api-key/" + id));
    if (!user.ok()) return ProblemFor(user.status(), req.request_id);
    if (id.size() != kIdHex || !IsHex(id)) return Problem(404, "Not Found", "no such API key", req.request_id);
    Status s = Delete(id);
    if (!s.ok()) return ProblemFor(s, req.request_id);
    spdlog::info("audit principal=shop-user/{} action=rivulet:DeleteApiKey resource=api-key/{} decision=allowed",
                 user->user_id, id);
    Response r;
    r.status = 204;
    return r;
  }));
}

}  // namespace orders
