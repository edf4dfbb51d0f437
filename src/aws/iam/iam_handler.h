// IAM and STS on the AWS endpoint: the Query protocol (form-encoded
// `Action=CreateUser&UserName=alice&Version=2010-05-08`, XML answers), routed
// here by the SigV4 credential scope's service ("iam" or "sts"). A thin
// translation onto iam::IdentityStore; the authorizer has already checked
// the caller (request.principal_arn) before Handle runs.
//
// Actions: users (CreateUser, GetUser, DeleteUser, ListUsers), access keys
// (CreateAccessKey, DeleteAccessKey, ListAccessKeys), roles (CreateRole,
// GetRole, DeleteRole, ListRoles), inline policies (Put/Get/Delete/List
// User- and RolePolicy/-Policies), managed policies (CreatePolicy, GetPolicy,
// GetPolicyVersion, ListPolicies, DeletePolicy, Attach/Detach User- and
// RolePolicy, ListAttachedUser- and RolePolicies), SimulatePrincipalPolicy,
// and STS GetCallerIdentity.
//
// Thread safety: Handle() may run concurrently.
#pragma once

#include "gateway/http.h"
#include "iam/identity_store.h"

namespace aws::iam_api {

class IamHandler {
 public:
  explicit IamHandler(iam::IdentityStore* store);
  void Handle(gateway::Request& request, gateway::Respond respond) const;
  gateway::Handler AsHandler() const {
    return [this](gateway::Request& r, gateway::Respond respond) { Handle(r, std::move(respond)); };
  }

 private:
  iam::IdentityStore* store_;
};

}  // namespace aws::iam_api
