// A 64-bit FNV-1a hash: stable across runs and builds, cheap, for spreading
// keys over lanes, threads and partition keys. The offset basis is the one
// Rivulet has always used (not FNV's published 14695981039346656037): change
// feed partition keys derived from it are stored, so it must not change.
#pragma once

#include <cstdint>
#include <string_view>

namespace common {

inline uint64_t Fnv1a(std::string_view data) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : data) h = (h ^ c) * 1099511628211ull;
  return h;
}

}  // namespace common
