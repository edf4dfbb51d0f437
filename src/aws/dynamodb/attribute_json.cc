#include "aws/dynamodb/attribute_json.h"

#include <algorithm>

#include "aws/common/base64.h"

namespace aws::dynamodb {
namespace {

using common::Result;
using common::Status;
using table::AttributeValue;

Status Invalid(const std::string& msg) { return Status::InvalidArgument(msg); }

Result<std::string> StringOf(simdjson::dom::element e, std::string_view type) {
  std::string_view s;
  if (e.get(s) != simdjson::SUCCESS) {
    return Invalid("Supplied AttributeValue has an invalid value for type " + std::string(type) + ": expected a string");
  }
  return std::string(s);
}

Result<std::vector<std::string>> SetOf(simdjson::dom::element e, std::string_view type) {
  simdjson::dom::array array;
  if (e.get(array) != simdjson::SUCCESS) {
    return Invalid("Supplied AttributeValue has an invalid value for type " + std::string(type) + ": expected a list");
  }
  std::vector<std::string> out;
  for (simdjson::dom::element m : array) {
    ASSIGN_OR_RETURN(std::string s, StringOf(m, type));
    if (type == "BS") {
      ASSIGN_OR_RETURN(s, Base64Decode(s));
    }
    out.push_back(std::move(s));
  }
  std::vector<std::string> sorted = out;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    std::string shown;
    for (const auto& s : out) shown += (shown.empty() ? "" : ", ") + (type == "BS" ? Base64Encode(s) : s);
    return Invalid("One or more parameter values were invalid: Input collection [" + shown + "] of type " +
                   std::string(type) + " contains duplicates.");
  }
  return out;
}

Result<AttributeValue> ReadValue(simdjson::dom::element element, int depth) {
  if (depth > 32) return Invalid("Nesting Levels have exceeded supported limits: Nested attributes can have at most 32 levels");
  simdjson::dom::object object;
  if (element.get(object) != simdjson::SUCCESS) {
    return Invalid("Supplied AttributeValue must be an object with exactly one of the supported datatypes");
  }
  if (object.size() == 0) return Invalid("Supplied AttributeValue is empty, must contain exactly one of the supported datatypes");
  if (object.size() > 1) return Invalid("Supplied AttributeValue has more than one datatypes set, must contain exactly one of the supported datatypes");
  auto field = *object.begin();
  std::string_view type = field.key;
  simdjson::dom::element v = field.value;
  if (type == "S") {
    ASSIGN_OR_RETURN(std::string s, StringOf(v, type));
    return AttributeValue::S(std::move(s));
  }
  if (type == "N") {
    ASSIGN_OR_RETURN(std::string s, StringOf(v, type));
    return AttributeValue::N(std::move(s));  // canonicalised and checked by the engine
  }
  if (type == "B") {
    ASSIGN_OR_RETURN(std::string s, StringOf(v, type));
    ASSIGN_OR_RETURN(std::string bytes, Base64Decode(s));
    return AttributeValue::B(std::move(bytes));
  }
  if (type == "BOOL") {
    bool b;
    if (v.get(b) != simdjson::SUCCESS) return Invalid("Supplied AttributeValue has an invalid value for type BOOL: expected true or false");
    return AttributeValue::Bool(b);
  }
  if (type == "NULL") {
    bool b;
    if (v.get(b) != simdjson::SUCCESS || !b) {
      return Invalid("One or more parameter values were invalid: Null attribute value types must have the value of true");
    }
    return AttributeValue::Null();
  }
  if (type == "SS" || type == "NS" || type == "BS") {
    ASSIGN_OR_RETURN(std::vector<std::string> members, SetOf(v, type));
    if (type == "SS") return AttributeValue::SS(std::move(members));
    if (type == "NS") return AttributeValue::NS(std::move(members));
    return AttributeValue::BS(std::move(members));
  }
  if (type == "L") {
    simdjson::dom::array array;
    if (v.get(array) != simdjson::SUCCESS) return Invalid("Supplied AttributeValue has an invalid value for type L: expected a list");
    std::vector<AttributeValue> list;
    for (simdjson::dom::element e : array) {
      ASSIGN_OR_RETURN(AttributeValue a, ReadValue(e, depth + 1));
      list.push_back(std::move(a));
    }
    return AttributeValue::L(std::move(list));
  }
  if (type == "M") {
    simdjson::dom::object map;
    if (v.get(map) != simdjson::SUCCESS) return Invalid("Supplied AttributeValue has an invalid value for type M: expected a map");
    table::Item item;
    for (auto f : map) {
      ASSIGN_OR_RETURN(AttributeValue a, ReadValue(f.value, depth + 1));
      item.insert_or_assign(std::string(f.key), std::move(a));
    }
    return AttributeValue::M(std::move(item));
  }
  return Invalid("Supplied AttributeValue has an unknown datatype: " + std::string(type));
}

}  // namespace

Result<AttributeValue> ReadAttributeValue(simdjson::dom::element element) { return ReadValue(element, 0); }

Result<table::Item> ReadItem(simdjson::dom::element element) {
  simdjson::dom::object object;
  if (element.get(object) != simdjson::SUCCESS) return Invalid("Expected a map of attribute names to AttributeValues");
  table::Item item;
  for (auto f : object) {
    ASSIGN_OR_RETURN(AttributeValue v, ReadValue(f.value, 0));
    item.insert_or_assign(std::string(f.key), std::move(v));
  }
  return item;
}

void WriteAttributeValue(const AttributeValue& v, JsonWriter* json) {
  using T = AttributeValue::Type;
  json->BeginObject();
  json->Key(table::TypeName(v.type()));
  switch (v.type()) {
    case T::kS:
    case T::kN: json->String(v.scalar()); break;
    case T::kB: json->Base64(v.scalar()); break;
    case T::kBool: json->Bool(v.boolean()); break;
    case T::kNull: json->Bool(true); break;
    case T::kSS:
    case T::kNS:
    case T::kBS:
      json->BeginArray();
      for (const auto& s : v.set()) v.type() == T::kBS ? json->Base64(s) : json->String(s);
      json->EndArray();
      break;
    case T::kL:
      json->BeginArray();
      for (const auto& e : v.list()) WriteAttributeValue(e, json);
      json->EndArray();
      break;
    case T::kM: WriteItem(v.map(), json); break;
  }
  json->EndObject();
}

void WriteItem(const table::Item& item, JsonWriter* json) {
  json->BeginObject();
  for (const auto& [k, v] : item) {
    json->Key(k);
    WriteAttributeValue(v, json);
  }
  json->EndObject();
}

}  // namespace aws::dynamodb
