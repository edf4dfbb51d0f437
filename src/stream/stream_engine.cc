#include "stream/stream_engine.h"

namespace stream {

namespace {
Status NotImplemented() { return Status::Internal("not implemented yet"); }
}  // namespace

class StreamEngine::Impl {};

Result<Durability> ParseDurability(std::string_view text) {
  if (text == "fsync") return Durability::kFsync;
  if (text == "interval") return Durability::kInterval;
  if (text == "none") return Durability::kNone;
  return Status::InvalidArgument("durability is '" + std::string(text) +
                                 "'; expected fsync, interval or none");
}

StreamEngine::StreamEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamEngine::~StreamEngine() = default;

Result<std::unique_ptr<StreamEngine>> StreamEngine::Open(const StreamEngineOptions&) {
  return std::unique_ptr<StreamEngine>(new StreamEngine(std::make_unique<Impl>()));
}

std::string StreamEngine::StreamArn(std::string_view name) {
  return "arn:aws:kinesis:us-east-1:000000000000:stream/" + std::string(name);
}
Result<std::string> StreamEngine::ResolveStreamName(std::string_view name_or_arn) {
  return std::string(name_or_arn);
}
Status StreamEngine::CreateStream(const std::string&, int, StreamMode) { return NotImplemented(); }
Status StreamEngine::DeleteStream(const std::string&) { return NotImplemented(); }
Result<StreamDescription> StreamEngine::DescribeStream(const std::string&) { return NotImplemented(); }
Result<std::vector<std::string>> StreamEngine::ListStreams() { return NotImplemented(); }
void StreamEngine::PutRecords(const std::string&, std::vector<PutEntry>, PutCallback done) {
  done(NotImplemented());
}
Result<std::string> StreamEngine::GetShardIterator(const IteratorRequest&) { return NotImplemented(); }
Result<GetRecordsResult> StreamEngine::GetRecords(const std::string&, int) { return NotImplemented(); }
Result<std::unique_ptr<Subscription>> StreamEngine::Subscribe(const std::string&, NewRecordsCallback) {
  return NotImplemented();
}
Result<std::vector<ShardInfo>> StreamEngine::ListShards(const std::string&, const ShardFilter&,
                                                        const std::string&) {
  return NotImplemented();
}
Status StreamEngine::SplitShard(const std::string&, const std::string&, const std::string&) {
  return NotImplemented();
}
Status StreamEngine::MergeShards(const std::string&, const std::string&, const std::string&) {
  return NotImplemented();
}
Result<UpdateShardCountResult> StreamEngine::UpdateShardCount(const std::string&, int) {
  return NotImplemented();
}
Status StreamEngine::IncreaseStreamRetentionPeriod(const std::string&, int) { return NotImplemented(); }
Status StreamEngine::DecreaseStreamRetentionPeriod(const std::string&, int) { return NotImplemented(); }
Status StreamEngine::AddTagsToStream(const std::string&, const std::map<std::string, std::string>&) {
  return NotImplemented();
}
Status StreamEngine::RemoveTagsFromStream(const std::string&, const std::vector<std::string>&) {
  return NotImplemented();
}
Result<std::map<std::string, std::string>> StreamEngine::ListTagsForStream(const std::string&) {
  return NotImplemented();
}
StreamLimits StreamEngine::DescribeLimits() { return {}; }
Status StreamEngine::EnforceRetention() { return NotImplemented(); }

}  // namespace stream
