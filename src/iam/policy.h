// IAM policies: the AWS JSON policy language (identity-based policies) and
// its evaluation as AWS documents it: an explicit Deny in any statement wins,
// otherwise any Allow allows, otherwise the request is implicitly denied.
//
//   {"Version": "2012-10-17",
//    "Statement": [{"Sid": "Put", "Effect": "Allow",
//                   "Action": ["kinesis:PutRecord", "kinesis:PutRecords"],
//                   "Resource": "arn:aws:kinesis:*:*:stream/orders-${aws:username}",
//                   "Condition": {"IpAddress": {"aws:SourceIp": "127.0.0.0/8"}}}]}
//
// Supported: Version, Id, Statement (object or array), Sid, Effect,
// Action/NotAction, Resource/NotResource (`*` and `?` wildcards), Condition
// with the String*, Numeric*, Date*, Bool, BinaryEquals, IpAddress/NotIpAddress,
// Arn* and Null operators, the ForAllValues:/ForAnyValue: qualifiers and the
// IfExists suffix, and policy variables (${aws:username}, ${aws:userid},
// ${rivulet:customerId}, any context key, and ${*} ${?} ${$}) in Resource and
// condition values of 2012-10-17 policies.
//
// Thread safety: a parsed Policy is immutable; Evaluate may run concurrently.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace iam {

enum class Effect { kAllow, kDeny };

struct Condition {
  enum class Qualifier { kNone, kForAnyValue, kForAllValues };
  std::string op;  // base operator as written, without qualifier and IfExists: "StringLike"
  Qualifier qualifier = Qualifier::kNone;
  bool if_exists = false;
  std::string key;  // condition key as written: "aws:SourceIp"
  std::vector<std::string> values;
};

struct Statement {
  std::string sid;
  Effect effect = Effect::kAllow;
  bool not_action = false;  // the list below is NotAction
  std::vector<std::string> actions;
  bool not_resource = false;  // the list below is NotResource
  std::vector<std::string> resources;
  std::vector<Condition> conditions;  // all must hold
};

struct Policy {
  std::string version;  // "2012-10-17" or "2008-10-17" (no variables in the latter)
  std::string id;
  std::vector<Statement> statements;
};

// Documents larger than this are rejected (AWS: 6,144 characters for managed,
// 10,240 for role inline policies).
inline constexpr size_t kMaxPolicyBytes = 10240;

// Parses and validates an identity-based policy. InvalidArgument with a
// message naming the bad element ("Statement[1].Effect must be \"Allow\" or
// \"Deny\", not \"Permit\"") when the document is malformed.
common::Result<Policy> ParsePolicy(std::string_view document);

// What a request asks: the action, the resource ARN and the condition keys
// (names compared case-insensitively; each key may hold several values, as
// dynamodb:Attributes does).
struct RequestContext {
  std::string action;    // "kinesis:PutRecord"
  std::string resource;  // "arn:aws:kinesis:us-east-1:000000000000:stream/orders"
  // Keys in lower case: "aws:username" -> {"alice"}.
  std::map<std::string, std::vector<std::string>> keys;

  // Adds a value under `key` (lower-cased).
  void Set(std::string_view key, std::string value);
  void Add(std::string_view key, std::string value);
  const std::vector<std::string>* Find(std::string_view key) const;
};

enum class Decision { kAllow, kExplicitDeny, kImplicitDeny };
std::string_view DecisionName(Decision decision);  // "allowed", "explicitly denied", ...

// Where a decision came from, for SimulatePrincipalPolicy and logs.
struct EvaluationResult {
  Decision decision = Decision::kImplicitDeny;
  // Index into the policies passed and statement index of the deciding
  // statement (the first explicit Deny, else the first Allow); -1 when none.
  int policy_index = -1;
  int statement_index = -1;
};

// Evaluates all identity policies of a principal for one request.
EvaluationResult Evaluate(const std::vector<const Policy*>& policies, const RequestContext& context);

// Whether one statement applies to the request (action, resource, conditions).
bool StatementMatches(const Statement& statement, bool variables, const RequestContext& context);

// Glob with `*` (any run) and `?` (one character); case-insensitive when asked.
// With `escapes`, "\\x" in the pattern is a literal x (text that came from a
// policy variable, or ${*}).
bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case, bool escapes = false);

}  // namespace iam
