// Internal to aws/remote: reading the JSON answers of the Kinesis and
// DynamoDB protocols.
#pragma once

#include <simdjson.h>

#include <string>
#include <string_view>

#include "common/status.h"

namespace aws::remote {

// The string member `key`, or "" when it is missing or not a string.
inline std::string_view Str(simdjson::dom::element element, std::string_view key) {
  std::string_view out;
  if (element[key].get(out) != simdjson::SUCCESS) return {};
  return out;
}

// Parses a reply from `service` ("kinesis", "dynamodb"); Internal when the
// service answered with something that is not JSON.
inline common::Result<simdjson::dom::element> ParseReply(simdjson::dom::parser& parser, const std::string& text,
                                                         std::string_view service) {
  simdjson::dom::element root;
  if (parser.parse(text).get(root) != simdjson::SUCCESS) {
    return common::Status::Internal(std::string(service) + " answered with malformed JSON: " + text.substr(0, 200));
  }
  return root;
}

}  // namespace aws::remote
