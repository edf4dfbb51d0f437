#include "iam/sigv4.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cctype>
#include <ctime>
#include <utility>

namespace iam {
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string Hex(const unsigned char* data, size_t n) {
  std::string out(n * 2, '0');
  for (size_t i = 0; i < n; ++i) {
    out[2 * i] = kHex[data[i] >> 4];
    out[2 * i + 1] = kHex[data[i] & 15];
  }
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// %XX decoding only ('+' stays '+', as SigV4 wants); bad escapes stay as sent.
std::string Decode(std::string_view in) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = HexValue(in[i + 1]), lo = HexValue(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(in[i]);
  }
  return out;
}

// Removes empty, "." and ".." segments (RFC 3986 5.2.4 plus AWS's collapsing of
// repeated slashes); keeps a trailing slash.
std::string NormalizePath(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    std::string_view seg = path.substr(start, slash - start);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    start = slash + 1;
  }
  std::string out;
  for (std::string_view seg : segments) {
    out += '/';
    out += seg;
  }
  bool trailing = !path.empty() && path.back() == '/';
  if (out.empty() || trailing) out += '/';
  return out;
}

std::string CanonicalUri(const SignedRequestView& r) {
  if (r.raw_path.empty()) return "/";
  if (r.s3_rules) return UriEncode(Decode(r.raw_path), /*keep_slash=*/true);
  return UriEncode(NormalizePath(r.raw_path), /*keep_slash=*/true);
}

std::string CanonicalQuery(const SignedRequestView& r) {
  std::vector<std::pair<std::string, std::string>> params;
  std::string_view q = r.raw_query;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = UriEncode(Decode(pair.substr(0, eq)), false);
    std::string value = eq == std::string_view::npos ? "" : UriEncode(Decode(pair.substr(eq + 1)), false);
    if (r.presigned && key == "X-Amz-Signature") continue;
    params.emplace_back(std::move(key), std::move(value));
  }
  std::sort(params.begin(), params.end());
  std::string out;
  for (const auto& [k, v] : params) {
    if (!out.empty()) out += '&';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Trims and collapses runs of spaces, as the canonical header rules say.
void AppendTrimmed(std::string* out, std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out->push_back(' ');
    space = false;
    out->push_back(c);
  }
}

}  // namespace

std::string UriEncode(std::string_view in, bool keep_slash) {
  std::string out;
  out.reserve(in.size() * 3 / 2);
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back("0123456789ABCDEF"[c >> 4]);
      out.push_back("0123456789ABCDEF"[c & 15]);
    }
  }
  return out;
}

std::string CanonicalRequest(const SignedRequestView& request, const std::vector<std::string>& signed_headers) {
  std::string out;
  out.reserve(512);
  out += request.method;
  out += '\n';
  out += CanonicalUri(request);
  out += '\n';
  out += CanonicalQuery(request);
  out += '\n';
  for (const std::string& name : signed_headers) {
    out += name;
    out += ':';
    bool first = true;
    if (request.headers != nullptr) {
      for (const auto& [n, v] : *request.headers) {
        if (n.size() != name.size() || Lower(n) != name) continue;
        if (!first) out += ',';
        first = false;
        AppendTrimmed(&out, v);
      }
    }
    out += '\n';
  }
  out += '\n';
  for (size_t i = 0; i < signed_headers.size(); ++i) {
    if (i > 0) out += ';';
    out += signed_headers[i];
  }
  out += '\n';
  out += request.payload_hash;
  return out;
}

std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request) {
  std::string out = "AWS4-HMAC-SHA256\n";
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  out += HexSha256(canonical_request);
  return out;
}

std::string HmacSha256(std::string_view key, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), out, &len);
  return std::string(reinterpret_cast<char*>(out), len);
}

std::string HexHmacSha256(std::string_view key, std::string_view data) {
  std::string mac = HmacSha256(key, data);
  return Hex(reinterpret_cast<const unsigned char*>(mac.data()), mac.size());
}

std::string HexSha256(std::string_view data) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest);
  return Hex(digest, sizeof(digest));
}

ChunkSignatureChain::ChunkSignatureChain(std::string signing_key, std::string amz_date, std::string scope,
                                         std::string seed_signature)
    : signing_key_(std::move(signing_key)),
      amz_date_(std::move(amz_date)),
      scope_(std::move(scope)),
      previous_(std::move(seed_signature)) {}

