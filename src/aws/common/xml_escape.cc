#include "aws/common/xml_escape.h"

namespace aws {

std::string XmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      case '\r': out += "&#13;"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n') {
          static constexpr char kHex[] = "0123456789ABCDEF";
          out += "&#x";
          out += kHex[(c >> 4) & 0xf];
          out += kHex[c & 0xf];
          out += ';';
        } else {
          out += c;
        }
    }
  }
  return out;
}

}  // namespace aws
