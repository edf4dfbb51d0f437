#include "functions/runtime.h"

#include <random>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "common/clock.h"
#include "functions/scheduler.h"
#include "functions/shard_processor.h"

namespace functions {
namespace {

// The checkpoint store also remembers when each mapping was created, under a
// pseudo shard id no real shard can have: LATEST means "from then on", also
// after a restart.
constexpr const char* kStartTimeKey = "~mapping-start";

std::string NewMappingId() {
  static std::mutex mu;
  static std::mt19937_64 rng(std::random_device{}());
  std::lock_guard lock(mu);
  uint64_t a = rng(), b = rng();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffull);
}

}  // namespace

// Discovers the shards of one mapping and owns their processors. Its Step
// runs on the scheduler every shard_discovery_interval_ms and whenever a
// shard ends.
class FunctionRuntime::MappingRunner final : public Task {
 public:
  MappingRunner(FunctionRuntime* runtime, EventSourceMappingConfig config, std::shared_ptr<Function> fn,
                SourceReadCheck read_check)
      : runtime_(runtime), config_(std::move(config)), function_(std::move(fn)), read_check_(std::move(read_check)) {}

  ~MappingRunner() override { Stop(); }

  void Start() {
    bool here = runtime_->options_.process_mappings || !config_.persist_checkpoints;
    if (config_.enabled && here) runtime_->scheduler_->Add(this);
  }

  void Stop() {
    Scheduler* scheduler = runtime_->scheduler_.get();
    scheduler->Remove(this);
    subscription_.reset();  // no more wake-ups from the stream
    std::map<std::string, std::unique_ptr<ShardProcessor>> processors;
    {
      std::lock_guard lock(mu_);
      processors.swap(processors_);
    }
    // Without mu_: a running Step may wait on the stream's commit thread.
    for (auto& [id, processor] : processors) scheduler->Remove(processor.get());
  }

  const EventSourceMappingConfig& config() const { return config_; }

  MappingStatus Status() const {
    MappingStatus status{config_, config_.enabled ? "Enabled" : "Disabled", {}, ""};
    std::lock_guard lock(mu_);
    std::string problem = discover_problem_;
    int64_t processed = 0;
    for (const auto& [id, p] : processors_) {
      const ShardStats& s = p->stats();
      status.shards.push_back({id, p->checkpoint(), p->finished(), s.invocations.load(), s.errors.load(),
                               s.records_processed.load(), s.records_to_failure_destination.load(),
                               s.millis_behind_latest.load(), s.Problem()});
      if (problem.empty()) problem = status.shards.back().problem;
      processed += status.shards.back().records_processed;
    }
    status.last_processing_result = !problem.empty() ? "PROBLEM: " + problem
                                    : processed > 0  ? "OK"
                                                     : "No records processed";
    return status;
  }

  int64_t Step() override {
    int64_t next = Scheduler::NowMicros() + runtime_->options_.shard_discovery_interval_ms * 1000;
    common::Status s = Discover();
    if (!s.ok()) {
      spdlog::warn("mapping {} ({} on {}): {}", config_.id, config_.function_name, config_.stream_name,
                   s.ToString());
    }
    std::lock_guard lock(mu_);
    discover_problem_ = s.ok() ? "" : ReadProblem(s, "cannot list the stream's shards");
    return next;
  }

 private:
  common::Status Discover() {
    if (start_millis_ == 0) RETURN_IF_ERROR(LoadStartTime());
    // Lambda's poller needs DescribeStream (or ListShards) to find the shards.
    if (read_check_) RETURN_IF_ERROR(read_check_("kinesis:DescribeStream", config_.stream_name));
    if (!subscription_) {
      ASSIGN_OR_RETURN(subscription_, runtime_->streams_->Subscribe(
                                          config_.stream_name, [this](const std::string& shard_id) {
                                            std::lock_guard lock(mu_);
                                            auto it = processors_.find(shard_id);
                                            if (it != processors_.end()) runtime_->scheduler_->Wake(it->second.get());
                                          }));
    }
    ASSIGN_OR_RETURN(stream::StreamDescription description,
                     runtime_->streams_->DescribeStream(config_.stream_name));
    std::map<std::string, const stream::ShardInfo*> shards;
    for (const auto& shard : description.shards) shards[shard.shard_id] = &shard;

    // With several workers, this one processes only the shards it leases.
    LeaseManager* leases = config_.persist_checkpoints ? runtime_->options_.leases : nullptr;
    std::set<std::string> held;
    std::set<std::string> finished_elsewhere;
    if (leases != nullptr) {
      std::vector<std::string> ids;
      for (const auto& [id, shard] : shards) ids.push_back(id);
      ASSIGN_OR_RETURN(LeasePlan plan, leases->Plan(config_.id, ids));
      held = std::move(plan.held);
      RETURN_IF_ERROR(StopProcessorsOutside(held));
      for (const auto& id : plan.to_release) RETURN_IF_ERROR(leases->Release(config_.id, id));
      ASSIGN_OR_RETURN(finished_elsewhere, ParentsFinishedElsewhere(shards));
    }

    std::lock_guard lock(mu_);
    // Parents and children: repeat until no new processor can start, so a
    // chain of already finished parents is walked in one pass.
    for (bool added = true; added;) {
      added = false;
      for (const auto& [id, shard] : shards) {
        if (processors_.count(id) || (leases != nullptr && !held.count(id))) continue;
        if (!ParentsFinished(*shard, shards, finished_elsewhere)) continue;
        bool is_child = !shard->parent_shard_id.empty();
        ShardProcessor::Deps deps{runtime_->streams_, runtime_->checkpoints_, function_,
                                  [this] { runtime_->scheduler_->Wake(this); }, runtime_->scheduler_.get(),
                                  read_check_};
        auto processor = std::make_unique<ShardProcessor>(std::move(deps), config_, id, start_millis_, is_child);
        runtime_->scheduler_->Add(processor.get());
        processors_.emplace(id, std::move(processor));
        added = true;
      }
    }
    return common::Status::OK();
  }

