#include "table/expression.h"

#include <algorithm>
#include <cctype>
#include <unordered_map>

#include "table/number.h"
#include "table/reserved_words.h"

namespace table::expr {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

struct Token {
  enum class Kind { kEnd, kIdent, kName, kValue, kNumber, kPunct };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t pos = 0;
};

constexpr size_t kMaxExpressionBytes = 4096;
constexpr int kMaxDepth = 100;

class Parser {
 public:
  Parser(std::string_view text, std::string_view what, Placeholders* p)
      : text_(text), what_(what), p_(p) {}

  Status Tokenize() {
    if (text_.size() > kMaxExpressionBytes) {
      return Fail("Expression size has exceeded the maximum allowed size; size: " +
                  std::to_string(text_.size()) + ", limit: " + std::to_string(kMaxExpressionBytes));
    }
    size_t i = 0;
    while (i < text_.size()) {
      char c = text_[i];
      if (std::isspace(static_cast<unsigned char>(c))) { ++i; continue; }
      Token t;
      t.pos = i;
      auto word = [&](size_t start) {
        size_t j = start;
        while (j < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[j])) || text_[j] == '_')) ++j;
        return j;
      };
      if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t j = word(i);
        t.kind = Token::Kind::kIdent;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (c == '#' || c == ':') {
        size_t j = word(i + 1);
        if (j == i + 1) return SyntaxError(i);
        t.kind = c == '#' ? Token::Kind::kName : Token::Kind::kValue;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if (std::isdigit(static_cast<unsigned char>(c))) {
        size_t j = i;
        while (j < text_.size() && std::isdigit(static_cast<unsigned char>(text_[j]))) ++j;
        t.kind = Token::Kind::kNumber;
        t.text = std::string(text_.substr(i, j - i));
        i = j;
      } else if ((c == '<' || c == '>') && i + 1 < text_.size() &&
                 (text_[i + 1] == '=' || (c == '<' && text_[i + 1] == '>'))) {
        t.kind = Token::Kind::kPunct;
        t.text = std::string(text_.substr(i, 2));
        i += 2;
      } else if (std::string_view("=<>(),.[]+-").find(c) != std::string_view::npos) {
        t.kind = Token::Kind::kPunct;
        t.text = std::string(1, c);
        ++i;
      } else {
        return Fail("Invalid character encountered in expression: \"" + std::string(1, c) + "\"");
      }
      tokens_.push_back(std::move(t));
    }
    Token end;
    end.pos = text_.size();
    tokens_.push_back(end);
    if (tokens_.size() == 1) return Fail("The expression can not be empty;");
    return Status::OK();
  }

  // condition := or
  Result<Condition> ParseConditionTop() {
    ASSIGN_OR_RETURN(Condition c, ParseOr(0));
    if (Peek().kind != Token::Kind::kEnd) return SyntaxError();
    return c;
  }

  Result<std::vector<UpdateAction>> ParseUpdateTop() {
    std::vector<UpdateAction> actions;
    std::set<std::string> seen;
    while (Peek().kind != Token::Kind::kEnd) {
      if (Peek().kind != Token::Kind::kIdent) return SyntaxError();
      std::string clause = Lower(Peek().text);
      std::string upper = clause;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (clause != "set" && clause != "remove" && clause != "add" && clause != "delete") return SyntaxError();
      if (!seen.insert(clause).second) {
        return Fail("The \"" + upper + "\" section can only be used once in an update expression;");
      }
      Next();
      do {
        UpdateAction a;
        ASSIGN_OR_RETURN(a.path, ParsePath());
        if (clause == "set") {
          a.kind = UpdateAction::Kind::kSet;
          RETURN_IF_ERROR(Expect("="));
          ASSIGN_OR_RETURN(a.value, ParseSetValue());
        } else if (clause == "remove") {
          a.kind = UpdateAction::Kind::kRemove;
        } else {
          a.kind = clause == "add" ? UpdateAction::Kind::kAdd : UpdateAction::Kind::kDelete;
          if (Peek().kind != Token::Kind::kValue) return SyntaxError();
          ASSIGN_OR_RETURN(a.value, ParseOperand(false));
        }
        actions.push_back(std::move(a));
      } while (Accept(","));
    }
    if (actions.empty()) return SyntaxError();
    // Two actions may not touch the same path or a path inside another.
    for (size_t i = 0; i < actions.size(); ++i) {
      for (size_t j = i + 1; j < actions.size(); ++j) {
        const Path& a = actions[i].path;
        const Path& b = actions[j].path;
        size_t n = std::min(a.size(), b.size());
        bool prefix = true;
        for (size_t k = 0; k < n && prefix; ++k) {
          prefix = a[k].name == b[k].name && a[k].index == b[k].index;
        }
        if (prefix) {
          return Fail(std::string(a.size() == b.size() ? "Two document paths conflict with each other"
                                                       : "Two document paths overlap with each other") +
                      "; must remove or rewrite one of these paths; path one: [" + PathToString(a) +
                      "], path two: [" + PathToString(b) + "]");
        }
      }
    }
    return actions;
  }

  Result<std::vector<Path>> ParseProjectionTop() {
    std::vector<Path> paths;
    do {
      ASSIGN_OR_RETURN(Path path, ParsePath());
      paths.push_back(std::move(path));
    } while (Accept(","));
    if (Peek().kind != Token::Kind::kEnd) return SyntaxError();
    return paths;
  }

 private:
  const Token& Peek(size_t ahead = 0) const { return tokens_[std::min(pos_ + ahead, tokens_.size() - 1)]; }
  const Token& Next() { const Token& t = Peek(); if (pos_ < tokens_.size() - 1) ++pos_; return t; }
  bool IsPunct(std::string_view p, size_t ahead = 0) const {
    return Peek(ahead).kind == Token::Kind::kPunct && Peek(ahead).text == p;
  }
  bool Accept(std::string_view p) {
    if (!IsPunct(p)) return false;
    Next();
    return true;
  }
  bool AcceptKeyword(std::string_view kw) {
    if (Peek().kind != Token::Kind::kIdent || Lower(Peek().text) != kw) return false;
    Next();
    return true;
  }
  Status Expect(std::string_view p) { return Accept(p) ? Status::OK() : SyntaxError(); }

  Status Fail(const std::string& msg) const {
    return Status::InvalidArgument("Invalid " + std::string(what_) + ": " + msg);
  }
  // `at`: a byte offset during tokenizing (no tokens yet); else the next token.
  Status SyntaxError(std::optional<size_t> at = std::nullopt) const {
    size_t pos;
    std::string token;
    if (at) {
      pos = *at;
      token = pos < text_.size() ? std::string(text_.substr(pos, 1)) : "<EOF>";
    } else {
      const Token& t = Peek();
      pos = t.pos;
      token = t.kind == Token::Kind::kEnd ? "<EOF>" : t.text;
    }
    size_t from = pos >= 10 ? pos - 10 : 0;
    size_t to = std::min(text_.size(), pos + 10);
    return Fail("Syntax error; token: \"" + token + "\", near: \"" + std::string(text_.substr(from, to - from)) + "\"");
  }

  Result<Condition> ParseOr(int depth) {
    if (depth > kMaxDepth) return Fail("The expression is nested too deeply");
    ASSIGN_OR_RETURN(Condition left, ParseAnd(depth));
    while (AcceptKeyword("or")) {
      ASSIGN_OR_RETURN(Condition right, ParseAnd(depth));
      Condition c;
      c.kind = Condition::Kind::kOr;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseAnd(int depth) {
    ASSIGN_OR_RETURN(Condition left, ParseNot(depth));
    while (AcceptKeyword("and")) {
      ASSIGN_OR_RETURN(Condition right, ParseNot(depth));
      Condition c;
      c.kind = Condition::Kind::kAnd;
      c.children.push_back(std::move(left));
      c.children.push_back(std::move(right));
      left = std::move(c);
    }
    return left;
  }

  Result<Condition> ParseNot(int depth) {
    if (depth > kMaxDepth) return Fail("The expression is nested too deeply");
    if (AcceptKeyword("not")) {
      ASSIGN_OR_RETURN(Condition inner, ParseNot(depth + 1));
      Condition c;
      c.kind = Condition::Kind::kNot;
      c.children.push_back(std::move(inner));
      return c;
    }
    return ParsePrimary(depth);
  }

  Result<Condition> ParsePrimary(int depth) {
    if (Accept("(")) {
      ASSIGN_OR_RETURN(Condition c, ParseOr(depth + 1));
      RETURN_IF_ERROR(Expect(")"));
      return c;
    }
    // Boolean functions.
    if (Peek().kind == Token::Kind::kIdent && IsPunct("(", 1)) {
      std::string fn = Peek().text;
      static const std::map<std::string, std::pair<Condition::Kind, int>> kFunctions = {
          {"attribute_exists", {Condition::Kind::kExists, 1}},
          {"attribute_not_exists", {Condition::Kind::kNotExists, 1}},
          {"attribute_type", {Condition::Kind::kType, 2}},
          {"begins_with", {Condition::Kind::kBeginsWith, 2}},
          {"contains", {Condition::Kind::kContains, 2}},
      };
      auto it = kFunctions.find(fn);
      if (it != kFunctions.end()) {
        Next();
        Next();
        Condition c;
        c.kind = it->second.first;
        for (int i = 0; i < it->second.second; ++i) {
          if (i > 0) RETURN_IF_ERROR(Expect(","));
          ASSIGN_OR_RETURN(Operand o, ParseOperand(true));
          c.operands.push_back(std::move(o));
        }
        RETURN_IF_ERROR(Expect(")"));
        if (c.operands[0].kind != Operand::Kind::kPath) {
          return Fail("Operator or function requires a document path; operator or function: " + fn);
        }
        if (c.kind == Condition::Kind::kType) {
          const Operand& t = c.operands[1];
          AttributeValue::Type type;
          if (t.kind != Operand::Kind::kValue || t.value.type() != AttributeValue::Type::kS ||
              !ParseTypeName(t.value.scalar(), &type)) {
            return Fail("Invalid attribute type name found; type: " +
                        (t.kind == Operand::Kind::kValue ? t.value.scalar() : std::string("?")) +
                        ", valid types: {B,NULL,SS,BOOL,L,BS,N,NS,S,M}");
          }
        }
        return c;
      }
      if (fn != "size") return Fail("Invalid function name; function: " + fn);
    }
    ASSIGN_OR_RETURN(Operand left, ParseOperand(true));
    Condition c;
    c.operands.push_back(std::move(left));
    if (AcceptKeyword("between")) {
      c.kind = Condition::Kind::kBetween;
      ASSIGN_OR_RETURN(Operand lo, ParseOperand(true));
      if (!AcceptKeyword("and")) return SyntaxError();
      ASSIGN_OR_RETURN(Operand hi, ParseOperand(true));
      c.operands.push_back(std::move(lo));
      c.operands.push_back(std::move(hi));
      return c;
    }
    if (AcceptKeyword("in")) {
      c.kind = Condition::Kind::kIn;
      RETURN_IF_ERROR(Expect("("));
      do {
        ASSIGN_OR_RETURN(Operand o, ParseOperand(true));
        c.operands.push_back(std::move(o));
      } while (Accept(","));
      RETURN_IF_ERROR(Expect(")"));
      if (c.operands.size() > 101) return Fail("The IN operator is provided with too many operands; number of operands: " + std::to_string(c.operands.size() - 1));
      return c;
    }
    static const std::map<std::string, CompareOp> kOps = {
        {"=", CompareOp::kEq}, {"<>", CompareOp::kNe}, {"<", CompareOp::kLt},
        {"<=", CompareOp::kLe}, {">", CompareOp::kGt}, {">=", CompareOp::kGe}};
    if (Peek().kind != Token::Kind::kPunct || !kOps.count(Peek().text)) return SyntaxError();
    c.kind = Condition::Kind::kCompare;
    c.op = kOps.at(Next().text);
    ASSIGN_OR_RETURN(Operand right, ParseOperand(true));
    c.operands.push_back(std::move(right));
    return c;
  }

  // operand := path | :value | size(path)   (conditions)
  Result<Operand> ParseOperand(bool allow_size) {
    Operand o;
    if (Peek().kind == Token::Kind::kValue) {
      std::string key = Next().text;
      const AttributeValue* v = p_->Value(key);
      if (v == nullptr) return Fail("An expression attribute value used in expression is not defined; attribute value: " + key);
      o.kind = Operand::Kind::kValue;
      o.value = *v;
      o.value_name = key;
      return o;
    }
    if (allow_size && Peek().kind == Token::Kind::kIdent && IsPunct("(", 1)) {
      if (Peek().text != "size") return Fail("Invalid function name; function: " + Peek().text);
      Next();
      Next();
      o.kind = Operand::Kind::kSize;
      ASSIGN_OR_RETURN(o.path, ParsePath());
      RETURN_IF_ERROR(Expect(")"));
      return o;
    }
    o.kind = Operand::Kind::kPath;
    ASSIGN_OR_RETURN(o.path, ParsePath());
    return o;
  }

  // set_value := term (('+' | '-') term)?
  Result<Operand> ParseSetValue() {
    ASSIGN_OR_RETURN(Operand left, ParseSetTerm());
    if (IsPunct("+") || IsPunct("-")) {
      Operand o;
      o.kind = Next().text == "+" ? Operand::Kind::kPlus : Operand::Kind::kMinus;
      ASSIGN_OR_RETURN(Operand right, ParseSetTerm());
      o.args.push_back(std::move(left));
      o.args.push_back(std::move(right));
      return o;
    }
    return left;
  }

  // term := path | :value | if_not_exists(path, term) | list_append(term, term)
  Result<Operand> ParseSetTerm() {
    if (Peek().kind == Token::Kind::kIdent && IsPunct("(", 1)) {
      std::string fn = Next().text;
      Next();
      Operand o;
      if (fn == "if_not_exists") {
        o.kind = Operand::Kind::kIfNotExists;
        ASSIGN_OR_RETURN(o.path, ParsePath());
        RETURN_IF_ERROR(Expect(","));
        ASSIGN_OR_RETURN(Operand fallback, ParseSetTerm());
        o.args.push_back(std::move(fallback));
      } else if (fn == "list_append") {
        o.kind = Operand::Kind::kListAppend;
        ASSIGN_OR_RETURN(Operand a, ParseSetTerm());
        RETURN_IF_ERROR(Expect(","));
        ASSIGN_OR_RETURN(Operand b, ParseSetTerm());
        o.args.push_back(std::move(a));
        o.args.push_back(std::move(b));
      } else {
        return Fail("Invalid function name; function: " + fn);
      }
      RETURN_IF_ERROR(Expect(")"));
      return o;
    }
    return ParseOperand(false);
  }

  // path := element ('.' element | '[' number ']')*
  Result<Path> ParsePath() {
    Path path;
    RETURN_IF_ERROR(ParsePathName(&path));
    while (true) {
      if (Accept(".")) {
        RETURN_IF_ERROR(ParsePathName(&path));
      } else if (Accept("[")) {
        if (Peek().kind != Token::Kind::kNumber) return SyntaxError();
        const std::string& digits = Next().text;
        if (digits.size() > 9) return Fail("List index is too large; index: " + digits);
        PathElement e;
        e.index = std::stoi(digits);
        path.push_back(e);
        RETURN_IF_ERROR(Expect("]"));
      } else {
        break;
      }
    }
    if (path.size() > 32) return Fail("The document path has too many nesting levels; nesting levels: " + std::to_string(path.size()));
    return path;
  }

  Status ParsePathName(Path* path) {
    const Token& t = Peek();
    PathElement e;
    if (t.kind == Token::Kind::kName) {
      const std::string* name = p_->Name(t.text);
      if (name == nullptr) {
        return Fail("An expression attribute name used in the document path is not defined; attribute name: " + t.text);
      }
      e.name = *name;
    } else if (t.kind == Token::Kind::kIdent) {
      if (IsReservedWord(t.text)) return Fail("Attribute name is a reserved keyword; reserved keyword: " + t.text);
      e.name = t.text;
    } else {
      return SyntaxError();
    }
    Next();
    path->push_back(std::move(e));
    return Status::OK();
  }

  std::string_view text_;
  std::string_view what_;
  Placeholders* p_;
  std::vector<Token> tokens_;
  size_t pos_ = 0;
};

bool SameType(const AttributeValue& a, const AttributeValue& b) { return a.type() == b.type(); }
bool IsScalarKeyType(const AttributeValue& v) {
  return v.type() == AttributeValue::Type::kS || v.type() == AttributeValue::Type::kN ||
         v.type() == AttributeValue::Type::kB;
}

// Value of an operand in a condition; nullopt when its path is absent.
std::optional<AttributeValue> EvalOperand(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = Resolve(item, o.path);
      if (v == nullptr) return std::nullopt;
      return *v;
    }
    case Operand::Kind::kSize: {
      const AttributeValue* v = Resolve(item, o.path);
      if (v == nullptr) return std::nullopt;
      size_t n;
      switch (v->type()) {
        case AttributeValue::Type::kS:
        case AttributeValue::Type::kB: n = v->scalar().size(); break;
        case AttributeValue::Type::kL: n = v->list().size(); break;
        case AttributeValue::Type::kM: n = v->map().size(); break;
        case AttributeValue::Type::kSS:
        case AttributeValue::Type::kNS:
        case AttributeValue::Type::kBS: n = v->set().size(); break;
        default: return std::nullopt;
      }
      return AttributeValue::N(std::to_string(n));
    }
    default:
      return std::nullopt;
  }
}

