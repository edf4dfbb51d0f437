#include "aws/remote/remote_table_client.h"

#include <chrono>
#include <thread>

#include <simdjson.h>

#include "aws/dynamodb/attribute_json.h"
#include "aws/remote/json_reply.h"
#include "aws/remote/remote_stream_client.h"

namespace aws::remote {
namespace {

using common::Result;
using common::Status;
using table::Item;

// Unprocessed batch entries are retried this often before giving up.
constexpr int kBatchRetries = 8;

// An optional item member ("Item", "Attributes", "LastEvaluatedKey").
Result<std::optional<Item>> OptionalItem(simdjson::dom::element element, std::string_view key) {
  simdjson::dom::element member;
  if (element[key].get(member) != simdjson::SUCCESS) return std::optional<Item>();
  ASSIGN_OR_RETURN(Item item, dynamodb::ReadItem(member));
  return std::optional<Item>(std::move(item));
}

Result<std::vector<Item>> ItemArray(simdjson::dom::element element) {
  std::vector<Item> items;
  simdjson::dom::array list;
  if (element.get(list) != simdjson::SUCCESS) return items;
  items.reserve(list.size());
  for (simdjson::dom::element entry : list) {
    ASSIGN_OR_RETURN(Item item, dynamodb::ReadItem(entry));
    items.push_back(std::move(item));
  }
  return items;
}

Result<std::vector<Item>> ItemList(simdjson::dom::element element, std::string_view key) {
  simdjson::dom::element list;
  if (element[key].get(list) != simdjson::SUCCESS) return std::vector<Item>();
  return ItemArray(list);
}

std::string_view ReturnValuesName(table::ReturnValues value) {
  switch (value) {
    case table::ReturnValues::kNone: return "NONE";
    case table::ReturnValues::kAllOld: return "ALL_OLD";
    case table::ReturnValues::kUpdatedOld: return "UPDATED_OLD";
    case table::ReturnValues::kAllNew: return "ALL_NEW";
    case table::ReturnValues::kUpdatedNew: return "UPDATED_NEW";
  }
  return "NONE";
}

std::string_view SelectName(table::Select select) {
  switch (select) {
    case table::Select::kAllAttributes: return "ALL_ATTRIBUTES";
    case table::Select::kCount: return "COUNT";
    case table::Select::kSpecificAttributes: return "SPECIFIC_ATTRIBUTES";
    case table::Select::kAllProjectedAttributes: return "ALL_PROJECTED_ATTRIBUTES";
  }
  return "ALL_ATTRIBUTES";
}

void WriteItemField(JsonWriter* json, std::string_view key, const Item& item) {
  json->Key(key);
  dynamodb::WriteItem(item, json);
}

// Expressions and their placeholders; DynamoDB rejects empty members.
void WriteExpressions(JsonWriter* json, const table::ExpressionAttributes& attributes,
                      std::initializer_list<std::pair<std::string_view, const std::string*>> expressions) {
  for (const auto& [key, text] : expressions) {
    if (!text->empty()) json->Field(key, *text);
  }
  if (!attributes.names.empty()) {
    json->Key("ExpressionAttributeNames").BeginObject();
    for (const auto& [placeholder, name] : attributes.names) json->Field(placeholder, name);
    json->EndObject();
  }
  if (!attributes.values.empty()) WriteItemField(json, "ExpressionAttributeValues", attributes.values);
}

void WriteKeySchema(JsonWriter* json, const std::vector<table::KeySchemaElement>& schema) {
  json->Key("KeySchema").BeginArray();
  for (const auto& element : schema) {
    json->BeginObject()
        .Field("AttributeName", element.attribute_name)
        .Field("KeyType", element.key_type == table::KeyType::kHash ? "HASH" : "RANGE")
        .EndObject();
  }
  json->EndArray();
}

// Provisioned tables need a throughput on every index too.
void WriteThroughput(JsonWriter* json) {
  json->Key("ProvisionedThroughput").BeginObject();
  json->Field("ReadCapacityUnits", 5).Field("WriteCapacityUnits", 5).EndObject();
}

void WriteIndex(JsonWriter* json, const table::GlobalSecondaryIndex& index, bool provisioned) {
  json->BeginObject().Field("IndexName", index.index_name);
  WriteKeySchema(json, index.key_schema);
  json->Key("Projection").BeginObject();
  switch (index.projection.type) {
    case table::ProjectionType::kAll: json->Field("ProjectionType", "ALL"); break;
    case table::ProjectionType::kKeysOnly: json->Field("ProjectionType", "KEYS_ONLY"); break;
    case table::ProjectionType::kInclude:
      json->Field("ProjectionType", "INCLUDE").Key("NonKeyAttributes").BeginArray();
      for (const auto& name : index.projection.non_key_attributes) json->String(name);
      json->EndArray();
      break;
  }
  json->EndObject();
  if (provisioned) WriteThroughput(json);
  json->EndObject();
}

void WriteDefinitions(JsonWriter* json, const std::vector<table::AttributeDefinition>& definitions) {
  json->Key("AttributeDefinitions").BeginArray();
  for (const auto& d : definitions) {
    json->BeginObject()
        .Field("AttributeName", d.attribute_name)
        .Field("AttributeType", table::TypeName(d.attribute_type))
        .EndObject();
  }
  json->EndArray();
}

std::vector<table::KeySchemaElement> ReadKeySchema(simdjson::dom::element element) {
  std::vector<table::KeySchemaElement> schema;
  simdjson::dom::array list;
  if (element["KeySchema"].get(list) != simdjson::SUCCESS) return schema;
  for (simdjson::dom::element e : list) {
    schema.push_back({std::string(Str(e, "AttributeName")),
                      Str(e, "KeyType") == "RANGE" ? table::KeyType::kRange : table::KeyType::kHash});
  }
  return schema;
}

table::TableDescription ReadTableDescription(simdjson::dom::element d) {
  table::TableDescription out;
  out.table_name = Str(d, "TableName");
  out.table_arn = Str(d, "TableArn");
  out.table_status = Str(d, "TableStatus");
  out.key_schema = ReadKeySchema(d);
  simdjson::dom::array list;
  if (d["AttributeDefinitions"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : list) {
      table::AttributeDefinition definition{std::string(Str(e, "AttributeName"))};
      table::ParseTypeName(Str(e, "AttributeType"), &definition.attribute_type);
      out.attribute_definitions.push_back(std::move(definition));
    }
  }
  if (d["GlobalSecondaryIndexes"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element e : list) {
      table::GlobalSecondaryIndex index{std::string(Str(e, "IndexName")), ReadKeySchema(e), {}};
      simdjson::dom::element projection;
      if (e["Projection"].get(projection) == simdjson::SUCCESS) {
        std::string_view type = Str(projection, "ProjectionType");
        index.projection.type = type == "KEYS_ONLY" ? table::ProjectionType::kKeysOnly
                                : type == "INCLUDE" ? table::ProjectionType::kInclude
                                                    : table::ProjectionType::kAll;
        simdjson::dom::array names;
        if (projection["NonKeyAttributes"].get(names) == simdjson::SUCCESS) {
          for (simdjson::dom::element name : names) {
            std::string_view s;
            if (name.get(s) == simdjson::SUCCESS) index.projection.non_key_attributes.emplace_back(s);
          }
        }
      }
      out.global_secondary_indexes.push_back(std::move(index));
    }
  }
  simdjson::dom::element billing;
  out.billing_mode = d["BillingModeSummary"].get(billing) == simdjson::SUCCESS
                         ? std::string(Str(billing, "BillingMode"))
                         : "PROVISIONED";
  double created = 0;
  if (d["CreationDateTime"].get(created) == simdjson::SUCCESS) out.creation_millis = static_cast<int64_t>(created * 1000);
  int64_t count = 0;
  if (d["ItemCount"].get(count) == simdjson::SUCCESS) out.item_count = count;
  return out;
}

Result<table::TableDescription> TableDescriptionIn(const std::string& text, std::string_view member) {
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  simdjson::dom::element description;
  if (root[member].get(description) != simdjson::SUCCESS) {
    return Status::Internal("dynamodb answer has no " + std::string(member));
  }
  return ReadTableDescription(description);
}

Result<table::QueryResult> ReadQueryResult(const std::string& text) {
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  table::QueryResult out;
  ASSIGN_OR_RETURN(out.items, ItemList(root, "Items"));
  int64_t n = 0;
  if (root["Count"].get(n) == simdjson::SUCCESS) out.count = static_cast<int>(n);
  if (root["ScannedCount"].get(n) == simdjson::SUCCESS) out.scanned_count = static_cast<int>(n);
  ASSIGN_OR_RETURN(out.last_evaluated_key, OptionalItem(root, "LastEvaluatedKey"));
  return out;
}

Result<table::WriteResult> ReadWriteResult(const std::string& text) {
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  table::WriteResult out;
  ASSIGN_OR_RETURN(out.attributes, OptionalItem(root, "Attributes"));
  return out;
}

void BackOff(int attempt) {
  std::this_thread::sleep_for(std::chrono::milliseconds(std::min(1000, 25 << attempt)));
}

}  // namespace

RemoteTableClient::RemoteTableClient(EndpointOptions endpoint) : http_(std::move(endpoint)) {}

Result<std::string> RemoteTableClient::Call(std::string_view operation, std::string body,
                                            table::WriteFailure* failure) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/x-amz-json-1.0"},
                     {"X-Amz-Target", "DynamoDB_20120810." + std::string(operation)}};
  request.body = std::move(body);
  ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request));
  if (response.status == 200) return std::move(response.body);
  Status status = StatusFromAwsError(response, "dynamodb");
  std::string code = ErrorCode(response);
  if (code == "TransactionCanceledException") status = Status::ConditionFailed(status.message());
  if (failure != nullptr && status.code() == Status::Code::kConditionFailed) {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (parser.parse(response.body).get(root) == simdjson::SUCCESS) {
      if (auto item = OptionalItem(root, "Item"); item.ok()) failure->item = std::move(*item);
      simdjson::dom::array reasons;
      if (root["CancellationReasons"].get(reasons) == simdjson::SUCCESS) {
        for (simdjson::dom::element r : reasons) {
          table::CancellationReason reason;
          reason.code = Str(r, "Code");
          reason.message = Str(r, "Message");
          if (auto item = OptionalItem(r, "Item"); item.ok()) reason.item = std::move(*item);
          failure->reasons.push_back(std::move(reason));
        }
      }
    }
  }
  return status;
}

