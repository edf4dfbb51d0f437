// DynamoDB JSON for attribute values ({"S":"x"}, {"N":"1"}, {"M":{...}}, ...)
// in both directions. Reading checks the shape AWS checks (exactly one type,
// no duplicate set members, NULL must be true) with AWS's messages; numbers
// are validated later by the table engine.
#pragma once

#include <string_view>

#include <simdjson.h>

#include "aws/common/json_writer.h"
#include "table/attribute_value.h"

namespace aws::dynamodb {

common::Result<table::AttributeValue> ReadAttributeValue(simdjson::dom::element element);
// A map of name -> value (Item, Key, ExpressionAttributeValues).
common::Result<table::Item> ReadItem(simdjson::dom::element element);

void WriteAttributeValue(const table::AttributeValue& value, JsonWriter* json);
void WriteItem(const table::Item& item, JsonWriter* json);

}  // namespace aws::dynamodb
