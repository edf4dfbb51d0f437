#include "orders/model.h"

#include <gtest/gtest.h>

namespace orders {
namespace {

Order SampleOrder() {
  Order o;
  o.id = "o-1";
  o.customer_id = "u-1";
  o.customer_email = "ada@example.com";
  o.customer_name = "Ada";
  o.status = OrderStatus::kConfirmed;
  o.items = {{"p-001", "Beans", "Coffee", 2, 1290, 2580}};
  o.total = 2580;
  o.currency = "EUR";
  o.shipping_address = {"Ada", "1 Main St", "", "Berlin", "10115", "DE"};
  o.created_millis = 1'764'099'720'123;
  o.updated_millis = o.created_millis + 5;
  o.history = {{OrderStatus::kPlaced, o.created_millis, ""}, {OrderStatus::kConfirmed, o.updated_millis, ""}};
  return o;
}

TEST(ModelTest, FormatTimeIsRfc3339WithMillisInUtc) {
  EXPECT_EQ(FormatTime(1'764'099'720'123), "2025-11-25T19:42:00.123Z");
  EXPECT_EQ(FormatTime(0), "1970-01-01T00:00:00.000Z");
}

TEST(ModelTest, OrderSurvivesATableItemRoundTrip) {
  Order o = SampleOrder();
  auto back = FromItem(ToItem(o));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(ToJson(*back), ToJson(o));
  EXPECT_EQ(back->customer_email, "ada@example.com");
  EXPECT_EQ(back->items[0].category, "Coffee");
}

TEST(ModelTest, PlacedEventCarriesTheWholeOrder) {
  Event e;
  e.type = "OrderPlaced";
  e.event_id = "o-1";
  e.order = SampleOrder();
  auto back = DecodeEvent(EncodeEvent(e));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->order_id, "o-1");
  EXPECT_EQ(ToJson(*back->order), ToJson(*e.order));
  EXPECT_EQ(back->order->customer_name, "Ada");
}

TEST(ModelTest, ForeignRecordsAreNotEvents) {
  EXPECT_FALSE(DecodeEvent("hello").ok());
  EXPECT_FALSE(DecodeEvent(R"({"type":"OrderPlaced","eventId":"x"})").ok());
  EXPECT_FALSE(DecodeEvent(R"({"type":"Other","eventId":"x"})").ok());
  EXPECT_FALSE(DecodeEvent(R"({"type":"OrderStatusRequested","eventId":"x","orderId":"o","status":"LOST"})").ok());
}

TEST(ModelTest, CustomersMayOnlyCancelBeforeShipping) {
  EXPECT_TRUE(TransitionAllowed(OrderStatus::kConfirmed, OrderStatus::kCancelled, false));
  EXPECT_FALSE(TransitionAllowed(OrderStatus::kShipped, OrderStatus::kCancelled, false));
  EXPECT_TRUE(TransitionAllowed(OrderStatus::kShipped, OrderStatus::kCancelled, true));
  EXPECT_FALSE(TransitionAllowed(OrderStatus::kConfirmed, OrderStatus::kShipped, false));
  EXPECT_TRUE(TransitionAllowed(OrderStatus::kConfirmed, OrderStatus::kShipped, true));
  EXPECT_FALSE(TransitionAllowed(OrderStatus::kPlaced, OrderStatus::kShipped, true));
  EXPECT_FALSE(TransitionAllowed(OrderStatus::kDelivered, OrderStatus::kCancelled, true));
  EXPECT_FALSE(TransitionAllowed(OrderStatus::kRejected, OrderStatus::kCancelled, true));
}

}  // namespace
}  // namespace orders

#include <nlohmann/json.hpp>

#include "orders/openapi.h"

namespace orders {
namespace {

TEST(OpenApiTest, DocumentIsJsonAndListsTheOrderPaths) {
  auto doc = nlohmann::json::parse(OpenApiJson());
  EXPECT_EQ(doc["openapi"], "3.0.3");
  for (const char* path : {"/api/orders", "/api/orders/{id}", "/api/orders/{id}/cancel", "/api/auth/signup",
                           "/api/admin/orders/{id}/status", "/api/analytics/summary"}) {
    EXPECT_TRUE(doc["paths"].contains(path)) << path;
  }
}

}  // namespace
}  // namespace orders

#include "orders/auth.h"

namespace orders {
namespace {

TEST(MaySubscribeTest, CustomersFollowOnlyTheirOwnOrders) {
  Principal ada{"u-1", "ada@example.com", "Ada", "customer"};
  Principal boss{"u-9", "boss@example.com", "Boss", "admin"};
  SessionAuth auth(nullptr, nullptr);  // only its policies are used
  EXPECT_TRUE(MaySubscribe(auth, &ada, "orders/u-1"));
  EXPECT_FALSE(MaySubscribe(auth, &ada, "orders/u-2"));
  EXPECT_FALSE(MaySubscribe(auth, &ada, "orders/u-1/x"));
  EXPECT_FALSE(MaySubscribe(auth, &ada, "admin/orders"));
  EXPECT_FALSE(MaySubscribe(auth, &ada, "analytics"));
  EXPECT_TRUE(MaySubscribe(auth, &boss, "orders/u-1"));
  EXPECT_TRUE(MaySubscribe(auth, &boss, "admin/orders"));
  EXPECT_TRUE(MaySubscribe(auth, &boss, "analytics"));
  EXPECT_FALSE(MaySubscribe(auth, nullptr, "orders/u-1"));
  EXPECT_FALSE(MaySubscribe(auth, &boss, "other"));
}

}  // namespace
}  // namespace orders