bool Compare(CompareOp op, const std::optional<AttributeValue>& a, const std::optional<AttributeValue>& b) {
  if (!a || !b) return op == CompareOp::kNe;
  if (op == CompareOp::kEq) return *a == *b;
  if (op == CompareOp::kNe) return !(*a == *b);
  if (!SameType(*a, *b) || !IsScalarKeyType(*a)) return false;
  int c = CompareScalars(*a, *b);
  switch (op) {
    case CompareOp::kLt: return c < 0;
    case CompareOp::kLe: return c <= 0;
    case CompareOp::kGt: return c > 0;
    case CompareOp::kGe: return c >= 0;
    default: return false;
  }
}

Status OperandTypeError(std::string_view op, const AttributeValue& v) {
  return Status::InvalidArgument("Invalid UpdateExpression: Incorrect operand type for operator or function; operator or function: " +
                                 std::string(op) + ", operand type: " + std::string(TypeName(v.type())));
}

Result<AttributeValue> EvalUpdateOperand(const Operand& o, const Item& item) {
  switch (o.kind) {
    case Operand::Kind::kValue:
      return o.value;
    case Operand::Kind::kPath: {
      const AttributeValue* v = Resolve(item, o.path);
      if (v == nullptr) {
        return Status::InvalidArgument("The provided expression refers to an attribute that does not exist in the item");
      }
      return *v;
    }
    case Operand::Kind::kIfNotExists: {
      const AttributeValue* v = Resolve(item, o.path);
      if (v != nullptr) return *v;
      return EvalUpdateOperand(o.args[0], item);
    }
    case Operand::Kind::kListAppend: {
      ASSIGN_OR_RETURN(AttributeValue a, EvalUpdateOperand(o.args[0], item));
      ASSIGN_OR_RETURN(AttributeValue b, EvalUpdateOperand(o.args[1], item));
      if (a.type() != AttributeValue::Type::kL) return OperandTypeError("list_append", a);
      if (b.type() != AttributeValue::Type::kL) return OperandTypeError("list_append", b);
      std::vector<AttributeValue> out = a.list();
      out.insert(out.end(), b.list().begin(), b.list().end());
      return AttributeValue::L(std::move(out));
    }
    case Operand::Kind::kPlus:
    case Operand::Kind::kMinus: {
      const char* op = o.kind == Operand::Kind::kPlus ? "+" : "-";
      ASSIGN_OR_RETURN(AttributeValue a, EvalUpdateOperand(o.args[0], item));
      ASSIGN_OR_RETURN(AttributeValue b, EvalUpdateOperand(o.args[1], item));
      if (a.type() != AttributeValue::Type::kN) return OperandTypeError(op, a);
      if (b.type() != AttributeValue::Type::kN) return OperandTypeError(op, b);
      ASSIGN_OR_RETURN(number::Decimal da, number::Parse(a.scalar()));
      ASSIGN_OR_RETURN(number::Decimal db, number::Parse(b.scalar()));
      ASSIGN_OR_RETURN(number::Decimal r, o.kind == Operand::Kind::kPlus ? number::Add(da, db) : number::Subtract(da, db));
      return AttributeValue::N(number::Format(r));
    }
    case Operand::Kind::kSize:
      break;
  }
  return Status::InvalidArgument("Invalid UpdateExpression: size() is not allowed in an update");
}

