#include "orders/model.h"

#include <cstdio>
#include <ctime>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

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

TEST(ModelTest, FormatTimeWritesWhatPrintfWrote) {
  auto printf_form = [](int64_t millis) {
    std::time_t seconds = static_cast<std::time_t>(millis / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char buf[96];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(millis % 1000));
    return std::string(buf);
  };
  // Leap days, the ends of the four-digit years, and times no order has
  // (before 1970, past 9999), which keep printf's form.
  for (int64_t millis : {int64_t{951'782'400'000}, int64_t{4'107'542'399'999}, int64_t{253'402'300'799'999},
                         int64_t{253'402'300'800'000}, int64_t{-1}, int64_t{-62'167'219'200'001},
                         int64_t{1'764'099'720'123}}) {
    EXPECT_EQ(FormatTime(millis), printf_form(millis)) << millis;
  }
  for (int64_t millis = 0; millis < 4'102'444'800'000; millis += 987'654'321) {  // up to 2100
    ASSERT_EQ(FormatTime(millis), printf_form(millis)) << millis;
  }
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

TEST(ModelTest, AConsumerDecodesOnlyTheTypesItAsksFor) {
  Event e;
  e.type = "OrderPlaced";
  e.event_id = "o-1";
  e.order = SampleOrder();
  std::string placed = EncodeEvent(e);
  auto wanted = DecodeEventOf(placed, {"OrderConfirmed", "OrderPlaced"});
  ASSERT_TRUE(wanted.ok()) << wanted.status().ToString();
  ASSERT_TRUE(wanted->has_value());
  EXPECT_EQ(ToJson(*(*wanted)->order), ToJson(*e.order));
  auto skipped = DecodeEventOf(placed, {"OrderConfirmed"});
  ASSERT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped->has_value());
  // A wanted type is still checked whole; what is not an event is an error either way.
  EXPECT_FALSE(DecodeEventOf(R"({"type":"OrderPlaced","eventId":"x"})", {"OrderPlaced"}).ok());
  EXPECT_FALSE(DecodeEventOf("hello", {"OrderPlaced"}).ok());
  EXPECT_FALSE(DecodeEventOf(R"({"type":7})", {"OrderPlaced"}).ok());
}

// An order whose strings need escaping and whose optional parts are all set.
Order TrickyOrder() {
  Order o = SampleOrder();
  o.status = OrderStatus::kCancelled;
  o.customer_name = "Ada \"Countess\" Lovelace";
  o.items = {{"p-001", "Beans \\ Co.\n", "Coffee", 2, 1290, 2580}, {"p-002", "Zoë's 東京 mug", "Cups", 1, 900, 900}};
  o.total = 3480;
  o.shipping_address.line2 = "Flat 2";
  o.history = {{OrderStatus::kPlaced, o.created_millis, ""},
               {OrderStatus::kCancelled, o.updated_millis, "changed my mind"}};
  return o;
}

// The bytes the nlohmann::json encoders wrote for TrickyOrder before the
// hand-written writers replaced them: consumers and stored records depend on
// the field names and types, and nothing should change on the wire. (The API
// shape has since gained customerEmail and customerName.)
constexpr std::string_view kTrickyApiJson =
    R"({"createdAt":"2025-11-25T19:42:00.123Z","currency":"EUR","customerEmail":"ada@example.com",)"
    R"("customerId":"u-1","customerName":"Ada \"Countess\" Lovelace","history":[)"
    R"({"at":"2025-11-25T19:42:00.123Z","status":"PLACED"},)"
    R"({"at":"2025-11-25T19:42:00.128Z","reason":"changed my mind","status":"CANCELLED"}],"id":"o-1","items":[)"
    R"({"lineTotal":2580,"name":"Beans \\ Co.\n","productId":"p-001","quantity":2,"unitPrice":1290},)"
    R"({"lineTotal":900,"name":"Zoë's 東京 mug","productId":"p-002","quantity":1,"unitPrice":900}],)"
    R"("shippingAddress":{"city":"Berlin","country":"DE","line1":"1 Main St","line2":"Flat 2","name":"Ada",)"
    R"("postalCode":"10115"},"status":"CANCELLED","total":3480,"updatedAt":"2025-11-25T19:42:00.128Z"})";
constexpr std::string_view kTrickyEventOrderJson =
    R"({"createdAt":"2025-11-25T19:42:00.123Z","createdMillis":1764099720123,"currency":"EUR",)"
    R"("customerEmail":"ada@example.com","customerId":"u-1","customerName":"Ada \"Countess\" Lovelace","history":[)"
    R"({"atMillis":1764099720123,"status":"PLACED"},)"
    R"({"atMillis":1764099720128,"reason":"changed my mind","status":"CANCELLED"}],"id":"o-1","items":[)"
    R"({"category":"Coffee","lineTotal":2580,"name":"Beans \\ Co.\n","productId":"p-001","quantity":2,"unitPrice":1290},)"
    R"({"category":"Cups","lineTotal":900,"name":"Zoë's 東京 mug","productId":"p-002","quantity":1,"unitPrice":900}],)"
    R"("shippingAddress":{"city":"Berlin","country":"DE","line1":"1 Main St","line2":"Flat 2","name":"Ada",)"
    R"("postalCode":"10115"},"status":"CANCELLED","total":3480,"updatedAt":"2025-11-25T19:42:00.128Z",)"
    R"("updatedMillis":1764099720128})";

TEST(ModelTest, ApiJsonIsWhatTheNlohmannEncoderWrote) {
  EXPECT_EQ(ToJson(TrickyOrder()), kTrickyApiJson);
  EXPECT_EQ(StatusChangeJson("o-1", TrickyOrder().history[1]),
            R"({"at":"2025-11-25T19:42:00.128Z","orderId":"o-1","reason":"changed my mind","status":"CANCELLED"})");
  EXPECT_EQ(StatusChangeJson("o-1", TrickyOrder().history[0]),
            R"({"at":"2025-11-25T19:42:00.123Z","orderId":"o-1","status":"PLACED"})");
}

TEST(ModelTest, EventsAreWhatTheNlohmannEncoderWrote) {
  EXPECT_EQ(EncodeEvent(PlacedEvent(TrickyOrder())),
            R"({"at":1764099720123,"eventId":"o-1","order":)" + std::string(kTrickyEventOrderJson) +
                R"(,"type":"OrderPlaced"})");

  Event requested;
  requested.type = "OrderStatusRequested";
  requested.event_id = "e-2";
  requested.at_millis = 5;
  requested.order_id = "o-1";
  requested.status = OrderStatus::kCancelled;
  requested.by_admin = true;
  requested.actor = "u-9";
  requested.reason = "out of stock";
  EXPECT_EQ(EncodeEvent(requested), R"({"actor":"u-9","at":5,"byAdmin":true,"eventId":"e-2","orderId":"o-1",)"
                                    R"("reason":"out of stock","status":"CANCELLED","type":"OrderStatusRequested"})");

  Event rejected;
  rejected.type = "OrderRejected";
  rejected.event_id = "e-3";
  rejected.at_millis = 6;
  rejected.order_id = "o-1";
  rejected.customer_id = "u-1";
  rejected.status = OrderStatus::kRejected;
  rejected.reason = "p-001 is out of stock";
  rejected.order = TrickyOrder();
  EXPECT_EQ(EncodeEvent(rejected), R"({"at":6,"customerId":"u-1","eventId":"e-3","order":)" +
                                       std::string(kTrickyEventOrderJson) +
                                       R"(,"orderId":"o-1","reason":"p-001 is out of stock","status":"REJECTED",)"
                                       R"("type":"OrderRejected"})");
  rejected.order.reset();
  rejected.reason.clear();
  EXPECT_EQ(EncodeEvent(rejected),
            R"({"at":6,"customerId":"u-1","eventId":"e-3","orderId":"o-1","status":"REJECTED","type":"OrderRejected"})");
}

TEST(ModelTest, EveryEventSurvivesARoundTrip) {
  Order o = TrickyOrder();
  auto placed = DecodeEvent(EncodeEvent(PlacedEvent(o)));
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->type, "OrderPlaced");
  EXPECT_EQ(placed->at_millis, o.created_millis);
  EXPECT_EQ(placed->customer_id, "u-1");
  ASSERT_TRUE(placed->order.has_value());
  EXPECT_EQ(EncodeEvent(*placed), EncodeEvent(PlacedEvent(o)));
  EXPECT_EQ(placed->order->items[1].category, "Cups");
  EXPECT_EQ(placed->order->history[1].reason, "changed my mind");
  EXPECT_EQ(placed->order->shipping_address.line2, "Flat 2");
  EXPECT_EQ(placed->idempotency_key, "");

  Event keyed = PlacedEvent(o);
  keyed.idempotency_key = "u-1#retry-7";
  keyed.request_fingerprint = "9f86d081";
  std::string keyed_json = EncodeEvent(keyed);
  EXPECT_NE(keyed_json.find(R"("eventId":"o-1","idempotency":{"fingerprint":"9f86d081","key":"u-1#retry-7"},"order":)"),
            std::string::npos)
      << keyed_json;
  auto keyed_back = DecodeEvent(keyed_json);
  ASSERT_TRUE(keyed_back.ok()) << keyed_back.status().ToString();
  EXPECT_EQ(keyed_back->idempotency_key, "u-1#retry-7");
  EXPECT_EQ(keyed_back->request_fingerprint, "9f86d081");
  EXPECT_EQ(EncodeEvent(*keyed_back), keyed_json);

  Event changed;
  changed.type = "OrderStatusChanged";
  changed.event_id = "e-4";
  changed.order_id = "o-1";
  changed.customer_id = "u-1";
  changed.status = OrderStatus::kShipped;
  changed.order = o;
  auto back = DecodeEvent(EncodeEvent(changed));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->status, OrderStatus::kShipped);
  EXPECT_EQ(EncodeEvent(*back), EncodeEvent(changed));
}

