// Base64 (RFC 4648, standard alphabet, with padding) as AWS JSON protocols
// carry blobs. Decoding is strict the way AWS is: a length that is not a
// multiple of 4, a character outside the alphabet, misplaced padding or
// non-zero bits in the last character are errors, with AWS's own wording so
// adapters can pass the message through.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace aws {

std::string Base64Encode(std::string_view bytes);
// Appends the encoding of `bytes` to `out` (no reallocation per call when
// `out` has capacity: used on the GetRecords hot path).
void Base64EncodeAppend(std::string_view bytes, std::string* out);

// Decodes `text`; InvalidArgument with AWS's message on malformed input
// ("Base64 encoded length is expected a multiple of 4 bytes but found: 5").
common::Result<std::string> Base64Decode(std::string_view text);

// Length of the decoded bytes of well-formed `text` (no validation).
size_t Base64DecodedLength(std::string_view text);

}  // namespace aws
