// Kinesis response bodies, in AWS's field names and order, in JSON 1.1
// (timestamps: epoch seconds with a millisecond fraction; blobs: base64) or
// CBOR 1.1 (timestamps: tag 1 epoch milliseconds; blobs: byte strings), from
// one template per response.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "stream/stream_engine.h"

namespace aws::kinesis {

enum class Wire { kJson, kCbor };

// StreamDescription with at most `limit` shards after `exclusive_start_shard_id`.
std::string DescribeStreamBody(const stream::StreamDescription& d, int limit,
                               const std::string& exclusive_start_shard_id, Wire wire);
std::string DescribeStreamSummaryBody(const stream::StreamDescription& d, Wire wire);
// `page`: the streams of this page (shards unused); `next_token` "" on the last page.
std::string ListStreamsBody(const std::vector<stream::StreamDescription>& page, bool has_more,
                            const std::string& next_token, Wire wire);
std::string ListShardsBody(const std::vector<stream::ShardInfo>& shards, const std::string& next_token, Wire wire);
std::string PutRecordBody(const stream::PutResult& result, Wire wire);
std::string PutRecordsBody(const std::vector<common::Result<stream::PutResult>>& results, Wire wire);
std::string GetRecordsBody(const stream::GetRecordsResult& result, Wire wire);
std::string ListTagsBody(const std::map<std::string, std::string>& tags, const std::string& exclusive_start_key,
                         int limit, Wire wire);

}  // namespace aws::kinesis
