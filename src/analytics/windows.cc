#include "analytics/windows.h"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

namespace analytics {
namespace {

using json = nlohmann::json;

double Round1(double v) { return std::round(v * 10) / 10; }

}  // namespace

double LatencyHistogram::Bound(int bucket) { return 0.05 * std::pow(1.1, bucket); }

void LatencyHistogram::Add(double ms) {
  int bucket = 0;
  if (ms > 0.05) bucket = static_cast<int>(std::ceil(std::log(ms / 0.05) / std::log(1.1)));
  counts_[std::clamp(bucket, 0, kBuckets - 1)]++;
  count_++;
}

void LatencyHistogram::Merge(const LatencyHistogram& other) {
  for (int i = 0; i < kBuckets; ++i) counts_[i] += other.counts_[i];
  count_ += other.count_;
}

double LatencyHistogram::Quantile(double q) const {
  if (count_ == 0) return 0;
  int64_t rank = static_cast<int64_t>(std::ceil(q * static_cast<double>(count_)));
  int64_t seen = 0;
  for (int i = 0; i < kBuckets; ++i) {
    seen += counts_[i];
    if (seen >= std::max<int64_t>(rank, 1)) return Bound(i);
  }
  return Bound(kBuckets - 1);
}

Window* Windows::Slot(std::vector<Window>& ring, int64_t width_ms, int64_t at) {
  int64_t start = at / width_ms * width_ms;
  Window& w = ring[static_cast<size_t>((at / width_ms) % static_cast<int64_t>(ring.size()))];
  if (w.start_millis == start) return &w;
  if (w.start_millis > start) return nullptr;  // older than what the ring keeps
  w = Window();
  w.start_millis = start;
  return &w;
}

template <typename Fn>
void Windows::ForBoth(int64_t at, Fn fn) {
  if (Window* s = Slot(seconds_, 1000, at)) fn(*s);
  if (Window* m = Slot(minutes_, 60'000, at)) fn(*m);
}

bool Windows::FirstSighting(const std::string& event_id) {
  if (event_id.empty()) return true;
  if (!recent_ids_.insert(event_id).second) return false;
  recent_order_.push_back(event_id);
  if (recent_order_.size() > kRecentIds) {
    recent_ids_.erase(recent_order_.front());
    recent_order_.pop_front();
  }
  return true;
}

void Windows::AddOrderEvent(const orders::Event& event) {
  std::lock_guard lock(mu_);
  if (!FirstSighting(event.event_id)) return;
  if (event.type == "OrderPlaced") {
    if (event.order && !event.order->currency.empty()) currency_ = event.order->currency;
    ForBoth(event.at_millis, [](Window& w) {
      w.orders++;
      w.by_status["PLACED"]++;
    });
    if (event.order && !event.order->customer_id.empty()) {
      int64_t& seen = last_seen_[event.order->customer_id];
      seen = std::max(seen, event.at_millis);
    }
    return;
  }
  if (event.type != "OrderConfirmed" && event.type != "OrderRejected" && event.type != "OrderStatusChanged") return;
  std::string status(orders::StatusName(event.status));
  ForBoth(event.at_millis, [&](Window& w) {
    w.by_status[status]++;
    if (event.type != "OrderConfirmed" || !event.order) return;
    const orders::Order& o = *event.order;
    w.confirmed++;
    w.revenue += o.total;
    for (const auto& line : o.items) {
      ProductStats& p = w.products[line.product_id];
      p.name = line.name;
      p.category = line.category;
      p.units += line.quantity;
      p.revenue += line.line_total;
    }
    if (o.created_millis > 0 && event.at_millis >= o.created_millis) {
      w.latency.Add(static_cast<double>(event.at_millis - o.created_millis));
    }
  });
}

void Windows::AddActivity(const std::string& type, const std::string& user_id, int64_t at_millis) {
  std::lock_guard lock(mu_);
  ForBoth(at_millis, [&](Window& w) {
    if (type == "page_view") w.page_views++;
    else if (type == "product_view") w.product_views++;
    else if (type == "add_to_cart") w.add_to_cart++;
    else if (type == "checkout_started") w.checkouts++;
  });
  if (!user_id.empty()) {
    int64_t& seen = last_seen_[user_id];
    seen = std::max(seen, at_millis);
  }
}

std::string Windows::SummaryJson(const std::string& range, int64_t now) {
  std::lock_guard lock(mu_);
  bool per_second = range == "5m";
  int64_t width = per_second ? 1000 : 60'000;
  int64_t points = range == "5m" ? 300 : range == "1h" ? 60 : 1440;
  std::vector<Window>& ring = per_second ? seconds_ : minutes_;
  int64_t last_start = now / width * width;
  int64_t first_start = last_start - (points - 1) * width;

  Window total;
  json series = json::array();
  for (int64_t start = first_start; start <= last_start; start += width) {
    const Window& w = ring[static_cast<size_t>((start / width) % static_cast<int64_t>(ring.size()))];
    bool live = w.start_millis == start;
    series.push_back({{"t", orders::FormatTime(start)}, {"orders", live ? w.orders : 0}, {"revenue", live ? w.revenue : 0}});
    if (!live) continue;
    total.orders += w.orders;
    total.confirmed += w.confirmed;
    total.revenue += w.revenue;
    for (const auto& [s, n] : w.by_status) total.by_status[s] += n;
    for (const auto& [id, p] : w.products) {
      ProductStats& t = total.products[id];
      t.name = p.name;
      t.category = p.category;
      t.units += p.units;
      t.revenue += p.revenue;
    }
    total.page_views += w.page_views;
    total.product_views += w.product_views;
    total.add_to_cart += w.add_to_cart;
    total.checkouts += w.checkouts;
    total.latency.Merge(w.latency);
  }

  // The last minute and the last complete second, from the 1 s windows.
  int64_t minute_orders = 0, minute_revenue = 0, minute_confirmed = 0, last_second = 0;
  int64_t this_second = now / 1000 * 1000;
  for (int64_t start = this_second - 59'000; start <= this_second; start += 1000) {
    const Window& w = seconds_[static_cast<size_t>((start / 1000) % kSecondSlots)];
    if (w.start_millis != start) continue;
    minute_orders += w.orders;
    minute_revenue += w.revenue;
    minute_confirmed += w.confirmed;
    if (start == this_second - 1000) last_second = w.orders;
  }

  std::vector<std::pair<std::string, ProductStats>> products(total.products.begin(), total.products.end());
  std::sort(products.begin(), products.end(), [](const auto& a, const auto& b) {
    return a.second.units != b.second.units ? a.second.units > b.second.units : a.first < b.first;
  });
  json top_products = json::array();
  std::map<std::string, std::pair<int64_t, int64_t>> categories;
  for (const auto& [id, p] : products) {
    if (top_products.size() < 10) {
      top_products.push_back({{"productId", id}, {"name", p.name}, {"units", p.units}, {"revenue", p.revenue}});
    }
    categories[p.category].first += p.units;
    categories[p.category].second += p.revenue;
  }
  std::vector<std::pair<std::string, std::pair<int64_t, int64_t>>> cats(categories.begin(), categories.end());
  std::sort(cats.begin(), cats.end(), [](const auto& a, const auto& b) { return a.second.first > b.second.first; });
  json top_categories = json::array();
  for (size_t i = 0; i < cats.size() && i < 10; ++i) {
    top_categories.push_back({{"category", cats[i].first}, {"units", cats[i].second.first}, {"revenue", cats[i].second.second}});
  }

  int64_t active = 0;
  int64_t since = now - points * width;
  for (auto it = last_seen_.begin(); it != last_seen_.end();) {
    if (it->second < now - 24 * 3'600'000) {
      it = last_seen_.erase(it);
      continue;
    }
    active += it->second >= since;
    ++it;
  }
  auto rate = [](int64_t part, int64_t whole) { return whole > 0 ? Round1(100.0 * part / whole) : 0.0; };

  json by_status = json::object();
  for (const auto& [s, n] : total.by_status) by_status[s] = n;
  json j = {
      {"at", orders::FormatTime(now)},
      {"range", range},
      {"currency", currency_},
      {"ordersPerSecond", static_cast<double>(last_second)},
      {"ordersLastMinute", minute_orders},
      {"revenueLastMinute", minute_revenue},
      {"averageBasket", minute_confirmed > 0 ? minute_revenue / minute_confirmed : 0},
      {"orders", total.orders},
      {"revenue", total.revenue},
      {"activeUsers", active},
      {"byStatus", by_status},
      {"topProducts", top_products},
      {"topCategories", top_categories},
      {"funnel",
       {{"pageViews", total.page_views},
        {"productViews", total.product_views},
        {"addToCart", total.add_to_cart},
        {"checkouts", total.checkouts},
        {"orders", total.orders},
        {"conversion",
         {{"productViewToCart", rate(total.add_to_cart, total.product_views)},
          {"cartToCheckout", rate(total.checkouts, total.add_to_cart)},
          {"checkoutToOrder", rate(total.orders, total.checkouts)},
          {"pageViewToOrder", rate(total.orders, total.page_views)}}}}},
      {"latencyMs",
       {{"p50", Round1(total.latency.Quantile(0.5))},
        {"p90", Round1(total.latency.Quantile(0.9))},
        {"p99", Round1(total.latency.Quantile(0.99))},
        {"p999", Round1(total.latency.Quantile(0.999))},
        {"count", total.latency.count()}}},
      {"series", series},
  };
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace analytics
