// RemoteObjectClient: the ObjectClient interface over the S3 REST protocol
// (path-style requests: <endpoint>/<bucket>/<key>), for real Amazon S3, MinIO
// or another Rivulet's :4566.
//
// Memory stays bounded by the chunk size whatever the object size: an
// ObjectWriter buffers one chunk and turns into a multipart upload once the
// object outgrows it; GetObject's reader fetches one ranged chunk at a time,
// pinned to the object's ETag with If-Match so a replaced object fails the
// read instead of mixing two versions.
//
// Errors carry the S3 code as the message's first word, as the embedded
// store does ("NoSuchKey: ...").
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include "aws/remote/aws_http.h"
#include "objects/object_client.h"

namespace aws::remote {

class RemoteObjectClient final : public objects::ObjectClient {
 public:
  // service "s3". `chunk_bytes` is at least S3's 5 MiB part minimum.
  explicit RemoteObjectClient(EndpointOptions endpoint, size_t chunk_bytes = 8 << 20);

  common::Status CreateBucket(const std::string& bucket) override;
  common::Result<objects::BucketInfo> HeadBucket(const std::string& bucket) override;
  common::Status DeleteBucket(const std::string& bucket) override;
  common::Result<std::vector<objects::BucketInfo>> ListBuckets() override;

  common::Result<objects::ObjectInfo> PutObject(const std::string& bucket, const std::string& key,
                                                std::string_view data, const objects::PutOptions& options) override;
  common::Result<std::unique_ptr<objects::ObjectWriter>> NewObjectWriter(
      const std::string& bucket, const std::string& key, const objects::PutOptions& options) override;
  common::Result<objects::GetResult> GetObject(const std::string& bucket, const std::string& key,
                                               const objects::GetOptions& options) override;
  common::Result<objects::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key,
                                                 const objects::Conditions& conditions) override;
  common::Status DeleteObject(const std::string& bucket, const std::string& key) override;
  common::Result<std::vector<objects::DeleteResult>> DeleteObjects(const std::string& bucket,
                                                                   const std::vector<std::string>& keys) override;
  common::Result<objects::ObjectInfo> CopyObject(const objects::CopyRequest& request) override;
  common::Result<objects::ListObjectsResult> ListObjects(const objects::ListObjectsRequest& request) override;

  common::Result<objects::MultipartUpload> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                                 const objects::ObjectMetadata& metadata) override;
  common::Result<objects::PartInfo> UploadPart(const std::string& bucket, const std::string& key,
                                               const std::string& upload_id, int part_number, std::string_view data,
                                               const std::optional<std::string>& content_md5_base64) override;
  common::Result<objects::PartInfo> UploadPartCopy(const std::string& bucket, const std::string& key,
                                                   const std::string& upload_id, int part_number,
                                                   const objects::CopyRequest& source,
                                                   const std::optional<objects::ByteRange>& range) override;
  common::Result<objects::ObjectInfo> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                              const std::string& upload_id,
                                                              const std::vector<objects::CompletedPart>& parts) override;
  common::Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) override;
  common::Result<objects::ListPartsResult> ListParts(const std::string& bucket, const std::string& key,
                                                     const std::string& upload_id, int max_parts,
                                                     int part_number_marker) override;
  common::Result<objects::ListUploadsResult> ListMultipartUploads(const std::string& bucket,
                                                                  const std::string& prefix,
                                                                  int max_uploads) override;

  const RemoteCallStats& stats() const { return http_.stats(); }
  void Cancel() { http_.Cancel(); }

  // One S3 request; non-2xx answers become a Status ("Code: message").
  // `not_found_code` names the error for bodiless 404s (HEAD).
  common::Result<HttpResponse> Send(HttpRequest request, std::string_view not_found_code = "NoSuchKey");

 private:
  class Writer;
  class Reader;

  AwsHttp http_;
  const size_t chunk_bytes_;
};

}  // namespace aws::remote
