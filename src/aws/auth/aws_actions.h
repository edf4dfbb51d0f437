// Which IAM action and resource each AWS operation on :4566 is, for every
// protocol Rivulet speaks: Kinesis and DynamoDB (JSON, by X-Amz-Target),
// Lambda (REST JSON, by path), S3 (REST XML, by method, path and query) and
// IAM/STS (Query, by the form's Action). Also the condition keys a request
// carries (dynamodb:LeadingKeys, dynamodb:Attributes, s3:prefix, ...).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "gateway/http.h"

namespace aws::auth {

enum class Protocol { kJson, kRestJson, kS3, kQuery };

struct Operation {
  std::string action;                  // "kinesis:PutRecords"
  std::vector<std::string> resources;  // ARNs (several for batch calls); "*" for account-wide calls
  // When not empty, the action to authorize for each resource instead of
  // `action`: a DynamoDB transaction needs the permission of every action it
  // contains (PutItem, UpdateItem, DeleteItem, ConditionCheckItem, GetItem),
  // as AWS checks it, with dynamodb:EnclosingOperation in the context.
  std::vector<std::string> actions;
  // Condition keys this request supplies: {"dynamodb:LeadingKeys", "c-1"}.
  std::vector<std::pair<std::string, std::string>> context;
  bool needs_no_permission = false;  // sts:GetCallerIdentity
};

struct ArnScope {
  std::string region = "us-east-1";
  std::string account = "000000000000";
  // The partition key attribute of a table, "" when unknown; supplies
  // dynamodb:LeadingKeys.
  std::function<std::string(const std::string& table)> hash_key_of;
};

// The protocol of a request: JSON with X-Amz-Target, REST JSON under
// /2015-03-31/, Query when the credential scope names iam or sts, else S3.
Protocol ProtocolOf(const gateway::Request& request, std::string_view scope_service);

// Describes the operation. Requests the mapping cannot read (bad JSON, say)
// still get an action, with resource "*", so the decision stays strict and
// the handler reports the bad input.
Operation DescribeOperation(const gateway::Request& request, Protocol protocol, const ArnScope& scope);

// The form-encoded parameters of a Query request (body, or query string for GET).
std::vector<std::pair<std::string, std::string>> QueryParams(const gateway::Request& request);

}  // namespace aws::auth
