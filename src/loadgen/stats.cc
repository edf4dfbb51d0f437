#include "loadgen/stats.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace loadgen {

void LatencySamples::Merge(const LatencySamples& other) {
  micros_.insert(micros_.end(), other.micros_.begin(), other.micros_.end());
}

double LatencySamples::QuantileMs(double q) {
  if (micros_.empty()) return 0;
  std::sort(micros_.begin(), micros_.end());
  // Nearest rank: the smallest sample with at least q of all samples at or below it.
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(micros_.size())));
  rank = std::clamp<size_t>(rank, 1, micros_.size());
  return micros_[rank - 1] / 1000.0;
}

double LatencySamples::MaxMs() {
  if (micros_.empty()) return 0;
  return *std::max_element(micros_.begin(), micros_.end()) / 1000.0;
}

common::Result<double> ParseDuration(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  double value = std::strtod(s.c_str(), &end);
  std::string unit(end == nullptr ? "" : end);
  double scale = unit.empty() || unit == "s" ? 1 : unit == "ms" ? 0.001 : unit == "m" ? 60 : unit == "h" ? 3600 : -1;
  if (s.empty() || end == s.c_str() || scale < 0 || !(value >= 0) || std::isinf(value)) {
    return common::Status::InvalidArgument("duration '" + s + "' is not a number with ms, s, m or h (e.g. 60s)");
  }
  return value * scale;
}

common::Result<Target> ParseUrl(std::string_view url) {
  std::string_view rest = url;
  constexpr std::string_view kScheme = "http://";
  if (rest.substr(0, kScheme.size()) == kScheme) rest.remove_prefix(kScheme.size());
  else if (rest.find("://") != std::string_view::npos) {
    return common::Status::InvalidArgument("url '" + std::string(url) + "' is not http:// (https is not supported)");
  }
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) {
    return common::Status::InvalidArgument("url '" + std::string(url) + "' has a path; give only http://host:port");
  }
  Target t;
  size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    t.host = std::string(rest);
    t.port = "80";
  } else {
    t.host = std::string(rest.substr(0, colon));
    t.port = std::string(rest.substr(colon + 1));
  }
  bool digits = !t.port.empty() && t.port.size() <= 5 &&
                std::all_of(t.port.begin(), t.port.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (t.host.empty() || !digits || std::stoi(t.port) > 65535) {
    return common::Status::InvalidArgument("url '" + std::string(url) + "' is not http://host:port");
  }
  return t;
}

std::string FormatMs(double ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f" : ms < 100 ? "%.1f" : "%.0f", ms);
  return buf;
}

}  // namespace loadgen
