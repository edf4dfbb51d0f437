#include "archiver/archiver.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "common/zstd.h"
#include "archiver/archive_format.h"
#include "common/clock.h"

namespace archiver {
namespace {

class ArchiverFunction final : public functions::Function {
 public:
  ArchiverFunction(objects::ObjectClient* objects, ArchiverOptions options)
      : objects_(objects), options_(std::move(options)) {}

  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext&) override {
    if (batch.records.empty()) return functions::InvocationResult::Success();
    if (auto s = RemoveUncheckpointed(batch); !s.ok()) return functions::InvocationResult::Failure(s.ToString());
    // Object boundaries depend only on the records from the batch's start,
    // so a re-delivered batch cuts its first objects the same way.
    size_t begin = 0;
    while (begin < batch.records.size()) {
      std::string lines;
      size_t end = begin;
      while (end < batch.records.size()) {
        std::string line = EncodeLine(batch.records[end]);
        if (end > begin && lines.size() + line.size() > options_.max_object_bytes) break;
        lines += line;
        ++end;
      }
      if (auto s = WriteObject(batch, batch.records[begin], lines); !s.ok()) {
        return functions::InvocationResult::Failure(s.ToString());
      }
      begin = end;
    }
    return functions::InvocationResult::Success();
  }

 private:
  common::Status WriteObject(const functions::Batch& batch, const stream::Record& first, std::string_view lines) {
    ASSIGN_OR_RETURN(std::string compressed, common::ZstdCompress(lines, options_.zstd_level));
    objects::PutOptions put;
    put.metadata.content_type = "application/x-ndjson";
    put.metadata.system["content-encoding"] = "zstd";
    // PutObject returns once the object is durable (fsync + rename).
    return objects_->PutObject(options_.bucket, ObjectKey(batch.stream_name, batch.shard_id, first), compressed, put)
        .status();
  }

  // Objects of this shard that start at or after the batch's first record
  // were written by a run that crashed before its checkpoint: their records
  // are being delivered again, so they go. They sit in the hours from the
  // first record's to now.
  common::Status RemoveUncheckpointed(const functions::Batch& batch) {
    const std::string& first_seq = batch.records.front().sequence_number;
    int64_t hour = batch.records.front().arrival_millis / 3'600'000 * 3'600'000;
    int64_t last_hour = std::max(common::SystemClock::Default()->NowMillis(), batch.records.back().arrival_millis);
    for (; hour <= last_hour; hour += 3'600'000) {
      objects::ListObjectsRequest list;
      list.bucket = options_.bucket;
      list.prefix = HourPrefix(batch.stream_name, hour) + batch.stream_name + "-" + batch.shard_id + "-";
      for (;;) {
        ASSIGN_OR_RETURN(auto page, objects_->ListObjects(list));
        for (const auto& o : page.objects) {
          std::string seq = SequenceOfKey(o.key);
          if (seq.empty() || CompareSequence(seq, first_seq) < 0) continue;
          spdlog::info("archiver: removing {} (written before a restart; its records are being archived again)",
                       o.key);
          RETURN_IF_ERROR(objects_->DeleteObject(options_.bucket, o.key));
        }
        if (!page.is_truncated) break;
        list.continuation_token = page.next_continuation_token;
      }
    }
    return common::Status::OK();
  }

  objects::ObjectClient* objects_;
  ArchiverOptions options_;
};

}  // namespace

common::Result<std::unique_ptr<Archiver>> Archiver::Start(functions::FunctionRuntime* runtime,
                                                          objects::ObjectClient* objects, ArchiverOptions options) {
  if (options.interval_ms < 0 || options.interval_ms > 300'000) {
    return common::Status::InvalidArgument("archiver.interval_ms is " + std::to_string(options.interval_ms) +
                                           "; it must be 0..300000 (a mapping's batching window)");
  }
  if (options.max_object_bytes < 1024) {
    return common::Status::InvalidArgument("archiver.max_object_bytes must be at least 1024");
  }
  if (auto created = objects->CreateBucket(options.bucket);
      !created.ok() && created.code() != common::Status::Code::kAlreadyExists) {
    return created;
  }
  std::unique_ptr<Archiver> a(new Archiver());
  a->runtime_ = runtime;
  a->options_ = options;
  a->pending_ = options.streams;
  RETURN_IF_ERROR(runtime->RegisterFunction(kFunctionName, std::make_shared<ArchiverFunction>(objects, options)));
  if (!a->CreateMappings()) a->retry_ = std::thread([raw = a.get()] { raw->RetryLoop(); });
  return a;
}

bool Archiver::CreateMappings() {
  std::lock_guard lock(mu_);
  std::erase_if(pending_, [&](const std::string& stream) {
    functions::EventSourceMappingConfig m;
    // A stable id: the checkpoints are kept under it across restarts.
    m.id = "archiver-" + stream;
    m.function_name = kFunctionName;
    m.stream_name = stream;
    m.batch_size = options_.batch_size;
    m.maximum_batching_window_ms = options_.interval_ms;
    m.starting_position = functions::StartingPosition::kTrimHorizon;
    auto created = runtime_->CreateMapping(m);
    if (created.ok() || created.status().code() == common::Status::Code::kAlreadyExists) {
      mapping_ids_.push_back(m.id);
      spdlog::info("archiver: archiving stream {} into bucket {}", stream, options_.bucket);
      return true;
    }
    if (!created.status().IsNotFound()) {
      spdlog::warn("archiver: cannot map stream {}: {}", stream, created.status().ToString());
    }
    return false;
  });
  return pending_.empty();
}

void Archiver::RetryLoop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    cv_.wait_for(lock, std::chrono::seconds(1));
    if (stopping_) break;
    lock.unlock();
    bool done = CreateMappings();
    lock.lock();
    if (done) break;
  }
}

Archiver::~Archiver() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (retry_.joinable()) retry_.join();
  std::lock_guard lock(mu_);
  for (const auto& id : mapping_ids_) (void)runtime_->DeleteMapping(id);
}

}  // namespace archiver
