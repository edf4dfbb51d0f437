#include "stream/tokens.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>

#include <cstdio>

#include "common/coding.h"

namespace stream {
namespace {

constexpr char kVersion = 1;
constexpr size_t kMacSize = 16;
constexpr size_t kFixedSize = 1 + 8 + 8 + 8 + 8;

// HMAC-SHA256, truncated. OpenSSL's one-shot HMAC() fetches the algorithm and
// builds a context on every call, which cost ~2 % of the order path's CPU
// (every GetRecords decodes one iterator and encodes the next); each thread
// keeps one keyed context instead and only re-initialises it.
std::string Mac(std::string_view payload, std::string_view key) {
  struct Context {
    EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
    std::string key;
    bool keyed = false;
    ~Context() {
      EVP_MAC_CTX_free(ctx);
      EVP_MAC_free(mac);
    }
  };
  thread_local Context context;
  bool ok;
  if (context.keyed && context.key == key) {
    ok = EVP_MAC_init(context.ctx, nullptr, 0, nullptr) == 1;  // same key
  } else {
    char digest_name[] = "SHA256";
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", digest_name, 0), OSSL_PARAM_construct_end()};
    context.key = key;
    ok = EVP_MAC_init(context.ctx, reinterpret_cast<const unsigned char*>(key.data()), key.size(), params) == 1;
    context.keyed = ok;
  }
  unsigned char digest[EVP_MAX_MD_SIZE];
  size_t length = 0;
  ok = ok && EVP_MAC_update(context.ctx, reinterpret_cast<const unsigned char*>(payload.data()), payload.size()) == 1 &&
       EVP_MAC_final(context.ctx, digest, &length, sizeof(digest)) == 1;
  if (!ok) {
    // Out of memory, say: start afresh next time, and take the slow path now.
    context.keyed = false;
    unsigned int one_shot = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
         payload.size(), digest, &one_shot);
  }
  return std::string(reinterpret_cast<const char*>(digest), kMacSize);
}

common::Status Invalid() { return common::Status::InvalidArgument("Invalid ShardIterator."); }

}  // namespace

std::string FormatSequenceNumber(uint64_t shard_index, uint64_t offset) {
  char buf[64];
  std::snprintf(buf, sizeof(buf), "49%018llu%020llu", static_cast<unsigned long long>(shard_index),
                static_cast<unsigned long long>(offset));
  return buf;
}

common::Result<SequenceNumber> ParseSequenceNumber(std::string_view text) {
  auto invalid = [&] {
    return common::Status::InvalidArgument("StartingSequenceNumber " + std::string(text.substr(0, 64)) +
                                           " is not a valid sequence number");
  };
  if (text.size() != 40 || !text.starts_with("49")) return invalid();
  for (char c : text) {
    if (c < '0' || c > '9') return invalid();
  }
  SequenceNumber out;
  for (char c : text.substr(2, 18)) out.shard_index = out.shard_index * 10 + static_cast<uint64_t>(c - '0');
  // 20 digits can exceed uint64; such a value was never issued.
  unsigned __int128 offset = 0;
  for (char c : text.substr(20)) offset = offset * 10 + static_cast<unsigned>(c - '0');
  if (offset > UINT64_MAX) return invalid();
  out.offset = static_cast<uint64_t>(offset);
  return out;
}

std::string EncodeIterator(const IteratorToken& token, std::string_view key) {
  std::string payload;
  payload.push_back(kVersion);
  common::PutFixed64(&payload, token.stream_uid);
  common::PutFixed64(&payload, token.shard_index);
  common::PutFixed64(&payload, token.position);
  common::PutFixed64(&payload, static_cast<uint64_t>(token.expires_millis));
  payload += token.stream_name;
  payload += Mac(payload, key);
  std::string out(4 * ((payload.size() + 2) / 3) + 1, '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(payload.data()), static_cast<int>(payload.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

common::Result<IteratorToken> DecodeIterator(std::string_view text, std::string_view key) {
  if (text.empty() || text.size() > 512 || text.size() % 4 != 0) return Invalid();
  std::string raw(text.size() / 4 * 3 + 1, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                          reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
  if (n < 0) return Invalid();
  size_t size = static_cast<size_t>(n);
  // EVP_DecodeBlock counts '=' padding as zero bytes.
  if (text.ends_with("==")) size -= 2;
  else if (text.ends_with("=")) size -= 1;
  raw.resize(size);
  if (raw.size() < kFixedSize + kMacSize || raw[0] != kVersion) return Invalid();
  // Only the exact text we issued is a token: base64 has spare bits in its
  // last character, and an edited one there would decode to the same bytes.
  std::string canonical(text.size() + 1, '\0');
  canonical.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(canonical.data()),
                                                       reinterpret_cast<const unsigned char*>(raw.data()),
                                                       static_cast<int>(raw.size()))));
  if (canonical != text) return Invalid();
  std::string_view payload(raw.data(), raw.size() - kMacSize);
  std::string expected = Mac(payload, key);
  if (CRYPTO_memcmp(expected.data(), raw.data() + payload.size(), kMacSize) != 0) return Invalid();
  IteratorToken token;
  token.stream_uid = common::DecodeFixed64(raw.data() + 1);
  token.shard_index = common::DecodeFixed64(raw.data() + 9);
  token.position = common::DecodeFixed64(raw.data() + 17);
  token.expires_millis = static_cast<int64_t>(common::DecodeFixed64(raw.data() + 25));
  token.stream_name = std::string(payload.substr(kFixedSize));
  return token;
}

}  // namespace stream