AttributeValue* ResolveMutable(Item* item, const Path& path) {
  if (path.empty()) return nullptr;
  auto it = item->find(path[0].name);
  if (it == item->end()) return nullptr;
  AttributeValue* cur = &it->second;
  for (size_t i = 1; i < path.size(); ++i) {
    const PathElement& e = path[i];
    if (e.index >= 0) {
      if (cur->type() != AttributeValue::Type::kL || static_cast<size_t>(e.index) >= cur->list().size()) return nullptr;
      cur = &cur->mutable_list()[static_cast<size_t>(e.index)];
    } else {
      if (cur->type() != AttributeValue::Type::kM) return nullptr;
      auto mit = cur->mutable_map().find(e.name);
      if (mit == cur->mutable_map().end()) return nullptr;
      cur = &mit->second;
    }
  }
  return cur;
}

Status InvalidPath() {
  return Status::InvalidArgument("The document path provided in the update expression is invalid for update");
}

Status SetAt(Item* item, const Path& path, AttributeValue value) {
  if (path.size() == 1) {
    (*item)[path[0].name] = std::move(value);
    return Status::OK();
  }
  Path parent_path(path.begin(), path.end() - 1);
  AttributeValue* parent = ResolveMutable(item, parent_path);
  if (parent == nullptr) return InvalidPath();
  const PathElement& last = path.back();
  if (last.index >= 0) {
    if (parent->type() != AttributeValue::Type::kL) return InvalidPath();
    auto& list = parent->mutable_list();
    if (static_cast<size_t>(last.index) < list.size()) {
      list[static_cast<size_t>(last.index)] = std::move(value);
    } else {
      list.push_back(std::move(value));  // DynamoDB appends past the end
    }
  } else {
    if (parent->type() != AttributeValue::Type::kM) return InvalidPath();
    parent->mutable_map()[last.name] = std::move(value);
  }
  return Status::OK();
}

