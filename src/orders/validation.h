// Strict parsing of /api/ request bodies: types, ranges, lengths, and no
// unknown fields. On failure the Status is InvalidArgument with a message for
// a person, and `*field` names the request field to blame in the problem JSON
// ("items[2].quantity", "shippingAddress.city"; "" for the body as a whole).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "orders/model.h"

namespace orders {

constexpr size_t kMaxBodyBytes = 64 * 1024;
constexpr size_t kMaxLines = 50;
constexpr int64_t kMaxQuantity = 100;

struct OrderLineRequest {
  std::string product_id;
  int64_t quantity = 0;
};

struct PlaceOrderRequest {
  std::vector<OrderLineRequest> items;  // 1..50, distinct product ids
  Address shipping_address;
};

struct SignupRequest {
  std::string email;  // lower-cased
  std::string password;
  std::string name;
};

struct LoginRequest {
  std::string email;  // lower-cased
  std::string password;
};

struct StatusChangeRequest {
  OrderStatus status = OrderStatus::kShipped;  // SHIPPED, DELIVERED or CANCELLED
  std::string reason;
};

// POST /api/admin/products/{id}/restock.
constexpr int64_t kMaxRestock = 1'000'000;
struct RestockRequest {
  int64_t quantity = 0;  // 1..kMaxRestock units added to the stock
};

struct ActivityEvent {
  std::string type;        // page_view, product_view, add_to_cart, checkout_started
  std::string product_id;  // "" when absent
};

common::Result<PlaceOrderRequest> ParsePlaceOrder(std::string_view body, std::string* field);
common::Result<SignupRequest> ParseSignup(std::string_view body, std::string* field);
common::Result<LoginRequest> ParseLogin(std::string_view body, std::string* field);
common::Result<StatusChangeRequest> ParseStatusChange(std::string_view body, std::string* field);
common::Result<RestockRequest> ParseRestock(std::string_view body, std::string* field);
common::Result<ActivityEvent> ParseActivityEvent(std::string_view body, std::string* field);

// Product ids: 1..64 of [A-Za-z0-9_-]. Also used for path parameters.
bool ValidId(std::string_view id);

// A-Z as a-z, other bytes kept: accounts are stored under the email so
// lowered, and catalog searches compare so.
std::string AsciiLower(std::string s);

}  // namespace orders
