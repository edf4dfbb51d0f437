#include "server/function_admin.h"

#include <nlohmann/json.hpp>

namespace server {

void ExportFunctionMetrics(functions::FunctionRuntime* runtime, gateway::MetricsRegistry* metrics) {
  metrics->AddCollector([runtime, metrics] {
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
    if (!user->admin()) {
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
                          {"millisBehindLatest", s.millis_behind_latest}});
      }
      const auto& c = m.config;
      mappings.push_back({{"id", c.id}, {"function", c.function_name}, {"stream", c.stream_name},
                          {"state", m.state}, {"batchSize", c.batch_size},
                          {"maximumBatchingWindowMs", c.maximum_batching_window_ms},
                          {"tumblingWindowSeconds", c.tumbling_window_seconds},
                          {"onFailureStream", c.on_failure_stream}, {"shards", shards}});
    }
    nlohmann::json body = {{"functions", runtime->ListFunctions()}, {"mappings", mappings}};
    return gateway::Response::Json(200, body.dump());
  }));
}

}  // namespace server