Status RemoveAt(Item* item, const Path& path) {
  if (path.size() == 1) {
    item->erase(path[0].name);
    return Status::OK();
  }
  Path parent_path(path.begin(), path.end() - 1);
  AttributeValue* parent = ResolveMutable(item, parent_path);
  if (parent == nullptr) return Status::OK();
  const PathElement& last = path.back();
  if (last.index >= 0) {
    if (parent->type() != AttributeValue::Type::kL) return InvalidPath();
    auto& list = parent->mutable_list();
    if (static_cast<size_t>(last.index) < list.size()) list.erase(list.begin() + last.index);
  } else {
    if (parent->type() != AttributeValue::Type::kM) return InvalidPath();
    parent->mutable_map().erase(last.name);
  }
  return Status::OK();
}

Result<AttributeValue> SetUnion(const AttributeValue& a, const AttributeValue& b, bool difference) {
  std::vector<std::string> out;
  if (difference) {
    std::set_difference(a.set().begin(), a.set().end(), b.set().begin(), b.set().end(), std::back_inserter(out));
  } else {
    std::set_union(a.set().begin(), a.set().end(), b.set().begin(), b.set().end(), std::back_inserter(out));
  }
  switch (a.type()) {
    case AttributeValue::Type::kSS: return AttributeValue::SS(std::move(out));
    case AttributeValue::Type::kNS: return AttributeValue::NS(std::move(out));
    default: return AttributeValue::BS(std::move(out));
  }
}