  // Stops the processors of shards outside `held` (lost or given-back
  // leases), waiting for a running batch to finish.
  common::Status StopProcessorsOutside(const std::set<std::string>& held) {
    std::vector<std::unique_ptr<ShardProcessor>> stopping;
    {
      std::lock_guard lock(mu_);
      for (auto it = processors_.begin(); it != processors_.end();) {
        if (held.count(it->first)) {
          ++it;
          continue;
        }
        stopping.push_back(std::move(it->second));
        it = processors_.erase(it);
      }
    }
    // Without mu_: a running Step may wait on the stream's commit thread.
    for (auto& processor : stopping) runtime_->scheduler_->Remove(processor.get());
    return common::Status::OK();
  }

  // Parents of `shards` that other workers processed to their end, from
  // their saved checkpoints (read without mu_: it may be a remote call).
  common::Result<std::set<std::string>> ParentsFinishedElsewhere(
      const std::map<std::string, const stream::ShardInfo*>& shards) {
    std::set<std::string> parents;
    for (const auto& [id, shard] : shards) {
      for (const std::string* parent : {&shard->parent_shard_id, &shard->adjacent_parent_shard_id}) {
        if (!parent->empty() && shards.count(*parent)) parents.insert(*parent);
      }
    }
    {
      std::lock_guard lock(mu_);
      for (const auto& [id, processor] : processors_) parents.erase(id);
    }
    std::set<std::string> finished;
    for (const auto& parent : parents) {
      ASSIGN_OR_RETURN(std::optional<Checkpoint> saved, runtime_->checkpoints_->Load(config_.id, parent));
      if (saved && saved->shard_finished) finished.insert(parent);
    }
    return finished;
  }

  // REQUIRES: mu_ held. A parent that has expired from the stream is done.
  bool ParentsFinished(const stream::ShardInfo& shard, const std::map<std::string, const stream::ShardInfo*>& shards,
                       const std::set<std::string>& finished_elsewhere) const {
    for (const std::string* parent : {&shard.parent_shard_id, &shard.adjacent_parent_shard_id}) {
      if (parent->empty() || !shards.count(*parent) || finished_elsewhere.count(*parent)) continue;
      auto it = processors_.find(*parent);
      if (it == processors_.end() || !it->second->finished()) return false;
    }
    return true;
  }

  common::Status LoadStartTime() {
    if (!config_.persist_checkpoints) {
      start_millis_ = common::SystemClock::Default()->NowMillis();
      return common::Status::OK();
    }
    ASSIGN_OR_RETURN(std::optional<Checkpoint> saved, runtime_->checkpoints_->Load(config_.id, kStartTimeKey));
    if (saved) {
      start_millis_ = std::stoll(saved->sequence_number);
      return common::Status::OK();
    }
    int64_t now = common::SystemClock::Default()->NowMillis();
    RETURN_IF_ERROR(runtime_->checkpoints_->Save(config_.id, kStartTimeKey, Checkpoint{std::to_string(now), false, 0, ""}));
    start_millis_ = now;
    return common::Status::OK();
  }

  FunctionRuntime* runtime_;
  const EventSourceMappingConfig config_;
  std::shared_ptr<Function> function_;
  const SourceReadCheck read_check_;  // may be empty
  int64_t start_millis_ = 0;  // only touched by Step
  std::unique_ptr<stream::Subscription> subscription_;  // only touched by Step and Stop
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<ShardProcessor>> processors_;  // guarded by mu_
  std::string discover_problem_;  // why the last discovery failed, guarded by mu_
};

