// Where event-source mappings remember how far each shard was processed.
// The runtime resumes after the checkpoint on restart: at least once, no
// record skipped.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "common/status.h"
#include "table/table_client.h"

namespace functions {

struct Checkpoint {
  std::string sequence_number;  // last record fully processed; "" = none yet
  bool shard_finished = false;  // a closed shard was read to its end
  // Tumbling windows: the open window and the state its last invocation
  // returned, saved with the checkpoint so a restart carries it on.
  int64_t window_start_millis = 0;  // 0 = no open window
  std::string window_state;
};

class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  // nullopt when the (mapping, shard) pair has no checkpoint yet.
  virtual common::Result<std::optional<Checkpoint>> Load(const std::string& mapping_id,
                                                         const std::string& shard_id) = 0;
  // Durable when it returns OK.
  virtual common::Status Save(const std::string& mapping_id, const std::string& shard_id,
                              const Checkpoint& checkpoint) = 0;
};

// Keeps checkpoints in a table (hash key mapping_id, range key shard_id),
// created on Open if missing. Thread-safe.
class TableCheckpointStore final : public CheckpointStore {
 public:
  static constexpr const char* kDefaultTable = "rivulet-function-checkpoints";

  // REQUIRES: `tables` outlives the store.
  static common::Result<std::unique_ptr<TableCheckpointStore>> Open(
      table::TableClient* tables, std::string table_name = kDefaultTable);

  common::Result<std::optional<Checkpoint>> Load(const std::string& mapping_id,
                                                 const std::string& shard_id) override;
  common::Status Save(const std::string& mapping_id, const std::string& shard_id,
                      const Checkpoint& checkpoint) override;
  // The write Save does, as a transaction action (for fenced saves).
  table::TransactWriteItem SaveAction(const std::string& mapping_id, const std::string& shard_id,
                                      const Checkpoint& checkpoint) const;
  table::TableClient* tables() const { return tables_; }

 private:
  TableCheckpointStore(table::TableClient* tables, std::string table_name)
      : tables_(tables), table_name_(std::move(table_name)) {}

  table::TableClient* tables_;
  std::string table_name_;
};

// Saves to `primary` and loads from it, falling back to `fallback` for pairs
// the primary has never seen: moving checkpoints to a new place keeps where
// each mapping was. REQUIRES: both outlive the store. Thread-safe if both are.
class LayeredCheckpointStore final : public CheckpointStore {
 public:
  LayeredCheckpointStore(CheckpointStore* primary, CheckpointStore* fallback)
      : primary_(primary), fallback_(fallback) {}

  common::Result<std::optional<Checkpoint>> Load(const std::string& mapping_id,
                                                 const std::string& shard_id) override;
  common::Status Save(const std::string& mapping_id, const std::string& shard_id,
                      const Checkpoint& checkpoint) override {
    return primary_->Save(mapping_id, shard_id, checkpoint);
  }

 private:
  CheckpointStore* primary_;
  CheckpointStore* fallback_;
};

}  // namespace functions
