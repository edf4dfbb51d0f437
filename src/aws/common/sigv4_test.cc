#include "aws/common/sigv4.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

constexpr char kHeader[] =
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, "
    "SignedHeaders=content-type;host;x-amz-date;x-amz-target, "
    "Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7";

TEST(SigV4Test, ParsesCredentialScopeAndSignature) {
  auto auth = ParseSigV4Authorization(kHeader);
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->access_key_id, "AKIDEXAMPLE");
  EXPECT_EQ(auth->date, "20260101");
  EXPECT_EQ(auth->region, "us-east-1");
  EXPECT_EQ(auth->service, "kinesis");
  EXPECT_EQ(auth->signed_headers,
            (std::vector<std::string>{"content-type", "host", "x-amz-date", "x-amz-target"}));
  EXPECT_EQ(auth->signature, "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7");
}

TEST(SigV4Test, AcceptsPartsWithoutSpacesAfterCommas) {
  auto auth = ParseSigV4Authorization(
      "AWS4-HMAC-SHA256 Credential=K/20260101/eu-west-1/dynamodb/aws4_request,SignedHeaders=host,Signature=ab12");
  ASSERT_TRUE(auth.ok()) << auth.status().ToString();
  EXPECT_EQ(auth->region, "eu-west-1");
  EXPECT_EQ(auth->service, "dynamodb");
}

TEST(SigV4Test, EmptyHeaderIsMissingToken) {
  auto auth = ParseSigV4Authorization("  ");
  ASSERT_FALSE(auth.ok());
  EXPECT_TRUE(auth.status().IsNotFound());
  EXPECT_EQ(auth.status().message(), "Missing Authentication Token");
}

TEST(SigV4Test, NamesEachMissingParameter) {
  auto auth = ParseSigV4Authorization("AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/kinesis/aws4_request");
  ASSERT_FALSE(auth.ok());
  EXPECT_TRUE(auth.status().IsInvalidArgument());
  EXPECT_NE(auth.status().message().find("requires 'Signature' parameter"), std::string::npos);
  EXPECT_NE(auth.status().message().find("requires 'SignedHeaders' parameter"), std::string::npos);
}

TEST(SigV4Test, RejectsMalformedScope) {
  EXPECT_FALSE(ParseSigV4Authorization(
                   "AWS4-HMAC-SHA256 Credential=K/2026/us-east-1/kinesis/aws4_request, SignedHeaders=host, Signature=ab")
                   .ok());
  EXPECT_FALSE(ParseSigV4Authorization(
                   "AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/kinesis, SignedHeaders=host, Signature=ab")
                   .ok());
  EXPECT_FALSE(ParseSigV4Authorization(
                   "AWS4-HMAC-SHA256 Credential=K/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host, "
                   "Signature=xyz")
                   .ok());
}

TEST(SigV4Test, RejectsOtherAlgorithms) {
  EXPECT_FALSE(ParseSigV4Authorization("AWS AKID:signature").ok());
  EXPECT_FALSE(ParseSigV4Authorization("AWS4-HMAC-SHA256X Credential=a").ok());
}

}  // namespace
}  // namespace aws
