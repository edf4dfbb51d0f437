#include "stream/stream_engine.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "common/thread_name.h"
#include "log/committer.h"
#include "log/log.h"
#include "stream/hash_key.h"
#include "stream/metadata.h"
#include "stream/tokens.h"
#include "stream/write_limits.h"

namespace stream {
namespace {

namespace fs = std::filesystem;

constexpr char kAccount[] = "000000000000";
constexpr char kArnPrefix[] = "arn:aws:kinesis:us-east-1:000000000000:stream/";
constexpr int64_t kIteratorLifetimeMs = 5 * 60 * 1000;
constexpr size_t kMaxEntries = 500;
constexpr size_t kMaxDataBytes = 1 << 20;
constexpr size_t kMaxRequestBytes = 5 << 20;
constexpr size_t kMaxPartitionKey = 256;
constexpr size_t kMaxGetRecordsBytes = 10 << 20;
constexpr int kMinRetentionHours = 24;
constexpr int kMaxRetentionHours = 8760;
constexpr int kMaxTags = 50;
constexpr int kOnDemandShards = 4;

bool ValidName(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == '-';
  });
}

Status StreamNotFound(const std::string& name) {
  return Status::NotFound("Stream " + name + " under account " + kAccount + " not found.");
}

Status ShardNotFound(const std::string& shard_id, const std::string& stream) {
  return Status::NotFound("Shard " + shard_id + " in stream " + stream + " under account " + kAccount +
                          " does not exist");
}

logs::SyncMode ToSyncMode(Durability d) {
  switch (d) {
    case Durability::kFsync: return logs::SyncMode::kFsync;
    case Durability::kInterval: return logs::SyncMode::kInterval;
    case Durability::kNone: return logs::SyncMode::kNone;
  }
  return logs::SyncMode::kFsync;
}

}  // namespace

// Runtime state of one shard. `meta` changes only under the owning stream's
// exclusive lock (closing); `log` is set once.
struct Shard {
  ShardMeta meta;
  std::string id;
  std::shared_ptr<logs::Log> log;
  WriteLimiter limiter;
};

struct Stream {
  StreamMeta meta;  // shards field unused at run time: see `shards`
  std::string dir;
  // Shared by appenders and readers, exclusive for resharding and deletion.
  std::shared_mutex mu;
  std::vector<std::shared_ptr<Shard>> shards;  // guarded by mu; sorted by index
  bool deleted = false;                        // guarded by mu

  std::mutex subscribers_mu;
  std::map<uint64_t, NewRecordsCallback> subscribers;  // guarded by subscribers_mu
  uint64_t next_subscriber = 0;                        // guarded by subscribers_mu

  std::shared_ptr<Shard> FindShard(const std::string& id) {  // REQUIRES: mu held
    for (auto& s : shards) {
      if (s->id == id) return s;
    }
    return nullptr;
  }
  std::shared_ptr<Shard> FindShard(uint64_t index) {  // REQUIRES: mu held
    for (auto& s : shards) {
      if (s->meta.index == index) return s;
    }
    return nullptr;
  }
  // The open shard whose range holds `key`. REQUIRES: mu held.
  std::shared_ptr<Shard> Route(HashKey key) {
    for (auto& s : shards) {
      if (s->meta.closed_millis == 0 && s->meta.start <= key && key <= s->meta.end) return s;
    }
    return nullptr;
  }
  int OpenShards() {  // REQUIRES: mu held
    return static_cast<int>(std::count_if(shards.begin(), shards.end(),
                                          [](const auto& s) { return s->meta.closed_millis == 0; }));
  }
  void Notify(const std::string& shard_id) {
    std::lock_guard lock(subscribers_mu);
    for (auto& [id, callback] : subscribers) callback(shard_id);
  }
};

class StreamSubscription final : public Subscription {
 public:
  StreamSubscription(std::weak_ptr<Stream> stream, uint64_t id) : stream_(std::move(stream)), id_(id) {}
  ~StreamSubscription() override {
    if (auto stream = stream_.lock()) {
      std::lock_guard lock(stream->subscribers_mu);
      stream->subscribers.erase(id_);
    }
  }

 private:
  std::weak_ptr<Stream> stream_;
  uint64_t id_;
};

class StreamEngine::Impl {
 public:
  explicit Impl(const StreamEngineOptions& options)
      : options_(options),
        clock_(options.clock ? options.clock : common::SystemClock::Default()),
        root_(options.data_dir + "/streams"),
        committer_(options.commit_threads, ToSyncMode(options.durability), options.interval_ms,
                   options.commit_gather_micros) {}

  ~Impl() {
    {
      std::lock_guard lock(retention_mu_);
      stop_ = true;
    }
    retention_cv_.notify_all();
    if (retention_thread_.joinable()) retention_thread_.join();
    std::shared_lock lock(meta_mu_);
    for (auto& [name, stream] : streams_) {
      for (auto& shard : stream->shards) shard->log->Flush();
    }
    if (lock_fd_ >= 0) ::close(lock_fd_);  // releases the flock
  }

