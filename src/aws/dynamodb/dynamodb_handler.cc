#include "aws/dynamodb/dynamodb_handler.h"

#include <simdjson.h>

#include "aws/common/aws_error.h"
#include "aws/common/json_reader.h"
#include "aws/common/json_writer.h"
#include "aws/dynamodb/attribute_json.h"
#include "common/thread_name.h"

namespace aws::dynamodb {
namespace {

using common::Result;
using common::Status;
using simdjson::dom::element;
using simdjson::dom::object;
using table::AttributeValue;
using table::Item;

constexpr char kContentType[] = "application/x-amz-json-1.0";
constexpr char kErrorPrefix[] = "com.amazonaws.dynamodb.v20120810#";

// ---- the one mapping from Status to DynamoDB's wire errors ----

// `failure` carries the old item (ConditionalCheckFailedException) or the
// cancellation reasons (TransactionCanceledException) when there are any.
gateway::Response ToResponse(const Status& status, std::string_view operation, const table::WriteFailure* failure,
                             std::string_view request_id) {
  int http = 400;
  std::string type;
  switch (status.code()) {
    case Status::Code::kInvalidArgument: type = "ValidationException"; break;
    case Status::Code::kNotFound: type = "ResourceNotFoundException"; break;
    case Status::Code::kResourceInUse: type = "ResourceInUseException"; break;
    case Status::Code::kConditionFailed:
      type = operation == "TransactWriteItems" || operation == "TransactGetItems" ? "TransactionCanceledException"
                                                                                   : "ConditionalCheckFailedException";
      break;
    case Status::Code::kAlreadyExists: type = "IdempotentParameterMismatchException"; break;
    case Status::Code::kLimitExceeded: type = "LimitExceededException"; break;
    case Status::Code::kThrottled: type = "ProvisionedThroughputExceededException"; break;
    case Status::Code::kUnauthenticated: type = "UnrecognizedClientException"; break;
    case Status::Code::kPermissionDenied: type = "AccessDeniedException"; break;
    default:
      http = 500;
      type = "InternalServerError";
      break;
  }
  std::string full_type = kErrorPrefix + type;
  JsonWriter json(128 + status.message().size());
  json.BeginObject().Field("__type", full_type);
  // A 500 names the request, never internals.
  json.Field("message", http == 500 ? "Internal server error; request id " + std::string(request_id) : status.message());
  if (failure != nullptr && status.IsConditionFailed()) {
    if (type == "ConditionalCheckFailedException" && failure->item) {
      json.Key("Item");
      WriteItem(*failure->item, &json);
    }
    if (type == "TransactionCanceledException") {
      json.Key("CancellationReasons").BeginArray();
      for (const auto& r : failure->reasons) {
        json.BeginObject().Field("Code", r.code);
        if (!r.message.empty()) json.Field("Message", r.message);
        if (r.item) {
          json.Key("Item");
          WriteItem(*r.item, &json);
        }
        json.EndObject();
      }
      json.EndArray();
    }
  }
  json.EndObject();
  gateway::Response response = JsonResponse(json.Take(), kContentType, request_id);
  response.status = http;
  response.headers.Add("x-amzn-ErrorType", type);
  return response;
}

// ---- request reading ----

Status TypeError(std::string_view key, std::string_view expected) {
  return Status::InvalidArgument("1 validation error detected: Value at '" + std::string(key) +
                                 "' failed to satisfy constraint: Member must be " + std::string(expected));
}

std::optional<element> Member(object o, std::string_view key) {
  element e;
  if (o.at_key(key).get(e) != simdjson::SUCCESS || e.is_null()) return std::nullopt;
  return e;
}

Result<std::string> OptString(object o, std::string_view key) {
  auto e = Member(o, key);
  if (!e) return std::string();
  std::string_view s;
  if (e->get(s) != simdjson::SUCCESS) return TypeError(key, "a string");
  return std::string(s);
}

Result<std::string> ReqString(object o, std::string_view key) {
  ASSIGN_OR_RETURN(std::string s, OptString(o, key));
  if (s.empty() && !Member(o, key)) {
    return Status::InvalidArgument("1 validation error detected: Value null at '" + std::string(1, static_cast<char>(std::tolower(key[0]))) +
                                   std::string(key.substr(1)) + "' failed to satisfy constraint: Member must not be null");
  }
  return s;
}

Result<std::optional<int64_t>> OptInt(object o, std::string_view key) {
  auto e = Member(o, key);
  if (!e) return std::optional<int64_t>();
  int64_t v;
  if (e->get(v) != simdjson::SUCCESS) return TypeError(key, "an integer");
  return std::optional<int64_t>(v);
}

Result<std::optional<bool>> OptBool(object o, std::string_view key) {
  auto e = Member(o, key);
  if (!e) return std::optional<bool>();
  bool v;
  if (e->get(v) != simdjson::SUCCESS) return TypeError(key, "a boolean");
  return std::optional<bool>(v);
}

Result<std::optional<object>> OptObject(object o, std::string_view key) {
  auto e = Member(o, key);
  if (!e) return std::optional<object>();
  object v;
  if (e->get(v) != simdjson::SUCCESS) return TypeError(key, "a structure");
  return std::optional<object>(v);
}

Result<simdjson::dom::array> ReqArray(object o, std::string_view key) {
  auto e = Member(o, key);
  simdjson::dom::array v;
  if (!e) return Status::InvalidArgument("1 validation error detected: Value null at '" + std::string(key) + "' failed to satisfy constraint: Member must not be null");
  if (e->get(v) != simdjson::SUCCESS) return TypeError(key, "a list");
  return v;
}

Result<Item> ReqItem(object o, std::string_view key) {
  auto e = Member(o, key);
  if (!e) return Status::InvalidArgument("1 validation error detected: Value null at '" + std::string(1, static_cast<char>(std::tolower(key[0]))) + std::string(key.substr(1)) + "' failed to satisfy constraint: Member must not be null");
  return ReadItem(*e);
}

Status RejectLegacy(object o) {
  for (const char* legacy : {"Expected", "AttributeUpdates", "KeyConditions", "QueryFilter", "ScanFilter",
                             "AttributesToGet", "ConditionalOperator"}) {
    if (Member(o, legacy)) {
      return Status::InvalidArgument(std::string("Legacy parameter ") + legacy +
                                     " is not supported; use the expression parameters instead");
    }
  }
  return Status::OK();
}

Result<table::ExpressionAttributes> ReadAttributes(object o) {
  table::ExpressionAttributes attrs;
  ASSIGN_OR_RETURN(auto names, OptObject(o, "ExpressionAttributeNames"));
  if (names) {
    if (names->size() == 0) return Status::InvalidArgument("ExpressionAttributeNames must not be empty");
    for (auto f : *names) {
      std::string_view v;
      if (f.value.get(v) != simdjson::SUCCESS) return TypeError("ExpressionAttributeNames", "a map of strings");
      attrs.names.emplace(std::string(f.key), std::string(v));
    }
  }
  auto values = Member(o, "ExpressionAttributeValues");
  if (values) {
    ASSIGN_OR_RETURN(attrs.values, ReadItem(*values));
    if (attrs.values.empty()) return Status::InvalidArgument("ExpressionAttributeValues must not be empty");
  }
  return attrs;
}

Result<table::ReturnValues> ReadReturnValues(object o) {
  ASSIGN_OR_RETURN(std::string rv, OptString(o, "ReturnValues"));
  if (rv.empty() || rv == "NONE") return table::ReturnValues::kNone;
  if (rv == "ALL_OLD") return table::ReturnValues::kAllOld;
  if (rv == "UPDATED_OLD") return table::ReturnValues::kUpdatedOld;
  if (rv == "ALL_NEW") return table::ReturnValues::kAllNew;
  if (rv == "UPDATED_NEW") return table::ReturnValues::kUpdatedNew;
  return Status::InvalidArgument("1 validation error detected: Value '" + rv +
                                 "' at 'returnValues' failed to satisfy constraint: Member must satisfy enum value set: "
                                 "[ALL_NEW, UPDATED_OLD, ALL_OLD, NONE, UPDATED_NEW]");
}

Result<bool> ReadReturnOnFailure(object o) {
  ASSIGN_OR_RETURN(std::string rv, OptString(o, "ReturnValuesOnConditionCheckFailure"));
  if (rv.empty() || rv == "NONE") return false;
  if (rv == "ALL_OLD") return true;
  return Status::InvalidArgument("1 validation error detected: Value '" + rv +
                                 "' at 'returnValuesOnConditionCheckFailure' failed to satisfy constraint: Member must "
                                 "satisfy enum value set: [ALL_OLD, NONE]");
}

Result<table::Select> ReadSelect(object o, bool has_projection) {
  ASSIGN_OR_RETURN(std::string s, OptString(o, "Select"));
  if (s.empty()) return has_projection ? table::Select::kSpecificAttributes : table::Select::kAllAttributes;
  if (s == "ALL_ATTRIBUTES") return table::Select::kAllAttributes;
  if (s == "COUNT") return table::Select::kCount;
  if (s == "SPECIFIC_ATTRIBUTES") return table::Select::kSpecificAttributes;
  if (s == "ALL_PROJECTED_ATTRIBUTES") return table::Select::kAllProjectedAttributes;
  return Status::InvalidArgument("1 validation error detected: Value '" + s + "' at 'select' failed to satisfy constraint: Member must satisfy enum value set: [SPECIFIC_ATTRIBUTES, COUNT, ALL_ATTRIBUTES, ALL_PROJECTED_ATTRIBUTES]");
}

Result<std::vector<table::KeySchemaElement>> ReadKeySchema(object o) {
  ASSIGN_OR_RETURN(auto array, ReqArray(o, "KeySchema"));
  std::vector<table::KeySchemaElement> out;
  for (element e : array) {
    object k;
    if (e.get(k) != simdjson::SUCCESS) return TypeError("KeySchema", "a list of structures");
    table::KeySchemaElement kse;
    ASSIGN_OR_RETURN(kse.attribute_name, ReqString(k, "AttributeName"));
    ASSIGN_OR_RETURN(std::string type, ReqString(k, "KeyType"));
    if (type == "HASH") {
      kse.key_type = table::KeyType::kHash;
    } else if (type == "RANGE") {
      kse.key_type = table::KeyType::kRange;
    } else {
      return Status::InvalidArgument("1 validation error detected: Value '" + type + "' at 'keySchema.1.member.keyType' failed to satisfy constraint: Member must satisfy enum value set: [HASH, RANGE]");
    }
    out.push_back(std::move(kse));
  }
  return out;
}

Result<std::vector<table::AttributeDefinition>> ReadAttributeDefinitions(object o, bool required) {
  std::vector<table::AttributeDefinition> out;
  if (!required && !Member(o, "AttributeDefinitions")) return out;
  ASSIGN_OR_RETURN(auto array, ReqArray(o, "AttributeDefinitions"));
  for (element e : array) {
    object d;
    if (e.get(d) != simdjson::SUCCESS) return TypeError("AttributeDefinitions", "a list of structures");
    table::AttributeDefinition def;
    ASSIGN_OR_RETURN(def.attribute_name, ReqString(d, "AttributeName"));
    ASSIGN_OR_RETURN(std::string type, ReqString(d, "AttributeType"));
    if (type != "S" && type != "N" && type != "B") {
      return Status::InvalidArgument("1 validation error detected: Value '" + type + "' at 'attributeDefinitions.1.member.attributeType' failed to satisfy constraint: Member must satisfy enum value set: [B, N, S]");
    }
    table::ParseTypeName(type, &def.attribute_type);
    out.push_back(std::move(def));
  }
  return out;
}

Result<table::GlobalSecondaryIndex> ReadIndex(object g) {
  table::GlobalSecondaryIndex index;
  ASSIGN_OR_RETURN(index.index_name, ReqString(g, "IndexName"));
  ASSIGN_OR_RETURN(index.key_schema, ReadKeySchema(g));
  ASSIGN_OR_RETURN(auto projection, OptObject(g, "Projection"));
  if (projection) {
    ASSIGN_OR_RETURN(std::string type, OptString(*projection, "ProjectionType"));
    if (type == "KEYS_ONLY") {
      index.projection.type = table::ProjectionType::kKeysOnly;
    } else if (type == "INCLUDE") {
      index.projection.type = table::ProjectionType::kInclude;
      auto non_key = Member(*projection, "NonKeyAttributes");
      simdjson::dom::array names;
      if (non_key && non_key->get(names) == simdjson::SUCCESS) {
        for (element n : names) {
          std::string_view s;
          if (n.get(s) == simdjson::SUCCESS) index.projection.non_key_attributes.emplace_back(s);
        }
      }
    } else if (type.empty() || type == "ALL") {
      index.projection.type = table::ProjectionType::kAll;
    } else {
      return Status::InvalidArgument("1 validation error detected: Value '" + type + "' at 'projection.projectionType' failed to satisfy constraint: Member must satisfy enum value set: [ALL, INCLUDE, KEYS_ONLY]");
    }
  }
  return index;
}

Result<std::optional<table::StreamSpecification>> ReadStreamSpecification(object o) {
  ASSIGN_OR_RETURN(auto spec, OptObject(o, "StreamSpecification"));
  if (!spec) return std::optional<table::StreamSpecification>();
  table::StreamSpecification out;
  ASSIGN_OR_RETURN(auto enabled, OptBool(*spec, "StreamEnabled"));
  if (!enabled) {
    return Status::InvalidArgument("1 validation error detected: Value null at 'streamSpecification.streamEnabled' failed to satisfy constraint: Member must not be null");
  }
  out.enabled = *enabled;
  ASSIGN_OR_RETURN(std::string view, OptString(*spec, "StreamViewType"));
  if (out.enabled && view.empty()) {
    return Status::InvalidArgument("One or more parameter values were invalid: StreamViewType is required when StreamEnabled is true");
  }
  if (!view.empty() && !table::ParseStreamViewType(view, &out.view_type)) {
    return Status::InvalidArgument("1 validation error detected: Value '" + view + "' at 'streamSpecification.streamViewType' failed to satisfy constraint: Member must satisfy enum value set: [NEW_IMAGE, OLD_IMAGE, NEW_AND_OLD_IMAGES, KEYS_ONLY]");
  }
  if (!out.enabled && !view.empty()) {
    return Status::InvalidArgument("One or more parameter values were invalid: StreamViewType may only be given when StreamEnabled is true");
  }
  return std::optional<table::StreamSpecification>(out);
}

// ---- response writing ----

void WriteKeySchema(const std::vector<table::KeySchemaElement>& schema, JsonWriter* json) {
  json->Key("KeySchema").BeginArray();
  for (const auto& k : schema) {
    json->BeginObject()
        .Field("AttributeName", k.attribute_name)
        .Field("KeyType", k.key_type == table::KeyType::kHash ? "HASH" : "RANGE")
        .EndObject();
  }
  json->EndArray();
}

void WriteThroughput(JsonWriter* json) {
  json->Key("ProvisionedThroughput").BeginObject()
      .Field("NumberOfDecreasesToday", 0).Field("ReadCapacityUnits", 0).Field("WriteCapacityUnits", 0)
      .EndObject();
}

void WriteDescription(const table::TableDescription& d, JsonWriter* json) {
  json->BeginObject();
  json->Key("AttributeDefinitions").BeginArray();
  for (const auto& a : d.attribute_definitions) {
    json->BeginObject().Field("AttributeName", a.attribute_name).Field("AttributeType", table::TypeName(a.attribute_type)).EndObject();
  }
  json->EndArray();
  json->Field("TableName", d.table_name);
  WriteKeySchema(d.key_schema, json);
  json->Field("TableStatus", d.table_status);
  json->Key("CreationDateTime").EpochSeconds(d.creation_millis);
  WriteThroughput(json);
  json->Field("TableSizeBytes", static_cast<int64_t>(0));
  json->Field("ItemCount", d.item_count);
  json->Field("TableArn", d.table_arn);
  json->Field("TableId", d.table_arn.substr(d.table_arn.rfind('/') + 1));
  json->Key("BillingModeSummary").BeginObject().Field("BillingMode", d.billing_mode).EndObject();
  if (!d.latest_stream_label.empty()) {
    // Like DynamoDB: the latest stream stays described after it is disabled.
    json->Key("StreamSpecification").BeginObject().Field("StreamEnabled", d.stream_specification.enabled);
    if (d.stream_specification.enabled) {
      json->Field("StreamViewType", table::StreamViewTypeName(d.stream_specification.view_type));
    }
    json->EndObject();
    json->Field("LatestStreamLabel", d.latest_stream_label).Field("LatestStreamArn", d.latest_stream_arn);
  }
  if (!d.global_secondary_indexes.empty()) {
    json->Key("GlobalSecondaryIndexes").BeginArray();
    for (const auto& g : d.global_secondary_indexes) {
      json->BeginObject().Field("IndexName", g.index_name);
      WriteKeySchema(g.key_schema, json);
      json->Key("Projection").BeginObject();
      const char* type = g.projection.type == table::ProjectionType::kAll ? "ALL"
                         : g.projection.type == table::ProjectionType::kKeysOnly ? "KEYS_ONLY" : "INCLUDE";
      json->Field("ProjectionType", type);
      if (!g.projection.non_key_attributes.empty()) {
        json->Key("NonKeyAttributes").BeginArray();
        for (const auto& n : g.projection.non_key_attributes) json->String(n);
        json->EndArray();
      }
      json->EndObject();
      json->Field("IndexStatus", "ACTIVE");
      WriteThroughput(json);
      json->Field("IndexSizeBytes", static_cast<int64_t>(0)).Field("ItemCount", static_cast<int64_t>(0));
      json->Field("IndexArn", d.table_arn + "/index/" + g.index_name);
      json->EndObject();
    }
    json->EndArray();
  }
  json->EndObject();
}

std::string DescriptionBody(std::string_view key, const table::TableDescription& d) {
  JsonWriter json(1024);
  json.BeginObject().Key(key);
  WriteDescription(d, &json);
  json.EndObject();
  return json.Take();
}

std::string AttributesBody(const std::optional<Item>& attributes) {
  JsonWriter json(256);
  json.BeginObject();
  if (attributes && !attributes->empty()) {
    json.Key("Attributes");
    WriteItem(*attributes, &json);
  }
  json.EndObject();
  return json.Take();
}

// An operation's outcome: a body, or a Status (with failure details).
struct Outcome {
  bool known_operation = true;
  Status status;
  std::string body;
  table::WriteFailure failure;
};

#define OP_ASSIGN(lhs, expr) ASSIGN_OR_RETURN(lhs, expr)

// ---- operations: each reads its request, calls the engine, writes its answer ----

Result<std::string> CreateTable(table::TableClient* t, object o) {
  table::CreateTableRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.key_schema, ReadKeySchema(o));
  OP_ASSIGN(r.attribute_definitions, ReadAttributeDefinitions(o, true));
  OP_ASSIGN(r.billing_mode, OptString(o, "BillingMode"));
  if (r.billing_mode.empty()) r.billing_mode = Member(o, "ProvisionedThroughput") ? "PROVISIONED" : "PAY_PER_REQUEST";
  auto gsis = Member(o, "GlobalSecondaryIndexes");
  simdjson::dom::array array;
  if (gsis && gsis->get(array) == simdjson::SUCCESS) {
    for (element e : array) {
      object g;
      if (e.get(g) != simdjson::SUCCESS) return TypeError("GlobalSecondaryIndexes", "a list of structures");
      OP_ASSIGN(auto index, ReadIndex(g));
      r.global_secondary_indexes.push_back(std::move(index));
    }
  }
  OP_ASSIGN(auto stream, ReadStreamSpecification(o));
  if (stream) r.stream_specification = *stream;
  OP_ASSIGN(auto d, t->CreateTable(r));
  d.table_status = "ACTIVE";
  return DescriptionBody("TableDescription", d);
}

Result<std::string> UpdateTable(table::TableClient* t, object o) {
  table::UpdateTableRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.attribute_definitions, ReadAttributeDefinitions(o, false));
  auto updates = Member(o, "GlobalSecondaryIndexUpdates");
  simdjson::dom::array array;
  if (updates && updates->get(array) == simdjson::SUCCESS) {
    if (array.size() > 1) return Status::LimitExceeded("Subscriber limit exceeded: Only 1 online index can be created or deleted simultaneously per table");
    for (element e : array) {
      object u;
      if (e.get(u) != simdjson::SUCCESS) return TypeError("GlobalSecondaryIndexUpdates", "a list of structures");
      OP_ASSIGN(auto create, OptObject(u, "Create"));
      OP_ASSIGN(auto del, OptObject(u, "Delete"));
      if (create) {
        OP_ASSIGN(auto index, ReadIndex(*create));
        r.create_index = std::move(index);
      }
      if (del) {
        OP_ASSIGN(std::string name, ReqString(*del, "IndexName"));
        r.delete_index = name;
      }
    }
  }
  OP_ASSIGN(r.stream_specification, ReadStreamSpecification(o));
  OP_ASSIGN(auto d, t->UpdateTable(r));
  return DescriptionBody("TableDescription", d);
}

