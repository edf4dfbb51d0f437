// Reading S3 REST requests: which bucket and key (path-style /bucket/key or
// virtual-host bucket.localhost), the query's sub-resources, Range, HTTP
// dates, and the aws-chunked body encoding newer SDKs use for PUT.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "gateway/http.h"
#include "objects/object_client.h"

namespace aws::s3 {

struct S3Request {
  std::string bucket;  // "" for the service (ListBuckets)
  std::string key;     // "" for bucket operations
  bool virtual_host = false;
  std::vector<std::pair<std::string, std::string>> query;  // decoded, in order

  bool Has(std::string_view name) const;
  std::optional<std::string> Param(std::string_view name) const;
  // "/bucket/key" for error Resource elements.
  std::string Resource() const;
};

// Splits the request into bucket, key and query. The key is taken from the
// raw target and percent-decoded once, so "%2F", "+" and "%25" survive.
common::Result<S3Request> ParseS3Request(const gateway::Request& request);

// Percent-decodes `in`; '+' becomes a space only when `plus_is_space`.
std::string UrlDecode(std::string_view in, bool plus_is_space);
// S3's encoding-type=url: everything but A-Z a-z 0-9 - _ . ~ / is %XX.
std::string UrlEncode(std::string_view in);

// "bytes=0-99", "bytes=100-", "bytes=-5". nullopt when absent or not a
// single byte range we understand (then the whole object is sent, as HTTP
// says a server may).
std::optional<objects::ByteRange> ParseRange(std::string_view header);

// IMF-fixdate ("Wed, 21 Oct 2015 07:28:00 GMT") or ISO 8601
// ("2015-10-21T07:28:00Z", "20151021T072800Z") to epoch millis.
std::optional<int64_t> ParseHttpDate(std::string_view text);
std::string HttpDate(int64_t millis);  // IMF-fixdate
std::string IsoDate(int64_t millis);   // "2015-10-21T07:28:00.000Z"

// True when the body uses AWS's chunked upload encoding.
bool IsAwsChunked(const gateway::Request& request);

struct ChunkedBody {
  std::vector<std::string_view> chunks;  // views into the request body
  uint64_t size = 0;
  std::map<std::string, std::string> trailers;  // lower-case names
};

// Decodes "<hex size>[;chunk-signature=..]\r\n<bytes>\r\n ... 0\r\n
// [trailer: value\r\n]*\r\n". Signatures are not checked here (ReadBody's
// decoder checks them with the request's ChunkVerifier). InvalidArgument
// "IncompleteBody: ..." on malformed framing.
common::Result<ChunkedBody> DecodeAwsChunked(std::string_view body);

}  // namespace aws::s3