Result<table::TableDescription> RemoteTableClient::CreateTable(const table::CreateTableRequest& request) {
  JsonWriter json;
  json.BeginObject().Field("TableName", request.table_name);
  WriteKeySchema(&json, request.key_schema);
  WriteDefinitions(&json, request.attribute_definitions);
  bool provisioned = request.billing_mode == "PROVISIONED";
  json.Field("BillingMode", provisioned ? "PROVISIONED" : "PAY_PER_REQUEST");
  if (provisioned) WriteThroughput(&json);
  if (!request.global_secondary_indexes.empty()) {
    json.Key("GlobalSecondaryIndexes").BeginArray();
    for (const auto& index : request.global_secondary_indexes) WriteIndex(&json, index, provisioned);
    json.EndArray();
  }
  json.EndObject();
  RETURN_IF_ERROR(Call("CreateTable", json.Take()).status());
  // DynamoDB creates tables asynchronously; our contract is ACTIVE on return.
  for (int i = 0; i < 600; ++i) {
    ASSIGN_OR_RETURN(auto description, DescribeTable(request.table_name));
    if (description.table_status == "ACTIVE") return description;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return Status::Unavailable("table " + request.table_name + " did not become ACTIVE within 60 s");
}

Result<table::TableDescription> RemoteTableClient::DeleteTable(const std::string& table_name) {
  JsonWriter json;
  json.BeginObject().Field("TableName", table_name).EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("DeleteTable", json.Take()));
  return TableDescriptionIn(text, "TableDescription");
}

