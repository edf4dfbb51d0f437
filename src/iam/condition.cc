#include "iam/condition.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstring>

namespace iam {
namespace {

using common::Status;

enum class Kind { kString, kNumeric, kDate, kBool, kBinary, kIp, kArn, kNull };

struct OperatorInfo {
  std::string_view name;
  Kind kind;
  bool negated;
  // For String/Arn: 'e' equals, 'i' equals ignoring case, 'l' like. For
  // Numeric/Date: '=', '<', 'l' (<=), '>', 'g' (>=).
  char compare;
};

constexpr OperatorInfo kOperators[] = {
    {"StringEquals", Kind::kString, false, 'e'},
    {"StringNotEquals", Kind::kString, true, 'e'},
    {"StringEqualsIgnoreCase", Kind::kString, false, 'i'},
    {"StringNotEqualsIgnoreCase", Kind::kString, true, 'i'},
    {"StringLike", Kind::kString, false, 'l'},
    {"StringNotLike", Kind::kString, true, 'l'},
    {"NumericEquals", Kind::kNumeric, false, '='},
    {"NumericNotEquals", Kind::kNumeric, true, '='},
    {"NumericLessThan", Kind::kNumeric, false, '<'},
    {"NumericLessThanEquals", Kind::kNumeric, false, 'l'},
    {"NumericGreaterThan", Kind::kNumeric, false, '>'},
    {"NumericGreaterThanEquals", Kind::kNumeric, false, 'g'},
    {"DateEquals", Kind::kDate, false, '='},
    {"DateNotEquals", Kind::kDate, true, '='},
    {"DateLessThan", Kind::kDate, false, '<'},
    {"DateLessThanEquals", Kind::kDate, false, 'l'},
    {"DateGreaterThan", Kind::kDate, false, '>'},
    {"DateGreaterThanEquals", Kind::kDate, false, 'g'},
    {"Bool", Kind::kBool, false, 'e'},
    {"BinaryEquals", Kind::kBinary, false, 'e'},
    {"IpAddress", Kind::kIp, false, 'e'},
    {"NotIpAddress", Kind::kIp, true, 'e'},
    {"ArnEquals", Kind::kArn, false, 'l'},  // AWS treats ArnEquals like ArnLike
    {"ArnLike", Kind::kArn, false, 'l'},
    {"ArnNotEquals", Kind::kArn, true, 'l'},
    {"ArnNotLike", Kind::kArn, true, 'l'},
    {"Null", Kind::kNull, false, 'e'},
};

const OperatorInfo* FindOperator(std::string_view op) {
  for (const OperatorInfo& info : kOperators) {
    if (info.name == op) return &info;
  }
  return nullptr;
}

bool ParseNumber(std::string_view text, double* out) {
  if (text.empty()) return false;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, *out);
  return ec == std::errc() && ptr == end;
}

bool Digits(std::string_view s, size_t n, int* out) {
  if (s.size() < n) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

long long DaysFromCivil(int y, int m, int d) {
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return static_cast<long long>(era) * 146097 + doe - 719468;
}

// An IPv4 or IPv6 address with an optional /prefix.
struct Cidr {
  int family = 0;
  unsigned char bytes[16] = {};
  int prefix = 0;
};

bool ParseCidr(std::string_view text, Cidr* out) {
  std::string addr(text.substr(0, text.find('/')));
  if (inet_pton(AF_INET, addr.c_str(), out->bytes) == 1) {
    out->family = AF_INET;
    out->prefix = 32;
  } else if (inet_pton(AF_INET6, addr.c_str(), out->bytes) == 1) {
    out->family = AF_INET6;
    out->prefix = 128;
  } else {
    return false;
  }
  if (size_t slash = text.find('/'); slash != std::string_view::npos) {
    std::string_view p = text.substr(slash + 1);
    int prefix = 0;
    if (p.empty() || p.size() > 3 || !Digits(p, p.size(), &prefix) || prefix > out->prefix) return false;
    out->prefix = prefix;
  }
  return true;
}

bool CidrContains(const Cidr& net, const Cidr& ip) {
  if (net.family != ip.family) return false;
  int full = net.prefix / 8, rest = net.prefix % 8;
  if (std::memcmp(net.bytes, ip.bytes, full) != 0) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (net.bytes[full] & mask) == (ip.bytes[full] & mask);
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool Ordered(char compare, double a, double b) {
  switch (compare) {
    case '=': return a == b;
    case '<': return a < b;
    case 'l': return a <= b;
    case '>': return a > b;
    case 'g': return a >= b;
  }
  return false;
}

// The positive form of the operator for one request value and one policy value.
bool MatchOne(const OperatorInfo& info, std::string_view request, std::string_view policy) {
  switch (info.kind) {
    case Kind::kString:
    case Kind::kArn:
      if (info.compare == 'e') return request == policy;
      if (info.compare == 'i') return EqualsIgnoreCase(request, policy);
      return WildcardMatch(policy, request, /*ignore_case=*/false, /*escapes=*/true);
    case Kind::kBinary:
      return request == policy;
    case Kind::kBool:
      return EqualsIgnoreCase(request, policy);
    case Kind::kNumeric: {
      double a, b;
      return ParseNumber(request, &a) && ParseNumber(policy, &b) && Ordered(info.compare, a, b);
    }
    case Kind::kDate: {
      long long a, b;
      return ParseIamDate(request, &a) && ParseIamDate(policy, &b) &&
             Ordered(info.compare, static_cast<double>(a), static_cast<double>(b));
    }
    case Kind::kIp: {
      Cidr net, ip;
      return ParseCidr(policy, &net) && ParseCidr(request, &ip) && CidrContains(net, ip);
    }
    case Kind::kNull:
      return false;  // handled by the caller
  }
  return false;
}

// One request value against all policy values: any match for positive
// operators, no match for negated ones.
bool MatchValue(const OperatorInfo& info, std::string_view request, const std::vector<std::string>& policy_values) {
  bool any = std::any_of(policy_values.begin(), policy_values.end(),
                         [&](const std::string& p) { return MatchOne(info, request, p); });
  return info.negated ? !any : any;
}

}  // namespace

bool ParseIamDate(std::string_view text, long long* millis) {
  if (text.empty()) return false;
  if (std::all_of(text.begin(), text.end(), [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    if (text.size() > 12) return false;
    long long seconds = 0;
    std::from_chars(text.data(), text.data() + text.size(), seconds);
    *millis = seconds * 1000;
    return true;
  }
  int y, mo, d, h = 0, mi = 0, s = 0, ms = 0;
  if (text.size() < 10 || !Digits(text, 4, &y) || text[4] != '-' || !Digits(text.substr(5), 2, &mo) ||
      text[7] != '-' || !Digits(text.substr(8), 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31) {
    return false;
  }
  std::string_view rest = text.substr(10);
  long long offset_minutes = 0;
  if (!rest.empty()) {
    if (rest[0] != 'T' || rest.size() < 6 || !Digits(rest.substr(1), 2, &h) || rest[3] != ':' ||
        !Digits(rest.substr(4), 2, &mi) || h > 23 || mi > 59) {
      return false;
    }
    rest.remove_prefix(6);
    if (!rest.empty() && rest[0] == ':') {
      if (!Digits(rest.substr(1), 2, &s) || s > 60) return false;
      rest.remove_prefix(3);
      if (!rest.empty() && rest[0] == '.') {
        size_t n = 1;
        while (n < rest.size() && std::isdigit(static_cast<unsigned char>(rest[n]))) ++n;
        if (n == 1) return false;
        int frac = 0;
        Digits(rest.substr(1), std::min<size_t>(3, n - 1), &frac);
        for (size_t k = n - 1; k < 3; ++k) frac *= 10;
        ms = frac;
        rest.remove_prefix(n);
      }
    }
    if (rest == "Z" || rest.empty()) {
      // UTC
    } else if ((rest[0] == '+' || rest[0] == '-') && rest.size() == 6 && rest[3] == ':') {
      int oh, om;
      if (!Digits(rest.substr(1), 2, &oh) || !Digits(rest.substr(4), 2, &om)) return false;
      offset_minutes = (oh * 60 + om) * (rest[0] == '+' ? 1 : -1);
    } else {
      return false;
    }
  }
  long long seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset_minutes * 60;
  *millis = seconds * 1000 + ms;
  return true;
}

bool IsConditionOperator(std::string_view op) { return FindOperator(op) != nullptr; }

common::Status ValidateConditionValues(const Condition& condition, const std::string& where) {
  const OperatorInfo* info = FindOperator(condition.op);
  if (info == nullptr) return Status::InvalidArgument("MalformedPolicyDocument: " + where + " has an unknown operator");
  // Values with a policy variable are checked after substitution.
  for (const std::string& v : condition.values) {
    if (v.find("${") != std::string::npos) continue;
    bool ok = true;
    double number;
    long long millis;
    Cidr cidr;
    switch (info->kind) {
      case Kind::kNumeric: ok = ParseNumber(v, &number); break;
      case Kind::kDate: ok = ParseIamDate(v, &millis); break;
      case Kind::kBool:
      case Kind::kNull: ok = EqualsIgnoreCase(v, "true") || EqualsIgnoreCase(v, "false"); break;
      case Kind::kIp: ok = ParseCidr(v, &cidr); break;
      default: break;
    }
    if (!ok) {
      return Status::InvalidArgument("MalformedPolicyDocument: " + where + " has \"" + v + "\", which is not a " +
                                     (info->kind == Kind::kNumeric ? "number"
                                      : info->kind == Kind::kDate  ? "date (ISO 8601 or epoch seconds)"
                                      : info->kind == Kind::kIp    ? "IP address or CIDR block"
                                                                   : "boolean (\"true\" or \"false\")") +
                                     " as " + condition.op + " needs");
    }
  }
  return Status::OK();
}

bool EvaluateCondition(const Condition& condition, const std::vector<std::string>& policy_values,
                       const std::vector<std::string>* request_values) {
  const OperatorInfo* info = FindOperator(condition.op);
  if (info == nullptr) return false;
  bool present = request_values != nullptr && !request_values->empty();
  if (info->kind == Kind::kNull) {
    // "true": the key must be absent; "false": present. Several values: any.
    return std::any_of(policy_values.begin(), policy_values.end(),
                       [&](const std::string& v) { return EqualsIgnoreCase(v, "true") ? !present : present; });
  }
  switch (condition.qualifier) {
    case Condition::Qualifier::kForAllValues:
      // Vacuously true for a missing or empty key, as AWS documents.
      if (!present) return true;
      return std::all_of(request_values->begin(), request_values->end(),
                         [&](const std::string& v) { return MatchValue(*info, v, policy_values); });
    case Condition::Qualifier::kForAnyValue:
      if (!present) return condition.if_exists;
      return std::any_of(request_values->begin(), request_values->end(),
                         [&](const std::string& v) { return MatchValue(*info, v, policy_values); });
    case Condition::Qualifier::kNone:
      break;
  }
  if (!present) {
    // A missing key matches nothing: positive operators fail, negated ones
    // hold; IfExists makes the condition hold either way.
    return condition.if_exists || info->negated;
  }
  // A single-valued operator used on a multi-valued key: any value may match
  // (negated: no value may match).
  if (info->negated) {
    return std::all_of(request_values->begin(), request_values->end(),
                       [&](const std::string& v) { return MatchValue(*info, v, policy_values); });
  }
  return std::any_of(request_values->begin(), request_values->end(),
                     [&](const std::string& v) { return MatchValue(*info, v, policy_values); });
}

}  // namespace iam
