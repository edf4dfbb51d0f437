// CheckedStreamClient (kinesis:<Operation> on the stream's ARN) and
// CheckedObjectClient (s3:<Action> on the bucket or object ARN).
#include "roles/checked_clients.h"

namespace roles {

using common::Status;

// ---- streams ----

Status CheckedStreamClient::Check(const char* action, const std::string& stream_name) const {
  return checker_->CheckStream(action, stream_name);
}

Status CheckedStreamClient::CreateStream(const std::string& name, int shard_count, stream::StreamMode mode) {
  RETURN_IF_ERROR(Check("kinesis:CreateStream", name));
  return inner_->CreateStream(name, shard_count, mode);
}

Status CheckedStreamClient::DeleteStream(const std::string& name) {
  RETURN_IF_ERROR(Check("kinesis:DeleteStream", name));
  return inner_->DeleteStream(name);
}

stream::Result<stream::StreamDescription> CheckedStreamClient::DescribeStream(const std::string& name) {
  RETURN_IF_ERROR(Check("kinesis:DescribeStream", name));
  return inner_->DescribeStream(name);
}

stream::Result<std::vector<std::string>> CheckedStreamClient::ListStreams() {
  RETURN_IF_ERROR(checker_->Check("kinesis:ListStreams", "*"));
  return inner_->ListStreams();
}

void CheckedStreamClient::PutRecords(const std::string& stream_name, std::vector<stream::PutEntry> entries,
                                     PutCallback done) {
  if (Status s = Check("kinesis:PutRecords", stream_name); !s.ok()) return done(s);
  inner_->PutRecords(stream_name, std::move(entries), std::move(done));
}

stream::Result<std::vector<stream::Result<stream::PutResult>>> CheckedStreamClient::PutRecordsAndWait(
    const std::string& stream_name, std::vector<stream::PutEntry> entries) {
  RETURN_IF_ERROR(Check("kinesis:PutRecords", stream_name));
  return inner_->PutRecordsAndWait(stream_name, std::move(entries));
}

stream::Result<std::string> CheckedStreamClient::GetShardIterator(const stream::IteratorRequest& request) {
  RETURN_IF_ERROR(Check("kinesis:GetShardIterator", request.stream_name));
  return inner_->GetShardIterator(request);
}

stream::Result<stream::GetRecordsResult> CheckedStreamClient::GetRecords(const std::string& shard_iterator,
                                                                         int limit) {
  RETURN_IF_ERROR(checker_->Check("kinesis:GetRecords", "*"));
  return inner_->GetRecords(shard_iterator, limit);
}

stream::Result<std::unique_ptr<stream::Subscription>> CheckedStreamClient::Subscribe(
    const std::string& stream_name, stream::NewRecordsCallback callback) {
  RETURN_IF_ERROR(Check("kinesis:SubscribeToShard", stream_name));
  return inner_->Subscribe(stream_name, std::move(callback));
}

// ---- objects ----

Status CheckedObjectClient::Check(const char* action, const std::string& bucket, const std::string& key,
                                  bool bucket_wide) const {
  std::string arn = "arn:aws:s3:::" + bucket;
  if (!key.empty()) arn += "/" + key;
  else if (bucket_wide) arn += "/*";
  return checker_->Check(action, arn);
}

Status CheckedObjectClient::CreateBucket(const std::string& bucket) {
  RETURN_IF_ERROR(Check("s3:CreateBucket", bucket));
  return inner_->CreateBucket(bucket);
}

objects::Result<objects::BucketInfo> CheckedObjectClient::HeadBucket(const std::string& bucket) {
  RETURN_IF_ERROR(Check("s3:ListBucket", bucket));
  return inner_->HeadBucket(bucket);
}

Status CheckedObjectClient::DeleteBucket(const std::string& bucket) {
  RETURN_IF_ERROR(Check("s3:DeleteBucket", bucket));
  return inner_->DeleteBucket(bucket);
}

objects::Result<std::vector<objects::BucketInfo>> CheckedObjectClient::ListBuckets() {
  RETURN_IF_ERROR(checker_->Check("s3:ListAllMyBuckets", "*"));
  return inner_->ListBuckets();
}

objects::Result<objects::ObjectInfo> CheckedObjectClient::PutObject(const std::string& bucket, const std::string& key,
                                                                   std::string_view data,
                                                                   const objects::PutOptions& options) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->PutObject(bucket, key, data, options);
}

objects::Result<std::unique_ptr<objects::ObjectWriter>> CheckedObjectClient::NewObjectWriter(
    const std::string& bucket, const std::string& key, const objects::PutOptions& options) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->NewObjectWriter(bucket, key, options);
}

