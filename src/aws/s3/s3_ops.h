// The S3 operations behind S3Handler, one function each. Internal to the
// adapter; each turns one parsed request into a response or a Status that
// ErrorFromStatus maps.
#pragma once

#include <functional>
#include <utility>
#include <vector>

#include "aws/s3/s3_request.h"
#include "common/status.h"
#include "gateway/http.h"
#include "objects/object_client.h"

namespace aws::s3::ops {

using common::Result;
using common::Status;
using gateway::Request;
using gateway::Response;

inline constexpr std::string_view kXmlns = "http://s3.amazonaws.com/doc/2006-03-01/";
inline constexpr std::string_view kOwnerId = "75aa57f09aa0c8caeab4f8c24e99d10f8e7faeebf76c078efc7c6caea54ba06a";

struct Context {
  objects::ObjectClient* store;
  Request& req;
  const S3Request& s3;
  // Runs work on the adapter's pool (large downloads read there chunk by
  // chunk); empty when serving synchronously (tests): bodies are then inline.
  std::function<void(std::function<void()>)> post;
};

// Buckets and listing (s3_buckets.cc).
Result<Response> ListBuckets(Context& c);
Result<Response> CreateBucket(Context& c);
Result<Response> HeadBucket(Context& c);
Result<Response> DeleteBucket(Context& c);
Result<Response> GetBucketLocation(Context& c);
Result<Response> GetBucketVersioning(Context& c);
Result<Response> ListObjects(Context& c, bool v2);
Result<Response> DeleteObjects(Context& c);

// Objects (s3_objects.cc).
Result<Response> PutObject(Context& c);
Result<Response> GetObject(Context& c, bool head);
Result<Response> DeleteObject(Context& c);
Result<Response> CopyObject(Context& c);

// Multipart (s3_multipart.cc).
Result<Response> CreateMultipartUpload(Context& c);
Result<Response> UploadPart(Context& c);
Result<Response> CompleteMultipartUpload(Context& c);
Result<Response> AbortMultipartUpload(Context& c);
Result<Response> ListParts(Context& c);
Result<Response> ListMultipartUploads(Context& c);

// Shared helpers (s3_objects.cc).
// Content-Type, x-amz-meta-*, Cache-Control & co. from request headers.
objects::ObjectMetadata MetadataFromHeaders(const Request& req);
// The flexible checksum the client announces in headers: algorithm and value
// (x-amz-checksum-*), or only the algorithm when the value will come in an
// aws-chunked trailer (x-amz-trailer, x-amz-sdk-checksum-algorithm).
void ChecksumFromHeaders(const Request& req, objects::ObjectMetadata* metadata);
using BodySink = std::function<Status(std::string_view)>;
// Hands the body's bytes to `sink` in chunks: from memory or as they arrive
// (Request::body_stream), plain or decoded from aws-chunked. Checksums sent
// as trailers are added to `checksums` as (ALGORITHM, base64 value).
Status ReadBody(const Request& req, const BodySink& sink, std::vector<std::pair<std::string, std::string>>* checksums);
// The source of x-amz-copy-source and its conditions.
Result<objects::CopyRequest> CopySource(const Context& c);
// An integer query parameter within [lo, hi]; `fallback` when absent.
Result<int> IntParam(const S3Request& s3, std::string_view name, int fallback, int lo, int hi);
std::string Quoted(std::string_view etag);
Response XmlResponse(std::string body, int status = 200);

}  // namespace aws::s3::ops
