#include "objects/data_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>

#include "objects/files.h"

namespace objects {

using common::Result;
using common::Status;

Result<std::unique_ptr<DataFile>> DataFile::Create(std::string path, uint64_t limit,
                                                   std::string_view checksum_algorithm) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) return files::ErrnoStatus("create", path);
  return std::unique_ptr<DataFile>(
      new DataFile(std::move(path), fd, limit, Digest::ForChecksumAlgorithm(checksum_algorithm)));
}

DataFile::DataFile(std::string path, int fd, uint64_t limit, std::unique_ptr<Digest> checksum)
    : path_(std::move(path)), fd_(fd), limit_(limit), checksum_digest_(std::move(checksum)) {}

DataFile::~DataFile() {
  if (fd_ >= 0) ::close(fd_);
  if (!keep_) ::unlink(path_.c_str());
}

Status DataFile::Append(std::string_view chunk) {
  if (size_ + chunk.size() > limit_) {
    return Status::LimitExceeded("EntityTooLarge: the object is over " + std::to_string(limit_) +
                                 " bytes, the largest allowed");
  }
  md5_digest_.Update(chunk);
  if (checksum_digest_) checksum_digest_->Update(chunk);
  RETURN_IF_ERROR(files::WriteAll(fd_, chunk, path_));
  size_ += chunk.size();
  // Start writing back what has arrived while the rest is still on the wire,
  // so the fdatasync in Finish waits for the tail only (as RocksDB's
  // bytes_per_sync does). SYNC_FILE_RANGE_WRITE only queues the I/O.
  if (size_ - written_back_ >= kWritebackBytes) {
    ::sync_file_range(fd_, static_cast<off_t>(written_back_), static_cast<off_t>(size_ - written_back_),
                      SYNC_FILE_RANGE_WRITE);
    written_back_ = size_;
  }
  return Status::OK();
}

Status DataFile::AppendFrom(int src_fd, uint64_t offset, uint64_t length) {
  if (size_ + length > limit_) {
    return Status::LimitExceeded("EntityTooLarge: the object would be over " + std::to_string(limit_) + " bytes");
  }
  auto in = static_cast<off_t>(offset);
  while (length > 0) {
    ssize_t n = ::copy_file_range(src_fd, &in, fd_, nullptr, length, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return files::ErrnoStatus("copy_file_range into", path_);
    length -= static_cast<uint64_t>(n);
    size_ += static_cast<uint64_t>(n);
  }
  return Status::OK();
}

Status DataFile::Finish() {
  md5_ = md5_digest_.Finish();
  if (checksum_digest_) checksum_ = checksum_digest_->Finish();
  // fdatasync writes the bytes and the size, all a reader needs; the
  // timestamps it skips are not part of the object.
  int rc = ::fdatasync(fd_);
  Status s = rc == 0 ? Status::OK() : files::ErrnoStatus("fdatasync", path_);
  ::close(fd_);
  fd_ = -1;
  return s;
}

FileReader::~FileReader() { ::close(fd_); }

Result<std::string> FileReader::Read(size_t max_bytes) {
  size_t n = static_cast<size_t>(std::min<uint64_t>(max_bytes, end_ - next_));
  std::string out(n, '\0');
  size_t done = 0;
  while (done < n) {
    ssize_t r = ::pread(fd_, out.data() + done, n - done, static_cast<off_t>(next_ + done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return files::ErrnoStatus("read", path_);
    if (r == 0) return Status::Corruption("data file " + path_ + " is shorter than its sidecar says");
    done += static_cast<size_t>(r);
  }
  next_ += n;
  return out;
}

namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// True when `etag` is in the comma-separated list of (quoted, maybe weak)
// entity tags, or the list is "*".
bool EtagListMatches(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
    if (item == "*") return true;
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item.size() >= 2 && item.front() == '"' && item.back() == '"') item = item.substr(1, item.size() - 2);
    if (item == etag) return true;
  }
  return false;
}

}  // namespace

Status CheckConditions(const ObjectInfo& info, const Conditions& c) {
  int64_t modified_s = info.last_modified_millis / 1000;
  if (c.if_match) {
    if (!EtagListMatches(*c.if_match, info.etag)) {
      return Status::ConditionFailed("PreconditionFailed: If-Match does not match ETag \"" + info.etag + "\"");
    }
  } else if (c.if_unmodified_since_millis && modified_s > *c.if_unmodified_since_millis / 1000) {
    return Status::ConditionFailed("PreconditionFailed: the object was modified after If-Unmodified-Since");
  }
  if (c.if_none_match) {
    if (EtagListMatches(*c.if_none_match, info.etag)) {
      return Status::ConditionFailed("NotModified: If-None-Match matches ETag \"" + info.etag + "\"");
    }
  } else if (c.if_modified_since_millis && modified_s <= *c.if_modified_since_millis / 1000) {
    return Status::ConditionFailed("NotModified: the object was not modified since If-Modified-Since");
  }
  return Status::OK();
}

Status ResolveRange(const ByteRange& r, uint64_t size, uint64_t* first, uint64_t* length) {
  auto invalid = [&] {
    return Status::InvalidArgument("InvalidRange: the range is outside the object's " + std::to_string(size) + " bytes");
  };
  if (r.suffix_length) {
    if (*r.suffix_length == 0 || size == 0) return invalid();
    uint64_t n = std::min(*r.suffix_length, size);
    *first = size - n;
    *length = n;
    return Status::OK();
  }
  uint64_t start = r.first.value_or(0);
  if (start >= size) return invalid();
  uint64_t last = std::min(r.last.value_or(size - 1), size - 1);
  if (last < start) return invalid();
  *first = start;
  *length = last - start + 1;
  return Status::OK();
}

}  // namespace objects
