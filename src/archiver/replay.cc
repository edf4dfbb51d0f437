#include "archiver/replay.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "archiver/archive_format.h"
#include "aws/remote/credentials.h"
#include "aws/remote/remote_object_client.h"
#include "aws/remote/remote_stream_client.h"
#include "common/zstd.h"

namespace archiver {
namespace {

using common::Result;
using common::Status;

constexpr size_t kPutBatch = 500;        // PutRecords' limit
constexpr size_t kPutBatchBytes = 4 << 20;  // below its 5 MiB request limit

// The credentials the AWS CLI would use; without any, the pair Rivulet's
// own endpoint accepted before IAM (it answers 403 now unless auth is off).
aws::remote::Credentials CredentialsOrDefault() {
  auto loaded = aws::remote::LoadCredentials();
  return loaded.ok() ? *loaded : aws::remote::Credentials{"rivulet", "rivulet", ""};
}

aws::remote::EndpointOptions Endpoint(const ReplayOptions& o, std::string service,
                                      aws::remote::Credentials credentials) {
  aws::remote::EndpointOptions endpoint;
  endpoint.url = o.endpoint;
  while (endpoint.url.ends_with('/')) endpoint.url.pop_back();
  endpoint.region = o.region;
  endpoint.service = std::move(service);
  endpoint.credentials = std::move(credentials);
  endpoint.request_timeout = std::chrono::seconds(120);
  return endpoint;
}

Result<std::vector<objects::ObjectInfo>> ListArchive(objects::ObjectClient& s3, const std::string& bucket,
                                                     const std::string& prefix) {
  std::vector<objects::ObjectInfo> out;
  objects::ListObjectsRequest request;
  request.bucket = bucket;
  request.prefix = prefix;
  for (;;) {
    auto page = s3.ListObjects(request);
    if (!page.ok()) return Status::IOError(fmt::format("listing s3://{}/{}: {}", bucket, prefix, page.status().ToString()));
    for (auto& object : page->objects) {
      if (object.key.ends_with(".jsonl.zst")) out.push_back(std::move(object));
    }
    if (!page->is_truncated || page->next_continuation_token.empty()) break;
    request.continuation_token = page->next_continuation_token;
  }
  // Key order, but sequence numbers compared as numbers: per shard, objects
  // are then replayed in the order their records were written.
  std::stable_sort(out.begin(), out.end(), [](const objects::ObjectInfo& a, const objects::ObjectInfo& b) {
    std::string sa = SequenceOfKey(a.key), sb = SequenceOfKey(b.key);
    std::string_view ha = std::string_view(a.key).substr(0, a.key.size() - sa.size() - 10);
    std::string_view hb = std::string_view(b.key).substr(0, b.key.size() - sb.size() - 10);
    if (ha != hb) return ha < hb;
    return CompareSequence(sa, sb) < 0;
  });
  return out;
}

Result<std::string> ReadObject(objects::ObjectClient& s3, const std::string& bucket, const std::string& key) {
  auto got = s3.GetObject(bucket, key, {});
  if (!got.ok()) return Status::IOError(fmt::format("GET {}: {}", key, got.status().ToString()));
  std::string bytes;
  for (;;) {
    ASSIGN_OR_RETURN(std::string chunk, got->reader->Read(1 << 20));
    if (chunk.empty()) return bytes;
    bytes += chunk;
  }
}

// PutRecords, again for the entries that failed (throttling) with a growing
// pause, until every one is in.
Status PutBatch(stream::StreamClient& kinesis, const std::string& to_stream, const std::vector<stream::Record>& records) {
  std::vector<size_t> pending(records.size());
  for (size_t i = 0; i < records.size(); ++i) pending[i] = i;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 50 << attempt)));
    if (attempt > 20) return Status::IOError("PutRecords kept failing for " + std::to_string(pending.size()) + " records");
    std::vector<stream::PutEntry> entries;
    for (size_t i : pending) {
      stream::PutEntry entry;
      entry.partition_key = records[i].partition_key;
      entry.data = records[i].data;
      entries.push_back(std::move(entry));
    }
    std::promise<Result<std::vector<Result<stream::PutResult>>>> answered;
    kinesis.PutRecords(to_stream, std::move(entries), [&](auto results) { answered.set_value(std::move(results)); });
    auto results = answered.get_future().get();
    if (results.status().code() == Status::Code::kNotFound) {
      return Status::NotFound("stream " + to_stream + " does not exist; create it first (aws kinesis create-stream)");
    }
    if (!results.ok()) return Status::IOError("PutRecords: " + results.status().ToString());
    std::vector<size_t> failed;
    for (size_t k = 0; k < pending.size(); ++k) {
      if (!(*results)[k].ok()) failed.push_back(pending[k]);
    }
    pending = std::move(failed);
  }
  return Status::OK();
}

