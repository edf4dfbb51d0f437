#include "aws/iam/iam_handler.h"

#include <map>
#include <string>

#include "aws/auth/aws_actions.h"
#include "aws/auth/aws_authorizer.h"
#include "aws/common/xml_escape.h"
#include "iam/policy.h"
#include "iam/sigv4.h"

namespace aws::iam_api {
namespace {

using common::Status;

constexpr char kIamNs[] = "https://iam.amazonaws.com/doc/2010-05-08/";
constexpr char kStsNs[] = "https://sts.amazonaws.com/doc/2011-06-15/";

std::string IsoDate(int64_t millis) {
  std::string d = iam::FormatAmzDate(millis);
  return d.substr(0, 4) + "-" + d.substr(4, 2) + "-" + d.substr(6, 2) + "T" + d.substr(9, 2) + ":" + d.substr(11, 2) +
         ":" + d.substr(13, 2) + "Z";
}

std::string Tag(std::string_view name, std::string_view value) {
  return "<" + std::string(name) + ">" + XmlEscape(value) + "</" + std::string(name) + ">";
}

std::string UserXml(const iam::Identity& u) {
  return Tag("Path", u.path) + Tag("UserName", u.name) + Tag("UserId", u.id) + Tag("Arn", u.arn) +
         Tag("CreateDate", IsoDate(u.created_millis));
}

std::string RoleXml(const iam::Identity& r) {
  return Tag("Path", r.path) + Tag("RoleName", r.name) + Tag("RoleId", r.id) + Tag("Arn", r.arn) +
         Tag("CreateDate", IsoDate(r.created_millis)) +
         Tag("AssumeRolePolicyDocument", iam::UriEncode(r.assume_role_policy, false));
}

std::string PolicyXml(const iam::ManagedPolicy& p) {
  std::string created = IsoDate(p.created_millis);
  return Tag("PolicyName", p.name) + Tag("DefaultVersionId", "v1") + Tag("PolicyId", p.id) + Tag("Path", p.path) +
         Tag("Arn", p.arn) + Tag("AttachmentCount", std::to_string(p.attachment_count)) +
         Tag("PermissionsBoundaryUsageCount", "0") + Tag("IsAttachable", "true") + Tag("CreateDate", created) +
         Tag("UpdateDate", created);
}

std::string Members(const std::string& list, const std::string& members) {
  return "<" + list + ">" + members + "</" + list + "><IsTruncated>false</IsTruncated>";
}

struct Params {
  std::multimap<std::string, std::string> values;
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? "" : it->second;
  }
  // "ActionNames.member.1", "ActionNames.member.2", ...
  std::vector<std::string> List(const std::string& prefix) const {
    std::vector<std::string> out;
    for (int i = 1;; ++i) {
      auto it = values.find(prefix + ".member." + std::to_string(i));
      if (it == values.end()) break;
      out.push_back(it->second);
    }
    return out;
  }
};

gateway::Response Ok(std::string_view action, std::string_view result, std::string_view request_id,
                     const char* ns = kIamNs) {
  gateway::Response r;
  r.status = 200;
  r.headers.Add("Content-Type", "text/xml");
  r.headers.Add("x-amzn-RequestId", std::string(request_id));
  std::string body = "<" + std::string(action) + "Response xmlns=\"" + ns + "\">";
  if (!result.empty()) body += "<" + std::string(action) + "Result>" + std::string(result) + "</" +
                               std::string(action) + "Result>";
  body += "<ResponseMetadata><RequestId>" + XmlEscape(request_id) + "</RequestId></ResponseMetadata></" +
          std::string(action) + "Response>";
  r.body = std::move(body);
  return r;
}

gateway::Response Error(const Status& status, std::string_view request_id) {
  const std::string& m = status.message();
  switch (status.code()) {
    case Status::Code::kNotFound: return auth::QueryErrorResponse(404, "NoSuchEntity", m, request_id);
    case Status::Code::kAlreadyExists: return auth::QueryErrorResponse(409, "EntityAlreadyExists", m, request_id);
    case Status::Code::kResourceInUse: return auth::QueryErrorResponse(409, "DeleteConflict", m, request_id);
    case Status::Code::kLimitExceeded: return auth::QueryErrorResponse(409, "LimitExceeded", m, request_id);
    case Status::Code::kInvalidArgument:
      if (m.rfind("MalformedPolicyDocument: ", 0) == 0) {
        return auth::QueryErrorResponse(400, "MalformedPolicyDocument", m.substr(25), request_id);
      }
      if (m.rfind("LimitExceeded: ", 0) == 0) {
        return auth::QueryErrorResponse(409, "LimitExceeded", m.substr(15), request_id);
      }
      return auth::QueryErrorResponse(400, "ValidationError", m, request_id);
    default: return auth::QueryErrorResponse(500, "ServiceFailure", "internal error; request id " +
                                                                        std::string(request_id), request_id);
  }
}

Status Require(const Params& p, const char* name) {
  if (p.Get(name).empty()) {
    return Status::InvalidArgument(std::string("1 validation error detected: Value null at '") + name +
                                   "' failed to satisfy constraint: Member must not be null");
  }
  return Status::OK();
}

}  // namespace

