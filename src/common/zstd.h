// zstd frames for stored data: the archiver's objects and the email outbox's
// bodies.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

// One frame at `level` (1 fast .. 19 small).
Result<std::string> ZstdCompress(std::string_view data, int level);
// Any sequence of frames, also one that does not state its size. Corruption
// for data that is not zstd or is cut short.
Result<std::string> ZstdDecompress(std::string_view data);

}  // namespace common
