#include "aws/remote/sigv4_signer.h"

#include <gtest/gtest.h>

namespace aws::remote {
namespace {

// AWS's "aws-sig-v4-test-suite", case get-vanilla.
TEST(SigV4SignerTest, GetVanillaMatchesTheTestSuite) {
  SignableRequest request{"GET", "/", {}, {{"Host", "example.amazonaws.com"}, {"X-Amz-Date", "20150830T123600Z"}},
                          Sha256Hex("")};
  EXPECT_EQ(CanonicalRequest(request),
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  Credentials credentials{"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", ""};
  EXPECT_EQ(AuthorizationHeader(credentials, {"20150830T123600Z", "us-east-1", "service"}, request),
            "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, "
            "SignedHeaders=host;x-amz-date, "
            "Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31");
}

// The S3 documentation's "GET Object" example (sig-v4-header-based-auth).
TEST(SigV4SignerTest, S3GetObjectExampleMatchesTheDocumentation) {
  SignableRequest request{"GET",
                          "/test.txt",
                          {},
                          {{"Host", "examplebucket.s3.amazonaws.com"},
                           {"Range", "bytes=0-9"},
                           {"x-amz-content-sha256", Sha256Hex("")},
                           {"x-amz-date", "20130524T000000Z"}},
                          Sha256Hex("")};
  std::string key = SigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3");
  std::string to_sign = StringToSign({"20130524T000000Z", "us-east-1", "s3"}, CanonicalRequest(request));
  EXPECT_EQ(to_sign,
            "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n"
            "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972");
  EXPECT_EQ(Signature(key, to_sign), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

TEST(SigV4SignerTest, QueryIsEncodedAndSortedAndHeaderValuesAreCollapsed) {
  SignableRequest request{"GET", "/", {{"b", "x y"}, {"a", "1/2"}}, {{"Host", "h"}, {"X-Odd", "  a   b  "}},
                          "UNSIGNED-PAYLOAD"};
  EXPECT_EQ(CanonicalRequest(request), "GET\n/\na=1%2F2&b=x%20y\nhost:h\nx-odd:a b\n\nhost;x-odd\nUNSIGNED-PAYLOAD");
}

TEST(SigV4SignerTest, UriEncodeKeepsSlashOnlyWhenAsked) {
  EXPECT_EQ(UriEncode("a b/c~d", true), "a%20b/c~d");
  EXPECT_EQ(UriEncode("a b/c~d", false), "a%20b%2Fc~d");
  EXPECT_EQ(UriEncode("\xc3\xa9", false), "%C3%A9");
}

}  // namespace
}  // namespace aws::remote
