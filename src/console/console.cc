#include "console/console.h"

#include <algorithm>
#include <functional>

#include "console/routes.h"
#include "orders/api_policy.h"
#include "orders/work_queue.h"

namespace console {

Response ProblemResponse(int status, std::string_view detail, const Request& request, std::string_view field) {
  const char* title = status == 400 ? "Bad Request" : status == 401 ? "Unauthorized" : status == 403 ? "Forbidden"
                      : status == 404 ? "Not Found" : status == 409 ? "Conflict" : status == 413 ? "Content Too Large"
                      : status == 503 ? "Service Unavailable" : "Error";
  nlohmann::json j = {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail},
                      {"requestId", request.request_id}};
  if (!field.empty()) j["field"] = field;
  Response r = Response::Json(status, j.dump());
  r.headers.Set("Content-Type", "application/problem+json");
  return r;
}

Response StatusResponse(const common::Status& status, const Request& request, std::string_view field) {
  int code = gateway::HttpStatusFor(status);
  if (code >= 500) return Response::FromStatus(status, request.request_id);
  return ProblemResponse(code, status.message(), request, field);
}

Response JsonResponse(const nlohmann::json& body) {
  Response r = Response::Json(200, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

Console::Console(const Services& services) : services_(services) {}
Console::~Console() = default;

common::Result<std::unique_ptr<Console>> Console::Start(const Services& services, gateway::Router* router) {
  std::unique_ptr<Console> console(new Console(services));
  console->work_ = std::make_unique<orders::WorkQueue>(std::max(1, services.worker_threads), 256, "console-work");
  Console* self = console.get();
  using Fn = Response (*)(const Services&, Request&);
  // The admin check is the one the orders API uses for /api/admin/orders:
  // a session (cookie or bearer) whose role's policy allows rivulet:UseConsole.
  auto admin = [self](Fn fn) -> gateway::Handler {
    return [self, fn](Request& request, gateway::Respond respond) {
      auto user = self->services_.auth->Authenticate(request);
      if (!user.ok()) return respond(ProblemResponse(401, "sign in as an admin to use the console", request));
      // One policy question for the whole console (the area is its route).
      std::string_view area = std::string_view(request.route).substr(std::min<size_t>(5, request.route.size()));
      if (!self->services_.auth->Allowed(&*user, "rivulet:UseConsole", orders::ConsoleArn(area))) {
        return respond(ProblemResponse(403, "only admins may use the operations console", request));
      }
      auto shared = std::make_shared<gateway::Respond>(std::move(respond));
      bool posted = self->work_->Post([self, fn, &request, shared] { (*shared)(fn(self->services_, request)); });
      if (!posted) (*shared)(ProblemResponse(503, "the console is busy; try again in a moment", request));
    };
  };
  struct Route {
    const char* method;
    const char* path;
    Fn fn;
  };
  const Route routes[] = {
      {"GET", "/api/admin/streams", ListStreams},
      {"GET", "/api/admin/streams/{name}", GetStream},
      {"GET", "/api/admin/streams/{name}/records", StreamRecords},
      {"GET", "/api/admin/tables", ListTables},
      {"POST", "/api/admin/tables/{name}/query", QueryTable},
      {"GET", "/api/admin/buckets", ListBuckets},
      {"GET", "/api/admin/buckets/{bucket}/objects", ListObjects},
      {"GET", "/api/admin/buckets/{bucket}/download", DownloadObject},
      {"GET", "/api/admin/outbox", ListOutbox},
      {"POST", "/api/admin/outbox/requeue", RequeueOutbox},
      {"GET", "/api/admin/iam/users", IamUsers},
      {"GET", "/api/admin/iam/roles", IamRoles},
      {"GET", "/api/admin/iam/policies", IamPolicies},
      {"POST", "/api/admin/iam/simulate", IamSimulate},
      // Any other IAM path: 503 without IAM, else 404.
      {"GET", "/api/admin/iam/*", IamUnavailable},
      {"POST", "/api/admin/iam/*", IamUnavailable},
  };
  for (const auto& r : routes) RETURN_IF_ERROR(router->Add(r.method, r.path, admin(r.fn)));
  return console;
}

}  // namespace console
