#include "aws/s3/s3_request.h"
#include "aws/s3/aws_chunked.h"

#include <gtest/gtest.h>

namespace aws::s3 {
namespace {

gateway::Request Make(std::string target, std::string host = "127.0.0.1:4566") {
  gateway::Request r;
  r.method = "GET";
  r.target = std::move(target);
  r.headers.Add("Host", std::move(host));
  return r;
}

TEST(S3RequestTest, PathStyleSplitsBucketAndDecodesKeyOnce) {
  auto s = ParseS3Request(Make("/bkt/a%20b/c%2Bd+e%25f?list-type=2&prefix=x%2By"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bucket, "bkt");
  EXPECT_EQ(s->key, "a b/c+d+e%f");
  EXPECT_EQ(s->Param("prefix"), "x+y");
  EXPECT_TRUE(s->Has("list-type"));
  EXPECT_FALSE(s->virtual_host);
}

TEST(S3RequestTest, VirtualHostTakesBucketFromHost) {
  auto s = ParseS3Request(Make("/dir/key.txt?uploads", "photos.localhost:4566"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->bucket, "photos");
  EXPECT_EQ(s->key, "dir/key.txt");
  EXPECT_TRUE(s->Has("uploads"));
  auto aws = ParseS3Request(Make("/k", "logs.s3.us-west-2.amazonaws.com"));
  EXPECT_EQ(aws->bucket, "logs");
}

TEST(S3RequestTest, KeysKeepSlashesAndDotSegments) {
  auto s = ParseS3Request(Make("/bkt//a/../b/"));
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->key, "/a/../b/");
  EXPECT_EQ(ParseS3Request(Make("/"))->bucket, "");
}

TEST(S3RequestTest, RangeForms) {
  auto r = ParseRange("bytes=5-9");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->first, 5u);
  EXPECT_EQ(*r->last, 9u);
  EXPECT_FALSE(ParseRange("bytes=5-")->last);
  EXPECT_EQ(*ParseRange("bytes=-3")->suffix_length, 3u);
  EXPECT_FALSE(ParseRange("bytes=9-5"));
  EXPECT_FALSE(ParseRange("bytes=1-2,4-5"));
  EXPECT_FALSE(ParseRange("items=1-2"));
  EXPECT_FALSE(ParseRange("bytes=x-1"));
}

TEST(S3RequestTest, DatesRoundTrip) {
  int64_t t = 1445412480000;  // 2015-10-21T07:28:00Z
  EXPECT_EQ(HttpDate(t), "Wed, 21 Oct 2015 07:28:00 GMT");
  EXPECT_EQ(ParseHttpDate("Wed, 21 Oct 2015 07:28:00 GMT"), t);
  EXPECT_EQ(ParseHttpDate("20151021T072800Z"), t);
  EXPECT_EQ(IsoDate(t + 5), "2015-10-21T07:28:00.005Z");
  EXPECT_FALSE(ParseHttpDate("yesterday"));
}

TEST(S3RequestTest, UrlEncodeKeepsSlashAndEscapesPlusAndSpace) {
  EXPECT_EQ(UrlEncode("a b+c/é"), "a%20b%2Bc/%C3%A9");
}

TEST(S3RequestTest, AwsChunkedBodyWithSignaturesAndTrailer) {
  std::string body =
      "5;chunk-signature=abc\r\nhello\r\n6;chunk-signature=def\r\n world\r\n0;chunk-signature=0\r\n"
      "x-amz-checksum-crc32:DUoRhQ==\r\nx-amz-trailer-signature:xyz\r\n\r\n";
  auto d = DecodeAwsChunked(body);
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->size, 11u);
  ASSERT_EQ(d->chunks.size(), 2u);
  EXPECT_EQ(std::string(d->chunks[0]) + std::string(d->chunks[1]), "hello world");
  EXPECT_EQ(d->trailers.at("x-amz-checksum-crc32"), "DUoRhQ==");
}

TEST(S3RequestTest, AwsChunkedUnsignedWithoutTrailer) {
  auto d = DecodeAwsChunked("3\r\nabc\r\n0\r\n\r\n");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->size, 3u);
}

TEST(S3RequestTest, AwsChunkedTruncatedIsIncompleteBody) {
  for (const char* bad : {"5\r\nhel", "zz\r\nab\r\n", "3\r\nabcXY0\r\n", "3"}) {
    auto d = DecodeAwsChunked(bad);
    EXPECT_FALSE(d.ok()) << bad;
  }
}

}  // namespace
}  // namespace aws::s3

TEST(AwsChunkedDecoderTest, BytesSplitAnywhereDecodeTheSame) {
  std::string body =
      "5;chunk-signature=abc\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
  for (size_t step : {1u, 2u, 3u, 7u, 100u}) {
    aws::s3::AwsChunkedDecoder decoder;
    std::string out;
    for (size_t i = 0; i < body.size(); i += step) {
      ASSERT_TRUE(decoder.Feed(std::string_view(body).substr(i, step), [&](std::string_view d) {
        out.append(d);
        return common::Status::OK();
      }).ok());
    }
    ASSERT_TRUE(decoder.Finish().ok());
    EXPECT_EQ(out, "hello world");
    EXPECT_EQ(decoder.size(), 11u);
    EXPECT_EQ(decoder.trailers().at("x-amz-checksum-crc32"), "AAAAAA==");
  }
}

TEST(AwsChunkedDecoderTest, TruncatedBodyIsIncomplete) {
  aws::s3::AwsChunkedDecoder decoder;
  auto sink = [](std::string_view) { return common::Status::OK(); };
  ASSERT_TRUE(decoder.Feed("5\r\nhel", sink).ok());
  EXPECT_TRUE(decoder.Finish().IsInvalidArgument());
  aws::s3::AwsChunkedDecoder longer;
  EXPECT_TRUE(longer.Feed("2\r\nhello\r\n", sink).IsInvalidArgument());
}
