// Order-preserving, self-delimiting byte encodings of key values, so RocksDB's
// bytewise order is DynamoDB's key order and a composite key is just the
// concatenation enc(partition) + enc(sort). Format: README.md "Key layout".
#pragma once

#include <string>
#include <string_view>

#include "table/attribute_value.h"

namespace table {

// REQUIRES: `v` is S, B, or N with canonical text.
void EncodeKeyValue(const AttributeValue& v, std::string* out);
// Reads one value of `type` from the front of `in` and advances it.
Result<AttributeValue> DecodeKeyValue(AttributeValue::Type type, std::string_view* in);
// The escaped bytes of an S/B value without its terminator: every encoding of
// a value that begins with `prefix` begins with these bytes (begins_with).
void EncodeKeyPrefix(std::string_view prefix, std::string* out);
// The smallest string greater than every string that starts with `prefix`
// ("" when there is none).
std::string PrefixSuccessor(std::string prefix);

}  // namespace table
