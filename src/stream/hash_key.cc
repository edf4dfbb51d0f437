#include "stream/hash_key.h"

#include <openssl/evp.h>

#include <algorithm>

namespace stream {

common::Result<HashKey> ParseHashKey(std::string_view text, std::string_view field) {
  auto invalid = [&] {
    return common::Status::InvalidArgument(std::string(field) + " '" + std::string(text.substr(0, 64)) +
                                           "' is not a decimal integer in 0..2^128-1");
  };
  if (text.empty() || text.size() > 39) return invalid();
  HashKey value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return invalid();
    HashKey digit = static_cast<HashKey>(c - '0');
    if (value > (kMaxHashKey - digit) / 10) return invalid();
    value = value * 10 + digit;
  }
  return value;
}

std::string FormatHashKey(HashKey key) {
  if (key == 0) return "0";
  std::string out;
  while (key > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(key % 10)));
    key /= 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

HashKey HashPartitionKey(std::string_view partition_key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(partition_key.data(), partition_key.size(), digest, &length, EVP_md5(), nullptr);
  HashKey value = 0;
  for (int i = 0; i < 16; ++i) value = (value << 8) | digest[i];
  return value;
}

HashKey RangeStart(int i, int n) {
  return (kMaxHashKey / static_cast<HashKey>(n)) * static_cast<HashKey>(i);
}

HashKey RangeEnd(int i, int n) { return i + 1 == n ? kMaxHashKey : RangeStart(i + 1, n) - 1; }

}  // namespace stream
