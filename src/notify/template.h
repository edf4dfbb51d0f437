// Email templates: a small mustache-like renderer over nlohmann::json data,
// and TemplateStore, which finds `<name>.subject`, `<name>.txt` and
// `<name>.html` in a list of folders and falls back to the copies of the
// repository's templates/ compiled into the binary.
//
// Syntax (a subset of mustache):
//   {{name}} {{a.b.c}} {{.}}    value, HTML-escaped in .html templates
//   {{{name}}} {{&name}}        value, never escaped
//   {{#name}}...{{/name}}       section: once per element of a non-empty list
//                               (the element becomes the innermost context),
//                               once with an object as context, once for any
//                               other truthy value
//   {{^name}}...{{/name}}       inverted: once when the value is falsy
//   {{! comment }}
//   {{> name}}                  partial: the template `name` rendered here,
//                               with the current context
//   {{< name}}{{$b}}..{{/b}}{{/name}}
//                               layout (mustache's inheritance): renders the
//                               template `name` with its blocks {{$b}}..{{/b}}
//                               replaced by the ones given here (text between
//                               the blocks is ignored)
//   {{$name}}default{{/name}}   a block a child template may replace
// Falsy: missing, null, false, "" and []. A missing value renders as "".
// Names resolve from the innermost context outwards (first segment), then
// descend through objects. A line holding only a section, inverted, closing
// or comment tag (and spaces) is dropped entirely, as in mustache, so the
// plain-text templates can put tags on lines of their own. Partials and
// layouts resolve by name through the PartialLookup given to Render;
// TemplateStore maps `name` to the file `name` plus the including file's
// extension (by convention partial files start with `_`).
#pragma once

#include <functional>

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace notify {

using common::Result;
using common::Status;

// A parsed template; immutable, so Render may run concurrently.
class Template {
 public:
  enum class Escape { kNone, kHtml };

  // InvalidArgument naming `source_name` and the line for an unclosed tag, an
  // unclosed section or a mismatched closing tag.
  static Result<Template> Parse(std::string_view text, Escape escape, std::string_view source_name = "template");

  // Finds the template a {{> name}} or {{< name}} tag means; nullptr when
  // there is none (the tag then renders nothing).
  using PartialLookup = std::function<const Template*(std::string_view name)>;
  std::string Render(const nlohmann::json& data, const PartialLookup& partials = {}) const;
  // The names this template includes ({{> name}} and {{< name}}).
  std::vector<std::string> Includes() const;

  struct Node;  // template.cc
  const std::vector<Node>& nodes() const { return *nodes_; }

 private:
  Template() = default;
  std::shared_ptr<const std::vector<Node>> nodes_;
  Escape escape_ = Escape::kNone;
};

// "&<>\"'" as entities.
std::string HtmlEscape(std::string_view text);

// Money for templates: minor units plus an ISO 4217 code, with the
// currency's decimals (JPY 0, KWD/BHD/OMR/JOD/TND 3, others 2), thousands
// separators and a symbol where one is common: FormatMoney(123450, "EUR") ==
// "€1,234.50", FormatMoney(-500, "USD") == "-$5.00", FormatMoney(1999, "CHF")
// == "CHF 19.99".
std::string FormatMoney(int64_t minor_units, std::string_view currency);

// A time for people, in UTC: FormatEmailTime(1795636334000) ==
// "25 Nov 2026, 19:52 UTC" (for placedAt, deliveredAt).
std::string FormatEmailTime(int64_t millis);

struct RenderedEmail {
  std::string subject;  // one line, trimmed
  std::string text;
  std::string html;  // "" when the template has no .html part
};

// Thread safety: immutable after Open; Render may run concurrently.
class TemplateStore {
 public:
  // Loads every template from `dirs` (first match wins per file; folders that
  // do not exist are skipped) and the built-in ones for whatever the folders
  // do not provide; a file in a folder replaces the built-in file of the
  // same name, partials included. The server passes {"<data-dir>/templates", "<repo>/templates"}
  // or just the first. InvalidArgument when a template does not parse or
  // includes a template that does not exist, IOError
  // when a file cannot be read.
  static Result<std::unique_ptr<TemplateStore>> Open(const std::vector<std::string>& dirs);

  // Renders `<name>.subject`, `.txt` and (when present) `.html` with `data`.
  // NotFound when there is no subject or no text template of that name.
  Result<RenderedEmail> Render(std::string_view name, const nlohmann::json& data) const;

  bool Has(std::string_view name) const;
  // Every email template rendered without data, one after another: what
  // the emails resemble (the outbox's compression dictionary).
  std::string Sample() const;
  // Resolves {{> name}} / {{< name}} to `name` + `ext` (".html", ".txt", ".subject").
  Template::PartialLookup LookupFor(std::string_view ext) const;
  // Where each loaded file came from ("builtin" or a path), for the startup log.
  const std::map<std::string, std::string>& sources() const { return sources_; }

 private:
  TemplateStore() = default;
  std::map<std::string, Template, std::less<>> templates_;  // key "<name>.<ext>"
  std::map<std::string, std::string> sources_;
};

// The templates compiled into the binary: file name ("order_confirmed.txt")
// -> text. Generated from the repository's templates/ at build time.
const std::map<std::string, std::string>& BuiltinTemplates();

}  // namespace notify
