// TableClient, StreamClient and ObjectClient that check every call against
// a RoleChecker (a built-in function's execution role) before passing it to
// the real client, with the action and resource ARN the AWS endpoint would
// use for the same call:
//   tables   dynamodb:<Operation> on arn:aws:dynamodb:<region>:<account>:table/<name>,
//            with dynamodb:LeadingKeys for single-item calls; a transaction
//            checks each action it contains (PutItem, UpdateItem, DeleteItem,
//            ConditionCheckItem, GetItem) with dynamodb:EnclosingOperation,
//            as AWS does
//   streams  kinesis:<Operation> on arn:aws:kinesis:<region>:<account>:stream/<name>
//            (GetRecords on "*": an iterator does not name its stream)
//   objects  s3:<Action> on arn:aws:s3:::<bucket>[/<key>]
// A denied call returns PermissionDenied and never reaches the real client.
//
// Thread safety: as the wrapped clients. Not owned: the checker and the
// inner client must outlive the wrapper.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "objects/object_client.h"
#include "roles/role_checker.h"
#include "stream/stream_client.h"
#include "table/table_client.h"

namespace roles {

class CheckedTableClient final : public table::TableClient {
 public:
  CheckedTableClient(table::TableClient* inner, const RoleChecker* checker) : inner_(inner), checker_(checker) {}

  common::Result<table::TableDescription> CreateTable(const table::CreateTableRequest& request) override;
  common::Result<table::TableDescription> DeleteTable(const std::string& table_name) override;
  common::Result<table::TableDescription> DescribeTable(const std::string& table_name) override;
  common::Result<table::TableDescription> UpdateTable(const table::UpdateTableRequest& request) override;
  common::Result<std::vector<std::string>> ListTables(const std::string& exclusive_start, int limit,
                                                      std::string* last) override;
  common::Status UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) override;
  common::Result<table::WriteResult> PutItem(const table::PutItemRequest& request,
                                             table::WriteFailure* failure = nullptr) override;
  common::Result<table::WriteResult> UpdateItem(const table::UpdateItemRequest& request,
                                                table::WriteFailure* failure = nullptr) override;
  common::Result<table::WriteResult> DeleteItem(const table::DeleteItemRequest& request,
                                                table::WriteFailure* failure = nullptr) override;
  common::Result<std::optional<table::Item>> GetItem(const table::GetItemRequest& request) override;
  common::Result<table::QueryResult> Query(const table::QueryRequest& request) override;
  common::Result<table::QueryResult> Scan(const table::ScanRequest& request) override;
  common::Result<table::BatchGetResult> BatchGetItem(
      const std::map<std::string, table::KeysAndAttributes>& request) override;
  common::Result<table::BatchWriteResult> BatchWriteItem(
      const std::map<std::string, std::vector<table::WriteRequest>>& request) override;
  common::Status TransactWriteItems(const std::vector<table::TransactWriteItem>& items,
                                    const std::string& client_request_token,
                                    table::WriteFailure* failure = nullptr) override;
  common::Result<std::vector<std::optional<table::Item>>> TransactGetItems(
      const std::vector<table::TransactGetItem>& items) override;
  common::Status CheckTransactWriteItems(const std::vector<table::TransactWriteItem>& items) override;

 private:
  std::string Arn(const std::string& table_name) const;
  common::Status CheckTable(const char* action, const std::string& table_name) const;
  // With dynamodb:LeadingKeys (the item's partition key value) when known.
  common::Status CheckItem(const char* action, const std::string& table_name, const table::Item& key,
                           const char* enclosing = nullptr);
  std::string HashKeyOf(const std::string& table_name);

  table::TableClient* inner_;
  const RoleChecker* checker_;
  std::mutex mu_;
  std::map<std::string, std::string> hash_keys_;  // table -> partition key attribute, guarded by mu_
};

class CheckedStreamClient final : public stream::StreamClient {
 public:
  CheckedStreamClient(stream::StreamClient* inner, const RoleChecker* checker) : inner_(inner), checker_(checker) {}

