#include "gateway/router.h"

#include <algorithm>

namespace gateway {
namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 1;  // skip the leading '/'
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

common::Status Router::Add(std::string_view method, std::string_view path_template, Handler handler) {
  if (path_template.empty() || path_template[0] != '/') {
    return common::Status::InvalidArgument("route template '" + std::string(path_template) +
                                           "' must start with '/'");
  }
  Route route{std::string(method), std::string(path_template), {}, 0, std::move(handler)};
  auto parts = SplitPath(path_template);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    Segment seg;
    if (p == "*" && i + 1 == parts.size()) {
      seg.wildcard = true;
    } else if (!p.empty() && p.front() == '{') {
      if (p.size() < 3 || p.back() != '}') {
        return common::Status::InvalidArgument("route template '" + std::string(path_template) +
                                               "' has a malformed parameter '" + std::string(p) + "'");
      }
      seg.param = true;
      seg.text = std::string(p.substr(1, p.size() - 2));
    } else {
      seg.text = std::string(p);
      ++route.literal_count;
    }
    route.segments.push_back(std::move(seg));
  }
  for (const Route& r : routes_) {
    if (r.method == route.method && r.path_template == route.path_template) {
      return common::Status::AlreadyExists("route " + route.method + " " + route.path_template +
                                           " is already registered");
    }
  }
  auto pos = std::find_if(routes_.begin(), routes_.end(),
                          [&](const Route& r) { return r.literal_count < route.literal_count; });
  routes_.insert(pos, std::move(route));
  return common::Status::OK();
}

bool Router::MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                           std::vector<std::pair<std::string, std::string>>* params) {
  const auto& segs = route.segments;
  bool wildcard = !segs.empty() && segs.back().wildcard;
  size_t fixed = wildcard ? segs.size() - 1 : segs.size();
  if (wildcard ? parts.size() < fixed : parts.size() != fixed) return false;
  params->clear();
  for (size_t i = 0; i < fixed; ++i) {
    if (segs[i].param) {
      if (parts[i].empty()) return false;
      params->emplace_back(segs[i].text, std::string(parts[i]));
    } else if (segs[i].text != parts[i]) {
      return false;
    }
  }
  return true;
}

Router::Match Router::Find(std::string_view method, std::string_view path) const {
  Match match;
  if (path.empty() || path[0] != '/') return match;
  auto parts = SplitPath(path);
  std::vector<std::pair<std::string, std::string>> params;
  std::vector<std::string> allowed;
  for (const Route& route : routes_) {
    if (!MatchSegments(route, parts, &params)) continue;
    bool method_ok = route.method == method || (method == "HEAD" && route.method == "GET");
    if (method_ok) {
      match.kind = Match::Kind::kFound;
      match.handler = &route.handler;
      match.route = route.path_template;
      match.params = std::move(params);
      return match;
    }
    if (std::find(allowed.begin(), allowed.end(), route.method) == allowed.end()) {
      allowed.push_back(route.method);
      if (route.method == "GET") allowed.push_back("HEAD");
    }
  }
  if (!allowed.empty()) {
    match.kind = Match::Kind::kMethodNotAllowed;
    for (const auto& m : allowed) {
      if (!match.allow.empty()) match.allow += ", ";
      match.allow += m;
    }
  }
  return match;
}

Router::Match Router::Dispatch(Request& request, Respond& respond) const {
  Match match = Find(request.method, request.path);
  if (match.kind == Match::Kind::kFound) {
    request.route = match.route;
    request.path_params = match.params;
    (*match.handler)(request, std::move(respond));
  }
  return match;
}

}  // namespace gateway