TEST(ModelTest, AnyStringSurvivesEncodeAndDecode) {
  const std::string replacement = "\xEF\xBF\xBD";  // U+FFFD
  struct Case {
    std::string written, read;
  };
  const Case cases[] = {
      {"say \"hi\"", "say \"hi\""},
      {"back\\slash", "back\\slash"},
      {"two\nlines\r\n", "two\nlines\r\n"},
      {std::string("bell\x07 nul\x00 esc\x1b", 15), std::string("bell\x07 nul\x00 esc\x1b", 15)},
      {"Zoë – 東京 🚚", "Zoë – 東京 🚚"},
      // Ill-formed UTF-8 cannot be written into JSON: each bad sequence
      // becomes U+FFFD (as nlohmann's replace handler did), the rest stays.
      {"bad\xFF" "byte", "bad" + replacement + "byte"},
      {"cut \xE6\x9D", "cut " + replacement},
  };
  for (const auto& c : cases) {
    Order o = SampleOrder();
    o.customer_name = c.written;
    o.items[0].name = c.written;
    o.shipping_address.line1 = c.written;
    o.history[1].reason = c.written;
    std::string encoded = EncodeEvent(PlacedEvent(o));

    auto back = DecodeEvent(encoded);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << " for " << testing::PrintToString(c.written);
    EXPECT_EQ(back->order->customer_name, c.read);
    EXPECT_EQ(back->order->items[0].name, c.read);
    EXPECT_EQ(back->order->shipping_address.line1, c.read);
    EXPECT_EQ(back->order->history[1].reason, c.read);

    // Other JSON readers (the web UI, boto3, the console) see the same.
    auto json = nlohmann::json::parse(encoded);
    EXPECT_EQ(json["order"]["customerName"], c.read);
    EXPECT_EQ(json["order"]["items"][0]["name"], c.read);
    auto api = nlohmann::json::parse(ToJson(o));
    EXPECT_EQ(api["shippingAddress"]["line1"], c.read);
    EXPECT_EQ(api["history"][1]["reason"], c.read);
    EXPECT_EQ(nlohmann::json::parse(StatusChangeJson(c.written, o.history[1]))["orderId"], c.read);
  }
}