  stream::Status CreateStream(const std::string& name, int shard_count, stream::StreamMode mode) override;
  stream::Status DeleteStream(const std::string& name) override;
  stream::Result<stream::StreamDescription> DescribeStream(const std::string& name) override;
  stream::Result<std::vector<std::string>> ListStreams() override;
  void PutRecords(const std::string& stream_name, std::vector<stream::PutEntry> entries, PutCallback done) override;
  stream::Result<std::vector<stream::Result<stream::PutResult>>> PutRecordsAndWait(
      const std::string& stream_name, std::vector<stream::PutEntry> entries) override;
  stream::Result<std::string> GetShardIterator(const stream::IteratorRequest& request) override;
  stream::Result<stream::GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit) override;
  stream::Result<std::unique_ptr<stream::Subscription>> Subscribe(const std::string& stream_name,
                                                                  stream::NewRecordsCallback callback) override;

 private:
  common::Status Check(const char* action, const std::string& stream_name) const;

  stream::StreamClient* inner_;
  const RoleChecker* checker_;
};

class CheckedObjectClient final : public objects::ObjectClient {
 public:
  CheckedObjectClient(objects::ObjectClient* inner, const RoleChecker* checker) : inner_(inner), checker_(checker) {}

  objects::Status CreateBucket(const std::string& bucket) override;
  objects::Result<objects::BucketInfo> HeadBucket(const std::string& bucket) override;
  objects::Status DeleteBucket(const std::string& bucket) override;
  objects::Result<std::vector<objects::BucketInfo>> ListBuckets() override;
  objects::Result<objects::ObjectInfo> PutObject(const std::string& bucket, const std::string& key,
                                                 std::string_view data, const objects::PutOptions& options) override;
  objects::Result<std::unique_ptr<objects::ObjectWriter>> NewObjectWriter(const std::string& bucket,
                                                                          const std::string& key,
                                                                          const objects::PutOptions& options) override;
  objects::Result<objects::GetResult> GetObject(const std::string& bucket, const std::string& key,
                                                const objects::GetOptions& options) override;
  objects::Result<objects::ObjectInfo> HeadObject(const std::string& bucket, const std::string& key,
                                                  const objects::Conditions& conditions) override;
  objects::Status DeleteObject(const std::string& bucket, const std::string& key) override;
  objects::Result<std::vector<objects::DeleteResult>> DeleteObjects(const std::string& bucket,
                                                                    const std::vector<std::string>& keys) override;
  objects::Result<objects::ObjectInfo> CopyObject(const objects::CopyRequest& request) override;
  objects::Result<objects::ListObjectsResult> ListObjects(const objects::ListObjectsRequest& request) override;
  objects::Result<objects::MultipartUpload> CreateMultipartUpload(const std::string& bucket, const std::string& key,
                                                                  const objects::ObjectMetadata& metadata) override;
  objects::Result<objects::PartInfo> UploadPart(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id, int part_number, std::string_view data,
                                                const std::optional<std::string>& content_md5_base64) override;
  objects::Result<std::unique_ptr<objects::PartWriter>> NewPartWriter(
      const std::string& bucket, const std::string& key, const std::string& upload_id, int part_number,
      const std::optional<std::string>& content_md5_base64) override;
  objects::Result<objects::PartInfo> UploadPartCopy(const std::string& bucket, const std::string& key,
                                                    const std::string& upload_id, int part_number,
                                                    const objects::CopyRequest& source,
                                                    const std::optional<objects::ByteRange>& range) override;
  objects::Result<objects::ObjectInfo> CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                               const std::string& upload_id,
                                                               const std::vector<objects::CompletedPart>& parts) override;
  objects::Status AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                       const std::string& upload_id) override;
  objects::Result<objects::ListPartsResult> ListParts(const std::string& bucket, const std::string& key,
                                                      const std::string& upload_id, int max_parts,
                                                      int part_number_marker) override;
  objects::Result<objects::ListUploadsResult> ListMultipartUploads(const std::string& bucket,
                                                                   const std::string& prefix,
                                                                   int max_uploads) override;

 private:
  common::Status Check(const char* action, const std::string& bucket, const std::string& key = "",
                       bool bucket_wide = false) const;

  objects::ObjectClient* inner_;
  const RoleChecker* checker_;
};

}  // namespace roles
