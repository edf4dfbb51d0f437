// Static files (the built web UI) with content types, strong ETags and
// If-None-Match (304), gzip when the client accepts it (a precompressed
// "<file>.gz" beside the file, or compressed once with zlib and cached), and
// long cache lifetimes for hashed assets under /assets/.
//
// Files up to kMaxCachedBytes are kept in memory and re-checked with stat() at
// most once a second, so edits show up without a restart.
// Thread safety: Serve* may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "gateway/http.h"

namespace gateway {

// Files kept somewhere other than a local folder: the site bucket
// (aws/s3/site_bucket.h). Paths are "/index.html"-style.
// Thread safety: called from any thread.
class StaticStore {
 public:
  struct Info {
    uint64_t size = 0;
    std::string version;  // changes whenever the content does (the object's ETag)
  };
  virtual ~StaticStore() = default;
  // nullopt when there is no such file.
  virtual std::optional<Info> Stat(const std::string& path) = 0;
  // The whole content of a file up to StaticFiles::kMaxCachedBytes; nullopt
  // when it is gone.
  virtual std::optional<std::string> Read(const std::string& path) = 0;
  // A larger file in chunks; nullptr when it is gone.
  virtual std::shared_ptr<BodySource> Open(const std::string& path) = 0;
};

class StaticFiles {
 public:
  static constexpr size_t kMaxCachedBytes = 4 * 1024 * 1024;
  static constexpr size_t kMaxCacheTotalBytes = 256 * 1024 * 1024;

  // `root` may be missing; enabled() then says false.
  explicit StaticFiles(std::string root);
  // Serves from `store` instead of the folder (enabled() is then true). Every
  // request checks the file's version, so a redeploy shows at once.
  // REQUIRES: before serving.
  void SetStore(std::shared_ptr<StaticStore> store) {
    store_ = std::move(store);
    enabled_ = store_ != nullptr;
  }

  bool enabled() const { return enabled_; }
  const std::string& root() const { return root_; }

  // The file for request.path (GET/HEAD), a 304, or nullopt when there is no
  // such file (including any path with a ".." segment).
  std::optional<Response> Serve(const Request& request);
  // index.html for client-side routes (SPA fallback); nullopt when absent.
  std::optional<Response> ServeIndex(const Request& request);

  static std::string_view ContentType(std::string_view path);
  static bool Compressible(std::string_view content_type);
  // gzip (RFC 1952) of `data` at the default level; empty on failure.
  static std::string Gzip(std::string_view data);

 private:
  struct Entry {
    std::string path;  // absolute file path
    std::string content_type;
    std::string etag;       // identity variant, quoted
    std::string etag_gzip;  // gzip variant, quoted; "" when none
    std::shared_ptr<const std::string> content;  // null when too large to cache
    std::shared_ptr<const std::string> gzip;     // null when not compressible
    int64_t mtime_ns = 0;
    uint64_t size = 0;
    int64_t checked_micros = 0;
    std::string version;  // StaticStore::Info::version (store mode)
  };

  std::shared_ptr<const Entry> Lookup(const std::string& relative);
  std::shared_ptr<const Entry> LoadEntry(const std::string& relative, int64_t now);
  std::shared_ptr<const Entry> LoadStoreEntry(const std::string& relative, const StaticStore::Info& info,
                                              const std::string& path);
  void AddGzip(Entry& entry, std::string precompressed) const;
  Response Build(const Entry& entry, const Request& request, std::string_view relative) const;

  std::string root_;
  bool enabled_ = false;
  std::shared_ptr<StaticStore> store_;
  std::shared_mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<const Entry>> cache_;  // guarded by mu_
  size_t cache_bytes_ = 0;                                               // guarded by mu_
};

}  // namespace gateway