void ProjectInto(const AttributeValue& src, const Path& path, size_t i, AttributeValue* dst) {
  if (i == path.size()) {
    *dst = src;
    return;
  }
  const PathElement& e = path[i];
  if (e.index >= 0) {
    if (src.type() != AttributeValue::Type::kL || static_cast<size_t>(e.index) >= src.list().size()) return;
    if (dst->type() != AttributeValue::Type::kL) *dst = AttributeValue::L({});
    // Projected list elements keep their relative order but not their indexes.
    AttributeValue child;
    ProjectInto(src.list()[static_cast<size_t>(e.index)], path, i + 1, &child);
    dst->mutable_list().push_back(std::move(child));
  } else {
    if (src.type() != AttributeValue::Type::kM) return;
    auto it = src.map().find(e.name);
    if (it == src.map().end()) return;
    if (dst->type() != AttributeValue::Type::kM) *dst = AttributeValue::M({});
    ProjectInto(it->second, path, i + 1, &dst->mutable_map()[e.name]);
  }
}

}  // namespace

std::string PathToString(const Path& path) {
  std::string out;
  for (const auto& e : path) {
    if (e.index >= 0) {
      out += "[" + std::to_string(e.index) + "]";
    } else {
      if (!out.empty()) out += ", ";
      out += e.name;
    }
  }
  return out;
}

