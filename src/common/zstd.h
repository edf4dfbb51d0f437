// zstd frames for stored data: the archiver's objects and the email outbox's
// bodies.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace common {

// One frame at `level` (1 fast .. 19 small).
Result<std::string> ZstdCompress(std::string_view data, int level);
// Any sequence of frames, also one that does not state its size. Corruption
// for data that is not zstd or is cut short.
Result<std::string> ZstdDecompress(std::string_view data);

// A raw-content dictionary: data that shares much of `content` (emails in
// one layout) compresses to a fraction of what it does alone, and faster.
// Frames made with it need it to be read. Immutable: usable from any thread.
class ZstdDictionary {
 public:
  ZstdDictionary(std::string content, int level);
  ~ZstdDictionary();
  ZstdDictionary(const ZstdDictionary&) = delete;
  ZstdDictionary& operator=(const ZstdDictionary&) = delete;

  const std::string& content() const { return content_; }
  // One frame that states its size.
  Result<std::string> Compress(std::string_view data) const;
  // A frame of Compress (with this dictionary); Corruption for anything else.
  Result<std::string> Decompress(std::string_view data) const;

 private:
  std::string content_;
  struct Digested;  // zstd's prepared forms of content_
  Digested* digested_;
};

}  // namespace common
