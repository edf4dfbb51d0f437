// JSON string literals from arbitrary bytes, for code that writes JSON text
// by hand instead of building a DOM (hot paths, one-line error bodies).
#pragma once

#include <string>
#include <string_view>

namespace common {

// Appends `s` escaped for the inside of a JSON string literal (RFC 8259), no
// quotes: `"` and `\` are escaped, control characters become \b \f \n \r \t
// or \u00xx, well-formed UTF-8 is copied as is, and each maximal ill-formed
// subsequence becomes U+FFFD, so the result is valid UTF-8 JSON whatever the
// input bytes. The bytes equal nlohmann::json's dump() with
// error_handler_t::replace (and ensure_ascii off), which wrote our JSON
// before.
void AppendJsonEscaped(std::string* out, std::string_view s);

// Appends `s` as a quoted JSON string: `"` + AppendJsonEscaped + `"`.
void AppendJsonString(std::string* out, std::string_view s);

}  // namespace common
