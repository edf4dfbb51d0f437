#include "notify/template.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <fmt/format.h>

namespace notify {

struct Template::Node {
  enum class Kind { kText, kVariable, kSection, kInverted, kPartial, kParent, kBlock };
  Kind kind = Kind::kText;
  std::string text;  // kText: the text; others: the name
  bool escape = true;  // kVariable
  // kSection, kInverted; kParent: its block overrides; kBlock: the default.
  std::vector<Node> children;
};

namespace {

using Node = Template::Node;

struct Token {
  enum class Kind { kText, kVariable, kRaw, kOpen, kInverted, kClose, kComment, kPartial, kParent, kBlock };
  Kind kind;
  std::string text;
  int line = 1;
};

bool IsBlank(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c == ' ' || c == '\t'; });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

Result<std::vector<Token>> Tokenize(std::string_view in, std::string_view source_name) {
  std::vector<Token> tokens;
  std::string pending;  // text since the previous tag
  bool tag_seen_on_line = false;
  int line = 1;
  size_t pos = 0;
  auto flush = [&](int at_line) {
    if (!pending.empty()) tokens.push_back({Token::Kind::kText, std::move(pending), at_line});
    pending.clear();
  };
  while (pos < in.size()) {
    size_t open = in.find("{{", pos);
    if (open == std::string_view::npos) {
      pending.append(in.substr(pos));
      break;
    }
    std::string_view before = in.substr(pos, open - pos);
    pending.append(before);
    int newlines = static_cast<int>(std::count(before.begin(), before.end(), '\n'));
    if (newlines > 0) tag_seen_on_line = false;
    line += newlines;

    bool triple = in.substr(open, 3) == "{{{";
    std::string_view closer = triple ? "}}}" : "}}";
    size_t body_start = open + (triple ? 3 : 2);
    size_t close = in.find(closer, body_start);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument(fmt::format("{}:{}: unclosed tag", source_name, line));
    }
    std::string_view body = in.substr(body_start, close - body_start);
    size_t tag_end = close + closer.size();

    Token token{Token::Kind::kVariable, "", line};
    if (triple) {
      token.kind = Token::Kind::kRaw;
    } else if (!body.empty()) {
      switch (body.front()) {
        case '#': token.kind = Token::Kind::kOpen; break;
        case '^': token.kind = Token::Kind::kInverted; break;
        case '/': token.kind = Token::Kind::kClose; break;
        case '!': token.kind = Token::Kind::kComment; break;
        case '&': token.kind = Token::Kind::kRaw; break;
        case '>': token.kind = Token::Kind::kPartial; break;
        case '<': token.kind = Token::Kind::kParent; break;
        case '$': token.kind = Token::Kind::kBlock; break;
        default: break;
      }
      if (token.kind != Token::Kind::kVariable) body.remove_prefix(1);
    }
    token.text = std::string(Trim(body));
    if (token.kind != Token::Kind::kComment && token.text.empty()) {
      return Status::InvalidArgument(fmt::format("{}:{}: empty tag", source_name, line));
    }
    line += static_cast<int>(std::count(body.begin(), body.end(), '\n'));

    // A standalone section/close/comment tag takes its whole line with it.
    bool standalone_kind = token.kind != Token::Kind::kText && token.kind != Token::Kind::kVariable &&
                           token.kind != Token::Kind::kRaw;
    if (standalone_kind && !tag_seen_on_line) {
      size_t line_start = pending.rfind('\n');
      line_start = line_start == std::string::npos ? 0 : line_start + 1;
      bool starts_line = IsBlank(std::string_view(pending).substr(line_start));
      size_t after = tag_end;
      while (after < in.size() && (in[after] == ' ' || in[after] == '\t')) ++after;
      bool ends_line = after == in.size() || in[after] == '\n' || in.substr(after, 2) == "\r\n";
      if (starts_line && ends_line) {
        pending.resize(line_start);
        if (after < in.size()) {
          after += in[after] == '\n' ? 1 : 2;
          ++line;
        }
        tag_end = after;
        flush(token.line);
        tokens.push_back(std::move(token));
        pos = tag_end;
        tag_seen_on_line = false;
        continue;
      }
    }
    flush(token.line);
    tokens.push_back(std::move(token));
    tag_seen_on_line = true;
    pos = tag_end;
  }
  flush(line);
  return tokens;
}