TEST(ModelTest, OptionalFieldsTakeTheirDefaults) {
  auto requested = DecodeEvent(R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o","status":"CANCELLED"})");
  ASSERT_TRUE(requested.ok()) << requested.status().ToString();
  EXPECT_EQ(requested->at_millis, 0);
  EXPECT_FALSE(requested->by_admin);
  EXPECT_EQ(requested->actor, "");
  EXPECT_EQ(requested->reason, "");

  auto confirmed = DecodeEvent(R"({"type":"OrderConfirmed","eventId":"e","orderId":"o","status":"CONFIRMED"})");
  ASSERT_TRUE(confirmed.ok()) << confirmed.status().ToString();
  EXPECT_EQ(confirmed->customer_id, "");
  EXPECT_FALSE(confirmed->order.has_value());

  auto placed = DecodeEvent(
      R"({"type":"OrderPlaced","eventId":"e","order":{"id":"o","customerId":"u","items":[],"total":0,"currency":"EUR"}})");
  ASSERT_TRUE(placed.ok()) << placed.status().ToString();
  EXPECT_EQ(placed->order_id, "o");
  EXPECT_EQ(placed->order->status, OrderStatus::kPlaced);
  EXPECT_EQ(placed->order->customer_email, "");
  EXPECT_EQ(placed->order->shipping_address.city, "");
  EXPECT_TRUE(placed->order->history.empty());
  EXPECT_EQ(placed->order->created_millis, 0);
}