  Status Open();
  Status CreateStream(const std::string& name, int shard_count, StreamMode mode);
  Status DeleteStream(const std::string& name);
  Result<StreamDescription> DescribeStream(const std::string& name);
  Result<std::vector<std::string>> ListStreams();
  // caller_waits: the caller blocks until `done` has run, so the last shard's
  // commit may run on its thread (Log::AppendLeading).
  void PutRecords(const std::string& stream_name, std::vector<PutEntry> entries, PutCallback done,
                  bool caller_waits = false);
  Result<std::string> GetShardIterator(const IteratorRequest& request);
  Result<GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit);
  Result<std::unique_ptr<Subscription>> Subscribe(const std::string& stream_name, NewRecordsCallback cb);
  Result<std::vector<ShardInfo>> ListShards(const std::string& stream, const ShardFilter& filter,
                                            const std::string& exclusive_start);
  Status SplitShard(const std::string& stream, const std::string& shard_id, const std::string& key);
  Status MergeShards(const std::string& stream, const std::string& shard_id, const std::string& adjacent);
  Result<UpdateShardCountResult> UpdateShardCount(const std::string& stream, int target);
  Status ChangeRetention(const std::string& stream, int hours, bool increase);
  Status AddTags(const std::string& stream, const std::map<std::string, std::string>& tags);
  Status RemoveTags(const std::string& stream, const std::vector<std::string>& keys);
  Result<std::map<std::string, std::string>> ListTags(const std::string& stream);
  StreamLimits DescribeLimits();
  Status EnforceRetention();

 private:
  // Looks the stream up by name or ARN. NotFound / InvalidArgument.
  Result<std::shared_ptr<Stream>> Find(const std::string& name_or_arn);
  Result<std::shared_ptr<Shard>> OpenShard(const std::shared_ptr<Stream>& stream, const ShardMeta& meta);
  std::shared_ptr<Shard> NewShard(const std::shared_ptr<Stream>& stream, HashKey start, HashKey end, std::string parent,
                                  std::string adjacent, Status* status);  // REQUIRES: exclusive locks
  void CloseShard(Shard* shard);  // REQUIRES: stream->mu exclusive
  Status Persist();               // REQUIRES: meta_mu_ exclusive
  int TotalOpenShards();          // REQUIRES: meta_mu_ held
  ShardInfo Describe(const Shard& shard);
  std::vector<ChildShard> Children(Stream* stream, const std::string& shard_id);  // REQUIRES: mu held
  void RetentionLoop();

  const StreamEngineOptions options_;
  common::Clock* const clock_;
  const std::string root_;
  std::string iterator_key_;
  int lock_fd_ = -1;  // flock on <root>/LOCK: one engine per data folder
  logs::Committer committer_;

  std::shared_mutex meta_mu_;  // exclusive for every metadata change
  std::map<std::string, std::shared_ptr<Stream>> streams_;  // guarded by meta_mu_
  uint64_t next_uid_ = 1;                                   // guarded by meta_mu_

  std::mutex retention_mu_;
  std::condition_variable retention_cv_;
  bool stop_ = false;  // guarded by retention_mu_
  std::thread retention_thread_;
};

// ---------------------------------------------------------------------------
// Opening and persistence

Status StreamEngine::Impl::Open() {
  std::error_code ec;
  fs::create_directories(root_, ec);
  if (ec) return Status::IOError("create " + root_ + ": " + ec.message());
  // Two engines appending to the same segment files would corrupt them.
  std::string lock_path = root_ + "/LOCK";
  lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (lock_fd_ < 0) return Status::IOError("open " + lock_path + ": " + std::strerror(errno));
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    return Status::ResourceInUse(root_ + " is in use by another Rivulet process (" + lock_path + " is locked)");
  }

  std::string key_path = root_ + "/iterator.key";
  auto key = ReadFile(key_path);
  if (key.ok() && key->size() == 32) {
    iterator_key_ = *key;
  } else {
    iterator_key_.resize(32);
    if (RAND_bytes(reinterpret_cast<unsigned char*>(iterator_key_.data()), 32) != 1) {
      return Status::Internal("no random bytes for the iterator key");
    }
    RETURN_IF_ERROR(WriteFileAtomically(key_path, iterator_key_));
  }

  auto text = ReadFile(root_ + "/metadata.json");
  EngineMeta meta;
  if (text.ok()) {
    ASSIGN_OR_RETURN(meta, DecodeMetadata(*text));
  } else if (!text.status().IsNotFound()) {
    return text.TakeStatus();
  }
  std::unique_lock lock(meta_mu_);
  next_uid_ = meta.next_uid;
  std::set<std::string> known_dirs;
  for (StreamMeta& sm : meta.streams) {
    auto stream = std::make_shared<Stream>();
    stream->dir = root_ + "/s" + std::to_string(sm.uid) + "-" + sm.name;
    known_dirs.insert(fs::path(stream->dir).filename().string());
    std::vector<ShardMeta> shards = std::move(sm.shards);
    stream->meta = std::move(sm);
    std::set<std::string> shard_dirs;
    for (const ShardMeta& m : shards) {
      ASSIGN_OR_RETURN(auto shard, OpenShard(stream, m));
      // A crash can lose the unacknowledged tail of a shard closed just
      // before it; its end is then what recovery kept.
      if (m.closed_millis != 0) shard->meta.end_offset = std::min(m.end_offset, shard->log->next_offset());
      shard_dirs.insert(shard->id);
      stream->shards.push_back(std::move(shard));
    }
    // Folders of shards created by a reshard that crashed before its metadata
    // was written: never acknowledged, and their index will be reused.
    for (const auto& entry : fs::directory_iterator(stream->dir, ec)) {
      if (!shard_dirs.count(entry.path().filename().string())) fs::remove_all(entry.path(), ec);
    }
    streams_[stream->meta.name] = std::move(stream);
  }
  for (const auto& entry : fs::directory_iterator(root_, ec)) {
    std::string name = entry.path().filename().string();
    if (entry.is_directory() && name.starts_with("s") && !known_dirs.count(name)) {
      spdlog::info("streams: removing {} (not in metadata: a deleted or half-created stream)", name);
      fs::remove_all(entry.path(), ec);
    }
  }
  lock.unlock();
  if (options_.start_retention_thread) retention_thread_ = std::thread([this] {
    common::NameThisThread("retention");
    RetentionLoop();
  });
  return Status::OK();
}

Result<std::shared_ptr<Shard>> StreamEngine::Impl::OpenShard(const std::shared_ptr<Stream>& stream,
                                                             const ShardMeta& meta) {
  auto shard = std::make_shared<Shard>();
  shard->meta = meta;
  shard->id = ShardId(meta.index);
  logs::LogOptions log_options;
  log_options.dir = stream->dir + "/" + shard->id;
  log_options.segment_bytes = options_.segment_bytes;
  log_options.segment_max_age_ms = options_.segment_max_age_ms;
  log_options.clock = clock_;
  log_options.committer = &committer_;
  auto log = logs::Log::Open(log_options);
  if (!log.ok()) return log.status().WithContext("stream " + stream->meta.name);
  shard->log = std::move(log).value();
  // The log may outlive the stream in the commit queue: hold it weakly.
  std::weak_ptr<Stream> weak = stream;
  std::string id = shard->id;
  shard->log->SetCommitListener([weak, id] {
    if (auto s = weak.lock()) s->Notify(id);
  });
  return shard;
}