FunctionRuntime::FunctionRuntime(stream::StreamClient* streams, CheckpointStore* checkpoints,
                                 RuntimeOptions options)
    : streams_(streams),
      checkpoints_(checkpoints),
      options_(options),
      scheduler_(std::make_unique<Scheduler>(options.worker_threads)) {}

FunctionRuntime::~FunctionRuntime() {
  std::map<std::string, std::unique_ptr<MappingRunner>> mappings;
  {
    std::lock_guard lock(mu_);
    mappings.swap(mappings_);
  }
  mappings.clear();  // each runner stops its processors
  scheduler_.reset();
}

common::Status FunctionRuntime::RegisterFunction(const std::string& name, std::shared_ptr<Function> function) {
  std::lock_guard lock(mu_);
  if (!functions_.emplace(name, std::move(function)).second) {
    return common::Status::AlreadyExists(fmt::format("function '{}' is already registered", name));
  }
  return common::Status::OK();
}

std::shared_ptr<Function> FunctionRuntime::GetFunction(const std::string& name) const {
  std::lock_guard lock(mu_);
  auto it = functions_.find(name);
  return it == functions_.end() ? nullptr : it->second;
}

SourceReadCheck FunctionRuntime::ReadCheckFor(const std::string& function_name) const {
  auto it = read_checks_.find(function_name);
  return it == read_checks_.end() ? SourceReadCheck() : it->second;
}

void FunctionRuntime::SetSourceReadCheck(const std::string& function_name, SourceReadCheck check) {
  std::lock_guard lock(mu_);
  read_checks_[function_name] = std::move(check);
}

std::vector<std::string> FunctionRuntime::ListFunctions() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  for (const auto& [name, fn] : functions_) names.push_back(name);
  return names;
}

common::Result<std::string> FunctionRuntime::CreateMapping(EventSourceMappingConfig config) {
  if (config.id.empty()) config.id = NewMappingId();
  RETURN_IF_ERROR(Validate(config));
  RETURN_IF_ERROR(streams_->DescribeStream(config.stream_name).status());
  std::lock_guard lock(mu_);
  auto fn = functions_.find(config.function_name);
  if (fn == functions_.end()) {
    return common::Status::NotFound(fmt::format("function '{}' is not registered", config.function_name));
  }
  if (mappings_.count(config.id)) {
    return common::Status::AlreadyExists(fmt::format("mapping '{}' already exists", config.id));
  }
  std::string id = config.id;
  SourceReadCheck check = ReadCheckFor(config.function_name);
  auto runner = std::make_unique<MappingRunner>(this, std::move(config), fn->second, std::move(check));
  runner->Start();
  mappings_.emplace(id, std::move(runner));
  return id;
}

common::Status FunctionRuntime::UpdateMapping(const std::string& id, EventSourceMappingConfig config) {
  config.id = id;
  RETURN_IF_ERROR(Validate(config));
  std::lock_guard lock(mu_);
  auto it = mappings_.find(id);
  if (it == mappings_.end()) return common::Status::NotFound(fmt::format("mapping '{}' does not exist", id));
  const auto& current = it->second->config();
  if (current.function_name != config.function_name || current.stream_name != config.stream_name) {
    return common::Status::InvalidArgument("a mapping's function and stream cannot change; create a new mapping");
  }
  auto fn = functions_.at(config.function_name);
  it->second->Stop();  // processing resumes from the checkpoints it saved
  SourceReadCheck check = ReadCheckFor(config.function_name);
  it->second = std::make_unique<MappingRunner>(this, std::move(config), std::move(fn), std::move(check));
  it->second->Start();
  return common::Status::OK();
}

common::Status FunctionRuntime::DeleteMapping(const std::string& id) {
  std::unique_ptr<MappingRunner> runner;
  {
    std::lock_guard lock(mu_);
    auto it = mappings_.find(id);
    if (it == mappings_.end()) return common::Status::NotFound(fmt::format("mapping '{}' does not exist", id));
    runner = std::move(it->second);
    mappings_.erase(it);
  }
  return common::Status::OK();  // the runner stops as it goes out of scope
}

common::Result<MappingStatus> FunctionRuntime::GetMapping(const std::string& id) const {
  std::lock_guard lock(mu_);
  auto it = mappings_.find(id);
  if (it == mappings_.end()) return common::Status::NotFound(fmt::format("mapping '{}' does not exist", id));
  return it->second->Status();
}

std::vector<MappingStatus> FunctionRuntime::ListMappings() const {
  std::lock_guard lock(mu_);
  std::vector<MappingStatus> out;
  for (const auto& [id, runner] : mappings_) out.push_back(runner->Status());
  return out;
}

}  // namespace functions