// A valid OrderPlaced event with one change at a JSON pointer (or the field
// removed), decoded.
common::Result<Event> DecodeChanged(const std::string& pointer, std::optional<nlohmann::json> value) {
  Order o = TrickyOrder();
  auto json = nlohmann::json::parse(EncodeEvent(PlacedEvent(o)));
  nlohmann::json::json_pointer at(pointer);
  if (value) {
    json[at] = *value;
  } else {
    json[at.parent_pointer()].erase(at.back());
  }
  return DecodeEvent(json.dump());
}

TEST(ModelTest, EachMalformedFieldIsNamed) {
  using nlohmann::json;
  struct Case {
    std::string pointer;
    std::optional<json> value;  // nullopt: the field is removed
    std::string message;
  };
  const Case cases[] = {
      {"/type", std::nullopt, "malformed event: 'type' is missing"},
      {"/type", 7, "malformed event: 'type' is a number; expected a string"},
      {"/type", "OrderShipped", "unknown event type 'OrderShipped'"},
      {"/eventId", std::nullopt, "malformed event: 'eventId' is missing"},
      {"/eventId", json::array(), "malformed event: 'eventId' is an array; expected a string"},
      {"/eventId", "", "event without eventId"},
      {"/at", "yesterday", "malformed event: 'at' is a string; expected an integer"},
      {"/at", 1.5, "malformed event: 'at' is a number; expected an integer"},
      {"/at", 18446744073709551615u, "malformed event: 'at' is a number; expected an integer"},
      {"/order", std::nullopt, "malformed event: 'order' is missing"},
      {"/order", json::array(), "malformed event: 'order' is an array; expected an object"},
      {"/order/id", std::nullopt, "malformed event: 'id' is missing"},
      {"/order/customerId", nullptr, "malformed event: 'customerId' is null; expected a string"},
      {"/order/customerName", false, "malformed event: 'customerName' is a boolean; expected a string"},
      {"/order/status", "LOST", "status 'LOST' is not one of"},
      {"/order/items", std::nullopt, "malformed event: 'items' is missing"},
      {"/order/items", json::object(), "malformed event: 'items' is an object; expected an array"},
      {"/order/items/1", "p-002", "malformed event: an entry of 'items' is a string; expected an object"},
      {"/order/items/0/productId", std::nullopt, "malformed event: 'productId' is missing"},
      {"/order/items/0/quantity", "2", "malformed event: 'quantity' is a string; expected an integer"},
      {"/order/items/0/unitPrice", 12.9, "malformed event: 'unitPrice' is a number; expected an integer"},
      {"/order/items/0/lineTotal", std::nullopt, "malformed event: 'lineTotal' is missing"},
      {"/order/total", true, "malformed event: 'total' is a boolean; expected an integer"},
      {"/order/currency", std::nullopt, "malformed event: 'currency' is missing"},
      {"/order/shippingAddress", nullptr, "malformed event: 'shippingAddress' is null; expected an object"},
      {"/order/shippingAddress/city", 10115, "malformed event: 'city' is a number; expected a string"},
      {"/order/createdMillis", "now", "malformed event: 'createdMillis' is a string; expected an integer"},
      {"/order/history", "PLACED", "malformed event: 'history' is a string; expected an array"},
      {"/order/history/0", json::array(), "malformed event: an entry of 'history' is an array; expected an object"},
      {"/order/history/0/status", std::nullopt, "status '' is not one of"},
      {"/order/history/1/atMillis", "x", "malformed event: 'atMillis' is a string; expected an integer"},
      {"/order/history/1/reason", 3, "malformed event: 'reason' is a number; expected a string"},
      {"/idempotency", "k-1", "malformed event: 'idempotency' is a string; expected an object"},
      {"/idempotency", json::object({{"fingerprint", "ab"}}), "malformed event: 'key' is missing"},
      {"/idempotency", json::object({{"key", "u-1#k"}}), "malformed event: 'fingerprint' is missing"},
      {"/idempotency", json::object({{"key", ""}, {"fingerprint", "ab"}}), "idempotency.key is empty"},
  };
  for (const auto& c : cases) {
    auto decoded = DecodeChanged(c.pointer, c.value);
    ASSERT_FALSE(decoded.ok()) << c.pointer;
    EXPECT_TRUE(decoded.status().IsInvalidArgument()) << c.pointer;
    EXPECT_NE(decoded.status().message().find(c.message), std::string::npos)
        << c.pointer << ": " << decoded.status().message();
  }
}

