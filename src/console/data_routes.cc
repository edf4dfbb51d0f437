// /api/admin/tables... and /api/admin/buckets...: browse and query tables,
// browse buckets by prefix and download objects.
#include <algorithm>
#include <cctype>
#include <cstdio>
#include <set>

#include <simdjson.h>

#include "aws/common/json_writer.h"
#include "aws/dynamodb/attribute_json.h"
#include "console/routes.h"

namespace console {
namespace {

constexpr uint64_t kMaxDownloadBytes = 64ull << 20;

nlohmann::json KeySchemaJson(const std::vector<table::KeySchemaElement>& schema) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : schema) {
    out.push_back({{"name", k.attribute_name}, {"type", k.key_type == table::KeyType::kHash ? "HASH" : "RANGE"}});
  }
  return out;
}

const char* ScalarTypeName(table::AttributeValue::Type t) {
  switch (t) {
    case table::AttributeValue::Type::kN: return "N";
    case table::AttributeValue::Type::kB: return "B";
    default: return "S";
  }
}

// Secrets an admin has no business reading (password hashes, API secrets):
// shown as "[redacted]" and listed in the answer's `redacted`.
bool Sensitive(std::string_view name) {
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char c) { return std::tolower(c); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos;
}

// DynamoDB JSON of an item, as a nlohmann value (the adapter's writer keeps
// the two encodings identical).
nlohmann::json ItemJson(const table::Item& item) {
  aws::JsonWriter w;
  aws::dynamodb::WriteItem(item, &w);
  return nlohmann::json::parse(w.str());
}

common::Result<table::Item> ReadItemField(simdjson::dom::element element, const char* field) {
  if (!element.is_object()) return common::Status::InvalidArgument(std::string(field) + " must be an object");
  auto item = aws::dynamodb::ReadItem(element);
  if (!item.ok()) return common::Status::InvalidArgument(std::string(field) + ": " + item.status().message());
  return item;
}

struct QueryBody {
  std::string index, key_condition, filter;
  table::ExpressionAttributes attributes;
  int limit = 25;
  bool forward = true;
  std::optional<table::Item> start_key;
};

// Returns the field to blame in `*field` on failure.
common::Result<QueryBody> ParseQueryBody(const std::string& body, std::string* field) {
  QueryBody q;
  if (body.empty()) return q;
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(body).get(root) || !root.is_object()) {
    return common::Status::InvalidArgument("the body must be a JSON object");
  }
  for (auto [key, value] : root.get_object()) {
    *field = std::string(key);
    std::string_view s;
    if (key == "index" || key == "keyCondition" || key == "filter") {
      if (value.get(s)) return common::Status::InvalidArgument(*field + " must be a string");
      (key == "index" ? q.index : key == "keyCondition" ? q.key_condition : q.filter) = std::string(s);
    } else if (key == "limit") {
      int64_t n = 0;
      if (value.get(n) || n < 1 || n > 100) return common::Status::InvalidArgument("limit must be 1 to 100");
      q.limit = static_cast<int>(n);
    } else if (key == "forward") {
      bool b = true;
      if (value.get(b)) return common::Status::InvalidArgument("forward must be true or false");
      q.forward = b;
    } else if (key == "names") {
      simdjson::dom::object names;
      if (value.get(names)) return common::Status::InvalidArgument("names must be an object of strings");
      for (auto [n, v] : names) {
        if (v.get(s)) return common::Status::InvalidArgument("names[\"" + std::string(n) + "\"] must be a string");
        q.attributes.names[std::string(n)] = std::string(s);
      }
    } else if (key == "values") {
      ASSIGN_OR_RETURN(q.attributes.values, ReadItemField(value, "values"));
    } else if (key == "startKey") {
      if (value.is_null()) continue;
      ASSIGN_OR_RETURN(q.start_key, ReadItemField(value, "startKey"));
    } else {
      return common::Status::InvalidArgument("unknown field \"" + *field + "\"");
    }
  }
  field->clear();
  return q;
}

std::string ContentDisposition(const std::string& key) {
  std::string base = key.substr(key.find_last_of('/') == std::string::npos ? 0 : key.find_last_of('/') + 1);
  if (base.empty()) base = "object";
  std::string ascii, encoded;
  for (unsigned char c : base) {
    ascii += (c < 0x20 || c >= 0x7f || c == '"' || c == '\\') ? '_' : static_cast<char>(c);
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "%%%02X", c);
      encoded += buf;
    }
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

Response ListTables(const Services& s, Request& request) {
  nlohmann::json items = nlohmann::json::array();
  std::string start;
  do {
    std::string last;
    auto names = s.tables->ListTables(start, 100, &last);
    if (!names.ok()) return StatusResponse(names.status(), request);
    for (const auto& name : *names) {
      auto d = s.tables->DescribeTable(name);
      if (!d.ok()) continue;  // deleted meanwhile
      nlohmann::json attributes = nlohmann::json::object();
      for (const auto& a : d->attribute_definitions) attributes[a.attribute_name] = ScalarTypeName(a.attribute_type);
      nlohmann::json indexes = nlohmann::json::array();
      for (const auto& g : d->global_secondary_indexes) {
        indexes.push_back({{"name", g.index_name}, {"keySchema", KeySchemaJson(g.key_schema)}});
      }
      items.push_back({{"name", d->table_name}, {"itemCount", d->item_count}, {"keySchema", KeySchemaJson(d->key_schema)},
                       {"attributes", attributes}, {"indexes", indexes}, {"ttlAttribute", d->ttl_attribute},
                       {"createdAt", d->creation_millis}});
    }
    start = last;
  } while (!start.empty());
  return JsonResponse({{"items", items}});
}