Result<table::TableDescription> RemoteTableClient::DescribeTable(const std::string& table_name) {
  JsonWriter json;
  json.BeginObject().Field("TableName", table_name).EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("DescribeTable", json.Take()));
  return TableDescriptionIn(text, "Table");
}

Result<table::TableDescription> RemoteTableClient::UpdateTable(const table::UpdateTableRequest& request) {
  JsonWriter json;
  json.BeginObject().Field("TableName", request.table_name);
  if (!request.attribute_definitions.empty()) WriteDefinitions(&json, request.attribute_definitions);
  json.Key("GlobalSecondaryIndexUpdates").BeginArray();
  if (request.create_index) {
    json.BeginObject().Key("Create");
    WriteIndex(&json, *request.create_index, false);
    json.EndObject();
  }
  if (request.delete_index) {
    json.BeginObject().Key("Delete").BeginObject().Field("IndexName", *request.delete_index).EndObject().EndObject();
  }
  json.EndArray().EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("UpdateTable", json.Take()));
  return TableDescriptionIn(text, "TableDescription");
}

Result<std::vector<std::string>> RemoteTableClient::ListTables(const std::string& exclusive_start, int limit,
                                                               std::string* last) {
  JsonWriter json;
  json.BeginObject();
  if (!exclusive_start.empty()) json.Field("ExclusiveStartTableName", exclusive_start);
  if (limit > 0) json.Field("Limit", limit);
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("ListTables", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  std::vector<std::string> names;
  simdjson::dom::array list;
  if (root["TableNames"].get(list) == simdjson::SUCCESS) {
    for (simdjson::dom::element name : list) {
      std::string_view s;
      if (name.get(s) == simdjson::SUCCESS) names.emplace_back(s);
    }
  }
  if (last != nullptr) *last = Str(root, "LastEvaluatedTableName");
  return names;
}

Status RemoteTableClient::UpdateTimeToLive(const std::string& table_name, const std::string& attribute_name) {
  std::string name = attribute_name;
  if (name.empty()) {
    // Disabling names the attribute that is enabled now.
    JsonWriter describe;
    describe.BeginObject().Field("TableName", table_name).EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("DescribeTimeToLive", describe.Take()));
    simdjson::dom::parser parser;
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
    simdjson::dom::element ttl;
    if (root["TimeToLiveDescription"].get(ttl) == simdjson::SUCCESS) name = Str(ttl, "AttributeName");
    if (name.empty()) return Status::OK();  // already disabled
  }
  JsonWriter json;
  json.BeginObject().Field("TableName", table_name).Key("TimeToLiveSpecification").BeginObject();
  json.Field("Enabled", !attribute_name.empty()).Field("AttributeName", name).EndObject().EndObject();
  return Call("UpdateTimeToLive", json.Take()).status();
}

