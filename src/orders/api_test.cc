#include "orders/api.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <future>
#include <regex>
#include <set>
#include <thread>

#include "orders/catalog.h"
#include "orders/schema.h"
#include "stream/stream_engine.h"
#include "table/table_engine.h"

namespace orders {
namespace {

class OrdersApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("orders-api-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    table::TableEngineOptions options;
    options.sync_writes = false;
    auto tables = table::TableEngine::Open(dir_.string(), options);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    ASSERT_TRUE(EnsureTables(tables_.get()).ok());
    stream::StreamEngineOptions stream_options;
    stream_options.data_dir = dir_.string();
    stream_options.start_retention_thread = false;
    auto streams = stream::StreamEngine::Open(stream_options);
    ASSERT_TRUE(streams.ok()) << streams.status().ToString();
    streams_ = std::move(*streams);
    ASSERT_TRUE(streams_->CreateStream(kOrdersStream, 1, stream::StreamMode::kProvisioned).ok());
    table::PutItemRequest product;
    product.table_name = kProductsTable;
    product.item = ProductToItem({"p-1", "Beans", "", 1290, "EUR", 10, "Coffee", ""});
    ASSERT_TRUE(tables_->PutItem(product).ok());
  }
  void TearDown() override {
    streams_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  // POST /api/orders for one unit of p-1, as the session `token`.
  static gateway::Request OrderRequest(const std::string& token, const std::string& idempotency_key) {
    gateway::Request req;
    req.method = "POST";
    req.target = req.path = "/api/orders";
    req.headers.Set("Content-Type", "application/json");
    req.headers.Set("Cookie", std::string(SessionAuth::kCookieName) + "=" + token);
    req.headers.Set("Idempotency-Key", idempotency_key);
    req.body = R"({"items":[{"productId":"p-1","quantity":1}],)"
               R"("shippingAddress":{"name":"Ada","line1":"1 Way","city":"London","postalCode":"N1","country":"GB"}})";
    req.remote_addr = "127.0.0.1";
    return req;
  }

  std::filesystem::path dir_;
  common::SystemClock clock_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<stream::StreamEngine> streams_;
};

// An order is answered from the engines' threads: the Idempotency-Key's
// write calls back on the table's, the event's append on the stream's, and
// those callbacks use the API. While such an answer is still running (here:
// held by the test), destroying the API must wait for it: the server's drain
// gives up after its timeout, and the engines outlive the API.
TEST_F(OrdersApiTest, DestructionWaitsForAnswersStillRunning) {
  SessionAuth auth(tables_.get(), &clock_);
  OutcomeWaiters waiters;
  auto api = std::make_unique<OrdersApi>(tables_.get(), streams_.get(), &auth, &clock_,
                                         [](const std::string&, const std::string&) {}, &waiters);
  gateway::Router router;
  ASSERT_TRUE(api->Register(&router).ok());
  auto user = auth.SignUp({"ada@example.com", "correct horse battery", "Ada"});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  auto token = auth.CreateSession(*user);
  ASSERT_TRUE(token.ok());

  gateway::Request req = OrderRequest(*token, "k-1");
  std::promise<int> answered;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  gateway::Respond respond = [&answered, released](gateway::Response r) {
    answered.set_value(r.status);
    released.wait();
  };
  router.Dispatch(req, respond);
  auto status = answered.get_future();
  ASSERT_EQ(status.wait_for(std::chrono::seconds(30)), std::future_status::ready) << "the order was not answered";
  ASSERT_EQ(status.get(), 202);

  std::atomic<bool> destroyed{false};
  std::thread destroyer([&] {
    api.reset();
    destroyed = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  EXPECT_FALSE(destroyed) << "the API was destroyed while one of its answers was still running";
  release.set_value();
  destroyer.join();
  EXPECT_TRUE(destroyed);
}

// Order ids start with the time: rows of new orders (and their outbox
// entries) are inserted next to each other in the table's memtable. The
// random rest keeps ids of one millisecond apart and unguessable.
TEST_F(OrdersApiTest, OrderIdsSortByTimeAndDifferWithinAMillisecond) {
  SessionAuth auth(tables_.get(), &clock_);
  OutcomeWaiters waiters;
  OrdersApi api(tables_.get(), streams_.get(), &auth, &clock_, [](const std::string&, const std::string&) {},
                &waiters);
  gateway::Router router;
  ASSERT_TRUE(api.Register(&router).ok());
  auto user = auth.SignUp({"ada@example.com", "correct horse battery", "Ada"});
  ASSERT_TRUE(user.ok()) << user.status().ToString();
  auto token = auth.CreateSession(*user);
  ASSERT_TRUE(token.ok());
  auto place = [&](const std::string& key) {
    std::promise<gateway::Response> answered;
    gateway::Request req = OrderRequest(*token, key);
    gateway::Respond respond = [&answered](gateway::Response r) { answered.set_value(std::move(r)); };
    router.Dispatch(req, respond);
    gateway::Response response = answered.get_future().get();
    EXPECT_EQ(response.status, 202) << response.body;
    return nlohmann::json::parse(response.body).value("id", "");
  };

  std::vector<std::string> ids;
  for (int i = 0; i < 3; ++i) ids.push_back(place("k-" + std::to_string(i)));
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  ids.push_back(place("k-later"));
  for (const std::string& id : ids) EXPECT_TRUE(std::regex_match(id, std::regex("o-[0-9a-f]{24}"))) << id;
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  std::string placed_at = ids.back().substr(2, 12);
  EXPECT_GT(ids.back(), ids.front());
  EXPECT_NEAR(static_cast<double>(std::stoll(placed_at, nullptr, 16)), static_cast<double>(clock_.NowMillis()), 5'000);
}

}  // namespace
}  // namespace orders
