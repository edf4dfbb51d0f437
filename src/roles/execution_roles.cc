#include "roles/execution_roles.h"

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

std::vector<ExecutionRole> BuiltInRoles(const std::string& account, const std::string& archive_bucket) {
  auto table = [&](const char* name) { return "arn:aws:dynamodb:*:" + account + ":table/" + name; };
  auto stream = [&](const char* name) { return "arn:aws:kinesis:*:" + account + ":stream/" + name; };
  std::vector<ExecutionRole> out;
  out.push_back({"order-processor", "rivulet-order-processor",
                 Document({Allow("DecideOrders", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
                                 {table(orders::kOrdersTable)}),
                           Allow("ReserveStock", {"dynamodb:UpdateItem"}, {table(orders::kProductsTable)}),
                           Allow("EmitOutcomes", {"kinesis:PutRecord", "kinesis:PutRecords"},
                                 {stream(orders::kOrdersStream)})})});
  out.push_back({"archiver", "rivulet-archiver",
                 Document({Allow("Bucket", {"s3:CreateBucket", "s3:ListBucket"}, {"arn:aws:s3:::" + archive_bucket}),
                           Allow("Objects", {"s3:PutObject", "s3:DeleteObject"},
                                 {"arn:aws:s3:::" + archive_bucket + "/*"})})});
  out.push_back({"notifier", "rivulet-notifier",
                 Document({Allow("Outbox", {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
                                            "dynamodb:Query"},
                                 {table("rivulet-outbox"), table("rivulet-outbox") + "/index/*"})})});
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
  }
  return iam::Principal{iam::Principal::Kind::kRole, existing->name, existing->id, existing->arn};
}

}  // namespace roles
