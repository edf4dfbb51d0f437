#include "gateway/aws_dispatcher.h"

#include "common/logging.h"

namespace gateway {

common::Status AwsDispatcher::Register(std::string prefix, Handler handler) {
  if (prefix.empty() || prefix.find('.') != std::string::npos) {
    return common::Status::InvalidArgument("X-Amz-Target prefix '" + prefix +
                                           "' must be non-empty and contain no '.'");
  }
  auto [it, inserted] = services_.emplace(std::move(prefix), std::move(handler));
  if (!inserted) return common::Status::AlreadyExists("X-Amz-Target prefix '" + it->first + "' is taken");
  return common::Status::OK();
}

common::Status AwsDispatcher::RegisterRestPath(std::string path_prefix, Handler handler) {
  if (path_prefix.size() < 2 || path_prefix.front() != '/' || path_prefix.back() != '/') {
    return common::Status::InvalidArgument("REST path prefix '" + path_prefix + "' must start and end with '/'");
  }
  auto [it, inserted] = rest_paths_.emplace(std::move(path_prefix), std::move(handler));
  if (!inserted) return common::Status::AlreadyExists("REST path prefix '" + it->first + "' is taken");
  return common::Status::OK();
}

common::Status AwsDispatcher::RegisterScopeService(std::string service, Handler handler) {
  auto [it, inserted] = scope_services_.emplace(std::move(service), std::move(handler));
  if (!inserted) return common::Status::AlreadyExists("scope service '" + it->first + "' is taken");
  return common::Status::OK();
}

namespace {

// The service of the SigV4 credential scope
// (Credential=AKID/20260101/us-east-1/<service>/aws4_request), from the
// Authorization header or a presigned query; "" when there is none.
std::string ScopeService(const Request& request) {
  std::string credential;
  std::string_view header = request.Header("Authorization");
  if (size_t pos = header.find("Credential="); pos != std::string_view::npos) {
    std::string_view rest = header.substr(pos + 11);
    credential = std::string(rest.substr(0, rest.find_first_of(", ")));
  } else if (auto query = request.QueryParam("X-Amz-Credential")) {
    credential = *query;
  }
  std::string_view c = credential;
  for (int i = 0; i < 3; ++i) {
    size_t slash = c.find('/');
    if (slash == std::string_view::npos) return "";
    c.remove_prefix(slash + 1);
  }
  return std::string(c.substr(0, c.find('/')));
}

}  // namespace

bool AwsDispatcher::StreamsBody(const Request& head) const {
  if (!rest_fallback_ || !rest_fallback_streams_puts_ || head.method != "PUT") return false;
  if (!head.Header("X-Amz-Target").empty()) return false;
  if (!scope_services_.empty() && scope_services_.contains(ScopeService(head))) return false;
  for (const auto& [prefix, handler] : rest_paths_) {
    if (head.path.compare(0, prefix.size(), prefix) == 0) return false;
  }
  return true;
}

void AwsDispatcher::Handle(Request& request, Respond respond) const {
  if (guard_) {
    if (std::optional<Response> refused = guard_(request)) {
      request.route = "aws:refused";
      respond(std::move(*refused));
      return;
    }
  }
  std::string_view target = request.Header("X-Amz-Target");
  if (target.empty()) {
    if (!scope_services_.empty()) {
      std::string service = ScopeService(request);
      if (auto it = scope_services_.find(service); it != scope_services_.end()) {
        request.route = "aws:" + service;
        it->second(request, std::move(respond));
        return;
      }
    }
    for (const auto& [prefix, handler] : rest_paths_) {
      if (request.path.compare(0, prefix.size(), prefix) == 0) {
        request.route = "aws:" + prefix;
        handler(request, std::move(respond));
        return;
      }
    }
    if (rest_fallback_) {
      request.route = "aws:rest";
      rest_fallback_(request, std::move(respond));
      return;
    }
    request.route = "aws:unknown";
    respond(JsonError(400, "UnknownOperationException",
                      "no service handles " + request.method + " " + request.path +
                          " without X-Amz-Target on this endpoint",
                      request.request_id));
    return;
  }
  std::string_view prefix = target.substr(0, target.find('.'));
  auto it = services_.find(prefix);
  if (it == services_.end()) {
    request.route = "aws:unknown";
    respond(JsonError(400, "UnknownOperationException",
                      "operation '" + std::string(target) + "' is not supported by this endpoint",
                      request.request_id));
    return;
  }
  request.route = "aws:" + it->first;
  it->second(request, std::move(respond));
}

Response AwsDispatcher::JsonError(int status, std::string_view type, std::string_view message,
                                  std::string_view request_id) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/x-amz-json-1.1");
  r.headers.Add("x-amzn-RequestId", std::string(request_id));
  r.body = "{\"__type\":\"" + common::JsonEscape(type) + "\",\"message\":\"" + common::JsonEscape(message) +
           "\"}";
  return r;
}

}  // namespace gateway
