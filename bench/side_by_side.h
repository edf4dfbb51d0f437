// Google Benchmark helpers for "ours beside a baseline, in one run":
// benchmarks named "<op>/<variant>", each repeated (Register), and a reporter
// that prints Google Benchmark's usual lines, then one summary line per op:
// the median and p99 over the repetitions of CPU ns per call for ours and
// the baseline, and baseline/ours.
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

namespace bench {

inline double P99(const std::vector<double>& v) {
  std::vector<double> sorted = v;
  std::sort(sorted.begin(), sorted.end());
  size_t rank = static_cast<size_t>(std::ceil(0.99 * static_cast<double>(sorted.size())));
  return sorted[std::clamp<size_t>(rank, 1, sorted.size()) - 1];
}

inline void Register(const char* name, void (*fn)(benchmark::State&)) {
  benchmark::RegisterBenchmark(name, fn)
      ->Repetitions(10)
      ->ReportAggregatesOnly(true)
      ->ComputeStatistics("p99", P99)
      ->MinTime(0.2);
}

struct Variant {
  std::string suffix;  // "<op>/<suffix>"
  std::string title;   // column header
};

class SideBySideReporter : public benchmark::ConsoleReporter {
 public:
  SideBySideReporter(std::vector<std::string> ops, Variant ours, Variant baseline)
      : ops_(std::move(ops)), ours_(std::move(ours)), baseline_(std::move(baseline)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& run : runs) {
      if (run.run_type != Run::RT_Aggregate) continue;
      figures_[run.run_name.function_name][run.aggregate_name] = run.GetAdjustedCPUTime();
    }
  }

  void PrintSummary() const {
    std::printf("\n%-8s %26s %26s %14s\n", "", ours_.title.c_str(), baseline_.title.c_str(), "baseline/ours");
    for (const std::string& op : ops_) PrintRow(op, ours_.suffix, baseline_.suffix);
  }

  // A summary of its own for an op whose variants are not the reporter's.
  void PrintPair(const std::string& op, const Variant& ours, const Variant& baseline) const {
    std::printf("\n%-8s %26s %26s %14s\n", "", ours.title.c_str(), baseline.title.c_str(), "baseline/ours");
    PrintRow(op, ours.suffix, baseline.suffix);
  }

 private:
  void PrintRow(const std::string& op, const std::string& ours_suffix, const std::string& baseline_suffix) const {
    auto ours = figures_.find(op + "/" + ours_suffix);
    auto base = figures_.find(op + "/" + baseline_suffix);
    if (ours == figures_.end() || base == figures_.end()) return;
    auto cell = [](const std::map<std::string, double>& f) {
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.0f ns (p99 %.0f)", f.at("median"), f.at("p99"));
      return std::string(buf);
    };
    std::printf("%-8s %26s %26s %13.1fx\n", op.c_str(), cell(ours->second).c_str(), cell(base->second).c_str(),
                base->second.at("median") / ours->second.at("median"));
  }

  std::vector<std::string> ops_;
  Variant ours_, baseline_;
  std::map<std::string, std::map<std::string, double>> figures_;
};

}  // namespace bench