Result<std::vector<Node>> BuildTree(const std::vector<Token>& tokens, std::string_view source_name) {
  std::vector<Node> root;
  std::vector<std::vector<Node>*> stack = {&root};
  std::vector<const Token*> open_tokens;
  for (const Token& token : tokens) {
    std::vector<Node>& out = *stack.back();
    switch (token.kind) {
      case Token::Kind::kText:
        out.push_back({Node::Kind::kText, token.text, false, {}});
        break;
      case Token::Kind::kVariable:
      case Token::Kind::kRaw:
        out.push_back({Node::Kind::kVariable, token.text, token.kind == Token::Kind::kVariable, {}});
        break;
      case Token::Kind::kPartial:
        out.push_back({Node::Kind::kPartial, token.text, false, {}});
        break;
      case Token::Kind::kOpen:
      case Token::Kind::kInverted:
      case Token::Kind::kParent:
      case Token::Kind::kBlock:
        out.push_back({token.kind == Token::Kind::kOpen       ? Node::Kind::kSection
                       : token.kind == Token::Kind::kInverted ? Node::Kind::kInverted
                       : token.kind == Token::Kind::kParent   ? Node::Kind::kParent
                                                              : Node::Kind::kBlock,
                       token.text, false, {}});
        stack.push_back(&out.back().children);
        open_tokens.push_back(&token);
        break;
      case Token::Kind::kClose:
        if (open_tokens.empty()) {
          return Status::InvalidArgument(
              fmt::format("{}:{}: {{{{/{}}}}} closes no section", source_name, token.line, token.text));
        }
        if (open_tokens.back()->text != token.text) {
          return Status::InvalidArgument(fmt::format("{}:{}: {{{{/{}}}}} closes {{{{#{}}}}} opened on line {}",
                                                     source_name, token.line, token.text,
                                                     open_tokens.back()->text, open_tokens.back()->line));
        }
        open_tokens.pop_back();
        stack.pop_back();
        break;
      case Token::Kind::kComment:
        break;
    }
  }
  if (!open_tokens.empty()) {
    return Status::InvalidArgument(fmt::format("{}:{}: section {{{{#{}}}}} is never closed", source_name,
                                               open_tokens.back()->line, open_tokens.back()->text));
  }
  return root;
}

using Context = std::vector<const nlohmann::json*>;

const nlohmann::json* Lookup(const Context& context, std::string_view name) {
  if (name == ".") return context.back();
  std::string_view first = name.substr(0, name.find('.'));
  const nlohmann::json* value = nullptr;
  for (auto it = context.rbegin(); it != context.rend(); ++it) {
    if ((*it)->is_object()) {
      auto found = (*it)->find(first);
      if (found != (*it)->end()) {
        value = &*found;
        break;
      }
    }
  }
  size_t pos = first.size();
  while (value != nullptr && pos < name.size()) {
    std::string_view rest = name.substr(pos + 1);
    std::string_view segment = rest.substr(0, rest.find('.'));
    if (!value->is_object()) return nullptr;
    auto found = value->find(segment);
    value = found == value->end() ? nullptr : &*found;
    pos += 1 + segment.size();
  }
  return value;
}

bool Truthy(const nlohmann::json* value) {
  if (value == nullptr || value->is_null()) return false;
  if (value->is_boolean()) return value->get<bool>();
  if (value->is_string()) return !value->get_ref<const std::string&>().empty();
  if (value->is_array()) return !value->empty();
  return true;
}

std::string ToText(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: return value.get<std::string>();
    case nlohmann::json::value_t::null: return "";
    case nlohmann::json::value_t::boolean: return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::number_integer: return std::to_string(value.get<int64_t>());
    case nlohmann::json::value_t::number_unsigned: return std::to_string(value.get<uint64_t>());
    case nlohmann::json::value_t::number_float: return fmt::format("{}", value.get<double>());
    default: return value.dump();
  }
}

// What a render needs besides the data: where partials and parents come
// from, the block overrides in force (the outermost template's win, as in
// mustache's inheritance), and a depth guard against templates that include
// each other.
struct RenderScope {
  const Template::PartialLookup* partials = nullptr;
  std::map<std::string, const std::vector<Node>*, std::less<>> blocks;
  int depth = 0;
};
constexpr int kMaxIncludeDepth = 16;

void RenderNodes(const std::vector<Node>& nodes, Context& context, bool html, std::string* out,
                 const RenderScope& scope);

