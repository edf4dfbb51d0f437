// Rivulet's internal tables whose contents are secrets (access keys, web
// sessions, API keys, the shop's password hashes) and the TableClient the outside world sees: the same
// tables minus those. The DynamoDB adapter on :4566 and the operations
// console get `ExternalTables`; the in-process owners (IdentityStore, the
// shop's session store) keep the engine itself.
//
// Why a wrapper and not a policy: every principal, root included, must be
// refused, whatever policies say (root could otherwise read every user's
// secret key, and anyone with dynamodb:PutItem on the sessions table could
// mint an admin session). Checking here, after the adapter has parsed the
// request, also leaves no room for the authorizer and the handler to read a
// request differently. (server/services.cc: on a `--role api` node, whose
// workers use its tables through :4566 as root, root requests skip it.)
//
// Thread safety: as the wrapped client (the wrapper holds no state).
#pragma once

#include <string_view>

#include "table/table_client.h"

namespace iam {

// True for the tables no one outside the process may touch: names starting
// with rivulet-iam, rivulet-sessions, rivulet-api-keys, shop-sessions,
// shop-api-keys or shop-users. An ARN ("arn:aws:dynamodb:...:table/<name>") is judged by
// its name.
bool IsInternalTable(std::string_view table_name);

class ExternalTables final : public table::TableClient {
 public:
  explicit ExternalTables(table::TableClient* inner) : inner_(inner) {}

  common::Result<table::TableDescription> CreateTable(const table::CreateTableRequest& request) override;
  common::Result<table::TableDescription> DeleteTable(const std::string& table_name) override;
  common::Result<table::TableDescription> DescribeTable(const std::string& table_name) override;
  common::Result<table::TableDescription> UpdateTable(const table::UpdateTableRequest& request) override;
  // Internal tables are left out of the listing (and of its paging).
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

 private:
  table::TableClient* inner_;
};

}  // namespace iam
