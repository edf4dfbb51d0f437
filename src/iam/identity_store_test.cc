#include "iam/identity_store.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "iam/internal_tables.h"
#include "table/table_engine.h"

namespace iam {
namespace {

class IdentityStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("iam-store-" + std::to_string(::getpid()) + "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    Reopen();
  }
  void TearDown() override {
    store_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    store_.reset();
    tables_.reset();
    auto tables = table::TableEngine::Open(dir_.string(), table::TableEngineOptions{});
    ASSERT_TRUE(tables.ok()) << tables.status().ToString();
    tables_ = std::move(*tables);
    auto store = IdentityStore::Open(tables_.get());
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    store_ = std::move(*store);
  }

  std::filesystem::path dir_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<IdentityStore> store_;
};

constexpr char kAllowPut[] =
    R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*"}]})";

TEST_F(IdentityStoreTest, UsersKeysAndPoliciesSurviveReopen) {
  ASSERT_TRUE(store_->CreateUser("alice", "/").ok());
  auto key = store_->CreateAccessKey("alice");
  ASSERT_TRUE(key.ok());
  ASSERT_TRUE(store_->PutInlinePolicy(false, "alice", "put", kAllowPut).ok());
  Reopen();
  auto owner = store_->FindKey(key->access_key_id);
  ASSERT_TRUE(owner.has_value());
  EXPECT_EQ(owner->secret, key->secret);
  EXPECT_EQ(owner->principal.arn, "arn:aws:iam::000000000000:user/alice");
  EXPECT_EQ(store_->PoliciesOf(owner->principal).size(), 1u);
}

TEST_F(IdentityStoreTest, RootKeyFromEnvironmentReplacesTheStoredOne) {
  bool created = false;
  auto generated = store_->EnsureRootKey("", "", &created);
  ASSERT_TRUE(generated.ok());
  EXPECT_TRUE(created);
  EXPECT_EQ(generated->access_key_id.substr(0, 4), "AKIA");
  EXPECT_EQ(generated->secret.size(), 40u);
  auto again = store_->EnsureRootKey("", "", &created);
  EXPECT_FALSE(created);
  EXPECT_EQ(again->access_key_id, generated->access_key_id);
  auto fixed = store_->EnsureRootKey("AKIDEXAMPLE", "secret", &created);
  ASSERT_TRUE(fixed.ok());
  EXPECT_FALSE(created);
  EXPECT_FALSE(store_->FindKey(generated->access_key_id).has_value());
  ASSERT_TRUE(store_->FindKey("AKIDEXAMPLE").has_value());
  EXPECT_EQ(store_->FindKey("AKIDEXAMPLE")->principal.kind, Principal::Kind::kRoot);
}

TEST_F(IdentityStoreTest, ErrorsNameTheProblem) {
  ASSERT_TRUE(store_->CreateUser("bob", "/").ok());
  EXPECT_EQ(store_->CreateUser("bob", "/").status().code(), common::Status::Code::kAlreadyExists);
  EXPECT_EQ(store_->CreateUser("bad name", "/").status().code(), common::Status::Code::kInvalidArgument);
  EXPECT_EQ(store_->CreateUser(std::string(65, 'a'), "/").status().code(), common::Status::Code::kInvalidArgument);
  auto bad = store_->PutInlinePolicy(false, "bob", "p", R"({"Statement":[{"Effect":"Maybe","Action":"*","Resource":"*"}]})");
  EXPECT_NE(bad.message().find("Statement[0].Effect"), std::string::npos) << bad.message();
  ASSERT_TRUE(store_->CreateAccessKey("bob").ok());
  EXPECT_EQ(store_->DeleteUser("bob").code(), common::Status::Code::kResourceInUse);
  EXPECT_EQ(store_->GetUser("nobody").status().code(), common::Status::Code::kNotFound);
}

TEST_F(IdentityStoreTest, ManagedPoliciesAttachToUsersAndRoles) {
  ASSERT_TRUE(store_->CreateUser("carol", "/").ok());
  ASSERT_TRUE(store_->CreateRole("processor", "/", R"({"Version":"2012-10-17","Statement":[]})").ok());
  auto policy = store_->CreatePolicy("put", "/", kAllowPut);
  ASSERT_TRUE(policy.ok());
  EXPECT_EQ(policy->arn, "arn:aws:iam::000000000000:policy/put");
  ASSERT_TRUE(store_->AttachPolicy(false, "carol", policy->arn).ok());
  ASSERT_TRUE(store_->AttachPolicy(true, "processor", policy->arn).ok());
  EXPECT_EQ(store_->AttachPolicy(true, "processor", "arn:aws:iam::000000000000:policy/none").code(),
            common::Status::Code::kNotFound);
  auto role = store_->FindPrincipal("arn:aws:iam::000000000000:role/processor");
  ASSERT_TRUE(role.ok());
  EXPECT_EQ(store_->PoliciesOf(*role).size(), 1u);
}


TEST_F(IdentityStoreTest, ExternalTablesHideAndRefuseInternalTables) {
  ASSERT_TRUE(store_->CreateUser("alice", "/").ok());
  table::CreateTableRequest create;
  create.key_schema = {{"id", table::KeyType::kHash}};
  create.attribute_definitions = {{"id", table::AttributeValue::Type::kS}};
  for (const char* name : {"a-shop", "shop-sessions", "shop-users", "z-last"}) {
    create.table_name = name;
    ASSERT_TRUE(tables_->CreateTable(create).ok());
  }
  ExternalTables outside(tables_.get());
  std::string last;
  auto names = outside.ListTables("", 100, &last);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, (std::vector<std::string>{"a-shop", "z-last"}));
  EXPECT_EQ(last, "");
  // Paging skips the hidden names without ending early.
  names = outside.ListTables("", 1, &last);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"a-shop"});
  EXPECT_EQ(last, "a-shop");
  last.clear();
  names = outside.ListTables("a-shop", 1, &last);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(*names, std::vector<std::string>{"z-last"});
  EXPECT_EQ(last, "");

  table::ScanRequest scan;
  scan.table_name = kIamTable;
  EXPECT_EQ(outside.Scan(scan).status().code(), common::Status::Code::kPermissionDenied);
  scan.table_name = "arn:aws:dynamodb:us-east-1:000000000000:table/rivulet-iam";
  EXPECT_EQ(outside.Scan(scan).status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_EQ(outside.DeleteTable(kIamTable).status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_EQ(outside.DescribeTable("shop-sessions").status().code(), common::Status::Code::kPermissionDenied);
  // The shop's users carry password hashes.
  scan.table_name = "shop-users";
  EXPECT_EQ(outside.Scan(scan).status().code(), common::Status::Code::kPermissionDenied);
  table::GetItemRequest get_user;
  get_user.table_name = "shop-users";
  get_user.key = {{"id", table::AttributeValue::S("u1")}};
  EXPECT_EQ(outside.GetItem(get_user).status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_TRUE(IsInternalTable("arn:aws:dynamodb:us-east-1:000000000000:table/shop-users/index/byEmail"));
  EXPECT_FALSE(IsInternalTable("shop-orders"));
  table::TransactGetItem get;
  get.table_name = kIamTable;
  get.key = {{"id", table::AttributeValue::S("user/alice")}};
  EXPECT_EQ(outside.TransactGetItems({get}).status().code(), common::Status::Code::kPermissionDenied);
  std::map<std::string, table::KeysAndAttributes> batch;
  batch["a-shop"].keys.push_back({{"id", table::AttributeValue::S("x")}});
  batch[kIamTable].keys.push_back({{"id", table::AttributeValue::S("user/alice")}});
  EXPECT_EQ(outside.BatchGetItem(batch).status().code(), common::Status::Code::kPermissionDenied);
  EXPECT_TRUE(outside.DescribeTable("a-shop").ok());
  // The store itself still reads and writes its table.
  EXPECT_TRUE(store_->CreateUser("bob", "/").ok());
  Reopen();
  EXPECT_TRUE(store_->GetUser("bob").ok());
}

}  // namespace
}  // namespace iam
