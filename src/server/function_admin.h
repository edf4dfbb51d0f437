// What the server exposes about the functions runtime: per mapping and shard
// gauges in /metrics, and GET /api/admin/functions for admins.
#pragma once

#include "common/status.h"
#include "functions/runtime.h"
#include "gateway/metrics.h"
#include "gateway/router.h"
#include "orders/auth.h"

namespace server {

// REQUIRES: `runtime` outlives the last /metrics scrape.
void ExportFunctionMetrics(functions::FunctionRuntime* runtime, gateway::MetricsRegistry* metrics);

// GET /api/admin/functions -> {functions: [...], mappings: [{..., shards: [...]}]}.
// 401 when signed out, 403 for customers. REQUIRES: both outlive the router.
common::Status AddFunctionAdminRoute(functions::FunctionRuntime* runtime, orders::Authenticator* auth,
                                     gateway::Router* router);

}  // namespace server
