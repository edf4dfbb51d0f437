// RemoteTableClient: the TableClient interface over DynamoDB's JSON 1.0
// protocol, for real Amazon DynamoDB or any service that speaks it (another
// Rivulet's :4566, dynalite, ScyllaDB Alternator).
//
// Differences from the embedded engine that callers may notice: CreateTable
// waits until the table is ACTIVE (DynamoDB creates asynchronously), and
// BatchGetItem/BatchWriteItem retry unprocessed entries (with backoff) until
// none remain or the retries run out, so the caller's contract ("always empty
// here") holds.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include "aws/remote/aws_http.h"
#include "table/table_client.h"

namespace aws::remote {

class RemoteTableClient final : public table::TableClient {
 public:
  explicit RemoteTableClient(EndpointOptions endpoint);  // service "dynamodb"

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

  const RemoteCallStats& stats() const { return http_.stats(); }
  void Cancel() { http_.Cancel(); }

 private:
  // Sends one DynamoDB operation; the answer's text, or the AWS error as a
  // Status. When `failure` is given, a ConditionalCheckFailedException's Item
  // and a TransactionCanceledException's reasons are copied into it.
  common::Result<std::string> Call(std::string_view operation, std::string body,
                                   table::WriteFailure* failure = nullptr);

  AwsHttp http_;
};

}  // namespace aws::remote
