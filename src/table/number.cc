#include "table/number.h"

#include <algorithm>
#include <cctype>

namespace table::number {
namespace {

// Highest and lowest exponents in 0.d * 10^e form: 9.99E+125 is 0.999E+126,
// 1E-130 is 0.1E-129.
constexpr int kMaxExponent = 126;
constexpr int kMinExponent = -129;

// Builds a normalised Decimal from integer digits times 10^scale.
Result<Decimal> Normalize(bool negative, std::string digits, long scale) {
  size_t lead = 0;
  while (lead < digits.size() && digits[lead] == '0') ++lead;
  digits.erase(0, lead);
  while (!digits.empty() && digits.back() == '0') {
    digits.pop_back();
    ++scale;
  }
  Decimal d;
  if (digits.empty()) return d;
  long exponent = static_cast<long>(digits.size()) + scale;
  if (digits.size() > static_cast<size_t>(kMaxDigits)) {
    return Status::InvalidArgument("Attempting to store more than 38 significant digits in a Number");
  }
  if (exponent > kMaxExponent) {
    return Status::InvalidArgument(
        "Number overflow. Attempting to store a number with magnitude larger than supported range");
  }
  if (exponent < kMinExponent) {
    return Status::InvalidArgument(
        "Number underflow. Attempting to store a number with magnitude smaller than supported range");
  }
  d.negative = negative;
  d.digits = std::move(digits);
  d.exponent = static_cast<int>(exponent);
  return d;
}

int CompareMagnitude(const Decimal& a, const Decimal& b) {
  if (a.is_zero() || b.is_zero()) return (a.is_zero() ? 0 : 1) - (b.is_zero() ? 0 : 1);
  if (a.exponent != b.exponent) return a.exponent < b.exponent ? -1 : 1;
  int c = a.digits.compare(b.digits);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

// Digits of a and b as integers at a common scale (exponent of the last digit).
void Align(const Decimal& a, const Decimal& b, std::string* da, std::string* db, long* scale) {
  long sa = a.exponent - static_cast<long>(a.digits.size());
  long sb = b.exponent - static_cast<long>(b.digits.size());
  *scale = std::min(sa, sb);
  *da = a.digits + std::string(static_cast<size_t>(sa - *scale), '0');
  *db = b.digits + std::string(static_cast<size_t>(sb - *scale), '0');
  size_t n = std::max(da->size(), db->size());
  da->insert(0, n - da->size(), '0');
  db->insert(0, n - db->size(), '0');
}

std::string AddDigits(const std::string& a, const std::string& b) {  // equal lengths
  std::string out(a.size() + 1, '0');
  int carry = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int s = (a[i] - '0') + (b[i] - '0') + carry;
    out[i + 1] = static_cast<char>('0' + s % 10);
    carry = s / 10;
  }
  out[0] = static_cast<char>('0' + carry);
  return out;
}

std::string SubDigits(const std::string& a, const std::string& b) {  // a >= b, equal lengths
  std::string out(a.size(), '0');
  int borrow = 0;
  for (size_t i = a.size(); i-- > 0;) {
    int s = (a[i] - '0') - (b[i] - '0') - borrow;
    borrow = s < 0 ? 1 : 0;
    out[i] = static_cast<char>('0' + s + borrow * 10);
  }
  return out;
}

}  // namespace

Result<Decimal> Parse(std::string_view text) {
  auto bad = [&] {
    return Status::InvalidArgument("A value provided cannot be converted into a number: \"" +
                                   std::string(text.substr(0, 64)) + "\"");
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  std::string digits;
  long int_digits = 0;
  bool seen_dot = false, any_digit = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (std::isdigit(static_cast<unsigned char>(c))) {
      any_digit = true;
      // Leading zeros carry no value; skipping them keeps the string short.
      if (digits.empty() && c == '0') {
        if (seen_dot) --int_digits;
        continue;
      }
      digits.push_back(c);
      if (!seen_dot) ++int_digits;
      if (digits.size() > 400) return Status::InvalidArgument("Attempting to store more than 38 significant digits in a Number");
    } else if (c == '.' && !seen_dot) {
      seen_dot = true;
    } else {
      break;
    }
  }
  if (!any_digit) return bad();
  long exp = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '-' || text[i] == '+')) exp_negative = text[i++] == '-';
    if (i == text.size()) return bad();
    for (; i < text.size() && std::isdigit(static_cast<unsigned char>(text[i])); ++i) {
      exp = exp * 10 + (text[i] - '0');
      if (exp > 100000) return bad();
    }
    if (exp_negative) exp = -exp;
  }
  if (i != text.size()) return bad();
  // value = 0.digits * 10^(int_digits + exp) = digits * 10^(int_digits + exp - len)
  long scale = int_digits + exp - static_cast<long>(digits.size());
  return Normalize(negative, std::move(digits), scale);
}

std::string Format(const Decimal& d) {
  if (d.is_zero()) return "0";
  std::string out = d.negative ? "-" : "";
  long len = static_cast<long>(d.digits.size());
  if (d.exponent <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-d.exponent), '0');
    out += d.digits;
  } else if (d.exponent >= len) {
    out += d.digits;
    out.append(static_cast<size_t>(d.exponent - len), '0');
  } else {
    out += d.digits.substr(0, static_cast<size_t>(d.exponent));
    out += '.';
    out += d.digits.substr(static_cast<size_t>(d.exponent));
  }
  return out;
}

bool IsCanonicalInteger(std::string_view text) {
  if (text == "0") return true;
  size_t first = text.starts_with('-') ? 1 : 0;
  size_t digits = text.size() - first;
  if (digits == 0 || digits > static_cast<size_t>(kMaxDigits) || text[first] < '1' || text[first] > '9') return false;
  return std::all_of(text.begin() + static_cast<std::ptrdiff_t>(first) + 1, text.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

Result<std::string> Canonicalize(std::string_view text) {
  if (IsCanonicalInteger(text)) return std::string(text);
  ASSIGN_OR_RETURN(Decimal d, Parse(text));
  return Format(d);
}

int Compare(const Decimal& a, const Decimal& b) {
  int sa = a.is_zero() ? 0 : (a.negative ? -1 : 1);
  int sb = b.is_zero() ? 0 : (b.negative ? -1 : 1);
  if (sa != sb) return sa < sb ? -1 : 1;
  if (sa == 0) return 0;
  int m = CompareMagnitude(a, b);
  return sa > 0 ? m : -m;
}

Result<Decimal> Add(const Decimal& a, const Decimal& b) {
  if (a.is_zero()) return b;
  if (b.is_zero()) return a;
  std::string da, db;
  long scale = 0;
  Align(a, b, &da, &db, &scale);
  if (a.negative == b.negative) return Normalize(a.negative, AddDigits(da, db), scale);
  int m = CompareMagnitude(a, b);
  if (m == 0) return Decimal{};
  if (m > 0) return Normalize(a.negative, SubDigits(da, db), scale);
  return Normalize(b.negative, SubDigits(db, da), scale);
}

Result<Decimal> Subtract(const Decimal& a, Decimal b) {
  if (!b.is_zero()) b.negative = !b.negative;
  return Add(a, b);
}

}  // namespace table::number
