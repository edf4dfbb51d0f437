#include "stream/metadata.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace stream {
namespace {

using nlohmann::json;

common::Status Errno(const std::string& what, const std::string& path) {
  return common::Status::IOError(what + " " + path + ": " + std::strerror(errno));
}

}  // namespace

std::string ShardId(uint64_t index) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "shardId-%012llu", static_cast<unsigned long long>(index));
  return buf;
}

std::string EncodeMetadata(const EngineMeta& meta) {
  json streams = json::array();
  for (const StreamMeta& s : meta.streams) {
    json shards = json::array();
    for (const ShardMeta& sh : s.shards) {
      shards.push_back({{"index", sh.index},
                        {"parent", sh.parent},
                        {"adjacent_parent", sh.adjacent_parent},
                        {"start", FormatHashKey(sh.start)},
                        {"end", FormatHashKey(sh.end)},
                        {"created_millis", sh.created_millis},
                        {"closed_millis", sh.closed_millis},
                        {"end_offset", sh.end_offset}});
    }
    streams.push_back({{"name", s.name},
                       {"uid", s.uid},
                       {"creation_millis", s.creation_millis},
                       {"mode", s.mode == StreamMode::kOnDemand ? "ON_DEMAND" : "PROVISIONED"},
                       {"retention_hours", s.retention_hours},
                       {"next_shard_index", s.next_shard_index},
                       {"tags", s.tags},
                       {"shards", shards}});
  }
  json root = {{"version", 1}, {"next_uid", meta.next_uid}, {"streams", streams}};
  return root.dump(1) + "\n";
}

common::Result<EngineMeta> DecodeMetadata(const std::string& text) {
  json root = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (root.is_discarded() || !root.is_object()) {
    return common::Status::Corruption("stream metadata is not valid JSON");
  }
  // nlohmann reports type mismatches by exception; keep them inside.
  try {
    if (root.at("version").get<int>() != 1) return common::Status::Corruption("unknown metadata version");
    EngineMeta meta;
    meta.next_uid = root.at("next_uid").get<uint64_t>();
    for (const json& s : root.at("streams")) {
      StreamMeta sm;
      sm.name = s.at("name").get<std::string>();
      sm.uid = s.at("uid").get<uint64_t>();
      sm.creation_millis = s.at("creation_millis").get<int64_t>();
      sm.mode = s.at("mode").get<std::string>() == "ON_DEMAND" ? StreamMode::kOnDemand : StreamMode::kProvisioned;
      sm.retention_hours = s.at("retention_hours").get<int>();
      sm.next_shard_index = s.at("next_shard_index").get<uint64_t>();
      sm.tags = s.at("tags").get<std::map<std::string, std::string>>();
      for (const json& sh : s.at("shards")) {
        ShardMeta m;
        m.index = sh.at("index").get<uint64_t>();
        m.parent = sh.at("parent").get<std::string>();
        m.adjacent_parent = sh.at("adjacent_parent").get<std::string>();
        auto start = ParseHashKey(sh.at("start").get<std::string>());
        auto end = ParseHashKey(sh.at("end").get<std::string>());
        if (!start.ok() || !end.ok()) return common::Status::Corruption("bad hash key in stream metadata");
        m.start = *start;
        m.end = *end;
        m.created_millis = sh.at("created_millis").get<int64_t>();
        m.closed_millis = sh.at("closed_millis").get<int64_t>();
        m.end_offset = sh.at("end_offset").get<uint64_t>();
        sm.shards.push_back(std::move(m));
      }
      meta.streams.push_back(std::move(sm));
    }
    return meta;
  } catch (const json::exception& e) {
    return common::Status::Corruption(std::string("stream metadata: ") + e.what());
  }
}

common::Status WriteFileAtomically(const std::string& path, const std::string& contents) {
  std::string temp = path + ".tmp";
  int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("create", temp);
  size_t done = 0;
  while (done < contents.size()) {
    ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      ::close(fd);
      return Errno("write", temp);
    }
    done += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0) {
    ::close(fd);
    return Errno("fsync", temp);
  }
  ::close(fd);
  if (::rename(temp.c_str(), path.c_str()) != 0) return Errno("rename", temp);
  std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Errno("open", dir);
  int rc = ::fsync(dfd);
  ::close(dfd);
  if (rc != 0) return Errno("fsync", dir);
  return common::Status::OK();
}

common::Result<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return common::Status::NotFound(path + " does not exist");
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) return common::Status::IOError("read " + path);
  return out.str();
}

}  // namespace stream
