#include "common/json_escape.h"

namespace common {
namespace {

constexpr char kHex[] = "0123456789abcdef";
constexpr std::string_view kReplacementCharacter = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

struct Utf8Sequence {
  size_t length;  // bytes to consume
  bool valid;
};

// The sequence that starts `s` (REQUIRES: s[0] >= 0x80). A valid one is
// consumed whole; an ill-formed one as its longest prefix that could still
// have started a valid sequence (at least one byte), so the byte that broke
// it is read again as the start of the next one ("maximal subparts", Unicode
// 15 section 3.9, which is also what nlohmann's replace handler does).
Utf8Sequence NextSequence(std::string_view s) {
  const auto lead = static_cast<unsigned char>(s[0]);
  size_t continuations;
  // The second byte's range is narrower than 80..BF after some leads: that
  // excludes overlong forms (E0, F0), surrogates (ED) and code points above
  // U+10FFFF (F4). Table 3-7 of the Unicode standard.
  unsigned char low = 0x80, high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    continuations = 1;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    continuations = 2;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    continuations = 3;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return {1, false};  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  for (size_t i = 1; i <= continuations; ++i) {
    if (i >= s.size()) return {i, false};
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < low || c > high) return {i, false};
    low = 0x80;
    high = 0xBF;
  }
  return {continuations + 1, true};
}

}  // namespace

void AppendJsonEscaped(std::string* out, std::string_view s) {
  // Bytes that need no change are copied in runs: [run, i).
  size_t run = 0;
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      Utf8Sequence seq = NextSequence(s.substr(i));
      if (seq.valid) {
        i += seq.length;
        continue;
      }
      out->append(s.data() + run, i - run);
      out->append(kReplacementCharacter);
      i += seq.length;
      run = i;
      continue;
    }
    out->append(s.data() + run, i - run);
    switch (c) {
      case '"': out->append("\\\""); break;
      case '\\': out->append("\\\\"); break;
      case '\b': out->append("\\b"); break;
      case '\f': out->append("\\f"); break;
      case '\n': out->append("\\n"); break;
      case '\r': out->append("\\r"); break;
      case '\t': out->append("\\t"); break;
      default: {
        const char escaped[] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
        out->append(escaped, sizeof escaped);
      }
    }
    ++i;
    run = i;
  }
  if (run < s.size()) out->append(s.data() + run, s.size() - run);
}

void AppendJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  AppendJsonEscaped(out, s);
  out->push_back('"');
}

}  // namespace common
