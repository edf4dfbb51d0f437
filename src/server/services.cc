// The one place where engines are built and handlers registered. To plug in
// a component, add a block to BuildServices:
//
//   ASSIGN_OR_RETURN(auto engine, stream::OpenEngine(registry->data_dir() + "/streams", ...));
//   auto* streams = registry->Own(std::move(engine));
//   RETURN_IF_ERROR(registry->aws().Register("Kinesis_20131202", aws::kinesis::MakeHandler(streams)));
//   RETURN_IF_ERROR(registry->web().Add("POST", "/api/orders", orders::MakePostHandler(...)));
//   registry->SetReady("stream", true);
//
// and the library to src/server/CMakeLists.txt.
#include "server/services.h"

#include "server/function_admin.h"
#include "server/backends.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include <spdlog/spdlog.h>

#include <spdlog/spdlog.h>

#include "analytics/analytics_function.h"
#include "aws/auth/aws_authorizer.h"
#include "archiver/archiver.h"
#include "aws/dynamodb/dynamodb_handler.h"
#include "aws/dynamodb/stream_record.h"
#include "aws/iam/iam_handler.h"
#include "aws/kinesis/kinesis_handler.h"
#include "aws/lambda/lambda_handler.h"
#include "aws/s3/s3_handler.h"
#include "aws/s3/site_bucket.h"
#include "console/console.h"
#include "functions/checkpoint_store.h"
#include "functions/runtime.h"
#include "gateway/api_guard.h"
#include "gateway/debug_routes.h"
#include "iam/identity_store.h"
#include "iam/internal_tables.h"
#include "objects/object_store.h"
#include "notify/notify_service.h"
#include "orders/api_keys.h"
#include "orders/orders_app.h"
#include "orders/update_relay.h"
#include "roles/checked_clients.h"
#include "roles/execution_roles.h"
#include "roles/policy_follower.h"
#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace server {

ServiceRegistry::ServiceRegistry(std::string data_dir, common::Clock* clock)
    : data_dir_(std::move(data_dir)), clock_(clock), throttler_(clock) {}

ServiceRegistry::~ServiceRegistry() {
  RunShutdownHooks();
  while (!owned_.empty()) owned_.pop_back();  // reverse order of Own()
}

void ServiceRegistry::RunShutdownHooks() {
  while (!shutdown_hooks_.empty()) {
    auto hook = std::move(shutdown_hooks_.back());
    shutdown_hooks_.pop_back();
    hook();
  }
}

void ServiceRegistry::SetReady(const std::string& component, bool ready) {
  std::lock_guard lock(ready_mu_);
  ready_[component] = ready;
}

bool ServiceRegistry::Ready(std::vector<std::string>* not_ready) const {
  std::lock_guard lock(ready_mu_);
  bool all = true;
  for (const auto& [name, ready] : ready_) {
    if (ready) continue;
    all = false;
    if (not_ready != nullptr) not_ready->push_back(name);
  }
  return all;
}

common::Result<NodeRole> ParseRole(std::string_view text) {
  if (text == "all") return NodeRole::kAll;
  if (text == "api") return NodeRole::kApi;
  if (text == "worker") return NodeRole::kWorker;
  return common::Status::InvalidArgument("server.role is '" + std::string(text) + "'; it must be all, api or worker");
}

