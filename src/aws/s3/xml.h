// The little XML S3 needs: a writer for responses and a forgiving reader for
// the three request bodies S3 clients send (CompleteMultipartUpload, Delete,
// CreateBucketConfiguration). The reader handles elements, text, the five
// predefined entities and numeric character references, and skips the
// prolog, comments, processing instructions and CDATA markers; it refuses
// DOCTYPE (no entity expansion) and caps depth and size.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "aws/common/xml_escape.h"
#include "common/status.h"

namespace aws::s3 {

// Builds a document: Open("A") Text("B", "x") Close("A") -> <A><B>x</B></A>.
class XmlWriter {
 public:
  // Starts with the XML declaration.
  XmlWriter();
  // `xmlns` is added as the default namespace when not empty.
  XmlWriter& Open(std::string_view name, std::string_view xmlns = {});
  XmlWriter& Close(std::string_view name);
  XmlWriter& Text(std::string_view name, std::string_view text);
  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

struct XmlElement {
  std::string name;  // local name, namespace prefix dropped
  std::string text;  // concatenated character data directly inside
  std::vector<XmlElement> children;

  // First child named `name`, or nullptr.
  const XmlElement* Child(std::string_view name) const;
};

// Parses `doc`; InvalidArgument "MalformedXML: ..." when it is not
// well-formed enough to read.
common::Result<XmlElement> ParseXml(std::string_view doc);

}  // namespace aws::s3
