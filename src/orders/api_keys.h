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
// The daily quota is durable and shared by every node using the table: each
// key's use is counted in an item per key and UTC day ("usage/<id>/<day>",
// attribute `used`, removed by TTL two days later). No request writes the
// table: a node counts locally and a flusher thread adds its count to the
// item every `flush_ms` (UpdateItem ADD, which answers the new total) and once
// more at Stop(). A request is over quota when the table's total at the last
// flush plus this node's unflushed count reach the plan's quota, so the nodes
// together may overshoot by about one flush interval of traffic, and a
// kill -9 forgets at most that much. Rate and burst are per node (token
// buckets in memory), approximate across nodes as API Gateway's are.
//
// Known keys are cached and re-read from the table at most every
// `recheck_ms`, so a key deleted on another node stops working here within
// that time (at once on the node that deleted it).
//
// Admin routes (rivulet:ManageApiKeys, docs/api.md "API keys"):
//   POST   /api/admin/api-keys        {name, usagePlan?} -> 201 {id, name, key, usagePlan, createdAt}
//   GET    /api/admin/api-keys        -> {items: [{id, name, usagePlan, createdAt, usedToday}]}
//   DELETE /api/admin/api-keys/{id}   -> 204; 404 unknown
//
// Lifecycle: the flusher thread starts in the constructor (when flush_ms > 0)
// and stops in Stop() or the destructor, after a last flush; the table client
// must outlive both.
// Thread safety: all methods may be called concurrently.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
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
    // How often this node adds its counts to the table (and re-reads the
    // totals of keys it serves); 0: only when Flush() is called (tests).
    int64_t flush_ms = 1000;
    // "POST /api/events" entries (api.require_key_routes): route templates
    // that refuse requests without a valid key.
    std::set<std::string, std::less<>> required_routes;
  };
  ApiKeys(table::TableClient* tables, common::Clock* clock, Options options);
  ~ApiKeys();
  ApiKeys(const ApiKeys&) = delete;
  ApiKeys& operator=(const ApiKeys&) = delete;

  // Adds the counts not yet in the table to it and refreshes the totals of
  // keys used here lately. Errors are logged; the counts are kept for the
  // next flush.
  void Flush();
  // Stops the flusher after a last Flush(). Idempotent.
  void Stop();

  // Creates a key; returns its info and the key itself (shown once).
  common::Result<std::pair<ApiKeyInfo, std::string>> Create(const std::string& name, const UsagePlan& plan,
                                                            const std::string& created_by);
  common::Result<std::vector<ApiKeyInfo>> List();
  // NotFound when there is no such key.
  common::Status Delete(const std::string& id);
  // Requests counted against the key's quota today, on all nodes (the
  // table's total plus what this node has not flushed yet).
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
    // Today's use: the quota check compares stored + in_flight + pending.
    int64_t day = 0;        // the UTC day number the counts are for
    int64_t stored = 0;     // the table's total, as of the last read or flush
    int64_t in_flight = 0;  // being added to the table by a flush
    int64_t pending = 0;    // counted here, not yet flushed
    int64_t last_used_ms = 0;
  };
  common::Status EnsureTable();
  // The table's count of `id`'s use on `day` (0 when none).
  common::Result<int64_t> ReadUsage(const std::string& id, int64_t day);
  // Adds `n` to it; returns the new total.
  common::Result<int64_t> AddUsage(const std::string& id, int64_t day, int64_t n);
  void FlushLoop();
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
  std::mutex flush_mu_;                   // one Flush() at a time
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;  // guarded by stop_mu_
  std::thread flusher_;
};

}  // namespace orders