void RenderNodes(const std::vector<Node>& nodes, Context& context, bool html, std::string* out,
                 const RenderScope& scope) {
  for (const Node& node : nodes) {
    switch (node.kind) {
      case Node::Kind::kText:
        out->append(node.text);
        break;
      case Node::Kind::kVariable: {
        const nlohmann::json* value = Lookup(context, node.text);
        if (value == nullptr) break;
        std::string text = ToText(*value);
        out->append(html && node.escape ? HtmlEscape(text) : text);
        break;
      }
      case Node::Kind::kSection: {
        const nlohmann::json* value = Lookup(context, node.text);
        if (!Truthy(value)) break;
        if (value->is_array()) {
          for (const nlohmann::json& element : *value) {
            context.push_back(&element);
            RenderNodes(node.children, context, html, out, scope);
            context.pop_back();
          }
        } else {
          context.push_back(value);
          RenderNodes(node.children, context, html, out, scope);
          context.pop_back();
        }
        break;
      }
      case Node::Kind::kInverted:
        if (!Truthy(Lookup(context, node.text))) RenderNodes(node.children, context, html, out, scope);
        break;
      case Node::Kind::kBlock: {
        auto overridden = scope.blocks.find(node.text);
        RenderNodes(overridden != scope.blocks.end() ? *overridden->second : node.children, context, html, out,
                    scope);
        break;
      }
      case Node::Kind::kPartial:
      case Node::Kind::kParent: {
        const Template* included =
            scope.partials != nullptr && *scope.partials ? (*scope.partials)(node.text) : nullptr;
        if (included == nullptr || scope.depth >= kMaxIncludeDepth) break;  // checked at load (TemplateStore)
        RenderScope inner = scope;
        ++inner.depth;
        if (node.kind == Node::Kind::kParent) {
          for (const Node& child : node.children) {
            if (child.kind == Node::Kind::kBlock) inner.blocks.emplace(child.text, &child.children);  // outer wins
          }
        }
        RenderNodes(included->nodes(), context, html, out, inner);
        break;
      }
    }
  }
}

Result<std::string> ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("cannot open template {}", path.string()));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("cannot read template {}", path.string()));
  return buffer.str();
}

bool IsTemplateFile(const std::string& file_name) {
  for (std::string_view ext : {".subject", ".txt", ".html"}) {
    if (file_name.size() > ext.size() && file_name.compare(file_name.size() - ext.size(), ext.size(), ext) == 0) {
      return true;
    }
  }
  return false;
}

}  // namespace

Result<Template> Template::Parse(std::string_view text, Escape escape, std::string_view source_name) {
  ASSIGN_OR_RETURN(std::vector<Token> tokens, Tokenize(text, source_name));
  ASSIGN_OR_RETURN(std::vector<Node> nodes, BuildTree(tokens, source_name));
  Template t;
  t.nodes_ = std::make_shared<const std::vector<Node>>(std::move(nodes));
  t.escape_ = escape;
  return t;
}

std::string Template::Render(const nlohmann::json& data, const PartialLookup& partials) const {
  std::string out;
  Context context = {&data};
  RenderScope scope;
  scope.partials = &partials;
  RenderNodes(*nodes_, context, escape_ == Escape::kHtml, &out, scope);
  return out;
}

namespace {
void CollectIncludes(const std::vector<Node>& nodes, std::vector<std::string>* names) {
  for (const Node& node : nodes) {
    if (node.kind == Node::Kind::kPartial || node.kind == Node::Kind::kParent) names->push_back(node.text);
    CollectIncludes(node.children, names);
  }
}
}  // namespace

std::vector<std::string> Template::Includes() const {
  std::vector<std::string> names;
  CollectIncludes(*nodes_, &names);
  return names;
}

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string FormatMoney(int64_t minor_units, std::string_view currency) {
  int decimals = 2;
  if (currency == "JPY" || currency == "KRW" || currency == "ISK" || currency == "CLP" || currency == "VND") {
    decimals = 0;
  } else if (currency == "KWD" || currency == "BHD" || currency == "OMR" || currency == "JOD" ||
             currency == "TND") {
    decimals = 3;
  }
  std::string symbol;
  if (currency == "EUR") symbol = "€";
  else if (currency == "USD") symbol = "$";
  else if (currency == "GBP") symbol = "£";
  else if (currency == "JPY") symbol = "¥";
  else if (currency == "INR") symbol = "₹";
  else symbol = std::string(currency) + " ";

  bool negative = minor_units < 0;
  // Unsigned arithmetic so INT64_MIN has a magnitude.
  uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(minor_units) : static_cast<uint64_t>(minor_units);
  uint64_t scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  std::string whole = std::to_string(magnitude / scale);
  std::string grouped;
  for (size_t i = 0; i < whole.size(); ++i) {
    if (i > 0 && (whole.size() - i) % 3 == 0) grouped += ',';
    grouped += whole[i];
  }
  std::string out = (negative ? "-" : "") + symbol + grouped;
  if (decimals > 0) out += fmt::format(".{:0{}d}", magnitude % scale, decimals);
  return out;
}

