// Escaping text for XML element content and attribute values, shared by the
// S3 and IAM (Query protocol) adapters.
#pragma once

#include <string>
#include <string_view>

namespace aws {

// The five predefined entities; control characters other than tab and
// newline become character references.
std::string XmlEscape(std::string_view text);

}  // namespace aws