objects::Result<objects::GetResult> CheckedObjectClient::GetObject(const std::string& bucket, const std::string& key,
                                                                   const objects::GetOptions& options) {
  RETURN_IF_ERROR(Check("s3:GetObject", bucket, key));
  return inner_->GetObject(bucket, key, options);
}

objects::Result<objects::ObjectInfo> CheckedObjectClient::HeadObject(const std::string& bucket, const std::string& key,
                                                                    const objects::Conditions& conditions) {
  RETURN_IF_ERROR(Check("s3:GetObject", bucket, key));
  return inner_->HeadObject(bucket, key, conditions);
}

Status CheckedObjectClient::DeleteObject(const std::string& bucket, const std::string& key) {
  RETURN_IF_ERROR(Check("s3:DeleteObject", bucket, key));
  return inner_->DeleteObject(bucket, key);
}

objects::Result<std::vector<objects::DeleteResult>> CheckedObjectClient::DeleteObjects(
    const std::string& bucket, const std::vector<std::string>& keys) {
  for (const std::string& key : keys) RETURN_IF_ERROR(Check("s3:DeleteObject", bucket, key));
  return inner_->DeleteObjects(bucket, keys);
}

objects::Result<objects::ObjectInfo> CheckedObjectClient::CopyObject(const objects::CopyRequest& request) {
  RETURN_IF_ERROR(Check("s3:GetObject", request.source_bucket, request.source_key));
  RETURN_IF_ERROR(Check("s3:PutObject", request.bucket, request.key));
  return inner_->CopyObject(request);
}

objects::Result<objects::ListObjectsResult> CheckedObjectClient::ListObjects(
    const objects::ListObjectsRequest& request) {
  RETURN_IF_ERROR(Check("s3:ListBucket", request.bucket));
  return inner_->ListObjects(request);
}

objects::Result<objects::MultipartUpload> CheckedObjectClient::CreateMultipartUpload(
    const std::string& bucket, const std::string& key, const objects::ObjectMetadata& metadata) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->CreateMultipartUpload(bucket, key, metadata);
}

objects::Result<objects::PartInfo> CheckedObjectClient::UploadPart(const std::string& bucket, const std::string& key,
                                                                  const std::string& upload_id, int part_number,
                                                                  std::string_view data,
                                                                  const std::optional<std::string>& md5) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->UploadPart(bucket, key, upload_id, part_number, data, md5);
}

objects::Result<std::unique_ptr<objects::PartWriter>> CheckedObjectClient::NewPartWriter(
    const std::string& bucket, const std::string& key, const std::string& upload_id, int part_number,
    const std::optional<std::string>& md5) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->NewPartWriter(bucket, key, upload_id, part_number, md5);
}

objects::Result<objects::PartInfo> CheckedObjectClient::UploadPartCopy(const std::string& bucket,
                                                                      const std::string& key,
                                                                      const std::string& upload_id, int part_number,
                                                                      const objects::CopyRequest& source,
                                                                      const std::optional<objects::ByteRange>& range) {
  RETURN_IF_ERROR(Check("s3:GetObject", source.source_bucket, source.source_key));
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->UploadPartCopy(bucket, key, upload_id, part_number, source, range);
}

objects::Result<objects::ObjectInfo> CheckedObjectClient::CompleteMultipartUpload(
    const std::string& bucket, const std::string& key, const std::string& upload_id,
    const std::vector<objects::CompletedPart>& parts) {
  RETURN_IF_ERROR(Check("s3:PutObject", bucket, key));
  return inner_->CompleteMultipartUpload(bucket, key, upload_id, parts);
}

Status CheckedObjectClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                                 const std::string& upload_id) {
  RETURN_IF_ERROR(Check("s3:AbortMultipartUpload", bucket, key));
  return inner_->AbortMultipartUpload(bucket, key, upload_id);
}

objects::Result<objects::ListPartsResult> CheckedObjectClient::ListParts(const std::string& bucket,
                                                                        const std::string& key,
                                                                        const std::string& upload_id, int max_parts,
                                                                        int part_number_marker) {
  RETURN_IF_ERROR(Check("s3:ListMultipartUploadParts", bucket, key));
  return inner_->ListParts(bucket, key, upload_id, max_parts, part_number_marker);
}

objects::Result<objects::ListUploadsResult> CheckedObjectClient::ListMultipartUploads(const std::string& bucket,
                                                                                     const std::string& prefix,
                                                                                     int max_uploads) {
  RETURN_IF_ERROR(Check("s3:ListBucketMultipartUploads", bucket));
  return inner_->ListMultipartUploads(bucket, prefix, max_uploads);
}

}  // namespace roles
