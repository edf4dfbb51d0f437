#include "aws/common/json_reader.h"

#include <gtest/gtest.h>

#include "aws/common/json_writer.h"

namespace aws {
namespace {

class JsonReaderTest : public ::testing::Test {
 protected:
  simdjson::dom::object Parse(std::string_view body) {
    simdjson::dom::object object;
    auto error = ParseJsonObject(parser_, body, &object);
    EXPECT_FALSE(error.has_value()) << error->message;
    return object;
  }
  std::optional<AwsError> ParseError(std::string_view body) {
    simdjson::dom::object object;
    return ParseJsonObject(parser_, body, &object);
  }

  simdjson::dom::parser parser_;
  JsonReader reader_;
};

TEST_F(JsonReaderTest, MalformedJsonIsSerializationException) {
  auto error = ParseError("{\"StreamName\": ");
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, "SerializationException");
  EXPECT_TRUE(ParseError("[1,2]").has_value());
}

TEST_F(JsonReaderTest, NumberWhereStringExpectedUsesAwsWording) {
  auto object = Parse(R"({"StreamName": 5})");
  EXPECT_FALSE(reader_.String(object, "StreamName").has_value());
  auto error = reader_.Finish();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, "SerializationException");
  EXPECT_EQ(error->message,
            "class com.amazon.coral.value.json.numbers.TruncatingBigNumber can not be converted to an String");
}

TEST_F(JsonReaderTest, StringWhereIntegerExpected) {
  auto object = Parse(R"({"ShardCount": "2"})");
  EXPECT_FALSE(reader_.Integer(object, "ShardCount").has_value());
  EXPECT_EQ(reader_.Finish()->message, "class java.lang.String can not be converted to an Integer");
}

TEST_F(JsonReaderTest, IntegersAreFlooredAndSaturated) {
  auto object = Parse(R"({"a": 2.9, "b": 1e20, "c": -3})");
  EXPECT_EQ(reader_.Integer(object, "a"), 2);
  EXPECT_EQ(reader_.Integer(object, "b"), 2147483647);
  EXPECT_EQ(reader_.Integer(object, "c"), -3);
  EXPECT_FALSE(reader_.Finish().has_value());
}

TEST_F(JsonReaderTest, NullMembersAreAbsent) {
  auto object = Parse(R"({"StreamName": null})");
  EXPECT_FALSE(reader_.String(object, "StreamName").has_value());
  EXPECT_FALSE(reader_.failed());
}

TEST_F(JsonReaderTest, BadBase64NamesTheValue) {
  auto object = Parse(R"({"Data": "abc"})");
  EXPECT_FALSE(reader_.Blob(object, "Data").has_value());
  EXPECT_EQ(reader_.Finish()->message,
            "'abc' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but "
            "found: 3");
}

TEST_F(JsonReaderTest, TimestampsAreEpochSecondsWithFraction) {
  auto object = Parse(R"({"Timestamp": 1700000000.25})");
  EXPECT_EQ(reader_.TimestampMillis(object, "Timestamp"), 1700000000250);
}

TEST_F(JsonReaderTest, CollectsValidationErrorsInOneMessage) {
  reader_.CheckNotNull("streamName", false);
  reader_.CheckRange("shardCount", 0, 1, 100000);
  auto error = reader_.Finish();
  ASSERT_TRUE(error.has_value());
  EXPECT_EQ(error->type, "ValidationException");
  EXPECT_EQ(error->message,
            "2 validation errors detected: Value null at 'streamName' failed to satisfy constraint: Member must "
            "not be null; Value '0' at 'shardCount' failed to satisfy constraint: Member must have value greater "
            "than or equal to 1");
}

TEST_F(JsonReaderTest, PatternsMatchAwsRegexes) {
  reader_.CheckNamePattern("streamName", "ok_name-1.x");
  reader_.CheckDecimalPattern("explicitHashKey", "0", 38);
  reader_.CheckDecimalPattern("explicitHashKey", "340282366920938463463374607431768211455", 38);
  EXPECT_FALSE(reader_.Finish().has_value());
  reader_.CheckNamePattern("streamName", "bad/name");
  reader_.CheckDecimalPattern("explicitHashKey", "012", 38);
  EXPECT_EQ(reader_.Finish()->message.substr(0, 30), "2 validation errors detected: ");
}

TEST(JsonWriterTest, EscapesAndFormatsTimestamps) {
  JsonWriter json;
  json.BeginObject().Field("a", "q\"\n\x01").Key("t").EpochSeconds(1700000000007).Key("l").BeginArray();
  json.Int(1).Int(2).EndArray().Field("b", true).EndObject();
  EXPECT_EQ(json.str(), R"({"a":"q\"\n\u0001","t":1700000000.007,"l":[1,2],"b":true})");
}

}  // namespace
}  // namespace aws
