// AWS Signature Version 4: the canonical request, the string to sign, the
// signing key and the signature, as AWS documents them
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html).
// Verification recomputes the signature from the request as received and
// compares in constant time; it never needs anything but the secret.
//
// S3 differs from every other service in two places, both selected by
// `s3_rules`: the path is decoded and encoded once (others encode the path as
// sent, a second time, after removing dot segments and empty segments), and
// the payload hash is whatever x-amz-content-sha256 says (UNSIGNED-PAYLOAD,
// STREAMING-*), checked against the body when it is a hash.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace iam {

// The parts of an HTTP request that SigV4 covers, as received.
struct SignedRequestView {
  std::string_view method;
  std::string_view raw_path;   // as on the wire, percent-encoded, before '?'
  std::string_view raw_query;  // as on the wire, after '?'
  const std::vector<std::pair<std::string, std::string>>* headers = nullptr;  // names any case
  std::string_view payload_hash;  // hex SHA-256, UNSIGNED-PAYLOAD or STREAMING-...
  bool s3_rules = false;
  // Presigned URLs: X-Amz-Signature is left out of the canonical query.
  bool presigned = false;
};

// AWS's URI encoding: everything but A-Z a-z 0-9 - . _ ~ becomes %XX
// (upper-case hex); '/' is kept when `keep_slash`.
std::string UriEncode(std::string_view in, bool keep_slash);

// The canonical request text; `signed_headers` are lower-case names in the
// order listed in the Authorization header.
std::string CanonicalRequest(const SignedRequestView& request, const std::vector<std::string>& signed_headers);

// "AWS4-HMAC-SHA256\n<amz_date>\n<scope>\n<hex sha256(canonical)>".
std::string StringToSign(std::string_view amz_date, std::string_view scope, std::string_view canonical_request);

// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4"+secret, date), region), service), "aws4_request").
std::string DeriveSigningKey(std::string_view secret, std::string_view date, std::string_view region,
                             std::string_view service);

std::string HexHmacSha256(std::string_view key, std::string_view data);
std::string HexSha256(std::string_view data);
std::string HmacSha256(std::string_view key, std::string_view data);

// Equal length and bytes, in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

// "20150830T123600Z" -> epoch milliseconds; InvalidArgument otherwise.
common::Result<int64_t> ParseAmzDate(std::string_view amz_date);
std::string FormatAmzDate(int64_t epoch_millis);
// "2015-08-30T12:36:00Z": aws:CurrentTime's shape.
std::string FormatIsoTime(int64_t epoch_millis);

// The signature chain of a body sent as STREAMING-AWS4-HMAC-SHA256-PAYLOAD
// (S3's chunked upload): chunk i is signed over "AWS4-HMAC-SHA256-PAYLOAD",
// the date, the scope, the signature before it (the request's own for the
// first chunk), the empty string's hash and the chunk's SHA-256.
// With STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER the trailing headers that
// follow the final 0-size chunk are signed too (x-amz-trailer-signature),
// over "AWS4-HMAC-SHA256-TRAILER", the date, the scope, the final chunk's
// signature and the SHA-256 of the trailing header lines, each
// "name:value\n" (S3 API reference, "Signature calculations for trailing
// headers (chunked uploads)", sigv4-streaming-trailers).
class ChunkSignatureChain {
 public:
  ChunkSignatureChain(std::string signing_key, std::string amz_date, std::string scope,
                      std::string seed_signature);
  // True when `signature` (hex) signs the next chunk, whose SHA-256 is
  // `chunk_sha256_hex`; the chain then moves past it.
  bool Verify(std::string_view chunk_sha256_hex, std::string_view signature);
  // True when `signature` (hex) signs the trailing headers whose canonical
  // lines hash to `trailer_sha256_hex`. REQUIRES: the final 0-size chunk was
  // verified (its signature is the one the trailer's chains from).
  bool VerifyTrailer(std::string_view trailer_sha256_hex, std::string_view signature) const;

 private:
  const std::string signing_key_;
  const std::string amz_date_;
  const std::string scope_;
  std::string previous_;
};

// Caches signing keys by (secret, date, region, service): the four HMACs
// cost more than the signature itself. Keys change daily; the cache is
// dropped when it grows past a small bound. Thread-safe.
class SigningKeyCache {
 public:
  std::string Get(std::string_view secret, std::string_view date, std::string_view region, std::string_view service);

 private:
  static constexpr size_t kMaxEntries = 256;
  std::mutex mu_;
  std::map<std::string, std::string, std::less<>> keys_;  // GUARDED_BY(mu_)
};

// Signs a request the way SDKs do (used by tests and benchmarks, and by the
// remote clients): returns the Authorization header value.
std::string SignAuthorization(const SignedRequestView& request, const std::vector<std::string>& signed_headers,
                              std::string_view access_key_id, std::string_view secret, std::string_view amz_date,
                              std::string_view region, std::string_view service);

}  // namespace iam
