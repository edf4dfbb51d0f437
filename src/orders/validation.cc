#include "orders/validation.h"

#include <set>

#include <nlohmann/json.hpp>

namespace orders {
namespace {

using json = nlohmann::json;
using common::Status;

Status Bad(std::string* field, std::string name, std::string message) {
  *field = std::move(name);
  return Status::InvalidArgument(std::move(message));
}

// Parses `body` as one JSON object, rejecting fields not in `allowed`.
common::Result<json> ParseObject(std::string_view body, std::initializer_list<std::string_view> allowed,
                                 std::string* field) {
  field->clear();
  if (body.size() > kMaxBodyBytes) {
    return Bad(field, "", "the body is " + std::to_string(body.size()) + " bytes; the limit is " +
                              std::to_string(kMaxBodyBytes));
  }
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Bad(field, "", "the body is not well-formed JSON");
  if (!j.is_object()) return Bad(field, "", "the body must be a JSON object");
  for (const auto& [key, value] : j.items()) {
    bool known = false;
    for (auto a : allowed) known |= (a == key);
    if (!known) return Bad(field, key.substr(0, 64), "unknown field '" + key.substr(0, 64) + "'");
  }
  return j;
}

bool HasControlChars(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

// Counts code points, so that limits mean characters, not bytes.
size_t Utf8Length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

// A required (or optional, when `required` is false) string of min..max characters.
Status GetString(const json& obj, const std::string& key, const std::string& path, size_t min, size_t max,
                 bool required, std::string* out, std::string* field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) {
    if (required) return Bad(field, path, path + " is required");
    return Status::OK();
  }
  if (!it->is_string()) return Bad(field, path, path + " must be a string");
  const std::string& s = it->get_ref<const std::string&>();
  size_t length = Utf8Length(s);
  if (length < min || length > max) {
    return Bad(field, path, path + " is " + std::to_string(length) + " characters; it must be " +
                                std::to_string(min) + ".." + std::to_string(max));
  }
  if (HasControlChars(s)) return Bad(field, path, path + " must not contain control characters");
  *out = s;
  return Status::OK();
}

Status GetInteger(const json& obj, const std::string& key, const std::string& path, int64_t min, int64_t max,
                  int64_t* out, std::string* field) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Bad(field, path, path + " is required");
  if (!it->is_number_integer()) return Bad(field, path, path + " must be an integer");
  bool in_range;
  int64_t v = 0;
  if (it->is_number_unsigned()) {
    uint64_t u = it->get<uint64_t>();
    in_range = u <= static_cast<uint64_t>(max) && (min <= 0 || u >= static_cast<uint64_t>(min));
    v = in_range ? static_cast<int64_t>(u) : 0;
  } else {
    v = it->get<int64_t>();
    in_range = v >= min && v <= max;
  }
  if (!in_range) {
    return Bad(field, path, path + " is " + it->dump() + "; it must be " + std::to_string(min) + ".." +
                                std::to_string(max));
  }
  *out = v;
  return Status::OK();
}

Status CheckEmail(const std::string& email, std::string* field) {
  auto at = email.find('@');
  bool ok = at != std::string::npos && at > 0 && at + 1 < email.size() && email.find('@', at + 1) == std::string::npos &&
            email.find(' ') == std::string::npos && email.find('.', at) != std::string::npos;
  if (!ok) return Bad(field, "email", "email '" + email.substr(0, 80) + "' is not an email address");
  return Status::OK();
}

}  // namespace

std::string AsciiLower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

bool ValidId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

