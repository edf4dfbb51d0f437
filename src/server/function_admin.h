// What the server exposes about the functions runtime: per mapping and shard
// gauges in /metrics, and GET /api/admin/functions for admins.
#pragma once

#include "common/status.h"
#include "functions/runtime.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "orders/auth.h"
#include "server/config.h"
#include "server/services.h"
#include "stream/stream_client.h"

namespace server {

// REQUIRES: `runtime` outlives the last /metrics scrape.
void ExportFunctionMetrics(functions::FunctionRuntime* runtime, gateway::MetricsRegistry* metrics);

// GET /api/admin/functions -> {functions: [...], mappings: [{..., shards: [...]}]}.
// 401 when signed out, 403 for customers. REQUIRES: both outlive the router.
common::Status AddFunctionAdminRoute(functions::FunctionRuntime* runtime, orders::Authenticator* auth,
                                     gateway::Router* router);

// Registers each [[functions.external]] entry (name, command, handler,
// working_dir, timeout_seconds, memory_mb, concurrency, port) as a function
// under its name. With `run_processes` (not on --role api nodes) also starts
// `concurrency` processes of its command, each with its own Lambda Runtime
// API listener on 127.0.0.1 (port 0 = free ones, else port, port+1, ...).
// Stopped by a shutdown hook (mappings to them first, so no batch is failed
// by the shutdown).
common::Status StartExternalFunctions(const Config& config, functions::FunctionRuntime* runtime,
                                      ServiceRegistry* registry, bool run_processes);

// Reads the [[functions.mappings]] entries of the config (see README,
// "Functions") into mapping settings; InvalidArgument naming the entry and
// the setting for unknown names, bad values and out-of-range parameters.
common::Result<std::vector<functions::EventSourceMappingConfig>> ConfiguredMappings(const Config& config);

// Starts the configured mappings. A stream that does not exist is created
// when its entry sets `stream_shards`, else it is an error, as is an unknown
// function. Call after every function is registered.
common::Status StartConfiguredMappings(const Config& config, functions::FunctionRuntime* runtime,
                                       stream::StreamClient* streams);

}  // namespace server
