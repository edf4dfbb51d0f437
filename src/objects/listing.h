// ListObjectsV2 over a bucket's sorted index: prefix, delimiter with common
// prefixes, max-keys, continuation tokens and start-after. Pure functions
// over a std::map so the rules are tested without files.
#pragma once

#include <map>
#include <string>

#include "common/status.h"
#include "objects/meta_codec.h"
#include "objects/object_client.h"

namespace objects {

// The smallest string greater than every string that starts with `prefix`;
// "" when there is none (prefix is all 0xff bytes).
std::string PrefixSuccessor(std::string prefix);

// REQUIRES: the caller holds whatever lock guards `index`.
// InvalidArgument for a continuation token we did not issue.
common::Result<ListObjectsResult> ListIndex(const std::map<std::string, StoredObject>& index,
                                            const ListObjectsRequest& request);

}  // namespace objects
