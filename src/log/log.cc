#include "log/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

#include "common/coding.h"
#include "log/format.h"

namespace logs {
namespace {

namespace fs = std::filesystem;

// Small first reads keep GetRecords of a few records cheap; later ones are big.
constexpr size_t kFirstReadChunk = 64 << 10;
constexpr size_t kReadChunk = 1 << 20;

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

std::string SegmentName(uint64_t base_offset) {
  char name[32];
  std::snprintf(name, sizeof(name), "%020llu.log", static_cast<unsigned long long>(base_offset));
  return name;
}

Status SyncDir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoStatus("open directory", dir);
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return ErrnoStatus("fsync directory", dir);
  return Status::OK();
}

// Opens a segment file without access-time updates where we may (we own
// the file): every read after a write would otherwise dirty the inode, and
// on ext4 without a journal the next fdatasync then writes it too (+0.3
// device writes per fsync with consumers reading the tail).
int OpenSegment(const std::string& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_NOATIME | O_CLOEXEC, 0644);
  if (fd < 0 && errno == EPERM) fd = ::open(path.c_str(), flags | O_CLOEXEC, 0644);
  return fd;
}

Status PwriteAll(int fd, const char* data, size_t n, uint64_t position, const std::string& path) {
  while (n > 0) {
    ssize_t written = ::pwrite(fd, data, n, static_cast<off_t>(position));
    if (written < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("write", path);
    }
    data += written;
    n -= static_cast<size_t>(written);
    position += static_cast<uint64_t>(written);
  }
  return Status::OK();
}

// Writes `n` zero bytes at `position`; false on any error.
bool WriteZeros(int fd, uint64_t position, uint64_t n) {
  static const char kZeros[64 << 10] = {};
  while (n > 0) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(n, sizeof(kZeros)));
    if (!PwriteAll(fd, kZeros, chunk, position, "").ok()) return false;
    position += chunk;
    n -= chunk;
  }
  return true;
}

Status PreadAll(int fd, char* data, size_t n, uint64_t position, const std::string& path) {
  while (n > 0) {
    ssize_t got = ::pread(fd, data, n, static_cast<off_t>(position));
    if (got < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus("read", path);
    }
    if (got == 0) return Status::Corruption(path + ": file shorter than its recorded size");
    data += got;
    n -= static_cast<size_t>(got);
    position += static_cast<uint64_t>(got);
  }
  return Status::OK();
}

}  // namespace

struct Log::Segment {
  uint64_t base_offset = 0;
  std::string path;
  int fd = -1;
  // All guarded by Log::mu_; they describe only durable, visible frames.
  uint64_t size = 0;
  uint64_t end_offset = 0;  // one past the last record; base_offset if empty
  uint64_t records = 0;
  int64_t first_timestamp = 0;
  int64_t last_timestamp = 0;
  std::vector<IndexEntry> index;  // sparse, sorted by offset and by timestamp
  uint64_t last_indexed_position = 0;
  uint64_t allocated = 0;  // the file's size: `size` plus zeroed space; committing thread only

  ~Segment() {
    if (fd >= 0) ::close(fd);
  }

  void AddFrame(uint64_t offset, int64_t timestamp, uint64_t position, uint32_t interval) {
    if (records == 0) first_timestamp = timestamp;
    if (index.empty() || position - last_indexed_position >= interval) {
      index.push_back({offset, timestamp, position});
      last_indexed_position = position;
    }
    ++records;
    end_offset = offset + 1;
    last_timestamp = timestamp;
  }
};

// A shard's appends are mostly single orders (POST /api/orders): gathering
// pays from 1.5 appends per wait (1,500/s with 1 ms; the orders stream's two
// shards get that from ~2,500 orders/s). At 1,000 orders/s none wait.
constexpr double kMinAppendsToGather = 1.5;

Log::Log(const LogOptions& options)
    : options_(options),
      commit_thread_(options.committer->AssignThread()),
      gathering_(std::chrono::microseconds(options.committer->gather_micros()), kMinAppendsToGather) {}

Log::~Log() {
  // A clean close leaves the active segment without its preallocated space.
  if (!segments_.empty()) {
    const Segment& active = *segments_.back();
    if (active.allocated > active.size) (void)::ftruncate(active.fd, static_cast<off_t>(active.size));
  }
}

