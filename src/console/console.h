// The operations console's API: admin-only views of the machinery under the
// shop (streams and a live tail of their records, function mappings, tables,
// objects, the email outbox, IAM) under /api/admin/... on the web listener.
// Shapes are in docs/api.md, "Operations console".
//
// Everything is read through the components' public client interfaces
// (StreamClient, FunctionRuntime, TableClient, ObjectClient, notify::Outbox),
// so the console works the same against embedded engines or remote ones.
//
// Threads: authentication runs on the gateway's I/O thread (as in orders);
// the reads themselves (scans, stream reads, object bytes) run on the
// console's own small WorkQueue so an admin browsing a big table never
// stalls the shop's connections. Lifecycle: Start() registers the routes
// before the listeners start; destroy after they stopped.
#pragma once

#include <memory>

#include "common/clock.h"
#include "common/status.h"
#include "functions/runtime.h"
#include "gateway/router.h"
#include "iam/identity_store.h"
#include "notify/outbox.h"
#include "objects/object_client.h"
#include "orders/auth.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace orders {
class WorkQueue;
}

namespace console {

// What the console reads. Not owned; each must outlive the Console. `outbox`
// may be null (the outbox page then answers 503).
struct Services {
  stream::StreamClient* streams = nullptr;
  functions::FunctionRuntime* functions = nullptr;
  table::TableClient* tables = nullptr;
  objects::ObjectClient* objects = nullptr;
  notify::Outbox* outbox = nullptr;
  orders::Authenticator* auth = nullptr;
  common::Clock* clock = nullptr;
  // Null: the IAM pages answer 503 (iam-unavailable), as on a worker.
  iam::IdentityStore* identities = nullptr;
  int worker_threads = 2;
};

class Console {
 public:
  // Registers every /api/admin/... console route on `router`.
  // AlreadyExists when a route is taken.
  static common::Result<std::unique_ptr<Console>> Start(const Services& services, gateway::Router* router);
  ~Console();

 private:
  explicit Console(const Services& services);
  Services services_;
  std::unique_ptr<orders::WorkQueue> work_;
};

}  // namespace console
