#include "orders/validation.h"

#include <gtest/gtest.h>

namespace orders {
namespace {

const char* kAddress = R"("shippingAddress":{"name":"Ada","line1":"1 Main St","city":"Berlin","postalCode":"10115","country":"DE"})";

std::string OrderBody(const std::string& items, const std::string& address = kAddress) {
  return "{\"items\":" + items + "," + address + "}";
}

class ValidationTest : public ::testing::Test {
 protected:
  // The field blamed for a body that must fail.
  std::string FailingField(const std::string& body) {
    std::string field = "unset";
    auto r = ParsePlaceOrder(body, &field);
    EXPECT_FALSE(r.ok()) << body;
    EXPECT_TRUE(r.status().IsInvalidArgument());
    return field;
  }
};

TEST_F(ValidationTest, AcceptsAWellFormedOrder) {
  std::string field;
  auto r = ParsePlaceOrder(OrderBody(R"([{"productId":"p-001","quantity":2},{"productId":"p-002","quantity":100}])"), &field);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->items.size(), 2u);
  EXPECT_EQ(r->items[1].quantity, 100);
  EXPECT_EQ(r->shipping_address.country, "DE");
}

TEST_F(ValidationTest, MalformedJsonBlamesTheBody) {
  EXPECT_EQ(FailingField("{\"items\": ["), "");
  EXPECT_EQ(FailingField("[1,2]"), "");
}

TEST_F(ValidationTest, QuantityMustBeAnIntegerFrom1To100) {
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":0}])")), "items[0].quantity");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":-5}])")), "items[0].quantity");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":101}])")), "items[0].quantity");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":1.5}])")), "items[0].quantity");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":"2"}])")), "items[0].quantity");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":18446744073709551615}])")),
            "items[0].quantity");
}

TEST_F(ValidationTest, UnknownFieldsAreRejectedAtEveryLevel) {
  EXPECT_EQ(FailingField(R"({"items":[],"coupon":"x"})"), "coupon");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":1,"price":1}])")), "items[0].price");
  std::string address = R"("shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"DE","vat":"1"})";
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-001","quantity":1}])", address)), "shippingAddress.vat");
}

TEST_F(ValidationTest, CartSizeIsLimited) {
  EXPECT_EQ(FailingField(OrderBody("[]")), "items");
  std::string items = "[";
  for (int i = 0; i <= 50; ++i) items += (i ? "," : "") + std::string("{\"productId\":\"p-") + std::to_string(i) + "\",\"quantity\":1}";
  EXPECT_EQ(FailingField(OrderBody(items + "]")), "items");
}

TEST_F(ValidationTest, DuplicateProductsAndBadIdsAreRejected) {
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-1","quantity":1},{"productId":"p-1","quantity":2}])")),
            "items[1].productId");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"../etc","quantity":1}])")), "items[0].productId");
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":7,"quantity":1}])")), "items[0].productId");
}

TEST_F(ValidationTest, AddressFieldsHaveLengthsAndTypes) {
  std::string long_city(101, 'x');
  std::string address = R"("shippingAddress":{"name":"A","line1":"B","city":")" + long_city +
                        R"(","postalCode":"1","country":"DE"})";
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-1","quantity":1}])", address)), "shippingAddress.city");
  address = R"("shippingAddress":{"name":"A","line1":"B","city":"C","postalCode":"1","country":"Germany"})";
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-1","quantity":1}])", address)), "shippingAddress.country");
  address = R"("shippingAddress":{"line1":"B","city":"C","postalCode":"1","country":"DE"})";
  EXPECT_EQ(FailingField(OrderBody(R"([{"productId":"p-1","quantity":1}])", address)), "shippingAddress.name");
  EXPECT_EQ(FailingField(R"({"items":[{"productId":"p-1","quantity":1}],"shippingAddress":"Berlin"})"),
            "shippingAddress");
}

TEST_F(ValidationTest, SignupChecksEmailPasswordAndName) {
  std::string field;
  auto ok = ParseSignup(R"({"email":"Ada@Example.com","password":"correct horse","name":"Ada"})", &field);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->email, "ada@example.com");
  EXPECT_FALSE(ParseSignup(R"({"email":"nope","password":"correct horse","name":"Ada"})", &field).ok());
  EXPECT_EQ(field, "email");
  EXPECT_FALSE(ParseSignup(R"({"email":"a@b.c","password":"short","name":"Ada"})", &field).ok());
  EXPECT_EQ(field, "password");
  EXPECT_FALSE(ParseSignup(R"({"email":"a@b.c","password":"long enough","name":""})", &field).ok());
  EXPECT_EQ(field, "name");
  EXPECT_FALSE(ParseSignup(R"({"email":"a@b.c","password":"long enough","name":"A","role":"admin"})", &field).ok());
  EXPECT_EQ(field, "role");
}

TEST_F(ValidationTest, StatusChangeAcceptsOnlyAdminTransitions) {
  std::string field;
  EXPECT_EQ(ParseStatusChange(R"({"status":"SHIPPED"})", &field)->status, OrderStatus::kShipped);
  EXPECT_FALSE(ParseStatusChange(R"({"status":"CONFIRMED"})", &field).ok());
  EXPECT_EQ(field, "status");
  EXPECT_FALSE(ParseStatusChange(R"({"status":5})", &field).ok());
}

TEST_F(ValidationTest, RestockTakesOnlyAPositiveWholeQuantityUpToTheLimit) {
  std::string field;
  EXPECT_EQ(ParseRestock(R"({"quantity":25})", &field)->quantity, 25);
  EXPECT_EQ(ParseRestock(R"({"quantity":1000000})", &field)->quantity, kMaxRestock);
  for (const char* bad : {R"({"quantity":0})", R"({"quantity":-1})", R"({"quantity":1000001})", R"({"quantity":2.5})",
                          R"({"quantity":"3"})", R"({})"}) {
    field.clear();
    EXPECT_FALSE(ParseRestock(bad, &field).ok()) << bad;
    EXPECT_EQ(field, "quantity") << bad;
  }
  field.clear();
  EXPECT_FALSE(ParseRestock(R"({"quantity":1,"stock":9})", &field).ok());
  EXPECT_EQ(field, "stock");
}

TEST_F(ValidationTest, ActivityEventTypesAreAFixedList) {
  std::string field;
  EXPECT_TRUE(ParseActivityEvent(R"({"type":"add_to_cart","productId":"p-001"})", &field).ok());
  EXPECT_FALSE(ParseActivityEvent(R"({"type":"purchase"})", &field).ok());
  EXPECT_EQ(field, "type");
}

}  // namespace
}  // namespace orders