namespace {

void CountDenial(ServiceRegistry* registry, const std::string& principal_arn, const std::string& action) {
  registry->metrics()
      .GetCounter("rivulet_iam_denials_total", "Requests and in-process calls refused by IAM policies.",
                  {{"principal", principal_arn}, {"action", action}})
      .Inc();
}

// Sets *checked_identities when calls are checked (iam.auth on): the
// built-in functions' execution roles are then enforced too.
// *store is the identity store either way (the console lists it).
common::Status AddIam(const Config& config, ServiceRegistry* registry, table::TableClient* tables,
                      iam::IdentityStore** checked_identities, iam::IdentityStore** store) {
  iam::IdentityStoreOptions iam_options;
  iam_options.account_id = config.GetString("iam.account_id", "000000000000");
  iam_options.clock = registry->clock();
  ASSIGN_OR_RETURN(auto identity_store, iam::IdentityStore::Open(tables, iam_options));
  iam::IdentityStore* identities = registry->Own(std::move(identity_store));
  const char* root_id = std::getenv("RIVULET_ROOT_ACCESS_KEY_ID");
  const char* root_secret = std::getenv("RIVULET_ROOT_SECRET_ACCESS_KEY");
  bool created = false;
  ASSIGN_OR_RETURN(iam::AccessKey root_key,
                   identities->EnsureRootKey(root_id ? root_id : "", root_secret ? root_secret : "", &created));
  if (created) {
    // Printed once, on the first start; later starts only name the key id.
    std::printf("rivulet: root credentials (shown once; stored in the data dir):\n"
                "  AWS_ACCESS_KEY_ID=%s\n  AWS_SECRET_ACCESS_KEY=%s\n",
                root_key.access_key_id.c_str(), root_key.secret.c_str());
    std::fflush(stdout);
  }
  std::string auth_mode = config.GetString("iam.auth", "on");
  if (auth_mode != "on" && auth_mode != "off") {
    return common::Status::InvalidArgument("iam.auth must be \"on\" or \"off\", not \"" + auth_mode + "\"");
  }
  aws::auth::AuthorizerOptions auth_options;
  auth_options.enabled = auth_mode == "on";
  auth_options.audit_allowed = config.GetBool("iam.audit_allowed", false);
  auth_options.scope.account = identities->account_id();
  auth_options.scope.hash_key_of = [tables](const std::string& table_name) -> std::string {
    auto description = tables->DescribeTable(table_name);
    if (!description.ok()) return "";
    for (const auto& key : description->key_schema) {
      if (key.key_type == table::KeyType::kHash) return key.attribute_name;
    }
    return "";
  };
  auth_options.on_denied = [registry](const std::string& principal, const std::string& action) {
    CountDenial(registry, principal, action);
  };
  if (!auth_options.enabled) spdlog::warn("iam.auth is off: every request on the AWS endpoint runs as root");
  *checked_identities = auth_options.enabled ? identities : nullptr;
  *store = identities;
  auto* authorizer =
      registry->Own(std::make_unique<aws::auth::AwsAuthorizer>(identities, registry->clock(), auth_options));
  registry->aws().SetGuard([authorizer](gateway::Request& request) { return authorizer->Check(request); });
  auto* iam_api = registry->Own(std::make_unique<aws::iam_api::IamHandler>(identities));
  RETURN_IF_ERROR(registry->aws().RegisterScopeService("iam", iam_api->AsHandler()));
  RETURN_IF_ERROR(registry->aws().RegisterScopeService("sts", iam_api->AsHandler()));
  registry->SetReady("iam", true);
  return common::Status::OK();
}

}  // namespace

std::string StaticDir(const Config& config) {
  std::string configured = config.GetString("gateway.static_dir", "");
  if (!configured.empty()) return configured;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    fs::path candidate = exe.parent_path().parent_path() / "web" / "dist";
    if (fs::is_directory(candidate, ec)) return candidate.string();
  }
  return (fs::current_path(ec) / "web" / "dist").string();
}