class Progress {
 public:
  explicit Progress(uint64_t total_bytes) : total_(total_bytes), tty_(::isatty(STDERR_FILENO) == 1) {}

  void Update(const ReplayStats& s, bool final = false) {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start_).count();
    if (!final && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000))) return;
    last_ = now;
    double fraction = total_ == 0 ? 1.0 : static_cast<double>(s.bytes) / static_cast<double>(total_);
    double rate = elapsed > 0 ? static_cast<double>(s.records) / elapsed : 0;
    double eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    std::string stats = fmt::format("{} records  {:.1f}/{:.1f} MB  {:.0f} rec/s  ETA {}:{:02d}", s.records,
                                    static_cast<double>(s.bytes) / 1e6, static_cast<double>(total_) / 1e6, rate,
                                    static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    if (tty_) {
      int filled = static_cast<int>(fraction * 30);
      std::fprintf(stderr, "\r[%s%s] %3d%%  %s ", std::string(filled, '#').c_str(),
                   std::string(30 - filled, '.').c_str(), static_cast<int>(fraction * 100), stats.c_str());
      if (final) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "replay: %d%%  %s\n", static_cast<int>(fraction * 100), stats.c_str());
    }
    std::fflush(stderr);
  }

 private:
  uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace

Result<ReplayStats> Replay(const ReplayOptions& o) {
  std::string from = o.from;
  if (from.starts_with("s3://")) from = from.substr(5);
  while (from.starts_with('/')) from.erase(0, 1);
  size_t slash = from.find('/');
  if (from.empty() || slash == 0) return Status::InvalidArgument("--from must be <bucket>/<prefix>, e.g. archive/orders/2026/11/25/");
  std::string bucket = from.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : from.substr(slash + 1);
  if (o.to_stream.empty()) return Status::InvalidArgument("--to-stream is required");
  aws::remote::Credentials credentials = CredentialsOrDefault();
  aws::remote::RemoteObjectClient s3(Endpoint(o, "s3", credentials));
  aws::remote::RemoteStreamOptions kinesis_options;
  kinesis_options.endpoint = Endpoint(o, "kinesis", credentials);
  kinesis_options.put_threads = 1;
  aws::remote::RemoteStreamClient kinesis(std::move(kinesis_options));
  ASSIGN_OR_RETURN(auto objects, ListArchive(s3, bucket, prefix));
  uint64_t total = 0;
  for (const auto& obj : objects) total += obj.size;
  Progress progress(total);
  ReplayStats stats;
  for (const auto& obj : objects) {
    ASSIGN_OR_RETURN(std::string archived, ReadObject(s3, bucket, obj.key));
    ASSIGN_OR_RETURN(std::string lines, common::ZstdDecompress(archived));
    std::vector<stream::Record> batch;
    size_t batch_bytes = 0;
    std::string_view rest = lines;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.empty()) continue;
      ASSIGN_OR_RETURN(stream::Record r, DecodeLine(line));
      batch_bytes += r.data.size() + r.partition_key.size();
      batch.push_back(std::move(r));
      if (batch.size() == kPutBatch || batch_bytes > kPutBatchBytes) {
        RETURN_IF_ERROR(PutBatch(kinesis, o.to_stream, batch));
        stats.records += batch.size();
        batch.clear();
        batch_bytes = 0;
        progress.Update(stats);
      }
    }
    if (!batch.empty()) RETURN_IF_ERROR(PutBatch(kinesis, o.to_stream, batch));
    stats.records += batch.size();
    stats.bytes += archived.size();
    ++stats.objects;
    progress.Update(stats);
  }
  progress.Update(stats, true);
  return stats;
}

}  // namespace archiver