Status StreamEngine::Impl::Persist() {
  EngineMeta meta;
  meta.next_uid = next_uid_;
  for (auto& [name, stream] : streams_) {
    StreamMeta sm = stream->meta;
    sm.shards.clear();
    for (auto& shard : stream->shards) sm.shards.push_back(shard->meta);
    meta.streams.push_back(std::move(sm));
  }
  return WriteFileAtomically(root_ + "/metadata.json", EncodeMetadata(meta));
}

int StreamEngine::Impl::TotalOpenShards() {
  int total = 0;
  for (auto& [name, stream] : streams_) {
    std::shared_lock lock(stream->mu);
    total += stream->OpenShards();
  }
  return total;
}

Result<std::shared_ptr<Stream>> StreamEngine::Impl::Find(const std::string& name_or_arn) {
  ASSIGN_OR_RETURN(std::string name, StreamEngine::ResolveStreamName(name_or_arn));
  std::shared_lock lock(meta_mu_);
  auto it = streams_.find(name);
  if (it == streams_.end()) return StreamNotFound(name);
  return it->second;
}

// ---------------------------------------------------------------------------
// Control plane

std::shared_ptr<Shard> StreamEngine::Impl::NewShard(const std::shared_ptr<Stream>& stream, HashKey start, HashKey end,
                                                    std::string parent, std::string adjacent,
                                                    Status* status) {
  ShardMeta meta;
  meta.index = stream->meta.next_shard_index++;
  meta.parent = std::move(parent);
  meta.adjacent_parent = std::move(adjacent);
  meta.start = start;
  meta.end = end;
  meta.created_millis = clock_->NowMillis();
  std::error_code ec;
  fs::remove_all(stream->dir + "/" + ShardId(meta.index), ec);
  auto shard = OpenShard(stream, meta);
  if (!shard.ok()) {
    *status = shard.TakeStatus();
    return nullptr;
  }
  return std::move(shard).value();
}

void StreamEngine::Impl::CloseShard(Shard* shard) {
  shard->meta.closed_millis = clock_->NowMillis();
  // Appends hold the stream lock shared, so no offset is handed out after this.
  shard->meta.end_offset = shard->log->next_offset();
}

Status StreamEngine::Impl::CreateStream(const std::string& name, int shard_count, StreamMode mode) {
  if (!ValidName(name)) {
    return Status::InvalidArgument("StreamName '" + name.substr(0, 200) +
                                   "' must be 1..128 characters of [a-zA-Z0-9_.-]");
  }
  if (mode == StreamMode::kOnDemand && shard_count <= 0) shard_count = kOnDemandShards;
  if (shard_count < 1 || shard_count > options_.shard_limit) {
    return Status::InvalidArgument("ShardCount is " + std::to_string(shard_count) + "; it must be 1.." +
                                   std::to_string(options_.shard_limit));
  }
  std::unique_lock lock(meta_mu_);
  if (streams_.count(name)) {
    return Status::ResourceInUse("Stream " + name + " under account " + kAccount + " already exists.");
  }
  int open = TotalOpenShards();
  if (open + shard_count > options_.shard_limit) {
    return Status::LimitExceeded("This request would exceed the shard limit for the account " +
                                 std::string(kAccount) + " in us-east-1. Current shard count for the account: " +
                                 std::to_string(open) + ". Limit: " + std::to_string(options_.shard_limit) +
                                 ". Number of additional shards that would have resulted from this request: " +
                                 std::to_string(shard_count) + ".");
  }
  auto stream = std::make_shared<Stream>();
  stream->meta.name = name;
  stream->meta.uid = next_uid_++;
  stream->meta.creation_millis = clock_->NowMillis();
  stream->meta.mode = mode;
  stream->dir = root_ + "/s" + std::to_string(stream->meta.uid) + "-" + name;
  Status status;
  for (int i = 0; i < shard_count && status.ok(); ++i) {
    auto shard = NewShard(stream, RangeStart(i, shard_count), RangeEnd(i, shard_count), "", "", &status);
    if (shard) stream->shards.push_back(std::move(shard));
  }
  if (status.ok()) {
    streams_[name] = stream;
    status = Persist();
    if (!status.ok()) streams_.erase(name);
  }
  if (!status.ok()) {
    std::error_code ec;
    for (auto& shard : stream->shards) shard->log->Flush();
    fs::remove_all(stream->dir, ec);
  }
  return status;
}

Status StreamEngine::Impl::DeleteStream(const std::string& name_or_arn) {
  ASSIGN_OR_RETURN(std::string name, StreamEngine::ResolveStreamName(name_or_arn));
  std::shared_ptr<Stream> stream;
  {
    std::unique_lock lock(meta_mu_);
    auto it = streams_.find(name);
    if (it == streams_.end()) return StreamNotFound(name);
    stream = it->second;
    streams_.erase(it);
    Status status = Persist();
    if (!status.ok()) {
      streams_[name] = stream;
      return status;
    }
  }
  {
    // Appends check `deleted` under the shared lock, so once this exclusive
    // section ends no new append can reach these logs.
    std::unique_lock lock(stream->mu);
    stream->deleted = true;
  }
  // Flush outside the lock: an ack callback may call PutRecords on this
  // stream, which must get NotFound rather than wait for us.
  for (auto& shard : stream->shards) shard->log->Flush();
  std::error_code ec;
  fs::remove_all(stream->dir, ec);
  if (ec) spdlog::warn("streams: cannot remove {}: {}", stream->dir, ec.message());
  return Status::OK();
}

ShardInfo StreamEngine::Impl::Describe(const Shard& shard) {
  ShardInfo info;
  info.shard_id = shard.id;
  info.parent_shard_id = shard.meta.parent;
  info.adjacent_parent_shard_id = shard.meta.adjacent_parent;
  info.hash_key_range = {FormatHashKey(shard.meta.start), FormatHashKey(shard.meta.end)};
  info.starting_sequence_number = FormatSequenceNumber(shard.meta.index, 0);
  if (shard.meta.closed_millis != 0) {
    uint64_t last = shard.meta.end_offset == 0 ? 0 : shard.meta.end_offset - 1;
    info.ending_sequence_number = FormatSequenceNumber(shard.meta.index, last);
  }
  return info;
}

