#include "orders/schema.h"

namespace orders {
namespace {

using table::AttributeDefinition;
using table::CreateTableRequest;
using table::GlobalSecondaryIndex;
using table::KeySchemaElement;
using table::KeyType;

KeySchemaElement Hash(std::string name) { return {std::move(name), KeyType::kHash}; }
KeySchemaElement Range(std::string name) { return {std::move(name), KeyType::kRange}; }
AttributeDefinition Str(std::string name) { return {std::move(name), table::AttributeValue::Type::kS}; }

common::Status Create(table::TableClient* tables, CreateTableRequest request, const std::string& ttl_attribute) {
  auto created = tables->CreateTable(request);
  if (!created.ok() && created.status().code() != common::Status::Code::kResourceInUse) {
    return created.status().WithContext("creating table " + request.table_name);
  }
  if (created.ok() && !ttl_attribute.empty()) {
    RETURN_IF_ERROR(tables->UpdateTimeToLive(request.table_name, ttl_attribute));
  }
  return common::Status::OK();
}

GlobalSecondaryIndex Gsi(std::string name, std::string hash, std::string range = "",
                         table::ProjectionType projection = table::ProjectionType::kAll) {
  GlobalSecondaryIndex gsi;
  gsi.index_name = std::move(name);
  gsi.key_schema.push_back(Hash(std::move(hash)));
  if (!range.empty()) gsi.key_schema.push_back(Range(std::move(range)));
  gsi.projection.type = projection;
  return gsi;
}

}  // namespace

common::Status EnsureTables(table::TableClient* tables) {
  CreateTableRequest users{kUsersTable, {Hash("id")}, {Str("id"), Str("email")}, {Gsi(kByEmailIndex, "email")}};
  RETURN_IF_ERROR(Create(tables, users, ""));
  RETURN_IF_ERROR(Create(tables, {kSessionsTable, {Hash("tokenHash")}, {Str("tokenHash")}, {}}, "expiresAt"));
  RETURN_IF_ERROR(Create(tables, {kProductsTable, {Hash("id")}, {Str("id")}, {}}, ""));
  CreateTableRequest orders{kOrdersTable,
                            {Hash("id")},
                            {Str("id"), Str("customerId"), Str("createdAt"), Str("status"), Str("all")},
                            // The order lists read the rows themselves (QueryOrders):
                            // an index copy of every order in each of three indexes
                            // tripled the bytes each status change writes. Keys only,
                            // so a status change rewrites no entry of byCustomer and
                            // byTime (tables made before keep `status` projected).
                            {Gsi(kByCustomerIndex, "customerId", "createdAt", table::ProjectionType::kKeysOnly),
                             Gsi(kByStatusIndex, "status", "createdAt", table::ProjectionType::kKeysOnly),
                             Gsi(kByTimeIndex, "all", "createdAt", table::ProjectionType::kKeysOnly)}};
  RETURN_IF_ERROR(Create(tables, orders, ""));
  RETURN_IF_ERROR(Create(tables, {kIdempotencyTable, {Hash("key")}, {Str("key")}, {}}, "expiresAt"));
  return common::Status::OK();
}

table::PutItemRequest NewIdempotencyKey(const std::string& key, const std::string& order_id,
                                        const std::string& fingerprint, int64_t now_millis) {
  constexpr int64_t kTtlSeconds = 24 * 3600;
  using table::AttributeValue;
  table::PutItemRequest put;
  put.table_name = kIdempotencyTable;
  put.item = {{"key", AttributeValue::S(key)},
              {"orderId", AttributeValue::S(order_id)},
              {"fingerprint", AttributeValue::S(fingerprint)},
              {"expiresAt", AttributeValue::N(std::to_string(now_millis / 1000 + kTtlSeconds))}};
  put.condition_expression = "attribute_not_exists(#k)";
  put.attributes.names["#k"] = "key";
  put.return_old_on_condition_failure = true;
  return put;
}

common::Status EnsureStreams(stream::StreamClient* streams, int shards) {
  for (const char* name : {kOrdersStream, kActivityStream}) {
    common::Status s = streams->CreateStream(name, shards, stream::StreamMode::kProvisioned);
    if (!s.ok() && s.code() != common::Status::Code::kResourceInUse) {
      return s.WithContext(std::string("creating stream ") + name);
    }
  }
  return common::Status::OK();
}

}  // namespace orders
