// Leases: how several workers share the shards of every event-source mapping,
// the way the Kinesis Client Library does. One item per (mapping, shard) in a
// table, holding the owner, a counter that grows on every change of owner, and
// an expiry; workers also keep a heartbeat item each, so that every worker
// knows how many are alive.
//
// A worker takes unowned and expired leases, renews its own well before they
// expire, and gives back leases above its fair share (ceil(shards / live
// workers)) one at a time, so shards spread evenly as workers come and go. A
// worker that stops renewing (kill -9) loses its leases after `failover_ms`.
// Every change is a conditional write on the counter, so two workers never
// both believe they hold a lease. Checkpoints are fenced the same way
// (LeasedCheckpointStore): a worker that lost a lease cannot overwrite its new
// owner's checkpoint.
//
// Thread safety: all methods may be called from any thread.
#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/status.h"
#include "functions/checkpoint_store.h"
#include "table/table_client.h"

namespace functions {

struct LeaseOptions {
  std::string table = "rivulet-leases";
  std::string worker_id;       // unique per process; generated when empty
  int64_t failover_ms = 10'000;
  common::Clock* clock = nullptr;  // system clock when null
};

struct LeasePlan {
  std::set<std::string> held;         // process these shards
  std::vector<std::string> to_release;  // stop these first, then Release()
};

class LeaseManager {
 public:
  static common::Result<std::unique_ptr<LeaseManager>> Open(table::TableClient* tables, LeaseOptions options);

  // Renews this worker's heartbeat and leases of `mapping_id`, takes free and
  // expired ones among `shard_ids`, and picks leases to give back when it
  // holds more than its share. Called about once a second per mapping.
  common::Result<LeasePlan> Plan(const std::string& mapping_id, const std::vector<std::string>& shard_ids);
  // Gives a lease back at once (after its processor stopped).
  common::Status Release(const std::string& mapping_id, const std::string& shard_id);
  // The counter of a lease this worker holds, or -1.
  int64_t HeldCounter(const std::string& mapping_id, const std::string& shard_id) const;

  const std::string& worker_id() const { return options_.worker_id; }
  const std::string& table_name() const { return options_.table; }

 private:
  struct Lease {
    std::string owner;
    int64_t counter = 0;
    int64_t expires = 0;
    bool exists = false;
  };
  LeaseManager(table::TableClient* tables, LeaseOptions options) : tables_(tables), options_(std::move(options)) {}
  common::Result<std::map<std::string, Lease>> ReadLeases(const std::string& mapping_id);
  common::Result<int> LiveWorkers(int64_t now);
  // Conditional write of owner/counter/expiry; false when someone else won.
  common::Result<bool> Write(const std::string& mapping_id, const std::string& shard_id, const Lease& seen,
                             const std::string& owner, int64_t counter, int64_t expires);

  table::TableClient* tables_;
  LeaseOptions options_;
  mutable std::mutex mu_;
  std::map<std::pair<std::string, std::string>, int64_t> held_;  // (mapping, shard) -> counter; guarded by mu_
  int64_t last_heartbeat_ = 0;                                     // guarded by mu_
};

// A CheckpointStore whose saves for leased shards succeed only while this
// worker holds the lease (the lease is checked in the same transaction);
// ConditionFailed otherwise. Keys that are not shards of a held lease (the
// runtime's per-mapping start time) go straight through.
class LeasedCheckpointStore final : public CheckpointStore {
 public:
  LeasedCheckpointStore(TableCheckpointStore* checkpoints, LeaseManager* leases)
      : checkpoints_(checkpoints), leases_(leases) {}

  common::Result<std::optional<Checkpoint>> Load(const std::string& mapping_id, const std::string& shard_id) override {
    return checkpoints_->Load(mapping_id, shard_id);
  }
  common::Status Save(const std::string& mapping_id, const std::string& shard_id,
                      const Checkpoint& checkpoint) override;

 private:
  TableCheckpointStore* checkpoints_;
  LeaseManager* leases_;
};

}  // namespace functions
