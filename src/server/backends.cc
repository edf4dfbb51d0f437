#include "server/backends.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "aws/remote/credentials.h"
#include "aws/remote/remote_object_client.h"
#include "aws/remote/remote_stream_client.h"
#include "aws/remote/remote_table_client.h"
#include "objects/object_store.h"
#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace server {
namespace {

using common::Status;

std::string Region(const Config& config) {
  if (auto region = config.Find("aws.region")) return *region;
  for (const char* name : {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
    if (const char* value = std::getenv(name); value != nullptr && *value != '\0') return value;
  }
  return "us-east-1";
}

// The endpoint of a remote backend: `<section>.endpoint`, else AWS's public
// endpoint for the region.
common::Result<aws::remote::EndpointOptions> Endpoint(const Config& config, const std::string& section,
                                                      const std::string& service) {
  aws::remote::EndpointOptions endpoint;
  endpoint.region = Region(config);
  endpoint.service = service;
  endpoint.url = config.GetString(section + ".endpoint", "");
  if (endpoint.url.empty()) endpoint.url = "https://" + service + "." + endpoint.region + ".amazonaws.com";
  while (endpoint.url.ends_with('/')) endpoint.url.pop_back();
  if (!endpoint.url.starts_with("http://") && !endpoint.url.starts_with("https://")) {
    return Status::InvalidArgument(section + ".endpoint is '" + endpoint.url + "'; it must start with http:// or https://");
  }
  ASSIGN_OR_RETURN(endpoint.credentials, aws::remote::LoadCredentials());
  endpoint.max_attempts = static_cast<int>(config.GetInt("aws.max_attempts", 5));
  endpoint.request_timeout = std::chrono::milliseconds(config.GetInt("aws.request_timeout_ms", 10'000));
  spdlog::info("{}: remote {} at {} ({})", section, service, endpoint.url, endpoint.region);
  return endpoint;
}

// Remote calls by service, for /metrics.
void ExportRemoteMetrics(const aws::remote::RemoteCallStats* stats, const std::string& service,
                         gateway::MetricsRegistry* metrics) {
  metrics->AddCollector([stats, service, metrics] {
    gateway::Labels labels = {{"service", service}};
    auto set = [&](const char* name, const char* help, const std::atomic<uint64_t>& value) {
      metrics->GetGauge(name, help, labels).Set(static_cast<double>(value.load(std::memory_order_relaxed)));
    };
    set("rivulet_remote_calls", "Calls to a remote AWS service.", stats->calls);
    set("rivulet_remote_attempts", "HTTP exchanges with a remote AWS service, retries included.", stats->attempts);
    set("rivulet_remote_retries", "Retried exchanges (throttling, 5xx, transport errors).", stats->retries);
    set("rivulet_remote_failures", "Calls that failed after their last retry.", stats->failures);
  });
}

Status UnknownBackend(const std::string& key, const std::string& value, const std::string& choices) {
  return Status::InvalidArgument(key + " is '" + value + "'; it must be one of " + choices);
}

}  // namespace

common::Result<Backends> OpenBackends(const Config& config, ServiceRegistry* registry) {
  Backends backends;

  std::string stream_backend = config.GetString("stream.backend", "embedded");
  if (stream_backend == "embedded") {
    stream::StreamEngineOptions options;
    options.data_dir = registry->data_dir();
    ASSIGN_OR_RETURN(options.durability, stream::ParseDurability(config.GetString("stream.durability", "fsync")));
    options.interval_ms = static_cast<int>(config.GetInt("stream.interval_ms", 1000));
    options.commit_gather_micros =
        static_cast<int>(config.GetInt("stream.commit_gather_us", options.commit_gather_micros));
    options.shard_write_limits = config.GetBool("stream.shard_write_limits", false);
    options.clock = registry->clock();
    ASSIGN_OR_RETURN(auto engine, stream::StreamEngine::Open(options));
    backends.stream_engine = registry->Own(std::move(engine));
    backends.streams = backends.stream_engine;
  } else if (stream_backend == "kinesis") {
    aws::remote::RemoteStreamOptions options;
    ASSIGN_OR_RETURN(options.endpoint, Endpoint(config, "stream", "kinesis"));
    options.poll_interval = std::chrono::milliseconds(config.GetInt("stream.poll_interval_ms", 200));
    auto* remote = registry->Own(std::make_unique<aws::remote::RemoteStreamClient>(std::move(options)));
    ExportRemoteMetrics(&remote->stats(), "kinesis", &registry->metrics());
    registry->OnShutdown([remote] { remote->Cancel(); });
    backends.streams = remote;
  } else {
    return UnknownBackend("stream.backend", stream_backend, "embedded, kinesis");
  }

  std::string table_backend = config.GetString("table.backend", "embedded");
  if (table_backend == "embedded") {
    table::TableEngineOptions options;
    options.sync_writes = config.GetBool("table.sync_writes", options.sync_writes);
    options.ttl_interval_millis = static_cast<int>(config.GetInt("table.ttl_interval_ms", options.ttl_interval_millis));
    options.ttl_items_per_pass = static_cast<int>(config.GetInt("table.ttl_items_per_pass", options.ttl_items_per_pass));
    options.block_cache_mb = static_cast<int>(config.GetInt("table.block_cache_mb", options.block_cache_mb));
    options.memtable_mb = static_cast<int>(config.GetInt("table.memtable_mb", options.memtable_mb));
    options.background_low_priority = config.GetBool("table.background_low_priority", options.background_low_priority);
    options.background_write_mb = static_cast<int>(config.GetInt("table.background_write_mb", options.background_write_mb));
    options.commit_gather_micros =
        static_cast<int>(config.GetInt("table.commit_gather_us", options.commit_gather_micros));
    options.clock = registry->clock();
    ASSIGN_OR_RETURN(auto engine, table::TableEngine::Open(registry->data_dir() + "/tables", options));
    backends.table_engine = registry->Own(std::move(engine));
    backends.tables = backends.table_engine;
  } else if (table_backend == "dynamodb") {
    ASSIGN_OR_RETURN(auto endpoint, Endpoint(config, "table", "dynamodb"));
    auto* remote = registry->Own(std::make_unique<aws::remote::RemoteTableClient>(std::move(endpoint)));
    ExportRemoteMetrics(&remote->stats(), "dynamodb", &registry->metrics());
    registry->OnShutdown([remote] { remote->Cancel(); });
    backends.tables = remote;
  } else {
    return UnknownBackend("table.backend", table_backend, "embedded, dynamodb");
  }

  std::string objects_backend = config.GetString("objects.backend", "embedded");
  if (objects_backend == "embedded") {
    objects::StoreOptions options;
    options.clock = registry->clock();
    ASSIGN_OR_RETURN(auto store, objects::FileObjectStore::Open(registry->data_dir() + "/objects", options));
    backends.object_store = registry->Own(std::move(store));
    backends.objects = backends.object_store;
  } else if (objects_backend == "s3") {
    ASSIGN_OR_RETURN(auto endpoint, Endpoint(config, "objects", "s3"));
    auto* remote = registry->Own(std::make_unique<aws::remote::RemoteObjectClient>(std::move(endpoint)));
    ExportRemoteMetrics(&remote->stats(), "s3", &registry->metrics());
    registry->OnShutdown([remote] { remote->Cancel(); });
    backends.objects = remote;
  } else {
    return UnknownBackend("objects.backend", objects_backend, "embedded, s3");
  }
  return backends;
}

}  // namespace server
