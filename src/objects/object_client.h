// ObjectClient: what the rest of Rivulet (the archiver, the site bucket, the
// S3 wire adapter) may ask of an object store. The embedded engine
// (objects/object_store.h) implements it with direct file-system calls; a
// remote implementation can speak S3 to real AWS or MinIO. Names and
// semantics follow Amazon S3 so that the wire adapter is a thin translation.
//
// Errors. One common::Status code can stand for several S3 errors, so where
// that matters the engine starts the message with the S3 error code followed
// by ": " ("NoSuchKey: no key \"a/b\" in bucket \"logs\""). The S3 adapter's
// one mapping function reads that word; everybody else just sees a message.
//   NotFound        -> NoSuchBucket, NoSuchKey, NoSuchUpload
//   AlreadyExists   -> BucketAlreadyOwnedByYou
//   ResourceInUse   -> BucketNotEmpty
//   InvalidArgument -> InvalidArgument, InvalidBucketName, KeyTooLongError,
//                      InvalidRange, InvalidPart, InvalidPartOrder,
//                      EntityTooSmall, BadDigest, InvalidDigest
//   LimitExceeded   -> EntityTooLarge, MetadataTooLarge
//   ConditionFailed -> PreconditionFailed (412), NotModified (304)
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace objects {

using common::Result;
using common::Status;

// Limits S3 enforces and so do we.
inline constexpr size_t kMaxKeyBytes = 1024;
inline constexpr size_t kMaxUserMetadataBytes = 2048;
inline constexpr uint64_t kMaxPutBytes = 5ULL << 30;        // one PutObject: 5 GiB
inline constexpr uint64_t kMaxObjectBytes = 5ULL << 40;     // any object: 5 TiB
inline constexpr int kMaxPartNumber = 10000;
inline constexpr int kMaxListKeys = 1000;

struct BucketInfo {
  std::string name;
  int64_t created_millis = 0;
};

// What S3 keeps about an object besides its bytes.
struct ObjectMetadata {
  std::string content_type;  // "" means application/octet-stream on the wire
  // x-amz-meta-* without the prefix; names are lower case.
  std::map<std::string, std::string> user;
  // Other headers S3 stores and returns as given: cache-control,
  // content-disposition, content-encoding, content-language, expires.
  std::map<std::string, std::string> system;
  // Flexible checksum the client sent ("CRC32" -> base64 value), returned
  // when asked for with x-amz-checksum-mode.
  std::string checksum_algorithm;
  std::string checksum_value;
};

struct ObjectInfo {
  std::string key;
  uint64_t size = 0;
  std::string etag;  // hex MD5, or "<hex md5 of part md5s>-<parts>"; no quotes
  int64_t last_modified_millis = 0;
  int parts_count = 0;  // 0 for a plain PutObject
  ObjectMetadata metadata;
};

// A byte range as HTTP states it: "bytes=first-last", "bytes=first-",
// "bytes=-suffix_length".
struct ByteRange {
  std::optional<uint64_t> first;
  std::optional<uint64_t> last;
  std::optional<uint64_t> suffix_length;
};

// Conditions of GetObject/HeadObject/CopyObject source, with HTTP's
// precedence (RFC 9110 13.2.2): If-Match, else If-Unmodified-Since; then
// If-None-Match, else If-Modified-Since. ETags compare without quotes; "*"
// matches any. Times are compared at whole seconds as HTTP dates are.
struct Conditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
  std::optional<int64_t> if_modified_since_millis;
  std::optional<int64_t> if_unmodified_since_millis;
};

struct GetOptions {
  std::optional<ByteRange> range;
  Conditions conditions;
};

struct PutOptions {
  ObjectMetadata metadata;
  // Content-MD5 the client sent (base64 of 16 bytes); BadDigest on mismatch.
  std::optional<std::string> content_md5_base64;
  // If-None-Match: "*" on PUT: fail with PreconditionFailed if the key exists.
  bool if_none_match_any = false;
  // If-Match on PUT: fail unless the current ETag matches.
  std::optional<std::string> if_match;
};

// Reads the bytes of one GetObject answer, in order.
class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Up to `max_bytes` more bytes; an empty string at the end.
  virtual Result<std::string> Read(size_t max_bytes) = 0;
  // When the bytes are [offset, offset + length) of a local file, its path,
  // so an HTTP server can send it with sendfile; "" otherwise. The file stays
  // readable under that path for at least a minute after the object is
  // replaced or deleted.
  virtual const std::string& local_path() const { static const std::string kNone; return kNone; }
  virtual uint64_t local_offset() const { return 0; }
};

struct GetResult {
  ObjectInfo info;
  uint64_t first = 0;   // first byte returned
  uint64_t length = 0;  // bytes returned
  bool partial = false; // true when a range was asked for (206)
  std::unique_ptr<ObjectReader> reader;
};

// Writes one object from chunks, so memory does not grow with its size.
// Nothing is visible until Commit() returns OK; dropping the writer without
// committing discards what was written.
class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual Status Append(std::string_view chunk) = 0;
  // The flexible checksum the client sent after the bytes (an aws-chunked
  // trailer): Commit fails with BadDigest when the bytes do not match it.
  // The default ignores it (clients that cannot check it).
  virtual void SetChecksum(std::string algorithm, std::string value_base64) {}
  // Makes the object durable and visible; returns what was stored.
  virtual Result<ObjectInfo> Commit() = 0;
};


