#include "aws/s3/s3_request.h"

#include "aws/s3/aws_chunked.h"

#include <ctime>

namespace aws::s3 {
namespace {

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::optional<uint64_t> ParseU64(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

// Suffixes that make "<bucket>.<suffix>" a virtual-host request.
bool BucketFromHost(std::string_view host, std::string* bucket) {
  if (host.starts_with('[')) return false;  // IPv6 literal
  host = host.substr(0, host.find(':'));
  for (std::string_view suffix : {".localhost", ".localhost.localstack.cloud", ".s3.amazonaws.com"}) {
    if (host.size() > suffix.size() && host.ends_with(suffix)) {
      *bucket = std::string(host.substr(0, host.size() - suffix.size()));
      return true;
    }
  }
  // bucket.s3.<region>.amazonaws.com
  size_t s3 = host.find(".s3.");
  if (s3 != std::string_view::npos && s3 > 0 && host.ends_with(".amazonaws.com")) {
    *bucket = std::string(host.substr(0, s3));
    return true;
  }
  return false;
}

}  // namespace

bool S3Request::Has(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return true;
  }
  return false;
}

std::optional<std::string> S3Request::Param(std::string_view name) const {
  for (const auto& [k, v] : query) {
    if (k == name) return v;
  }
  return std::nullopt;
}

std::string S3Request::Resource() const {
  if (bucket.empty()) return "/";
  return "/" + bucket + (key.empty() ? "" : "/" + key);
}

std::string UrlDecode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '%' && i + 2 < in.size()) {
      int hi = Hex(in[i + 1]), lo = Hex(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out += static_cast<char>(hi * 16 + lo);
        i += 2;
        continue;
      }
    }
    out += (plus_is_space && in[i] == '+') ? ' ' : in[i];
  }
  return out;
}

std::string UrlEncode(std::string_view in) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : in) {
    auto u = static_cast<unsigned char>(c);
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~' || c == '/') {
      out += c;
    } else {
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

common::Result<S3Request> ParseS3Request(const gateway::Request& request) {
  S3Request out;
  std::string_view target = request.target;
  size_t q = target.find('?');
  std::string_view raw_path = target.substr(0, q);
  std::string_view raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
  // Absolute-form targets ("http://host/bucket/key") come from some proxies.
  if (raw_path.starts_with("http://") || raw_path.starts_with("https://")) {
    size_t slash = raw_path.find('/', raw_path.find("//") + 2);
    raw_path = slash == std::string_view::npos ? "/" : raw_path.substr(slash);
  }
  if (!raw_path.starts_with('/')) {
    return common::Status::InvalidArgument("InvalidRequest: the request target must start with '/'");
  }
  std::string path = UrlDecode(raw_path.substr(1), false);
  if (BucketFromHost(request.Header("Host"), &out.bucket)) {
    out.virtual_host = true;
    out.key = std::move(path);
  } else {
    size_t slash = path.find('/');
    out.bucket = path.substr(0, slash);
    if (slash != std::string::npos) out.key = path.substr(slash + 1);
  }
  while (!raw_query.empty()) {
    size_t amp = raw_query.find('&');
    std::string_view pair = raw_query.substr(0, amp);
    raw_query = amp == std::string_view::npos ? std::string_view() : raw_query.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    out.query.emplace_back(UrlDecode(pair.substr(0, eq), true),
                           eq == std::string_view::npos ? "" : UrlDecode(pair.substr(eq + 1), true));
  }
  return out;
}

std::optional<objects::ByteRange> ParseRange(std::string_view h) {
  if (!h.starts_with("bytes=")) return std::nullopt;
  h.remove_prefix(6);
  if (h.find(',') != std::string_view::npos) return std::nullopt;  // multiple ranges: send it all
  size_t dash = h.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  objects::ByteRange r;
  if (a.empty()) {
    r.suffix_length = ParseU64(b);
    if (!r.suffix_length) return std::nullopt;
    return r;
  }
  r.first = ParseU64(a);
  if (!r.first) return std::nullopt;
  if (!b.empty()) {
    r.last = ParseU64(b);
    if (!r.last || *r.last < *r.first) return std::nullopt;
  }
  return r;
}

std::optional<int64_t> ParseHttpDate(std::string_view text) {
  std::string s(text);
  std::tm tm{};
  for (const char* fmt : {"%a, %d %b %Y %H:%M:%S GMT", "%Y-%m-%dT%H:%M:%S", "%Y%m%dT%H%M%SZ", "%A, %d-%b-%y %H:%M:%S GMT"}) {
    tm = {};
    const char* end = strptime(s.c_str(), fmt, &tm);
    if (end != nullptr) return static_cast<int64_t>(timegm(&tm)) * 1000;
  }
  return std::nullopt;
}

std::string HttpDate(int64_t millis) {
  std::time_t t = millis / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

std::string IsoDate(int64_t millis) {
  std::time_t t = millis / 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(millis % 1000));
  return buf;
}

bool IsAwsChunked(const gateway::Request& request) {
  if (request.Header("x-amz-content-sha256").starts_with("STREAMING-")) return true;
  return Lower(request.Header("Content-Encoding")).find("aws-chunked") != std::string::npos;
}

common::Result<ChunkedBody> DecodeAwsChunked(std::string_view body) {
  ChunkedBody out;
  AwsChunkedDecoder decoder;
  RETURN_IF_ERROR(decoder.Feed(body, [&](std::string_view chunk) {
    if (!chunk.empty()) out.chunks.push_back(chunk);
    return common::Status::OK();
  }));
  RETURN_IF_ERROR(decoder.Finish());
  out.size = decoder.size();
  out.trailers = decoder.trailers();
  return out;
}

}  // namespace aws::s3
