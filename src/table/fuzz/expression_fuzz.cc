// Fuzzes the expression parser and evaluator: any text must parse or fail with
// a Status, never crash, and a second parse (from the per-thread cache of
// parsed expressions) must behave as the first. The first byte picks the
// expression kind.
#include <cstddef>
#include <cstdint>
#include <string>

#include "table/expression.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  using namespace table;
  std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const std::map<std::string, std::string> names = {{"#a", "a"}, {"#b", "status"}};
  static const std::map<std::string, AttributeValue> values = {
      {":n", AttributeValue::N("1")}, {":s", AttributeValue::S("x")},
      {":l", AttributeValue::L({AttributeValue::N("2")})}, {":ss", AttributeValue::SS({"x"})}};
  Item item = {{"a", AttributeValue::N("5")},
               {"m", AttributeValue::M({{"b", AttributeValue::L({AttributeValue::S("y")})}})}};
  expr::Placeholders p(&names, &values);
  switch (data[0] % 3) {
    case 0: {
      auto c = expr::ParseCondition(text, "ConditionExpression", &p);
      auto again = expr::ParseCondition(text, "ConditionExpression", &p);
      if (c.ok() != again.ok()) __builtin_trap();
      if (c.ok()) {
        auto first = expr::Evaluate(*c, item), second = expr::Evaluate(*again, item);
        if (first.ok() != second.ok() || (first.ok() && *first != *second)) __builtin_trap();
      }
      break;
    }
    case 1: {
      auto u = expr::ParseUpdate(text, &p);
      auto again = expr::ParseUpdate(text, &p);
      if (u.ok() != again.ok()) __builtin_trap();
      if (u.ok()) {
        Item copy = item;
        Status first = expr::ApplyUpdate(*u, &item), second = expr::ApplyUpdate(*again, &copy);
        if (first.ok() != second.ok() || item != copy) __builtin_trap();
      }
      break;
    }
    default: {
      auto paths = expr::ParseProjection(text, &p);
      if (paths.ok()) (void)expr::Project(item, *paths);
      break;
    }
  }
  (void)p.CheckAllUsed();
  return 0;
}
