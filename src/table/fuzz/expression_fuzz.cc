// Fuzzes the expression parser and evaluator: any text must parse or fail with
// a Status, never crash. The first byte picks the expression kind.
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
      if (c.ok()) (void)expr::Evaluate(*c, item);
      break;
    }
    case 1: {
      auto u = expr::ParseUpdate(text, &p);
      if (u.ok()) (void)expr::ApplyUpdate(*u, &item);
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
