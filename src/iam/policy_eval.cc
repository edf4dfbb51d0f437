// Evaluation of identity policies (see policy.h): wildcard matching, policy
// variables, statement matching and the deny-allow-implicit-deny decision.
#include "iam/policy.h"

#include <algorithm>
#include <cctype>

#include "iam/condition.h"

namespace iam {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

// Glob matcher; with `escapes`, "\x" in the pattern is a literal x (used for
// text that came from policy variables). Iterative with one backtrack point,
// so it runs in O(n*m) at worst and never recurses.
bool Match(std::string_view p, std::string_view t, bool ignore_case, bool escapes) {
  size_t pi = 0, ti = 0, star_p = std::string_view::npos, star_t = 0;
  while (ti < t.size()) {
    if (pi < p.size()) {
      char pc = p[pi];
      bool literal = false;
      if (escapes && pc == '\\' && pi + 1 < p.size()) {
        pc = p[pi + 1];
        literal = true;
      }
      if (!literal && pc == '*') {
        star_p = ++pi;
        star_t = ti;
        continue;
      }
      if ((!literal && pc == '?') || pc == t[ti] || (ignore_case && Lower(pc) == Lower(t[ti]))) {
        pi += literal ? 2 : 1;
        ++ti;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    pi = star_p;
    ti = ++star_t;
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

void AppendEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    if (c == '*' || c == '?' || c == '\\') out->push_back('\\');
    out->push_back(c);
  }
}

// Replaces ${key} with the context's value. The result is an escaped pattern
// (see Match): wildcards written in the policy stay wildcards, text from the
// request is literal. False when a variable has no value: AWS then treats the
// element as not matching.
bool Substitute(std::string_view in, const RequestContext& context, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '$' && i + 1 < in.size() && in[i + 1] == '{') {
      size_t close = in.find('}', i + 2);
      if (close != std::string_view::npos) {
        std::string_view name = in.substr(i + 2, close - i - 2);
        if (name == "*" || name == "?" || name == "$") {
          AppendEscaped(out, name);
        } else {
          const std::vector<std::string>* values = context.Find(name);
          if (values == nullptr || values->empty()) return false;
          AppendEscaped(out, values->front());
        }
        i = close;
        continue;
      }
    }
    if (in[i] == '\\') out->push_back('\\');
    out->push_back(in[i]);
  }
  return true;
}

bool ActionMatches(const Statement& s, std::string_view action) {
  bool any = std::any_of(s.actions.begin(), s.actions.end(),
                         [&](const std::string& a) { return Match(a, action, /*ignore_case=*/true, false); });
  return s.not_action ? !any : any;
}

bool ResourceMatches(const Statement& s, bool variables, const RequestContext& context) {
  std::string pattern;
  bool any = std::any_of(s.resources.begin(), s.resources.end(), [&](const std::string& r) {
    if (!variables) return Match(r, context.resource, false, false);
    return Substitute(r, context, &pattern) && Match(pattern, context.resource, false, true);
  });
  return s.not_resource ? !any : any;
}

bool ConditionsHold(const Statement& s, bool variables, const RequestContext& context) {
  std::vector<std::string> values;
  std::string pattern;
  for (const Condition& c : s.conditions) {
    // Like operators take escaped patterns (see Match); the others plain text.
    bool like = c.op.find("Like") != std::string::npos || c.op.rfind("Arn", 0) == 0;
    values.clear();
    for (const std::string& v : c.values) {
      if (!variables || v.find("${") == std::string::npos) {
        if (!like) {
          values.push_back(v);
          continue;
        }
        pattern.clear();
        for (char ch : v) {
          if (ch == '\\') pattern.push_back('\\');
          pattern.push_back(ch);
        }
        values.push_back(pattern);
      } else if (Substitute(v, context, &pattern)) {
        if (like) {
          values.push_back(pattern);
          continue;
        }
        std::string plain;
        for (size_t i = 0; i < pattern.size(); ++i) {
          if (pattern[i] == '\\' && i + 1 < pattern.size()) ++i;
          plain.push_back(pattern[i]);
        }
        values.push_back(std::move(plain));
      }
      // A variable without a value drops that value: it matches nothing.
    }
    if (!EvaluateCondition(c, values, context.Find(c.key))) return false;
  }
  return true;
}

}  // namespace

void RequestContext::Set(std::string_view key, std::string value) {
  keys[ToLower(key)] = {std::move(value)};
}

void RequestContext::Add(std::string_view key, std::string value) {
  keys[ToLower(key)].push_back(std::move(value));
}

const std::vector<std::string>* RequestContext::Find(std::string_view key) const {
  auto it = keys.find(ToLower(key));
  return it == keys.end() ? nullptr : &it->second;
}

std::string_view DecisionName(Decision decision) {
  switch (decision) {
    case Decision::kAllow: return "allowed";
    case Decision::kExplicitDeny: return "explicitDeny";
    case Decision::kImplicitDeny: return "implicitDeny";
  }
  return "implicitDeny";
}

bool WildcardMatch(std::string_view pattern, std::string_view text, bool ignore_case, bool escapes) {
  return Match(pattern, text, ignore_case, escapes);
}

bool StatementMatches(const Statement& statement, bool variables, const RequestContext& context) {
  return ActionMatches(statement, context.action) && ResourceMatches(statement, variables, context) &&
         ConditionsHold(statement, variables, context);
}

EvaluationResult Evaluate(const std::vector<const Policy*>& policies, const RequestContext& context) {
  EvaluationResult result;
  for (int p = 0; p < static_cast<int>(policies.size()); ++p) {
    const Policy& policy = *policies[p];
    bool variables = policy.version == "2012-10-17";
    for (int s = 0; s < static_cast<int>(policy.statements.size()); ++s) {
      const Statement& statement = policy.statements[s];
      // After the first Allow only a Deny can change the answer.
      if (statement.effect == Effect::kAllow && result.decision == Decision::kAllow) continue;
      if (!StatementMatches(statement, variables, context)) continue;
      if (statement.effect == Effect::kDeny) return {Decision::kExplicitDeny, p, s};
      result = {Decision::kAllow, p, s};
    }
  }
  return result;
}

}  // namespace iam
