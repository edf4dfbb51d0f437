#include "table/table_schema.h"

#include <cstdio>
#include <ctime>
#include <set>

#include <nlohmann/json.hpp>

#include "table/key_encoding.h"
#include "table/number.h"

namespace table {
namespace {

constexpr size_t kMaxPartitionKeyBytes = 2048;
constexpr size_t kMaxSortKeyBytes = 1024;

void PutBigEndian(std::string* out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out->push_back(static_cast<char>((v >> (i * 8)) & 0xff));
}

Status Invalid(const std::string& msg) {
  return Status::InvalidArgument("One or more parameter values were invalid: " + msg);
}

Result<KeyAttr> KeyAttrFor(const std::string& name, const std::vector<AttributeDefinition>& defs) {
  for (const auto& d : defs) {
    if (d.attribute_name == name) return KeyAttr{name, d.attribute_type};
  }
  std::string defined;
  for (const auto& d : defs) defined += (defined.empty() ? "" : ", ") + d.attribute_name;
  return Invalid("Some index key attributes are not defined in AttributeDefinitions. Keys: [" + name +
                 "], AttributeDefinitions: [" + defined + "]");
}

// Splits a key schema into HASH and optional RANGE attributes.
Status ParseKeySchema(const std::vector<KeySchemaElement>& schema, const std::vector<AttributeDefinition>& defs,
                      KeyAttr* pk, std::optional<KeyAttr>* sk) {
  if (schema.empty() || schema.size() > 2) {
    return Status::InvalidArgument("1 validation error detected: Value at 'keySchema' failed to satisfy constraint: "
                                   "Member must have length less than or equal to 2 and greater than or equal to 1");
  }
  if (schema[0].key_type != KeyType::kHash) return Invalid("Invalid KeySchema: The first KeySchemaElement is not a HASH key type");
  if (schema.size() == 2 && schema[1].key_type != KeyType::kRange) {
    return Invalid("Invalid KeySchema: The second KeySchemaElement is not a RANGE key type");
  }
  if (schema.size() == 2 && schema[0].attribute_name == schema[1].attribute_name) {
    return Invalid("Both the Hash Key and the Range Key element in the KeySchema have the same name");
  }
  ASSIGN_OR_RETURN(*pk, KeyAttrFor(schema[0].attribute_name, defs));
  if (schema.size() == 2) {
    ASSIGN_OR_RETURN(KeyAttr s, KeyAttrFor(schema[1].attribute_name, defs));
    *sk = s;
  }
  return Status::OK();
}

Status CheckName(const std::string& name, const std::string& field, size_t max) {
  auto fail = [&](const std::string& constraint) {
    return Status::InvalidArgument("1 validation error detected: Value '" + name + "' at '" + field +
                                   "' failed to satisfy constraint: " + constraint);
  };
  if (name.size() < 3) return fail("Member must have length greater than or equal to 3");
  if (name.size() > max) return fail("Member must have length less than or equal to " + std::to_string(max));
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-' && c != '.') {
      return fail("Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+");
    }
  }
  return Status::OK();
}

Status CheckKeyValue(const KeyAttr& attr, const AttributeValue& v, const std::string& index_name) {
  if (v.type() != attr.type) {
    if (!index_name.empty()) {
      return Invalid("Type mismatch for Index Key " + attr.name + " Expected: " + std::string(TypeName(attr.type)) +
                     " Actual: " + std::string(TypeName(v.type())) + " IndexName: " + index_name);
    }
    return Invalid("Type mismatch for key " + attr.name + " expected: " + std::string(TypeName(attr.type)) +
                   " actual: " + std::string(TypeName(v.type())));
  }
  if (attr.type != AttributeValue::Type::kN && v.scalar().empty()) {
    if (!index_name.empty()) {
      return Status::InvalidArgument(
          "One or more parameter values are not valid. A value specified for a secondary index key is not supported. "
          "The AttributeValue for a key attribute cannot contain an empty " +
          std::string(attr.type == AttributeValue::Type::kS ? "string" : "binary") + " value. IndexName: " +
          index_name + ", IndexKey: " + attr.name);
    }
    return Status::InvalidArgument(
        "One or more parameter values are not valid. The AttributeValue for a key attribute cannot contain an empty " +
        std::string(attr.type == AttributeValue::Type::kS ? "string" : "binary") + " value. Key: " + attr.name);
  }
  return Status::OK();
}

