#include "orders/api_keys.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>

#include "table/table_engine.h"

namespace orders {
namespace {

class ApiKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("api-keys-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    table::TableEngineOptions options;
    options.sync_writes = false;
    options.clock = &clock_;  // usage items' TTL against the test's time
    auto tables = table::TableEngine::Open(dir_.string(), options);
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    keys_ = NewNode();
  }
  // Another API node (or this one restarted) over the same table; flushes
  // only when told, so that tests decide when counts reach the table.
  std::unique_ptr<ApiKeys> NewNode() {
    ApiKeys::Options key_options;
    key_options.required_routes = {"POST /api/events"};
    key_options.flush_ms = 0;
    return std::make_unique<ApiKeys>(tables_.get(), &clock_, key_options);
  }
  // The usage items in the table (id -> used).
  std::map<std::string, std::string> UsageItems() {
    std::map<std::string, std::string> out;
    table::ScanRequest scan;
    scan.table_name = kApiKeysTable;
    auto page = tables_->Scan(scan);
    EXPECT_TRUE(page.ok());
    for (const auto& item : page->items) {
      std::string id = item.at("id").scalar();
      if (id.starts_with("usage/")) out[id] = item.at("used").scalar();
    }
    return out;
  }
  std::string IdOf(const std::string& key) { return key.substr(4, 16); }
  void TearDown() override {
    keys_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string NewKey(UsagePlan plan) {
    auto created = keys_->Create("robot", plan, "u-admin");
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created->second;
  }
  // 0 when the request may proceed, else the refusal's status.
  int Use(const std::string& key, std::string route = "/api/orders", std::string* retry_after = nullptr,
          ApiKeys* node = nullptr) {
    gateway::Request r;
    r.method = "POST";
    r.route = r.path = std::move(route);
    if (!key.empty()) r.headers.Add("x-api-key", key);
    auto refused = (node != nullptr ? node : keys_.get())->Check(r);
    if (!refused) return 0;
    if (retry_after != nullptr) *retry_after = std::string(refused->headers.Get("Retry-After"));
    return refused->status;
  }

  common::ManualClock clock_;
  std::filesystem::path dir_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<ApiKeys> keys_;
};

TEST_F(ApiKeysTest, ValidKeysPassUnknownAndMalformedOnesAre403) {
  std::string key = NewKey({});
  EXPECT_EQ(key.size(), 4u + 16 + 1 + 48);
  EXPECT_EQ(Use(key), 0);
  std::string forged = key;
  forged.back() = forged.back() == 'a' ? 'b' : 'a';
  EXPECT_EQ(Use(forged), 403);
  EXPECT_EQ(Use("rvk_0000000000000000_" + std::string(48, '0')), 403);
  EXPECT_EQ(Use("not-a-key"), 403);
}

TEST_F(ApiKeysTest, OnlyTheHashIsStored) {
  std::string key = NewKey({});
  table::ScanRequest scan;
  scan.table_name = kApiKeysTable;
  auto page = tables_->Scan(scan);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->items.size(), 1u);
  for (const auto& [name, value] : page->items[0]) {
    EXPECT_EQ(value.scalar().find(key.substr(21)), std::string::npos) << name;
  }
}

TEST_F(ApiKeysTest, RateAndBurstGive429WithRetryAfter) {
  std::string key = NewKey({/*rate=*/1, /*burst=*/2, /*quota=*/0});
  EXPECT_EQ(Use(key), 0);
  EXPECT_EQ(Use(key), 0);
  std::string retry;
  EXPECT_EQ(Use(key, "/api/orders", &retry), 429);
  EXPECT_EQ(retry, "1");
  clock_.AdvanceMillis(1000);
  EXPECT_EQ(Use(key), 0);
}

TEST_F(ApiKeysTest, DailyQuotaRenewsAtMidnightUtc) {
  std::string key = NewKey({/*rate=*/1000, /*burst=*/1000, /*quota=*/3});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Use(key), 0);
  std::string retry;
  EXPECT_EQ(Use(key, "/api/orders", &retry), 429);
  int64_t wait = std::stoll(retry);
  EXPECT_GE(wait, 1);
  EXPECT_LE(wait, 86400);
  clock_.AdvanceMillis(wait * 1000);
  EXPECT_EQ(Use(key), 0);
}

