// Process-wide logging through spdlog: human-readable lines by default,
// one JSON object per line with --log-format json.
#pragma once

#include <string_view>

#include <spdlog/spdlog.h>

#include "common/status.h"

namespace common {

enum class LogFormat { kText, kJson };

// Configures the default spdlog logger (stderr). `level` is one of trace,
// debug, info, warn, error; an unknown level is InvalidArgument.
Status InitLogging(LogFormat format, std::string_view level);

// Escapes `s` for use inside a JSON string literal (no quotes added).
std::string JsonEscape(std::string_view s);

}  // namespace common