Result<std::string> DeleteTable(table::TableClient* t, object o) {
  OP_ASSIGN(std::string name, ReqString(o, "TableName"));
  OP_ASSIGN(auto d, t->DeleteTable(name));
  return DescriptionBody("TableDescription", d);
}

Result<std::string> DescribeTable(table::TableClient* t, object o) {
  OP_ASSIGN(std::string name, ReqString(o, "TableName"));
  OP_ASSIGN(auto d, t->DescribeTable(name));
  return DescriptionBody("Table", d);
}

Result<std::string> ListTables(table::TableClient* t, object o) {
  OP_ASSIGN(std::string start, OptString(o, "ExclusiveStartTableName"));
  OP_ASSIGN(auto limit, OptInt(o, "Limit"));
  if (limit && (*limit < 1 || *limit > 100)) {
    return Status::InvalidArgument("1 validation error detected: Value '" + std::to_string(*limit) + "' at 'limit' failed to satisfy constraint: Member must have value less than or equal to 100");
  }
  std::string last;
  OP_ASSIGN(auto names, t->ListTables(start, limit ? static_cast<int>(*limit) : 100, &last));
  JsonWriter json;
  json.BeginObject().Key("TableNames").BeginArray();
  for (const auto& n : names) json.String(n);
  json.EndArray();
  if (!last.empty()) json.Field("LastEvaluatedTableName", last);
  json.EndObject();
  return json.Take();
}

