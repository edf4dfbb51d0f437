#include "functions/mapping_store.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace functions {

using table::AttributeValue;

std::string MappingToJson(const EventSourceMappingConfig& c) {
  nlohmann::json j = {{"id", c.id},
                      {"function_name", c.function_name},
                      {"stream_name", c.stream_name},
                      {"enabled", c.enabled},
                      {"batch_size", c.batch_size},
                      {"maximum_batching_window_ms", c.maximum_batching_window_ms},
                      {"starting_position", StartingPositionName(c.starting_position)},
                      {"starting_position_timestamp_millis", c.starting_position_timestamp_millis},
                      {"maximum_retry_attempts", c.maximum_retry_attempts},
                      {"maximum_record_age_seconds", c.maximum_record_age_seconds},
                      {"bisect_batch_on_function_error", c.bisect_batch_on_function_error},
                      {"report_batch_item_failures", c.report_batch_item_failures},
                      {"on_failure_stream", c.on_failure_stream},
                      {"parallelization_factor", c.parallelization_factor},
                      {"tumbling_window_seconds", c.tumbling_window_seconds},
                      {"persist_checkpoints", c.persist_checkpoints}};
  return j.dump();
}

common::Result<EventSourceMappingConfig> MappingFromJson(std::string_view text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return common::Status::Corruption("stored mapping is not a JSON object");
  EventSourceMappingConfig c;
  // Missing members keep their defaults, so older rows still load.
  try {
    c.id = j.value("id", c.id);
    c.function_name = j.value("function_name", c.function_name);
    c.stream_name = j.value("stream_name", c.stream_name);
    c.enabled = j.value("enabled", c.enabled);
    c.batch_size = j.value("batch_size", c.batch_size);
    c.maximum_batching_window_ms = j.value("maximum_batching_window_ms", c.maximum_batching_window_ms);
    ASSIGN_OR_RETURN(c.starting_position, ParseStartingPosition(j.value("starting_position", std::string("LATEST"))));
    c.starting_position_timestamp_millis =
        j.value("starting_position_timestamp_millis", c.starting_position_timestamp_millis);
    c.maximum_retry_attempts = j.value("maximum_retry_attempts", c.maximum_retry_attempts);
    c.maximum_record_age_seconds = j.value("maximum_record_age_seconds", c.maximum_record_age_seconds);
    c.bisect_batch_on_function_error = j.value("bisect_batch_on_function_error", c.bisect_batch_on_function_error);
    c.report_batch_item_failures = j.value("report_batch_item_failures", c.report_batch_item_failures);
    c.on_failure_stream = j.value("on_failure_stream", c.on_failure_stream);
    c.parallelization_factor = j.value("parallelization_factor", c.parallelization_factor);
    c.tumbling_window_seconds = j.value("tumbling_window_seconds", c.tumbling_window_seconds);
    c.persist_checkpoints = j.value("persist_checkpoints", c.persist_checkpoints);
  } catch (const nlohmann::json::exception& e) {
    return common::Status::Corruption(fmt::format("stored mapping has a member of the wrong type: {}", e.what()));
  }
  return c;
}

common::Result<std::unique_ptr<TableMappingStore>> TableMappingStore::Open(table::TableClient* tables,
                                                                           std::string table_name) {
  table::CreateTableRequest create;
  create.table_name = table_name;
  create.key_schema = {{"uuid", table::KeyType::kHash}};
  create.attribute_definitions = {{"uuid", AttributeValue::Type::kS}};
  auto created = tables->CreateTable(create);
  if (!created.ok() && created.status().code() != common::Status::Code::kResourceInUse) {
    return created.status().WithContext("creating mapping table " + table_name);
  }
  return std::unique_ptr<TableMappingStore>(new TableMappingStore(tables, std::move(table_name)));
}

common::Status TableMappingStore::Save(const EventSourceMappingConfig& config) {
  table::PutItemRequest put;
  put.table_name = table_name_;
  put.item = {{"uuid", AttributeValue::S(config.id)}, {"config", AttributeValue::S(MappingToJson(config))}};
  return tables_->PutItem(put).status();
}

common::Status TableMappingStore::Delete(const std::string& id) {
  table::DeleteItemRequest del;
  del.table_name = table_name_;
  del.key = {{"uuid", AttributeValue::S(id)}};
  return tables_->DeleteItem(del).status();
}

common::Result<std::vector<EventSourceMappingConfig>> TableMappingStore::LoadAll() {
  std::vector<EventSourceMappingConfig> out;
  table::ScanRequest scan;
  scan.table_name = table_name_;
  do {
    ASSIGN_OR_RETURN(table::QueryResult page, tables_->Scan(scan));
    for (const auto& item : page.items) {
      auto it = item.find("config");
      if (it == item.end()) continue;
      ASSIGN_OR_RETURN(EventSourceMappingConfig config, MappingFromJson(it->second.scalar()));
      out.push_back(std::move(config));
    }
    scan.exclusive_start_key = page.last_evaluated_key;
  } while (scan.exclusive_start_key);
  return out;
}

}  // namespace functions