void Log::Preallocate(Segment& segment, uint64_t needed, SyncMode mode) {
  if (options_.preallocate_bytes <= 0 || needed <= segment.allocated) return;
  // Not past the point where the segment is sealed.
  uint64_t target = std::max(needed, std::min(needed + static_cast<uint64_t>(options_.preallocate_bytes),
                                              static_cast<uint64_t>(options_.segment_bytes)));
  uint64_t length = target - segment.allocated;
  // When every commit fsyncs, zeros are written and synced once, not
  // fallocated: ext4 marks fallocated blocks unwritten, and the first write
  // into each block converts it, so most group-commit fdatasyncs also wrote
  // the inode and extent blocks (3.1 device writes each instead of 2, at
  // 1,000 orders/s). Other modes acknowledge before any fsync, and a sync
  // here would put one on that path. Where the filesystem cannot (or the
  // disk is nearly full), the write below grows the file as before.
  bool done = mode == SyncMode::kFsync
                  ? WriteZeros(segment.fd, segment.allocated, length) && ::fdatasync(segment.fd) == 0
                  : ::fallocate(segment.fd, 0, static_cast<off_t>(segment.allocated), static_cast<off_t>(length)) == 0;
  if (done) segment.allocated = target;
}

Result<std::shared_ptr<Log>> Log::Open(const LogOptions& options) {
  std::shared_ptr<Log> log(new Log(options));
  RETURN_IF_ERROR(log->Recover());
  return log;
}

Status Log::Recover() {
  std::error_code ec;
  bool created = fs::create_directories(options_.dir, ec);
  if (ec) return Status::IOError("create " + options_.dir + ": " + ec.message());
  if (created) RETURN_IF_ERROR(SyncDir(fs::path(options_.dir).parent_path().string()));

  std::vector<uint64_t> bases;
  for (const auto& item : fs::directory_iterator(options_.dir, ec)) {
    std::string name = item.path().filename().string();
    if (name.size() != 24 || !name.ends_with(".log")) continue;
    bases.push_back(std::stoull(name.substr(0, 20)));
  }
  if (ec) return Status::IOError("list " + options_.dir + ": " + ec.message());
  std::sort(bases.begin(), bases.end());

  uint64_t min_offset = 0;
  for (size_t i = 0; i < bases.size(); ++i) {
    bool last = i + 1 == bases.size();
    auto segment = std::make_shared<Segment>();
    segment->base_offset = bases[i];
    segment->end_offset = bases[i];
    segment->path = options_.dir + "/" + SegmentName(bases[i]);
    segment->fd = OpenSegment(segment->path, last ? O_RDWR : O_RDONLY);
    if (segment->fd < 0) return ErrnoStatus("open", segment->path);
    struct stat st {};
    if (::fstat(segment->fd, &st) != 0) return ErrnoStatus("stat", segment->path);
    std::string image(static_cast<size_t>(st.st_size), '\0');
    RETURN_IF_ERROR(PreadAll(segment->fd, image.data(), image.size(), 0, segment->path));
    Segment* seg = segment.get();
    uint32_t interval = options_.index_interval_bytes;
    ScanResult scan = ScanSegment(image, std::max(min_offset, bases[i]), [&](const FrameView& f) {
      seg->AddFrame(f.offset, f.timestamp, f.position, interval);
    });
    // Zeros after the last record are preallocated space (or a write that
    // never reached the disk, so never acknowledged): free, not damage.
    bool zeroed_tail = last && image.find_first_not_of('\0', scan.valid_bytes) == std::string::npos;
    if (!scan.clean && !zeroed_tail) {
      if (!last) {
        return Status::Corruption(segment->path + ": " + scan.problem +
                                  " in a sealed segment; refusing to drop acknowledged records");
      }
      uint64_t dropped = image.size() - scan.valid_bytes;
      spdlog::warn("log recovery: {}: {}; truncating {} bytes after {} valid records",
                   segment->path, scan.problem, dropped, scan.records);
      if (::ftruncate(segment->fd, static_cast<off_t>(scan.valid_bytes)) != 0 ||
          ::fdatasync(segment->fd) != 0) {
        return ErrnoStatus("truncate", segment->path);
      }
      recovery_.truncated_bytes = dropped;
      recovery_.problem = segment->path + ": " + scan.problem;
    }
    segment->size = scan.valid_bytes;
    segment->allocated = zeroed_tail ? image.size() : scan.valid_bytes;
    recovery_.records += scan.records;
    min_offset = segment->end_offset;
    segments_.push_back(std::move(segment));
  }
  recovery_.segments = static_cast<int>(segments_.size());
  if (segments_.empty()) RETURN_IF_ERROR(RollSegment(0));
  for (const auto& segment : segments_) {
    if (segment->records > 0) last_timestamp_ = segment->last_timestamp;
  }
  end_offset_ = next_offset_ = segments_.back()->end_offset;
  last_assigned_timestamp_ = last_timestamp_;
  return Status::OK();
}

