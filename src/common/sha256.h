// SHA-256 as lower-case hex, for ids derived from content (OpenSSL).
#pragma once

#include <string>
#include <string_view>

namespace common {

// The 64 hex digits of SHA-256(data).
std::string Sha256Hex(std::string_view data);

}  // namespace common