Result<std::string> UpdateTimeToLive(table::TableClient* t, object o) {
  OP_ASSIGN(std::string name, ReqString(o, "TableName"));
  OP_ASSIGN(auto spec, OptObject(o, "TimeToLiveSpecification"));
  if (!spec) return Status::InvalidArgument("1 validation error detected: Value null at 'timeToLiveSpecification' failed to satisfy constraint: Member must not be null");
  OP_ASSIGN(std::string attr, ReqString(*spec, "AttributeName"));
  OP_ASSIGN(auto enabled, OptBool(*spec, "Enabled"));
  RETURN_IF_ERROR(t->UpdateTimeToLive(name, enabled.value_or(false) ? attr : ""));
  JsonWriter json;
  json.BeginObject().Key("TimeToLiveSpecification").BeginObject()
      .Field("AttributeName", attr).Field("Enabled", enabled.value_or(false)).EndObject().EndObject();
  return json.Take();
}

Result<std::string> DescribeTimeToLive(table::TableClient* t, object o) {
  OP_ASSIGN(std::string name, ReqString(o, "TableName"));
  OP_ASSIGN(auto d, t->DescribeTable(name));
  JsonWriter json;
  json.BeginObject().Key("TimeToLiveDescription").BeginObject();
  json.Field("TimeToLiveStatus", d.ttl_attribute.empty() ? "DISABLED" : "ENABLED");
  if (!d.ttl_attribute.empty()) json.Field("AttributeName", d.ttl_attribute);
  json.EndObject().EndObject();
  return json.Take();
}

