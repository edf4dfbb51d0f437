// The table change feed's records in the shape of DynamoDB Streams records
// (what a Lambda sees from a DynamoDB stream), as the data of the Rivulet
// stream records the ChangeForwarder writes:
//   {"eventID":..,"eventName":"INSERT|MODIFY|REMOVE","eventVersion":"1.1",
//    "eventSource":"aws:dynamodb","awsRegion":"us-east-1","tableName":..,
//    "dynamodb":{"ApproximateCreationDateTime":<epoch seconds>,"Keys":{..},
//      "NewImage":{..},"OldImage":{..},"SequenceNumber":"<21 digits>",
//      "SizeBytes":..,"StreamViewType":..},
//    "eventSourceARN":"arn:aws:dynamodb:..:table/<name>/stream/<label>"}
#pragma once

#include "table/change_feed.h"

namespace aws::dynamodb {

std::string StreamRecordJson(const table::ChangeRecord& record);
// The change sequence of such a record (nullopt when it is not one).
std::optional<uint64_t> StreamRecordSequence(std::string_view json);
// Both, for table::ChangeForwarder.
table::ChangeFormat StreamRecordFormat();

}  // namespace aws::dynamodb