TEST(ModelTest, MalformedStatusRequestsAndOutcomesAreRejected) {
  struct Case {
    std::string data, message;
  };
  const Case cases[] = {
      {R"({"type":"OrderStatusRequested","eventId":"e","status":"CANCELLED"})", "'orderId' is missing"},
      {R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o"})", "'status' is missing"},
      {R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o","status":5})", "'status' is a number"},
      {R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o","status":"cancelled"})", "status 'cancelled'"},
      {R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o","status":"CANCELLED","byAdmin":"yes"})",
       "'byAdmin' is a string; expected a boolean"},
      {R"({"type":"OrderStatusRequested","eventId":"e","orderId":"o","status":"CANCELLED","actor":{}})",
       "'actor' is an object; expected a string"},
      {R"({"type":"OrderConfirmed","eventId":"e","status":"CONFIRMED"})", "'orderId' is missing"},
      {R"({"type":"OrderConfirmed","eventId":"e","orderId":"o","status":"CONFIRMED","customerId":1})",
       "'customerId' is a number"},
      {R"({"type":"OrderRejected","eventId":"e","orderId":"o","status":"REJECTED","reason":null})", "'reason' is null"},
      {R"({"type":"OrderStatusChanged","eventId":"e","orderId":"o","status":"SHIPPED","order":null})",
       "'order' is null; expected an object"},
      {R"({"type":"OrderStatusChanged","eventId":"e","orderId":"o","status":"SHIPPED","order":{}})", "'id' is missing"},
  };
  for (const auto& c : cases) {
    auto decoded = DecodeEvent(c.data);
    ASSERT_FALSE(decoded.ok()) << c.data;
    EXPECT_TRUE(decoded.status().IsInvalidArgument()) << c.data;
    EXPECT_NE(decoded.status().message().find(c.message), std::string::npos)
        << c.data << ": " << decoded.status().message();
  }
}

TEST(ModelTest, BytesThatAreNotAJsonObjectAreRejected) {
  const std::string inputs[] = {
      "",
      "hello",
      "[1,2]",
      "\"OrderPlaced\"",
      "null",
      R"({"type":"OrderStatusRequested")",                       // truncated
      R"({"type":"OrderConfirmed","eventId":"e"} trailing)",     // more than one value
      "{\"type\":\"Order\xFF\",\"eventId\":\"e\"}",              // ill-formed UTF-8
      R"({"type":"OrderConfirmed","eventId":"\ud800"})",         // a lone surrogate
      std::string(5000, '[') + std::string(5000, ']'),           // deeper than the parser goes
      std::string("{\"type\0\":1}", 11),
  };
  for (const auto& data : inputs) {
    auto decoded = DecodeEvent(data);
    ASSERT_FALSE(decoded.ok()) << testing::PrintToString(data.substr(0, 60));
    EXPECT_TRUE(decoded.status().IsInvalidArgument());
    EXPECT_NE(decoded.status().message().find("event is"), std::string::npos) << decoded.status().message();
  }
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