Status PutItem(table::TableClient* t, object o, Outcome* out) {
  table::PutItemRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.item, ReqItem(o, "Item"));
  OP_ASSIGN(r.condition_expression, OptString(o, "ConditionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(r.return_values, ReadReturnValues(o));
  OP_ASSIGN(r.return_old_on_condition_failure, ReadReturnOnFailure(o));
  OP_ASSIGN(auto result, t->PutItem(r, &out->failure));
  out->body = AttributesBody(result.attributes);
  return Status::OK();
}

Status UpdateItem(table::TableClient* t, object o, Outcome* out) {
  table::UpdateItemRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.key, ReqItem(o, "Key"));
  OP_ASSIGN(r.update_expression, OptString(o, "UpdateExpression"));
  OP_ASSIGN(r.condition_expression, OptString(o, "ConditionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(r.return_values, ReadReturnValues(o));
  OP_ASSIGN(r.return_old_on_condition_failure, ReadReturnOnFailure(o));
  OP_ASSIGN(auto result, t->UpdateItem(r, &out->failure));
  out->body = AttributesBody(result.attributes);
  return Status::OK();
}

Status DeleteItem(table::TableClient* t, object o, Outcome* out) {
  table::DeleteItemRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.key, ReqItem(o, "Key"));
  OP_ASSIGN(r.condition_expression, OptString(o, "ConditionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(r.return_values, ReadReturnValues(o));
  OP_ASSIGN(r.return_old_on_condition_failure, ReadReturnOnFailure(o));
  OP_ASSIGN(auto result, t->DeleteItem(r, &out->failure));
  out->body = AttributesBody(result.attributes);
  return Status::OK();
}

Result<std::string> GetItem(table::TableClient* t, object o) {
  table::GetItemRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.key, ReqItem(o, "Key"));
  OP_ASSIGN(r.projection_expression, OptString(o, "ProjectionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(auto item, t->GetItem(r));
  JsonWriter json(512);
  json.BeginObject();
  if (item) {
    json.Key("Item");
    WriteItem(*item, &json);
  }
  json.EndObject();
  return json.Take();
}

std::string QueryBody(const table::QueryResult& r, bool count_only) {
  JsonWriter json(4096);
  json.BeginObject();
  if (!count_only) {
    json.Key("Items").BeginArray();
    for (const auto& item : r.items) WriteItem(item, &json);
    json.EndArray();
  }
  json.Field("Count", r.count).Field("ScannedCount", r.scanned_count);
  if (r.last_evaluated_key) {
    json.Key("LastEvaluatedKey");
    WriteItem(*r.last_evaluated_key, &json);
  }
  json.EndObject();
  return json.Take();
}

Result<std::string> Query(table::TableClient* t, object o) {
  table::QueryRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.index_name, OptString(o, "IndexName"));
  OP_ASSIGN(r.key_condition_expression, OptString(o, "KeyConditionExpression"));
  OP_ASSIGN(r.filter_expression, OptString(o, "FilterExpression"));
  OP_ASSIGN(r.projection_expression, OptString(o, "ProjectionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(auto forward, OptBool(o, "ScanIndexForward"));
  r.scan_index_forward = forward.value_or(true);
  OP_ASSIGN(auto limit, OptInt(o, "Limit"));
  if (limit && *limit < 1) return Status::InvalidArgument("1 validation error detected: Value '" + std::to_string(*limit) + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  r.limit = limit ? static_cast<int>(std::min<int64_t>(*limit, 1 << 30)) : 0;
  if (auto esk = Member(o, "ExclusiveStartKey")) {
    OP_ASSIGN(Item k, ReadItem(*esk));
    r.exclusive_start_key = std::move(k);
  }
  OP_ASSIGN(r.select, ReadSelect(o, !r.projection_expression.empty()));
  OP_ASSIGN(auto result, t->Query(r));
  return QueryBody(result, r.select == table::Select::kCount);
}

Result<std::string> Scan(table::TableClient* t, object o) {
  table::ScanRequest r;
  OP_ASSIGN(r.table_name, ReqString(o, "TableName"));
  OP_ASSIGN(r.index_name, OptString(o, "IndexName"));
  OP_ASSIGN(r.filter_expression, OptString(o, "FilterExpression"));
  OP_ASSIGN(r.projection_expression, OptString(o, "ProjectionExpression"));
  OP_ASSIGN(r.attributes, ReadAttributes(o));
  OP_ASSIGN(auto limit, OptInt(o, "Limit"));
  if (limit && *limit < 1) return Status::InvalidArgument("1 validation error detected: Value '" + std::to_string(*limit) + "' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1");
  r.limit = limit ? static_cast<int>(std::min<int64_t>(*limit, 1 << 30)) : 0;
  OP_ASSIGN(auto segment, OptInt(o, "Segment"));
  OP_ASSIGN(auto total, OptInt(o, "TotalSegments"));
  if (segment.has_value() != total.has_value()) {
    return Status::InvalidArgument("The TotalSegments parameter is required but was not present in the request when Segment parameter is present");
  }
  r.segment = static_cast<int>(segment.value_or(0));
  r.total_segments = static_cast<int>(std::clamp<int64_t>(total.value_or(1), -1, 1000001));
  if (auto esk = Member(o, "ExclusiveStartKey")) {
    OP_ASSIGN(Item k, ReadItem(*esk));
    r.exclusive_start_key = std::move(k);
  }
  OP_ASSIGN(r.select, ReadSelect(o, !r.projection_expression.empty()));
  OP_ASSIGN(auto result, t->Scan(r));
  return QueryBody(result, r.select == table::Select::kCount);
}

Result<std::string> BatchGetItem(table::TableClient* t, object o) {
  OP_ASSIGN(auto items, OptObject(o, "RequestItems"));
  if (!items) return Status::InvalidArgument("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
  std::map<std::string, table::KeysAndAttributes> request;
  for (auto f : *items) {
    object ka;
    if (f.value.get(ka) != simdjson::SUCCESS) return TypeError("RequestItems", "a map of KeysAndAttributes");
    table::KeysAndAttributes& k = request[std::string(f.key)];
    OP_ASSIGN(auto keys, ReqArray(ka, "Keys"));
    for (element e : keys) {
      OP_ASSIGN(Item key, ReadItem(e));
      k.keys.push_back(std::move(key));
    }
    OP_ASSIGN(k.projection_expression, OptString(ka, "ProjectionExpression"));
    OP_ASSIGN(k.attributes, ReadAttributes(ka));
  }
  OP_ASSIGN(auto result, t->BatchGetItem(request));
  JsonWriter json(4096);
  json.BeginObject().Key("Responses").BeginObject();
  for (const auto& [table, list] : result.responses) {
    json.Key(table).BeginArray();
    for (const auto& item : list) WriteItem(item, &json);
    json.EndArray();
  }
  json.EndObject().Key("UnprocessedKeys").BeginObject().EndObject().EndObject();
  return json.Take();
}

Result<std::string> BatchWriteItem(table::TableClient* t, object o) {
  OP_ASSIGN(auto items, OptObject(o, "RequestItems"));
  if (!items) return Status::InvalidArgument("1 validation error detected: Value null at 'requestItems' failed to satisfy constraint: Member must not be null");
  std::map<std::string, std::vector<table::WriteRequest>> request;
  for (auto f : *items) {
    simdjson::dom::array writes;
    if (f.value.get(writes) != simdjson::SUCCESS) return TypeError("RequestItems", "a map of lists of WriteRequests");
    auto& list = request[std::string(f.key)];
    for (element e : writes) {
      object w;
      if (e.get(w) != simdjson::SUCCESS) return TypeError("RequestItems", "a map of lists of WriteRequests");
      table::WriteRequest wr;
      OP_ASSIGN(auto put, OptObject(w, "PutRequest"));
      OP_ASSIGN(auto del, OptObject(w, "DeleteRequest"));
      if (put.has_value() == del.has_value()) {
        return Status::InvalidArgument("Supplied WriteRequest must contain exactly one of PutRequest and DeleteRequest");
      }
      if (put) {
        OP_ASSIGN(Item item, ReqItem(*put, "Item"));
        wr.put_item = std::move(item);
      } else {
        OP_ASSIGN(Item key, ReqItem(*del, "Key"));
        wr.delete_key = std::move(key);
      }
      list.push_back(std::move(wr));
    }
  }
  OP_ASSIGN(auto result, t->BatchWriteItem(request));
  (void)result;
  return std::string("{\"UnprocessedItems\":{}}");
}

Status TransactWriteItems(table::TableClient* t, object o, Outcome* out) {
  OP_ASSIGN(auto array, ReqArray(o, "TransactItems"));
  std::vector<table::TransactWriteItem> items;
  for (element e : array) {
    object entry;
    if (e.get(entry) != simdjson::SUCCESS) return TypeError("TransactItems", "a list of TransactWriteItems");
    table::TransactWriteItem item;
    int kinds = 0;
    object body;
    static const std::pair<const char*, table::TransactWriteItem::Kind> kKinds[] = {
        {"Put", table::TransactWriteItem::Kind::kPut}, {"Update", table::TransactWriteItem::Kind::kUpdate},
        {"Delete", table::TransactWriteItem::Kind::kDelete}, {"ConditionCheck", table::TransactWriteItem::Kind::kConditionCheck}};
    for (const auto& [name, kind] : kKinds) {
      OP_ASSIGN(auto b, OptObject(entry, name));
      if (b) {
        ++kinds;
        body = *b;
        item.kind = kind;
      }
    }
    if (kinds != 1) return Status::InvalidArgument("TransactItems can only contain one of Check, Put, Update or Delete");
    OP_ASSIGN(item.table_name, ReqString(body, "TableName"));
    if (item.kind == table::TransactWriteItem::Kind::kPut) {
      OP_ASSIGN(item.item, ReqItem(body, "Item"));
    } else {
      OP_ASSIGN(item.key, ReqItem(body, "Key"));
    }
    OP_ASSIGN(item.update_expression, OptString(body, "UpdateExpression"));
    OP_ASSIGN(item.condition_expression, OptString(body, "ConditionExpression"));
    OP_ASSIGN(item.attributes, ReadAttributes(body));
    OP_ASSIGN(item.return_old_on_condition_failure, ReadReturnOnFailure(body));
    items.push_back(std::move(item));
  }
  OP_ASSIGN(std::string token, OptString(o, "ClientRequestToken"));
  RETURN_IF_ERROR(t->TransactWriteItems(items, token, &out->failure));
  out->body = "{}";
  return Status::OK();
}

Result<std::string> TransactGetItems(table::TableClient* t, object o) {
  OP_ASSIGN(auto array, ReqArray(o, "TransactItems"));
  std::vector<table::TransactGetItem> items;
  for (element e : array) {
    object entry;
    if (e.get(entry) != simdjson::SUCCESS) return TypeError("TransactItems", "a list of TransactGetItems");
    OP_ASSIGN(auto get, OptObject(entry, "Get"));
    if (!get) return Status::InvalidArgument("1 validation error detected: Value null at 'transactItems.member.get' failed to satisfy constraint: Member must not be null");
    table::TransactGetItem item;
    OP_ASSIGN(item.table_name, ReqString(*get, "TableName"));
    OP_ASSIGN(item.key, ReqItem(*get, "Key"));
    OP_ASSIGN(item.projection_expression, OptString(*get, "ProjectionExpression"));
    OP_ASSIGN(item.attributes, ReadAttributes(*get));
    items.push_back(std::move(item));
  }
  OP_ASSIGN(auto result, t->TransactGetItems(items));
  JsonWriter json(1024);
  json.BeginObject().Key("Responses").BeginArray();
  for (const auto& item : result) {
    json.BeginObject();
    if (item) {
      json.Key("Item");
      WriteItem(*item, &json);
    }
    json.EndObject();
  }
  json.EndArray().EndObject();
  return json.Take();
}

bool IsWrite(std::string_view op) {
  return op == "PutItem" || op == "UpdateItem" || op == "DeleteItem" || op == "BatchWriteItem" ||
         op == "TransactWriteItems" || op == "CreateTable" || op == "DeleteTable" || op == "UpdateTable" ||
         op == "UpdateTimeToLive";
}

Outcome Run(table::TableClient* t, std::string_view op, object o) {
  Outcome out;
  out.status = RejectLegacy(o);
  if (!out.status.ok()) return out;
  auto body = [&](Result<std::string> r) {
    if (r.ok()) {
      out.body = std::move(*r);
    } else {
      out.status = r.TakeStatus();
    }
  };
  if (op == "PutItem") out.status = PutItem(t, o, &out);
  else if (op == "GetItem") body(GetItem(t, o));
  else if (op == "UpdateItem") out.status = UpdateItem(t, o, &out);
  else if (op == "DeleteItem") out.status = DeleteItem(t, o, &out);
  else if (op == "Query") body(Query(t, o));
  else if (op == "Scan") body(Scan(t, o));
  else if (op == "BatchGetItem") body(BatchGetItem(t, o));
  else if (op == "BatchWriteItem") body(BatchWriteItem(t, o));
  else if (op == "TransactWriteItems") out.status = TransactWriteItems(t, o, &out);
  else if (op == "TransactGetItems") body(TransactGetItems(t, o));
  else if (op == "CreateTable") body(CreateTable(t, o));
  else if (op == "DeleteTable") body(DeleteTable(t, o));
  else if (op == "DescribeTable") body(DescribeTable(t, o));
  else if (op == "UpdateTable") body(UpdateTable(t, o));
  else if (op == "ListTables") body(ListTables(t, o));
  else if (op == "UpdateTimeToLive") body(UpdateTimeToLive(t, o));
  else if (op == "DescribeTimeToLive") body(DescribeTimeToLive(t, o));
  else out.known_operation = false;
  return out;
}

std::string_view OperationOf(const gateway::Request& request) {
  std::string_view target = request.Header("X-Amz-Target");
  size_t dot = target.find('.');
  return dot == std::string_view::npos ? std::string_view() : target.substr(dot + 1);
}

}  // namespace

DynamoDbHandler::DynamoDbHandler(table::TableClient* tables, int workers) : tables_(tables) {
  for (int i = 0; i < workers; ++i) workers_.emplace_back([this] {
    common::NameThisThread("ddb-worker");
    WorkerLoop();
  });
}

DynamoDbHandler::~DynamoDbHandler() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  for (auto& w : workers_) w.join();
}

void DynamoDbHandler::WorkerLoop() {
  std::unique_lock lock(mu_);
  while (true) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and everything queued has run
    auto task = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    task();
    lock.lock();
  }
}

void DynamoDbHandler::Handle(gateway::Request& request, gateway::Respond respond) {
  if (!IsWrite(OperationOf(request)) || workers_.empty()) {
    respond(HandleSync(request));
    return;
  }
  auto shared = std::make_shared<gateway::Request>(std::move(request));
  std::lock_guard lock(mu_);
  queue_.push_back([this, shared, respond = std::move(respond)] { respond(HandleSync(*shared)); });
  cv_.notify_one();
}

gateway::Response DynamoDbHandler::HandleSync(const gateway::Request& request) {
  std::string_view op = OperationOf(request);
  thread_local simdjson::dom::parser parser;
  object body;
  if (auto error = ParseJsonObject(parser, request.body, &body)) {
    error->type = kErrorPrefix + error->type;
    return JsonErrorResponse(*error, kContentType, request.request_id);
  }
  Outcome out = Run(tables_, op, body);
  if (!out.known_operation) {
    AwsError error{400, std::string(kErrorPrefix) + "UnknownOperationException", ""};
    return JsonErrorResponse(error, kContentType, request.request_id);
  }
  if (!out.status.ok()) return ToResponse(out.status, op, &out.failure, request.request_id);
  return JsonResponse(std::move(out.body), kContentType, request.request_id);
}

}  // namespace aws::dynamodb