const std::string* Placeholders::Name(const std::string& key) {
  if (names_ == nullptr) return nullptr;
  auto it = names_->find(key);
  if (it == names_->end()) return nullptr;
  used_names_.insert(key);
  return &it->second;
}

const AttributeValue* Placeholders::Value(const std::string& key) {
  if (values_ == nullptr) return nullptr;
  auto it = values_->find(key);
  if (it == values_->end()) return nullptr;
  used_values_.insert(key);
  return &it->second;
}

Status Placeholders::CheckAllUsed() const {
  auto unused = [](const auto& provided, const std::set<std::string>& used) {
    std::string keys;
    if (provided == nullptr) return keys;
    for (const auto& [k, v] : *provided) {
      if (!used.count(k)) keys += (keys.empty() ? "" : ", ") + k;
    }
    return keys;
  };
  std::string names = unused(names_, used_names_);
  if (!names.empty()) return Status::InvalidArgument("Value provided in ExpressionAttributeNames unused in expressions: keys: {" + names + "}");
  std::string values = unused(values_, used_values_);
  if (!values.empty()) return Status::InvalidArgument("Value provided in ExpressionAttributeValues unused in expressions: keys: {" + values + "}");
  return Status::OK();
}

namespace {

// --- Parsed expressions, kept per thread ---------------------------------

// What one expression parsed to, and which names it used (values are bound
// per request).
template <typename Tree>
struct Parsed {
  Tree tree;
  std::vector<std::string> names;
};

// "what" + text + every name placeholder, so that a cached tree is only
// reused where names resolve as they did when it was parsed.
std::string CacheKey(std::string_view what, std::string_view text, const Placeholders& p) {
  std::string key(what);
  key += '\x1f';
  key += text;
  if (p.names() != nullptr) {
    for (const auto& [k, v] : *p.names()) {
      key += '\x1f';
      key += k;
      key += '=';
      key += v;
    }
  }
  return key;
}

template <typename Tree>
std::unordered_map<std::string, Parsed<Tree>>& CacheOf() {
  thread_local std::unordered_map<std::string, Parsed<Tree>> cache;
  return cache;
}
constexpr size_t kCachedExpressions = 256;  // per thread and kind; then it starts over

// Puts the request's values into a copied tree. False when one is missing
// or makes the tree invalid: a full parse then reports it as usual.
bool Bind(Operand* o, Placeholders* p) {
  if (o->kind == Operand::Kind::kValue) {
    const AttributeValue* v = p->Value(o->value_name);
    if (v == nullptr) return false;
    o->value = *v;
  }
  for (auto& arg : o->args) {
    if (!Bind(&arg, p)) return false;
  }
  return true;
}

bool Bind(Condition* c, Placeholders* p) {
  for (auto& o : c->operands) {
    if (!Bind(&o, p)) return false;
  }
  for (auto& child : c->children) {
    if (!Bind(&child, p)) return false;
  }
  AttributeValue::Type type;  // attribute_type's type name was checked when parsed
  return c->kind != Condition::Kind::kType ||
         (c->operands[1].kind == Operand::Kind::kValue && c->operands[1].value.type() == AttributeValue::Type::kS &&
          ParseTypeName(c->operands[1].value.scalar(), &type));
}

bool Bind(std::vector<UpdateAction>* actions, Placeholders* p) {
  for (auto& a : *actions) {
    if (a.kind != UpdateAction::Kind::kRemove && !Bind(&a.value, p)) return false;
  }
  return true;
}

// Parses through the cache: a hit binds a copy, a miss parses and keeps
// the result (successes only; errors are parsed again each time).
template <typename Tree, typename ParseFn>
Result<Tree> ParseCached(std::string_view what, std::string_view text, Placeholders* p, ParseFn parse) {
  auto& cache = CacheOf<Tree>();
  std::string key = CacheKey(what, text, *p);
  auto it = cache.find(key);
  if (it != cache.end()) {
    Tree tree = it->second.tree;
    if (Bind(&tree, p)) {
      for (const auto& name : it->second.names) p->Name(name);  // marks it used
      return tree;
    }
  }
  std::set<std::string> names_before = p->used_names();
  ASSIGN_OR_RETURN(Tree tree, parse());
  if (cache.size() >= kCachedExpressions) cache.clear();
  Parsed<Tree>& kept = cache[key];
  kept.tree = tree;
  kept.names.clear();
  for (const auto& name : p->used_names()) {
    if (!names_before.count(name)) kept.names.push_back(name);
  }
  return tree;
}

}  // namespace

