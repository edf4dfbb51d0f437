// What the server exposes about the functions runtime: per mapping and shard
// gauges in /metrics, and GET /api/admin/functions for admins.
#pragma once

#include "common/status.h"
#include "functions/runtime.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "orders/auth.h"
#include "server/config.h"
#include "stream/stream_client.h"

namespace server {

// REQUIRES: `runtime` outlives the last /metrics scrape.
void ExportFunctionMetrics(functions::FunctionRuntime* runtime, gateway::MetricsRegistry* metrics);

// GET /api/admin/functions -> {functions: [...], mappings: [{..., shards: [...]}]}.
// 401 when signed out, 403 for customers. REQUIRES: both outlive the router.
common::Status AddFunctionAdminRoute(functions::FunctionRuntime* runtime, orders::Authenticator* auth,
                                     gateway::Router* router);

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
