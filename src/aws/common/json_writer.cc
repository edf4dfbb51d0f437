#include "aws/common/json_writer.h"

namespace aws {

void JsonWriter::AppendQuoted(std::string_view s) {
  out_ += '"';
  size_t run = 0;  // start of the current run of bytes needing no escape
  for (size_t i = 0; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_ += "\\\""; break;
      case '\\': out_ += "\\\\"; break;
      case '\n': out_ += "\\n"; break;
      case '\r': out_ += "\\r"; break;
      case '\t': out_ += "\\t"; break;
      case '\b': out_ += "\\b"; break;
      case '\f': out_ += "\\f"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        out_ += "\\u00";
        out_ += kHex[c >> 4];
        out_ += kHex[c & 15];
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
}

JsonWriter& JsonWriter::EpochSeconds(int64_t millis) {
  Separate();
  if (millis < 0) {
    out_ += '-';
    millis = -millis;
  }
  out_ += std::to_string(millis / 1000);
  int64_t frac = millis % 1000;
  out_ += '.';
  out_ += static_cast<char>('0' + frac / 100);
  out_ += static_cast<char>('0' + frac / 10 % 10);
  out_ += static_cast<char>('0' + frac % 10);
  return *this;
}

}  // namespace aws
