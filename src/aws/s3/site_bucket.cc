#include "aws/s3/site_bucket.h"

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "common/logging.h"

namespace aws::s3 {
namespace {

constexpr size_t kChunk = 1 << 20;

// "/index.html" -> "index.html": keys have no leading slash, as `aws s3 sync` makes them.
std::string KeyOf(const std::string& path) { return path.starts_with('/') ? path.substr(1) : path; }

// Reads a site file in chunks on the calling thread (the I/O thread): site
// files are small, and the common ones are served from the gateway's cache.
class ReaderBody final : public gateway::BodySource {
 public:
  explicit ReaderBody(std::unique_ptr<objects::ObjectReader> reader) : reader_(std::move(reader)) {}
  Pull Read(size_t max, std::string* out) override {
    auto chunk = reader_->Read(std::min(max, kChunk));
    if (!chunk.ok() || chunk->empty()) return Pull::kEnd;  // short: the gateway cuts the connection
    out->append(*chunk);
    return Pull::kData;
  }
  void SetWaker(std::function<void()>) override {}
  void Cancel() override {}

 private:
  std::unique_ptr<objects::ObjectReader> reader_;
};

}  // namespace

std::optional<gateway::StaticStore::Info> BucketStaticStore::Stat(const std::string& path) {
  std::string key = KeyOf(path);
  if (key.empty()) return std::nullopt;
  auto info = store_->HeadObject(bucket_, key, {});
  if (!info.ok()) return std::nullopt;
  return Info{info->size, info->etag};
}

std::optional<std::string> BucketStaticStore::Read(const std::string& path) {
  auto bytes = store_->GetObjectBytes(bucket_, KeyOf(path));
  if (!bytes.ok()) return std::nullopt;
  return std::move(bytes).value();
}

std::shared_ptr<gateway::BodySource> BucketStaticStore::Open(const std::string& path) {
  auto got = store_->GetObject(bucket_, KeyOf(path), {});
  if (!got.ok()) return nullptr;
  return std::make_shared<ReaderBody>(std::move(got->reader));
}

common::Result<int> SeedSiteBucket(objects::ObjectClient* store, const std::string& bucket, const std::string& dir) {
  if (auto created = store->CreateBucket(bucket);
      !created.ok() && created.code() != common::Status::Code::kAlreadyExists) {
    return created;
  }
  objects::ListObjectsRequest list;
  list.bucket = bucket;
  list.max_keys = 1;
  ASSIGN_OR_RETURN(auto existing, store->ListObjects(list));
  if (!existing.objects.empty()) return 0;  // deployed before (or by `aws s3 sync`): keep it
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  int uploaded = 0;
  for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    std::string key = fs::relative(it->path(), dir, ec).generic_string();
    if (ec) break;
    objects::PutOptions options;
    options.metadata.content_type = std::string(gateway::StaticFiles::ContentType(key));
    ASSIGN_OR_RETURN(auto writer, store->NewObjectWriter(bucket, key, options));
    std::ifstream in(it->path(), std::ios::binary);
    std::string buf(kChunk, '\0');
    while (in) {
      in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (in.gcount() > 0) RETURN_IF_ERROR(writer->Append(std::string_view(buf.data(), static_cast<size_t>(in.gcount()))));
    }
    if (in.bad()) return common::Status::IOError("cannot read " + it->path().string());
    RETURN_IF_ERROR(writer->Commit().status());
    ++uploaded;
  }
  if (ec) return common::Status::IOError("cannot walk " + dir + ": " + ec.message());
  return uploaded;
}

}  // namespace aws::s3
