// DynamoDB expressions: condition/filter, key-condition, update and
// projection. A hand-written recursive-descent parser (see README.md for why)
// turns text plus ExpressionAttributeNames/Values into a small tree; the
// evaluator runs the tree against an item.
//
// Every error is InvalidArgument with DynamoDB's wording, prefixed with the
// expression's name: "Invalid UpdateExpression: Syntax error; token: ...".
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "table/attribute_value.h"

namespace table::expr {

struct PathElement {
  std::string name;  // map key, or "" for a list index
  int index = -1;    // list index, or -1 for a map key
};
using Path = std::vector<PathElement>;
std::string PathToString(const Path& path);  // "a.b[2].c"

struct Operand {
  enum class Kind { kPath, kValue, kSize, kIfNotExists, kListAppend, kPlus, kMinus };
  Kind kind = Kind::kPath;
  Path path;                  // kPath, kSize, kIfNotExists
  AttributeValue value;       // kValue
  std::string value_name;     // kValue: its placeholder (":q"), to bind a cached parse
  std::vector<Operand> args;  // kIfNotExists: [fallback]; kListAppend, kPlus, kMinus: [a, b]
};

enum class CompareOp { kEq, kNe, kLt, kLe, kGt, kGe };

struct Condition {
  enum class Kind {
    kCompare, kBetween, kIn, kAnd, kOr, kNot,
    kExists, kNotExists, kType, kBeginsWith, kContains,
  };
  Kind kind = Kind::kCompare;
  CompareOp op = CompareOp::kEq;
  std::vector<Operand> operands;
  std::vector<Condition> children;
};

struct UpdateAction {
  enum class Kind { kSet, kRemove, kAdd, kDelete };
  Kind kind = Kind::kSet;
  Path path;
  Operand value;  // not used by kRemove
};

// The placeholders of one request and which of them the parsed expressions
// used, so unused ones can be reported the way DynamoDB does.
class Placeholders {
 public:
  Placeholders(const std::map<std::string, std::string>* names,
               const std::map<std::string, AttributeValue>* values)
      : names_(names), values_(values) {}
  const std::string* Name(const std::string& key);
  const AttributeValue* Value(const std::string& key);
  // InvalidArgument naming the unused names/values, if any.
  Status CheckAllUsed() const;
  const std::map<std::string, std::string>* names() const { return names_; }
  const std::set<std::string>& used_names() const { return used_names_; }

 private:
  const std::map<std::string, std::string>* names_;
  const std::map<std::string, AttributeValue>* values_;
  std::set<std::string> used_names_, used_values_;
};

// `what` names the request field in messages ("ConditionExpression").
// Both keep what they parsed (per thread, by text and names) and bind the
// request's values into a copy the next time: a service sends the same few
// expressions with new values, and tokenizing and parsing them each time
// cost more than the copy.
Result<Condition> ParseCondition(std::string_view text, std::string_view what, Placeholders* p);
Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, Placeholders* p);
Result<std::vector<Path>> ParseProjection(std::string_view text, Placeholders* p);

// Value at `path`, or nullptr when absent.
const AttributeValue* Resolve(const Item& item, const Path& path);
// Whether `item` (possibly empty: no item) satisfies `cond`. Type mismatches
// evaluate to false, as in DynamoDB; only invalid arguments are errors.
Result<bool> Evaluate(const Condition& cond, const Item& item);
// Applies the actions to `item`, evaluating every operand against the item as
// it was before. InvalidArgument for operand type errors and bad paths.
Status ApplyUpdate(const std::vector<UpdateAction>& actions, Item* item);
// Only the attributes at `paths`.
Item Project(const Item& item, const std::vector<Path>& paths);

// <0, 0, >0 for two S, N or B values of the same type.
int CompareScalars(const AttributeValue& a, const AttributeValue& b);

}  // namespace table::expr
