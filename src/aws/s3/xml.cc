#include "aws/s3/xml.h"

#include <cstdint>

namespace aws::s3 {
namespace {

constexpr int kMaxDepth = 32;
constexpr size_t kMaxDocument = 4 << 20;

common::Status Malformed(std::string_view why) {
  return common::Status::InvalidArgument("MalformedXML: the XML you provided was not well-formed: " + std::string(why));
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    *out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    *out += static_cast<char>(0xc0 | (cp >> 6));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    *out += static_cast<char>(0xe0 | (cp >> 12));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    *out += static_cast<char>(0xf0 | (cp >> 18));
    *out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    *out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    *out += static_cast<char>(0x80 | (cp & 0x3f));
  }
}

class Parser {
 public:
  explicit Parser(std::string_view in) : in_(in) {}

  common::Result<XmlElement> Document() {
    SkipMisc();
    if (!Peek('<')) return Malformed("no root element");
    XmlElement root;
    RETURN_IF_ERROR(Element(&root, 0));
    SkipMisc();
    if (pos_ != in_.size()) return Malformed("content after the root element");
    return root;
  }

 private:
  bool Peek(char c) const { return pos_ < in_.size() && in_[pos_] == c; }
  bool StartsWith(std::string_view s) const { return in_.substr(pos_, s.size()) == s; }
  void SkipSpace() {
    while (pos_ < in_.size() && (in_[pos_] == ' ' || in_[pos_] == '\t' || in_[pos_] == '\r' || in_[pos_] == '\n')) ++pos_;
  }
  bool SkipPast(std::string_view end) {
    size_t at = in_.find(end, pos_);
    if (at == std::string_view::npos) return false;
    pos_ = at + end.size();
    return true;
  }
  // Whitespace, <?...?> and <!--...--> between elements.
  void SkipMisc() {
    for (;;) {
      SkipSpace();
      if (StartsWith("<?")) {
        if (!SkipPast("?>")) pos_ = in_.size();
      } else if (StartsWith("<!--")) {
        if (!SkipPast("-->")) pos_ = in_.size();
      } else {
        return;
      }
    }
  }
  std::string_view Name() {
    size_t start = pos_;
    while (pos_ < in_.size()) {
      char c = in_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '>' || c == '/' || c == '=' || c == '<') break;
      ++pos_;
    }
    return in_.substr(start, pos_ - start);
  }
  static std::string LocalName(std::string_view name) {
    size_t colon = name.find(':');
    return std::string(colon == std::string_view::npos ? name : name.substr(colon + 1));
  }
  common::Status Text(std::string_view raw, std::string* out) {
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] != '&') {
        *out += raw[i];
        continue;
      }
      size_t semi = raw.find(';', i);
      if (semi == std::string_view::npos || semi - i > 12) return Malformed("unterminated entity");
      std::string_view ent = raw.substr(i + 1, semi - i - 1);
      if (ent == "amp") *out += '&';
      else if (ent == "lt") *out += '<';
      else if (ent == "gt") *out += '>';
      else if (ent == "quot") *out += '"';
      else if (ent == "apos") *out += '\'';
      else if (ent.size() > 1 && ent[0] == '#') {
        uint32_t cp = 0;
        bool hex = ent[1] == 'x';
        std::string_view digits = ent.substr(hex ? 2 : 1);
        if (digits.empty()) return Malformed("empty character reference");
        for (char c : digits) {
          int v = (c >= '0' && c <= '9') ? c - '0' : (hex && c >= 'a' && c <= 'f') ? c - 'a' + 10
                                                   : (hex && c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
          if (v < 0) return Malformed("bad character reference");
          cp = cp * (hex ? 16 : 10) + static_cast<uint32_t>(v);
          if (cp > 0x10FFFF) return Malformed("character reference out of range");
        }
        AppendUtf8(cp, out);
      } else {
        return Malformed("unknown entity &" + std::string(ent) + ";");
      }
      i = semi;
    }
    return common::Status::OK();
  }
  common::Status Element(XmlElement* el, int depth) {
    if (depth > kMaxDepth) return Malformed("nested too deeply");
    ++pos_;  // '<'
    std::string_view name = Name();
    if (name.empty()) return Malformed("element without a name");
    el->name = LocalName(name);
    // Attributes are read past, not kept: S3 request bodies carry none we need.
    for (;;) {
      SkipSpace();
      if (pos_ >= in_.size()) return Malformed("unterminated start tag");
      if (StartsWith("/>")) {
        pos_ += 2;
        return common::Status::OK();
      }
      if (Peek('>')) {
        ++pos_;
        break;
      }
      if (Name().empty()) return Malformed("bad attribute");
      SkipSpace();
      if (!Peek('=')) return Malformed("attribute without a value");
      ++pos_;
      SkipSpace();
      if (!Peek('"') && !Peek('\'')) return Malformed("unquoted attribute value");
      char q = in_[pos_++];
      size_t end = in_.find(q, pos_);
      if (end == std::string_view::npos) return Malformed("unterminated attribute value");
      pos_ = end + 1;
    }
    for (;;) {
      size_t lt = in_.find('<', pos_);
      if (lt == std::string_view::npos) return Malformed("element <" + el->name + "> is not closed");
      RETURN_IF_ERROR(Text(in_.substr(pos_, lt - pos_), &el->text));
      pos_ = lt;
      if (StartsWith("</")) {
        pos_ += 2;
        std::string_view close = Name();
        SkipSpace();
        if (LocalName(close) != el->name || !Peek('>')) return Malformed("mismatched end tag for <" + el->name + ">");
        ++pos_;
        return common::Status::OK();
      }
      if (StartsWith("<!--")) {
        if (!SkipPast("-->")) return Malformed("unterminated comment");
      } else if (StartsWith("<![CDATA[")) {
        size_t start = pos_ + 9;
        if (!SkipPast("]]>")) return Malformed("unterminated CDATA");
        el->text.append(in_.substr(start, pos_ - 3 - start));
      } else if (StartsWith("<!")) {
        return Malformed("DOCTYPE and declarations are not allowed");
      } else if (StartsWith("<?")) {
        if (!SkipPast("?>")) return Malformed("unterminated processing instruction");
      } else {
        el->children.emplace_back();
        RETURN_IF_ERROR(Element(&el->children.back(), depth + 1));
      }
    }
  }

  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace

XmlWriter::XmlWriter() : out_("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n") {}

XmlWriter& XmlWriter::Open(std::string_view name, std::string_view xmlns) {
  out_ += '<';
  out_ += name;
  if (!xmlns.empty()) {
    out_ += " xmlns=\"";
    out_ += xmlns;
    out_ += '"';
  }
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Close(std::string_view name) {
  out_ += "</";
  out_ += name;
  out_ += '>';
  return *this;
}

XmlWriter& XmlWriter::Text(std::string_view name, std::string_view text) {
  Open(name);
  out_ += XmlEscape(text);
  return Close(name);
}

const XmlElement* XmlElement::Child(std::string_view n) const {
  for (const auto& c : children) {
    if (c.name == n) return &c;
  }
  return nullptr;
}

common::Result<XmlElement> ParseXml(std::string_view doc) {
  if (doc.size() > kMaxDocument) return Malformed("the document is over 4 MiB");
  return Parser(doc).Document();
}

}  // namespace aws::s3
