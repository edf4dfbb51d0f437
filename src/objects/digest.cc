#include "objects/digest.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <array>

namespace objects {
namespace {

std::array<uint32_t, 256> MakeCrc32cTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    table[i] = c;
  }
  return table;
}

uint32_t Crc32cUpdate(uint32_t crc, std::string_view data) {
  static const std::array<uint32_t, 256> kTable = MakeCrc32cTable();
  crc = ~crc;
  for (unsigned char b : data) crc = kTable[(crc ^ b) & 0xff] ^ (crc >> 8);
  return ~crc;
}

const EVP_MD* MdFor(Digest::Kind kind) {
  switch (kind) {
    case Digest::Kind::kMd5: return EVP_md5();
    case Digest::Kind::kSha1: return EVP_sha1();
    case Digest::Kind::kSha256: return EVP_sha256();
    default: return nullptr;
  }
}

std::string OneShot(Digest::Kind kind, std::string_view data) {
  Digest d(kind);
  d.Update(data);
  return d.Finish();
}

}  // namespace

std::string HexEncode(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(bytes.data()),
                          static_cast<int>(bytes.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  if (text.empty()) return out;
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  // EVP_DecodeBlock keeps the zero bytes that padding stands for.
  size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<size_t>(n) - pad);
  return out;
}

std::string Md5(std::string_view data) { return OneShot(Digest::Kind::kMd5, data); }

std::unique_ptr<Digest> Digest::ForChecksumAlgorithm(std::string_view name) {
  if (name == "CRC32") return std::make_unique<Digest>(Kind::kCrc32);
  if (name == "CRC32C") return std::make_unique<Digest>(Kind::kCrc32c);
  if (name == "SHA1") return std::make_unique<Digest>(Kind::kSha1);
  if (name == "SHA256") return std::make_unique<Digest>(Kind::kSha256);
  return nullptr;
}

Digest::Digest(Kind kind) : kind_(kind) {
  if (const EVP_MD* md = MdFor(kind)) {
    auto* ctx = EVP_MD_CTX_new();
    EVP_DigestInit_ex(ctx, md, nullptr);
    ctx_ = ctx;
  }
}

Digest::~Digest() {
  if (ctx_ != nullptr) EVP_MD_CTX_free(static_cast<EVP_MD_CTX*>(ctx_));
}

void Digest::Update(std::string_view data) {
  switch (kind_) {
    case Kind::kCrc32:
      // zlib takes uInt lengths; feed large buffers in slices.
      while (!data.empty()) {
        size_t n = std::min<size_t>(data.size(), 1u << 30);
        crc_ = static_cast<uint32_t>(crc32(crc_, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(n)));
        data.remove_prefix(n);
      }
      break;
    case Kind::kCrc32c:
      crc_ = Crc32cUpdate(crc_, data);
      break;
    default:
      EVP_DigestUpdate(static_cast<EVP_MD_CTX*>(ctx_), data.data(), data.size());
  }
}

std::string Digest::Finish() {
  if (kind_ == Kind::kCrc32 || kind_ == Kind::kCrc32c) {
    std::string out(4, '\0');
    for (int i = 0; i < 4; ++i) out[i] = static_cast<char>((crc_ >> (24 - 8 * i)) & 0xff);
    return out;
  }
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_DigestFinal_ex(static_cast<EVP_MD_CTX*>(ctx_), buf, &n);
  return std::string(reinterpret_cast<char*>(buf), n);
}

}  // namespace objects