Status CheckKeySizes(const TableMeta& meta, const Item& item) {
  const AttributeValue& pk = item.at(meta.pk.name);
  if (pk.scalar().size() > kMaxPartitionKeyBytes) {
    return Invalid("Size of hashkey has exceeded the maximum size limit of2048 bytes");
  }
  if (meta.sk && item.at(meta.sk->name).scalar().size() > kMaxSortKeyBytes) {
    return Invalid("Aggregated size of all range keys has exceeded the size limit of 1024 bytes");
  }
  return Status::OK();
}

nlohmann::json KeyAttrJson(const KeyAttr& k) { return {{"name", k.name}, {"type", std::string(TypeName(k.type))}}; }
KeyAttr KeyAttrFromJson(const nlohmann::json& j) {
  KeyAttr k;
  k.name = j.at("name").get<std::string>();
  ParseTypeName(j.at("type").get<std::string>(), &k.type);
  return k;
}

}  // namespace

const IndexMeta* TableMeta::FindIndex(const std::string& name) const {
  for (const auto& i : indexes) {
    if (i.name == name) return &i;
  }
  return nullptr;
}

std::string MetaKey(const std::string& table_name) { return "m" + table_name; }

std::string TablePrefix(uint32_t table_id) {
  std::string out = "t";
  PutBigEndian(&out, table_id, 4);
  return out;
}

std::string IndexPrefix(uint32_t table_id, uint16_t index_id) {
  std::string out = TablePrefix(table_id);
  PutBigEndian(&out, index_id, 2);
  return out;
}

Result<IndexMeta> BuildIndexMeta(const GlobalSecondaryIndex& gsi, const std::vector<AttributeDefinition>& defs,
                                 uint16_t id) {
  RETURN_IF_ERROR(CheckName(gsi.index_name, "indexName", 255));
  IndexMeta index;
  index.name = gsi.index_name;
  index.id = id;
  index.projection = gsi.projection;
  RETURN_IF_ERROR(ParseKeySchema(gsi.key_schema, defs, &index.pk, &index.sk));
  return index;
}

Result<TableMeta> BuildTableMeta(const CreateTableRequest& request, uint32_t id, int64_t now_millis) {
  RETURN_IF_ERROR(CheckName(request.table_name, "tableName", 255));
  TableMeta meta;
  meta.id = id;
  for (const auto& d : request.attribute_definitions) {
    if (d.attribute_type != AttributeValue::Type::kS && d.attribute_type != AttributeValue::Type::kN &&
        d.attribute_type != AttributeValue::Type::kB) {
      return Invalid("Member must satisfy enum value set: [B, N, S] (attribute " + d.attribute_name + ")");
    }
  }
  RETURN_IF_ERROR(ParseKeySchema(request.key_schema, request.attribute_definitions, &meta.pk, &meta.sk));
  std::set<std::string> used = {meta.pk.name};
  if (meta.sk) used.insert(meta.sk->name);
  if (request.global_secondary_indexes.size() > 20) return Invalid("GlobalSecondaryIndexes: at most 20 are allowed");
  std::set<std::string> index_names;
  for (const auto& gsi : request.global_secondary_indexes) {
    ASSIGN_OR_RETURN(IndexMeta index, BuildIndexMeta(gsi, request.attribute_definitions, meta.next_index_id++));
    if (!index_names.insert(index.name).second) return Invalid("Duplicate index name: " + index.name);
    used.insert(index.pk.name);
    if (index.sk) used.insert(index.sk->name);
    meta.indexes.push_back(std::move(index));
  }
  if (used.size() != request.attribute_definitions.size()) {
    return Invalid("Number of attributes in KeySchema does not exactly match number of attributes defined in "
                   "AttributeDefinitions");
  }
  TableDescription& d = meta.desc;
  d.table_name = request.table_name;
  d.table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + request.table_name;
  d.key_schema = request.key_schema;
  d.attribute_definitions = request.attribute_definitions;
  d.global_secondary_indexes = request.global_secondary_indexes;
  d.billing_mode = request.billing_mode.empty() ? "PAY_PER_REQUEST" : request.billing_mode;
  d.creation_millis = now_millis;
  if (request.stream_specification.enabled) RETURN_IF_ERROR(SetStream(&meta, request.stream_specification, now_millis));
  return meta;
}

