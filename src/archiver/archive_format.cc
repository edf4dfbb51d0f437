#include "archiver/archive_format.h"

#include <ctime>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/logging.h"
#include "objects/digest.h"

namespace archiver {

std::string HourPrefix(const std::string& stream, int64_t arrival_millis) {
  std::time_t seconds = static_cast<std::time_t>(arrival_millis / 1000);
  std::tm tm;
  gmtime_r(&seconds, &tm);
  return fmt::format("{}/{:04d}/{:02d}/{:02d}/{:02d}/", stream, tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour);
}

std::string ObjectKey(const std::string& stream, const std::string& shard_id, const stream::Record& first) {
  return HourPrefix(stream, first.arrival_millis) + stream + "-" + shard_id + "-" + first.sequence_number +
         ".jsonl.zst";
}

std::string SequenceOfKey(std::string_view key) {
  constexpr std::string_view kSuffix = ".jsonl.zst";
  if (!key.ends_with(kSuffix)) return "";
  key.remove_suffix(kSuffix.size());
  size_t dash = key.rfind('-');
  if (dash == std::string_view::npos) return "";
  std::string_view seq = key.substr(dash + 1);
  if (seq.empty() || seq.find_first_not_of("0123456789") != std::string_view::npos) return "";
  return std::string(seq);
}

int CompareSequence(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

std::string EncodeLine(const stream::Record& r) {
  return fmt::format("{{\"partitionKey\":\"{}\",\"sequenceNumber\":\"{}\",\"approximateArrivalTimestamp\":{}.{:03d},"
                     "\"data\":\"{}\"}}\n",
                     common::JsonEscape(r.partition_key), r.sequence_number, r.arrival_millis / 1000,
                     static_cast<int>(r.arrival_millis % 1000), objects::Base64Encode(r.data));
}

common::Result<stream::Record> DecodeLine(std::string_view line) {
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("partitionKey") || !j.contains("sequenceNumber") || !j.contains("data") ||
      !j["partitionKey"].is_string() || !j["sequenceNumber"].is_string() || !j["data"].is_string()) {
    return common::Status::InvalidArgument("archive line is not a record: " + std::string(line.substr(0, 120)));
  }
  stream::Record r;
  r.partition_key = j["partitionKey"].get<std::string>();
  r.sequence_number = j["sequenceNumber"].get<std::string>();
  auto data = objects::Base64Decode(j["data"].get<std::string>());
  if (!data) return common::Status::InvalidArgument("archive line's data is not base64: " + r.sequence_number);
  r.data = std::move(*data);
  if (j.contains("approximateArrivalTimestamp") && j["approximateArrivalTimestamp"].is_number()) {
    r.arrival_millis = static_cast<int64_t>(j["approximateArrivalTimestamp"].get<double>() * 1000 + 0.5);
  }
  return r;
}

}  // namespace archiver
