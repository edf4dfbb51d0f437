#pragma once

#include <string_view>

namespace table {

// True when `word` (any case) is one of DynamoDB's reserved words, which may
// not appear bare in an expression (use an ExpressionAttributeNames "#alias").
bool IsReservedWord(std::string_view word);

}  // namespace table