bool ChunkSignatureChain::Verify(std::string_view chunk_sha256_hex, std::string_view signature) {
  static const std::string kEmptySha256 = HexSha256("");
  std::string to_sign = "AWS4-HMAC-SHA256-PAYLOAD\n" + amz_date_ + "\n" + scope_ + "\n" + previous_ + "\n" +
                        kEmptySha256 + "\n" + std::string(chunk_sha256_hex);
  std::string expected = HexHmacSha256(signing_key_, to_sign);
  if (!ConstantTimeEquals(expected, signature)) return false;
  previous_ = std::move(expected);
  return true;
}

bool ChunkSignatureChain::VerifyTrailer(std::string_view trailer_sha256_hex, std::string_view signature) const {
  std::string to_sign = "AWS4-HMAC-SHA256-TRAILER\n" + amz_date_ + "\n" + scope_ + "\n" + previous_ + "\n" +
                        std::string(trailer_sha256_hex);
  return ConstantTimeEquals(HexHmacSha256(signing_key_, to_sign), signature);
}

std::string DeriveSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string k = HmacSha256("AWS4" + std::string(secret), date);
  k = HmacSha256(k, region);
  k = HmacSha256(k, service);
  return HmacSha256(k, "aws4_request");
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

common::Result<int64_t> ParseAmzDate(std::string_view s) {
  auto digits = [&](size_t pos, size_t n, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
      v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, se;
  if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z' || !digits(0, 4, &y) || !digits(4, 2, &mo) ||
      !digits(6, 2, &d) || !digits(9, 2, &h) || !digits(11, 2, &mi) || !digits(13, 2, &se) || mo < 1 || mo > 12 ||
      d < 1 || d > 31 || h > 23 || mi > 59 || se > 60) {
    return common::Status::InvalidArgument("X-Amz-Date '" + std::string(s.substr(0, 40)) +
                                           "' is not in the form YYYYMMDDTHHMMSSZ");
  }
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = se;
  return static_cast<int64_t>(timegm(&tm)) * 1000;
}

namespace {
// `format` (strftime) of the UTC second holding `epoch_millis`.
std::string FormatUtc(int64_t epoch_millis, const char* format) {
  std::time_t t = static_cast<std::time_t>(epoch_millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), format, &tm);
  return buf;
}
}  // namespace

std::string FormatAmzDate(int64_t epoch_millis) { return FormatUtc(epoch_millis, "%Y%m%dT%H%M%SZ"); }

std::string FormatIsoTime(int64_t epoch_millis) { return FormatUtc(epoch_millis, "%Y-%m-%dT%H:%M:%SZ"); }

std::string SigningKeyCache::Get(std::string_view secret, std::string_view date, std::string_view region,
                                 std::string_view service) {
  std::string id;
  id.reserve(secret.size() + date.size() + region.size() + service.size() + 3);
  id.append(secret).append("\n").append(date).append("\n").append(region).append("\n").append(service);
  {
    std::lock_guard lock(mu_);
    if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  }
  std::string key = DeriveSigningKey(secret, date, region, service);
  std::lock_guard lock(mu_);
  if (keys_.size() >= kMaxEntries) keys_.clear();
  keys_.emplace(std::move(id), key);
  return key;
}

std::string SignAuthorization(const SignedRequestView& request, const std::vector<std::string>& signed_headers,
                              std::string_view access_key_id, std::string_view secret, std::string_view amz_date,
                              std::string_view region, std::string_view service) {
  std::string date(amz_date.substr(0, 8));
  std::string scope = date + "/" + std::string(region) + "/" + std::string(service) + "/aws4_request";
  std::string to_sign = StringToSign(amz_date, scope, CanonicalRequest(request, signed_headers));
  std::string signature = HexHmacSha256(DeriveSigningKey(secret, date, region, service), to_sign);
  std::string names;
  for (const auto& h : signed_headers) names += (names.empty() ? "" : ";") + h;
  return "AWS4-HMAC-SHA256 Credential=" + std::string(access_key_id) + "/" + scope + ", SignedHeaders=" + names +
         ", Signature=" + signature;
}

}  // namespace iam
