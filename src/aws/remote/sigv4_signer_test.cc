#include "aws/remote/sigv4_signer.h"

#include <gtest/gtest.h>

#include "iam/sigv4.h"

namespace aws::remote {
namespace {

// AWS's "aws-sig-v4-test-suite", case get-vanilla, through the remote
// clients' request shape.
TEST(SigV4SignerTest, GetVanillaMatchesTheTestSuite) {
  SignableRequest request{"GET", "/", {}, {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
                          iam::HexSha256("")};
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(credentials, {"20150830T123600Z", "us-east-1", "service"}, request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The S3 documentation's "GET Object" example (sig-v4-header-based-auth).
TEST(SigV4SignerTest, S3GetObjectExampleMatchesTheDocumentation) {
  std::string empty = iam::HexSha256("");
  SignableRequest request{"GET",
                          "/test.txt",
                          {},
                          {{"Host", "examplebucket.s3.amazonaws.com"},
                           {"Range", "bytes=0-9"},
                           {"x-amz-content-sha256", empty},
                           {"x-amz-date", "20130524T000000Z"}},
                          empty};
  Credentials credentials{"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(credentials, {"20130524T000000Z", "us-east-1", "s3"}, request),
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, "
            "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, "
            "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, QueryIsEncodedAsSent) {
  EXPECT_EQ(QueryString({{"b", "x y"}, {"a", "1/2"}, {"uploads", ""}}), "b=x%20y&a=1%2F2&uploads=");
}

}  // namespace
}  // namespace aws::remote