Result<StreamDescription> StreamEngine::Impl::DescribeStream(const std::string& name) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::shared_lock meta_lock(meta_mu_);
  std::shared_lock lock(stream->mu);
  StreamDescription d;
  d.stream_name = stream->meta.name;
  d.stream_arn = StreamEngine::StreamArn(stream->meta.name);
  d.mode = stream->meta.mode;
  d.retention_hours = stream->meta.retention_hours;
  d.creation_millis = stream->meta.creation_millis;
  d.open_shard_count = stream->OpenShards();
  d.tags = stream->meta.tags;
  for (auto& shard : stream->shards) d.shards.push_back(Describe(*shard));
  return d;
}

Result<std::vector<std::string>> StreamEngine::Impl::ListStreams() {
  std::shared_lock lock(meta_mu_);
  std::vector<std::string> names;
  for (auto& [name, stream] : streams_) names.push_back(name);
  return names;
}

Result<std::vector<ShardInfo>> StreamEngine::Impl::ListShards(const std::string& name, const ShardFilter& filter,
                                                              const std::string& exclusive_start) {
  if (filter.type == ShardFilterType::kAfterShardId && filter.shard_id.empty()) {
    return Status::InvalidArgument("ShardFilter type AFTER_SHARD_ID needs a ShardId");
  }
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::shared_lock lock(stream->mu);
  std::vector<ShardInfo> out;
  for (auto& shard : stream->shards) {
    const ShardMeta& m = shard->meta;
    bool open = m.closed_millis == 0;
    if (!exclusive_start.empty() && shard->id <= exclusive_start) continue;
    switch (filter.type) {
      case ShardFilterType::kNone:
      case ShardFilterType::kAtTrimHorizon:
      case ShardFilterType::kFromTrimHorizon: break;
      case ShardFilterType::kAfterShardId:
        if (shard->id <= filter.shard_id) continue;
        break;
      case ShardFilterType::kAtLatest:
        if (!open) continue;
        break;
      case ShardFilterType::kAtTimestamp:
        if (m.created_millis > filter.timestamp_millis || (!open && m.closed_millis < filter.timestamp_millis)) continue;
        break;
      case ShardFilterType::kFromTimestamp:
        if (!open && m.closed_millis < filter.timestamp_millis) continue;
        break;
    }
    out.push_back(Describe(*shard));
  }
  return out;
}

Status StreamEngine::Impl::SplitShard(const std::string& name, const std::string& shard_id,
                                      const std::string& new_key) {
  ASSIGN_OR_RETURN(HashKey key, ParseHashKey(new_key, "NewStartingHashKey"));
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::unique_lock meta_lock(meta_mu_);
  if (TotalOpenShards() + 1 > options_.shard_limit) {
    return Status::LimitExceeded("Splitting would exceed the shard limit of " + std::to_string(options_.shard_limit));
  }
  std::unique_lock lock(stream->mu);
  if (stream->deleted) return StreamNotFound(stream->meta.name);
  auto parent = stream->FindShard(shard_id);
  if (!parent) return ShardNotFound(shard_id, stream->meta.name);
  if (parent->meta.closed_millis != 0) {
    return Status::ResourceInUse("Shard " + shard_id + " of stream " + stream->meta.name + " under account " +
                                 kAccount + " has already been merged or split, and thus is not eligible for "
                                 "merging or splitting.");
  }
  if (key <= parent->meta.start || key > parent->meta.end) {
    return Status::InvalidArgument("NewStartingHashKey " + new_key + " used in SplitShard() on shard " + shard_id +
                                   " in stream " + stream->meta.name + " under account " + kAccount +
                                   " is not both greater than one plus the shard's StartingHashKey " +
                                   FormatHashKey(parent->meta.start) + " and less than the shard's EndingHashKey " +
                                   FormatHashKey(parent->meta.end) + ".");
  }
  Status status;
  auto low = NewShard(stream, parent->meta.start, key - 1, shard_id, "", &status);
  if (!status.ok()) return status;
  auto high = NewShard(stream, key, parent->meta.end, shard_id, "", &status);
  if (!status.ok()) return status;
  ShardMeta saved = parent->meta;
  CloseShard(parent.get());
  stream->shards.push_back(low);
  stream->shards.push_back(high);
  status = Persist();
  if (!status.ok()) {  // undo in memory; the folders are removed on next open
    parent->meta = saved;
    stream->shards.resize(stream->shards.size() - 2);
  }
  return status;
}

Status StreamEngine::Impl::MergeShards(const std::string& name, const std::string& shard_id,
                                       const std::string& adjacent_id) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::unique_lock meta_lock(meta_mu_);
  std::unique_lock lock(stream->mu);
  if (stream->deleted) return StreamNotFound(stream->meta.name);
  auto a = stream->FindShard(shard_id);
  if (!a) return ShardNotFound(shard_id, stream->meta.name);
  auto b = stream->FindShard(adjacent_id);
  if (!b) return ShardNotFound(adjacent_id, stream->meta.name);
  if (a == b) return Status::InvalidArgument("ShardToMerge and AdjacentShardToMerge are the same shard " + shard_id);
  for (auto& s : {a, b}) {
    if (s->meta.closed_millis != 0) {
      return Status::ResourceInUse("Shard " + s->id + " of stream " + stream->meta.name + " under account " +
                                   kAccount + " has already been merged or split, and thus is not eligible for "
                                   "merging or splitting.");
    }
  }
  bool adjacent = (a->meta.end != kMaxHashKey && a->meta.end + 1 == b->meta.start) ||
                  (b->meta.end != kMaxHashKey && b->meta.end + 1 == a->meta.start);
  if (!adjacent) {
    return Status::InvalidArgument("Shards " + shard_id + " and " + adjacent_id + " in stream " +
                                   stream->meta.name + " under account " + kAccount +
                                   " are not an adjacent pair of shards eligible for merging");
  }
  Status status;
  auto child = NewShard(stream, std::min(a->meta.start, b->meta.start), std::max(a->meta.end, b->meta.end),
                        shard_id, adjacent_id, &status);
  if (!status.ok()) return status;
  ShardMeta saved_a = a->meta, saved_b = b->meta;
  CloseShard(a.get());
  CloseShard(b.get());
  stream->shards.push_back(child);
  status = Persist();
  if (!status.ok()) {
    a->meta = saved_a;
    b->meta = saved_b;
    stream->shards.pop_back();
  }
  return status;
}

