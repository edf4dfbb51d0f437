// Hashes and encodings the object store and the S3 adapter share: MD5 for
// ETags and Content-MD5, SHA-256 for key file names, base64 and hex for the
// wire, and the flexible checksums newer SDKs send (CRC32, CRC32C, SHA1,
// SHA256). Thin wrappers over OpenSSL's EVP API and zlib.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace objects {

std::string HexEncode(std::string_view bytes);
std::string Base64Encode(std::string_view bytes);
// Standard alphabet with padding; nullopt on bad input.
std::optional<std::string> Base64Decode(std::string_view text);

// Raw 16-byte MD5 of `data`.
std::string Md5(std::string_view data);

// Incremental digest over one of MD5, SHA1, SHA256, CRC32, CRC32C. Not
// thread-safe; one per stream of bytes.
class Digest {
 public:
  enum class Kind { kMd5, kSha1, kSha256, kCrc32, kCrc32c };
  // nullptr for an algorithm name we do not compute ("CRC64NVME").
  static std::unique_ptr<Digest> ForChecksumAlgorithm(std::string_view name);
  explicit Digest(Kind kind);
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;

  void Update(std::string_view data);
  // Raw digest bytes (CRCs big-endian, as S3 encodes them). Call once.
  std::string Finish();

 private:
  Kind kind_;
  void* ctx_ = nullptr;  // EVP_MD_CTX* for the hash kinds
  uint32_t crc_ = 0;
};

}  // namespace objects
