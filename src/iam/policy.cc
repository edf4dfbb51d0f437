// Parsing and validation of policy documents (see policy.h). Evaluation is in
// policy_eval.cc.
#include "iam/policy.h"

#include <cctype>
#include <nlohmann/json.hpp>

#include "iam/condition.h"

namespace iam {
namespace {

using common::Status;
using json = nlohmann::json;

// Deep nesting is never valid in a policy; refuse it before the recursive
// JSON parser sees it.
constexpr int kMaxDepth = 16;

Status CheckDepth(std::string_view doc) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < doc.size(); ++i) {
    char c = doc[i];
    if (in_string) {
      if (c == '\\') ++i;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) {
        return Status::InvalidArgument("MalformedPolicyDocument: the document nests deeper than " +
                                       std::to_string(kMaxDepth) + " levels");
      }
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return Status::OK();
}

Status Bad(const std::string& where, const std::string& what) {
  return Status::InvalidArgument("MalformedPolicyDocument: " + where + " " + what);
}

std::string Quote(const json& value) {
  std::string s = value.dump();
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// A scalar condition value as text: strings as they are, numbers and booleans
// as JSON writes them (AWS accepts `"aws:SecureTransport": true`).
bool ScalarText(const json& value, std::string* out) {
  if (value.is_string()) *out = value.get<std::string>();
  else if (value.is_boolean()) *out = value.get<bool>() ? "true" : "false";
  else if (value.is_number()) *out = value.dump();
  else return false;
  return true;
}

// "x" or ["x", "y"] of strings.
Status StringList(const json& value, const std::string& where, std::vector<std::string>* out) {
  if (value.is_string()) {
    out->push_back(value.get<std::string>());
    return Status::OK();
  }
  if (!value.is_array()) return Bad(where, "must be a string or an array of strings, not " + Quote(value));
  if (value.empty()) return Bad(where, "must not be an empty array");
  for (const json& item : value) {
    if (!item.is_string()) return Bad(where, "must hold only strings, not " + Quote(item));
    out->push_back(item.get<std::string>());
  }
  return Status::OK();
}

Status CheckAction(const std::string& action, const std::string& where) {
  if (action == "*") return Status::OK();
  size_t colon = action.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == action.size() ||
      action.find(':', colon + 1) != std::string::npos) {
    return Bad(where, "has \"" + action + "\"; an action is \"*\" or \"<service>:<action>\" (\"kinesis:PutRecord\")");
  }
  for (char c : action.substr(0, colon)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '*' && c != '?') {
      return Bad(where, "has \"" + action + "\", whose service prefix is not a service name");
    }
  }
  return Status::OK();
}

Status CheckResource(const std::string& resource, const std::string& where) {
  if (resource == "*" || resource.rfind("arn:", 0) == 0) return Status::OK();
  return Bad(where, "has \"" + resource + "\"; a resource is \"*\" or an ARN (\"arn:aws:...\")");
}

Status ParseConditionBlock(const json& block, const std::string& where, std::vector<Condition>* out) {
  if (!block.is_object()) return Bad(where, "must be an object of operators, not " + Quote(block));
  for (const auto& [op_text, keys] : block.items()) {
    std::string op_where = where + "." + op_text;
    Condition base;
    std::string_view op = op_text;
    if (op.rfind("ForAnyValue:", 0) == 0) {
      base.qualifier = Condition::Qualifier::kForAnyValue;
      op.remove_prefix(12);
    } else if (op.rfind("ForAllValues:", 0) == 0) {
      base.qualifier = Condition::Qualifier::kForAllValues;
      op.remove_prefix(13);
    }
    if (op.size() > 8 && op.substr(op.size() - 8) == "IfExists") {
      base.if_exists = true;
      op.remove_suffix(8);
    }
    base.op = std::string(op);
    if (!IsConditionOperator(base.op) || (base.op == "Null" && base.if_exists)) {
      return Bad(op_where, "is not a condition operator (StringEquals, StringLike, NumericLessThan, DateGreaterThan, "
                           "Bool, IpAddress, ArnLike, Null, ...)");
    }
    if (!keys.is_object() || keys.empty()) {
      return Bad(op_where, "must be a non-empty object of condition keys, not " + Quote(keys));
    }
    for (const auto& [key, values] : keys.items()) {
      std::string key_where = op_where + "." + key;
      if (key.empty() || key.find(':') == std::string::npos) {
        return Bad(key_where, "is not a condition key (\"<prefix>:<name>\", such as \"aws:username\")");
      }
      Condition condition = base;
      condition.key = key;
      std::string text;
      if (values.is_array()) {
        if (values.empty()) return Bad(key_where, "must not be an empty array");
        for (const json& v : values) {
          if (!ScalarText(v, &text)) return Bad(key_where, "must hold strings, numbers or booleans, not " + Quote(v));
          condition.values.push_back(text);
        }
      } else if (ScalarText(values, &text)) {
        condition.values.push_back(text);
      } else {
        return Bad(key_where, "must be a value or an array of values, not " + Quote(values));
      }
      RETURN_IF_ERROR(ValidateConditionValues(condition, key_where));
      out->push_back(std::move(condition));
    }
  }
  return Status::OK();
}