Result<UpdateShardCountResult> StreamEngine::Impl::UpdateShardCount(const std::string& name, int target) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::unique_lock meta_lock(meta_mu_);
  std::unique_lock lock(stream->mu);
  if (stream->deleted) return StreamNotFound(stream->meta.name);
  int current = stream->OpenShards();
  UpdateShardCountResult result{stream->meta.name, StreamEngine::StreamArn(stream->meta.name), current, target};
  if (target < 1 || target > options_.shard_limit) {
    return Status::InvalidArgument("TargetShardCount is " + std::to_string(target) + "; it must be 1.." +
                                   std::to_string(options_.shard_limit));
  }
  if (target > 2 * current || 2 * target < current) {
    return Status::InvalidArgument("UpdateShardCount from " + std::to_string(current) + " to " +
                                   std::to_string(target) + " shards: the target must be between half and "
                                   "double the current count");
  }
  int others = 0;
  for (auto& [n, s] : streams_) {
    if (s != stream) {
      std::shared_lock other_lock(s->mu);
      others += s->OpenShards();
    }
  }
  if (others + target > options_.shard_limit) {
    return Status::LimitExceeded("UpdateShardCount to " + std::to_string(target) + " would exceed the shard limit of " +
                                 std::to_string(options_.shard_limit));
  }
  if (target == current) return result;
  std::vector<std::shared_ptr<Shard>> parents;
  for (auto& s : stream->shards) {
    if (s->meta.closed_millis == 0) parents.push_back(s);
  }
  std::sort(parents.begin(), parents.end(), [](auto& x, auto& y) { return x->meta.start < y->meta.start; });
  std::vector<std::shared_ptr<Shard>> children;
  Status status;
  for (int i = 0; i < target && status.ok(); ++i) {
    HashKey start = RangeStart(i, target), end = RangeEnd(i, target);
    std::vector<std::string> overlapping;
    for (auto& p : parents) {
      if (p->meta.start <= end && start <= p->meta.end) overlapping.push_back(p->id);
    }
    // Kinesis lineage names at most two parents; a child overlapping a third
    // (possible when the count is not halved or doubled) lists the first two.
    auto child = NewShard(stream, start, end, overlapping.empty() ? "" : overlapping[0],
                          overlapping.size() > 1 ? overlapping[1] : "", &status);
    if (child) children.push_back(std::move(child));
  }
  if (!status.ok()) return status;
  std::vector<ShardMeta> saved;
  for (auto& p : parents) {
    saved.push_back(p->meta);
    CloseShard(p.get());
  }
  for (auto& c : children) stream->shards.push_back(c);
  status = Persist();
  if (!status.ok()) {
    for (size_t i = 0; i < parents.size(); ++i) parents[i]->meta = saved[i];
    stream->shards.resize(stream->shards.size() - children.size());
    return status;
  }
  return result;
}

Status StreamEngine::Impl::ChangeRetention(const std::string& name, int hours, bool increase) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  if (hours < kMinRetentionHours || hours > kMaxRetentionHours) {
    return Status::InvalidArgument("RetentionPeriodHours is " + std::to_string(hours) + "; it must be " +
                                   std::to_string(kMinRetentionHours) + ".." + std::to_string(kMaxRetentionHours));
  }
  std::unique_lock meta_lock(meta_mu_);
  std::unique_lock lock(stream->mu);  // readers take only the stream lock
  int current = stream->meta.retention_hours;
  if (increase && hours < current) {
    return Status::InvalidArgument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                   stream->meta.name + " can not be shorter than existing retention period (" +
                                   std::to_string(current) + " hours). Use DecreaseRetentionPeriod API.");
  }
  if (!increase && hours > current) {
    return Status::InvalidArgument("Requested retention period (" + std::to_string(hours) + " hours) for stream " +
                                   stream->meta.name + " can not be longer than existing retention period (" +
                                   std::to_string(current) + " hours). Use IncreaseRetentionPeriod API.");
  }
  stream->meta.retention_hours = hours;
  Status status = Persist();
  if (!status.ok()) stream->meta.retention_hours = current;
  return status;
}

Status StreamEngine::Impl::AddTags(const std::string& name, const std::map<std::string, std::string>& tags) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  if (tags.empty()) return Status::InvalidArgument("Tags must contain at least 1 tag");
  for (auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128) return Status::InvalidArgument("Tag key '" + k.substr(0, 200) + "' must be 1..128 characters");
    if (v.size() > 256) return Status::InvalidArgument("Tag value for key '" + k + "' is " + std::to_string(v.size()) + " characters; the limit is 256");
  }
  std::unique_lock lock(meta_mu_);
  auto merged = stream->meta.tags;
  for (auto& [k, v] : tags) merged[k] = v;
  if (merged.size() > static_cast<size_t>(kMaxTags)) {
    return Status::LimitExceeded("Stream " + stream->meta.name + " would have " + std::to_string(merged.size()) +
                                 " tags; the limit is 50");
  }
  std::swap(stream->meta.tags, merged);
  Status status = Persist();
  if (!status.ok()) std::swap(stream->meta.tags, merged);
  return status;
}

Status StreamEngine::Impl::RemoveTags(const std::string& name, const std::vector<std::string>& keys) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  if (keys.empty()) return Status::InvalidArgument("TagKeys must contain at least 1 key");
  std::unique_lock lock(meta_mu_);
  auto saved = stream->meta.tags;
  for (auto& k : keys) stream->meta.tags.erase(k);
  Status status = Persist();
  if (!status.ok()) stream->meta.tags = saved;
  return status;
}

Result<std::map<std::string, std::string>> StreamEngine::Impl::ListTags(const std::string& name) {
  ASSIGN_OR_RETURN(auto stream, Find(name));
  std::shared_lock lock(meta_mu_);
  return stream->meta.tags;
}

