// CheckedTableClient: dynamodb:<Operation> on the table's ARN, then the call.
#include "roles/checked_clients.h"

namespace roles {

using common::Status;

std::string CheckedTableClient::Arn(const std::string& table_name) const {
  if (table_name.rfind("arn:", 0) == 0) return table_name;
  return "arn:aws:dynamodb:" + checker_->region() + ":" + checker_->account() + ":table/" + table_name;
}

Status CheckedTableClient::CheckTable(const char* action, const std::string& table_name) const {
  return checker_->Check(action, Arn(table_name));
}

std::string CheckedTableClient::HashKeyOf(const std::string& table_name) {
  {
    std::lock_guard lock(mu_);
    if (auto it = hash_keys_.find(table_name); it != hash_keys_.end()) return it->second;
  }
  // Read once per table (a table's key schema never changes under its name
  // while it exists); an unknown table gives "" and is asked again next time.
  auto description = inner_->DescribeTable(table_name);
  if (!description.ok()) return "";
  std::string hash;
  for (const auto& key : description->key_schema) {
    if (key.key_type == table::KeyType::kHash) hash = key.attribute_name;
  }
  std::lock_guard lock(mu_);
  hash_keys_[table_name] = hash;
  return hash;
}

Status CheckedTableClient::CheckItem(const char* action, const std::string& table_name, const table::Item& key,
                                     const char* enclosing) {
  return checker_->Check(action, Arn(table_name), [&](std::vector<std::pair<std::string, std::string>>* context) {
    std::string hash = HashKeyOf(table_name);
    if (auto it = key.find(hash);
        !hash.empty() && it != key.end() && it->second.type() != table::AttributeValue::Type::kB) {
      context->emplace_back("dynamodb:LeadingKeys", it->second.scalar());
    }
    if (enclosing != nullptr) context->emplace_back("dynamodb:EnclosingOperation", enclosing);
  });
}

common::Result<table::TableDescription> CheckedTableClient::CreateTable(const table::CreateTableRequest& request) {
  RETURN_IF_ERROR(CheckTable("dynamodb:CreateTable", request.table_name));
  return inner_->CreateTable(request);
}

common::Result<table::TableDescription> CheckedTableClient::DeleteTable(const std::string& table_name) {
  RETURN_IF_ERROR(CheckTable("dynamodb:DeleteTable", table_name));
  {
    std::lock_guard lock(mu_);
    hash_keys_.erase(table_name);
  }
  return inner_->DeleteTable(table_name);
}

common::Result<table::TableDescription> CheckedTableClient::DescribeTable(const std::string& table_name) {
  RETURN_IF_ERROR(CheckTable("dynamodb:DescribeTable", table_name));
  return inner_->DescribeTable(table_name);
}

common::Result<table::TableDescription> CheckedTableClient::UpdateTable(const table::UpdateTableRequest& request) {
  RETURN_IF_ERROR(CheckTable("dynamodb:UpdateTable", request.table_name));
  return inner_->UpdateTable(request);
}

common::Result<std::vector<std::string>> CheckedTableClient::ListTables(const std::string& exclusive_start, int limit,
                                                                        std::string* last) {
  RETURN_IF_ERROR(checker_->Check("dynamodb:ListTables", "*"));
  return inner_->ListTables(exclusive_start, limit, last);
}

Status CheckedTableClient::UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) {
  RETURN_IF_ERROR(CheckTable("dynamodb:UpdateTimeToLive", table_name));
  return inner_->UpdateTimeToLive(table_name, attribute_name);
}

common::Result<table::WriteResult> CheckedTableClient::PutItem(const table::PutItemRequest& request,
                                                               table::WriteFailure* failure) {
  RETURN_IF_ERROR(CheckItem("dynamodb:PutItem", request.table_name, request.item));
  return inner_->PutItem(request, failure);
}

common::Result<table::WriteResult> CheckedTableClient::UpdateItem(const table::UpdateItemRequest& request,
                                                                  table::WriteFailure* failure) {
  RETURN_IF_ERROR(CheckItem("dynamodb:UpdateItem", request.table_name, request.key));
  return inner_->UpdateItem(request, failure);
}

common::Result<table::WriteResult> CheckedTableClient::DeleteItem(const table::DeleteItemRequest& request,
                                                                  table::WriteFailure* failure) {
  RETURN_IF_ERROR(CheckItem("dynamodb:DeleteItem", request.table_name, request.key));
  return inner_->DeleteItem(request, failure);
}

common::Result<std::optional<table::Item>> CheckedTableClient::GetItem(const table::GetItemRequest& request) {
  RETURN_IF_ERROR(CheckItem("dynamodb:GetItem", request.table_name, request.key));
  return inner_->GetItem(request);
}

common::Result<table::QueryResult> CheckedTableClient::Query(const table::QueryRequest& request) {
  std::string arn = Arn(request.table_name);
  if (!request.index_name.empty()) arn += "/index/" + request.index_name;
  RETURN_IF_ERROR(checker_->Check("dynamodb:Query", arn));
  return inner_->Query(request);
}

common::Result<table::QueryResult> CheckedTableClient::Scan(const table::ScanRequest& request) {
  std::string arn = Arn(request.table_name);
  if (!request.index_name.empty()) arn += "/index/" + request.index_name;
  RETURN_IF_ERROR(checker_->Check("dynamodb:Scan", arn));
  return inner_->Scan(request);
}

common::Result<table::BatchGetResult> CheckedTableClient::BatchGetItem(
    const std::map<std::string, table::KeysAndAttributes>& request) {
  for (const auto& [name, keys] : request) RETURN_IF_ERROR(CheckTable("dynamodb:BatchGetItem", name));
  return inner_->BatchGetItem(request);
}

common::Result<table::BatchWriteResult> CheckedTableClient::BatchWriteItem(
    const std::map<std::string, std::vector<table::WriteRequest>>& request) {
  for (const auto& [name, writes] : request) RETURN_IF_ERROR(CheckTable("dynamodb:BatchWriteItem", name));
  return inner_->BatchWriteItem(request);
}

Status CheckedTableClient::TransactWriteItems(const std::vector<table::TransactWriteItem>& items,
                                              const std::string& client_request_token, table::WriteFailure* failure) {
  RETURN_IF_ERROR(CheckTransactWriteItems(items));
  return inner_->TransactWriteItems(items, client_request_token, failure);
}

Status CheckedTableClient::CheckTransactWriteItems(const std::vector<table::TransactWriteItem>& items) {
  for (const auto& item : items) {
    using Kind = table::TransactWriteItem::Kind;
    const char* action = item.kind == Kind::kPut      ? "dynamodb:PutItem"
                         : item.kind == Kind::kUpdate ? "dynamodb:UpdateItem"
                         : item.kind == Kind::kDelete ? "dynamodb:DeleteItem"
                                                      : "dynamodb:ConditionCheckItem";
    RETURN_IF_ERROR(CheckItem(action, item.table_name, item.kind == Kind::kPut ? item.item : item.key,
                              "TransactWriteItems"));
  }
  return Status::OK();
}

common::Result<std::vector<std::optional<table::Item>>> CheckedTableClient::TransactGetItems(
    const std::vector<table::TransactGetItem>& items) {
  for (const auto& item : items) {
    RETURN_IF_ERROR(CheckItem("dynamodb:GetItem", item.table_name, item.key, "TransactGetItems"));
  }
  return inner_->TransactGetItems(items);
}

}  // namespace roles
