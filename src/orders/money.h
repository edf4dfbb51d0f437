// Money in integer minor units (1999 with "EUR" is 19.99 EUR). Every sum and
// product is checked: an order total that would overflow is an error, never a
// wrapped number.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace orders {

// The largest amount we accept anywhere (10^12 minor units), far below
// INT64_MAX so that sums of many lines cannot overflow before being checked.
constexpr int64_t kMaxAmount = 1'000'000'000'000;

// unit_price * quantity. InvalidArgument when either is negative or the
// result exceeds kMaxAmount.
common::Result<int64_t> LineTotal(int64_t unit_price, int64_t quantity);

// a + b, both non-negative. InvalidArgument above kMaxAmount.
common::Result<int64_t> AddAmounts(int64_t a, int64_t b);

// 1999 -> "19.99"; for emails and logs (currencies with two decimals).
std::string FormatMinor(int64_t amount);

}  // namespace orders
