// Tumbling windows of 1 s (kept 5 minutes) and 1 min (kept 24 hours) over
// order and activity events, by event time, and the Summary JSON of
// docs/api.md computed from them.
//
// Thread safety: all methods may be called concurrently (one mutex).
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "orders/model.h"

namespace analytics {

// Latency histogram: bucket i holds values in [Bound(i-1), Bound(i)) ms,
// growing by 10 % per bucket from 0.05 ms (about 150 buckets up to 60 s).
class LatencyHistogram {
 public:
  static constexpr int kBuckets = 150;
  void Add(double ms);
  void Merge(const LatencyHistogram& other);
  // The q-quantile (0..1) in ms, the upper bound of its bucket; 0 when empty.
  double Quantile(double q) const;
  int64_t count() const { return count_; }
  static double Bound(int bucket);

 private:
  std::array<int64_t, kBuckets> counts_{};
  int64_t count_ = 0;
};

struct ProductStats {
  std::string name;
  std::string category;
  int64_t units = 0;
  int64_t revenue = 0;
};

// One tumbling window.
struct Window {
  int64_t start_millis = 0;
  int64_t orders = 0;      // OrderPlaced
  int64_t confirmed = 0;   // OrderConfirmed
  int64_t revenue = 0;     // of confirmed orders
  std::map<std::string, int64_t> by_status;  // status reached -> count
  std::map<std::string, ProductStats> products;  // of confirmed orders
  int64_t page_views = 0, product_views = 0, add_to_cart = 0, checkouts = 0;
  LatencyHistogram latency;  // accept -> confirmed
};

class Windows {
 public:
  // Folds in one event from `orders` (orders::Event) or from `activity`
  // (raw JSON {type, at, userId?, productId?}).
  void AddOrderEvent(const orders::Event& event);
  void AddActivity(const std::string& type, const std::string& user_id, int64_t at_millis);

  // range: "5m", "1h" or "24h"; `now_millis` is the end of the range.
  std::string SummaryJson(const std::string& range, int64_t now_millis);

 private:
  static constexpr int64_t kSecondSlots = 300;   // 5 minutes of 1 s windows
  static constexpr int64_t kMinuteSlots = 1440;  // 24 hours of 1 min windows
  // An order event can come twice, with the same id and close behind the
  // first in the stream: the processor re-emits the outcomes of a batch
  // re-delivered after a crash, and a retried order may be placed twice.
  // Each id counts once among the last this many.
  static constexpr size_t kRecentIds = 50'000;

  // Whether `event_id` is new among the recent ids; remembers it.
  bool FirstSighting(const std::string& event_id);  // REQUIRES: mu_ held

  // The window for `at` in a ring, reset when it held an older window.
  static Window* Slot(std::vector<Window>& ring, int64_t width_ms, int64_t at);
  template <typename Fn>
  void ForBoth(int64_t at, Fn fn);

  std::mutex mu_;
  std::vector<Window> seconds_ = std::vector<Window>(kSecondSlots);  // guarded by mu_
  std::vector<Window> minutes_ = std::vector<Window>(kMinuteSlots);  // guarded by mu_
  std::unordered_map<std::string, int64_t> last_seen_;  // user -> last activity; guarded by mu_
  std::string currency_ = "EUR";                        // guarded by mu_
  std::unordered_set<std::string> recent_ids_;          // guarded by mu_
  std::deque<std::string> recent_order_;                // guarded by mu_; oldest first
};

}  // namespace analytics
