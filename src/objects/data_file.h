// Writing and reading the data files that hold object and part bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"
#include "objects/digest.h"
#include "objects/object_client.h"

namespace objects {

// A new data file being written. It is removed again when destroyed unless
// Keep() was called, so every error path cleans up by just returning.
class DataFile {
 public:
  // Creates `path` (which must not exist). `checksum_algorithm` ("CRC32",
  // ...) is also computed when we know it; `limit` caps the size.
  static common::Result<std::unique_ptr<DataFile>> Create(std::string path, uint64_t limit,
                                                           std::string_view checksum_algorithm);
  ~DataFile();

  common::Status Append(std::string_view chunk);
  // Appends `length` bytes of `src_fd` from `offset` in the kernel, without
  // hashing: multipart completion, whose ETag comes from the parts.
  common::Status AppendFrom(int src_fd, uint64_t offset, uint64_t length);
  // Fsyncs and closes. Afterwards md5() and checksum() hold the raw digests.
  common::Status Finish();
  void Keep() { keep_ = true; }

  const std::string& path() const { return path_; }
  uint64_t size() const { return size_; }
  const std::string& md5() const { return md5_; }
  // Empty when no checksum was asked for or we cannot compute it.
  const std::string& checksum() const { return checksum_; }

 private:
  DataFile(std::string path, int fd, uint64_t limit, std::unique_ptr<Digest> checksum);

  std::string path_;
  int fd_;
  uint64_t limit_;
  uint64_t size_ = 0;
  static constexpr uint64_t kWritebackBytes = 4 << 20;
  uint64_t written_back_ = 0;  // bytes whose write-back Append has started
  Digest md5_digest_{Digest::Kind::kMd5};
  std::unique_ptr<Digest> checksum_digest_;
  std::string md5_, checksum_;
  bool keep_ = false;
};

// Reads [offset, offset + length) of a data file through an fd opened while
// the index lock was held, so a concurrent replace cannot pull it away.
class FileReader final : public ObjectReader {
 public:
  FileReader(int fd, std::string path, uint64_t offset, uint64_t length)
      : fd_(fd), path_(std::move(path)), offset_(offset), next_(offset), end_(offset + length) {}
  ~FileReader() override;
  common::Result<std::string> Read(size_t max_bytes) override;
  const std::string& local_path() const override { return path_; }
  uint64_t local_offset() const override { return offset_; }
  int fd() const { return fd_; }

 private:
  int fd_;
  std::string path_;
  uint64_t offset_, next_, end_;
};

// Applies GET/HEAD conditions. ConditionFailed "PreconditionFailed: ..." or
// "NotModified: ..."; OK when the object should be returned.
common::Status CheckConditions(const ObjectInfo& info, const Conditions& conditions);

// Resolves `range` against `size` into [first, first + length).
// InvalidArgument "InvalidRange: ..." when it cannot be satisfied.
common::Status ResolveRange(const ByteRange& range, uint64_t size, uint64_t* first, uint64_t* length);

}  // namespace objects
