#include "gateway/api_guard.h"

#include <algorithm>

#include "common/logging.h"

namespace gateway {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "http://shop.example:8080" -> "shop.example:8080"; "" for anything that is
// not an http(s) origin ("null" from sandboxed frames and file: pages).
std::string OriginHost(std::string_view origin) {
  std::string o = Lower(Trim(origin));
  for (std::string_view scheme : {"http://", "https://"}) {
    if (o.starts_with(scheme)) {
      std::string host = o.substr(scheme.size());
      if (host.empty() || host.find('/') != std::string::npos) return "";
      // The default port may be left out of one and not the other.
      if (scheme == "http://" && host.ends_with(":80")) host.resize(host.size() - 3);
      if (scheme == "https://" && host.ends_with(":443")) host.resize(host.size() - 4);
      return host;
    }
  }
  return "";
}

std::string HostHeader(const Request& request) {
  // HTTP/2 carries the host in :authority (kept as a header by h2_session).
  std::string_view host = request.Header("Host");
  if (host.empty()) host = request.Header(":authority");
  std::string h = Lower(Trim(host));
  if (h.ends_with(":80")) h.resize(h.size() - 3);
  if (h.ends_with(":443")) h.resize(h.size() - 4);
  return h;
}

bool IsJsonType(std::string_view content_type) {
  std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type == "application/json") return true;
  return type.starts_with("application/") && type.ends_with("+json");
}

Response Refuse(int status, std::string_view title, std::string_view type, std::string_view detail,
                const Request& request) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/problem+json");
  r.body = "{\"type\":\"" + common::JsonEscape(type) + "\",\"title\":\"" + common::JsonEscape(title) +
           "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" + common::JsonEscape(detail) +
           "\",\"requestId\":\"" + common::JsonEscape(request.request_id) + "\"}";
  return r;
}

}  // namespace

bool IsStateChanging(std::string_view method) {
  return method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE";
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string_view item = Trim(text.substr(start, comma - start));
    if (!item.empty()) out.emplace_back(item);
    start = comma + 1;
  }
  return out;
}

bool FromOwnOrTrustedOrigin(const Request& request, const ApiGuardOptions& options) {
  if (!request.headers.Has("Origin")) return true;
  std::string_view origin = request.Header("Origin");
  std::string host = OriginHost(origin);
  if (!host.empty() && host == HostHeader(request)) return true;
  return std::find(options.trusted_origins.begin(), options.trusted_origins.end(), Lower(Trim(origin))) !=
         options.trusted_origins.end();
}

std::optional<Response> CheckApiRequest(const Request& request, const ApiGuardOptions& options) {
  if (!IsStateChanging(request.method)) return std::nullopt;
  if (Lower(Trim(request.Header("Sec-Fetch-Site"))) == "cross-site") {
    return Refuse(403, "Forbidden", "urn:rivulet:problem:cross-site",
                  "cross-site requests may not change anything here", request);
  }
  if (!FromOwnOrTrustedOrigin(request, options)) {
    return Refuse(403, "Forbidden", "urn:rivulet:problem:cross-site",
                  "requests from origin '" + std::string(request.Header("Origin").substr(0, 100)) +
                      "' may not change anything here",
                  request);
  }
  bool has_body = !request.body.empty() || request.body_stream != nullptr;
  if (has_body && !IsJsonType(request.Header("Content-Type"))) {
    std::string_view type = request.Header("Content-Type");
    return Refuse(415, "Unsupported Media Type", "about:blank",
                  type.empty() ? "the body must be JSON; send Content-Type: application/json"
                               : "the body must be JSON (Content-Type: application/json), not '" +
                                     std::string(type.substr(0, 100)) + "'",
                  request);
  }
  return std::nullopt;
}

}  // namespace gateway
