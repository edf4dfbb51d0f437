// Kinesis JSON 1.1 response bodies, in AWS's field names and order.
// Timestamps are epoch seconds with a millisecond fraction; blobs are base64.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stream/stream_engine.h"

namespace aws::kinesis {

// StreamDescription with at most `limit` shards after `exclusive_start_shard_id`.
std::string DescribeStreamJson(const stream::StreamDescription& d, int limit,
                               const std::string& exclusive_start_shard_id);
std::string DescribeStreamSummaryJson(const stream::StreamDescription& d);
// `page`: the streams of this page (shards unused); `next_token` "" on the last page.
std::string ListStreamsJson(const std::vector<stream::StreamDescription>& page, bool has_more,
                            const std::string& next_token);
std::string ListShardsJson(const std::vector<stream::ShardInfo>& shards, const std::string& next_token);
std::string PutRecordJson(const stream::PutResult& result);
std::string PutRecordsJson(const std::vector<common::Result<stream::PutResult>>& results);
std::string GetRecordsJson(const stream::GetRecordsResult& result);
std::string ListTagsJson(const std::map<std::string, std::string>& tags, const std::string& exclusive_start_key,
                         int limit);

}  // namespace aws::kinesis
