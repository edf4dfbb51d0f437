// A table's schema as the engine uses it: key attributes, indexes, the
// RocksDB key prefixes they live under, and validation of items and keys
// against it. Persisted as JSON under the table's metadata key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "table/table_client.h"

namespace table {

struct KeyAttr {
  std::string name;
  AttributeValue::Type type = AttributeValue::Type::kS;
};

struct IndexMeta {
  std::string name;
  uint16_t id = 0;  // > 0; never reused within a table
  KeyAttr pk;
  std::optional<KeyAttr> sk;
  Projection projection;
};

struct TableMeta {
  TableDescription desc;
  uint32_t id = 0;  // never reused, so a recreated table never sees old data
  KeyAttr pk;
  std::optional<KeyAttr> sk;
  std::vector<IndexMeta> indexes;
  uint16_t next_index_id = 1;

  const IndexMeta* FindIndex(const std::string& name) const;
};

// RocksDB key layout (README.md): 'm' + table name -> TableMeta JSON;
// 'n' -> next table id; 't' + be32(table id) + be16(index id, 0 for the
// table) + enc(partition key) [+ enc(sort key)] [+ base table key for indexes].
std::string MetaKey(const std::string& table_name);
inline constexpr char kNextTableIdKey[] = "n";
std::string IndexPrefix(uint32_t table_id, uint16_t index_id);
inline constexpr size_t kIndexPrefixSize = 1 + 4 + 2;  // IndexPrefix(...).size()
// Change feed (change_feed.h): 'c' + be64(sequence) -> change record;
// 'f' -> the forwarder's cursor.
std::string ChangeKey(uint64_t sequence);
uint64_t ChangeSequenceOf(std::string_view change_key);  // REQUIRES: a ChangeKey
inline constexpr char kChangeCursorKey[] = "f";
std::string TablePrefix(uint32_t table_id);  // every index of the table

// Builds a TableMeta from a CreateTable request, checking it the way DynamoDB does.
Result<TableMeta> BuildTableMeta(const CreateTableRequest& request, uint32_t id, int64_t now_millis);
// Checks a GSI definition against the attribute definitions and assigns its id.
Result<IndexMeta> BuildIndexMeta(const GlobalSecondaryIndex& gsi, const std::vector<AttributeDefinition>& defs,
                                 uint16_t id);
// Enables or disables the change feed (UpdateTable's StreamSpecification),
// with DynamoDB's checks; enabling sets a new stream label and ARN.
Status SetStream(TableMeta* meta, const StreamSpecification& spec, int64_t now_millis);
std::string SerializeMeta(const TableMeta& meta);
Result<TableMeta> ParseMeta(const std::string& json);

// Validates numbers (canonicalising them), sets, size and the key attributes
// of an item to be written, including index key types. Returns the cleaned item
// (pass an item you no longer need with std::move: it is cleaned in place).
Result<Item> ValidateItem(const TableMeta& meta, Item item);
// Validates a key (exactly the key attributes, right types) and canonicalises it.
Result<Item> ValidateKey(const TableMeta& meta, const Item& key);
// Canonicalises numbers inside a value (expression attribute values).
Result<AttributeValue> NormalizeValue(const AttributeValue& v);

// The item's table key bytes. REQUIRES: the item passed ValidateItem/ValidateKey.
std::string BaseKey(const TableMeta& meta, const Item& item);
// The item's key bytes in `index`, or nullopt when the item lacks an index key attribute.
std::optional<std::string> IndexKey(const TableMeta& meta, const IndexMeta& index, const Item& item);
// The primary key attributes of an item (and the index's, when given).
Item KeyOf(const TableMeta& meta, const Item& item, const IndexMeta* index = nullptr);
// The item as stored in `index` (its projection).
Item ProjectForIndex(const TableMeta& meta, const IndexMeta& index, const Item& item);

}  // namespace table