Result<Condition> ParseCondition(std::string_view text, std::string_view what, Placeholders* p) {
  return ParseCached<Condition>(what, text, p, [&]() -> Result<Condition> {
    Parser parser(text, what, p);
    RETURN_IF_ERROR(parser.Tokenize());
    return parser.ParseConditionTop();
  });
}

Result<std::vector<UpdateAction>> ParseUpdate(std::string_view text, Placeholders* p) {
  return ParseCached<std::vector<UpdateAction>>("UpdateExpression", text, p, [&]() -> Result<std::vector<UpdateAction>> {
    Parser parser(text, "UpdateExpression", p);
    RETURN_IF_ERROR(parser.Tokenize());
    return parser.ParseUpdateTop();
  });
}

Result<std::vector<Path>> ParseProjection(std::string_view text, Placeholders* p) {
  Parser parser(text, "ProjectionExpression", p);
  RETURN_IF_ERROR(parser.Tokenize());
  return parser.ParseProjectionTop();
}

const AttributeValue* Resolve(const Item& item, const Path& path) {
  return ResolveMutable(const_cast<Item*>(&item), path);
}

int CompareScalars(const AttributeValue& a, const AttributeValue& b) {
  if (a.type() == AttributeValue::Type::kN) {
    auto da = number::Parse(a.scalar());
    auto db = number::Parse(b.scalar());
    if (da.ok() && db.ok()) return number::Compare(*da, *db);
  }
  int c = a.scalar().compare(b.scalar());  // S: UTF-8 bytes; B: unsigned bytes
  if (c == 0) return 0;
  // std::string::compare uses char_traits<char>, which compares as unsigned char.
  return c < 0 ? -1 : 1;
}

Result<bool> Evaluate(const Condition& cond, const Item& item) {
  using K = Condition::Kind;
  switch (cond.kind) {
    case K::kAnd: {
      ASSIGN_OR_RETURN(bool a, Evaluate(cond.children[0], item));
      if (!a) return false;
      return Evaluate(cond.children[1], item);
    }
    case K::kOr: {
      ASSIGN_OR_RETURN(bool a, Evaluate(cond.children[0], item));
      if (a) return true;
      return Evaluate(cond.children[1], item);
    }
    case K::kNot: {
      ASSIGN_OR_RETURN(bool a, Evaluate(cond.children[0], item));
      return !a;
    }
    case K::kCompare:
      return Compare(cond.op, EvalOperand(cond.operands[0], item), EvalOperand(cond.operands[1], item));
    case K::kBetween: {
      auto v = EvalOperand(cond.operands[0], item);
      auto lo = EvalOperand(cond.operands[1], item);
      auto hi = EvalOperand(cond.operands[2], item);
      if (lo && hi && SameType(*lo, *hi) && IsScalarKeyType(*lo) && CompareScalars(*lo, *hi) > 0) {
        return Status::InvalidArgument("Invalid KeyConditionExpression: The BETWEEN operator requires upper bound to be greater than or equal to lower bound");
      }
      return Compare(CompareOp::kGe, v, lo) && Compare(CompareOp::kLe, v, hi);
    }
    case K::kIn: {
      auto v = EvalOperand(cond.operands[0], item);
      for (size_t i = 1; i < cond.operands.size(); ++i) {
        if (Compare(CompareOp::kEq, v, EvalOperand(cond.operands[i], item))) return true;
      }
      return false;
    }
    case K::kExists:
      return Resolve(item, cond.operands[0].path) != nullptr;
    case K::kNotExists:
      return Resolve(item, cond.operands[0].path) == nullptr;
    case K::kType: {
      const AttributeValue* v = Resolve(item, cond.operands[0].path);
      AttributeValue::Type t;
      ParseTypeName(cond.operands[1].value.scalar(), &t);
      return v != nullptr && v->type() == t;
    }
    case K::kBeginsWith: {
      auto v = EvalOperand(cond.operands[0], item);
      auto prefix = EvalOperand(cond.operands[1], item);
      if (!v || !prefix || !SameType(*v, *prefix)) return false;
      if (v->type() != AttributeValue::Type::kS && v->type() != AttributeValue::Type::kB) return false;
      return v->scalar().compare(0, prefix->scalar().size(), prefix->scalar()) == 0 &&
             v->scalar().size() >= prefix->scalar().size();
    }
    case K::kContains: {
      auto v = EvalOperand(cond.operands[0], item);
      auto x = EvalOperand(cond.operands[1], item);
      if (!v || !x) return false;
      switch (v->type()) {
        case AttributeValue::Type::kS:
        case AttributeValue::Type::kB:
          return SameType(*v, *x) && v->scalar().find(x->scalar()) != std::string::npos;
        case AttributeValue::Type::kSS:
        case AttributeValue::Type::kNS:
        case AttributeValue::Type::kBS: {
          bool matches = (v->type() == AttributeValue::Type::kSS && x->type() == AttributeValue::Type::kS) ||
                         (v->type() == AttributeValue::Type::kNS && x->type() == AttributeValue::Type::kN) ||
                         (v->type() == AttributeValue::Type::kBS && x->type() == AttributeValue::Type::kB);
          return matches && std::binary_search(v->set().begin(), v->set().end(), x->scalar());
        }
        case AttributeValue::Type::kL:
          return std::find(v->list().begin(), v->list().end(), *x) != v->list().end();
        default:
          return false;
      }
    }
  }
  return false;
}