Status ParseStatement(const json& s, const std::string& where, Statement* out) {
  if (!s.is_object()) return Bad(where, "must be an object, not " + Quote(s));
  bool has_effect = false, has_action = false, has_resource = false;
  for (const auto& [name, value] : s.items()) {
    std::string field = where + "." + name;
    if (name == "Sid") {
      if (!value.is_string()) return Bad(field, "must be a string");
      out->sid = value.get<std::string>();
      for (char c : out->sid) {
        if (!std::isalnum(static_cast<unsigned char>(c))) return Bad(field, "may hold only letters and digits");
      }
    } else if (name == "Effect") {
      if (value == "Allow") out->effect = Effect::kAllow;
      else if (value == "Deny") out->effect = Effect::kDeny;
      else return Bad(field, "must be \"Allow\" or \"Deny\", not " + Quote(value));
      has_effect = true;
    } else if (name == "Action" || name == "NotAction") {
      if (has_action) return Bad(where, "must have Action or NotAction, not both");
      has_action = true;
      out->not_action = name == "NotAction";
      RETURN_IF_ERROR(StringList(value, field, &out->actions));
      for (const std::string& a : out->actions) RETURN_IF_ERROR(CheckAction(a, field));
    } else if (name == "Resource" || name == "NotResource") {
      if (has_resource) return Bad(where, "must have Resource or NotResource, not both");
      has_resource = true;
      out->not_resource = name == "NotResource";
      RETURN_IF_ERROR(StringList(value, field, &out->resources));
      for (const std::string& r : out->resources) RETURN_IF_ERROR(CheckResource(r, field));
    } else if (name == "Condition") {
      RETURN_IF_ERROR(ParseConditionBlock(value, field, &out->conditions));
    } else if (name == "Principal" || name == "NotPrincipal") {
      return Bad(field, "is not allowed in an identity-based policy (the principal is the one it is attached to)");
    } else {
      return Bad(field, "is not a statement element (Sid, Effect, Action, NotAction, Resource, NotResource, "
                        "Condition)");
    }
  }
  if (!has_effect) return Bad(where, "is missing Effect");
  if (!has_action) return Bad(where, "is missing Action or NotAction");
  if (!has_resource) return Bad(where, "is missing Resource or NotResource");
  return Status::OK();
}

}  // namespace

common::Result<Policy> ParsePolicy(std::string_view document) {
  if (document.size() > kMaxPolicyBytes) {
    return Status::InvalidArgument("LimitExceeded: the policy document is " + std::to_string(document.size()) +
                                   " bytes; the limit is " + std::to_string(kMaxPolicyBytes));
  }
  RETURN_IF_ERROR(CheckDepth(document));
  json doc = json::parse(document.begin(), document.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return Status::InvalidArgument("MalformedPolicyDocument: the document is not valid JSON");
  if (!doc.is_object()) return Status::InvalidArgument("MalformedPolicyDocument: the document must be a JSON object");
  Policy policy;
  const json* statements = nullptr;
  for (const auto& [name, value] : doc.items()) {
    if (name == "Version") {
      if (value != "2012-10-17" && value != "2008-10-17") {
        return Bad("Version", "must be \"2012-10-17\" or \"2008-10-17\", not " + Quote(value));
      }
      policy.version = value.get<std::string>();
    } else if (name == "Id") {
      if (!value.is_string()) return Bad("Id", "must be a string");
      policy.id = value.get<std::string>();
    } else if (name == "Statement") {
      statements = &value;
    } else {
      return Bad(name, "is not a policy element (Version, Id, Statement)");
    }
  }
  if (statements == nullptr) return Bad("Statement", "is missing");
  if (policy.version.empty()) policy.version = "2008-10-17";  // AWS's default when Version is absent
  if (statements->is_object()) {
    policy.statements.emplace_back();
    RETURN_IF_ERROR(ParseStatement(*statements, "Statement", &policy.statements.back()));
  } else if (statements->is_array()) {
    if (statements->empty()) return Bad("Statement", "must not be empty");
    int i = 0;
    for (const json& s : *statements) {
      policy.statements.emplace_back();
      RETURN_IF_ERROR(ParseStatement(s, "Statement[" + std::to_string(i++) + "]", &policy.statements.back()));
    }
  } else {
    return Bad("Statement", "must be an object or an array of objects, not " + Quote(*statements));
  }
  return policy;
}

}  // namespace iam
