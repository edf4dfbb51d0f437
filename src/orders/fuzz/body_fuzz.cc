// Fuzzes the parsers of /api/ request bodies (validation.h): any bytes a
// client sends reach them. Each must return a value or InvalidArgument, never
// crash or throw, and a value must keep the limits the handlers rely on.
// The first byte picks the parser; the rest is the body.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>

#include "orders/validation.h"

namespace {

void Check(bool ok) {
  if (!ok) std::abort();
}

// Parsed: `holds` checks the value. Refused: InvalidArgument, nothing else.
template <typename T, typename Invariant>
void Expect(const common::Result<T>& parsed, Invariant holds) {
  if (parsed.ok()) return holds(*parsed);
  Check(parsed.status().IsInvalidArgument());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view body(reinterpret_cast<const char*>(data) + 1, size - 1);
  std::string field;
  switch (data[0] % 6) {
    case 0:
      Expect(orders::ParsePlaceOrder(body, &field), [](const orders::PlaceOrderRequest& r) {
        Check(!r.items.empty() && r.items.size() <= orders::kMaxLines);
        std::set<std::string> ids;
        for (const auto& line : r.items) {
          Check(orders::ValidId(line.product_id) && ids.insert(line.product_id).second);
          Check(line.quantity >= 1 && line.quantity <= orders::kMaxQuantity);
        }
        Check(!r.shipping_address.name.empty() && !r.shipping_address.city.empty());
      });
      break;
    case 1:
      Expect(orders::ParseSignup(body, &field), [](const orders::SignupRequest& r) {
        Check(r.email.find('@') != std::string::npos && r.password.size() >= 8 && !r.name.empty());
      });
      break;
    case 2:
      Expect(orders::ParseLogin(body, &field), [](const orders::LoginRequest& r) {
        Check(!r.email.empty() && !r.password.empty());
      });
      break;
    case 3:
      Expect(orders::ParseStatusChange(body, &field), [](const orders::StatusChangeRequest& r) {
        Check(r.status == orders::OrderStatus::kShipped || r.status == orders::OrderStatus::kDelivered ||
              r.status == orders::OrderStatus::kCancelled);
      });
      break;
    case 4:
      Expect(orders::ParseRestock(body, &field), [](const orders::RestockRequest& r) {
        Check(r.quantity >= 1 && r.quantity <= orders::kMaxRestock);
      });
      break;
    default:
      Expect(orders::ParseActivityEvent(body, &field), [](const orders::ActivityEvent& e) {
        Check(!e.type.empty() && (e.product_id.empty() || orders::ValidId(e.product_id)));
      });
      break;
  }
  return 0;
}
