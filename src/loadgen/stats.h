// Latency samples and small parsing helpers of the load generator.
//
// Samples are kept exactly (4 bytes each) and sorted when a percentile is
// asked for: a 60 s run at 5,000 orders/s is 300,000 samples (1.2 MB), so
// exact percentiles cost less than a histogram's error bars.
// Thread safety: none; the load generator uses these from its one I/O thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace loadgen {

class LatencySamples {
 public:
  void Add(int64_t micros) { micros_.push_back(static_cast<float>(micros)); }
  void Merge(const LatencySamples& other);
  size_t count() const { return micros_.size(); }
  void Clear() { micros_.clear(); }
  // The q-quantile (0..1) in milliseconds (nearest rank); 0 when empty.
  // Sorts in place (cheap when already sorted).
  double QuantileMs(double q);
  double MaxMs();

 private:
  std::vector<float> micros_;
};

// "60s", "1.5m", "500ms", "2h", or a bare number of seconds -> seconds.
// InvalidArgument names the value otherwise.
common::Result<double> ParseDuration(std::string_view text);

// "http://host:port[/]" -> host and port (only plain http; the load
// generator drives a local or LAN Rivulet).
struct Target {
  std::string host;
  std::string port;
};
common::Result<Target> ParseUrl(std::string_view url);

// "3.1" ms with a sensible number of digits for a report.
std::string FormatMs(double ms);

}  // namespace loadgen