Status Log::RollSegment(uint64_t base_offset) {
  std::shared_ptr<Segment> previous;
  uint64_t previous_size = 0;
  {
    std::lock_guard lock(mu_);
    if (!segments_.empty()) {
      previous = segments_.back();
      previous_size = previous->size;
    }
  }
  // The sealed segment must be complete on disk, without preallocated space
  // (recovery reads a sealed segment to its end), before a newer one exists,
  // or recovery could see damage in a sealed segment after a power loss. In
  // every mode: it costs one fsync per segment.
  if (previous && previous->allocated > previous_size) {
    if (::ftruncate(previous->fd, static_cast<off_t>(previous_size)) != 0) {
      return ErrnoStatus("truncate", previous->path);
    }
    previous->allocated = previous_size;
  }
  if (previous && ::fdatasync(previous->fd) != 0) {
    return ErrnoStatus("fdatasync", previous->path);
  }
  auto segment = std::make_shared<Segment>();
  segment->base_offset = base_offset;
  segment->end_offset = base_offset;
  segment->path = options_.dir + "/" + SegmentName(base_offset);
  segment->fd = OpenSegment(segment->path, O_RDWR | O_CREAT | O_TRUNC);
  if (segment->fd < 0) return ErrnoStatus("create", segment->path);
  RETURN_IF_ERROR(SyncDir(options_.dir));
  std::lock_guard lock(mu_);
  segments_.push_back(std::move(segment));
  return Status::OK();
}

void Log::SetCommitListener(std::function<void()> listener) { listener_ = std::move(listener); }

bool Log::QueueLocked(const std::vector<LogEntry>& entries, AppendCallback done) {
  // Arrival times never go backwards within a log, so seeking by time can
  // rely on the order of the frames.
  int64_t timestamp = std::max(options_.clock->NowMillis(), last_assigned_timestamp_);
  last_assigned_timestamp_ = timestamp;
  uint64_t first = next_offset_;
  for (const LogEntry& entry : entries) {
    pending_index_.push_back({next_offset_, timestamp, pending_frames_.size()});
    AppendFrame(&pending_frames_, next_offset_, timestamp, entry.key, entry.value);
    ++next_offset_;
  }
  pending_.push_back({std::move(done), first, timestamp});
  gathering_.Arrived(static_cast<int64_t>(entries.size()));
  bool idle = !scheduled_;
  scheduled_ = true;
  return idle;
}

void Log::Append(const std::vector<LogEntry>& entries, AppendCallback done) {
  bool schedule = false;
  {
    std::lock_guard lock(mu_);
    schedule = QueueLocked(entries, std::move(done));
  }
  if (schedule) options_.committer->Schedule(shared_from_this());
}

bool Log::AppendLeading(const std::vector<LogEntry>& entries, AppendCallback done) {
  // Without fsync the commit thread's wake-up is not on the caller's path,
  // and interval mode's syncs follow the logs that thread committed.
  bool lead = options_.committer->mode() == SyncMode::kFsync;
  bool idle = false;
  {
    std::lock_guard lock(mu_);
    idle = QueueLocked(entries, std::move(done));
  }
  if (idle && !lead) options_.committer->Schedule(shared_from_this());
  return idle && lead;
}

void Log::Lead() {
  if (CommitPending(options_.committer->mode())) options_.committer->Schedule(shared_from_this());
}