StreamLimits StreamEngine::Impl::DescribeLimits() {
  std::shared_lock lock(meta_mu_);
  StreamLimits limits;
  limits.shard_limit = options_.shard_limit;
  limits.open_shard_count = TotalOpenShards();
  limits.on_demand_stream_count_limit = options_.on_demand_stream_count_limit;
  for (auto& [name, stream] : streams_) {
    if (stream->meta.mode == StreamMode::kOnDemand) ++limits.on_demand_stream_count;
  }
  return limits;
}

// ---------------------------------------------------------------------------
// Data plane

void StreamEngine::Impl::PutRecords(const std::string& stream_name, std::vector<PutEntry> entries,
                                    PutCallback done, bool caller_waits) {
  if (entries.empty()) return done(Status::InvalidArgument("Records must contain at least 1 entry"));
  if (entries.size() > kMaxEntries) {
    return done(Status::InvalidArgument("Records has " + std::to_string(entries.size()) +
                                        " entries; the limit is 500"));
  }
  std::vector<HashKey> keys(entries.size());
  size_t total = 0;
  for (size_t i = 0; i < entries.size(); ++i) {
    const PutEntry& e = entries[i];
    if (e.partition_key.empty() || e.partition_key.size() > kMaxPartitionKey) {
      return done(Status::InvalidArgument("PartitionKey of record " + std::to_string(i) + " is " +
                                          std::to_string(e.partition_key.size()) + " bytes; it must be 1..256"));
    }
    if (e.data.size() > kMaxDataBytes) {
      return done(Status::InvalidArgument("Data of record " + std::to_string(i) + " is " +
                                          std::to_string(e.data.size()) + " bytes; the limit is 1048576"));
    }
    total += e.data.size() + e.partition_key.size();
    if (e.explicit_hash_key) {
      auto key = ParseHashKey(*e.explicit_hash_key, "ExplicitHashKey");
      if (!key.ok()) return done(key.TakeStatus());
      keys[i] = *key;
    } else {
      keys[i] = HashPartitionKey(e.partition_key);
    }
  }
  if (total > kMaxRequestBytes) {
    return done(Status::InvalidArgument("Records total " + std::to_string(total) +
                                        " bytes; the limit for one request is 5242880"));
  }
  auto found = Find(stream_name);
  if (!found.ok()) return done(found.TakeStatus());
  std::shared_ptr<Stream> stream = std::move(found).value();

  struct Batch {
    std::vector<PutEntry> entries;
    std::vector<std::optional<Result<PutResult>>> results;
    std::atomic<int> remaining{0};
    PutCallback done;
    void Finish() {
      std::vector<Result<PutResult>> out;
      out.reserve(results.size());
      for (auto& r : results) out.push_back(std::move(*r));
      done(std::move(out));
    }
  };
  auto batch = std::make_shared<Batch>();
  batch->results.resize(entries.size());
  batch->done = std::move(done);

  std::shared_lock lock(stream->mu);
  if (stream->deleted) {
    lock.unlock();
    return batch->done(StreamNotFound(stream->meta.name));
  }
  // Group entries by shard, keeping each shard's entries in request order.
  std::map<std::shared_ptr<Shard>, std::vector<size_t>> groups;
  int64_t now_micros = clock_->MonotonicMicros();
  for (size_t i = 0; i < entries.size(); ++i) {
    auto shard = stream->Route(keys[i]);
    if (!shard) {
      batch->results[i] = Status::Internal("no open shard covers the hash key");
      continue;
    }
    if (options_.shard_write_limits &&
        !shard->limiter.TryAcquire(now_micros, entries[i].data.size() + entries[i].partition_key.size())) {
      batch->results[i] = Status::Throttled("Rate exceeded for shard " + shard->id + " in stream " +
                                            stream->meta.name + " under account " + kAccount + ".");
      continue;
    }
    groups[shard].push_back(i);
  }
  batch->entries = std::move(entries);
  if (groups.empty()) {
    lock.unlock();
    return batch->Finish();
  }
  batch->remaining = static_cast<int>(groups.size());
  std::shared_ptr<logs::Log> lead;  // committed here, after the stream's lock is released
  for (auto& [shard, indices] : groups) {
    std::vector<logs::LogEntry> log_entries;
    log_entries.reserve(indices.size());
    for (size_t i : indices) log_entries.push_back({batch->entries[i].partition_key, batch->entries[i].data});
    uint64_t shard_index = shard->meta.index;
    std::string shard_id = shard->id;
    auto acked = [batch, indices = std::move(indices), shard_index, shard_id](Status status, uint64_t first,
                                                                               int64_t) {
      for (size_t k = 0; k < indices.size(); ++k) {
        if (status.ok()) {
          batch->results[indices[k]] = PutResult{shard_id, FormatSequenceNumber(shard_index, first + k)};
        } else {
          batch->results[indices[k]] = status;
        }
      }
      if (--batch->remaining == 0) batch->Finish();
    };
    // The other shards go to their commit threads and sync in parallel with
    // the one the caller leads.
    if (caller_waits && shard == groups.rbegin()->first) {
      if (shard->log->AppendLeading(log_entries, std::move(acked))) lead = shard->log;
    } else {
      shard->log->Append(log_entries, std::move(acked));
    }
  }
  lock.unlock();
  if (lead) lead->Lead();
}

Result<std::string> StreamEngine::Impl::GetShardIterator(const IteratorRequest& request) {
  ASSIGN_OR_RETURN(auto stream, Find(request.stream_name));
  std::shared_lock lock(stream->mu);
  if (stream->deleted) return StreamNotFound(stream->meta.name);
  auto shard = stream->FindShard(request.shard_id);
  if (!shard) return ShardNotFound(request.shard_id, stream->meta.name);
  IteratorToken token;
  token.stream_name = stream->meta.name;
  token.stream_uid = stream->meta.uid;
  token.shard_index = shard->meta.index;
  token.expires_millis = clock_->NowMillis() + kIteratorLifetimeMs;
  switch (request.type) {
    case IteratorType::kTrimHorizon:
      token.position = shard->log->start_offset();
      break;
    case IteratorType::kLatest:
      token.position = shard->meta.closed_millis != 0 ? shard->meta.end_offset : shard->log->end_offset();
      break;
    case IteratorType::kAtSequenceNumber:
    case IteratorType::kAfterSequenceNumber: {
      ASSIGN_OR_RETURN(SequenceNumber seq, ParseSequenceNumber(request.sequence_number));
      if (seq.shard_index != shard->meta.index) {
        return Status::InvalidArgument("Invalid StartingSequenceNumber. It encodes " + ShardId(seq.shard_index) +
                                       ", while it was used in a call to a shard with " + shard->id);
      }
      token.position = seq.offset + (request.type == IteratorType::kAfterSequenceNumber ? 1 : 0);
      break;
    }
    case IteratorType::kAtTimestamp:
      token.position = shard->log->SeekTimestamp(request.timestamp_millis);
      break;
  }
  return EncodeIterator(token, iterator_key_);
}

