#include "gateway/static_files.h"

#include <sys/stat.h>
#include <zlib.h>

#include <chrono>
#include <fstream>
#include <mutex>
#include <sstream>

#include <fmt/format.h>

namespace gateway {
namespace {

int64_t SteadyMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = std::move(ss).str();
  return true;
}

bool AcceptsGzip(std::string_view accept_encoding) {
  // Good enough: "gzip" listed and not refused with q=0.
  size_t pos = accept_encoding.find("gzip");
  if (pos == std::string_view::npos) return false;
  std::string_view rest = accept_encoding.substr(pos + 4);
  size_t comma = rest.find(',');
  std::string_view params = rest.substr(0, comma);
  return params.find("q=0") == std::string_view::npos || params.find("q=0.") != std::string_view::npos;
}

bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match.empty() || etag.empty()) return false;
  if (if_none_match == "*") return true;
  while (!if_none_match.empty()) {
    size_t comma = if_none_match.find(',');
    std::string_view item = if_none_match.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);  // weak comparison, as RFC 9110 asks for If-None-Match
    if (item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

StaticFiles::StaticFiles(std::string root) : root_(std::move(root)) {
  while (root_.size() > 1 && root_.back() == '/') root_.pop_back();
  struct stat st;
  enabled_ = !root_.empty() && ::stat(root_.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

std::string_view StaticFiles::ContentType(std::string_view path) {
  static constexpr std::pair<std::string_view, std::string_view> kTypes[] = {
      {".html", "text/html; charset=utf-8"},       {".htm", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},   {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},         {".json", "application/json"},
      {".map", "application/json"},                {".svg", "image/svg+xml"},
      {".png", "image/png"},                       {".jpg", "image/jpeg"},
      {".jpeg", "image/jpeg"},                     {".gif", "image/gif"},
      {".webp", "image/webp"},                     {".ico", "image/x-icon"},
      {".woff", "font/woff"},                      {".woff2", "font/woff2"},
      {".ttf", "font/ttf"},                        {".txt", "text/plain; charset=utf-8"},
      {".xml", "application/xml"},                 {".wasm", "application/wasm"},
      {".webmanifest", "application/manifest+json"}, {".pdf", "application/pdf"},
  };
  size_t slash = path.rfind('/');
  size_t dot = path.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext;
  for (char c : path.substr(dot)) ext += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (const auto& [e, type] : kTypes) {
    if (e == ext) return type;
  }
  return "application/octet-stream";
}

bool StaticFiles::Compressible(std::string_view type) {
  return type.starts_with("text/") || type.starts_with("application/json") ||
         type.starts_with("application/xml") || type.starts_with("image/svg") ||
         type.starts_with("application/manifest") || type.starts_with("application/wasm");
}

std::string StaticFiles::Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return "";
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return rc == Z_STREAM_END ? out : "";
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::LoadEntry(const std::string& relative, int64_t now) {
  std::string path = root_ + relative;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return nullptr;
  if (S_ISDIR(st.st_mode)) {
    path += relative.ends_with('/') ? "index.html" : "/index.html";
    if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return nullptr;
  } else if (!S_ISREG(st.st_mode)) {
    return nullptr;
  }
  auto entry = std::make_shared<Entry>();
  entry->path = path;
  entry->content_type = std::string(ContentType(path));
  entry->size = static_cast<uint64_t>(st.st_size);
  entry->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  entry->checked_micros = now;
  entry->etag = fmt::format("\"{:x}-{:x}\"", entry->size, entry->mtime_ns);
  if (entry->size <= kMaxCachedBytes) {
    std::string content;
    if (!ReadFile(path, &content)) return nullptr;
    entry->content = std::make_shared<const std::string>(std::move(content));
    std::string gz;
    struct stat gst;
    std::string gz_path = path + ".gz";
    if (::stat(gz_path.c_str(), &gst) == 0 && S_ISREG(gst.st_mode) && gst.st_mtim.tv_sec >= st.st_mtim.tv_sec) {
      if (!ReadFile(gz_path, &gz)) gz.clear();
    }
    AddGzip(*entry, std::move(gz));
    if (entry->gzip) entry->etag_gzip = fmt::format("\"{:x}-{:x}-gz\"", entry->size, entry->mtime_ns);
  }
  return entry;
}

// The gzip variant: a precompressed "<file>.gz" when there is one, else
// compressed here; kept only when smaller.
void StaticFiles::AddGzip(Entry& entry, std::string gz) const {
  if (!Compressible(entry.content_type) || entry.size < 256) return;
  if (gz.empty()) gz = Gzip(*entry.content);
  if (!gz.empty() && gz.size() < entry.size) entry.gzip = std::make_shared<const std::string>(std::move(gz));
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::LoadStoreEntry(const std::string& relative,
                                                                      const StaticStore::Info& info,
                                                                      const std::string& path) {
  auto entry = std::make_shared<Entry>();
  entry->path = path;
  entry->content_type = std::string(ContentType(path));
  entry->size = info.size;
  entry->version = info.version;
  entry->etag = "\"" + info.version + "\"";
  if (entry->size <= kMaxCachedBytes) {
    auto content = store_->Read(path);
    if (!content) return nullptr;
    entry->size = content->size();
    entry->content = std::make_shared<const std::string>(std::move(*content));
    std::string gz;
    if (auto gz_info = store_->Stat(path + ".gz")) {
      if (auto bytes = store_->Read(path + ".gz")) gz = std::move(*bytes);
    }
    AddGzip(*entry, std::move(gz));
    if (entry->gzip) entry->etag_gzip = "\"" + info.version + "-gz\"";
  }
  return entry;
}

std::shared_ptr<const StaticFiles::Entry> StaticFiles::Lookup(const std::string& relative) {
  int64_t now = SteadyMicros();
  std::optional<StaticStore::Info> info;
  std::string store_path = relative;
  if (store_) {
    // A store lookup is an index probe, cheap enough for every request.
    if (!relative.ends_with('/')) info = store_->Stat(relative);
    if (!info) {
      store_path = relative + (relative.ends_with('/') ? "index.html" : "/index.html");
      info = store_->Stat(store_path);
    }
  }
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(relative);
    if (it != cache_.end()) {
      if (store_ && info && it->second->version == info->version && it->second->path == store_path) return it->second;
      if (!store_ && now - it->second->checked_micros < 1'000'000) return it->second;
    }
  }
  std::shared_ptr<const Entry> fresh;
  if (!store_) {
    fresh = LoadEntry(relative, now);
  } else if (info) {
    fresh = LoadStoreEntry(relative, *info, store_path);
  }
  std::unique_lock lock(mu_);
  auto it = cache_.find(relative);
  if (it != cache_.end()) {
    cache_bytes_ -= (it->second->content ? it->second->content->size() : 0) +
                    (it->second->gzip ? it->second->gzip->size() : 0);
    cache_.erase(it);
  }
  if (fresh) {
    size_t bytes = (fresh->content ? fresh->content->size() : 0) + (fresh->gzip ? fresh->gzip->size() : 0);
    if (cache_bytes_ + bytes > kMaxCacheTotalBytes) {
      cache_.clear();
      cache_bytes_ = 0;
    }
    cache_bytes_ += bytes;
    cache_.emplace(relative, fresh);
  }
  return fresh;
}

Response StaticFiles::Build(const Entry& entry, const Request& request, std::string_view relative) const {
  bool gzip = entry.gzip && AcceptsGzip(request.Header("Accept-Encoding"));
  const std::string& etag = gzip ? entry.etag_gzip : entry.etag;
  Response r;
  r.headers.Add("ETag", etag);
  r.headers.Add("Cache-Control",
                relative.starts_with("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
  if (entry.gzip) r.headers.Add("Vary", "Accept-Encoding");
  if (EtagMatches(request.Header("If-None-Match"), etag) ||
      (!gzip && entry.gzip && EtagMatches(request.Header("If-None-Match"), entry.etag_gzip))) {
    r.status = 304;
    return r;
  }
  r.status = 200;
  r.headers.Add("Content-Type", entry.content_type);
  if (gzip) {
    r.headers.Add("Content-Encoding", "gzip");
    r.shared_body = entry.gzip;
  } else if (entry.content) {
    r.shared_body = entry.content;
  } else if (store_) {
    r.body_source = store_->Open(entry.path);
    r.body_length = entry.size;
    if (!r.body_source) return Response::Problem(404, "Not Found", "file vanished", request.request_id);
  } else {
    r.file_path = entry.path;
  }
  return r;
}

std::optional<Response> StaticFiles::Serve(const Request& request) {
  if (!enabled_) return std::nullopt;
  const std::string& path = request.path;
  if (path.empty() || path[0] != '/' || path.find('\0') != std::string::npos) return std::nullopt;
  // No way out of the root: refuse any ".." segment outright.
  for (size_t pos = 0; (pos = path.find("..", pos)) != std::string::npos; pos += 2) {
    bool starts = path[pos - 1] == '/';
    bool ends = pos + 2 == path.size() || path[pos + 2] == '/';
    if (starts && ends) return std::nullopt;
  }
  std::string relative = path == "/" ? "/index.html" : path;
  auto entry = Lookup(relative);
  if (!entry) return std::nullopt;
  return Build(*entry, request, relative);
}

std::optional<Response> StaticFiles::ServeIndex(const Request& request) {
  if (!enabled_) return std::nullopt;
  auto entry = Lookup("/index.html");
  if (!entry) return std::nullopt;
  return Build(*entry, request, "/index.html");
}

}  // namespace gateway
