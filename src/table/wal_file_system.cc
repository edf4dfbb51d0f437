#include "table/wal_file_system.h"

#include <string>

#include <rocksdb/file_system.h>

namespace table {
namespace {

class WalPreallocatingFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  using rocksdb::FileSystemWrapper::FileSystemWrapper;
  const char* Name() const override { return "WalPreallocatingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::FileOptions wal_options = options;
    if (name.ends_with(".log")) wal_options.fallocate_with_keep_size = false;
    return target()->NewWritableFile(name, wal_options, file, debug);
  }
};

}  // namespace

std::unique_ptr<rocksdb::Env> NewWalPreallocatingEnv() {
  return rocksdb::NewCompositeEnv(std::make_shared<WalPreallocatingFileSystem>(rocksdb::FileSystem::Default()));
}

}  // namespace table