Status ApplyUpdate(const std::vector<UpdateAction>& actions, Item* item) {
  const Item before = *item;
  // Operands see the item as it was before any action, as in DynamoDB.
  std::vector<std::optional<AttributeValue>> values(actions.size());
  for (size_t i = 0; i < actions.size(); ++i) {
    const UpdateAction& a = actions[i];
    if (a.kind == UpdateAction::Kind::kSet) {
      ASSIGN_OR_RETURN(values[i], EvalUpdateOperand(a.value, before));
    } else if (a.kind != UpdateAction::Kind::kRemove) {
      values[i] = a.value.value;
    }
  }
  // Removals of list elements go from the highest index down so that earlier
  // removals do not shift later ones.
  std::vector<size_t> order(actions.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
    const auto& a = actions[x];
    const auto& b = actions[y];
    if (a.kind != UpdateAction::Kind::kRemove || b.kind != UpdateAction::Kind::kRemove) return false;
    return a.path.back().index > b.path.back().index;
  });
  for (size_t i : order) {
    const UpdateAction& a = actions[i];
    switch (a.kind) {
      case UpdateAction::Kind::kSet:
        RETURN_IF_ERROR(SetAt(item, a.path, std::move(*values[i])));
        break;
      case UpdateAction::Kind::kRemove:
        RETURN_IF_ERROR(RemoveAt(item, a.path));
        break;
      case UpdateAction::Kind::kAdd: {
        const AttributeValue& v = *values[i];
        if (v.type() != AttributeValue::Type::kN && !v.is_set()) return OperandTypeError("ADD", v);
        const AttributeValue* cur = Resolve(before, a.path);
        if (cur == nullptr) {
          RETURN_IF_ERROR(SetAt(item, a.path, v));
        } else if (v.type() == AttributeValue::Type::kN && cur->type() == AttributeValue::Type::kN) {
          ASSIGN_OR_RETURN(number::Decimal x, number::Parse(cur->scalar()));
          ASSIGN_OR_RETURN(number::Decimal y, number::Parse(v.scalar()));
          ASSIGN_OR_RETURN(number::Decimal sum, number::Add(x, y));
          RETURN_IF_ERROR(SetAt(item, a.path, AttributeValue::N(number::Format(sum))));
        } else if (v.is_set() && cur->type() == v.type()) {
          ASSIGN_OR_RETURN(AttributeValue u, SetUnion(*cur, v, false));
          RETURN_IF_ERROR(SetAt(item, a.path, std::move(u)));
        } else {
          return OperandTypeError("ADD", *cur);
        }
        break;
      }
      case UpdateAction::Kind::kDelete: {
        const AttributeValue& v = *values[i];
        if (!v.is_set()) return OperandTypeError("DELETE", v);
        const AttributeValue* cur = Resolve(before, a.path);
        if (cur == nullptr) break;
        if (cur->type() != v.type()) return OperandTypeError("DELETE", *cur);
        ASSIGN_OR_RETURN(AttributeValue d, SetUnion(*cur, v, true));
        if (d.set().empty()) {
          RETURN_IF_ERROR(RemoveAt(item, a.path));
        } else {
          RETURN_IF_ERROR(SetAt(item, a.path, std::move(d)));
        }
        break;
      }
    }
  }
  return Status::OK();
}

Item Project(const Item& item, const std::vector<Path>& paths) {
  Item out;
  for (const Path& path : paths) {
    auto it = item.find(path[0].name);
    if (it == item.end()) continue;
    AttributeValue& dst = out[path[0].name];
    ProjectInto(it->second, path, 1, &dst);
  }
  // Paths that matched nothing below the top level leave a NULL behind; drop them.
  for (auto it = out.begin(); it != out.end();) {
    if (it->second.type() == AttributeValue::Type::kNull && item.at(it->first).type() != AttributeValue::Type::kNull) {
      it = out.erase(it);
    } else {
      ++it;
    }
  }
  return out;
}

}  // namespace table::expr