bool Log::CommitPending(SyncMode mode) {
  std::string frames;
  std::vector<IndexEntry> index;
  std::vector<Pending> pending;
  std::shared_ptr<Segment> active;
  bool roll = false;
  {
    std::unique_lock lock(mu_);
    // Under load, more appends share the fdatasync.
    if (mode == SyncMode::kFsync) gathering_.Gather(lock);
    frames.swap(pending_frames_);
    index.swap(pending_index_);
    pending.swap(pending_);
    active = segments_.back();
    if (!index.empty() && active->records > 0) {
      roll = active->size + frames.size() > static_cast<uint64_t>(options_.segment_bytes) ||
             index.front().timestamp - active->first_timestamp > options_.segment_max_age_ms;
    }
  }
  Status status;
  if (!index.empty()) {
    if (roll) {
      status = RollSegment(index.front().offset);
      if (status.ok()) {
        std::lock_guard lock(mu_);
        active = segments_.back();
      }
    }
    uint64_t old_size = 0;
    {
      std::lock_guard lock(mu_);
      old_size = active->size;
    }
    if (status.ok()) Preallocate(*active, old_size + frames.size(), mode);
    if (status.ok()) status = PwriteAll(active->fd, frames.data(), frames.size(), old_size, active->path);
    if (status.ok() && mode == SyncMode::kFsync && ::fdatasync(active->fd) != 0) {
      status = ErrnoStatus("fdatasync", active->path);
    }
    if (!status.ok()) {
      // Keep the file equal to what readers and recovery consider valid.
      if (::ftruncate(active->fd, static_cast<off_t>(old_size)) != 0) {
        spdlog::error("log: {}: cannot truncate after a failed write", active->path);
      }
      active->allocated = old_size;
      spdlog::error("log: append failed: {}", status.ToString());
    } else {
      std::lock_guard lock(mu_);
      for (const IndexEntry& e : index) {
        active->AddFrame(e.offset, e.timestamp, old_size + e.position, options_.index_interval_bytes);
      }
      active->size = old_size + frames.size();
      active->allocated = std::max(active->allocated, active->size);
      end_offset_ = active->end_offset;
      last_timestamp_ = active->last_timestamp;
      if (mode == SyncMode::kInterval) dirty_ = true;
    }
  }
  // Listeners first: by the time an appender sees its ack, subscribers have
  // been told, so "put, then expect a wake-up" holds without waiting.
  if (status.ok() && !index.empty() && listener_) listener_();
  for (Pending& p : pending) p.done(status, p.first_offset, p.timestamp);
  std::lock_guard lock(mu_);
  bool more = !pending_.empty();
  if (!more) {
    scheduled_ = false;
    flushed_cv_.notify_all();
  }
  return more;
}

void Log::SyncIfDirty() {
  std::shared_ptr<Segment> active;
  {
    std::lock_guard lock(mu_);
    if (!dirty_) return;
    dirty_ = false;
    active = segments_.back();
  }
  if (::fdatasync(active->fd) != 0) spdlog::error("log: fdatasync {} failed", active->path);
}

void Log::Flush() {
  std::unique_lock lock(mu_);
  flushed_cv_.wait(lock, [this] { return !scheduled_; });
}

std::shared_ptr<Log::Segment> Log::FindSegment(uint64_t offset) {
  auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                             [](uint64_t o, const std::shared_ptr<Segment>& s) { return o < s->end_offset; });
  return it == segments_.end() ? nullptr : *it;
}

