#include "gateway/http.h"

#include <algorithm>
#include <cctype>

#include <simdjson.h>

#include "common/logging.h"

namespace gateway {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && c == '+') ? ' ' : c;
  }
  return out;
}

void Headers::Set(std::string_view name, std::string value) {
  std::erase_if(items_, [&](const auto& kv) { return EqualsIgnoreCase(kv.first, name); });
  items_.emplace_back(std::string(name), std::move(value));
}

std::string_view Headers::Get(std::string_view name) const {
  for (const auto& [k, v] : items_) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

bool Headers::Has(std::string_view name) const {
  for (const auto& kv : items_) {
    if (EqualsIgnoreCase(kv.first, name)) return true;
  }
  return false;
}

std::string_view Request::PathParam(std::string_view name) const {
  for (const auto& [k, v] : path_params) {
    if (k == name) return v;
  }
  return {};
}

std::optional<std::string> Request::QueryParam(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    size_t eq = pair.find('=');
    std::string key = PercentDecode(pair.substr(0, eq), true);
    if (key == name) {
      return eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    }
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

common::Result<int64_t> Request::IntQueryParam(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const {
  auto text = QueryParam(name);
  if (!text || text->empty()) return fallback;
  int64_t v = 0;
  bool ok = text->size() <= 18 && std::all_of(text->begin(), text->end(), [](char c) { return c >= '0' && c <= '9'; });
  if (ok) v = std::stoll(*text);
  if (!ok || v < lo || v > hi) {
    return common::Status::InvalidArgument(std::string(name) + " must be a whole number from " + std::to_string(lo) +
                                           " to " + std::to_string(hi) + "; got \"" + *text + "\"");
  }
  return v;
}

Response Response::Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/json");
  r.body = std::move(body);
  return r;
}

Response Response::Text(int status, std::string body, std::string content_type) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", std::move(content_type));
  r.body = std::move(body);
  return r;
}

Response Response::Problem(int status, std::string_view title, std::string_view detail,
                           std::string_view request_id) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/problem+json");
  r.body = "{\"type\":\"about:blank\",\"title\":\"" + common::JsonEscape(title) +
           "\",\"status\":" + std::to_string(status) + ",\"detail\":\"" + common::JsonEscape(detail) +
           "\",\"requestId\":\"" + common::JsonEscape(request_id) + "\"}";
  return r;
}

int HttpStatusFor(const common::Status& status) {
  using Code = common::Status::Code;
  switch (status.code()) {
    case Code::kOk: return 200;
    case Code::kNotFound: return 404;
    case Code::kInvalidArgument: return 400;
    case Code::kConditionFailed: return 409;
    case Code::kAlreadyExists: return 409;
    case Code::kResourceInUse: return 409;
    case Code::kThrottled: return 429;
    case Code::kLimitExceeded: return 429;
    case Code::kPermissionDenied: return 403;
    case Code::kUnauthenticated: return 401;
    case Code::kExpired: return 410;
    case Code::kUnavailable: return 503;
    default: return 500;
  }
}

Response Response::FromStatus(const common::Status& status, std::string_view request_id) {
  int code = HttpStatusFor(status);
  // Internal details stay in the log; the client gets the request id to quote.
  std::string_view detail = code >= 500 ? std::string_view("internal error; quote the request id")
                                        : std::string_view(status.message());
  return Problem(code, common::CodeName(status.code()), detail, request_id);
}

common::Status ValidateJson(std::string_view body) {
  thread_local simdjson::dom::parser parser;
  simdjson::padded_string padded(body);
  simdjson::dom::element element;
  auto error = parser.parse(padded).get(element);
  if (error != simdjson::SUCCESS) {
    return common::Status::InvalidArgument(std::string("request body is not valid JSON: ") +
                                           simdjson::error_message(error));
  }
  return common::Status::OK();
}

Handler Sync(std::function<Response(Request&)> fn) {
  return [fn = std::move(fn)](Request& request, Respond respond) { respond(fn(request)); };
}

}  // namespace gateway
