// /api/admin/iam/...: users, roles and managed policies as the identity
// store holds them (never a secret: keys are not listed), and the "why was
// this allowed or denied" simulator, which evaluates the principal's
// policies as the AWS endpoint would and names the statements that decided.
#include <simdjson.h>

#include "console/routes.h"
#include "iam/policy.h"
#include "iam/sigv4.h"

namespace console {
namespace {

using nlohmann::json;

json Document(const std::string& text) {
  json doc = json::parse(text, nullptr, false);
  return doc.is_discarded() ? json(text) : doc;
}

std::vector<std::string> AttachedNames(iam::IdentityStore* store, const iam::Identity& identity) {
  std::vector<std::string> names;
  for (const std::string& arn : identity.attached) {
    auto policy = store->GetPolicy(arn);
    names.push_back(policy.ok() ? policy->name : arn);
  }
  return names;
}

json IdentityJson(iam::IdentityStore* store, const iam::Identity& i) {
  json inline_names = json::array();
  for (const auto& [name, policy] : i.inline_policies) inline_names.push_back(name);
  return {{"name", i.name}, {"arn", i.arn}, {"createdAt", i.created_millis},
          {"attachedPolicies", AttachedNames(store, i)}, {"inlinePolicies", inline_names}};
}

// The principal named by a user name, a role name or an ARN.
common::Result<iam::Principal> ResolvePrincipal(iam::IdentityStore* store, const std::string& text) {
  if (text.rfind("arn:", 0) == 0) return store->FindPrincipal(text);
  if (auto user = store->GetUser(text); user.ok()) {
    return iam::Principal{iam::Principal::Kind::kUser, user->name, user->id, user->arn};
  }
  if (auto role = store->GetRole(text); role.ok()) {
    return iam::Principal{iam::Principal::Kind::kRole, role->name, role->id, role->arn};
  }
  return common::Status::NotFound("no user or role is named \"" + text + "\"");
}

// Statement `index` of a policy document (Statement may be one object).
json StatementJson(const json& document, int index) {
  if (!document.is_object() || !document.contains("Statement")) return json::object();
  const json& statements = document["Statement"];
  if (statements.is_array()) return index < static_cast<int>(statements.size()) ? statements[index] : json::object();
  return index == 0 ? statements : json::object();
}

}  // namespace

Response IamUsers(const Services& s, Request& request) {
  if (s.identities == nullptr) return IamUnavailable(s, request);
  json items = json::array();
  for (const auto& user : s.identities->ListUsers()) items.push_back(IdentityJson(s.identities, user));
  return JsonResponse({{"items", items}});
}

Response IamRoles(const Services& s, Request& request) {
  if (s.identities == nullptr) return IamUnavailable(s, request);
  json items = json::array();
  for (const auto& role : s.identities->ListRoles()) {
    json item = IdentityJson(s.identities, role);
    item["trustPolicy"] = Document(role.assume_role_policy);
    items.push_back(std::move(item));
  }
  return JsonResponse({{"items", items}});
}

// Managed policies, then each user's and role's inline policies (marked
// `inline`, with their owner), so every document that can decide is here.
Response IamPolicies(const Services& s, Request& request) {
  if (s.identities == nullptr) return IamUnavailable(s, request);
  json items = json::array();
  for (const auto& policy : s.identities->ListPolicies()) {
    items.push_back({{"name", policy.name}, {"arn", policy.arn}, {"document", Document(policy.policy.document)},
                     {"attachments", policy.attachment_count}});
  }
  auto add_inline = [&](const std::vector<iam::Identity>& owners) {
    for (const auto& owner : owners) {
      for (const auto& [name, policy] : owner.inline_policies) {
        items.push_back({{"name", owner.name + "/" + name}, {"arn", owner.arn + "#" + name},
                         {"document", Document(policy.document)}, {"attachments", 1}, {"inline", true},
                         {"owner", owner.arn}});
      }
    }
  };
  add_inline(s.identities->ListUsers());
  add_inline(s.identities->ListRoles());
  return JsonResponse({{"items", items}});
}

Response IamSimulate(const Services& s, Request& request) {
  if (s.identities == nullptr) return IamUnavailable(s, request);
  json body = json::parse(request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return ProblemResponse(400, "the body must be a JSON object", request);
  for (const char* field : {"principal", "action", "resource"}) {
    if (!body.contains(field) || !body[field].is_string() || body[field].get<std::string>().empty()) {
      return ProblemResponse(400, std::string(field) + " must be a non-empty string", request, field);
    }
  }
  for (const auto& [key, value] : body.items()) {
    if (key != "principal" && key != "action" && key != "resource" && key != "context") {
      return ProblemResponse(400, "unknown field \"" + key + "\"", request, key);
    }
  }
  std::string action = body["action"], resource = body["resource"];
  if (action.find(':') == std::string::npos) {
    return ProblemResponse(400, "action must be service:Operation, such as kinesis:PutRecord", request, "action");
  }
  auto principal = ResolvePrincipal(s.identities, body["principal"]);
  if (!principal.ok()) return ProblemResponse(404, principal.status().message(), request, "principal");

  iam::RequestContext context;
  context.action = action;
  context.resource = resource;
  iam::SetPrincipalKeys(*principal, s.identities->account_id(), &context);
  int64_t now = s.clock->NowMillis();
  context.Set("aws:CurrentTime", iam::FormatIsoTime(now));
  context.Set("aws:EpochTime", std::to_string(now / 1000));
  if (body.contains("context")) {
    if (!body["context"].is_object()) {
      return ProblemResponse(400, "context must be an object of strings or string arrays", request, "context");
    }
    for (const auto& [key, value] : body["context"].items()) {
      if (value.is_string()) {
        context.Add(key, value.get<std::string>());
        continue;
      }
      if (!value.is_array()) return ProblemResponse(400, "context[\"" + key + "\"] must be a string or an array", request, "context");
      for (const auto& v : value) {
        if (!v.is_string()) return ProblemResponse(400, "context[\"" + key + "\"] must hold strings", request, "context");
        context.Add(key, v.get<std::string>());
      }
    }
  }

  if (principal->kind == iam::Principal::Kind::kRoot) {
    return JsonResponse({{"decision", "allowed"}, {"reason", "The root account may perform every action."},
                         {"matched", json::array()}});
  }
  auto sources = s.identities->PolicySourcesOf(*principal);
  std::vector<const iam::Policy*> policies;
  for (const auto& source : sources) policies.push_back(source.parsed.get());
  iam::EvaluationResult result = iam::Evaluate(policies, context);
  // Every statement that applies, Deny and Allow, for the explanation.
  json matched = json::array();
  for (size_t p = 0; p < sources.size(); ++p) {
    const iam::Policy& policy = *sources[p].parsed;
    json document = Document(sources[p].document);
    for (size_t i = 0; i < policy.statements.size(); ++i) {
      const iam::Statement& statement = policy.statements[i];
      if (!iam::StatementMatches(statement, policy.version == "2012-10-17", context)) continue;
      json m = {{"policy", sources[p].name},
                {"effect", statement.effect == iam::Effect::kAllow ? "Allow" : "Deny"},
                {"statement", StatementJson(document, static_cast<int>(i))}};
      if (!statement.sid.empty()) m["sid"] = statement.sid;
      matched.push_back(std::move(m));
    }
  }
  std::string what = action + " on " + resource;
  std::string reason;
  if (result.decision == iam::Decision::kImplicitDeny) {
    reason = "No statement in the " + std::to_string(sources.size()) + " " + (sources.size() == 1 ? "policy" : "policies") +
             " of " + principal->arn + " allows " + what + ", so it is denied implicitly.";
  } else {
    const auto& source = sources[result.policy_index];
    const iam::Statement& statement = source.parsed->statements[result.statement_index];
    std::string label = statement.sid.empty() ? "#" + std::to_string(result.statement_index + 1) : statement.sid;
    reason = "Statement " + label + " in " + source.name +
             (result.decision == iam::Decision::kAllow ? " allows " : " denies ") + what +
             (result.decision == iam::Decision::kExplicitDeny ? "; an explicit Deny wins over any Allow." : ".");
  }
  return JsonResponse({{"decision", std::string(iam::DecisionName(result.decision))}, {"reason", reason},
                       {"matched", matched}});
}

}  // namespace console
