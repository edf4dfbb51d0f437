// API keys with usage plans for machine clients of the web API (the
// `x-api-key` header; API Gateway's idea): an admin creates a key with a plan
// (requests per second, burst, requests per UTC day) and gets the key once;
// only its SHA-256 is stored, in the table `rivulet-api-keys` (hidden from
// the outside by iam::ExternalTables). A request that presents a key is
// refused with 403 when the key is unknown, and with 429 + Retry-After when
// its plan's rate or daily quota is used up; routes listed in
// api.require_key_routes refuse requests without a key (403).
//
// A key reads "rvk_<16 hex id>_<48 hex secret>": the id finds the item, the
// hash of the whole key must match it (constant-time compare). Keys are never
// logged; only ids are.
//
// Rate and quota are counted in this process's memory (per API node; the
// quota restarts with the process). Known keys are cached and re-read from
// the table at most every `recheck_ms`, so a key deleted on another node
// stops working here within that time (at once on the node that deleted it).
//
// Admin routes (rivulet:ManageApiKeys, docs/api.md "API keys"):
//   POST   /api/admin/api-keys        {name, usagePlan?} -> 201 {id, name, key, usagePlan, createdAt}
//   GET    /api/admin/api-keys        -> {items: [{id, name, usagePlan, createdAt, usedToday}]}
//   DELETE /api/admin/api-keys/{id}   -> 204; 404 unknown
//
// Thread safety: all methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "gateway/http.h"
#include "gateway/router.h"
#include "gateway/token_bucket.h"
#include "orders/auth.h"
#include "table/table_client.h"

namespace orders {

inline constexpr char kApiKeysTable[] = "rivulet-api-keys";  // id; keyHash = SHA-256 of the key

struct UsagePlan {
  double rate_limit = 10;         // requests per second, sustained
  double burst_limit = 20;        // requests at once
  int64_t quota_per_day = 10000;  // requests per UTC day; 0 = no quota
};

struct ApiKeyInfo {
  std::string id;
  std::string name;
  UsagePlan plan;
  int64_t created_millis = 0;
  std::string created_by;  // the admin's user id
};

// {rateLimit, burstLimit, quotaPerDay} from JSON (absent fields keep the
// defaults); InvalidArgument naming the field (in *field) otherwise.
common::Result<UsagePlan> ParseUsagePlan(std::string_view json_object, std::string* field);

class ApiKeys {
 public:
  struct Options {
    int64_t recheck_ms = 5000;
    // "POST /api/events" entries (api.require_key_routes): route templates
    // that refuse requests without a valid key.
    std::set<std::string, std::less<>> required_routes;
  };
  ApiKeys(table::TableClient* tables, common::Clock* clock, Options options);

  // Creates a key; returns its info and the key itself (shown once).
  common::Result<std::pair<ApiKeyInfo, std::string>> Create(const std::string& name, const UsagePlan& plan,
                                                            const std::string& created_by);
  common::Result<std::vector<ApiKeyInfo>> List();
  // NotFound when there is no such key.
  common::Status Delete(const std::string& id);
  // Requests counted against the key's quota today (this node).
  int64_t UsedToday(const std::string& id);

  // The gate for one /api/ request (run by the web listener's API guard):
  // nullopt to proceed (with request.principal_id = "apikey/<id>" when a key
  // was presented), else the 403 or 429 to send.
  std::optional<gateway::Response> Check(gateway::Request& request);

  // Registers the admin routes above; `auth` decides who manages keys.
  common::Status Register(gateway::Router* router, Authenticator* auth);

 private:
  struct Entry {
    std::string key_hash;
    UsagePlan plan;
    int64_t checked_ms = 0;
    gateway::TokenBucket bucket;
    int64_t day = 0;  // UTC day number `used` counts for
    int64_t used = 0;
  };
  common::Status EnsureTable();
  // Loads (or re-reads) the entry for `id`; null when there is no such key.
  // REQUIRES: `lock` holds mu_; it is released while the table is read.
  common::Result<Entry*> Find(const std::string& id, int64_t now, std::unique_lock<std::mutex>& lock);

  table::TableClient* tables_;
  common::Clock* clock_;
  Options options_;
  std::mutex table_mu_;
  bool table_ready_ = false;  // guarded by table_mu_
  std::mutex mu_;
  std::map<std::string, Entry> entries_;  // by id; guarded by mu_
};

}  // namespace orders
