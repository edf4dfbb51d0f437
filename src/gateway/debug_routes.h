// Test hooks under /api/_debug/, registered only when the config key
// gateway.debug_endpoints is true (end-to-end tests turn it on):
//   POST /api/_debug/publish   {"topic":..,"data":..} -> Hub::Publish; {"delivered":N}
//   POST /api/_debug/echo      echoes a JSON body (400 problem for invalid JSON)
//   GET  /api/_debug/slow?ms=N answers after N ms from another thread
//   GET  /api/_debug/throttled throttled to a burst of 2, then 1 per 2 s
#pragma once

#include "common/status.h"
#include "gateway/router.h"
#include "gateway/token_bucket.h"
#include "gateway/ws_hub.h"

namespace gateway {

common::Status AddDebugRoutes(Router* router, Hub* hub, Throttler* throttler);

}  // namespace gateway
