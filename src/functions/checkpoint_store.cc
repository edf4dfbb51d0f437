#include "functions/checkpoint_store.h"

namespace functions {

using table::AttributeValue;

common::Result<std::unique_ptr<TableCheckpointStore>> TableCheckpointStore::Open(
    table::TableClient* tables, std::string table_name) {
  table::CreateTableRequest create;
  create.table_name = table_name;
  create.key_schema = {{"mapping_id", table::KeyType::kHash}, {"shard_id", table::KeyType::kRange}};
  create.attribute_definitions = {{"mapping_id", AttributeValue::Type::kS},
                                  {"shard_id", AttributeValue::Type::kS}};
  auto created = tables->CreateTable(create);
  if (!created.ok() && created.status().code() != common::Status::Code::kResourceInUse) {
    return created.status().WithContext("creating checkpoint table " + table_name);
  }
  return std::unique_ptr<TableCheckpointStore>(new TableCheckpointStore(tables, std::move(table_name)));
}

common::Result<std::optional<Checkpoint>> TableCheckpointStore::Load(const std::string& mapping_id,
                                                                     const std::string& shard_id) {
  table::GetItemRequest get;
  get.table_name = table_name_;
  get.key = {{"mapping_id", AttributeValue::S(mapping_id)}, {"shard_id", AttributeValue::S(shard_id)}};
  ASSIGN_OR_RETURN(std::optional<table::Item> item, tables_->GetItem(get));
  if (!item) return std::optional<Checkpoint>();
  Checkpoint checkpoint;
  if (auto it = item->find("sequence_number"); it != item->end()) {
    checkpoint.sequence_number = it->second.scalar();
  }
  if (auto it = item->find("shard_finished"); it != item->end()) {
    checkpoint.shard_finished = it->second.boolean();
  }
  if (auto it = item->find("window_start"); it != item->end()) {
    checkpoint.window_start_millis = std::stoll(it->second.scalar());
  }
  if (auto it = item->find("window_state"); it != item->end()) {
    checkpoint.window_state = it->second.scalar();
  }
  return std::optional<Checkpoint>(std::move(checkpoint));
}

common::Status TableCheckpointStore::Save(const std::string& mapping_id, const std::string& shard_id,
                                          const Checkpoint& checkpoint) {
  table::TransactWriteItem action = SaveAction(mapping_id, shard_id, checkpoint);
  table::PutItemRequest put;
  put.table_name = action.table_name;
  put.item = std::move(action.item);
  return tables_->PutItem(put).status();
}

table::TransactWriteItem TableCheckpointStore::SaveAction(const std::string& mapping_id, const std::string& shard_id,
                                                          const Checkpoint& checkpoint) const {
  table::TransactWriteItem put;
  put.kind = table::TransactWriteItem::Kind::kPut;
  put.table_name = table_name_;
  put.item = {{"mapping_id", AttributeValue::S(mapping_id)},
              {"shard_id", AttributeValue::S(shard_id)},
              {"shard_finished", AttributeValue::Bool(checkpoint.shard_finished)}};
  if (!checkpoint.sequence_number.empty()) {
    put.item["sequence_number"] = AttributeValue::S(checkpoint.sequence_number);
  }
  if (checkpoint.window_start_millis != 0) {
    put.item["window_start"] = AttributeValue::N(std::to_string(checkpoint.window_start_millis));
    // B, not S: a function's state is arbitrary bytes.
    put.item["window_state"] = AttributeValue::B(checkpoint.window_state);
  }
  return put;
}

common::Result<std::optional<Checkpoint>> LayeredCheckpointStore::Load(const std::string& mapping_id,
                                                                       const std::string& shard_id) {
  ASSIGN_OR_RETURN(std::optional<Checkpoint> found, primary_->Load(mapping_id, shard_id));
  if (found) return found;
  return fallback_->Load(mapping_id, shard_id);
}

}  // namespace functions
