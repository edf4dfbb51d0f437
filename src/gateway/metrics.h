// A small Prometheus-style metrics registry: counters, gauges and histograms
// with labels, rendered in the text exposition format (version 0.0.4) at
// /metrics. Any component may register metrics on MetricsRegistry::Default().
//
// Thread safety: everything may be called from any thread. Get*() takes a lock
// (look a metric up once and keep the reference on hot paths); updates are
// lock-free atomics. Metric references stay valid for the registry's lifetime.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace gateway {

using Labels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Gauge {
 public:
  void Set(double v) { value_.store(v, std::memory_order_relaxed); }
  void Inc(double v = 1) { value_.fetch_add(v, std::memory_order_relaxed); }
  void Dec(double v = 1) { value_.fetch_sub(v, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

class Histogram {
 public:
  // `bounds` are the upper bounds of the buckets, ascending; +Inf is implied.
  explicit Histogram(std::vector<double> bounds);
  void Observe(double v);
  const std::vector<double>& bounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds().size() is +Inf).
  uint64_t bucket(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return sum_.load(std::memory_order_relaxed); }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<double> sum_{0};
};

class MetricsRegistry {
 public:
  // The process-wide registry that /metrics renders.
  static MetricsRegistry& Default();

  // Same name and labels return the same metric. REQUIRES: a name is used with
  // one type only, and matches [a-zA-Z_:][a-zA-Z0-9_:]*.
  Counter& GetCounter(std::string_view name, std::string_view help, const Labels& labels = {});
  Gauge& GetGauge(std::string_view name, std::string_view help, const Labels& labels = {});
  Histogram& GetHistogram(std::string_view name, std::string_view help, const Labels& labels = {},
                          const std::vector<double>& bounds = LatencyBounds());

  // Seconds, 0.5 ms .. 10 s.
  static std::vector<double> LatencyBounds();

  // Runs `collect` at the start of every Render(), so components that keep
  // their own counters (the functions runtime, the outbox) can copy them into
  // gauges at scrape time instead of depending on this library.
  // REQUIRES: what `collect` touches outlives the registry's last Render().
  void AddCollector(std::function<void()> collect);

  // Prometheus text format, families sorted by name.
  std::string Render() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    // Key: rendered label set ("a=\"1\",b=\"2\"").
    std::map<std::string, std::unique_ptr<Counter>> counters;
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& GetFamily(std::string_view name, std::string_view help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, Family, std::less<>> families_;  // guarded by mu_
  mutable std::mutex collectors_mu_;  // taken before mu_, never inside it
  std::vector<std::function<void()>> collectors_;  // guarded by collectors_mu_
};

}  // namespace gateway
