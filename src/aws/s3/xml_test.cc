#include "aws/s3/xml.h"

#include <gtest/gtest.h>

namespace aws::s3 {
namespace {

TEST(XmlTest, ParsesCompleteMultipartUploadWithNamespaceAndEntities) {
  auto doc = ParseXml(
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
      "<Part><ETag>&quot;abc&quot;</ETag><PartNumber>1</PartNumber></Part>"
      "<!-- note --><Part><ETag>\"def\"</ETag><PartNumber>2</PartNumber></Part>"
      "</CompleteMultipartUpload>");
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  EXPECT_EQ(doc->name, "CompleteMultipartUpload");
  ASSERT_EQ(doc->children.size(), 2u);
  EXPECT_EQ(doc->children[0].Child("ETag")->text, "\"abc\"");
  EXPECT_EQ(doc->children[1].Child("PartNumber")->text, "2");
}

TEST(XmlTest, DecodesCharacterReferencesAndCdata) {
  auto doc = ParseXml("<a>x&#233;&#x1F600;<![CDATA[<raw>&]]></a>");
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->text, "x\xc3\xa9\xf0\x9f\x98\x80<raw>&");
}

TEST(XmlTest, RejectsMalformedDocumentsAndDoctype) {
  for (const char* bad : {"", "<a>", "<a></b>", "<a>&bogus;</a>", "<a x=1/>", "text", "<a/><b/>",
                          "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "<a>&#xFFFFFFFF;</a>"}) {
    auto doc = ParseXml(bad);
    EXPECT_FALSE(doc.ok()) << bad;
    if (!doc.ok()) {
      EXPECT_TRUE(doc.status().message().starts_with("MalformedXML:")) << bad;
    }
  }
}

TEST(XmlTest, DeepNestingIsRefusedNotRecursedForever) {
  std::string deep;
  for (int i = 0; i < 1000; ++i) deep += "<a>";
  EXPECT_FALSE(ParseXml(deep).ok());
}

TEST(XmlTest, WriterEscapesText) {
  XmlWriter w;
  w.Open("R", "ns").Text("K", "a<b>&\"c'").Close("R");
  EXPECT_EQ(w.str(), "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"ns\"><K>a&lt;b&gt;&amp;&quot;c&apos;</K></R>");
}

}  // namespace
}  // namespace aws::s3
