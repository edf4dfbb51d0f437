#include "aws/common/json_reader.h"

#include <cmath>
#include <limits>

#include "aws/common/base64.h"

namespace aws {
namespace {

using simdjson::dom::element_type;

constexpr std::string_view kNumberClass = "class com.amazon.coral.value.json.numbers.TruncatingBigNumber";

bool IsNumber(element_type t) {
  return t == element_type::INT64 || t == element_type::UINT64 || t == element_type::DOUBLE;
}

double AsDouble(simdjson::dom::element e) {
  switch (e.type()) {
    case element_type::INT64: return static_cast<double>(int64_t(e));
    case element_type::UINT64: return static_cast<double>(uint64_t(e));
    default: return double(e);
  }
}

// Messages for a structure/list found where a scalar was expected.
std::optional<std::string> ContainerMismatch(element_type t) {
  if (t == element_type::ARRAY) return std::string("Start of list found where not expected");
  if (t == element_type::OBJECT) return std::string("Start of structure or map found where not expected.");
  return std::nullopt;
}

}  // namespace

AwsError SerializationError(std::string message) { return {400, "SerializationException", std::move(message)}; }
AwsError ValidationError(std::string message) { return {400, "ValidationException", std::move(message)}; }
AwsError InvalidArgumentError(std::string message) { return {400, "InvalidArgumentException", std::move(message)}; }

std::optional<AwsError> ParseJsonObject(simdjson::dom::parser& parser, std::string_view body,
                                        simdjson::dom::object* out) {
  simdjson::dom::element doc;
  if (parser.parse(body.data(), body.size(), true).get(doc) != simdjson::SUCCESS) {
    return SerializationError("");  // AWS sends no message for unparseable JSON
  }
  if (doc.get_object().get(*out) != simdjson::SUCCESS) {
    return SerializationError("Start of structure or map found where not expected.");
  }
  return std::nullopt;
}

std::optional<simdjson::dom::element> JsonReader::Member(simdjson::dom::object object, std::string_view key) {
  if (failed()) return std::nullopt;
  simdjson::dom::element value;
  if (object.at_key(key).get(value) != simdjson::SUCCESS) return std::nullopt;
  if (value.is_null()) return std::nullopt;
  return value;
}

void JsonReader::TypeError(std::string message) {
  if (!serialization_error_) serialization_error_ = SerializationError(std::move(message));
}

std::optional<std::string_view> JsonReader::AsString(simdjson::dom::element e) {
  if (failed()) return std::nullopt;
  element_type t = e.type();
  if (t == element_type::STRING) return std::string_view(e);
  if (t == element_type::NULL_VALUE) return std::nullopt;
  if (auto m = ContainerMismatch(t)) TypeError(*m);
  else if (t == element_type::BOOL) TypeError("class java.lang.Boolean can not be converted to an String");
  else TypeError(std::string(kNumberClass) + " can not be converted to an String");
  return std::nullopt;
}

std::optional<std::string_view> JsonReader::String(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  return AsString(*e);
}

std::optional<int64_t> JsonReader::Long(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (t == element_type::INT64) return int64_t(*e);
  if (t == element_type::UINT64) return std::numeric_limits<int64_t>::max();
  if (t == element_type::DOUBLE) {
    double d = std::floor(double(*e));
    if (!(d < 9.2e18)) return std::numeric_limits<int64_t>::max();
    if (!(d > -9.2e18)) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(d);
  }
  if (auto m = ContainerMismatch(t)) TypeError(*m);
  else if (t == element_type::BOOL) TypeError("class java.lang.Boolean can not be converted to an Long");
  else TypeError("class java.lang.String can not be converted to an Long");
  return std::nullopt;
}

std::optional<int64_t> JsonReader::Integer(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (!IsNumber(t)) {
    if (auto m = ContainerMismatch(t)) TypeError(*m);
    else if (t == element_type::BOOL) TypeError("class java.lang.Boolean can not be converted to an Integer");
    else TypeError("class java.lang.String can not be converted to an Integer");
    return std::nullopt;
  }
  // AWS truncates fractions and saturates at the 32-bit limits.
  double d = std::floor(AsDouble(*e));
  if (d > std::numeric_limits<int32_t>::max()) return std::numeric_limits<int32_t>::max();
  if (d < std::numeric_limits<int32_t>::min()) return std::numeric_limits<int32_t>::min();
  return static_cast<int64_t>(d);
}

std::optional<bool> JsonReader::Boolean(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (t == element_type::BOOL) return bool(*e);
  if (t == element_type::STRING) {
    std::string_view s(*e);
    if (s == "true") return true;
    if (s == "false") return false;
    std::string upper(s);
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    TypeError("'" + upper + "' can not be converted to an Boolean");
    return std::nullopt;
  }
  if (auto m = ContainerMismatch(t)) TypeError(*m);
  else TypeError(std::string(kNumberClass) + " can not be converted to an Boolean");
  return std::nullopt;
}

std::optional<int64_t> JsonReader::TimestampMillis(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (IsNumber(t)) {
    double ms = std::round(AsDouble(*e) * 1000.0);
    if (!(ms < 9.2e18 && ms > -9.2e18)) {
      TypeError(std::string(kNumberClass) + " can not be converted to milliseconds since epoch");
      return std::nullopt;
    }
    return static_cast<int64_t>(ms);
  }
  if (auto m = ContainerMismatch(t)) TypeError(*m);
  else if (t == element_type::BOOL) TypeError("class java.lang.Boolean can not be converted to milliseconds since epoch");
  else TypeError("class java.lang.String can not be converted to milliseconds since epoch");
  return std::nullopt;
}

std::optional<std::string> JsonReader::Blob(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (t == element_type::STRING) {
    std::string_view text(*e);
    auto decoded = Base64Decode(text);
    if (!decoded.ok()) {
      TypeError("'" + std::string(text.substr(0, 256)) + "' can not be converted to a Blob: " +
                decoded.status().message());
      return std::nullopt;
    }
    return std::move(decoded).value();
  }
  if (auto m = ContainerMismatch(t)) TypeError(*m);
  else if (t == element_type::BOOL) TypeError("class java.lang.Boolean can not be converted to a Blob");
  else TypeError(std::string(kNumberClass) + " can not be converted to a Blob");
  return std::nullopt;
}

std::optional<simdjson::dom::array> JsonReader::List(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (t == element_type::ARRAY) return simdjson::dom::array(*e);
  if (t == element_type::OBJECT) TypeError("Start of structure or map found where not expected.");
  else TypeError("Expected list or null");
  return std::nullopt;
}

std::optional<simdjson::dom::object> JsonReader::AsStructure(simdjson::dom::element e) {
  if (failed()) return std::nullopt;
  element_type t = e.type();
  if (t == element_type::OBJECT) return simdjson::dom::object(e);
  if (t == element_type::NULL_VALUE) return std::nullopt;
  if (t == element_type::ARRAY) TypeError("Start of list found where not expected");
  else TypeError("Expected null");
  return std::nullopt;
}

std::optional<simdjson::dom::object> JsonReader::Structure(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  return AsStructure(*e);
}

std::optional<simdjson::dom::object> JsonReader::Map(simdjson::dom::object object, std::string_view key) {
  auto e = Member(object, key);
  if (!e) return std::nullopt;
  element_type t = e->type();
  if (t == element_type::OBJECT) return simdjson::dom::object(*e);
  if (t == element_type::ARRAY) TypeError("Start of list found where not expected");
  else TypeError("Expected map or null");
  return std::nullopt;
}

void JsonReader::AddViolation(std::string_view path, std::string_view shown_value, std::string_view constraint) {
  if (violations_.size() >= 10) return;  // AWS reports at most ten
  std::string v = "Value ";
  if (shown_value == "null") {
    v += "null";
  } else {
    v += '\'';
    v += shown_value;
    v += '\'';
  }
  v += " at '";
  v += path;
  v += "' failed to satisfy constraint: ";
  v += constraint;
  violations_.push_back(std::move(v));
}

void JsonReader::CheckNotNull(std::string_view path, bool present) {
  if (!present) AddViolation(path, "null", "Member must not be null");
}

void JsonReader::CheckLength(std::string_view path, std::string_view value, size_t min, size_t max) {
  if (value.size() < min) {
    AddViolation(path, value, "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (value.size() > max) {
    AddViolation(path, value, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void JsonReader::CheckBlobLength(std::string_view path, size_t length, size_t max) {
  if (length <= max) return;
  std::string shown = "java.nio.HeapByteBuffer[pos=0 lim=" + std::to_string(length) +
                      " cap=" + std::to_string(length) + "]";
  AddViolation(path, shown, "Member must have length less than or equal to " + std::to_string(max));
}

void JsonReader::CheckCount(std::string_view path, size_t count, size_t min, size_t max, std::string_view shown) {
  if (count < min) {
    AddViolation(path, shown, "Member must have length greater than or equal to " + std::to_string(min));
  }
  if (count > max) {
    AddViolation(path, shown, "Member must have length less than or equal to " + std::to_string(max));
  }
}

void JsonReader::CheckRange(std::string_view path, int64_t value, int64_t min, int64_t max) {
  if (value < min) {
    AddViolation(path, std::to_string(value), "Member must have value greater than or equal to " + std::to_string(min));
  }
  if (value > max) {
    AddViolation(path, std::to_string(value), "Member must have value less than or equal to " + std::to_string(max));
  }
}

void JsonReader::CheckEnum(std::string_view path, std::string_view value,
                           const std::vector<std::string_view>& allowed) {
  for (std::string_view a : allowed) {
    if (a == value) return;
  }
  std::string set = "Member must satisfy enum value set: [";
  for (size_t i = 0; i < allowed.size(); ++i) {
    if (i) set += ", ";
    set += allowed[i];
  }
  set += ']';
  AddViolation(path, value, set);
}

void JsonReader::CheckNamePattern(std::string_view path, std::string_view value) {
  bool ok = !value.empty();
  for (char c : value) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) ok = false;
  }
  if (!ok) AddViolation(path, value, "Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
}

void JsonReader::CheckDecimalPattern(std::string_view path, std::string_view value, int max_extra_digits) {
  bool ok = !value.empty() && value.size() <= static_cast<size_t>(max_extra_digits) + 1 &&
            (value == "0" || value[0] != '0');
  for (char c : value) {
    if (c < '0' || c > '9') ok = false;
  }
  if (!ok) {
    AddViolation(path, value,
                 "Member must satisfy regular expression pattern: 0|([1-9]\\d{0," + std::to_string(max_extra_digits) + "})");
  }
}

std::optional<AwsError> JsonReader::Finish() const {
  if (serialization_error_) return serialization_error_;
  if (violations_.empty()) return std::nullopt;
  std::string msg = std::to_string(violations_.size()) + " validation error" + (violations_.size() > 1 ? "s" : "") +
                    " detected: ";
  for (size_t i = 0; i < violations_.size(); ++i) {
    if (i) msg += "; ";
    msg += violations_[i];
  }
  return ValidationError(std::move(msg));
}

}  // namespace aws
