#include "common/logging.h"

#include <spdlog/sinks/stdout_sinks.h>

#include "common/json_escape.h"

namespace common {

Status InitLogging(LogFormat format, std::string_view level) {
  auto lvl = spdlog::level::from_str(std::string(level));
  if (lvl == spdlog::level::off && level != "off") {
    return Status::InvalidArgument("log level '" + std::string(level) +
                                   "' is unknown; use trace, debug, info, warn, error or off");
  }
  auto logger = std::make_shared<spdlog::logger>(
      "rivulet", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  if (format == LogFormat::kJson) {
    // The message is escaped by the caller's formatting only for text; for
    // JSON we keep messages free of quotes by convention and escape here.
    logger->set_pattern(
        R"({"time":"%Y-%m-%dT%H:%M:%S.%eZ","level":"%l","thread":%t,"msg":"%v"})",
        spdlog::pattern_time_type::utc);
  } else {
    logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %^%-5l%$ %v");
  }
  logger->set_level(lvl);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
  return Status::OK();
}

std::string JsonEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  AppendJsonEscaped(&out, s);
  return out;
}

}  // namespace common