struct ListObjectsRequest {
  std::string bucket;
  std::string prefix;
  std::string delimiter;
  int max_keys = kMaxListKeys;  // 0..1000; larger values are cut to 1000
  std::string continuation_token;  // from a previous ListResult
  std::string start_after;
};

struct ListObjectsResult {
  std::vector<ObjectInfo> objects;            // in key (byte) order
  std::vector<std::string> common_prefixes;   // in byte order
  bool is_truncated = false;
  std::string next_continuation_token;        // set when truncated
};

struct CopyRequest {
  std::string source_bucket;
  std::string source_key;
  std::string bucket;
  std::string key;
  Conditions source_conditions;
  // Empty: copy the source's metadata (x-amz-metadata-directive COPY).
  std::optional<ObjectMetadata> replace_metadata;
};

struct MultipartUpload {
  std::string upload_id;
  std::string bucket;
  std::string key;
  int64_t initiated_millis = 0;
};

struct PartInfo {
  int part_number = 0;
  uint64_t size = 0;
  std::string etag;  // hex MD5, no quotes
  int64_t last_modified_millis = 0;
};

// Writes one part of a multipart upload from chunks (UploadPart of any size).
class PartWriter {
 public:
  virtual ~PartWriter() = default;
  virtual Status Append(std::string_view chunk) = 0;
  // Makes the part durable; it replaces an earlier part of the same number.
  virtual Result<PartInfo> Commit() = 0;
};

struct CompletedPart {
  int part_number = 0;
  std::string etag;  // quotes are ignored
};

struct ListUploadsResult {
  std::vector<MultipartUpload> uploads;  // by key, then initiation time
  bool is_truncated = false;
};

struct ListPartsResult {
  std::vector<PartInfo> parts;  // by part number
  bool is_truncated = false;
  int next_part_number_marker = 0;
};

struct DeleteResult {
  std::string key;
  Status status;
};

class ObjectClient {
 public:
  virtual ~ObjectClient() = default;

  // Buckets. Names follow S3's rules (3-63 of a-z 0-9 . -).
  virtual Status CreateBucket(const std::string& bucket) = 0;
  virtual Result<BucketInfo> HeadBucket(const std::string& bucket) = 0;
  // BucketNotEmpty while it holds objects.
  virtual Status DeleteBucket(const std::string& bucket) = 0;
  virtual Result<std::vector<BucketInfo>> ListBuckets() = 0;

  // Objects.
  virtual Result<ObjectInfo> PutObject(const std::string& bucket, const std::string& key,
                                       std::string_view data, const PutOptions& options) = 0;
  virtual Result<std::unique_ptr<ObjectWriter>> NewObjectWriter(const std::string& bucket,
                                                                const std::string& key,
                                                                const PutOptions& options) = 0;
  virtual Result<GetResult> GetObject(const std::string& bucket, const std::string& key,
                                      const GetOptions& options) = 0;
  virtual Result<ObjectInfo> HeadObject(const std::string& bucket, const std::string& key,
                                        const Conditions& conditions) = 0;
  // Deleting a missing key succeeds, as in S3.
  virtual Status DeleteObject(const std::string& bucket, const std::string& key) = 0;
  virtual Result<std::vector<DeleteResult>> DeleteObjects(const std::string& bucket,
                                                          const std::vector<std::string>& keys) = 0;
  virtual Result<ObjectInfo> CopyObject(const CopyRequest& request) = 0;
  virtual Result<ListObjectsResult> ListObjects(const ListObjectsRequest& request) = 0;

  // Multipart upload.
  virtual Result<MultipartUpload> CreateMultipartUpload(const std::string& bucket,
                                                        const std::string& key,
                                                        const ObjectMetadata& metadata) = 0;
  virtual Result<PartInfo> UploadPart(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id, int part_number,
                                      std::string_view data,
                                      const std::optional<std::string>& content_md5_base64) = 0;
  // UploadPart with the bytes appended in chunks. The default gathers them
  // in memory and calls UploadPart; the embedded store streams to disk.
  virtual Result<std::unique_ptr<PartWriter>> NewPartWriter(
      const std::string& bucket, const std::string& key, const std::string& upload_id, int part_number,
      const std::optional<std::string>& content_md5_base64);
  // Copies [first, last] of an object (or all of it) into a part.
  virtual Result<PartInfo> UploadPartCopy(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id, int part_number,
                                          const CopyRequest& source,
                                          const std::optional<ByteRange>& range) = 0;
  virtual Result<ObjectInfo> CompleteMultipartUpload(const std::string& bucket,
                                                     const std::string& key,
                                                     const std::string& upload_id,
                                                     const std::vector<CompletedPart>& parts) = 0;
  virtual Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) = 0;
  virtual Result<ListPartsResult> ListParts(const std::string& bucket, const std::string& key,
                                            const std::string& upload_id, int max_parts,
                                            int part_number_marker) = 0;
  virtual Result<ListUploadsResult> ListMultipartUploads(const std::string& bucket,
                                                         const std::string& prefix,
                                                         int max_uploads) = 0;

  // Convenience for in-process callers: the whole object in memory.
  Result<std::string> GetObjectBytes(const std::string& bucket, const std::string& key);
};

}  // namespace objects
