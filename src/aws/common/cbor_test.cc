#include "aws/common/cbor.h"

#include <gtest/gtest.h>

#include <string>

#include "aws/common/cbor_reader.h"

namespace aws::cbor {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) s += static_cast<char>(c);
  return s;
}

TEST(CborTest, WriterOutputDecodesToTheSameValues) {
  Writer w;
  w.BeginObject().Field("Name", "s1").Field("Count", int64_t{-300}).Key("Data").Base64(Bytes({0, 255}));
  w.Key("At").EpochSeconds(1700000000123).Key("List").BeginArray().Int(1).Bool(true).EndArray().EndObject();
  Document doc;
  ASSERT_FALSE(doc.Parse(w.str()).has_value());
  const Value& root = doc.root();
  ASSERT_TRUE(root.is_map());
  EXPECT_EQ(root.Find("Name")->text, "s1");
  EXPECT_EQ(root.Find("Count")->type, Value::Type::kNegative);
  EXPECT_EQ(root.Find("Count")->number, 299u);
  EXPECT_EQ(root.Find("Data")->type, Value::Type::kBytes);
  EXPECT_EQ(root.Find("Data")->text, Bytes({0, 255}));
  EXPECT_EQ(root.Find("At")->tag, 1u);
  EXPECT_EQ(root.Find("At")->number, 1700000000123u);
  EXPECT_EQ(root.Find("List")->items.size(), 2u);
}

TEST(CborTest, IndefiniteStringsAreJoined) {
  Document doc;
  ASSERT_FALSE(doc.Parse(Bytes({0x7f, 0x62, 'a', 'b', 0x61, 'c', 0xff})).has_value());
  EXPECT_EQ(doc.root().text, "abc");
}

TEST(CborTest, HalfFloatsDecode) {
  Document doc;
  ASSERT_FALSE(doc.Parse(Bytes({0xf9, 0x3e, 0x00})).has_value());
  EXPECT_EQ(doc.root().real, 1.5);
}

TEST(CborTest, BadInputIsAnErrorNotACrash) {
  Document doc;
  EXPECT_TRUE(doc.Parse("").has_value());
  EXPECT_TRUE(doc.Parse(Bytes({0x5a, 0xff, 0xff, 0xff, 0xff})).has_value());  // length beyond input
  EXPECT_TRUE(doc.Parse(Bytes({0x9b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff})).has_value());
  EXPECT_TRUE(doc.Parse(Bytes({0xa1, 0x01, 0x02})).has_value());  // integer map key
  EXPECT_TRUE(doc.Parse(Bytes({0x01, 0x02})).has_value());        // trailing bytes
  EXPECT_TRUE(doc.Parse(std::string(1000, '\x81')).has_value());  // nesting
}

TEST(CborTest, ReaderTakesJavaTimestampsAndBlobs) {
  Writer w;
  w.BeginObject().Key("T").EpochSeconds(1500).Key("F").Double(1.5).Key("B").Base64("xy").Field("S", "no").EndObject();
  Document doc;
  ASSERT_FALSE(doc.Parse(w.str()).has_value());
  CborReader reader;
  CborObject root(&doc.root());
  EXPECT_EQ(reader.TimestampMillis(root, "T"), 1500);
  EXPECT_EQ(reader.TimestampMillis(root, "F"), 1500);  // float seconds
  EXPECT_EQ(reader.Blob(root, "B"), "xy");
  EXPECT_FALSE(reader.Blob(root, "S").has_value());
  ASSERT_TRUE(reader.Finish().has_value());
  EXPECT_EQ(reader.Finish()->type, "SerializationException");
}

}  // namespace
}  // namespace aws::cbor