Result<std::vector<LogRecord>> Log::Read(uint64_t from, size_t max_records, size_t max_bytes) {
  std::vector<LogRecord> records;
  size_t bytes = 0;
  uint64_t cursor = from;
  while (records.size() < max_records && (records.empty() || bytes < max_bytes)) {
    std::shared_ptr<Segment> segment;
    uint64_t position = 0, limit = 0, segment_end = 0;
    {
      std::lock_guard lock(mu_);
      if (cursor >= end_offset_) break;
      segment = FindSegment(cursor);
      if (!segment) break;
      // Size and end offset from the same instant: the commit thread may
      // append (and roll) while we read, and skipping to a newer end would
      // skip the frames written after `limit`.
      limit = segment->size;
      segment_end = segment->end_offset;
      auto it = std::upper_bound(segment->index.begin(), segment->index.end(), cursor,
                                 [](uint64_t o, const IndexEntry& e) { return o < e.offset; });
      if (it != segment->index.begin()) position = std::prev(it)->position;
    }
    std::string buffer;
    uint64_t buffer_start = position;
    bool segment_done = false;
    while (!segment_done && records.size() < max_records && (records.empty() || bytes < max_bytes)) {
      if (position >= limit) {
        segment_done = true;
        break;
      }
      std::string_view view(buffer);
      view.remove_prefix(position - buffer_start);
      FrameView frame;
      DecodeOutcome outcome = DecodeFrame(view, &frame);
      if (outcome == DecodeOutcome::kTruncated) {
        size_t want = std::min<uint64_t>(limit - position, buffer.empty() ? kFirstReadChunk : kReadChunk);
        if (view.size() >= kFrameHeaderSize) {
          uint64_t frame_size = kFrameHeaderSize + common::DecodeFixed32(view.data() + 4);
          if (frame_size > limit - position) {
            return Status::Corruption(segment->path + ": frame at byte " + std::to_string(position) +
                                      " runs past the durable end");
          }
          want = std::max<size_t>(want, frame_size);
        }
        if (want <= view.size()) {
          return Status::Corruption(segment->path + ": frame at byte " + std::to_string(position) +
                                    " runs past the durable end");
        }
        buffer.resize(want);
        RETURN_IF_ERROR(PreadAll(segment->fd, buffer.data(), want, position, segment->path));
        buffer_start = position;
        continue;
      }
      if (outcome == DecodeOutcome::kCorrupt) {
        return Status::Corruption(segment->path + ": corrupt frame at byte " + std::to_string(position));
      }
      position += frame.size;
      if (frame.offset < cursor) continue;
      records.push_back({frame.offset, frame.timestamp, std::string(frame.key), std::string(frame.value)});
      bytes += frame.size;
      cursor = frame.offset + 1;
    }
    if (segment_done) cursor = std::max(cursor, segment_end);
  }
  return records;
}

uint64_t Log::SeekTimestamp(int64_t t) {
  uint64_t from = 0;
  {
    std::lock_guard lock(mu_);
    auto it = std::find_if(segments_.begin(), segments_.end(), [t](const std::shared_ptr<Segment>& s) {
      return s->records > 0 && s->last_timestamp >= t;
    });
    if (it == segments_.end()) return end_offset_;
    const auto& index = (*it)->index;
    auto entry = std::lower_bound(index.begin(), index.end(), t,
                                  [](const IndexEntry& e, int64_t v) { return e.timestamp < v; });
    from = entry == index.begin() ? (*it)->base_offset : std::prev(entry)->offset;
  }
  // Scan forward from the index entry to the first record at or after t.
  while (true) {
    auto batch = Read(from, 256, 1 << 20);
    if (!batch.ok() || batch->empty()) return end_offset();
    for (const LogRecord& r : *batch) {
      if (r.timestamp >= t) return r.offset;
    }
    from = batch->back().offset + 1;
  }
}

uint64_t Log::start_offset() {
  std::lock_guard lock(mu_);
  for (const auto& s : segments_) {
    if (s->records > 0) return s->index.front().offset;
  }
  return end_offset_;
}

uint64_t Log::end_offset() {
  std::lock_guard lock(mu_);
  return end_offset_;
}

uint64_t Log::next_offset() {
  std::lock_guard lock(mu_);
  return next_offset_;
}

int64_t Log::last_timestamp() {
  std::lock_guard lock(mu_);
  return last_timestamp_;
}

int64_t Log::size_bytes() {
  std::lock_guard lock(mu_);
  int64_t total = 0;
  for (const auto& s : segments_) total += static_cast<int64_t>(s->size);
  return total;
}

Result<int> Log::EnforceRetention(int64_t min_timestamp, int64_t max_bytes) {
  std::vector<std::shared_ptr<Segment>> doomed;
  {
    std::lock_guard lock(mu_);
    int64_t total = 0;
    for (const auto& s : segments_) total += static_cast<int64_t>(s->size);
    size_t n = 0;
    while (n + 1 < segments_.size()) {
      const Segment& s = *segments_[n];
      bool expired = s.records == 0 || s.last_timestamp < min_timestamp;
      bool oversize = max_bytes > 0 && total > max_bytes;
      if (!expired && !oversize) break;
      total -= static_cast<int64_t>(s.size);
      ++n;
    }
    doomed.assign(segments_.begin(), segments_.begin() + static_cast<long>(n));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<long>(n));
  }
  for (const auto& s : doomed) {
    if (::unlink(s->path.c_str()) != 0 && errno != ENOENT) return ErrnoStatus("delete", s->path);
    spdlog::info("log retention: deleted {} ({} records)", s->path, s->records);
  }
  return static_cast<int>(doomed.size());
}

}  // namespace logs