common::Result<PlaceOrderRequest> ParsePlaceOrder(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"items", "shippingAddress"}, field));
  PlaceOrderRequest request;
  auto items = j.find("items");
  if (items == j.end() || items->is_null()) return Bad(field, "items", "items is required");
  if (!items->is_array()) return Bad(field, "items", "items must be an array");
  if (items->empty()) return Bad(field, "items", "items must hold at least one line");
  if (items->size() > kMaxLines) {
    return Bad(field, "items", "items has " + std::to_string(items->size()) + " lines; the limit is " +
                                   std::to_string(kMaxLines));
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < items->size(); ++i) {
    const json& line = (*items)[i];
    std::string path = "items[" + std::to_string(i) + "]";
    if (!line.is_object()) return Bad(field, path, path + " must be an object");
    for (const auto& [key, value] : line.items()) {
      if (key != "productId" && key != "quantity") {
        return Bad(field, path + "." + key.substr(0, 64), "unknown field '" + key.substr(0, 64) + "' in " + path);
      }
    }
    OrderLineRequest l;
    RETURN_IF_ERROR(GetString(line, "productId", path + ".productId", 1, 64, true, &l.product_id, field));
    if (!ValidId(l.product_id)) {
      return Bad(field, path + ".productId", path + ".productId must be 1..64 of A-Z a-z 0-9 - _");
    }
    RETURN_IF_ERROR(GetInteger(line, "quantity", path + ".quantity", 1, kMaxQuantity, &l.quantity, field));
    if (!seen.insert(l.product_id).second) {
      return Bad(field, path + ".productId", "product '" + l.product_id + "' appears in more than one line");
    }
    request.items.push_back(std::move(l));
  }
  auto address = j.find("shippingAddress");
  if (address == j.end() || address->is_null()) return Bad(field, "shippingAddress", "shippingAddress is required");
  if (!address->is_object()) return Bad(field, "shippingAddress", "shippingAddress must be an object");
  for (const auto& [key, value] : address->items()) {
    static const std::set<std::string> kKnown = {"name", "line1", "line2", "city", "postalCode", "country"};
    if (kKnown.count(key) == 0) {
      return Bad(field, "shippingAddress." + key.substr(0, 64), "unknown field '" + key.substr(0, 64) + "' in shippingAddress");
    }
  }
  Address& a = request.shipping_address;
  RETURN_IF_ERROR(GetString(*address, "name", "shippingAddress.name", 1, 100, true, &a.name, field));
  RETURN_IF_ERROR(GetString(*address, "line1", "shippingAddress.line1", 1, 200, true, &a.line1, field));
  RETURN_IF_ERROR(GetString(*address, "line2", "shippingAddress.line2", 0, 200, false, &a.line2, field));
  RETURN_IF_ERROR(GetString(*address, "city", "shippingAddress.city", 1, 100, true, &a.city, field));
  RETURN_IF_ERROR(GetString(*address, "postalCode", "shippingAddress.postalCode", 1, 20, true, &a.postal_code, field));
  RETURN_IF_ERROR(GetString(*address, "country", "shippingAddress.country", 2, 2, true, &a.country, field));
  for (char c : a.country) {
    if (c < 'A' || c > 'Z') {
      return Bad(field, "shippingAddress.country", "shippingAddress.country must be an ISO 3166 code such as DE");
    }
  }
  return request;
}

common::Result<SignupRequest> ParseSignup(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"email", "password", "name"}, field));
  SignupRequest r;
  RETURN_IF_ERROR(GetString(j, "email", "email", 3, 254, true, &r.email, field));
  r.email = AsciiLower(r.email);
  RETURN_IF_ERROR(CheckEmail(r.email, field));
  RETURN_IF_ERROR(GetString(j, "password", "password", 8, 128, true, &r.password, field));
  RETURN_IF_ERROR(GetString(j, "name", "name", 1, 100, true, &r.name, field));
  return r;
}

common::Result<LoginRequest> ParseLogin(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"email", "password"}, field));
  LoginRequest r;
  RETURN_IF_ERROR(GetString(j, "email", "email", 1, 254, true, &r.email, field));
  r.email = AsciiLower(r.email);
  RETURN_IF_ERROR(GetString(j, "password", "password", 1, 128, true, &r.password, field));
  return r;
}

common::Result<StatusChangeRequest> ParseStatusChange(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"status", "reason"}, field));
  StatusChangeRequest r;
  std::string status;
  RETURN_IF_ERROR(GetString(j, "status", "status", 1, 20, true, &status, field));
  if (status == "SHIPPED") {
    r.status = OrderStatus::kShipped;
  } else if (status == "DELIVERED") {
    r.status = OrderStatus::kDelivered;
  } else if (status == "CANCELLED") {
    r.status = OrderStatus::kCancelled;
  } else {
    return Bad(field, "status", "status '" + status + "' must be SHIPPED, DELIVERED or CANCELLED");
  }
  RETURN_IF_ERROR(GetString(j, "reason", "reason", 0, 200, false, &r.reason, field));
  return r;
}

common::Result<RestockRequest> ParseRestock(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"quantity"}, field));
  RestockRequest r;
  RETURN_IF_ERROR(GetInteger(j, "quantity", "quantity", 1, kMaxRestock, &r.quantity, field));
  return r;
}

common::Result<ActivityEvent> ParseActivityEvent(std::string_view body, std::string* field) {
  ASSIGN_OR_RETURN(json j, ParseObject(body, {"type", "productId"}, field));
  ActivityEvent e;
  RETURN_IF_ERROR(GetString(j, "type", "type", 1, 32, true, &e.type, field));
  if (e.type != "page_view" && e.type != "product_view" && e.type != "add_to_cart" && e.type != "checkout_started") {
    return Bad(field, "type", "type '" + e.type + "' must be page_view, product_view, add_to_cart or checkout_started");
  }
  RETURN_IF_ERROR(GetString(j, "productId", "productId", 1, 64, false, &e.product_id, field));
  if (!e.product_id.empty() && !ValidId(e.product_id)) {
    return Bad(field, "productId", "productId must be 1..64 of A-Z a-z 0-9 - _");
  }
  return e;
}

}  // namespace orders