std::string FormatEmailTime(int64_t millis) {
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::time_t seconds = static_cast<std::time_t>(millis / 1000);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  return fmt::format("{} {} {}, {:02d}:{:02d} UTC", tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour,
                     tm.tm_min);
}

Result<std::unique_ptr<TemplateStore>> TemplateStore::Open(const std::vector<std::string>& dirs) {
  std::unique_ptr<TemplateStore> store(new TemplateStore());
  auto add = [&](const std::string& file_name, std::string_view text, const std::string& source) -> Status {
    if (store->templates_.count(file_name) > 0) return Status::OK();
    bool html = file_name.size() > 5 && file_name.compare(file_name.size() - 5, 5, ".html") == 0;
    ASSIGN_OR_RETURN(Template t, Template::Parse(text, html ? Template::Escape::kHtml : Template::Escape::kNone,
                                                 source));
    store->templates_.emplace(file_name, std::move(t));
    store->sources_[file_name] = source;
    return Status::OK();
  };
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (dir.empty() || !std::filesystem::is_directory(dir, ec)) continue;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
      if (entry.is_regular_file(ec) && IsTemplateFile(entry.path().filename().string())) files.push_back(entry.path());
    }
    if (ec) return Status::IOError(fmt::format("listing templates in {}: {}", dir, ec.message()));
    std::sort(files.begin(), files.end());
    for (const auto& path : files) {
      std::string file_name = path.filename().string();
      if (store->templates_.count(file_name) > 0) continue;
      ASSIGN_OR_RETURN(std::string text, ReadFile(path));
      RETURN_IF_ERROR(add(file_name, text, path.string()));
    }
  }
  for (const auto& [file_name, text] : BuiltinTemplates()) {
    RETURN_IF_ERROR(add(file_name, text, "builtin"));
  }
  // Partials and layouts ({{> name}}, {{< name}}) come from the same kind of
  // file: `_layout` in order_confirmed.html is _layout.html.
  for (const auto& [file_name, t] : store->templates_) {
    std::string ext = file_name.substr(file_name.rfind('.'));
    for (const std::string& name : t.Includes()) {
      if (store->templates_.count(name + ext) == 0) {
        return Status::InvalidArgument(fmt::format("{}: includes '{}' but there is no template {}{}",
                                                   store->sources_[file_name], name, name, ext));
      }
    }
  }
  return store;
}

Template::PartialLookup TemplateStore::LookupFor(std::string_view ext) const {
  return [this, ext = std::string(ext)](std::string_view name) -> const Template* {
    auto it = templates_.find(std::string(name) + ext);
    return it == templates_.end() ? nullptr : &it->second;
  };
}

bool TemplateStore::Has(std::string_view name) const {
  return templates_.find(std::string(name) + ".subject") != templates_.end() &&
         templates_.find(std::string(name) + ".txt") != templates_.end();
}

std::string TemplateStore::Sample() const {
  std::string sample;
  constexpr std::string_view kSubject = ".subject";
  for (const auto& [file, parsed] : templates_) {
    if (file.size() <= kSubject.size() || !file.ends_with(kSubject)) continue;
    auto rendered = Render(file.substr(0, file.size() - kSubject.size()), nlohmann::json::object());
    if (rendered.ok()) sample += rendered->text + rendered->html;
  }
  return sample;
}

Result<RenderedEmail> TemplateStore::Render(std::string_view name, const nlohmann::json& data) const {
  auto subject = templates_.find(std::string(name) + ".subject");
  auto text = templates_.find(std::string(name) + ".txt");
  if (subject == templates_.end() || text == templates_.end()) {
    return Status::NotFound(fmt::format("no email template '{}' (needs {}.subject and {}.txt)", name, name, name));
  }
  RenderedEmail email;
  std::string raw_subject = subject->second.Render(data, LookupFor(".subject"));
  std::replace_if(raw_subject.begin(), raw_subject.end(), [](char c) { return c == '\r' || c == '\n'; }, ' ');
  email.subject = std::string(Trim(raw_subject));
  email.text = text->second.Render(data, LookupFor(".txt"));
  if (auto html = templates_.find(std::string(name) + ".html"); html != templates_.end()) {
    email.html = html->second.Render(data, LookupFor(".html"));
  }
  return email;
}

}  // namespace notify
