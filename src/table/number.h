// DynamoDB numbers: decimal, up to 38 significant digits, magnitude between
// 1E-130 and 9.99...E+125 (or zero). Parsed into sign/digits/exponent so they
// can be compared, added and key-encoded exactly, without floating point.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace table::number {

using common::Result;
using common::Status;

// value = sign * 0.d1d2d3... * 10^exponent, digits without leading or trailing
// zeros; zero has empty digits and negative == false.
struct Decimal {
  bool negative = false;
  std::string digits;  // '1'..'9' first and last
  int exponent = 0;
  bool is_zero() const { return digits.empty(); }
};

constexpr int kMaxDigits = 38;

// Parses DynamoDB number text ("12", "-0.5", "1.5E+3"). InvalidArgument with
// DynamoDB's wording for bad syntax, too many digits or out-of-range magnitude.
Result<Decimal> Parse(std::string_view text);
// Canonical text: plain notation ("1500", "-0.05"), no exponent, no trailing zeros.
std::string Format(const Decimal& d);
// Parse + Format.
Result<std::string> Canonicalize(std::string_view text);
// Whether `text` is an integer already in canonical text ("0", "-42", at most
// 38 digits): most stored numbers are, and they then skip Parse + Format.
bool IsCanonicalInteger(std::string_view text);

// <0, 0, >0. Numeric order.
int Compare(const Decimal& a, const Decimal& b);
// a + b, a - b; InvalidArgument when the result leaves DynamoDB's range or precision.
Result<Decimal> Add(const Decimal& a, const Decimal& b);
Result<Decimal> Subtract(const Decimal& a, Decimal b);

}  // namespace table::number