TEST_F(ApiKeysTest, RequestsAreCountedInTheTableAtFlushNotPerRequest) {
  std::string key = NewKey({/*rate=*/1000, /*burst=*/1000, /*quota=*/100});
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Use(key), 0);
  EXPECT_TRUE(UsageItems().empty());
  EXPECT_EQ(keys_->UsedToday(IdOf(key)), 5);  // the unflushed count shows too
  keys_->Flush();
  auto items = UsageItems();
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items.begin()->second, "5");
  EXPECT_EQ(keys_->UsedToday(IdOf(key)), 5);
  ASSERT_EQ(Use(key), 0);
  keys_->Flush();
  EXPECT_EQ(UsageItems().begin()->second, "6");
  auto list = keys_->List();  // usage items are not keys
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST_F(ApiKeysTest, TheDailyQuotaSurvivesARestart) {
  std::string key = NewKey({/*rate=*/1000, /*burst=*/1000, /*quota=*/3});
  for (int i = 0; i < 3; ++i) ASSERT_EQ(Use(key), 0);
  keys_->Stop();  // shutdown flushes
  keys_ = NewNode();
  EXPECT_EQ(Use(key), 429);
  EXPECT_EQ(keys_->UsedToday(IdOf(key)), 3);
}

TEST_F(ApiKeysTest, NodesShareTheDailyQuota) {
  std::string key = NewKey({/*rate=*/1000, /*burst=*/1000, /*quota=*/4});
  auto other = NewNode();
  ASSERT_EQ(Use(key), 0);
  ASSERT_EQ(Use(key), 0);
  keys_->Flush();
  // The other node starts from the table's total.
  EXPECT_EQ(Use(key, "/api/orders", nullptr, other.get()), 0);
  EXPECT_EQ(Use(key, "/api/orders", nullptr, other.get()), 0);
  EXPECT_EQ(Use(key, "/api/orders", nullptr, other.get()), 429);
  other->Flush();
  EXPECT_EQ(keys_->UsedToday(IdOf(key)), 4);
  // This node learns the other's use at its next flush.
  keys_->Flush();
  EXPECT_EQ(Use(key), 429);
}

TEST_F(ApiKeysTest, UsageItemsExpireAfterTheirDay) {
  std::string key = NewKey({});
  ASSERT_EQ(Use(key), 0);
  keys_->Flush();
  auto desc = tables_->DescribeTable(kApiKeysTable);
  ASSERT_TRUE(desc.ok());
  EXPECT_EQ(desc->ttl_attribute, "expiresAt");
  table::ScanRequest scan;
  scan.table_name = kApiKeysTable;
  auto page = tables_->Scan(scan);
  ASSERT_TRUE(page.ok());
  int64_t now_seconds = clock_.NowMillis() / 1000;
  for (const auto& item : page->items) {
    if (!item.at("id").scalar().starts_with("usage/")) continue;
    int64_t expires = std::stoll(item.at("expiresAt").scalar());
    EXPECT_GT(expires, now_seconds + 86400);
    EXPECT_LE(expires, now_seconds + 2 * 86400);
  }
}

TEST_F(ApiKeysTest, RequiredRoutesRefuseRequestsWithoutAKey) {
  EXPECT_EQ(Use("", "/api/events"), 403);
  EXPECT_EQ(Use("", "/api/orders"), 0);
  EXPECT_EQ(Use(NewKey({}), "/api/events"), 0);
}

TEST_F(ApiKeysTest, DeletedKeysStopWorkingAtOnce) {
  std::string key = NewKey({});
  EXPECT_EQ(Use(key), 0);
  auto list = keys_->List();
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(keys_->UsedToday((*list)[0].id), 1);
  ASSERT_TRUE(keys_->Delete((*list)[0].id).ok());
  EXPECT_EQ(Use(key), 403);
  EXPECT_TRUE(keys_->Delete((*list)[0].id).IsNotFound());
}

TEST_F(ApiKeysTest, UsagePlansAreValidated) {
  std::string field;
  EXPECT_TRUE(ParseUsagePlan(R"({"rateLimit": 5, "burstLimit": 10, "quotaPerDay": 100})", &field).ok());
  EXPECT_FALSE(ParseUsagePlan(R"({"rateLimit": 0})", &field).ok());
  EXPECT_EQ(field, "usagePlan.rateLimit");
  EXPECT_FALSE(ParseUsagePlan(R"({"burstLimit": 0.5})", &field).ok());
  EXPECT_FALSE(ParseUsagePlan(R"({"quotaPerDay": 1.5})", &field).ok());
  EXPECT_FALSE(ParseUsagePlan(R"({"other": 1})", &field).ok());
  EXPECT_FALSE(ParseUsagePlan(R"([1])", &field).ok());
}

}  // namespace
}  // namespace orders
