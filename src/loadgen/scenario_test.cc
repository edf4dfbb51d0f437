#include "loadgen/scenario.h"

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace loadgen {
namespace {

std::vector<std::string> Products() { return {"p-001", "p-002", "p-003", "p-004"}; }

TEST(ScenarioTest, SessionEndsInAValidOrderAfterFunnelEventsThinkTimeApart) {
  ScenarioOptions o;
  o.browse = 1;
  o.events = 4;
  o.think_micros = 1000;
  Scenario s(o, Products(), 7);
  auto steps = s.Session(5'000);
  ASSERT_EQ(steps.size(), 6u);
  EXPECT_EQ(steps.front().kind, StepKind::kBrowse);
  EXPECT_EQ(steps.back().kind, StepKind::kOrder);
  for (size_t i = 0; i < steps.size(); ++i) EXPECT_EQ(steps[i].due_micros, 5'000 + int64_t(i) * 1000);
  std::vector<std::string> types;
  for (size_t i = 1; i < 5; ++i) types.push_back(nlohmann::json::parse(steps[i].body)["type"]);
  EXPECT_EQ(types, (std::vector<std::string>{"page_view", "product_view", "add_to_cart", "checkout_started"}));
  auto order = nlohmann::json::parse(steps.back().body);
  ASSERT_GE(order["items"].size(), 1u);
  ASSERT_LE(order["items"].size(), 3u);
  for (const auto& line : order["items"]) {
    EXPECT_GE(line["quantity"].get<int>(), 1);
    EXPECT_EQ(line["productId"].get<std::string>().substr(0, 2), "p-");
  }
  EXPECT_EQ(order["shippingAddress"].size(), 5u);
  EXPECT_FALSE(steps.back().idempotency_key.empty());
  Scenario again(o, Products(), 7);
  auto repeated = again.Session(5'000);
  EXPECT_EQ(repeated.back().body, steps.back().body) << "the seed repeats the sessions";
  EXPECT_NE(repeated.back().idempotency_key, steps.back().idempotency_key)
      << "but never a previous run's idempotency keys";
}

TEST(ScenarioTest, OrdersOnlyMixAndCustomersInRange) {
  ScenarioOptions o;
  o.browse = 0;
  o.events = 0;
  o.customers = 3;
  o.idempotency_keys = false;
  Scenario s(o, Products(), 1);
  for (int i = 0; i < 200; ++i) {
    auto steps = s.Session(0);
    ASSERT_EQ(steps.size(), 1u);
    EXPECT_EQ(steps[0].kind, StepKind::kOrder);
    EXPECT_GE(steps[0].customer, 0);
    EXPECT_LT(steps[0].customer, 3);
    EXPECT_TRUE(steps[0].idempotency_key.empty());
  }
}

TEST(ScenarioTest, VisitorsWhoDoNotOrderThinOutTheFunnel) {
  ScenarioOptions o;
  o.browse = 0;
  o.visitors = 5;
  o.think_micros = 1000;
  Scenario s(o, Products(), 11);
  std::map<std::string, int> events;
  int orders = 0;
  const int sessions = 4000;
  for (int i = 0; i < sessions; ++i) {
    int64_t start = int64_t(i) * 10'000;
    auto steps = s.Session(start);
    for (size_t k = 0; k < steps.size(); ++k) {
      EXPECT_GE(steps[k].due_micros, start);
      if (k > 0) {
        EXPECT_GE(steps[k].due_micros, steps[k - 1].due_micros) << "steps come in due order";
      }
      if (steps[k].kind == StepKind::kOrder) ++orders;
      if (steps[k].kind == StepKind::kEvent) ++events[nlohmann::json::parse(steps[k].body)["type"]];
    }
  }
  EXPECT_EQ(orders, sessions) << "the rate stays the order rate";
  // Per order: 5 page views, 1 + 4 * 0.6 product views, then * 0.4, then * 0.5.
  EXPECT_NEAR(events["page_view"] / double(sessions), 5.0, 0.15);
  EXPECT_NEAR(events["product_view"] / double(sessions), 1 + 4 * 0.6, 0.12);
  EXPECT_NEAR(events["add_to_cart"] / double(sessions), 1 + 4 * 0.24, 0.08);
  EXPECT_NEAR(events["checkout_started"] / double(sessions), 1 + 4 * 0.12, 0.06);
}

TEST(ScenarioTest, ArrivalGapsAverageToTheRate) {
  ScenarioOptions o;
  o.rate = 1000;
  Scenario s(o, Products(), 3);
  int64_t total = 0;
  for (int i = 0; i < 20'000; ++i) total += s.NextArrivalGapMicros();
  EXPECT_NEAR(total / 20'000.0, 1000.0, 30.0);  // mean gap 1 ms
}

TEST(ScenarioTest, AccountsAreStableAndBodiesAreJson) {
  EXPECT_EQ(Scenario::Email(42), "loadgen-42@loadgen.example");
  auto signup = nlohmann::json::parse(Scenario::SignupBody(42, "pw-123456"));
  EXPECT_EQ(signup["email"], "loadgen-42@loadgen.example");
  EXPECT_FALSE(signup["name"].get<std::string>().empty());
  EXPECT_EQ(nlohmann::json::parse(Scenario::LoginBody(1, "x"))["password"], "x");
}

}  // namespace
}  // namespace loadgen