// POST body {index?, keyCondition?, filter?, names?, values? (DynamoDB JSON),
// limit? 1..100, forward?, startKey?}: a Query when keyCondition is given,
// else a Scan (browsing).
Response QueryTable(const Services& s, Request& request) {
  std::string field;
  auto body = ParseQueryBody(request.body, &field);
  if (!body.ok()) return StatusResponse(body.status(), request, field);
  std::string name(request.PathParam("name"));
  common::Result<table::QueryResult> result = common::Status::Internal("unset");
  if (!body->key_condition.empty()) {
    table::QueryRequest q;
    q.table_name = name;
    q.index_name = body->index;
    q.key_condition_expression = body->key_condition;
    q.filter_expression = body->filter;
    q.attributes = body->attributes;
    q.scan_index_forward = body->forward;
    q.limit = body->limit;
    q.exclusive_start_key = body->start_key;
    result = s.tables->Query(q);
  } else {
    table::ScanRequest q;
    q.table_name = name;
    q.index_name = body->index;
    q.filter_expression = body->filter;
    q.attributes = body->attributes;
    q.limit = body->limit;
    q.exclusive_start_key = body->start_key;
    result = s.tables->Scan(q);
  }
  if (!result.ok()) {
    // The table's messages name the expression at fault.
    const auto& st = result.status();
    std::string blame = st.IsNotFound() ? "" : body->key_condition.empty() ? "filter" : "keyCondition";
    return StatusResponse(st, request, blame);
  }
  nlohmann::json items = nlohmann::json::array();
  std::set<std::string> redacted;
  for (auto& item : result->items) {
    for (auto& [attr, value] : item) {
      if (Sensitive(attr)) {
        value = table::AttributeValue::S("[redacted]");
        redacted.insert(attr);
      }
    }
    items.push_back(ItemJson(item));
  }
  nlohmann::json last = result->last_evaluated_key ? ItemJson(*result->last_evaluated_key) : nlohmann::json();
  return JsonResponse({{"items", items}, {"count", result->count}, {"scannedCount", result->scanned_count},
                       {"lastKey", last}, {"redacted", redacted}});
}

Response ListBuckets(const Services& s, Request& request) {
  auto buckets = s.objects->ListBuckets();
  if (!buckets.ok()) return StatusResponse(buckets.status(), request);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& b : *buckets) items.push_back({{"name", b.name}, {"createdAt", b.created_millis}});
  return JsonResponse({{"items", items}});
}

// ?prefix=&cursor=&limit=1..1000 (default 100): one level below `prefix`
// (delimiter "/"), folders first as `prefixes`.
Response ListObjects(const Services& s, Request& request) {
  auto limit = request.IntQueryParam("limit", 100, 1, 1000);
  if (!limit.ok()) return StatusResponse(limit.status(), request, "limit");
  objects::ListObjectsRequest list;
  list.bucket = std::string(request.PathParam("bucket"));
  list.prefix = request.QueryParam("prefix").value_or("");
  list.delimiter = "/";
  list.max_keys = static_cast<int>(*limit);
  list.continuation_token = request.QueryParam("cursor").value_or("");
  auto result = s.objects->ListObjects(list);
  if (!result.ok()) return StatusResponse(result.status(), request, result.status().IsNotFound() ? "" : "cursor");
  nlohmann::json objects = nlohmann::json::array();
  for (const auto& o : result->objects) {
    objects.push_back({{"key", o.key}, {"size", o.size}, {"etag", o.etag}, {"lastModified", o.last_modified_millis},
                       {"contentType", o.metadata.content_type.empty() ? "application/octet-stream"
                                                                        : o.metadata.content_type}});
  }
  nlohmann::json next = result->is_truncated ? nlohmann::json(result->next_continuation_token) : nlohmann::json();
  return JsonResponse({{"bucket", list.bucket}, {"prefix", list.prefix}, {"prefixes", result->common_prefixes},
                       {"objects", objects}, {"nextCursor", next}});
}

// ?key=<object key>: the bytes as an attachment (up to 64 MiB; larger
// objects are for the S3 API).
Response DownloadObject(const Services& s, Request& request) {
  auto key = request.QueryParam("key");
  if (!key || key->empty()) return ProblemResponse(400, "key is required", request, "key");
  std::string bucket(request.PathParam("bucket"));
  auto got = s.objects->GetObject(bucket, *key, {});
  if (!got.ok()) return StatusResponse(got.status(), request);
  if (got->length > kMaxDownloadBytes) {
    return ProblemResponse(413, "the object is " + std::to_string(got->length) +
                                    " bytes; the console downloads up to 64 MiB, use the S3 API for more", request);
  }
  std::string bytes;
  bytes.reserve(got->length);
  while (true) {
    auto chunk = got->reader->Read(1 << 20);
    if (!chunk.ok()) return StatusResponse(chunk.status(), request);
    if (chunk->empty()) break;
    bytes += *chunk;
  }
  const auto& type = got->info.metadata.content_type;
  Response r = Response::Text(200, std::move(bytes), type.empty() ? "application/octet-stream" : type);
  r.headers.Set("Content-Disposition", ContentDisposition(*key));
  // Attachment, nosniff and a sandbox: an uploaded HTML file never runs on our origin.
  r.headers.Set("X-Content-Type-Options", "nosniff");
  r.headers.Set("Content-Security-Policy", "default-src 'none'; sandbox");
  r.headers.Set("Cache-Control", "no-store");
  return r;
}

}  // namespace console