IamHandler::IamHandler(iam::IdentityStore* store) : store_(store) {}

void IamHandler::Handle(gateway::Request& request, gateway::Respond respond) const {
  Params p;
  for (auto& [k, v] : auth::QueryParams(request)) p.values.emplace(std::move(k), std::move(v));
  const std::string action = p.Get("Action");
  const std::string& id = request.request_id;
  auto fail = [&](const Status& s) { respond(Error(s, id)); };
#define IAM_REQUIRE(name)                          \
  if (Status s = Require(p, name); !s.ok()) {      \
    return fail(s);                                \
  }

  if (action == "GetCallerIdentity") {
    std::string arn = request.principal_arn.empty() ? store_->Root().arn : request.principal_arn;
    std::string user_id = request.principal_id.empty() ? store_->account_id() : request.principal_id;
    return respond(Ok(action, Tag("Arn", arn) + Tag("UserId", user_id) + Tag("Account", store_->account_id()), id,
                      kStsNs));
  }
  if (action == "CreateUser") {
    IAM_REQUIRE("UserName");
    std::string path = p.Get("Path").empty() ? "/" : p.Get("Path");
    auto user = store_->CreateUser(p.Get("UserName"), path);
    if (!user.ok()) return fail(user.status());
    return respond(Ok(action, "<User>" + UserXml(*user) + "</User>", id));
  }
  if (action == "GetUser") {
    std::string name = p.Get("UserName");
    if (name.empty()) {  // the caller itself
      auto principal = store_->FindPrincipal(request.principal_arn);
      if (principal.ok() && principal->kind == iam::Principal::Kind::kRoot) {
        return respond(Ok(action, "<User>" + Tag("UserId", principal->id) + Tag("Arn", principal->arn) + "</User>", id));
      }
      name = principal.ok() ? principal->name : "";
    }
    auto user = store_->GetUser(name);
    if (!user.ok()) return fail(user.status());
    return respond(Ok(action, "<User>" + UserXml(*user) + "</User>", id));
  }
  if (action == "DeleteUser") {
    IAM_REQUIRE("UserName");
    if (Status s = store_->DeleteUser(p.Get("UserName")); !s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "ListUsers") {
    std::string members;
    for (const auto& u : store_->ListUsers()) members += "<member>" + UserXml(u) + "</member>";
    return respond(Ok(action, "<Users>" + members + "</Users><IsTruncated>false</IsTruncated>", id));
  }
  if (action == "CreateAccessKey") {
    IAM_REQUIRE("UserName");
    auto key = store_->CreateAccessKey(p.Get("UserName"));
    if (!key.ok()) return fail(key.status());
    return respond(Ok(action,
                      "<AccessKey>" + Tag("UserName", key->user_name) + Tag("AccessKeyId", key->access_key_id) +
                          Tag("Status", key->status) + Tag("SecretAccessKey", key->secret) +
                          Tag("CreateDate", IsoDate(key->created_millis)) + "</AccessKey>",
                      id));
  }
  if (action == "DeleteAccessKey") {
    IAM_REQUIRE("UserName");
    IAM_REQUIRE("AccessKeyId");
    if (Status s = store_->DeleteAccessKey(p.Get("UserName"), p.Get("AccessKeyId")); !s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "ListAccessKeys") {
    IAM_REQUIRE("UserName");
    auto keys = store_->ListAccessKeys(p.Get("UserName"));
    if (!keys.ok()) return fail(keys.status());
    std::string members;
    for (const auto& k : *keys) {  // never the secret
      members += "<member>" + Tag("UserName", k.user_name) + Tag("AccessKeyId", k.access_key_id) +
                 Tag("Status", k.status) + Tag("CreateDate", IsoDate(k.created_millis)) + "</member>";
    }
    return respond(Ok(action,
                      Tag("UserName", p.Get("UserName")) + "<AccessKeyMetadata>" + members +
                          "</AccessKeyMetadata><IsTruncated>false</IsTruncated>",
                      id));
  }
  if (action == "CreateRole" || action == "GetRole") {
    IAM_REQUIRE("RoleName");
    common::Result<iam::Identity> role = Status::Internal("unset");
    if (action == "CreateRole") {
      IAM_REQUIRE("AssumeRolePolicyDocument");
      role = store_->CreateRole(p.Get("RoleName"), p.Get("Path").empty() ? "/" : p.Get("Path"),
                                p.Get("AssumeRolePolicyDocument"));
    } else {
      role = store_->GetRole(p.Get("RoleName"));
    }
    if (!role.ok()) return fail(role.status());
    return respond(Ok(action, "<Role>" + RoleXml(*role) + "</Role>", id));
  }
  if (action == "PutUserPolicy" || action == "PutRolePolicy") {
    bool role = action == "PutRolePolicy";
    IAM_REQUIRE(role ? "RoleName" : "UserName");
    IAM_REQUIRE("PolicyName");
    IAM_REQUIRE("PolicyDocument");
    Status s = store_->PutInlinePolicy(role, p.Get(role ? "RoleName" : "UserName"), p.Get("PolicyName"),
                                       p.Get("PolicyDocument"));
    if (!s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "GetUserPolicy" || action == "GetRolePolicy") {
    bool role = action == "GetRolePolicy";
    const char* owner = role ? "RoleName" : "UserName";
    IAM_REQUIRE(owner);
    IAM_REQUIRE("PolicyName");
    auto doc = store_->GetInlinePolicy(role, p.Get(owner), p.Get("PolicyName"));
    if (!doc.ok()) return fail(doc.status());
    // AWS sends the document URL-encoded; the SDKs decode it.
    return respond(Ok(action,
                      Tag(owner, p.Get(owner)) + Tag("PolicyName", p.Get("PolicyName")) +
                          Tag("PolicyDocument", iam::UriEncode(*doc, false)),
                      id));
  }
  if (action == "DeleteUserPolicy" || action == "DeleteRolePolicy") {
    bool role = action == "DeleteRolePolicy";
    const char* owner = role ? "RoleName" : "UserName";
    IAM_REQUIRE(owner);
    IAM_REQUIRE("PolicyName");
    if (Status s = store_->DeleteInlinePolicy(role, p.Get(owner), p.Get("PolicyName")); !s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "ListUserPolicies" || action == "ListRolePolicies") {
    const char* owner = action == "ListRolePolicies" ? "RoleName" : "UserName";
    IAM_REQUIRE(owner);
    auto names = store_->ListInlinePolicies(action == "ListRolePolicies", p.Get(owner));
    if (!names.ok()) return fail(names.status());
    std::string members;
    for (const std::string& name : *names) members += Tag("member", name);
    return respond(Ok(action, Members("PolicyNames", members), id));
  }
  if (action == "ListAttachedUserPolicies" || action == "ListAttachedRolePolicies") {
    const char* owner = action == "ListAttachedRolePolicies" ? "RoleName" : "UserName";
    IAM_REQUIRE(owner);
    auto attached = store_->ListAttachedPolicies(action == "ListAttachedRolePolicies", p.Get(owner));
    if (!attached.ok()) return fail(attached.status());
    std::string members;
    for (const auto& policy : *attached) {
      members += "<member>" + Tag("PolicyName", policy.name) + Tag("PolicyArn", policy.arn) + "</member>";
    }
    return respond(Ok(action, Members("AttachedPolicies", members), id));
  }
  if (action == "DetachUserPolicy" || action == "DetachRolePolicy") {
    bool role = action == "DetachRolePolicy";
    const char* owner = role ? "RoleName" : "UserName";
    IAM_REQUIRE(owner);
    IAM_REQUIRE("PolicyArn");
    if (Status s = store_->DetachPolicy(role, p.Get(owner), p.Get("PolicyArn")); !s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "ListRoles") {
    std::string members;
    for (const auto& r : store_->ListRoles()) members += "<member>" + RoleXml(r) + "</member>";
    return respond(Ok(action, Members("Roles", members), id));
  }
  if (action == "DeleteRole") {
    IAM_REQUIRE("RoleName");
    if (Status s = store_->DeleteRole(p.Get("RoleName")); !s.ok()) return fail(s);
    return respond(Ok(action, "", id));
  }
  if (action == "ListPolicies") {
    // Every policy here is customer-managed (Scope=Local); there are no
    // AWS-managed ones to list for Scope=AWS.
    std::string scope = p.Get("Scope");
    bool only_attached = p.Get("OnlyAttached") == "true";
    std::string members;
    if (scope != "AWS") {
      for (const auto& policy : store_->ListPolicies()) {
        if (only_attached && policy.attachment_count == 0) continue;
        members += "<member>" + PolicyXml(policy) + "</member>";
      }
    }
    return respond(Ok(action, Members("Policies", members), id));
  }
  if (action == "GetPolicy" || action == "GetPolicyVersion" || action == "DeletePolicy") {
    IAM_REQUIRE("PolicyArn");
    if (action == "DeletePolicy") {
      if (Status s = store_->DeletePolicy(p.Get("PolicyArn")); !s.ok()) return fail(s);
      return respond(Ok(action, "", id));
    }
    auto policy = store_->GetPolicy(p.Get("PolicyArn"));
    if (!policy.ok()) return fail(policy.status());
    if (action == "GetPolicy") return respond(Ok(action, "<Policy>" + PolicyXml(*policy) + "</Policy>", id));
    // One version per policy (CreatePolicyVersion is not offered): v1.
    IAM_REQUIRE("VersionId");
    if (p.Get("VersionId") != "v1") {
      return fail(Status::NotFound("Policy " + policy->arn + " version " + p.Get("VersionId") + " does not exist."));
    }
    return respond(Ok(action,
                      "<PolicyVersion>" + Tag("Document", iam::UriEncode(policy->policy.document, false)) +
                          Tag("VersionId", "v1") + Tag("IsDefaultVersion", "true") +
                          Tag("CreateDate", IsoDate(policy->created_millis)) + "</PolicyVersion>",
                      id));
  }
  if (action == "CreatePolicy") {
    IAM_REQUIRE("PolicyName");
    IAM_REQUIRE("PolicyDocument");
    auto policy = store_->CreatePolicy(p.Get("PolicyName"), p.Get("Path").empty() ? "/" : p.Get("Path"),
                                       p.Get("PolicyDocument"));
    if (!policy.ok()) return fail(policy.status());
    return respond(Ok(action, "<Policy>" + PolicyXml(*policy) + "</Policy>", id));
  }
  if (action == "AttachUserPolicy" || action == "AttachRolePolicy") {
    bool role = action == "AttachRolePolicy";
    IAM_REQUIRE(role ? "RoleName" : "UserName");
    IAM_REQUIRE("PolicyArn");
    if (Status s = store_->AttachPolicy(role, p.Get(role ? "RoleName" : "UserName"), p.Get("PolicyArn")); !s.ok()) {
      return fail(s);
    }
    return respond(Ok(action, "", id));
  }
  if (action == "SimulatePrincipalPolicy") {
    IAM_REQUIRE("PolicySourceArn");
    auto principal = store_->FindPrincipal(p.Get("PolicySourceArn"));
    if (!principal.ok()) return fail(principal.status());
    std::vector<std::string> actions = p.List("ActionNames");
    if (actions.empty()) return fail(Status::InvalidArgument("ActionNames must name at least one action"));
    std::vector<std::string> resources = p.List("ResourceArns");
    if (resources.empty()) resources.push_back("*");
    auto owned = store_->PoliciesOf(*principal);
    std::vector<const iam::Policy*> policies;
    for (const auto& policy : owned) policies.push_back(policy.get());
    iam::RequestContext context;
    context.Set("aws:username", principal->name);
    context.Set("aws:userid", principal->id);
    context.Set("aws:PrincipalArn", principal->arn);
    for (int i = 1;; ++i) {
      std::string entry = "ContextEntries.member." + std::to_string(i);
      std::string key = p.Get(entry + ".ContextKeyName");
      if (key.empty()) break;
      for (const std::string& v : p.List(entry + ".ContextKeyValues")) context.Add(key, v);
    }
    std::string members;
    for (const std::string& a : actions) {
      for (const std::string& r : resources) {
        context.action = a;
        context.resource = r;
        iam::Decision decision = principal->kind == iam::Principal::Kind::kRoot ? iam::Decision::kAllow
                                                                                : iam::Evaluate(policies, context).decision;
        members += "<member>" + Tag("EvalActionName", a) + Tag("EvalResourceName", r) +
                   Tag("EvalDecision", iam::DecisionName(decision)) +
                   "<MatchedStatements/><MissingContextValues/></member>";
      }
    }
    return respond(Ok(action, "<EvaluationResults>" + members + "</EvaluationResults><IsTruncated>false</IsTruncated>",
                      id));
  }
#undef IAM_REQUIRE
  respond(auth::QueryErrorResponse(400, "InvalidAction",
                                   "Could not find operation " + action + " for version " + p.Get("Version"), id));
}

}  // namespace aws::iam_api
