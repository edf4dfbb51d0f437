// The execution roles of Rivulet's built-in functions: one role per
// function (`rivulet-<function>`), created at the first start with a
// least-privilege inline policy named `least-privilege`, then left as the
// operator makes it (`aws iam put-role-policy` / `detach-role-policy` change
// what the function may do, at once: checks re-read policies when IAM
// changes).
//
// | role                      | may                                                          | checked |
// |---------------------------|--------------------------------------------------------------|---------|
// | rivulet-order-processor   | Get/Put/UpdateItem shop-orders, UpdateItem shop-products, PutRecords orders | yes |
// | rivulet-archiver          | CreateBucket/ListBucket on the archive bucket, Put/DeleteObject in it | yes |
// | rivulet-notifier          | Get/Put/UpdateItem/Query rivulet-outbox                      | yes: its outbox writes |
// | rivulet-analytics         | read the orders and activity streams                         | yes: the runtime's reads |
//
// Each role may also read its function's event source (ReadEventSource:
// DescribeStream, GetShardIterator, GetRecords, ... on the stream): the
// functions runtime reads a mapping's stream with the function's role, as
// Lambda's poller does.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "iam/identity_store.h"

namespace roles {

struct ExecutionRole {
  std::string function;  // "order-processor"
  std::string role;      // "rivulet-order-processor"
  std::string policy;    // the least-privilege policy document
  // Earlier releases' defaults: a role whose policy is still one of them
  // (unchanged by the operator) gets `policy` instead.
  std::vector<std::string> previous_policies = {};
};

// The built-in functions' roles for this account; `archive_bucket` and
// `archive_streams` are the archiver's bucket and the streams it copies.
std::vector<ExecutionRole> BuiltInRoles(const std::string& account, const std::string& archive_bucket,
                                        const std::vector<std::string>& archive_streams = {"orders", "activity"});

// The role's principal, creating the role (trusting lambda.amazonaws.com)
// with `policy` as its inline policy "least-privilege" when it is missing.
common::Result<iam::Principal> EnsureExecutionRole(iam::IdentityStore* store, const ExecutionRole& role);

}  // namespace roles