std::vector<ChildShard> StreamEngine::Impl::Children(Stream* stream, const std::string& shard_id) {
  std::vector<ChildShard> children;
  for (auto& s : stream->shards) {
    if (s->meta.parent != shard_id && s->meta.adjacent_parent != shard_id) continue;
    ChildShard child;
    child.shard_id = s->id;
    child.parent_shards.push_back(s->meta.parent);
    if (!s->meta.adjacent_parent.empty()) child.parent_shards.push_back(s->meta.adjacent_parent);
    child.hash_key_range = {FormatHashKey(s->meta.start), FormatHashKey(s->meta.end)};
    children.push_back(std::move(child));
  }
  return children;
}

Result<GetRecordsResult> StreamEngine::Impl::GetRecords(const std::string& shard_iterator, int limit) {
  if (limit < 1 || limit > 10000) {
    return Status::InvalidArgument("Limit is " + std::to_string(limit) + "; it must be 1..10000");
  }
  ASSIGN_OR_RETURN(IteratorToken token, DecodeIterator(shard_iterator, iterator_key_));
  int64_t now = clock_->NowMillis();
  if (now > token.expires_millis) {
    return Status::Expired("Iterator expired. The iterator was created at time " +
                           std::to_string(token.expires_millis - kIteratorLifetimeMs) + " while right now it is " +
                           std::to_string(now) + " which is further in the future than the tolerated delay of " +
                           std::to_string(kIteratorLifetimeMs) + " milliseconds.");
  }
  ASSIGN_OR_RETURN(auto stream, Find(token.stream_name));
  if (stream->meta.uid != token.stream_uid) return StreamNotFound(token.stream_name);
  std::shared_ptr<Shard> shard;
  bool closed = false;
  uint64_t end_offset = 0;
  int64_t cutoff = 0;
  {
    std::shared_lock lock(stream->mu);
    if (stream->deleted) return StreamNotFound(token.stream_name);
    shard = stream->FindShard(token.shard_index);
    if (!shard) return ShardNotFound(ShardId(token.shard_index), token.stream_name);
    closed = shard->meta.closed_millis != 0;
    end_offset = shard->meta.end_offset;
    cutoff = now - int64_t{stream->meta.retention_hours} * 3'600'000;
  }
  GetRecordsResult result;
  uint64_t position = token.position;
  // Records past retention may still sit in a segment that is not yet deleted.
  position = std::max(position, shard->log->start_offset());
  ASSIGN_OR_RETURN(auto records, shard->log->Read(position, static_cast<size_t>(limit), kMaxGetRecordsBytes));
  if (!records.empty() && records.front().timestamp < cutoff) {
    position = std::max(position, shard->log->SeekTimestamp(cutoff));
    ASSIGN_OR_RETURN(records, shard->log->Read(position, static_cast<size_t>(limit), kMaxGetRecordsBytes));
  }
  for (auto& r : records) {
    result.records.push_back({FormatSequenceNumber(token.shard_index, r.offset), std::move(r.key),
                              std::move(r.value), r.timestamp});
  }
  if (!records.empty()) position = records.back().offset + 1;
  uint64_t durable_end = shard->log->end_offset();
  if (position >= durable_end || result.records.empty()) {
    result.millis_behind_latest = 0;
  } else {
    result.millis_behind_latest = std::max<int64_t>(0, now - result.records.back().arrival_millis);
  }
  // A closed shard is fully read at its end offset, or earlier when appends
  // handed offsets before the close failed to write (nothing is pending).
  bool fully_read = closed && (position >= end_offset ||
                               (records.empty() && shard->log->end_offset() == shard->log->next_offset()));
  if (fully_read) {
    std::shared_lock lock(stream->mu);
    result.child_shards = Children(stream.get(), ShardId(token.shard_index));
    return result;  // next_shard_iterator stays "": the shard is fully read
  }
  token.position = position;
  token.expires_millis = now + kIteratorLifetimeMs;
  result.next_shard_iterator = EncodeIterator(token, iterator_key_);
  return result;
}

Result<std::unique_ptr<Subscription>> StreamEngine::Impl::Subscribe(const std::string& stream_name,
                                                                   NewRecordsCallback callback) {
  ASSIGN_OR_RETURN(auto stream, Find(stream_name));
  std::lock_guard lock(stream->subscribers_mu);
  uint64_t id = stream->next_subscriber++;
  stream->subscribers[id] = std::move(callback);
  return std::unique_ptr<Subscription>(new StreamSubscription(stream, id));
}

// ---------------------------------------------------------------------------
// Retention

Status StreamEngine::Impl::EnforceRetention() {
  std::vector<std::shared_ptr<Stream>> streams;
  {
    std::shared_lock lock(meta_mu_);
    for (auto& [name, stream] : streams_) streams.push_back(stream);
  }
  int64_t now = clock_->NowMillis();
  bool forgot_shards = false;
  for (auto& stream : streams) {
    int64_t cutoff = 0;
    std::vector<std::shared_ptr<Shard>> shards;
    {
      std::shared_lock lock(stream->mu);
      cutoff = now - int64_t{stream->meta.retention_hours} * 3'600'000;
      shards = stream->shards;
    }
    for (auto& shard : shards) {
      auto deleted = shard->log->EnforceRetention(cutoff, options_.retention_bytes_per_shard);
      if (!deleted.ok()) return deleted.TakeStatus();
    }
    // A closed shard whose every record is past retention disappears, as in
    // Kinesis: its close time bounds the age of its newest record.
    std::unique_lock meta_lock(meta_mu_);
    std::unique_lock lock(stream->mu);
    if (stream->deleted) continue;
    for (auto it = stream->shards.begin(); it != stream->shards.end();) {
      const ShardMeta& m = (*it)->meta;
      if (m.closed_millis != 0 && m.closed_millis < cutoff) {
        (*it)->log->Flush();
        std::error_code ec;
        fs::remove_all(stream->dir + "/" + (*it)->id, ec);
        spdlog::info("streams: {} {} closed and past retention: removed", stream->meta.name, (*it)->id);
        it = stream->shards.erase(it);
        forgot_shards = true;
      } else {
        ++it;
      }
    }
  }
  if (forgot_shards) {
    std::unique_lock meta_lock(meta_mu_);
    return Persist();
  }
  return Status::OK();
}

