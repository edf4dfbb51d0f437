// FunctionRuntime: the control plane of Rivulet's Lambda-like functions. It
// holds the registry of functions and the event-source mappings, discovers
// each mapping's shards (parents are finished before their children start),
// and runs a ShardProcessor per (mapping, shard) on a bounded Scheduler. New
// records wake their processor through the stream's subscription, so the
// delay from a durable put to an invocation is bounded by the batching
// window the user chose, not by a polling interval.
//
// Thread safety: all methods may be called from any thread. Destroy the
// runtime before the StreamClient and CheckpointStore it uses.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"
#include "functions/checkpoint_store.h"
#include "functions/function.h"
#include "functions/leases.h"
#include "functions/mapping_config.h"
#include "stream/stream_client.h"

namespace functions {

class Scheduler;

struct ShardStatus {
  std::string shard_id;
  std::string checkpoint;  // last processed sequence number
  bool finished = false;
  int64_t invocations = 0;
  int64_t errors = 0;
  int64_t records_processed = 0;
  int64_t records_to_failure_destination = 0;
  int64_t millis_behind_latest = 0;
  std::string problem;  // why the last read or invocation failed; "" once one succeeds
};

struct MappingStatus {
  EventSourceMappingConfig config;
  std::string state;  // "Enabled" or "Disabled", as Lambda
  std::vector<ShardStatus> shards;
  // Lambda's LastProcessingResult: "PROBLEM: <why>" while discovering or
  // reading shards or invoking fails (e.g. the execution role may not read
  // the stream), else "OK" once records were processed, else "No records processed".
  std::string last_processing_result;
};

struct RuntimeOptions {
  // Four, not one per core: a batch of a slow background mapping (emails,
  // analytics, archiving) then rarely holds up the order processor's shards.
  int worker_threads = 4;
  int64_t shard_discovery_interval_ms = 1000;  // how often resharding is noticed
  // False on an API-only node: mappings are kept and listed, but their shards
  // are processed by workers. In-memory consumers (persist_checkpoints off:
  // live views such as analytics) still run on every node.
  bool process_mappings = true;
  // Set when several workers share the shards (--role worker): each mapping
  // processes only the shards this worker leases. Not owned.
  LeaseManager* leases = nullptr;
};

class FunctionRuntime {
 public:
  FunctionRuntime(stream::StreamClient* streams, CheckpointStore* checkpoints, RuntimeOptions options = {});
  ~FunctionRuntime();

  // AlreadyExists if the name is taken.
  common::Status RegisterFunction(const std::string& name, std::shared_ptr<Function> function);
  std::vector<std::string> ListFunctions() const;
  // The function registered under `name`, or nullptr.
  std::shared_ptr<Function> GetFunction(const std::string& name) const;
  // The function's mappings created from now on ask `check` before each
  // read call of their source stream (once per call, never per record).
  // Set it before the function's mappings are created.
  void SetSourceReadCheck(const std::string& function_name, SourceReadCheck check);

  // Validates and starts the mapping (when enabled); returns its id.
  // InvalidArgument: a parameter is out of range. NotFound: unknown function
  // or stream. AlreadyExists: a mapping with this id exists.
  common::Result<std::string> CreateMapping(EventSourceMappingConfig config);
  // Replaces the mapping's settings (enable/disable, batch size, window...);
  // function and stream cannot change. Processing resumes from the checkpoints.
  common::Status UpdateMapping(const std::string& id, EventSourceMappingConfig config);
  common::Status DeleteMapping(const std::string& id);
  common::Result<MappingStatus> GetMapping(const std::string& id) const;
  std::vector<MappingStatus> ListMappings() const;

 private:
  // The function's source read check; empty when none. REQUIRES: mu_ held.
  SourceReadCheck ReadCheckFor(const std::string& function_name) const;
  class MappingRunner;

  stream::StreamClient* streams_;
  CheckpointStore* checkpoints_;
  RuntimeOptions options_;
  std::unique_ptr<Scheduler> scheduler_;
  mutable std::mutex mu_;
  std::map<std::string, std::shared_ptr<Function>> functions_;     // guarded by mu_
  std::map<std::string, SourceReadCheck> read_checks_;             // by function, guarded by mu_
  std::map<std::string, std::unique_ptr<MappingRunner>> mappings_;  // guarded by mu_
};

}  // namespace functions
