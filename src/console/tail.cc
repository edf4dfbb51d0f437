#include "console/tail.h"

#include <algorithm>
#include <map>

#include <simdjson.h>

#include "aws/common/base64.h"

namespace console {
namespace {

constexpr int kReadBatch = 1000;
constexpr int kMaxReadPerShard = 10'000;  // per poll; beyond it the tail skips ahead

bool IsShardId(std::string_view s) {
  if (s.empty() || s.size() > 128) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; });
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool Printable(std::string_view data) {
  if (!simdjson::validate_utf8(data.data(), data.size())) return false;
  return std::none_of(data.begin(), data.end(), [](char c) {
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 && c != '\n' && c != '\r' && c != '\t';
  });
}

}  // namespace

std::string FormatCursor(const std::vector<TailPosition>& positions) {
  std::string out;
  for (const auto& p : positions) {
    if (!out.empty()) out += ',';
    out += p.shard_id;
    out += ':';
    out += p.after_sequence.empty() ? "t" + std::to_string(p.at_millis) : p.after_sequence;
  }
  return out;
}

common::Result<std::vector<TailPosition>> ParseCursor(std::string_view text) {
  std::vector<TailPosition> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t colon = part.find(':');
    if (colon == std::string_view::npos) {
      return common::Status::InvalidArgument("cursor part \"" + std::string(part) + "\" has no ':'");
    }
    TailPosition p;
    std::string_view shard = part.substr(0, colon), where = part.substr(colon + 1);
    if (!IsShardId(shard)) return common::Status::InvalidArgument("cursor names a malformed shard id");
    p.shard_id = std::string(shard);
    if (!where.empty() && where[0] == 't' && AllDigits(where.substr(1)) && where.size() <= 17) {
      p.at_millis = std::stoll(std::string(where.substr(1)));
    } else if (AllDigits(where) && where.size() <= 64) {
      p.after_sequence = std::string(where);
    } else {
      return common::Status::InvalidArgument("cursor position \"" + std::string(where) +
                                             "\" is neither a sequence number nor t<millis>");
    }
    out.push_back(std::move(p));
    if (out.size() > 1000) return common::Status::InvalidArgument("cursor names more than 1000 shards");
  }
  return out;
}

common::Result<TailResult> ReadTail(stream::StreamClient* streams, const std::string& stream,
                                    const std::vector<TailPosition>& positions, int64_t since_millis, int limit,
                                    int64_t now_millis) {
  ASSIGN_OR_RETURN(auto description, streams->DescribeStream(stream));
  std::map<std::string, TailPosition> known;
  for (const auto& p : positions) known[p.shard_id] = p;
  const bool fresh = positions.empty();

  TailResult result;
  std::vector<TailRecord> all;
  for (const auto& shard : description.shards) {
    stream::IteratorRequest request;
    request.stream_name = stream;
    request.shard_id = shard.shard_id;
    TailPosition position{shard.shard_id, "", now_millis};
    auto it = known.find(shard.shard_id);
    if (it != known.end()) {
      position = it->second;
    } else if (fresh) {
      if (!shard.ending_sequence_number.empty()) continue;  // closed before we started: history
      position.at_millis = since_millis;
    } else {
      position.at_millis = 0;  // a child shard born after the tail started: all of it
    }
    if (!position.after_sequence.empty()) {
      request.type = stream::IteratorType::kAfterSequenceNumber;
      request.sequence_number = position.after_sequence;
    } else {
      request.type = stream::IteratorType::kAtTimestamp;
      request.timestamp_millis = position.at_millis;
    }
    ASSIGN_OR_RETURN(std::string iterator, streams->GetShardIterator(request));
    int read = 0;
    bool finished = false;
    while (read < kMaxReadPerShard) {
      ASSIGN_OR_RETURN(auto batch, streams->GetRecords(iterator, kReadBatch));
      for (auto& r : batch.records) {
        position.after_sequence = r.sequence_number;
        all.push_back({shard.shard_id, std::move(r)});
      }
      read += static_cast<int>(batch.records.size());
      if (batch.next_shard_iterator.empty()) {
        finished = true;
        break;
      }
      iterator = std::move(batch.next_shard_iterator);
      if (batch.records.empty() || batch.millis_behind_latest == 0) break;
    }
    if (read >= kMaxReadPerShard) result.behind = true;
    if (position.after_sequence.empty()) position.at_millis = std::min(now_millis, std::max(position.at_millis, now_millis - 1000));
    if (!finished) result.next.push_back(std::move(position));
  }
  std::stable_sort(all.begin(), all.end(), [](const TailRecord& a, const TailRecord& b) {
    return a.record.arrival_millis < b.record.arrival_millis;
  });
  size_t keep = std::min(all.size(), static_cast<size_t>(std::max(limit, 0)));
  result.skipped = static_cast<int64_t>(all.size() - keep);
  result.records.assign(std::make_move_iterator(all.end() - static_cast<std::ptrdiff_t>(keep)),
                        std::make_move_iterator(all.end()));
  return result;
}

common::Result<int64_t> CountSince(stream::StreamClient* streams, const std::string& stream,
                                   const std::string& shard_id, int64_t from_millis, int cap) {
  stream::IteratorRequest request;
  request.stream_name = stream;
  request.shard_id = shard_id;
  request.type = stream::IteratorType::kAtTimestamp;
  request.timestamp_millis = from_millis;
  ASSIGN_OR_RETURN(std::string iterator, streams->GetShardIterator(request));
  ASSIGN_OR_RETURN(auto batch, streams->GetRecords(iterator, cap));
  return static_cast<int64_t>(batch.records.size());
}

nlohmann::json RecordJson(const TailRecord& r, size_t max_data_bytes) {
  std::string_view data = r.record.data;
  bool truncated = data.size() > max_data_bytes;
  if (truncated) data = data.substr(0, max_data_bytes);
  nlohmann::json j = {{"shardId", r.shard_id},
                      {"sequenceNumber", r.record.sequence_number},
                      {"partitionKey", r.record.partition_key},
                      {"arrivedAt", r.record.arrival_millis},
                      {"size", r.record.data.size()},
                      {"truncated", truncated}};
  // A cut may split a UTF-8 sequence; back off to a boundary before checking.
  std::string_view text = data;
  while (truncated && !text.empty() && (static_cast<unsigned char>(text.back()) & 0xC0) == 0x80) text.remove_suffix(1);
  if (truncated && !text.empty() && static_cast<unsigned char>(text.back()) >= 0xC0) text.remove_suffix(1);
  if (Printable(text)) {
    j["encoding"] = "text";
    j["data"] = std::string(text);
  } else {
    std::string b64;
    aws::Base64EncodeAppend(data, &b64);
    j["encoding"] = "base64";
    j["data"] = std::move(b64);
  }
  return j;
}

}  // namespace console