Result<table::WriteResult> RemoteTableClient::PutItem(const table::PutItemRequest& request,
                                                      table::WriteFailure* failure) {
  JsonWriter json(512);
  json.BeginObject().Field("TableName", request.table_name);
  WriteItemField(&json, "Item", request.item);
  WriteExpressions(&json, request.attributes, {{"ConditionExpression", &request.condition_expression}});
  if (request.return_values != table::ReturnValues::kNone) json.Field("ReturnValues", ReturnValuesName(request.return_values));
  if (request.return_old_on_condition_failure) json.Field("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("PutItem", json.Take(), failure));
  return ReadWriteResult(text);
}

Result<table::WriteResult> RemoteTableClient::UpdateItem(const table::UpdateItemRequest& request,
                                                         table::WriteFailure* failure) {
  JsonWriter json(512);
  json.BeginObject().Field("TableName", request.table_name);
  WriteItemField(&json, "Key", request.key);
  WriteExpressions(&json, request.attributes,
                   {{"UpdateExpression", &request.update_expression},
                    {"ConditionExpression", &request.condition_expression}});
  if (request.return_values != table::ReturnValues::kNone) json.Field("ReturnValues", ReturnValuesName(request.return_values));
  if (request.return_old_on_condition_failure) json.Field("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("UpdateItem", json.Take(), failure));
  return ReadWriteResult(text);
}

Result<table::WriteResult> RemoteTableClient::DeleteItem(const table::DeleteItemRequest& request,
                                                         table::WriteFailure* failure) {
  JsonWriter json(256);
  json.BeginObject().Field("TableName", request.table_name);
  WriteItemField(&json, "Key", request.key);
  WriteExpressions(&json, request.attributes, {{"ConditionExpression", &request.condition_expression}});
  if (request.return_values != table::ReturnValues::kNone) json.Field("ReturnValues", ReturnValuesName(request.return_values));
  if (request.return_old_on_condition_failure) json.Field("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("DeleteItem", json.Take(), failure));
  return ReadWriteResult(text);
}

Result<std::optional<Item>> RemoteTableClient::GetItem(const table::GetItemRequest& request) {
  JsonWriter json(256);
  json.BeginObject().Field("TableName", request.table_name);
  WriteItemField(&json, "Key", request.key);
  WriteExpressions(&json, request.attributes, {{"ProjectionExpression", &request.projection_expression}});
  if (request.consistent_read) json.Field("ConsistentRead", true);
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("GetItem", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  return OptionalItem(root, "Item");
}

Result<table::QueryResult> RemoteTableClient::Query(const table::QueryRequest& request) {
  JsonWriter json(512);
  json.BeginObject().Field("TableName", request.table_name);
  if (!request.index_name.empty()) json.Field("IndexName", request.index_name);
  WriteExpressions(&json, request.attributes,
                   {{"KeyConditionExpression", &request.key_condition_expression},
                    {"FilterExpression", &request.filter_expression},
                    {"ProjectionExpression", &request.projection_expression}});
  if (!request.scan_index_forward) json.Field("ScanIndexForward", false);
  if (request.limit > 0) json.Field("Limit", request.limit);
  if (request.exclusive_start_key) WriteItemField(&json, "ExclusiveStartKey", *request.exclusive_start_key);
  if (request.select != table::Select::kAllAttributes) json.Field("Select", SelectName(request.select));
  if (request.consistent_read) json.Field("ConsistentRead", true);
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("Query", json.Take()));
  return ReadQueryResult(text);
}

Result<table::QueryResult> RemoteTableClient::Scan(const table::ScanRequest& request) {
  JsonWriter json(512);
  json.BeginObject().Field("TableName", request.table_name);
  if (!request.index_name.empty()) json.Field("IndexName", request.index_name);
  WriteExpressions(&json, request.attributes,
                   {{"FilterExpression", &request.filter_expression},
                    {"ProjectionExpression", &request.projection_expression}});
  if (request.limit > 0) json.Field("Limit", request.limit);
  if (request.exclusive_start_key) WriteItemField(&json, "ExclusiveStartKey", *request.exclusive_start_key);
  if (request.total_segments > 1) json.Field("Segment", request.segment).Field("TotalSegments", request.total_segments);
  if (request.select != table::Select::kAllAttributes) json.Field("Select", SelectName(request.select));
  if (request.consistent_read) json.Field("ConsistentRead", true);
  json.EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("Scan", json.Take()));
  return ReadQueryResult(text);
}

Result<table::BatchGetResult> RemoteTableClient::BatchGetItem(
    const std::map<std::string, table::KeysAndAttributes>& request) {
  table::BatchGetResult out;
  std::map<std::string, table::KeysAndAttributes> pending = request;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == kBatchRetries) return Status::Throttled("dynamodb left keys unprocessed after retries");
    if (attempt > 0) BackOff(attempt);
    JsonWriter json(1024);
    json.BeginObject().Key("RequestItems").BeginObject();
    for (const auto& [table_name, keys] : pending) {
      json.Key(table_name).BeginObject().Key("Keys").BeginArray();
      for (const Item& key : keys.keys) dynamodb::WriteItem(key, &json);
      json.EndArray();
      WriteExpressions(&json, keys.attributes, {{"ProjectionExpression", &keys.projection_expression}});
      json.EndObject();
    }
    json.EndObject().EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("BatchGetItem", json.Take()));
    simdjson::dom::parser parser;
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
    simdjson::dom::object responses;
    if (root["Responses"].get(responses) == simdjson::SUCCESS) {
      for (auto [table_name, items] : responses) {
        ASSIGN_OR_RETURN(auto list, ItemArray(items));
        auto& into = out.responses[std::string(table_name)];
        for (Item& item : list) into.push_back(std::move(item));
      }
    }
    std::map<std::string, table::KeysAndAttributes> unprocessed;
    simdjson::dom::object left;
    if (root["UnprocessedKeys"].get(left) == simdjson::SUCCESS) {
      for (auto [table_name, entry] : left) {
        table::KeysAndAttributes again = pending.at(std::string(table_name));
        ASSIGN_OR_RETURN(again.keys, ItemList(entry, "Keys"));
        if (!again.keys.empty()) unprocessed.emplace(std::string(table_name), std::move(again));
      }
    }
    pending = std::move(unprocessed);
  }
  return out;
}