std::string ChangeKey(uint64_t sequence) {
  std::string k = "c";
  PutBigEndian(&k, sequence, 8);
  return k;
}

uint64_t ChangeSequenceOf(std::string_view key) {
  uint64_t v = 0;
  for (size_t i = 1; i < 9 && i < key.size(); ++i) v = (v << 8) | static_cast<unsigned char>(key[i]);
  return v;
}

std::string_view StreamViewTypeName(StreamViewType type) {
  switch (type) {
    case StreamViewType::kKeysOnly: return "KEYS_ONLY";
    case StreamViewType::kNewImage: return "NEW_IMAGE";
    case StreamViewType::kOldImage: return "OLD_IMAGE";
    case StreamViewType::kNewAndOldImages: return "NEW_AND_OLD_IMAGES";
  }
  return "NEW_AND_OLD_IMAGES";
}

bool ParseStreamViewType(std::string_view name, StreamViewType* type) {
  for (auto t : {StreamViewType::kKeysOnly, StreamViewType::kNewImage, StreamViewType::kOldImage,
                 StreamViewType::kNewAndOldImages}) {
    if (StreamViewTypeName(t) == name) {
      *type = t;
      return true;
    }
  }
  return false;
}

Status SetStream(TableMeta* meta, const StreamSpecification& spec, int64_t now_millis) {
  TableDescription& d = meta->desc;
  if (spec.enabled && d.stream_specification.enabled) {
    return Invalid("Table already has an enabled stream: " + d.latest_stream_arn);
  }
  if (spec.enabled && ChangeStreamName(d.table_name).size() > 128) {
    return Invalid("StreamSpecification: the table name is " + std::to_string(d.table_name.size()) +
                   " characters; tables with a stream may have at most 119");
  }
  d.stream_specification = spec;
  if (spec.enabled) {
    std::time_t seconds = static_cast<std::time_t>(now_millis / 1000);
    std::tm tm{};
    gmtime_r(&seconds, &tm);
    char label[96];
    std::snprintf(label, sizeof(label), "%04d-%02d-%02dT%02d:%02d:%02d.%03d", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(now_millis % 1000));
    d.latest_stream_label = label;
    d.latest_stream_arn = d.table_arn + "/stream/" + d.latest_stream_label;
  }
  return Status::OK();
}

std::string SerializeMeta(const TableMeta& meta) {
  nlohmann::json j;
  j["id"] = meta.id;
  j["name"] = meta.desc.table_name;
  j["arn"] = meta.desc.table_arn;
  j["billing_mode"] = meta.desc.billing_mode;
  j["created"] = meta.desc.creation_millis;
  j["ttl"] = meta.desc.ttl_attribute;
  if (!meta.desc.latest_stream_label.empty()) {
    j["stream"] = {{"enabled", meta.desc.stream_specification.enabled},
                   {"view", std::string(StreamViewTypeName(meta.desc.stream_specification.view_type))},
                   {"label", meta.desc.latest_stream_label}};
  }
  j["pk"] = KeyAttrJson(meta.pk);
  if (meta.sk) j["sk"] = KeyAttrJson(*meta.sk);
  j["next_index_id"] = meta.next_index_id;
  j["indexes"] = nlohmann::json::array();
  for (const auto& i : meta.indexes) {
    nlohmann::json ji = {{"name", i.name}, {"id", i.id}, {"pk", KeyAttrJson(i.pk)},
                         {"projection", static_cast<int>(i.projection.type)},
                         {"non_key", i.projection.non_key_attributes}};
    if (i.sk) ji["sk"] = KeyAttrJson(*i.sk);
    j["indexes"].push_back(ji);
  }
  return j.dump();
}

