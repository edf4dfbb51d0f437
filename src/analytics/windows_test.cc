#include "analytics/windows.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace analytics {
namespace {

constexpr int64_t kNow = 1'764'099'720'000;  // a whole second

orders::Event Placed(const std::string& id, int64_t at) {
  orders::Event e;
  e.type = "OrderPlaced";
  e.event_id = id;
  e.at_millis = at;
  orders::Order o;
  o.id = id;
  o.customer_id = "u-" + id;
  o.currency = "EUR";
  o.created_millis = at;
  e.order = o;
  return e;
}

orders::Event Confirmed(const std::string& id, int64_t placed_at, int64_t at, int64_t units, int64_t price) {
  orders::Event e = Placed(id, placed_at);
  e.type = "OrderConfirmed";
  e.event_id = id + "/CONFIRMED";  // as orders::OutcomeEvent names it
  e.status = orders::OrderStatus::kConfirmed;
  e.at_millis = at;
  e.order->items = {{"p-1", "Beans", "Coffee", units, price, units * price}};
  e.order->total = units * price;
  return e;
}

class WindowsTest : public ::testing::Test {
 protected:
  nlohmann::json Summary(const std::string& range, int64_t now = kNow) {
    return nlohmann::json::parse(windows_.SummaryJson(range, now));
  }
  Windows windows_;
};

TEST_F(WindowsTest, CountsOrdersRevenueAndBasketOfTheLastMinute) {
  windows_.AddOrderEvent(Placed("a", kNow - 2000));
  windows_.AddOrderEvent(Confirmed("a", kNow - 2000, kNow - 1990, 2, 500));
  windows_.AddOrderEvent(Placed("b", kNow - 1500));
  windows_.AddOrderEvent(Confirmed("b", kNow - 1500, kNow - 1496, 1, 1000));
  auto s = Summary("5m");
  EXPECT_EQ(s["ordersLastMinute"], 2);
  EXPECT_EQ(s["revenueLastMinute"], 2000);
  EXPECT_EQ(s["averageBasket"], 1000);
  EXPECT_EQ(s["byStatus"]["PLACED"], 2);
  EXPECT_EQ(s["byStatus"]["CONFIRMED"], 2);
  EXPECT_EQ(s["topProducts"][0]["units"], 3);
  EXPECT_EQ(s["topCategories"][0]["category"], "Coffee");
  EXPECT_EQ(s["series"].size(), 300u);
  EXPECT_EQ(s["latencyMs"]["count"], 2);
}

// A re-emitted outcome (same event id, after a crash) and a second
// OrderPlaced for a retried order count once.
TEST_F(WindowsTest, AnEventSeenTwiceCountsOnce) {
  for (int i = 0; i < 2; ++i) {
    windows_.AddOrderEvent(Placed("a", kNow - 2000));
    windows_.AddOrderEvent(Confirmed("a", kNow - 2000, kNow - 1990, 2, 500));
  }
  auto s = Summary("5m");
  EXPECT_EQ(s["ordersLastMinute"], 1);
  EXPECT_EQ(s["revenueLastMinute"], 1000);
  EXPECT_EQ(s["byStatus"]["PLACED"], 1);
  EXPECT_EQ(s["byStatus"]["CONFIRMED"], 1);
  EXPECT_EQ(s["topProducts"][0]["units"], 2);
  EXPECT_EQ(s["latencyMs"]["count"], 1);
}

TEST_F(WindowsTest, EventsOutsideTheRangeAreNotCounted) {
  windows_.AddOrderEvent(Placed("old", kNow - 10 * 60'000));
  EXPECT_EQ(Summary("5m")["byStatus"].size(), 0u);
  EXPECT_EQ(Summary("1h")["byStatus"]["PLACED"], 1);
  EXPECT_EQ(Summary("1h")["series"].size(), 60u);
  EXPECT_EQ(Summary("24h")["series"].size(), 1440u);
}

TEST_F(WindowsTest, FunnelCountsEachStep) {
  windows_.AddActivity("page_view", "u1", kNow - 100);
  windows_.AddActivity("page_view", "u2", kNow - 100);
  windows_.AddActivity("product_view", "u1", kNow - 90);
  windows_.AddActivity("add_to_cart", "u1", kNow - 80);
  windows_.AddActivity("checkout_started", "u1", kNow - 70);
  windows_.AddOrderEvent(Placed("a", kNow - 60));
  auto f = Summary("5m", kNow + 10)["funnel"];
  EXPECT_EQ(f["pageViews"], 2);
  EXPECT_EQ(f["productViews"], 1);
  EXPECT_EQ(f["addToCart"], 1);
  EXPECT_EQ(f["checkouts"], 1);
  EXPECT_EQ(f["orders"], 1);
  EXPECT_EQ(f["conversion"]["checkoutToOrder"], 100.0);
}

TEST(LatencyHistogramTest, QuantilesAreWithinTenPercent) {
  LatencyHistogram h;
  for (int i = 1; i <= 1000; ++i) h.Add(i / 10.0);  // 0.1 .. 100 ms
  EXPECT_NEAR(h.Quantile(0.5), 50, 5.5);
  EXPECT_NEAR(h.Quantile(0.99), 99, 10);
  EXPECT_EQ(LatencyHistogram().Quantile(0.5), 0);
}

}  // namespace
}  // namespace analytics