common::Status BuildServices(const Config& config, ServiceRegistry* registry) {
  // --- gateway test hooks (off by default) ---
  if (config.GetBool("gateway.debug_endpoints", false)) {
    RETURN_IF_ERROR(gateway::AddDebugRoutes(&registry->web(), &registry->hub(), &registry->throttler()));
  }

  // --- stream, table, objects: embedded engines or remote AWS services ---
  // (server/backends.h). The AWS endpoint serves the embedded engines only.
  ASSIGN_OR_RETURN(NodeRole role, ParseRole(config.GetString("server.role", "all")));
  const bool serves = role != NodeRole::kWorker;  // web, /api/ and :4566
  const bool works = role != NodeRole::kApi;      // runs the functions
  ASSIGN_OR_RETURN(Backends backends, OpenBackends(config, registry));
  stream::StreamClient* streams = backends.streams;
  table::TableClient* tables = backends.tables;
  if (serves && backends.stream_engine != nullptr) {
    auto* kinesis =
        registry->Own(std::make_unique<aws::kinesis::KinesisHandler>(backends.stream_engine, registry->clock()));
    RETURN_IF_ERROR(registry->aws().Register(std::string(aws::kinesis::kTargetPrefix), kinesis->AsHandler()));
  }
  registry->SetReady("stream", true);
  // What :4566 and the console see: every table but the internal ones that
  // hold secrets (iam/internal_tables.h), refused to every principal.
  table::TableClient* external_tables = registry->Own(std::make_unique<iam::ExternalTables>(tables));
  if (serves && backends.table_engine != nullptr) {
    auto* dynamodb = registry->Own(std::make_unique<aws::dynamodb::DynamoDbHandler>(
        registry->Own(std::make_unique<iam::ExternalTables>(backends.table_engine))));
    gateway::Handler handler = dynamodb->AsHandler();
    if (role == NodeRole::kApi) {
      // Workers use an API node's tables through :4566, signing as root, and
      // need the internal ones (sessions, API keys): there root keeps them;
      // every other principal is refused as on a single node.
      auto* shared = registry->Own(std::make_unique<aws::dynamodb::DynamoDbHandler>(backends.table_engine));
      std::string root_arn = "arn:aws:iam::" + config.GetString("iam.account_id", "000000000000") + ":root";
      handler = [external = handler, shared = shared->AsHandler(), root_arn](gateway::Request& request,
                                                                              gateway::Respond respond) {
        (request.principal_arn == root_arn ? shared : external)(request, std::move(respond));
      };
    }
    RETURN_IF_ERROR(registry->aws().Register(std::string(aws::dynamodb::kTargetPrefix), handler));
  }
  if (backends.table_engine != nullptr) {
    // Tables' change feeds (StreamSpecification) go into the streams `dynamodb.<table>`.
    auto* change_feed = registry->Own(std::make_unique<table::ChangeForwarder>(
        backends.table_engine, streams, aws::dynamodb::StreamRecordFormat()));
    RETURN_IF_ERROR(change_feed->Start());
  }
  registry->SetReady("table", true);
  if (serves && backends.object_store != nullptr) {
    // S3 REST calls (no X-Amz-Target) on the AWS listener go to its adapter.
    auto* s3 = registry->Own(std::make_unique<aws::s3::S3Handler>(
        backends.object_store, static_cast<int>(config.GetInt("objects.threads", 16))));
    registry->aws().SetRestFallback(s3->AsHandler(), /*streams_puts=*/true);
  }
  // The web UI is served from the site bucket (web.site_bucket, "" = from
  // the folder): seeded from the built UI when empty, redeployed with
  // `aws s3 sync web/dist s3://site`.
  if (std::string site = config.GetString("web.site_bucket", "site"); serves && !site.empty()) {
    ASSIGN_OR_RETURN(int seeded, aws::s3::SeedSiteBucket(backends.objects, site, StaticDir(config)));
    if (seeded > 0) spdlog::info("site bucket {}: uploaded {} files from {}", site, seeded, StaticDir(config));
    objects::ListObjectsRequest probe;
    probe.bucket = site;
    probe.max_keys = 1;
    ASSIGN_OR_RETURN(auto listed, backends.objects->ListObjects(probe));
    // An empty bucket (no built UI anywhere) leaves the folder's landing page.
    if (!listed.objects.empty()) {
      registry->SetStaticStore(std::make_shared<aws::s3::BucketStaticStore>(backends.objects, site));
    }
  }
  registry->SetReady("objects", true);

  // --- iam (identities, policies, SigV4; the gate of the AWS endpoint) ---
  // Principals live in the table "rivulet-iam". The root key comes from
  // RIVULET_ROOT_ACCESS_KEY_ID / RIVULET_ROOT_SECRET_ACCESS_KEY, else the
  // stored one, else a new one printed once. iam.auth=off lets every request
  // in as root (local experiments only).
  iam::IdentityStore* identities = nullptr;  // set when calls are checked
  iam::IdentityStore* identity_store = nullptr;
  const int64_t refresh_ms = std::max<int64_t>(100, config.GetInt("iam.refresh_ms", 1000));  // never a busy loop
  if (serves) {
    RETURN_IF_ERROR(AddIam(config, registry, tables, &identities, &identity_store));
    if (backends.table_engine == nullptr) {
      // Its IAM lives in another node's (or a service's) tables: follow changes made there.
      registry->Own(std::make_unique<roles::PolicyFollower>(identity_store, refresh_ms));
    }
  } else if (std::string auth = config.GetString("iam.auth", "on"); auth != "off") {
    // A worker checks its functions' roles against the API node's IAM: the
    // identity store over the same (remote) tables, re-read when it changes
    // there (iam.refresh_ms), so `aws iam` on the API node applies here too.
    if (auth != "on") {
      return common::Status::InvalidArgument("iam.auth must be \"on\" or \"off\", not \"" + auth + "\"");
    }
    iam::IdentityStoreOptions iam_options;
    iam_options.account_id = config.GetString("iam.account_id", "000000000000");
    iam_options.clock = registry->clock();
    ASSIGN_OR_RETURN(auto store, iam::IdentityStore::Open(tables, iam_options));
    identities = registry->Own(std::move(store));
    registry->Own(std::make_unique<roles::PolicyFollower>(identities, refresh_ms));
  }
  // Each built-in function acts under its execution role (src/roles): its
  // clients check the role's policies as :4566 checks a caller's.
  // `checked` gives the function's clients; without IAM, the shared ones.
  std::string archive_bucket = config.GetString("archiver.bucket", archiver::ArchiverOptions().bucket);
  struct FunctionClients {
    table::TableClient* tables;
    stream::StreamClient* streams;
    objects::ObjectClient* objects;
  };
  std::map<std::string, FunctionClients> function_clients;
  std::map<std::string, const roles::RoleChecker*> function_roles;
  if (identities != nullptr) {
    roles::CheckerOptions checker_options;
    checker_options.on_denied = [registry](const std::string& principal, const std::string& action) {
      CountDenial(registry, principal, action);
    };
    std::vector<std::string> archive_streams =
        gateway::SplitList(config.GetString("archiver.streams", "orders,activity"));
    for (const roles::ExecutionRole& role :
         roles::BuiltInRoles(identities->account_id(), archive_bucket, archive_streams)) {
      ASSIGN_OR_RETURN(iam::Principal principal, roles::EnsureExecutionRole(identities, role));
      auto* checker = registry->Own(std::make_unique<roles::RoleChecker>(identities, principal, checker_options));
      function_roles[role.function] = checker;
      function_clients[role.function] = {
          registry->Own(std::make_unique<roles::CheckedTableClient>(tables, checker)),
          registry->Own(std::make_unique<roles::CheckedStreamClient>(streams, checker)),
          registry->Own(std::make_unique<roles::CheckedObjectClient>(backends.objects, checker))};
    }
  }
  auto checked = [&](const std::string& function) {
    auto it = function_clients.find(function);
    return it != function_clients.end() ? it->second : FunctionClients{tables, streams, backends.objects};
  };
  // A worker serves no web routes: what components register goes nowhere.
  gateway::Router* web = serves ? &registry->web() : registry->Own(std::make_unique<gateway::Router>());
  // --- functions (Lambda-like runtime) ---
  // Checkpoints live in a table; built-in functions register on `functions`
  // and get their event-source mappings below.
  ASSIGN_OR_RETURN(auto checkpoint_store, functions::TableCheckpointStore::Open(tables));
  functions::TableCheckpointStore* table_checkpoints = registry->Own(std::move(checkpoint_store));
  functions::CheckpointStore* checkpoints = table_checkpoints;
  functions::RuntimeOptions runtime_options;
  // Workers share the shards through leases (on by default for --role worker).
  if (config.GetBool("functions.leases", role == NodeRole::kWorker)) {
    functions::LeaseOptions lease_options;
    lease_options.failover_ms = config.GetInt("functions.lease_failover_ms", 10'000);
    lease_options.worker_id = config.GetString("functions.worker_id", "");
    ASSIGN_OR_RETURN(auto lease_manager, functions::LeaseManager::Open(tables, lease_options));
    runtime_options.leases = registry->Own(std::move(lease_manager));
    checkpoints = registry->Own(std::make_unique<functions::LeasedCheckpointStore>(table_checkpoints,
                                                                                   runtime_options.leases));
  } else if (backends.table_engine != nullptr) {
    // One node with the embedded tables: checkpoints go to their own engine
    // under <data-dir>/functions whose writes are not fsynced (a checkpoint
    // is written after every batch, and an fsync each time cost more than the
    // rest of the runtime). A write survives kill -9 (it is in the OS's
    // cache); after a power loss an older checkpoint only means records are
    // delivered again. Checkpoints of older versions are still read.
    table::TableEngineOptions checkpoint_options;
    checkpoint_options.sync_writes = config.GetBool("functions.sync_checkpoints", false);
    checkpoint_options.ttl_interval_millis = 0;
    checkpoint_options.clock = registry->clock();
    ASSIGN_OR_RETURN(auto checkpoint_engine,
                     table::TableEngine::Open(registry->data_dir() + "/functions", checkpoint_options));
    table::TableEngine* checkpoint_tables = registry->Own(std::move(checkpoint_engine));
    ASSIGN_OR_RETURN(auto local_checkpoints, functions::TableCheckpointStore::Open(checkpoint_tables));
    checkpoints = registry->Own(std::make_unique<functions::LayeredCheckpointStore>(
        registry->Own(std::move(local_checkpoints)), table_checkpoints));
  }
  runtime_options.worker_threads =
      static_cast<int>(config.GetInt("functions.worker_threads", runtime_options.worker_threads));
  runtime_options.process_mappings = works;
  functions::FunctionRuntime* functions_runtime =
      registry->Own(std::make_unique<functions::FunctionRuntime>(streams, checkpoints, runtime_options));
  // The runtime reads each built-in function's event source with its role,
  // as Lambda's poller does (functions::SourceReadCheck).
  for (const auto& [function, role_checker] : function_roles) {
    // Captured by copy under a name of its own: clang 14 (the fuzz build)
    // cannot capture a structured binding.
    auto checker = role_checker;
    functions_runtime->SetSourceReadCheck(function, [checker](std::string_view action, const std::string& stream) {
      return checker->CheckStream(action, stream);
    });
  }
  ASSIGN_OR_RETURN(auto mapping_store, functions::TableMappingStore::Open(tables));
  functions::TableMappingStore* stored_mappings = registry->Own(std::move(mapping_store));
  auto* lambda = registry->Own(std::make_unique<aws::lambda::LambdaHandler>(functions_runtime, stored_mappings));
  if (serves) {
    RETURN_IF_ERROR(registry->aws().RegisterRestPath(std::string(aws::lambda::kPathPrefix), lambda->AsHandler()));
  }
  // [[functions.external]]: processes serving functions over the Lambda
  // Runtime API; an api node runs no functions, so it starts none of them.
  RETURN_IF_ERROR(StartExternalFunctions(config, functions_runtime, registry, works));
  registry->SetReady("functions", true);

  // --- notify (email templates, outbox, SMTP; used by the notifier function) ---
  notify::NotifyConfig notify_config;
  notify_config.smtp_url = config.GetString("smtp.url", "");
  notify_config.from = config.GetString("smtp.from", notify_config.from);
  notify_config.starttls = config.GetBool("smtp.starttls", false);
  notify_config.verify_peer = config.GetBool("smtp.verify_peer", true);
  notify_config.ca_file = config.GetString("smtp.ca_file", "");
  notify_config.smtp_timeout_millis = config.GetInt("smtp.timeout_ms", notify_config.smtp_timeout_millis);
  notify_config.max_attempts = static_cast<int>(config.GetInt("notify.max_attempts", 20));
  notify_config.threads = static_cast<int>(config.GetInt("notify.threads", notify_config.threads));
  notify_config.template_dirs = {registry->data_dir() + "/templates", "templates"};
  notify_config.clock = registry->clock();
  notify_config.sole_sender = runtime_options.leases == nullptr;
  notify_config.sends = works;  // an api node shares the workers' outbox
  ASSIGN_OR_RETURN(auto notify_service, notify::NotifyService::Start(tables, notify_config));
  notify::NotifyService* mail = registry->Own(std::move(notify_service));
  registry->SetReady("notify", true);

  // --- orders (the web shop's API and order-processor) ---
  orders::AppOptions orders_options;
  orders_options.shards = static_cast<int>(config.GetInt("orders.shards", 2));
  orders_options.seed_demo = config.GetBool("orders.seed_demo", true);
  orders_options.parallelization = static_cast<int>(config.GetInt("orders.parallelization", orders_options.parallelization));
  // The documented short names win over the generic RIVULET_ORDERS_* ones.
  const char* admin_email = std::getenv("RIVULET_ADMIN_EMAIL");
  const char* admin_password = std::getenv("RIVULET_ADMIN_PASSWORD");
  orders_options.admin_email = admin_email ? admin_email : config.GetString("orders.admin_email", "");
  orders_options.admin_password = admin_password ? admin_password : config.GetString("orders.admin_password", "");
  orders_options.api.worker_threads = static_cast<int>(config.GetInt("orders.worker_threads", 4));
  orders_options.api.write_threads = static_cast<int>(config.GetInt("orders.write_threads", 32));
  // Sessions: lifetime, and `Secure` cookies behind TLS (docs/api.md, "Security").
  orders_options.auth.session_ttl_seconds =
      std::max<int64_t>(60, config.GetInt("api.session_ttl_seconds", orders_options.auth.session_ttl_seconds));
  orders_options.auth.secure_cookie = config.GetBool("api.secure_cookie", orders_options.auth.secure_cookie);
  // Sign-in throttling (docs/api.md, "Security").
  auto& login = orders_options.api.login;
  login.max_failures = static_cast<int>(config.GetInt("api.login_max_failures", login.max_failures));
  login.max_failures_per_ip = static_cast<int>(config.GetInt("api.login_max_failures_per_ip", login.max_failures_per_ip));
  login.lockout_seconds = config.GetInt("api.login_lockout_seconds", login.lockout_seconds);
  login.max_lockout_seconds = config.GetInt("api.login_max_lockout_seconds", login.max_lockout_seconds);
  // Sign-up throttling per client address (docs/api.md, "Security").
  auto& signup = orders_options.api.signup;
  signup.max_per_ip = static_cast<int>(config.GetInt("api.signup_max_per_ip", signup.max_per_ip));
  signup.refill_seconds = config.GetInt("api.signup_refill_seconds", signup.refill_seconds);
  signup.exempt = gateway::SplitList(config.GetString("api.signup_exempt_addresses", "127.0.0.0/8,::1"));
  RETURN_IF_ERROR(orders::SignupThrottle::Validate(signup));
  orders_options.notify = mail;
  orders_options.processor_tables = checked("order-processor").tables;
  orders_options.processor_streams = checked("order-processor").streams;
  orders_options.notifier.shop_url = config.GetString("orders.shop_url", "http://localhost:8080");
  orders_options.notifier.confirmed = config.GetBool("orders.email_confirmed", true);
  orders_options.notifier.shipped = config.GetBool("orders.email_shipped", true);
  orders_options.notifier.delivered = config.GetBool("orders.email_delivered", true);
  orders_options.notifier.cancelled = config.GetBool("orders.email_cancelled", true);
  orders_options.notifier.tables = checked("notifier").tables;
  gateway::Hub* hub = &registry->hub();
  orders::Publisher publish = [hub](const std::string& topic, const std::string& json) { hub->Publish(topic, json); };
  // Analytics (windows over orders and activity; topic `analytics`) reads the
  // shop's streams, so its mappings start when the shop has created them.
  ASSIGN_OR_RETURN(auto analytics_app, analytics::Analytics::Start(functions_runtime, publish, registry->clock()));
  analytics::Analytics* live = registry->Own(std::move(analytics_app));
  orders_options.on_ready.push_back([live] { return live->StartMappings(); });
  if (role == NodeRole::kApi) {
    // Workers process the orders; this node relays their outcomes to the
    // customers connected here.
    RETURN_IF_ERROR(functions_runtime->RegisterFunction(orders::UpdateRelay::kName,
                                                        std::make_shared<orders::UpdateRelay>(publish)));
    orders_options.on_ready.push_back([functions_runtime]() -> common::Status {
      auto created = functions_runtime->CreateMapping(orders::UpdateRelay::Mapping());
      return created.ok() || created.status().code() == common::Status::Code::kAlreadyExists ? common::Status::OK()
                                                                                             : created.status();
    });
  }
  ASSIGN_OR_RETURN(auto orders_app, orders::OrdersApp::Start(tables, streams, functions_runtime, web,
                                                             publish, registry->clock(), orders_options));
  orders::OrdersApp* shop = registry->Own(std::move(orders_app));
  // Nobody opens a worker's shop, so it sets the shop up (or finds it set
  // up) at once and starts processing.
  if (role == NodeRole::kWorker) RETURN_IF_ERROR(shop->EnsureInitialized());
  shop->api().SetSummarySource([live](const std::string& range) { return live->Summary(range); });
  RETURN_IF_ERROR(AddFunctionAdminRoute(functions_runtime, &shop->auth(), web));
  ExportFunctionMetrics(functions_runtime, &registry->metrics());
  // --- console (the operations console's /api/admin/... reads; admins only) ---
  console::Services console_services{streams, functions_runtime, external_tables, backends.objects, &mail->outbox(),
                                     &shop->auth(), registry->clock()};
  console_services.identities = identity_store;
  ASSIGN_OR_RETURN(auto console_api, console::Console::Start(console_services, web));
  registry->Own(std::move(console_api));
  // CSRF and JSON-only bodies for state-changing /api/ requests.
  gateway::ApiGuardOptions guard;
  guard.trusted_origins = gateway::SplitList(config.GetString("api.trusted_origins", ""));
  for (auto& origin : gateway::SplitList(config.GetString("gateway.cors_origins", ""))) {
    if (origin != "*") guard.trusted_origins.push_back(std::move(origin));
  }
  for (auto& origin : guard.trusted_origins) {
    for (char& c : origin) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  // The shop's topics (orders/<customerId>, admin/orders, analytics) follow
  // docs/api.md's rules; other topics stay open. A page on another site may
  // open a WebSocket here too (browsers send its Origin, and some the
  // cookie): such a connection counts as anonymous.
  registry->hub().SetSubscribeFilter([shop, guard](const gateway::Request& upgrade, std::string_view topic) {
    if (!orders::IsShopTopic(topic)) return true;
    if (!gateway::FromOwnOrTrustedOrigin(upgrade, guard)) return orders::MaySubscribe(shop->auth(), nullptr, topic);
    auto user = shop->auth().Authenticate(upgrade);
    return orders::MaySubscribe(shop->auth(), user.ok() ? &*user : nullptr, topic);
  });
  // API keys with usage plans (x-api-key; /api/admin/api-keys).
  orders::ApiKeys::Options key_options;
  for (auto& route : gateway::SplitList(config.GetString("api.require_key_routes", ""))) {
    key_options.required_routes.insert(std::move(route));
  }
  auto* api_keys = registry->Own(std::make_unique<orders::ApiKeys>(tables, registry->clock(), key_options));
  RETURN_IF_ERROR(api_keys->Register(web, &shop->auth()));
  // The quota counts not yet in the table get there before it closes.
  registry->OnShutdown([api_keys] { api_keys->Stop(); });
  registry->SetApiGuard([guard, api_keys](gateway::Request& request) -> std::optional<gateway::Response> {
    if (auto refused = gateway::CheckApiRequest(request, guard)) return refused;
    return api_keys->Check(request);
  });
  registry->SetReady("orders", true);
  registry->SetReady("analytics", true);

  // --- archiver (Firehose-style copies of the shop's streams into objects) ---
  // archive/<stream>/YYYY/MM/DD/HH/<stream>-<shard>-<first seq>.jsonl.zst;
  // `rivulet replay` reads them back (src/archiver/README.md).
  if (config.GetBool("archiver.enabled", true)) {
    archiver::ArchiverOptions archive;
    archive.bucket = config.GetString("archiver.bucket", archive.bucket);
    archive.interval_ms = static_cast<int>(config.GetInt("archiver.interval_ms", archive.interval_ms));
    archive.max_object_bytes =
        static_cast<uint64_t>(config.GetInt("archiver.max_object_bytes", static_cast<int64_t>(archive.max_object_bytes)));
    archive.streams.clear();
    std::string list = config.GetString("archiver.streams", "orders,activity");
    for (size_t start = 0; start <= list.size();) {
      size_t comma = std::min(list.find(',', start), list.size());
      if (comma > start) archive.streams.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    ASSIGN_OR_RETURN(auto archiver_app,
                     archiver::Archiver::Start(functions_runtime, checked("archiver").objects, archive));
    registry->Own(std::move(archiver_app));
  }

  // --- event-source mappings from the config file and the Lambda API ---
  // Keep this block last: every function must be registered before.
  RETURN_IF_ERROR(StartConfiguredMappings(config, functions_runtime, streams));
  RETURN_IF_ERROR(lambda->RestoreMappings());
  return common::Status::OK();
}

}  // namespace server
