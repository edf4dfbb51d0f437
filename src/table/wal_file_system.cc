#include "table/wal_file_system.h"

#include <fcntl.h>
#include <unistd.h>

#include <string>

#include <rocksdb/file_system.h>

#include "common/zero_fill.h"

namespace table {
namespace {

// Zeros are written this far past the data when the data reaches them:
// ~2 ms of the writer's time per MiB, once per MiB of log.
constexpr uint64_t kZeroFillBytes = 1 << 20;

// A WAL that zero-fills ahead of its data through a second descriptor of
// the same file. RocksDB writes a WAL from one thread at a time.
class ZeroFilledWal final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  ZeroFilledWal(std::unique_ptr<rocksdb::FSWritableFile> file, int fd)
      : FSWritableFileOwnerWrapper(std::move(file)), fd_(fd) {}
  ~ZeroFilledWal() override {
    if (fd_ >= 0) ::close(fd_);
  }

  // Called before every append; RocksDB's own version fallocates.
  void PrepareWrite(size_t offset, size_t len, const rocksdb::IOOptions&, rocksdb::IODebugContext*) override {
    uint64_t end = offset + len;
    if (end <= filled_ || failed_) return;
    // Zeros only ever go past everything appended so far, so they never
    // overwrite data. After a failure the log grows as it writes.
    uint64_t target = end + kZeroFillBytes;
    if (common::ZeroFill(fd_, filled_, target)) {
      filled_ = target;
    } else {
      failed_ = true;
    }
  }

  rocksdb::IOStatus Close(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    uint64_t size = target()->GetFileSize(options, dbg);
    rocksdb::IOStatus s = target()->Close(options, dbg);
    if (fd_ >= 0) {
      if (filled_ > size) (void)::ftruncate(fd_, static_cast<off_t>(size));
      ::close(fd_);
      fd_ = -1;
    }
    return s;
  }

 private:
  int fd_;
  uint64_t filled_ = 0;  // the file holds data or zeros up to here
  bool failed_ = false;
};

class WalPreallocatingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using rocksdb::FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "WalPreallocatingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus s = target()->NewWritableFile(name, options, file, debug);
    if (!s.ok() || !name.ends_with(".log")) return s;
    int fd = ::open(name.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return s;  // RocksDB's fallocate then
    *file = std::make_unique<ZeroFilledWal>(std::move(*file), fd);
    return s;
  }
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewWalPreallocatingEnv() {
  return rocksdb::NewCompositeEnv(std::make_shared<WalPreallocatingFileSystem>(rocksdb::FileSystem::Default()));
}

}  // namespace table
