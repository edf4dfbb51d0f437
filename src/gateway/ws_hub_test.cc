#include "gateway/ws_hub.h"

#include <gtest/gtest.h>

#include <vector>

namespace gateway {
namespace {

class FakeClient : public WsClient {
 public:
  void Send(std::shared_ptr<const std::string> message) override { received.push_back(*message); }
  std::vector<std::string> received;
};

TEST(OutboundQueueTest, RefusesBeyondMessageLimit) {
  OutboundQueue queue(2, 1 << 20);
  EXPECT_TRUE(queue.Push(std::make_shared<const std::string>("a")));
  EXPECT_TRUE(queue.Push(std::make_shared<const std::string>("b")));
  EXPECT_FALSE(queue.Push(std::make_shared<const std::string>("c")));
  EXPECT_EQ(queue.size(), 2u);
}

TEST(OutboundQueueTest, RefusesBeyondByteLimitAndFreesOnPop) {
  OutboundQueue queue(100, 10);
  EXPECT_TRUE(queue.Push(std::make_shared<const std::string>(8, 'x')));
  EXPECT_FALSE(queue.Push(std::make_shared<const std::string>(3, 'y')));
  queue.Pop();
  EXPECT_EQ(queue.bytes(), 0u);
  EXPECT_TRUE(queue.Push(std::make_shared<const std::string>(10, 'z')));
}

TEST(OutboundQueueTest, BatchesTheFrontMessagesIntoOneArrayUpToTheByteLimit) {
  OutboundQueue queue(100, 1 << 20);
  for (const char* m : {R"({"a":1})", R"({"b":2})", R"({"c":3})"}) queue.Push(std::make_shared<const std::string>(m));
  std::string frame;
  EXPECT_EQ(queue.Batch(1 << 20, &frame), 3u);
  EXPECT_EQ(frame, R"([{"a":1},{"b":2},{"c":3}])");
  EXPECT_EQ(queue.size(), 3u);  // taken only on Pop
  // "[" + 7 + "," + 7 + "]" is 17 bytes: a third message would not fit in 20.
  EXPECT_EQ(queue.Batch(20, &frame), 2u);
  EXPECT_EQ(frame, R"([{"a":1},{"b":2}])");
  // One message always goes, however small the limit.
  EXPECT_EQ(queue.Batch(1, &frame), 1u);
  EXPECT_EQ(frame, R"([{"a":1}])");
  queue.Pop(2);
  EXPECT_EQ(queue.size(), 1u);
  EXPECT_EQ(queue.bytes(), 7u);
  EXPECT_EQ(*queue.front(), R"({"c":3})");
}

TEST(WsTargetTest, AcceptsOnlyTheWsPathAndReadsBatch) {
  bool batch = true;
  EXPECT_TRUE(ParseWsTarget("/ws", &batch));
  EXPECT_FALSE(batch);
  EXPECT_TRUE(ParseWsTarget("/ws?batch=1", &batch));
  EXPECT_TRUE(batch);
  EXPECT_TRUE(ParseWsTarget("/ws?x=2&batch=1", &batch));
  EXPECT_TRUE(batch);
  EXPECT_TRUE(ParseWsTarget("/ws?batch=0", &batch));
  EXPECT_FALSE(batch);
  EXPECT_TRUE(ParseWsTarget("/ws?batch=10", &batch));
  EXPECT_FALSE(batch);
  EXPECT_FALSE(ParseWsTarget("/wss", &batch));
  EXPECT_FALSE(ParseWsTarget("/ws/", &batch));
  EXPECT_FALSE(ParseWsTarget("/api/ws?batch=1", &batch));
}

TEST(HubTest, SubscriberReceivesPublishedMessage) {
  Hub hub;
  auto client = std::make_shared<FakeClient>();
  auto reply = hub.HandleMessage(client, R"({"op":"subscribe","topic":"orders"})");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(*reply, R"({"op":"subscribed","topic":"orders"})");
  EXPECT_EQ(hub.Publish("orders", R"({"id":1})"), 1u);
  ASSERT_EQ(client->received.size(), 1u);
  EXPECT_EQ(client->received[0], R"({"topic":"orders","data":{"id":1}})");
  EXPECT_EQ(hub.Publish("other", "1"), 0u);
}

TEST(HubTest, UnsubscribeStopsDelivery) {
  Hub hub;
  auto client = std::make_shared<FakeClient>();
  (void)hub.HandleMessage(client, R"({"op":"subscribe","topic":"t"})");
  (void)hub.HandleMessage(client, R"({"op":"unsubscribe","topic":"t"})");
  EXPECT_EQ(hub.Publish("t", "1"), 0u);
  EXPECT_TRUE(client->received.empty());
}

TEST(HubTest, DestroyedClientIsSkipped) {
  Hub hub;
  auto client = std::make_shared<FakeClient>();
  hub.Subscribe("t", client);
  client.reset();
  EXPECT_EQ(hub.Publish("t", "1"), 0u);
  EXPECT_EQ(hub.SubscriberCount("t"), 0u);
}

TEST(HubTest, BadMessagesGetErrors) {
  Hub hub;
  auto client = std::make_shared<FakeClient>();
  EXPECT_NE(hub.HandleMessage(client, "not json")->find("\"op\":\"error\""), std::string::npos);
  EXPECT_NE(hub.HandleMessage(client, R"({"op":"dance"})")->find("unknown op"), std::string::npos);
  EXPECT_NE(hub.HandleMessage(client, R"({"op":"subscribe"})")->find("topic"), std::string::npos);
  EXPECT_EQ(*hub.HandleMessage(client, R"({"op":"ping"})"), R"({"op":"pong"})");
}

// A client whose upgrade request carried a given cookie.
class ClientWithCookie : public FakeClient {
 public:
  explicit ClientWithCookie(std::string cookie) { upgrade_.headers.Add("Cookie", std::move(cookie)); }
  const Request& upgrade_request() const override { return upgrade_; }
  Request upgrade_;
};

TEST(HubTest, FilterDecidesFromTheUpgradeRequest) {
  Hub hub;
  hub.SetSubscribeFilter([](const Request& upgrade, std::string_view topic) {
    return topic == "orders/u-1" && upgrade.Header("Cookie") == "session=u-1";
  });
  auto owner = std::make_shared<ClientWithCookie>("session=u-1");
  auto other = std::make_shared<ClientWithCookie>("session=u-2");
  EXPECT_EQ(*hub.HandleMessage(owner, R"({"op":"subscribe","topic":"orders/u-1"})"),
            R"({"op":"subscribed","topic":"orders/u-1"})");
  auto refused = hub.HandleMessage(other, R"({"op":"subscribe","topic":"orders/u-1"})");
  ASSERT_TRUE(refused.has_value());
  EXPECT_NE(refused->find("\"op\":\"error\""), std::string::npos);
  EXPECT_EQ(hub.Publish("orders/u-1", "1"), 1u);
  EXPECT_TRUE(other->received.empty());
}

TEST(HubTest, SubscriptionsPerClientAreCapped) {
  Hub hub;
  auto client = std::make_shared<FakeClient>();
  for (size_t i = 0; i < Hub::kMaxTopicsPerClient; ++i) {
    hub.Subscribe("t" + std::to_string(i), client);
  }
  auto reply = hub.HandleMessage(client, R"({"op":"subscribe","topic":"one-more"})");
  EXPECT_NE(reply->find("at most"), std::string::npos);
  hub.UnsubscribeAll(client.get());
  EXPECT_EQ(hub.SubscriberCount("t0"), 0u);
}

}  // namespace
}  // namespace gateway
