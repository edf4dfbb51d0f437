#include "objects/digest.h"

#include <gtest/gtest.h>

#include <vector>

namespace objects {
namespace {

std::string ChecksumOf(std::string_view algorithm, std::string_view data) {
  auto d = Digest::ForChecksumAlgorithm(algorithm);
  d->Update(data);
  return Base64Encode(d->Finish());
}

TEST(DigestTest, Md5MatchesKnownVector) {
  EXPECT_EQ(HexEncode(Md5("")), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(HexEncode(Md5("hello")), "5d41402abc4b2a76b9719d911017c592");
}

TEST(DigestTest, ChecksumsMatchWhatAwsSdksSend) {
  // Values as boto3 computes them for b"hello".
  EXPECT_EQ(ChecksumOf("CRC32", "hello"), "NhCmhg==");
  EXPECT_EQ(ChecksumOf("CRC32C", "hello"), "mnG7TA==");
  EXPECT_EQ(ChecksumOf("SHA256", "hello"), "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ=");
  EXPECT_EQ(Digest::ForChecksumAlgorithm("CRC64NVME"), nullptr);
}

TEST(DigestTest, Base64RoundTripsAndRejectsGarbage) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_FALSE(Base64Decode("abc").has_value());
  EXPECT_FALSE(Base64Decode("a$c=").has_value());
}

}  // namespace
}  // namespace objects
