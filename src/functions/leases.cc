#include "functions/leases.h"

#include <unistd.h>

#include <algorithm>
#include <random>

#include <spdlog/spdlog.h>

namespace functions {
namespace {

using common::Status;
using table::AttributeValue;

// The heartbeat items live in the same table under this mapping id.
constexpr char kWorkers[] = "~workers";

table::Item Key(const std::string& mapping_id, const std::string& shard_id) {
  return {{"mapping_id", AttributeValue::S(mapping_id)}, {"shard_id", AttributeValue::S(shard_id)}};
}

int64_t Number(const table::Item& item, const char* name) {
  auto it = item.find(name);
  return it == item.end() ? 0 : std::stoll(it->second.scalar());
}

std::string NewWorkerId() {
  char host[64] = {};
  ::gethostname(host, sizeof host - 1);
  std::random_device random;
  return std::string(host) + ":" + std::to_string(::getpid()) + ":" + std::to_string(random() % 1000000);
}

}  // namespace

common::Result<std::unique_ptr<LeaseManager>> LeaseManager::Open(table::TableClient* tables, LeaseOptions options) {
  if (options.worker_id.empty()) options.worker_id = NewWorkerId();
  if (options.clock == nullptr) options.clock = common::SystemClock::Default();
  if (options.failover_ms < 100) {
    return Status::InvalidArgument("functions.lease_failover_ms is " + std::to_string(options.failover_ms) +
                                   "; it must be at least 100");
  }
  table::CreateTableRequest create;
  create.table_name = options.table;
  create.key_schema = {{"mapping_id", table::KeyType::kHash}, {"shard_id", table::KeyType::kRange}};
  create.attribute_definitions = {{"mapping_id", AttributeValue::Type::kS}, {"shard_id", AttributeValue::Type::kS}};
  auto created = tables->CreateTable(create);
  if (!created.ok() && created.status().code() != Status::Code::kResourceInUse) {
    return created.status().WithContext("creating lease table " + options.table);
  }
  spdlog::info("functions: worker {} shares shards through leases in {} (failover {} ms)", options.worker_id,
               options.table, options.failover_ms);
  return std::unique_ptr<LeaseManager>(new LeaseManager(tables, std::move(options)));
}

common::Result<std::map<std::string, LeaseManager::Lease>> LeaseManager::ReadLeases(const std::string& mapping_id) {
  std::map<std::string, Lease> leases;
  table::QueryRequest query;
  query.table_name = options_.table;
  query.key_condition_expression = "mapping_id = :m";
  query.attributes.values = {{":m", AttributeValue::S(mapping_id)}};
  query.consistent_read = true;
  while (true) {
    ASSIGN_OR_RETURN(table::QueryResult page, tables_->Query(query));
    for (const auto& item : page.items) {
      Lease lease;
      lease.exists = true;
      if (auto it = item.find("owner"); it != item.end()) lease.owner = it->second.scalar();
      lease.counter = Number(item, "counter");
      lease.expires = Number(item, "expires");
      leases[item.at("shard_id").scalar()] = lease;
    }
    if (!page.last_evaluated_key) break;
    query.exclusive_start_key = page.last_evaluated_key;
  }
  return leases;
}

common::Result<int> LeaseManager::LiveWorkers(int64_t now) {
  ASSIGN_OR_RETURN(auto workers, ReadLeases(kWorkers));
  int live = 0;
  for (const auto& [id, heartbeat] : workers) live += heartbeat.expires > now ? 1 : 0;
  return std::max(live, 1);
}

common::Result<bool> LeaseManager::Write(const std::string& mapping_id, const std::string& shard_id,
                                         const Lease& seen, const std::string& owner, int64_t counter,
                                         int64_t expires) {
  table::UpdateItemRequest update;
  update.table_name = options_.table;
  update.key = Key(mapping_id, shard_id);
  update.update_expression = "SET #o = :owner, #c = :counter, #e = :expires";
  update.attributes.names = {{"#o", "owner"}, {"#c", "counter"}, {"#e", "expires"}};
  update.attributes.values = {{":owner", AttributeValue::S(owner)},
                              {":counter", AttributeValue::N(std::to_string(counter))},
                              {":expires", AttributeValue::N(std::to_string(expires))}};
  if (seen.exists) {
    update.condition_expression = "#c = :seen";
    update.attributes.values[":seen"] = AttributeValue::N(std::to_string(seen.counter));
  } else {
    update.condition_expression = "attribute_not_exists(mapping_id)";
  }
  auto written = tables_->UpdateItem(update);
  if (written.status().IsConditionFailed()) return false;
  RETURN_IF_ERROR(written.status());
  return true;
}

common::Result<LeasePlan> LeaseManager::Plan(const std::string& mapping_id, const std::vector<std::string>& shard_ids) {
  const int64_t now = options_.clock->NowMillis();
  const int64_t failover = options_.failover_ms;
  const std::string& me = options_.worker_id;
  {
    std::lock_guard lock(mu_);
    bool due = now - last_heartbeat_ >= failover / 3;
    if (due) last_heartbeat_ = now;
    if (due) {
      table::PutItemRequest beat;
      beat.table_name = options_.table;
      beat.item = Key(kWorkers, me);
      beat.item["expires"] = AttributeValue::N(std::to_string(now + failover));
      RETURN_IF_ERROR(tables_->PutItem(beat).status());
    }
  }
  ASSIGN_OR_RETURN(int workers, LiveWorkers(now));
  ASSIGN_OR_RETURN(auto leases, ReadLeases(mapping_id));

  LeasePlan plan;
  std::map<std::string, int64_t> counters;
  // Ours first: keep fresh ones, renew those past a third of their life.
  for (const std::string& shard : shard_ids) {
    const Lease& lease = leases[shard];  // default: no item yet
    if (lease.owner != me || lease.expires <= now) continue;
    if (lease.expires - now <= failover * 2 / 3) {
      ASSIGN_OR_RETURN(bool renewed, Write(mapping_id, shard, lease, me, lease.counter, now + failover));
      if (!renewed) continue;  // taken meanwhile: it expired under us
    }
    plan.held.insert(shard);
    counters[shard] = lease.counter;
  }
  // Then free and expired ones, up to a fair share; the counter grows on
  // every change of owner.
  size_t share = (shard_ids.size() + workers - 1) / workers;
  for (const std::string& shard : shard_ids) {
    if (plan.held.size() >= share) break;
    const Lease& lease = leases[shard];
    if (plan.held.count(shard) || (!lease.owner.empty() && lease.expires > now)) continue;
    ASSIGN_OR_RETURN(bool won, Write(mapping_id, shard, lease, me, lease.counter + 1, now + failover));
    if (!won) continue;
    spdlog::info("functions: {} took the lease of {} {} (counter {})", me, mapping_id, shard, lease.counter + 1);
    plan.held.insert(shard);
    counters[shard] = lease.counter + 1;
  }
  // Below the floor (shards / workers) while someone holds more than it:
  // take one of theirs a round, so a new worker gets work even when the
  // others sit exactly at their ceiling.
  size_t floor_share = shard_ids.size() / workers;
  if (plan.held.size() < floor_share) {
    std::map<std::string, std::vector<std::string>> by_owner;
    for (const std::string& shard : shard_ids) {
      const Lease& lease = leases[shard];
      if (!lease.owner.empty() && lease.owner != me && lease.expires > now) by_owner[lease.owner].push_back(shard);
    }
    auto busiest = std::max_element(by_owner.begin(), by_owner.end(),
                                    [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); });
    if (busiest != by_owner.end() && busiest->second.size() > floor_share) {
      const std::string& shard = busiest->second.back();
      const Lease& lease = leases[shard];
      ASSIGN_OR_RETURN(bool won, Write(mapping_id, shard, lease, me, lease.counter + 1, now + failover));
      if (won) {
        spdlog::info("functions: {} took over {} {} from {} to balance", me, mapping_id, shard, lease.owner);
        plan.held.insert(shard);
        counters[shard] = lease.counter + 1;
      }
    }
  }
  // Above the share (more workers now): give one back a round.
  if (plan.held.size() > share) {
    std::string extra = *plan.held.rbegin();
    plan.held.erase(extra);
    plan.to_release.push_back(extra);
  }
  std::lock_guard lock(mu_);
  for (auto it = held_.begin(); it != held_.end();) {
    it = it->first.first == mapping_id ? held_.erase(it) : std::next(it);
  }
  for (const auto& shard : plan.held) held_[{mapping_id, shard}] = counters[shard];
  for (const auto& shard : plan.to_release) held_[{mapping_id, shard}] = counters[shard];  // until released
  return plan;
}

