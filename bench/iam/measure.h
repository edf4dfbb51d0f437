// Shared by iam_bench and role_bench: throughput and per-call latency of an
// in-process call, one thread.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

namespace bench {

struct Figure {
  double ops_per_s, p50_ns, p99_ns;
};

// Runs `fn` in batches of `batch` for about `seconds`; the per-call latency
// samples are each batch's time divided by its size (the clock costs more
// than the fastest calls).
inline Figure Measure(const std::function<void()>& fn, double seconds, int batch) {
  using Clock = std::chrono::steady_clock;
  std::vector<double> samples;
  auto start = Clock::now();
  auto deadline = start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
  uint64_t calls = 0;
  while (Clock::now() < deadline) {
    auto t0 = Clock::now();
    for (int i = 0; i < batch; ++i) fn();
    samples.push_back(std::chrono::duration<double, std::nano>(Clock::now() - t0).count() / batch);
    calls += static_cast<uint64_t>(batch);
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::sort(samples.begin(), samples.end());
  return {calls / elapsed, samples[samples.size() / 2], samples[samples.size() * 99 / 100]};
}

}  // namespace bench
