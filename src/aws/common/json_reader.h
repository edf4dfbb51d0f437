// Reads an AWS JSON request the way AWS's JSON layer does, so that wrong
// types and failed constraints get AWS's exception and wording:
//   - a member of the wrong JSON type is a SerializationException
//     ("class java.lang.String can not be converted to an Integer"); the
//     first one ends parsing;
//   - null members count as absent; unknown members are ignored;
//   - failed constraints are collected (at most 10) into one
//     ValidationException: "2 validation errors detected: Value null at
//     'streamName' failed to satisfy constraint: Member must not be null; ...".
//
// Usage: construct over the request object, read members with the typed
// getters, check constraints with the Check* verbs, then Finish().
// Not thread-safe; one per request.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "aws/common/aws_error.h"

namespace aws {

// Parses `body` as one JSON object with `parser` (reused across requests of
// one thread). SerializationException when it is not valid JSON or not an
// object.
std::optional<AwsError> ParseJsonObject(simdjson::dom::parser& parser, std::string_view body,
                                        simdjson::dom::object* out);

class JsonReader {
 public:
  JsonReader() = default;

  // Typed getters: nullopt when absent or null, or after a type error (then
  // failed() is true). `object` may be a nested structure (list entries).
  std::optional<std::string_view> String(simdjson::dom::object object, std::string_view key);
  std::optional<int64_t> Integer(simdjson::dom::object object, std::string_view key);  // floors, clamps to int32
  std::optional<int64_t> Long(simdjson::dom::object object, std::string_view key);
  std::optional<bool> Boolean(simdjson::dom::object object, std::string_view key);
  // Epoch seconds (number, fraction allowed) as milliseconds.
  std::optional<int64_t> TimestampMillis(simdjson::dom::object object, std::string_view key);
  // Base64-decoded bytes.
  std::optional<std::string> Blob(simdjson::dom::object object, std::string_view key);
  std::optional<simdjson::dom::array> List(simdjson::dom::object object, std::string_view key);
  std::optional<simdjson::dom::object> Structure(simdjson::dom::object object, std::string_view key);
  std::optional<simdjson::dom::object> Map(simdjson::dom::object object, std::string_view key);
  // A list or map member that must be a structure / string.
  std::optional<simdjson::dom::object> AsStructure(simdjson::dom::element element);
  std::optional<std::string_view> AsString(simdjson::dom::element element);

  // Constraint checks; `path` is AWS's lower-camel member path
  // ("records.1.member.partitionKey").
  void CheckNotNull(std::string_view path, bool present);
  void CheckLength(std::string_view path, std::string_view value, size_t min, size_t max);
  // For blobs AWS shows a Java buffer instead of the value.
  void CheckBlobLength(std::string_view path, size_t length, size_t max);
  void CheckCount(std::string_view path, size_t count, size_t min, size_t max, std::string_view shown);
  void CheckRange(std::string_view path, int64_t value, int64_t min, int64_t max);
  void CheckEnum(std::string_view path, std::string_view value, const std::vector<std::string_view>& allowed);
  // [a-zA-Z0-9_.-]+ (stream names, shard ids).
  void CheckNamePattern(std::string_view path, std::string_view value);
  // 0|([1-9]\d{0,max_extra_digits}) (hash keys: 38, sequence numbers: 128).
  void CheckDecimalPattern(std::string_view path, std::string_view value, int max_extra_digits);
  // A free-form failed constraint.
  void AddViolation(std::string_view path, std::string_view shown_value, std::string_view constraint);

  bool failed() const { return serialization_error_.has_value(); }
  // The first serialization error, else the collected validation errors,
  // else nullopt.
  std::optional<AwsError> Finish() const;

 protected:
  // Records the first SerializationException (also for CborReader).
  void TypeError(std::string message);

 private:
  std::optional<simdjson::dom::element> Member(simdjson::dom::object object, std::string_view key);

  std::optional<AwsError> serialization_error_;
  std::vector<std::string> violations_;
};

// AwsError constructors for the common exceptions.
AwsError SerializationError(std::string message);
AwsError ValidationError(std::string message);
AwsError InvalidArgumentError(std::string message);

}  // namespace aws
