// Method + path-template routing for the web listener: "/api/orders/{id}"
// matches "/api/orders/42" with id=42; a final "*" segment matches any rest.
//
// Thread safety: Add() before the server starts; Find() from any thread after.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gateway/http.h"

namespace gateway {

class Router {
 public:
  struct Match {
    enum class Kind { kFound, kNotFound, kMethodNotAllowed };
    Kind kind = Kind::kNotFound;
    const Handler* handler = nullptr;  // set when kFound; owned by the router
    std::string route;                 // the matched template
    std::vector<std::pair<std::string, std::string>> params;
    std::string allow;  // "GET, POST" when kMethodNotAllowed
  };

  // Registers `handler` for `method` ("GET", ...) on `path_template`. A GET
  // route also answers HEAD. Returns AlreadyExists for a duplicate and
  // InvalidArgument for a template that does not start with '/' or has an
  // unclosed '{'.
  common::Status Add(std::string_view method, std::string_view path_template, Handler handler);

  // Routes with more literal segments win over those with parameters, so
  // "/api/orders/mine" beats "/api/orders/{id}" whatever the order of Add().
  Match Find(std::string_view method, std::string_view path) const;

  // Fills request.route and request.path_params and runs the handler when a
  // route matches; returns the Match so the caller can answer 404/405.
  Match Dispatch(Request& request, Respond& respond) const;

 private:
  struct Segment {
    std::string text;  // literal text or parameter name
    bool param = false;
    bool wildcard = false;
  };
  struct Route {
    std::string method;
    std::string path_template;
    std::vector<Segment> segments;
    int literal_count = 0;
    Handler handler;
  };

  static bool MatchSegments(const Route& route, const std::vector<std::string_view>& parts,
                            std::vector<std::pair<std::string, std::string>>* params);

  std::vector<Route> routes_;  // sorted by literal_count, descending
};

}  // namespace gateway