Result<TableMeta> ParseMeta(const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded()) return Status::Corruption("table metadata is not JSON");
  try {
    TableMeta m;
    m.id = j.at("id").get<uint32_t>();
    m.pk = KeyAttrFromJson(j.at("pk"));
    if (j.contains("sk")) m.sk = KeyAttrFromJson(j.at("sk"));
    m.next_index_id = j.at("next_index_id").get<uint16_t>();
    TableDescription& d = m.desc;
    d.table_name = j.at("name").get<std::string>();
    d.table_arn = j.at("arn").get<std::string>();
    d.billing_mode = j.at("billing_mode").get<std::string>();
    d.creation_millis = j.at("created").get<int64_t>();
    d.ttl_attribute = j.at("ttl").get<std::string>();
    if (j.contains("stream")) {
      const auto& js = j.at("stream");
      d.stream_specification.enabled = js.at("enabled").get<bool>();
      if (!ParseStreamViewType(js.at("view").get<std::string>(), &d.stream_specification.view_type)) {
        return Status::Corruption("table metadata: unknown stream view type");
      }
      d.latest_stream_label = js.at("label").get<std::string>();
      d.latest_stream_arn = d.table_arn + "/stream/" + d.latest_stream_label;
    }
    auto add_def = [&](const KeyAttr& k) {
      for (const auto& e : d.attribute_definitions) if (e.attribute_name == k.name) return;
      d.attribute_definitions.push_back({k.name, k.type});
    };
    d.key_schema.push_back({m.pk.name, KeyType::kHash});
    add_def(m.pk);
    if (m.sk) {
      d.key_schema.push_back({m.sk->name, KeyType::kRange});
      add_def(*m.sk);
    }
    for (const auto& ji : j.at("indexes")) {
      IndexMeta i;
      i.name = ji.at("name").get<std::string>();
      i.id = ji.at("id").get<uint16_t>();
      i.pk = KeyAttrFromJson(ji.at("pk"));
      if (ji.contains("sk")) i.sk = KeyAttrFromJson(ji.at("sk"));
      i.projection.type = static_cast<ProjectionType>(ji.at("projection").get<int>());
      i.projection.non_key_attributes = ji.at("non_key").get<std::vector<std::string>>();
      GlobalSecondaryIndex g;
      g.index_name = i.name;
      g.key_schema.push_back({i.pk.name, KeyType::kHash});
      add_def(i.pk);
      if (i.sk) {
        g.key_schema.push_back({i.sk->name, KeyType::kRange});
        add_def(*i.sk);
      }
      g.projection = i.projection;
      d.global_secondary_indexes.push_back(g);
      m.indexes.push_back(std::move(i));
    }
    return m;
  } catch (const nlohmann::json::exception& e) {
    return Status::Corruption(std::string("table metadata: ") + e.what());
  }
}

namespace {

// In place, so that an item whose numbers are already canonical (nearly
// every write) is checked without being rebuilt.
Status NormalizeInPlace(AttributeValue* v) {
  using T = AttributeValue::Type;
  switch (v->type()) {
    case T::kN: {
      if (number::IsCanonicalInteger(v->scalar())) return Status::OK();
      ASSIGN_OR_RETURN(std::string n, number::Canonicalize(v->scalar()));
      if (n != v->scalar()) *v = AttributeValue::N(std::move(n));
      return Status::OK();
    }
    case T::kL:
      for (auto& e : v->mutable_list()) RETURN_IF_ERROR(NormalizeInPlace(&e));
      return Status::OK();
    case T::kM:
      for (auto& [k, e] : v->mutable_map()) RETURN_IF_ERROR(NormalizeInPlace(&e));
      return Status::OK();
    case T::kSS:
    case T::kBS:
    case T::kNS: {
      ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(*v));
      *v = std::move(n);
      return Status::OK();
    }
    default:
      return Status::OK();
  }
}

}  // namespace

Result<AttributeValue> NormalizeValue(const AttributeValue& v) {
  using T = AttributeValue::Type;
  switch (v.type()) {
    case T::kN: {
      ASSIGN_OR_RETURN(std::string n, number::Canonicalize(v.scalar()));
      return AttributeValue::N(std::move(n));
    }
    case T::kSS:
    case T::kBS:
    case T::kNS: {
      if (v.set().empty()) {
        const char* kind = v.type() == T::kSS ? "string" : v.type() == T::kNS ? "number" : "binary";
        return Invalid(std::string("An ") + kind + " set  may not be empty");
      }
      if (v.type() != T::kNS) return v;
      std::vector<std::string> members;
      for (const auto& s : v.set()) {
        ASSIGN_OR_RETURN(std::string n, number::Canonicalize(s));
        members.push_back(std::move(n));
      }
      return AttributeValue::NS(std::move(members));
    }
    case T::kL: {
      std::vector<AttributeValue> out;
      out.reserve(v.list().size());
      for (const auto& e : v.list()) {
        ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(e));
        out.push_back(std::move(n));
      }
      return AttributeValue::L(std::move(out));
    }
    case T::kM: {
      Item out;
      for (const auto& [k, e] : v.map()) {
        ASSIGN_OR_RETURN(AttributeValue n, NormalizeValue(e));
        out.emplace(k, std::move(n));
      }
      return AttributeValue::M(std::move(out));
    }
    default:
      return v;
  }
}

