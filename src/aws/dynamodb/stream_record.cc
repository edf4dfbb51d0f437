#include "aws/dynamodb/stream_record.h"

#include <cstdio>

#include "aws/dynamodb/attribute_json.h"

namespace aws::dynamodb {
namespace {

constexpr char kSequenceField[] = "\"SequenceNumber\":\"";

std::string Sequence(uint64_t seq) {
  char out[32];
  std::snprintf(out, sizeof(out), "%021llu", static_cast<unsigned long long>(seq));
  return out;
}

}  // namespace

std::string StreamRecordJson(const table::ChangeRecord& r) {
  JsonWriter json(512);
  std::string table_arn = "arn:aws:dynamodb:us-east-1:000000000000:table/" + r.table_name;
  json.BeginObject()
      .Field("eventID", Sequence(r.sequence))
      .Field("eventName", r.event_name)
      .Field("eventVersion", "1.1")
      .Field("eventSource", "aws:dynamodb")
      .Field("awsRegion", "us-east-1")
      .Field("tableName", r.table_name);
  json.Key("dynamodb").BeginObject();
  json.Field("ApproximateCreationDateTime", r.created_millis / 1000);
  json.Key("Keys");
  WriteItem(r.keys, &json);
  if (r.new_image) {
    json.Key("NewImage");
    WriteItem(*r.new_image, &json);
  }
  if (r.old_image) {
    json.Key("OldImage");
    WriteItem(*r.old_image, &json);
  }
  // Written as "SequenceNumber":"<digits>" exactly: StreamRecordSequence reads it back.
  json.Field("SequenceNumber", Sequence(r.sequence));
  json.Field("SizeBytes", r.size_bytes);
  json.Field("StreamViewType", table::StreamViewTypeName(r.view_type));
  json.EndObject();
  json.Field("eventSourceARN", table_arn + "/stream/" + r.stream_label);
  json.EndObject();
  return json.Take();
}

std::optional<uint64_t> StreamRecordSequence(std::string_view json) {
  // Item values are escaped JSON strings, so the field's text cannot occur
  // inside them; the record's own field is the last one written before SizeBytes.
  size_t at = json.rfind(kSequenceField);
  if (at == std::string_view::npos) return std::nullopt;
  at += sizeof(kSequenceField) - 1;
  uint64_t v = 0;
  size_t digits = 0;
  for (; at < json.size() && json[at] >= '0' && json[at] <= '9'; ++at, ++digits) v = v * 10 + static_cast<uint64_t>(json[at] - '0');
  if (digits == 0 || at >= json.size() || json[at] != '"') return std::nullopt;
  return v;
}

table::ChangeFormat StreamRecordFormat() {
  return {StreamRecordJson, StreamRecordSequence};
}

}  // namespace aws::dynamodb
