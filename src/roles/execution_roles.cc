#include "roles/execution_roles.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "orders/schema.h"

namespace roles {
namespace {

using json = nlohmann::json;

json Allow(const char* sid, std::vector<std::string> actions, std::vector<std::string> resources) {
  return {{"Sid", sid}, {"Effect", "Allow"}, {"Action", std::move(actions)}, {"Resource", std::move(resources)}};
}

std::string Document(std::vector<json> statements) {
  return json{{"Version", "2012-10-17"}, {"Statement", std::move(statements)}}.dump();
}

}  // namespace

std::vector<ExecutionRole> BuiltInRoles(const std::string& account, const std::string& archive_bucket,
                                        const std::vector<std::string>& archive_streams) {
  auto table = [&](const char* name) { return "arn:aws:dynamodb:*:" + account + ":table/" + name; };
  auto stream = [&](const std::string& name) { return "arn:aws:kinesis:*:" + account + ":stream/" + name; };
  // What Lambda's poller needs on a function's event source (the
  // AWSLambdaKinesisExecutionRole managed policy, minus ListStreams).
  auto read = [&](const std::vector<std::string>& streams) {
    std::vector<std::string> arns;
    for (const auto& name : streams) arns.push_back(stream(name));
    return Allow("ReadEventSource", {"kinesis:DescribeStream", "kinesis:DescribeStreamSummary",
                                     "kinesis:GetShardIterator", "kinesis:GetRecords", "kinesis:ListShards",
                                     "kinesis:SubscribeToShard"},
                 std::move(arns));
  };
  std::vector<ExecutionRole> out;
  std::vector<json> processor = {
      Allow("DecideOrders", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
            {table(orders::kOrdersTable)}),
      Allow("ReserveStock", {"dynamodb:UpdateItem"}, {table(orders::kProductsTable)}),
      Allow("EmitOutcomes", {"kinesis:PutRecord", "kinesis:PutRecords"}, {stream(orders::kOrdersStream)})};
  // Since the API writes an order's Idempotency-Key beside its event, the
  // processor checks the key and writes back one that a crash lost.
  std::vector<json> processor_before_keys = processor;
  processor.push_back(Allow("CheckIdempotencyKeys", {"dynamodb:ConditionCheckItem", "dynamodb:PutItem"},
                            {table(orders::kIdempotencyTable)}));
  std::vector<json> archiver = {
      Allow("Bucket", {"s3:CreateBucket", "s3:ListBucket"}, {"arn:aws:s3:::" + archive_bucket}),
      Allow("Objects", {"s3:PutObject", "s3:DeleteObject"}, {"arn:aws:s3:::" + archive_bucket + "/*"})};
  std::vector<json> notifier = {
      Allow("Outbox", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:Query"},
            {table("rivulet-outbox"), table("rivulet-outbox") + "/index/*"})};
  // The policies before the runtime checked event-source reads are the
  // same without ReadEventSource: found unchanged, they are upgraded.
  auto with_read = [&](std::vector<json> statements, const std::vector<std::string>& streams) {
    statements.push_back(read(streams));
    return Document(std::move(statements));
  };
  out.push_back({"order-processor", "rivulet-order-processor", with_read(processor, {orders::kOrdersStream}),
                 {Document(processor_before_keys), with_read(processor_before_keys, {orders::kOrdersStream})}});
  out.push_back({"archiver", "rivulet-archiver", with_read(archiver, archive_streams), {Document(archiver)}});
  out.push_back({"notifier", "rivulet-notifier", with_read(notifier, {orders::kOrdersStream}), {Document(notifier)}});
  out.push_back({"analytics", "rivulet-analytics",
                 Document({Allow("ReadStreams", {"kinesis:DescribeStream", "kinesis:GetShardIterator",
                                                 "kinesis:GetRecords", "kinesis:ListShards"},
                                 {stream(orders::kOrdersStream), stream(orders::kActivityStream)})})});
  return out;
}

common::Result<iam::Principal> EnsureExecutionRole(iam::IdentityStore* store, const ExecutionRole& role) {
  auto existing = store->GetRole(role.role);
  if (!existing.ok()) {
    if (existing.status().code() != common::Status::Code::kNotFound) return existing.status();
    static const std::string kTrust = json{{"Version", "2012-10-17"},
                                           {"Statement", {{{"Effect", "Allow"},
                                                           {"Principal", {{"Service", "lambda.amazonaws.com"}}},
                                                           {"Action", "sts:AssumeRole"}}}}}
                                          .dump();
    existing = store->CreateRole(role.role, "/", kTrust);
    if (!existing.ok()) return existing.status();
    RETURN_IF_ERROR(store->PutInlinePolicy(true, role.role, "least-privilege", role.policy));
  } else if (!role.previous_policies.empty()) {
    // An older release's default, never changed by the operator, becomes
    // this release's; a policy the operator wrote is left as it is.
    auto current = store->GetInlinePolicy(true, role.role, "least-privilege");
    if (current.ok() && std::find(role.previous_policies.begin(), role.previous_policies.end(), *current) !=
                            role.previous_policies.end()) {
      RETURN_IF_ERROR(store->PutInlinePolicy(true, role.role, "least-privilege", role.policy));
    }
  }
  return iam::Principal{iam::Principal::Kind::kRole, existing->name, existing->id, existing->arn};
}

}  // namespace roles