void StreamEngine::Impl::RetentionLoop() {
  std::unique_lock lock(retention_mu_);
  while (!stop_) {
    retention_cv_.wait_for(lock, std::chrono::seconds(1));
    if (stop_) break;
    lock.unlock();
    Status status = EnforceRetention();
    if (!status.ok()) spdlog::error("streams: retention: {}", status.ToString());
    lock.lock();
  }
}

// ---------------------------------------------------------------------------
// Public forwarding

Result<Durability> ParseDurability(std::string_view text) {
  if (text == "fsync") return Durability::kFsync;
  if (text == "interval") return Durability::kInterval;
  if (text == "none") return Durability::kNone;
  return Status::InvalidArgument("durability is '" + std::string(text) + "'; expected fsync, interval or none");
}

StreamEngine::StreamEngine(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
StreamEngine::~StreamEngine() = default;

Result<std::unique_ptr<StreamEngine>> StreamEngine::Open(const StreamEngineOptions& options) {
  auto impl = std::make_unique<Impl>(options);
  RETURN_IF_ERROR(impl->Open());
  return std::unique_ptr<StreamEngine>(new StreamEngine(std::move(impl)));
}

std::string StreamEngine::StreamArn(std::string_view name) { return kArnPrefix + std::string(name); }

Result<std::string> StreamEngine::ResolveStreamName(std::string_view name_or_arn) {
  std::string_view name = name_or_arn;
  if (name.starts_with("arn:")) {
    // arn:aws:kinesis:<region>:<account>:stream/<name>
    size_t slash = name.find(":stream/");
    if (!name.starts_with("arn:aws:kinesis:") || slash == std::string_view::npos) {
      return Status::InvalidArgument("StreamARN '" + std::string(name_or_arn.substr(0, 300)) +
                                     "' is not a Kinesis stream ARN");
    }
    name = name.substr(slash + 8);
  }
  if (!ValidName(name)) {
    return Status::InvalidArgument("StreamName '" + std::string(name.substr(0, 200)) +
                                   "' must be 1..128 characters of [a-zA-Z0-9_.-]");
  }
  return std::string(name);
}

Status StreamEngine::CreateStream(const std::string& name, int shard_count, StreamMode mode) {
  return impl_->CreateStream(name, shard_count, mode);
}
Status StreamEngine::DeleteStream(const std::string& name) { return impl_->DeleteStream(name); }
Result<StreamDescription> StreamEngine::DescribeStream(const std::string& name) {
  return impl_->DescribeStream(name);
}
Result<std::vector<std::string>> StreamEngine::ListStreams() { return impl_->ListStreams(); }
void StreamEngine::PutRecords(const std::string& stream_name, std::vector<PutEntry> entries, PutCallback done) {
  impl_->PutRecords(stream_name, std::move(entries), std::move(done));
}
Result<std::vector<Result<PutResult>>> StreamEngine::PutRecordsAndWait(const std::string& stream_name,
                                                                       std::vector<PutEntry> entries) {
  return Await([&](PutCallback done) {
    impl_->PutRecords(stream_name, std::move(entries), std::move(done), /*caller_waits=*/true);
  });
}
Result<std::string> StreamEngine::GetShardIterator(const IteratorRequest& request) {
  return impl_->GetShardIterator(request);
}
Result<GetRecordsResult> StreamEngine::GetRecords(const std::string& shard_iterator, int limit) {
  return impl_->GetRecords(shard_iterator, limit);
}
Result<std::unique_ptr<Subscription>> StreamEngine::Subscribe(const std::string& stream_name,
                                                              NewRecordsCallback callback) {
  return impl_->Subscribe(stream_name, std::move(callback));
}
Result<std::vector<ShardInfo>> StreamEngine::ListShards(const std::string& stream, const ShardFilter& filter,
                                                        const std::string& exclusive_start_shard_id) {
  return impl_->ListShards(stream, filter, exclusive_start_shard_id);
}
Status StreamEngine::SplitShard(const std::string& stream, const std::string& shard_id,
                                const std::string& new_starting_hash_key) {
  return impl_->SplitShard(stream, shard_id, new_starting_hash_key);
}
Status StreamEngine::MergeShards(const std::string& stream, const std::string& shard_id,
                                 const std::string& adjacent_shard_id) {
  return impl_->MergeShards(stream, shard_id, adjacent_shard_id);
}
Result<UpdateShardCountResult> StreamEngine::UpdateShardCount(const std::string& stream, int target) {
  return impl_->UpdateShardCount(stream, target);
}
Status StreamEngine::IncreaseStreamRetentionPeriod(const std::string& stream, int hours) {
  return impl_->ChangeRetention(stream, hours, /*increase=*/true);
}
Status StreamEngine::DecreaseStreamRetentionPeriod(const std::string& stream, int hours) {
  return impl_->ChangeRetention(stream, hours, /*increase=*/false);
}
Status StreamEngine::AddTagsToStream(const std::string& stream, const std::map<std::string, std::string>& tags) {
  return impl_->AddTags(stream, tags);
}
Status StreamEngine::RemoveTagsFromStream(const std::string& stream, const std::vector<std::string>& keys) {
  return impl_->RemoveTags(stream, keys);
}
Result<std::map<std::string, std::string>> StreamEngine::ListTagsForStream(const std::string& stream) {
  return impl_->ListTags(stream);
}
StreamLimits StreamEngine::DescribeLimits() { return impl_->DescribeLimits(); }
Status StreamEngine::EnforceRetention() { return impl_->EnforceRetention(); }

}  // namespace stream
