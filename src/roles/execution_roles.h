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
// | rivulet-notifier          | Get/Put/UpdateItem/Query rivulet-outbox                      | no: it enqueues through the notify service, whose client is shared |
// | rivulet-analytics         | read the orders and activity streams                         | no: the runtime reads for it; it calls no client |
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
};

// The built-in functions' roles for this account; `archive_bucket` is the
// archiver's bucket.
std::vector<ExecutionRole> BuiltInRoles(const std::string& account, const std::string& archive_bucket);

// The role's principal, creating the role (trusting lambda.amazonaws.com)
// with `policy` as its inline policy "least-privilege" when it is missing.
common::Result<iam::Principal> EnsureExecutionRole(iam::IdentityStore* store, const ExecutionRole& role);

}  // namespace roles