common::Status LeaseManager::Release(const std::string& mapping_id, const std::string& shard_id) {
  int64_t counter;
  {
    std::lock_guard lock(mu_);
    auto it = held_.find({mapping_id, shard_id});
    if (it == held_.end()) return Status::OK();
    counter = it->second;
    held_.erase(it);
  }
  Lease seen{options_.worker_id, counter, 0, true};
  ASSIGN_OR_RETURN(bool released, Write(mapping_id, shard_id, seen, "", counter, 0));
  if (released) spdlog::info("functions: {} gave back the lease of {} {}", options_.worker_id, mapping_id, shard_id);
  return Status::OK();
}

int64_t LeaseManager::HeldCounter(const std::string& mapping_id, const std::string& shard_id) const {
  std::lock_guard lock(mu_);
  auto it = held_.find({mapping_id, shard_id});
  return it == held_.end() ? -1 : it->second;
}

common::Status LeasedCheckpointStore::Save(const std::string& mapping_id, const std::string& shard_id,
                                           const Checkpoint& checkpoint) {
  int64_t counter = leases_->HeldCounter(mapping_id, shard_id);
  if (counter < 0) {
    // Not a leased shard of this worker: the mapping's own keys, or a lease
    // already lost (then the lease check below would fail anyway).
    return checkpoints_->Save(mapping_id, shard_id, checkpoint);
  }
  table::TransactWriteItem check;
  check.kind = table::TransactWriteItem::Kind::kConditionCheck;
  check.table_name = leases_->table_name();
  check.key = Key(mapping_id, shard_id);
  check.condition_expression = "#o = :me AND #c = :counter";
  check.attributes.names = {{"#o", "owner"}, {"#c", "counter"}};
  check.attributes.values = {{":me", AttributeValue::S(leases_->worker_id())},
                             {":counter", AttributeValue::N(std::to_string(counter))}};
  Status status = checkpoints_->tables()->TransactWriteItems(
      {check, checkpoints_->SaveAction(mapping_id, shard_id, checkpoint)}, "");
  if (status.IsConditionFailed()) {
    return Status::ConditionFailed("lost the lease of " + mapping_id + " " + shard_id + "; checkpoint not saved");
  }
  return status;
}

}  // namespace functions
