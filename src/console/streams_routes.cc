// /api/admin/streams...: streams, their shards and hash ranges, records in per
// second, the consumers (event-source mappings) with their iterator age, and
// the records themselves (live tail, failure destinations).
#include <algorithm>

#include "console/routes.h"
#include "console/tail.h"

namespace console {
namespace {

constexpr int kRateCap = 10'000;

const char* StatusName(stream::StreamStatus s) {
  switch (s) {
    case stream::StreamStatus::kCreating: return "CREATING";
    case stream::StreamStatus::kActive: return "ACTIVE";
    case stream::StreamStatus::kUpdating: return "UPDATING";
    case stream::StreamStatus::kDeleting: return "DELETING";
  }
  return "ACTIVE";
}

// The mappings reading `stream`, with per-shard progress. Records processed
// are cumulative: the browser turns two samples into a rate.
nlohmann::json Consumers(const Services& s, const std::string& stream) {
  nlohmann::json out = nlohmann::json::array();
  if (s.functions == nullptr) return out;
  for (const auto& m : s.functions->ListMappings()) {
    if (m.config.stream_name != stream) continue;
    nlohmann::json shards = nlohmann::json::array();
    int64_t max_age = 0, processed = 0;
    for (const auto& sh : m.shards) {
      shards.push_back({{"shardId", sh.shard_id}, {"millisBehindLatest", sh.millis_behind_latest},
                        {"recordsProcessed", sh.records_processed}, {"checkpoint", sh.checkpoint},
                        {"finished", sh.finished}});
      max_age = std::max(max_age, sh.millis_behind_latest);
      processed += sh.records_processed;
    }
    out.push_back({{"mappingId", m.config.id}, {"function", m.config.function_name}, {"state", m.state},
                   {"millisBehindLatest", max_age}, {"recordsProcessed", processed}, {"shards", shards}});
  }
  return out;
}

}  // namespace

Response ListStreams(const Services& s, Request& request) {
  auto names = s.streams->ListStreams();
  if (!names.ok()) return StatusResponse(names.status(), request);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& name : *names) {
    auto d = s.streams->DescribeStream(name);
    if (!d.ok()) continue;  // deleted between the two calls
    int consumers = 0;
    if (s.functions != nullptr) {
      for (const auto& m : s.functions->ListMappings()) consumers += m.config.stream_name == name;
    }
    items.push_back({{"name", d->stream_name}, {"status", StatusName(d->status)},
                     {"mode", d->mode == stream::StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED"},
                     {"openShards", d->open_shard_count}, {"shards", d->shards.size()},
                     {"retentionHours", d->retention_hours}, {"createdAt", d->creation_millis},
                     {"consumers", consumers}});
  }
  return JsonResponse({{"items", items}});
}

Response GetStream(const Services& s, Request& request) {
  std::string name(request.PathParam("name"));
  auto d = s.streams->DescribeStream(name);
  if (!d.ok()) return StatusResponse(d.status(), request);
  int64_t now = s.clock->NowMillis();
  nlohmann::json shards = nlohmann::json::array();
  for (const auto& sh : d->shards) {
    bool open = sh.ending_sequence_number.empty();
    nlohmann::json j = {{"shardId", sh.shard_id}, {"parentShardId", sh.parent_shard_id},
                        {"adjacentParentShardId", sh.adjacent_parent_shard_id},
                        {"startingHashKey", sh.hash_key_range.starting_hash_key},
                        {"endingHashKey", sh.hash_key_range.ending_hash_key},
                        {"startingSequenceNumber", sh.starting_sequence_number},
                        {"endingSequenceNumber", sh.ending_sequence_number}, {"open", open}};
    // Records that arrived during the last whole second (a count, not a
    // sampled rate, so the first look already shows a figure).
    auto count = open ? CountSince(s.streams, name, sh.shard_id, now - 1000, kRateCap) : common::Result<int64_t>(0);
    j["recordsInPerSecond"] = count.ok() ? *count : 0;
    j["recordsInCapped"] = count.ok() && *count >= kRateCap;
    shards.push_back(std::move(j));
  }
  return JsonResponse({{"name", d->stream_name}, {"arn", d->stream_arn}, {"status", StatusName(d->status)},
                       {"retentionHours", d->retention_hours}, {"createdAt", d->creation_millis},
                       {"openShards", d->open_shard_count}, {"at", now}, {"shards", shards},
                       {"consumers", Consumers(s, d->stream_name)}});
}

// ?cursor=<from the last answer>&limit=1..200 (default 50)&since=<seconds
// back for the first call, 1..604800, default 10>.
Response StreamRecords(const Services& s, Request& request) {
  std::string name(request.PathParam("name"));
  auto limit = request.IntQueryParam("limit", 50, 1, 200);
  if (!limit.ok()) return StatusResponse(limit.status(), request, "limit");
  auto since = request.IntQueryParam("since", 10, 1, 604'800);
  if (!since.ok()) return StatusResponse(since.status(), request, "since");
  auto positions = ParseCursor(request.QueryParam("cursor").value_or(""));
  if (!positions.ok()) return StatusResponse(positions.status(), request, "cursor");
  int64_t now = s.clock->NowMillis();
  auto tail = ReadTail(s.streams, name, *positions, now - *since * 1000, static_cast<int>(*limit), now);
  if (!tail.ok()) return StatusResponse(tail.status(), request, tail.status().IsNotFound() ? "" : "cursor");
  nlohmann::json records = nlohmann::json::array();
  for (const auto& r : tail->records) records.push_back(RecordJson(r));
  return JsonResponse({{"stream", name}, {"records", records}, {"skipped", tail->skipped}, {"behind", tail->behind},
                       {"cursor", FormatCursor(tail->next)}, {"at", now}});
}

}  // namespace console
