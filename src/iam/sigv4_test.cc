#include "iam/sigv4.h"

#include <gtest/gtest.h>

namespace iam {
namespace {

// AWS's published Signature Version 4 test suite ("aws-sig-v4-test-suite"):
// every case signs for example.amazonaws.com, service "service", us-east-1,
// at 20150830T123600Z with the documentation's example key.
constexpr char kKeyId[] = "AKIDEXAMPLE";
constexpr char kSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
constexpr char kDate[] = "20150830T123600Z";

struct SuiteCase {
  const char* name;
  const char* method;
  const char* target;
  std::vector<std::pair<std::string, std::string>> extra_headers;
  const char* body;
  const char* signature;
};

const SuiteCase kSuite[] = {
    {"get_vanilla", "GET", "/", {}, "", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31"},
    {"get_unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", {}, "",
     "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f"},
    {"get_slashes", "GET", "//example//", {}, "", "9a624bd73a37c9a373b5312afbebe7a714a789de108f0bdfe846570885f57e84"},
    {"get_vanilla_query_order_key_case", "GET", "/?Param2=value2&Param1=value1", {}, "",
     "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500"},
    {"get_vanilla_query_order_value", "GET", "/?Param1=value2&Param1=value1", {}, "",
     "5772eed61e12b33fae39ee5e7012498b51d56abc0abb7c60486157bd471c4694"},
    {"get_vanilla_utf8_query", "GET", "/?\xe1\x88\xb4=bar", {}, "",
     "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04"},
    {"get_header_value_order",
     "GET",
     "/",
     {{"My-Header1", "value4"}, {"My-Header1", "value1"}, {"My-Header1", "value3"}, {"My-Header1", "value2"}},
     "",
     "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01"},
    {"get_header_key_duplicate",
     "GET",
     "/",
     {{"My-Header1", "value2"}, {"My-Header1", "value2"}, {"My-Header1", "value1"}},
     "",
     "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea"},
    {"get_header_value_trim",
     "GET",
     "/",
     {{"My-Header1", " value1"}, {"My-Header2", "\"a   b   c\""}},
     "",
     "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736"},
    {"post_x_www_form_urlencoded",
     "POST",
     "/",
     {{"Content-Type", "application/x-www-form-urlencoded"}},
     "Param1=value1",
     "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a"},
};

class SigV4SuiteTest : public ::testing::TestWithParam<SuiteCase> {};

TEST_P(SigV4SuiteTest, SignsToThePublishedSignature) {
  const SuiteCase& c = GetParam();
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "example.amazonaws.com"},
                                                              {"X-Amz-Date", kDate}};
  std::vector<std::string> signed_headers = {"host", "x-amz-date"};
  for (const auto& h : c.extra_headers) headers.push_back(h);
  for (const auto& h : c.extra_headers) {
    std::string name = h.first;
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (std::find(signed_headers.begin(), signed_headers.end(), name) == signed_headers.end()) {
      signed_headers.push_back(name);
    }
  }
  std::sort(signed_headers.begin(), signed_headers.end());
  std::string_view target = c.target;
  size_t q = target.find('?');
  SignedRequestView request;
  request.method = c.method;
  request.raw_path = target.substr(0, q);
  request.raw_query = q == std::string_view::npos ? "" : target.substr(q + 1);
  request.headers = &headers;
  std::string hash = HexSha256(c.body);
  request.payload_hash = hash;
  std::string authorization =
      SignAuthorization(request, signed_headers, kKeyId, kSecret, kDate, "us-east-1", "service");
  EXPECT_EQ(authorization.substr(authorization.size() - 64), c.signature) << CanonicalRequest(request, signed_headers);
}

INSTANTIATE_TEST_SUITE_P(AwsTestSuite, SigV4SuiteTest, ::testing::ValuesIn(kSuite),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(SigV4Test, GetVanillaCanonicalRequestAndStringToSign) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "example.amazonaws.com"},
                                                              {"X-Amz-Date", kDate}};
  SignedRequestView request;
  request.method = "GET";
  request.raw_path = "/";
  request.headers = &headers;
  std::string hash = HexSha256("");
  request.payload_hash = hash;
  std::string canonical = CanonicalRequest(request, {"host", "x-amz-date"});
  EXPECT_EQ(canonical,
            "GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n"
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(StringToSign(kDate, "20150830/us-east-1/service/aws4_request", canonical),
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n"
            "bb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63");
}

TEST(SigV4Test, PathNormalizationOfOtherServices) {
  auto uri = [](std::string_view path) {
    SignedRequestView r;
    r.method = "GET";
    r.raw_path = path;
    r.payload_hash = "x";
    std::string c = CanonicalRequest(r, {});
    return c.substr(4, c.find('\n', 4) - 4);
  };
  EXPECT_EQ(uri("/example/.."), "/");                       // get-relative
  EXPECT_EQ(uri("/example1/example2/../.."), "/");          // get-relative-relative
  EXPECT_EQ(uri("/./"), "/");                               // get-slash-dot-slash
  EXPECT_EQ(uri("/./example"), "/example");                 // get-slash-pointless-dot
  EXPECT_EQ(uri("/example space/"), "/example%20space/");   // get-space
  EXPECT_EQ(uri("/\xe1\x88\xb4"), "/%E1%88%B4");            // get-utf8
  EXPECT_EQ(uri("/a%2Fb"), "/a%252Fb");                     // encoded twice, as SDKs do
}

