#include "gateway/web_app.h"

#include "common/logging.h"

namespace gateway {
namespace {

bool IsApiPath(std::string_view path) { return path == "/api" || path.starts_with("/api/"); }

bool HasDotDotSegment(std::string_view path) {
  return path == ".." || path.starts_with("../") || path.ends_with("/..") ||
         path.find("/../") != std::string_view::npos;
}

std::string LandingPage(const std::string& version, const std::string& static_dir) {
  return "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Rivulet</title></head><body>\n"
         "<h1>Rivulet " + version + "</h1>\n"
         "<p>The order-processing server is running. The web UI is not built yet (no static directory at <code>" +
         static_dir + "</code>).</p>\n"
         "<ul><li><a href=\"/healthz\">/healthz</a> liveness</li>"
         "<li><a href=\"/readyz\">/readyz</a> readiness</li>"
         "<li><a href=\"/metrics\">/metrics</a> Prometheus metrics</li></ul>\n"
         "</body></html>\n";
}

}  // namespace

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 503: return "Service Unavailable";
    default: return "Error";
  }
}

WebApp::WebApp(WebAppOptions options, Router* router, Throttler* throttler, MetricsRegistry* metrics)
    : options_(std::move(options)), router_(router), throttler_(throttler), metrics_(metrics),
      static_files_(options_.static_dir) {
  if (options_.static_store) static_files_.SetStore(options_.static_store);
}

common::Status WebApp::AddBuiltinRoutes() {
  metrics_->GetGauge("rivulet_build_info", "Build information; the value is always 1.",
                     {{"version", options_.version}})
      .Set(1);
  RETURN_IF_ERROR(router_->Add("GET", "/healthz", Sync([](Request&) {
    return Response::Json(200, "{\"status\":\"ok\"}");
  })));
  RETURN_IF_ERROR(router_->Add("GET", "/readyz", Sync([this](Request&) {
    std::vector<std::string> not_ready;
    if (!options_.ready || options_.ready(&not_ready)) return Response::Json(200, "{\"status\":\"ready\"}");
    std::string list;
    for (const auto& name : not_ready) list += (list.empty() ? "\"" : ",\"") + common::JsonEscape(name) + "\"";
    return Response::Json(503, "{\"status\":\"starting\",\"notReady\":[" + list + "]}");
  })));
  RETURN_IF_ERROR(router_->Add("GET", "/metrics", Sync([this](Request&) {
    return Response::Text(200, metrics_->Render(), "text/plain; version=0.0.4; charset=utf-8");
  })));
  if (!static_files_.enabled()) {
    RETURN_IF_ERROR(router_->Add("GET", "/", Sync([this](Request&) {
      return Response::Text(200, LandingPage(options_.version, options_.static_dir), "text/html; charset=utf-8");
    })));
  }
  return common::Status::OK();
}

void WebApp::Handle(Request& request, Respond respond) {
  Router::Match match = router_->Find(request.method, request.path);
  if (match.kind == Router::Match::Kind::kFound) {
    request.route = match.route;
    request.path_params = std::move(match.params);
    if (options_.api_guard && IsApiPath(request.path)) {
      if (auto refused = options_.api_guard(request)) return respond(std::move(*refused));
    }
    // A verified API key is its own client; an unverified header is not (it
    // would let anyone pick a fresh bucket per request).
    int wait = throttler_->Check(request.route, request.principal_id.empty()
                                                    ? std::string_view(request.remote_addr)
                                                    : std::string_view(request.principal_id));
    if (wait > 0) {
      Response r = Response::Problem(429, "Too Many Requests",
                                     "rate limit for " + request.route + " exceeded; retry in " +
                                         std::to_string(wait) + " s",
                                     request.request_id);
      r.headers.Add("Retry-After", std::to_string(wait));
      return respond(std::move(r));
    }
    return (*match.handler)(request, std::move(respond));
  }
  bool get = request.method == "GET" || request.method == "HEAD";
  if (match.kind == Router::Match::Kind::kMethodNotAllowed && (IsApiPath(request.path) || !get)) {
    request.route = "method-not-allowed";
    Response r = Response::Problem(405, "Method Not Allowed",
                                   request.method + " is not allowed on " + request.path + "; use " + match.allow,
                                   request.request_id);
    r.headers.Add("Allow", match.allow);
    return respond(std::move(r));
  }
  NotFound(request, respond);
}

void WebApp::NotFound(Request& request, Respond& respond) {
  bool get = request.method == "GET" || request.method == "HEAD";
  if (!IsApiPath(request.path) && static_files_.enabled() && !HasDotDotSegment(request.path)) {
    if (!get) {
      request.route = "method-not-allowed";
      Response r = Response::Problem(405, "Method Not Allowed", "static files answer GET and HEAD only",
                                     request.request_id);
      r.headers.Add("Allow", "GET, HEAD");
      return respond(std::move(r));
    }
    if (auto file = static_files_.Serve(request)) {
      request.route = "static";
      return respond(std::move(*file));
    }
    // Client-side routes ("/orders/42") get the app; missing files ("/x.js") a 404.
    std::string_view last = std::string_view(request.path).substr(request.path.rfind('/') + 1);
    if (options_.spa_fallback && last.find('.') == std::string_view::npos) {
      if (auto index = static_files_.ServeIndex(request)) {
        request.route = "spa-fallback";
        return respond(std::move(*index));
      }
    }
  }
  respond(Response::Problem(404, "Not Found", "no resource at " + request.path, request.request_id));
}

}  // namespace gateway
