#include "iam/internal_tables.h"

namespace iam {
namespace {

using common::Status;

// shop-users holds the customers' argon2id password hashes (the console's
// redaction does not cover :4566, and a hash invites offline guessing).
constexpr std::string_view kInternalPrefixes[] = {"rivulet-iam", "rivulet-sessions", "rivulet-api-keys",
                                                  "shop-sessions", "shop-api-keys", "shop-users"};

Status Refused(std::string_view operation, std::string_view table_name) {
  return Status::PermissionDenied("no principal may perform dynamodb:" + std::string(operation) + " on table " +
                                  std::string(table_name) + ": it is internal to Rivulet and holds secrets");
}

}  // namespace

bool IsInternalTable(std::string_view table_name) {
  if (table_name.rfind("arn:", 0) == 0) {
    size_t slash = table_name.find(":table/");
    if (slash == std::string_view::npos) return false;
    table_name.remove_prefix(slash + 7);
    table_name = table_name.substr(0, table_name.find('/'));  // ".../table/t/index/i", ".../table/t/stream/..."
  }
  for (std::string_view prefix : kInternalPrefixes) {
    if (table_name.rfind(prefix, 0) == 0) return true;
  }
  return false;
}

#define REFUSE_INTERNAL(operation, name) \
  if (IsInternalTable(name)) return Refused(operation, name)

common::Result<table::TableDescription> ExternalTables::CreateTable(const table::CreateTableRequest& request) {
  REFUSE_INTERNAL("CreateTable", request.table_name);
  return inner_->CreateTable(request);
}

common::Result<table::TableDescription> ExternalTables::DeleteTable(const std::string& table_name) {
  REFUSE_INTERNAL("DeleteTable", table_name);
  return inner_->DeleteTable(table_name);
}

common::Result<table::TableDescription> ExternalTables::DescribeTable(const std::string& table_name) {
  REFUSE_INTERNAL("DescribeTable", table_name);
  return inner_->DescribeTable(table_name);
}

common::Result<table::TableDescription> ExternalTables::UpdateTable(const table::UpdateTableRequest& request) {
  REFUSE_INTERNAL("UpdateTable", request.table_name);
  return inner_->UpdateTable(request);
}

common::Result<std::vector<std::string>> ExternalTables::ListTables(const std::string& exclusive_start, int limit,
                                                                    std::string* last) {
  if (limit <= 0 || limit > 100) limit = 100;
  // Read pages until one name beyond `limit` is known (then there is a next
  // page) or the tables run out, skipping the internal ones.
  std::vector<std::string> names;
  std::string start = exclusive_start;
  while (static_cast<int>(names.size()) <= limit) {
    std::string inner_last;
    ASSIGN_OR_RETURN(std::vector<std::string> page, inner_->ListTables(start, 100, &inner_last));
    for (std::string& name : page) {
      if (!IsInternalTable(name)) names.push_back(std::move(name));
    }
    if (inner_last.empty() || page.empty()) break;
    start = inner_last;
  }
  if (static_cast<int>(names.size()) > limit) {
    names.resize(limit);
    if (last != nullptr) *last = names.back();
  }
  return names;
}

Status ExternalTables::UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) {
  REFUSE_INTERNAL("UpdateTimeToLive", table_name);
  return inner_->UpdateTimeToLive(table_name, attribute_name);
}

common::Result<table::WriteResult> ExternalTables::PutItem(const table::PutItemRequest& request,
                                                           table::WriteFailure* failure) {
  REFUSE_INTERNAL("PutItem", request.table_name);
  return inner_->PutItem(request, failure);
}

common::Result<table::WriteResult> ExternalTables::UpdateItem(const table::UpdateItemRequest& request,
                                                              table::WriteFailure* failure) {
  REFUSE_INTERNAL("UpdateItem", request.table_name);
  return inner_->UpdateItem(request, failure);
}

common::Result<table::WriteResult> ExternalTables::DeleteItem(const table::DeleteItemRequest& request,
                                                              table::WriteFailure* failure) {
  REFUSE_INTERNAL("DeleteItem", request.table_name);
  return inner_->DeleteItem(request, failure);
}

common::Result<std::optional<table::Item>> ExternalTables::GetItem(const table::GetItemRequest& request) {
  REFUSE_INTERNAL("GetItem", request.table_name);
  return inner_->GetItem(request);
}

common::Result<table::QueryResult> ExternalTables::Query(const table::QueryRequest& request) {
  REFUSE_INTERNAL("Query", request.table_name);
  return inner_->Query(request);
}

common::Result<table::QueryResult> ExternalTables::Scan(const table::ScanRequest& request) {
  REFUSE_INTERNAL("Scan", request.table_name);
  return inner_->Scan(request);
}

common::Result<table::BatchGetResult> ExternalTables::BatchGetItem(
    const std::map<std::string, table::KeysAndAttributes>& request) {
  for (const auto& [name, keys] : request) REFUSE_INTERNAL("BatchGetItem", name);
  return inner_->BatchGetItem(request);
}

common::Result<table::BatchWriteResult> ExternalTables::BatchWriteItem(
    const std::map<std::string, std::vector<table::WriteRequest>>& request) {
  for (const auto& [name, writes] : request) REFUSE_INTERNAL("BatchWriteItem", name);
  return inner_->BatchWriteItem(request);
}

Status ExternalTables::TransactWriteItems(const std::vector<table::TransactWriteItem>& items,
                                          const std::string& client_request_token, table::WriteFailure* failure) {
  for (const auto& item : items) REFUSE_INTERNAL("TransactWriteItems", item.table_name);
  return inner_->TransactWriteItems(items, client_request_token, failure);
}

common::Result<std::vector<std::optional<table::Item>>> ExternalTables::TransactGetItems(
    const std::vector<table::TransactGetItem>& items) {
  for (const auto& item : items) REFUSE_INTERNAL("TransactGetItems", item.table_name);
  return inner_->TransactGetItems(items);
}

#undef REFUSE_INTERNAL

}  // namespace iam