// The S3 example from the S3 API reference ("GET Object"), signed with the
// documentation's S3 key pair.
TEST(SigV4Test, S3GetObjectExample) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Host", "examplebucket.s3.amazonaws.com"},
      {"Range", "bytes=0-9"},
      {"x-amz-content-sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"x-amz-date", "20130524T000000Z"}};
  SignedRequestView request;
  request.method = "GET";
  request.raw_path = "/test.txt";
  request.headers = &headers;
  request.payload_hash = headers[2].second;
  request.s3_rules = true;
  std::string auth = SignAuthorization(request, {"host", "range", "x-amz-content-sha256", "x-amz-date"},
                                       "AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
                                       "20130524T000000Z", "us-east-1", "s3");
  EXPECT_EQ(auth.substr(auth.size() - 64), "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41");
}

// The chunked upload example of the S3 API reference ("Example: PUT Object"
// in sigv4-streaming): 65536 + 1024 bytes of 'a', then the final 0 chunk.
TEST(SigV4Test, S3ChunkedUploadExample) {
  ChunkSignatureChain chain(
      DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9");
  std::string first(65536, 'a');
  std::string second(1024, 'a');
  // A wrong hash does not move the chain.
  EXPECT_FALSE(chain.Verify(HexSha256(second), "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"));
  EXPECT_TRUE(chain.Verify(HexSha256(first), "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648"));
  EXPECT_TRUE(chain.Verify(HexSha256(second), "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497"));
  EXPECT_TRUE(chain.Verify(HexSha256(""), "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9"));
}

// The trailing-header example of the S3 API reference (sigv4-streaming-
// trailers): the same 65536 + 1024 bytes of 'a' sent as
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, seeded with the request
// signature printed there, then "x-amz-checksum-crc32c:sOO8/Q==" (the CRC32C
// of the bytes). The chunk and trailer signatures below were computed
// independently with Python's hmac and hashlib from those inputs:
//   to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", date, scope, final_chunk_signature,
//                        sha256(b"x-amz-checksum-crc32c:sOO8/Q==\n").hexdigest()])
TEST(SigV4Test, S3TrailerSignatureExample) {
  ChunkSignatureChain chain(
      DeriveSigningKey("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524", "us-east-1", "s3"),
      "20130524T000000Z", "20130524/us-east-1/s3/aws4_request",
      "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e");
  EXPECT_TRUE(chain.Verify(HexSha256(std::string(65536, 'a')),
                           "b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2"));
  EXPECT_TRUE(chain.Verify(HexSha256(std::string(1024, 'a')),
                           "1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7"));
  EXPECT_TRUE(chain.Verify(HexSha256(""), "2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992"));
  const std::string trailer_signature = "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435";
  EXPECT_TRUE(chain.VerifyTrailer(HexSha256("x-amz-checksum-crc32c:sOO8/Q==\n"), trailer_signature));
  // The value, or the line's newline, changed: refused.
  EXPECT_FALSE(chain.VerifyTrailer(HexSha256("x-amz-checksum-crc32c:sOO8/A==\n"), trailer_signature));
  EXPECT_FALSE(chain.VerifyTrailer(HexSha256("x-amz-checksum-crc32c:sOO8/Q=="), trailer_signature));
  EXPECT_FALSE(chain.VerifyTrailer(HexSha256("x-amz-checksum-crc32c:sOO8/Q==\n"), ""));
}

// The presigned URL example of the S3 API reference.
TEST(SigV4Test, S3PresignedUrlExample) {
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", "examplebucket.s3.amazonaws.com"}};
  std::string query =
      "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2F"
      "aws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=x";
  SignedRequestView request;
  request.method = "GET";
  request.raw_path = "/test.txt";
  request.raw_query = query;
  request.headers = &headers;
  request.payload_hash = "UNSIGNED-PAYLOAD";
  request.s3_rules = true;
  request.presigned = true;
  std::string auth = SignAuthorization(request, {"host"}, "AKIAIOSFODNN7EXAMPLE",
                                       "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "20130524T000000Z", "us-east-1", "s3");
  EXPECT_EQ(auth.substr(auth.size() - 64), "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404");
}

TEST(SigV4Test, AmzDateRoundTrip) {
  auto millis = ParseAmzDate("20150830T123600Z");
  ASSERT_TRUE(millis.ok());
  EXPECT_EQ(*millis, 1440938160000);
  EXPECT_EQ(FormatAmzDate(*millis), "20150830T123600Z");
  EXPECT_FALSE(ParseAmzDate("2015-08-30T12:36:00Z").ok());
  EXPECT_FALSE(ParseAmzDate("20151330T123600Z").ok());
}

TEST(SigV4Test, SigningKeyCacheAgreesWithDerivation) {
  SigningKeyCache cache;
  std::string a = cache.Get(kSecret, "20150830", "us-east-1", "service");
  EXPECT_EQ(a, DeriveSigningKey(kSecret, "20150830", "us-east-1", "service"));
  EXPECT_EQ(cache.Get(kSecret, "20150830", "us-east-1", "service"), a);
  EXPECT_NE(cache.Get(kSecret, "20150831", "us-east-1", "service"), a);
}

TEST(SigV4Test, ConstantTimeEquals) {
  EXPECT_TRUE(ConstantTimeEquals("abc", "abc"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "abd"));
  EXPECT_FALSE(ConstantTimeEquals("abc", "ab"));
}

}  // namespace
}  // namespace iam
