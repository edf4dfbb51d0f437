#include "orders/api_policy.h"

#include <gtest/gtest.h>

#include "orders/auth.h"

namespace orders {
namespace {

class ApiPolicyTest : public ::testing::Test {
 protected:
  bool Can(const Principal* p, const char* action, const std::string& resource, std::string_view leading = "") {
    return authz_.Allowed(p, action, resource, leading);
  }
  ApiAuthorizer authz_;
  Principal a_{"u-a", "a@example.com", "A", "customer"};
  Principal b_{"u-b", "b@example.com", "B", "customer"};
  Principal admin_{"u-z", "z@example.com", "Z", "admin"};
};

TEST_F(ApiPolicyTest, EveryoneMayBrowseAndSignIn) {
  for (const Principal* p : std::initializer_list<const Principal*>{nullptr, &a_, &admin_}) {
    EXPECT_TRUE(Can(p, "rivulet:ListProducts", ShopArn("product/*")));
    EXPECT_TRUE(Can(p, "rivulet:SignIn", ShopArn("session")));
    EXPECT_TRUE(Can(p, "rivulet:PostEvent", ShopArn("activity")));
  }
}

TEST_F(ApiPolicyTest, AnonymousMayNotTouchOrders) {
  EXPECT_FALSE(Can(nullptr, "rivulet:PlaceOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_FALSE(Can(nullptr, "rivulet:GetOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_FALSE(Can(nullptr, "rivulet:Subscribe", ShopArn("topic/orders/u-a")));
}

TEST_F(ApiPolicyTest, CustomersReachOnlyTheirOwnOrders) {
  EXPECT_TRUE(Can(&a_, "rivulet:GetOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_TRUE(Can(&a_, "rivulet:CancelOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_FALSE(Can(&b_, "rivulet:GetOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_FALSE(Can(&b_, "rivulet:CancelOrder", OrderArn("u-a", "o-1"), "u-a"));
  // The leading key must be the caller's too, whatever the ARN says.
  EXPECT_FALSE(Can(&a_, "rivulet:ListOrders", OrderArn("u-a", "*"), "u-b"));
  // A customer id that looks like a pattern is matched literally.
  Principal star{"*", "s@example.com", "S", "customer"};
  EXPECT_FALSE(Can(&star, "rivulet:GetOrder", OrderArn("u-a", "o-1"), "u-a"));
}

TEST_F(ApiPolicyTest, AdminActionsAreForAdmins) {
  for (const char* action : {"rivulet:ListAllOrders", "rivulet:ChangeOrderStatus", "rivulet:GetCustomer",
                             "rivulet:GetAnalytics", "rivulet:ManageApiKeys"}) {
    EXPECT_FALSE(Can(&a_, action, ShopArn("x"))) << action;
    EXPECT_FALSE(Can(nullptr, action, ShopArn("x"))) << action;
    EXPECT_TRUE(Can(&admin_, action, ShopArn("x"))) << action;
  }
  EXPECT_TRUE(Can(&admin_, "rivulet:GetOrder", OrderArn("u-a", "o-1"), "u-a"));
  EXPECT_FALSE(Can(&a_, "rivulet:UseConsole", ConsoleArn("streams")));
  EXPECT_TRUE(Can(&admin_, "rivulet:UseConsole", ConsoleArn("streams")));
}

TEST_F(ApiPolicyTest, UnknownRolesGetTheAnonymousPolicy) {
  Principal odd{"u-o", "o@example.com", "O", "superuser"};
  EXPECT_FALSE(Can(&odd, "rivulet:GetOrder", OrderArn("u-o", "o-1"), "u-o"));
  EXPECT_TRUE(Can(&odd, "rivulet:ListProducts", ShopArn("product/*")));
}

TEST_F(ApiPolicyTest, DocumentsAreValidPolicies) {
  for (const char* role : {"anonymous", "customer", "admin"}) {
    EXPECT_TRUE(iam::ParsePolicy(ApiAuthorizer::Document(role)).ok()) << role;
  }
}

}  // namespace
}  // namespace orders