Result<table::BatchWriteResult> RemoteTableClient::BatchWriteItem(
    const std::map<std::string, std::vector<table::WriteRequest>>& request) {
  std::map<std::string, std::vector<table::WriteRequest>> pending = request;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt == kBatchRetries) return Status::Throttled("dynamodb left writes unprocessed after retries");
    if (attempt > 0) BackOff(attempt);
    JsonWriter json(4096);
    json.BeginObject().Key("RequestItems").BeginObject();
    for (const auto& [table_name, writes] : pending) {
      json.Key(table_name).BeginArray();
      for (const auto& write : writes) {
        json.BeginObject();
        if (write.put_item) {
          json.Key("PutRequest").BeginObject();
          WriteItemField(&json, "Item", *write.put_item);
        } else {
          json.Key("DeleteRequest").BeginObject();
          WriteItemField(&json, "Key", write.delete_key.value_or(Item{}));
        }
        json.EndObject().EndObject();
      }
      json.EndArray();
    }
    json.EndObject().EndObject();
    ASSIGN_OR_RETURN(std::string text, Call("BatchWriteItem", json.Take()));
    simdjson::dom::parser parser;
    ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
    std::map<std::string, std::vector<table::WriteRequest>> unprocessed;
    simdjson::dom::object left;
    if (root["UnprocessedItems"].get(left) == simdjson::SUCCESS) {
      for (auto [table_name, writes] : left) {
        simdjson::dom::array list;
        if (writes.get(list) != simdjson::SUCCESS) continue;
        for (simdjson::dom::element write : list) {
          table::WriteRequest again;
          simdjson::dom::element inner;
          if (write["PutRequest"].get(inner) == simdjson::SUCCESS) {
            ASSIGN_OR_RETURN(again.put_item, OptionalItem(inner, "Item"));
          } else if (write["DeleteRequest"].get(inner) == simdjson::SUCCESS) {
            ASSIGN_OR_RETURN(again.delete_key, OptionalItem(inner, "Key"));
          }
          unprocessed[std::string(table_name)].push_back(std::move(again));
        }
      }
    }
    pending = std::move(unprocessed);
  }
  return table::BatchWriteResult{};
}

