#include "roles/checked_clients.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "roles/execution_roles.h"
#include "table/table_engine.h"

namespace roles {
namespace {

using table::AttributeValue;

class CheckedClientsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("roles-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto tables = table::TableEngine::Open(dir_.string(), table::TableEngineOptions{});
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    auto store = iam::IdentityStore::Open(tables_.get());
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    for (const char* name : {"shop-orders", "shop-products"}) {
      table::CreateTableRequest create;
      create.table_name = name;
      create.key_schema = {{"id", table::KeyType::kHash}};
      create.attribute_definitions = {{"id", AttributeValue::Type::kS}};
      ASSERT_TRUE(tables_->CreateTable(create).ok());
    }
    auto principal = EnsureExecutionRole(store_.get(), BuiltInRoles("000000000000", "archive")[0]);
    ASSERT_TRUE(principal.ok()) << principal.status().ToString();
    CheckerOptions options;
    options.on_denied = [this](const std::string& arn, const std::string& action) {
      denials_.push_back(arn + " " + action);
    };
    checker_ = std::make_unique<RoleChecker>(store_.get(), *principal, options);
    client_ = std::make_unique<CheckedTableClient>(tables_.get(), checker_.get());
  }
  void TearDown() override {
    client_.reset();
    checker_.reset();
    store_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  common::Status Put(const char* table_name, const char* id) {
    table::PutItemRequest put;
    put.table_name = table_name;
    put.item = {{"id", AttributeValue::S(id)}};
    return client_->PutItem(put).status();
  }

  std::filesystem::path dir_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<iam::IdentityStore> store_;
  std::unique_ptr<RoleChecker> checker_;
  std::unique_ptr<CheckedTableClient> client_;
  std::vector<std::string> denials_;
};

constexpr char kRole[] = "rivulet-order-processor";

TEST_F(CheckedClientsTest, LeastPrivilegeAllowsTheFunctionsWritesOnly) {
  EXPECT_TRUE(Put("shop-orders", "o-1").ok());
  auto denied = Put("shop-products", "p-1");  // stock is only ever updated
  EXPECT_EQ(denied.code(), common::Status::Code::kPermissionDenied);
  EXPECT_NE(denied.message().find("dynamodb:PutItem on resource: arn:aws:dynamodb:us-east-1:000000000000:table/"
                                  "shop-products"),
            std::string::npos)
      << denied.message();
  EXPECT_EQ(denials_, std::vector<std::string>{"arn:aws:iam::000000000000:role/rivulet-order-processor dynamodb:PutItem"});
  EXPECT_EQ(client_->DeleteTable("shop-orders").status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_TRUE(tables_->DescribeTable("shop-orders").ok());  // the denied call never ran
}

TEST_F(CheckedClientsTest, TransactionsCheckEachActionTheyContain) {
  table::TransactWriteItem row;
  row.kind = table::TransactWriteItem::Kind::kPut;
  row.table_name = "shop-orders";
  row.item = {{"id", AttributeValue::S("o-2")}};
  table::TransactWriteItem stock;
  stock.kind = table::TransactWriteItem::Kind::kUpdate;
  stock.table_name = "shop-products";
  stock.key = {{"id", AttributeValue::S("p-1")}};
  stock.update_expression = "SET stock = :s";
  stock.attributes.values[":s"] = AttributeValue::N("3");
  EXPECT_TRUE(client_->TransactWriteItems({row, stock}, "").ok());
  table::TransactWriteItem remove = stock;
  remove.kind = table::TransactWriteItem::Kind::kDelete;
  EXPECT_EQ(client_->TransactWriteItems({row, remove}, "").code(), common::Status::Code::kPermissionDenied);
  // The same check alone, without writing (for a caller about to send an email).
  EXPECT_TRUE(client_->CheckTransactWriteItems({row, stock}).ok());
  EXPECT_EQ(client_->CheckTransactWriteItems({row, remove}).code(), common::Status::Code::kPermissionDenied);
  table::TransactWriteItem other = row;
  other.item = {{"id", AttributeValue::S("o-3")}};
  ASSERT_TRUE(client_->CheckTransactWriteItems({other}).ok());
  table::GetItemRequest get;
  get.table_name = "shop-orders";
  get.key = other.item;
  EXPECT_FALSE(tables_->GetItem(get).value().has_value()) << "a check writes nothing";
}

TEST_F(CheckedClientsTest, PolicyChangesApplyAtOnce) {
  ASSERT_TRUE(Put("shop-orders", "o-1").ok());
  ASSERT_TRUE(store_->DeleteInlinePolicy(true, kRole, "least-privilege").ok());
  EXPECT_EQ(Put("shop-orders", "o-2").code(), common::Status::Code::kPermissionDenied);
  ASSERT_TRUE(store_->PutInlinePolicy(true, kRole, "own-rows", R"({"Version":"2012-10-17","Statement":[
      {"Effect":"Allow","Action":"dynamodb:PutItem","Resource":"*",
       "Condition":{"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["mine-*"]}}}]})").ok());
  EXPECT_TRUE(Put("shop-orders", "mine-1").ok());
  EXPECT_EQ(Put("shop-orders", "other-1").code(), common::Status::Code::kPermissionDenied);
}

TEST_F(CheckedClientsTest, RestartKeepsAnOperatorsChangesToTheRole) {
  ASSERT_TRUE(store_->DeleteInlinePolicy(true, kRole, "least-privilege").ok());
  auto again = EnsureExecutionRole(store_.get(), BuiltInRoles("000000000000", "archive")[0]);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->arn, "arn:aws:iam::000000000000:role/rivulet-order-processor");
  EXPECT_TRUE(store_->ListInlinePolicies(true, kRole)->empty());
}

TEST_F(CheckedClientsTest, AnUnchangedOlderDefaultPolicyIsUpgradedAndAChangedOneKept) {
  ExecutionRole role = BuiltInRoles("000000000000", "archive")[0];
  ASSERT_FALSE(role.previous_policies.empty());
  for (const std::string& previous : role.previous_policies) {
    ASSERT_NE(previous, role.policy);
    ASSERT_TRUE(store_->PutInlinePolicy(true, kRole, "least-privilege", previous).ok());
    ASSERT_TRUE(EnsureExecutionRole(store_.get(), role).ok());
    EXPECT_EQ(store_->GetInlinePolicy(true, kRole, "least-privilege").value(), role.policy);
  }

  std::string own = R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]})";
  ASSERT_TRUE(store_->PutInlinePolicy(true, kRole, "least-privilege", own).ok());
  ASSERT_TRUE(EnsureExecutionRole(store_.get(), role).ok());
  EXPECT_EQ(store_->GetInlinePolicy(true, kRole, "least-privilege").value(), own);
}

TEST_F(CheckedClientsTest, AStoreOfAnotherNodeSeesPolicyChangesWhenItRefreshes) {
  // A worker's store over the same table as the node where IAM changes.
  auto follower = iam::IdentityStore::Open(tables_.get());
  ASSERT_TRUE(follower.ok());
  auto principal = EnsureExecutionRole(follower->get(), BuiltInRoles("000000000000", "archive")[0]);
  ASSERT_TRUE(principal.ok());
  RoleChecker checker(follower->get(), *principal);
  CheckedTableClient client(tables_.get(), &checker);
  table::PutItemRequest put;
  put.table_name = "shop-orders";
  put.item = {{"id", AttributeValue::S("o-1")}};
  ASSERT_TRUE(client.PutItem(put).ok());

  uint64_t generation = (*follower)->generation();
  EXPECT_FALSE((*follower)->Refresh().value());  // nothing changed: nothing re-read
  EXPECT_EQ((*follower)->generation(), generation);

  ASSERT_TRUE(store_->DeleteInlinePolicy(true, kRole, "least-privilege").ok());
  EXPECT_TRUE((*follower)->Refresh().value());
  EXPECT_GT((*follower)->generation(), generation);
  EXPECT_EQ(client.PutItem(put).status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_TRUE((*follower)->ListInlinePolicies(true, kRole)->empty());

  // Its own changes survive its re-reads.
  ASSERT_TRUE((*follower)->CreateUser("alice", "/").ok());
  EXPECT_TRUE((*follower)->Refresh().value());
  EXPECT_TRUE((*follower)->GetUser("alice").ok());
  EXPECT_TRUE(store_->Refresh().value());
  EXPECT_TRUE(store_->GetUser("alice").ok());
}

}  // namespace
}  // namespace roles
