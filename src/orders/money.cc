#include "orders/money.h"

namespace orders {

common::Result<int64_t> LineTotal(int64_t unit_price, int64_t quantity) {
  if (unit_price < 0 || quantity < 0) {
    return common::Status::InvalidArgument("price " + std::to_string(unit_price) + " and quantity " +
                                           std::to_string(quantity) + " must not be negative");
  }
  int64_t total = 0;
  if (__builtin_mul_overflow(unit_price, quantity, &total) || total > kMaxAmount) {
    return common::Status::InvalidArgument("line total of " + std::to_string(quantity) + " x " +
                                           std::to_string(unit_price) + " exceeds " +
                                           std::to_string(kMaxAmount));
  }
  return total;
}

common::Result<int64_t> AddAmounts(int64_t a, int64_t b) {
  if (a < 0 || b < 0) return common::Status::InvalidArgument("amounts must not be negative");
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum) || sum > kMaxAmount) {
    return common::Status::InvalidArgument("total exceeds " + std::to_string(kMaxAmount));
  }
  return sum;
}

std::string FormatMinor(int64_t amount) {
  bool negative = amount < 0;
  uint64_t abs = negative ? 0 - static_cast<uint64_t>(amount) : static_cast<uint64_t>(amount);
  std::string cents = std::to_string(abs % 100);
  if (cents.size() < 2) cents.insert(0, "0");
  return (negative ? "-" : "") + std::to_string(abs / 100) + "." + cents;
}

}  // namespace orders
