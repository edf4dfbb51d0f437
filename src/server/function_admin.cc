#include "server/function_admin.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/lambda/external_function.h"
#include "gateway/server.h"

namespace server {
namespace {

// The settings of one [[functions.mappings]] entry; Lambda's parameter names
// in snake case.
const std::set<std::string, std::less<>> kMappingKeys = {
    "id", "function", "stream", "stream_shards", "enabled", "batch_size", "maximum_batching_window_seconds",
    "starting_position", "starting_position_timestamp", "parallelization_factor", "maximum_retry_attempts",
    "maximum_record_age_seconds", "bisect_batch_on_function_error", "report_batch_item_failures",
    "on_failure_stream", "tumbling_window_seconds"};

common::Result<functions::EventSourceMappingConfig> MappingEntry(const Config& config, const std::string& prefix) {
  for (const auto& key : config.KeysUnder(prefix)) {
    std::string name = key.substr(prefix.size() + 1);
    if (!kMappingKeys.count(name)) {
      return common::Status::InvalidArgument(fmt::format("{} is not a mapping setting; known settings: {}", key,
                                                         fmt::join(kMappingKeys, ", ")));
    }
  }
  auto k = [&](std::string_view name) { return prefix + "." + std::string(name); };
  auto integer = [&](std::string_view name, int* out) -> common::Status {
    ASSIGN_OR_RETURN(int64_t v, config.Int(k(name), *out));
    if (v < INT32_MIN || v > INT32_MAX) return common::Status::InvalidArgument(k(name) + " is out of range");
    *out = static_cast<int>(v);
    return common::Status::OK();
  };
  functions::EventSourceMappingConfig c;
  c.function_name = config.GetString(k("function"), "");
  c.stream_name = config.GetString(k("stream"), "");
  if (c.function_name.empty() || c.stream_name.empty()) {
    return common::Status::InvalidArgument(prefix + " needs `function` and `stream`");
  }
  // A stable id keeps the checkpoints across restarts.
  c.id = config.GetString(k("id"), "config-" + c.function_name + "-" + c.stream_name);
  ASSIGN_OR_RETURN(c.enabled, config.Bool(k("enabled"), true));
  RETURN_IF_ERROR(integer("batch_size", &c.batch_size));
  int window_seconds = 0;
  RETURN_IF_ERROR(integer("maximum_batching_window_seconds", &window_seconds));
  if (window_seconds < 0 || window_seconds > 300) {
    return common::Status::InvalidArgument(fmt::format(
        "{} is {}; it must be 0..300", k("maximum_batching_window_seconds"), window_seconds));
  }
  c.maximum_batching_window_ms = window_seconds * 1000;
  // Like the Lambda API, TOML mappings start at LATEST unless told.
  ASSIGN_OR_RETURN(c.starting_position, functions::ParseStartingPosition(config.GetString(k("starting_position"), "LATEST")));
  ASSIGN_OR_RETURN(int64_t timestamp, config.Int(k("starting_position_timestamp"), 0));
  c.starting_position_timestamp_millis = timestamp * 1000;
  if (c.starting_position == functions::StartingPosition::kAtTimestamp && timestamp <= 0) {
    return common::Status::InvalidArgument(k("starting_position_timestamp") +
                                           " (seconds since 1970) is required with AT_TIMESTAMP");
  }
  RETURN_IF_ERROR(integer("parallelization_factor", &c.parallelization_factor));
  RETURN_IF_ERROR(integer("maximum_retry_attempts", &c.maximum_retry_attempts));
  RETURN_IF_ERROR(integer("maximum_record_age_seconds", &c.maximum_record_age_seconds));
  ASSIGN_OR_RETURN(c.bisect_batch_on_function_error, config.Bool(k("bisect_batch_on_function_error"), false));
  ASSIGN_OR_RETURN(c.report_batch_item_failures, config.Bool(k("report_batch_item_failures"), false));
  c.on_failure_stream = config.GetString(k("on_failure_stream"), "");
  RETURN_IF_ERROR(integer("tumbling_window_seconds", &c.tumbling_window_seconds));
  if (auto s = functions::Validate(c); !s.ok()) return common::Status::InvalidArgument(prefix + ": " + s.message());
  return c;
}

const std::set<std::string, std::less<>> kExternalKeys = {
    "name", "command", "handler", "working_dir", "timeout_seconds", "memory_mb", "concurrency", "port"};
// Processes per external function at most (each is a whole runtime, often a
// Node.js or Python interpreter).
constexpr int64_t kMaxConcurrency = 64;

// The Runtime API listeners and the processes behind them.
struct ExternalFunctions {
  std::unique_ptr<gateway::Server> server;
  std::vector<std::shared_ptr<aws::lambda::ExternalFunction>> functions;
};

common::Result<aws::lambda::ExternalFunctionOptions> ExternalEntry(const Config& config, const std::string& prefix,
                                                                   int64_t* port) {
  for (const auto& key : config.KeysUnder(prefix)) {
    std::string name = key.substr(prefix.size() + 1);
    if (!kExternalKeys.count(name)) {
      return common::Status::InvalidArgument(fmt::format("{} is not an external function setting; known settings: {}",
                                                         key, fmt::join(kExternalKeys, ", ")));
    }
  }
  auto k = [&](std::string_view name) { return prefix + "." + std::string(name); };
  aws::lambda::ExternalFunctionOptions o;
  o.name = config.GetString(k("name"), "");
  o.command = config.GetString(k("command"), "");
  if (o.name.empty() || o.command.empty()) return common::Status::InvalidArgument(prefix + " needs `name` and `command`");
  o.handler = config.GetString(k("handler"), "index.handler");
  o.working_dir = config.GetString(k("working_dir"), "");
  ASSIGN_OR_RETURN(int64_t timeout, config.Int(k("timeout_seconds"), 3));
  if (timeout < 1 || timeout > 900) {
    return common::Status::InvalidArgument(fmt::format("{} is {}; it must be 1..900", k("timeout_seconds"), timeout));
  }
  o.timeout_ms = static_cast<int>(timeout * 1000);
  ASSIGN_OR_RETURN(int64_t memory, config.Int(k("memory_mb"), 128));
  o.memory_mb = static_cast<int>(memory);
  // One process per invocation the runtime's workers can run at once, by
  // default: more would idle, fewer would queue batches.
  int64_t workers = config.GetInt("functions.worker_threads", functions::RuntimeOptions{}.worker_threads);
  ASSIGN_OR_RETURN(int64_t concurrency, config.Int(k("concurrency"), workers));
  if (concurrency < 1 || concurrency > kMaxConcurrency) {
    return common::Status::InvalidArgument(
        fmt::format("{} is {}; it must be 1..{}", k("concurrency"), concurrency, kMaxConcurrency));
  }
  o.concurrency = static_cast<int>(concurrency);
  ASSIGN_OR_RETURN(*port, config.Int(k("port"), 0));
  // Process i listens on port + i.
  if (*port < 0 || (*port > 0 && *port + concurrency - 1 > 65535)) {
    return common::Status::InvalidArgument(fmt::format(
        "{} is {}; it must be 0 or 1..{} (with {} = {}, one port per process)", k("port"), *port,
        65536 - concurrency, k("concurrency"), concurrency));
  }
  return o;
}

}  // namespace

common::Status StartExternalFunctions(const Config& config, functions::FunctionRuntime* runtime,
                                      ServiceRegistry* registry, bool run_processes) {
  ASSIGN_OR_RETURN(int64_t count, config.Int("functions.external", 0));
  if (count == 0) return common::Status::OK();
  auto external = std::make_unique<ExternalFunctions>();
  gateway::ServerOptions server_options;
  server_options.threads = 1;
  external->server = std::make_unique<gateway::Server>(server_options);
  auto listener_name = [](const aws::lambda::ExternalFunctionOptions& options, int environment) {
    return fmt::format("runtime-{}-{}", options.name, environment);
  };
  for (int64_t i = 0; i < count; ++i) {
    std::string prefix = fmt::format("functions.external.{}", i);
    int64_t port = 0;
    ASSIGN_OR_RETURN(auto options, ExternalEntry(config, prefix, &port));
    auto function = std::make_shared<aws::lambda::ExternalFunction>(options);
    // Registered everywhere, so that mappings to it can be made and listed;
    // only nodes that run functions start its processes.
    if (auto s = runtime->RegisterFunction(options.name, function); !s.ok()) return s.WithContext(prefix);
    if (!run_processes) continue;
    for (int e = 0; e < options.concurrency; ++e) {
      gateway::ListenerOptions listener;
      listener.name = listener_name(options, e);
      listener.address = "127.0.0.1";
      listener.port = static_cast<uint16_t>(port == 0 ? 0 : port + e);
      listener.handler = function->RuntimeApiHandler(e);
      RETURN_IF_ERROR(external->server->AddListener(listener));
    }
    external->functions.push_back(std::move(function));
  }
  if (!run_processes) {
    spdlog::info("{} external function(s) registered; their processes run on the worker nodes", count);
    return common::Status::OK();
  }
  RETURN_IF_ERROR(external->server->Start());
  for (auto& function : external->functions) {
    std::vector<std::string> endpoints;
    for (int e = 0; e < function->options().concurrency; ++e) {
      endpoints.push_back("127.0.0.1:" + std::to_string(external->server->port(listener_name(function->options(), e))));
    }
    RETURN_IF_ERROR(function->Start(endpoints));
    spdlog::info("external function {}: {} process(es) of `{}` with AWS_LAMBDA_RUNTIME_API={}",
                 function->options().name, endpoints.size(), function->options().command, fmt::join(endpoints, ", "));
  }
  ExternalFunctions* raw = registry->Own(std::move(external));
  registry->OnShutdown([raw, runtime] {
    // Mappings first: a batch in flight finishes (or times out) while its
    // process still runs, instead of failing because of the shutdown.
    for (const auto& mapping : runtime->ListMappings()) {
      for (const auto& function : raw->functions) {
        if (mapping.config.function_name == function->options().name) (void)runtime->DeleteMapping(mapping.config.id);
      }
    }
    for (auto& function : raw->functions) function->Stop();
    raw->server->Shutdown();
  });
  return common::Status::OK();
}

common::Result<std::vector<functions::EventSourceMappingConfig>> ConfiguredMappings(const Config& config) {
  ASSIGN_OR_RETURN(int64_t count, config.Int("functions.mappings", 0));
  std::vector<functions::EventSourceMappingConfig> out;
  std::set<std::string> ids;
  for (int64_t i = 0; i < count; ++i) {
    std::string prefix = fmt::format("functions.mappings.{}", i);
    ASSIGN_OR_RETURN(functions::EventSourceMappingConfig c, MappingEntry(config, prefix));
    if (!ids.insert(c.id).second) {
      return common::Status::InvalidArgument(fmt::format(
          "{}: a second mapping with id '{}'; give one of them an `id`", prefix, c.id));
    }
    out.push_back(std::move(c));
  }
  return out;
}

common::Status StartConfiguredMappings(const Config& config, functions::FunctionRuntime* runtime,
                                       stream::StreamClient* streams) {
  ASSIGN_OR_RETURN(auto mappings, ConfiguredMappings(config));
  auto functions = runtime->ListFunctions();
  for (size_t i = 0; i < mappings.size(); ++i) {
    auto& c = mappings[i];
    std::string prefix = fmt::format("functions.mappings.{}", i);
    if (std::find(functions.begin(), functions.end(), c.function_name) == functions.end()) {
      return common::Status::InvalidArgument(fmt::format(
          "{}: function '{}' is unknown; known functions: {}", prefix, c.function_name, fmt::join(functions, ", ")));
    }
    for (const std::string& stream : {c.stream_name, c.on_failure_stream}) {
      if (stream.empty() || streams->DescribeStream(stream).ok()) continue;
      ASSIGN_OR_RETURN(int64_t shards, config.Int(prefix + ".stream_shards", 0));
      if (shards <= 0) {
        return common::Status::InvalidArgument(fmt::format(
            "{}: stream '{}' does not exist; create it first or set stream_shards to have it created", prefix, stream));
      }
      RETURN_IF_ERROR(streams->CreateStream(stream, static_cast<int>(shards), stream::StreamMode::kProvisioned));
    }
    auto created = runtime->CreateMapping(c);
    if (!created.ok()) return created.status().WithContext(prefix);
    spdlog::info("event-source mapping {} from the config: {} on {}", c.id, c.function_name, c.stream_name);
  }
  return common::Status::OK();
}

void ExportFunctionMetrics(functions::FunctionRuntime* runtime, gateway::MetricsRegistry* metrics) {
  metrics->AddCollector([runtime, metrics] {
    for (const auto& name : runtime->ListFunctions()) {
      auto function = runtime->GetFunction(name);
      auto* external = dynamic_cast<const aws::lambda::ExternalFunction*>(function.get());
      if (external == nullptr) continue;
      auto pids = external->pids();
      metrics->GetGauge("rivulet_external_function_processes", "Running processes of the external function.",
                        {{"function", name}})
          .Set(static_cast<double>(std::count_if(pids.begin(), pids.end(), [](pid_t pid) { return pid > 0; })));
      metrics->GetGauge("rivulet_external_function_restarts",
                        "Times a process of the external function exited (crash, timeout) and was started again.",
                        {{"function", name}})
          .Set(static_cast<double>(external->restarts()));
    }
    for (const auto& mapping : runtime->ListMappings()) {
      for (const auto& shard : mapping.shards) {
        gateway::Labels labels = {{"function", mapping.config.function_name},
                                  {"stream", mapping.config.stream_name},
                                  {"mapping", mapping.config.id},
                                  {"shard", shard.shard_id}};
        auto set = [&](const char* name, const char* help, int64_t value) {
          metrics->GetGauge(name, help, labels).Set(static_cast<double>(value));
        };
        set("rivulet_function_invocations", "Invocations of the function for this shard.", shard.invocations);
        set("rivulet_function_errors", "Failed invocations for this shard.", shard.errors);
        set("rivulet_function_records_processed", "Records the function processed successfully.",
            shard.records_processed);
        set("rivulet_function_records_to_failure_destination",
            "Records given up and reported to the failure destination.", shard.records_to_failure_destination);
        set("rivulet_function_iterator_age_ms", "How far the mapping is behind the shard's latest record.",
            shard.millis_behind_latest);
      }
    }
  });
}

common::Status AddFunctionAdminRoute(functions::FunctionRuntime* runtime, orders::Authenticator* auth,
                                     gateway::Router* router) {
  return router->Add("GET", "/api/admin/functions", gateway::Sync([runtime, auth](gateway::Request& request) {
    auto user = auth->Authenticate(request);
    if (!user.ok()) {
      return gateway::Response::Problem(401, "Unauthorized", "sign in as an admin", request.request_id);
    }
    if (!auth->Allowed(&*user, "rivulet:UseConsole", orders::ConsoleArn("functions"))) {
      return gateway::Response::Problem(403, "Forbidden", "only admins see the functions", request.request_id);
    }
    nlohmann::json mappings = nlohmann::json::array();
    for (const auto& m : runtime->ListMappings()) {
      nlohmann::json shards = nlohmann::json::array();
      for (const auto& s : m.shards) {
        shards.push_back({{"shardId", s.shard_id}, {"checkpoint", s.checkpoint}, {"finished", s.finished},
                          {"invocations", s.invocations}, {"errors", s.errors},
                          {"recordsProcessed", s.records_processed},
                          {"recordsToFailureDestination", s.records_to_failure_destination},
                          {"millisBehindLatest", s.millis_behind_latest}, {"problem", s.problem}});
      }
      const auto& c = m.config;
      mappings.push_back({{"id", c.id}, {"function", c.function_name}, {"stream", c.stream_name},
                          {"state", m.state}, {"lastProcessingResult", m.last_processing_result},
                          {"batchSize", c.batch_size},
                          {"maximumBatchingWindowMs", c.maximum_batching_window_ms},
                          {"tumblingWindowSeconds", c.tumbling_window_seconds},
                          {"onFailureStream", c.on_failure_stream}, {"shards", shards}});
    }
    nlohmann::json body = {{"functions", runtime->ListFunctions()}, {"mappings", mappings}};
    return gateway::Response::Json(200, body.dump());
  }));
}

}  // namespace server