Result<Item> ValidateItem(const TableMeta& meta, Item out) {
  for (auto& [name, v] : out) {
    if (name.empty()) return Invalid("An attribute name may not be empty");
    RETURN_IF_ERROR(NormalizeInPlace(&v));
  }
  auto check_key = [&](const KeyAttr& k) -> Status {
    auto it = out.find(k.name);
    if (it == out.end()) return Invalid("Missing the key " + k.name + " in the item");
    return CheckKeyValue(k, it->second, "");
  };
  RETURN_IF_ERROR(check_key(meta.pk));
  if (meta.sk) RETURN_IF_ERROR(check_key(*meta.sk));
  RETURN_IF_ERROR(CheckKeySizes(meta, out));
  for (const auto& index : meta.indexes) {
    for (const KeyAttr* k : {&index.pk, index.sk ? &*index.sk : nullptr}) {
      if (k == nullptr) continue;
      auto it = out.find(k->name);
      if (it != out.end()) RETURN_IF_ERROR(CheckKeyValue(*k, it->second, index.name));
    }
  }
  size_t size = ItemSize(out);
  if (size > kMaxItemBytes) {
    return Status::InvalidArgument("Item size has exceeded the maximum allowed size (item is " + std::to_string(size) +
                                   " bytes; the limit is " + std::to_string(kMaxItemBytes) + ")");
  }
  return out;
}

Result<Item> ValidateKey(const TableMeta& meta, const Item& key) {
  size_t expected = meta.sk ? 2 : 1;
  auto mismatch = [] { return Status::InvalidArgument("The provided key element does not match the schema"); };
  if (key.size() != expected) return mismatch();
  Item out;
  for (const KeyAttr* k : {&meta.pk, meta.sk ? &*meta.sk : nullptr}) {
    if (k == nullptr) continue;
    auto it = key.find(k->name);
    if (it == key.end() || it->second.type() != k->type) return mismatch();
    ASSIGN_OR_RETURN(AttributeValue v, NormalizeValue(it->second));
    RETURN_IF_ERROR(CheckKeyValue(*k, v, ""));
    out.emplace(k->name, std::move(v));
  }
  RETURN_IF_ERROR(CheckKeySizes(meta, out));
  return out;
}

std::string BaseKey(const TableMeta& meta, const Item& item) {
  std::string key = IndexPrefix(meta.id, 0);
  EncodeKeyValue(item.at(meta.pk.name), &key);
  if (meta.sk) EncodeKeyValue(item.at(meta.sk->name), &key);
  return key;
}

std::optional<std::string> IndexKey(const TableMeta& meta, const IndexMeta& index, const Item& item) {
  auto pk = item.find(index.pk.name);
  if (pk == item.end() || pk->second.type() != index.pk.type) return std::nullopt;
  std::string key = IndexPrefix(meta.id, index.id);
  EncodeKeyValue(pk->second, &key);
  if (index.sk) {
    auto sk = item.find(index.sk->name);
    if (sk == item.end() || sk->second.type() != index.sk->type) return std::nullopt;
    EncodeKeyValue(sk->second, &key);
  }
  EncodeKeyValue(item.at(meta.pk.name), &key);
  if (meta.sk) EncodeKeyValue(item.at(meta.sk->name), &key);
  return key;
}

Item KeyOf(const TableMeta& meta, const Item& item, const IndexMeta* index) {
  Item key;
  auto copy = [&](const std::string& name) {
    auto it = item.find(name);
    if (it != item.end()) key.emplace(name, it->second);
  };
  copy(meta.pk.name);
  if (meta.sk) copy(meta.sk->name);
  if (index != nullptr) {
    copy(index->pk.name);
    if (index->sk) copy(index->sk->name);
  }
  return key;
}

Item ProjectForIndex(const TableMeta& meta, const IndexMeta& index, const Item& item) {
  if (index.projection.type == ProjectionType::kAll) return item;
  Item out = KeyOf(meta, item, &index);
  if (index.projection.type == ProjectionType::kInclude) {
    for (const auto& name : index.projection.non_key_attributes) {
      auto it = item.find(name);
      if (it != item.end()) out.emplace(name, it->second);
    }
  }
  return out;
}

}  // namespace table
