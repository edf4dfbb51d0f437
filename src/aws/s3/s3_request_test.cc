#include "aws/s3/s3_request.h"
#include "aws/s3/aws_chunked.h"

#include <gtest/gtest.h>

#include <map>

#include "iam/sigv4.h"

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

// The S3 API reference's chunked upload example, checked by the decoder.
class DocumentedChain : public gateway::ChunkVerifier {
 public:
  bool Verify(std::string_view sha, std::string_view signature) override { return chain_.Verify(sha, signature); }

 private:
  iam::ChunkSignatureChain chain_{
      iam::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"};
};

std::string DocumentedBody() {
  return "10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n";
}

common::Status DecodeSigned(const std::string& body, size_t step, std::string* out) {
  DocumentedChain chain;
  aws::s3::AwsChunkedDecoder decoder(&chain);
  for (size_t i = 0; i < body.size(); i += step) {
    RETURN_IF_ERROR(decoder.Feed(std::string_view(body).substr(i, step), [&](std::string_view d) {
      out->append(d);
      return common::Status::OK();
    }));
  }
  return decoder.Finish();
}

TEST(AwsChunkedDecoderTest, ChunkSignaturesOfTheDocumentedExampleVerify) {
  for (size_t step : {1u, 1000u, 70000u}) {
    std::string out;
    ASSERT_TRUE(DecodeSigned(DocumentedBody(), step, &out).ok()) << step;
    EXPECT_EQ(out, std::string(66560, 'a'));
  }
}

TEST(AwsChunkedDecoderTest, ChangedDataOrMissingSignatureIsRefused) {
  std::string changed = DocumentedBody();
  changed[changed.find("\r\n") + 2 + 500] = 'b';
  std::string out;
  common::Status s = DecodeSigned(changed, 4096, &out);
  EXPECT_EQ(s.code(), common::Status::Code::kPermissionDenied);
  EXPECT_NE(s.message().find("SignatureDoesNotMatch"), std::string::npos) << s.ToString();

  std::string unsigned_chunk = "5\r\nhello\r\n0\r\n\r\n";
  EXPECT_EQ(DecodeSigned(unsigned_chunk, 100, &out).code(), common::Status::Code::kPermissionDenied);

  // The final 0-size chunk is signed too: a wrong signature there is refused.
  std::string last = DocumentedBody();
  last[last.rfind("chunk-signature=") + 16] = '0';
  EXPECT_EQ(DecodeSigned(last, 4096, &out).code(), common::Status::Code::kPermissionDenied);
}

// The S3 API reference's trailing-header example (see SigV4Test.
// S3TrailerSignatureExample for where its signatures come from), as the
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER verifier the gate installs.
class DocumentedTrailerChain : public gateway::ChunkVerifier {
 public:
  bool Verify(std::string_view sha, std::string_view signature) override { return chain_.Verify(sha, signature); }
  bool SignsTrailer() const override { return true; }
  bool VerifyTrailer(std::string_view sha, std::string_view signature) override {
    return chain_.VerifyTrailer(sha, signature);
  }

 private:
  iam::ChunkSignatureChain chain_{
      iam::DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"};
};

std::string TrailerChunks() {
  return "10000;chunk-signature=b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2\r\n" +
         std::string(65536, 'a') +
         "\r\n400;chunk-signature=1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7\r\n" +
         std::string(1024, 'a') +
         "\r\n0;chunk-signature=2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992\r\n";
}

constexpr std::string_view kTrailerSignature =
    "x-amz-trailer-signature:d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435\r\n";

common::Status DecodeSignedTrailer(const std::string& body, size_t step, std::string* out,
                                   std::map<std::string, std::string>* trailers = nullptr) {
  DocumentedTrailerChain chain;
  aws::s3::AwsChunkedDecoder decoder(&chain);
  for (size_t i = 0; i < body.size(); i += step) {
    RETURN_IF_ERROR(decoder.Feed(std::string_view(body).substr(i, step), [&](std::string_view d) {
      out->append(d);
      return common::Status::OK();
    }));
  }
  RETURN_IF_ERROR(decoder.Finish());
  if (trailers != nullptr) *trailers = decoder.trailers();
  return common::Status::OK();
}

TEST(AwsChunkedDecoderTest, SignedTrailerOfTheDocumentedExampleVerifies) {
  std::string body = TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\n" + std::string(kTrailerSignature) + "\r\n";
  for (size_t step : {1u, 1000u, 70000u}) {
    std::string out;
    std::map<std::string, std::string> trailers;
    ASSERT_TRUE(DecodeSignedTrailer(body, step, &out, &trailers).ok()) << step;
    EXPECT_EQ(out, std::string(66560, 'a'));
    // The signature is checked, not handed on as a trailer.
    EXPECT_EQ(trailers, (std::map<std::string, std::string>{{"x-amz-checksum-crc32c", "sOO8/Q=="}}));
  }
  // Without the final empty line, and with an empty line before the
  // trailers (both seen from signers), it verifies too.
  std::string out;
  EXPECT_TRUE(DecodeSignedTrailer(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\n" + std::string(kTrailerSignature),
                                  4096, &out).ok());
  EXPECT_TRUE(DecodeSignedTrailer(TrailerChunks() + "\r\nx-amz-checksum-crc32c:sOO8/Q==\r\n" +
                                      std::string(kTrailerSignature) + "\r\n",
                                  4096, &out).ok());
}

TEST(AwsChunkedDecoderTest, ChangedMissingOrUnsignedTrailerIsRefused) {
  auto refused = [](const std::string& body) {
    std::string out;
    common::Status s = DecodeSignedTrailer(body, 4096, &out);
    EXPECT_EQ(s.code(), common::Status::Code::kPermissionDenied) << s.ToString();
    EXPECT_NE(s.message().find("SignatureDoesNotMatch"), std::string::npos) << s.ToString();
  };
  const std::string sig(kTrailerSignature);
  refused(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/A==\r\n" + sig + "\r\n");   // changed value
  refused(TrailerChunks() + "x-amz-checksum-crc32:sOO8/Q==\r\n" + sig + "\r\n");    // changed name
  refused(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-meta-a:b\r\n" + sig + "\r\n");  // added
  refused(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\n\r\n");              // no signature
  refused(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\n");                    // no signature, no end
  refused(TrailerChunks() + "\r\n");                                                  // nothing at all
  refused(TrailerChunks() + "x-amz-checksum-crc32c:sOO8/Q==\r\nx-amz-trailer-signature:" +
          std::string(64, '0') + "\r\n\r\n");                                        // wrong signature
}

TEST(AwsChunkedDecoderTest, TruncatedBodyIsIncomplete) {
  aws::s3::AwsChunkedDecoder decoder;
  auto sink = [](std::string_view) { return common::Status::OK(); };
  ASSERT_TRUE(decoder.Feed("5\r\nhel", sink).ok());
  EXPECT_TRUE(decoder.Finish().IsInvalidArgument());
  aws::s3::AwsChunkedDecoder longer;
  EXPECT_TRUE(longer.Feed("2\r\nhello\r\n", sink).IsInvalidArgument());
}
