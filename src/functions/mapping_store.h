// Where event-source mappings created through the Lambda API are kept, so
// they survive a restart. Mappings that code or the config file create at
// each start are not stored: their source is the code or the file.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "functions/mapping_config.h"
#include "table/table_client.h"

namespace functions {

class MappingStore {
 public:
  virtual ~MappingStore() = default;
  // Inserts or replaces the mapping with config.id. Durable when OK.
  virtual common::Status Save(const EventSourceMappingConfig& config) = 0;
  virtual common::Status Delete(const std::string& id) = 0;
  virtual common::Result<std::vector<EventSourceMappingConfig>> LoadAll() = 0;
};

// One item per mapping in a table (hash key `uuid`, the settings as JSON in
// `config`), created on Open if missing. Thread-safe.
class TableMappingStore final : public MappingStore {
 public:
  static constexpr const char* kDefaultTable = "rivulet-function-mappings";

  // REQUIRES: `tables` outlives the store.
  static common::Result<std::unique_ptr<TableMappingStore>> Open(table::TableClient* tables,
                                                                 std::string table_name = kDefaultTable);

  common::Status Save(const EventSourceMappingConfig& config) override;
  common::Status Delete(const std::string& id) override;
  common::Result<std::vector<EventSourceMappingConfig>> LoadAll() override;

 private:
  TableMappingStore(table::TableClient* tables, std::string table_name)
      : tables_(tables), table_name_(std::move(table_name)) {}

  table::TableClient* tables_;
  std::string table_name_;
};

// The stored JSON form (field names as in mapping_config.h). Stable: it is on disk.
std::string MappingToJson(const EventSourceMappingConfig& config);
common::Result<EventSourceMappingConfig> MappingFromJson(std::string_view json);

}  // namespace functions