Status RemoteTableClient::TransactWriteItems(const std::vector<table::TransactWriteItem>& items,
                                             const std::string& client_request_token,
                                             table::WriteFailure* failure) {
  JsonWriter json(2048);
  json.BeginObject().Key("TransactItems").BeginArray();
  for (const auto& item : items) {
    json.BeginObject();
    switch (item.kind) {
      case table::TransactWriteItem::Kind::kPut: json.Key("Put"); break;
      case table::TransactWriteItem::Kind::kUpdate: json.Key("Update"); break;
      case table::TransactWriteItem::Kind::kDelete: json.Key("Delete"); break;
      case table::TransactWriteItem::Kind::kConditionCheck: json.Key("ConditionCheck"); break;
    }
    json.BeginObject().Field("TableName", item.table_name);
    if (item.kind == table::TransactWriteItem::Kind::kPut) {
      WriteItemField(&json, "Item", item.item);
    } else {
      WriteItemField(&json, "Key", item.key);
    }
    WriteExpressions(&json, item.attributes,
                     {{"UpdateExpression", &item.update_expression},
                      {"ConditionExpression", &item.condition_expression}});
    if (item.return_old_on_condition_failure) json.Field("ReturnValuesOnConditionCheckFailure", "ALL_OLD");
    json.EndObject().EndObject();
  }
  json.EndArray();
  if (!client_request_token.empty()) json.Field("ClientRequestToken", client_request_token);
  json.EndObject();
  return Call("TransactWriteItems", json.Take(), failure).status();
}

Result<std::vector<std::optional<Item>>> RemoteTableClient::TransactGetItems(
    const std::vector<table::TransactGetItem>& items) {
  JsonWriter json(1024);
  json.BeginObject().Key("TransactItems").BeginArray();
  for (const auto& item : items) {
    json.BeginObject().Key("Get").BeginObject().Field("TableName", item.table_name);
    WriteItemField(&json, "Key", item.key);
    WriteExpressions(&json, item.attributes, {{"ProjectionExpression", &item.projection_expression}});
    json.EndObject().EndObject();
  }
  json.EndArray().EndObject();
  ASSIGN_OR_RETURN(std::string text, Call("TransactGetItems", json.Take()));
  simdjson::dom::parser parser;
  ASSIGN_OR_RETURN(auto root, ParseReply(parser, text, "dynamodb"));
  std::vector<std::optional<Item>> out;
  simdjson::dom::array responses;
  if (root["Responses"].get(responses) == simdjson::SUCCESS) {
    for (simdjson::dom::element response : responses) {
      ASSIGN_OR_RETURN(auto item, OptionalItem(response, "Item"));
      out.push_back(std::move(item));
    }
  }
  if (out.size() != items.size()) return Status::Internal("dynamodb TransactGetItems answer has the wrong length");
  return out;
}

}  // namespace aws::remote
