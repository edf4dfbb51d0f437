#include "aws/common/base64.h"

#include <gtest/gtest.h>

namespace aws {
namespace {

TEST(Base64Test, RoundTripsEveryLengthModuloThree) {
  std::string bytes;
  for (int i = 0; i < 300; ++i) {
    bytes.push_back(static_cast<char>(i * 37));
    auto decoded = Base64Decode(Base64Encode(bytes));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    ASSERT_EQ(*decoded, bytes);
  }
}

TEST(Base64Test, EncodesKnownVectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, RejectsLengthNotMultipleOfFourWithAwsMessage) {
  auto r = Base64Decode("abcde");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Base64 encoded length is expected a multiple of 4 bytes but found: 5");
}

TEST(Base64Test, RejectsCharacterOutsideAlphabet) {
  auto r = Base64Decode("ab!d");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Invalid Base64 character: '!'");
}

TEST(Base64Test, RejectsPaddingInTheMiddle) {
  EXPECT_FALSE(Base64Decode("ab==abcd").ok());
  EXPECT_FALSE(Base64Decode("a===").ok());
}

TEST(Base64Test, RejectsNonZeroUnusedBits) {
  EXPECT_TRUE(Base64Decode("Zg==").ok());
  auto r = Base64Decode("Zh==");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "Invalid last non-pad Base64 character dectected");
  EXPECT_FALSE(Base64Decode("Zm9=").ok());
}

}  // namespace
}  // namespace aws
