#include "log/crc32c.h"

#include <string>

#include <gtest/gtest.h>

namespace logs {
namespace {

TEST(Crc32cTest, MatchesPublishedCheckValues) {
  EXPECT_EQ(Crc32c("123456789", 9), 0xE3069283u);
  std::string zeros(32, '\0');
  EXPECT_EQ(Crc32c(zeros.data(), zeros.size()), 0x8A9136AAu);  // RFC 3720 B.4
  std::string ones(32, '\xff');
  EXPECT_EQ(Crc32c(ones.data(), ones.size()), 0x62A8AB43u);
}

TEST(Crc32cTest, HardwareAndTableAgreeOnEveryLengthAndSplit) {
  std::string data;
  for (int i = 0; i < 300; ++i) data.push_back(static_cast<char>(i * 37 + 11));
  for (size_t n = 0; n <= data.size(); ++n) {
    ASSERT_EQ(Crc32c(data.data(), n), Crc32cExtendPortable(0, data.data(), n)) << n;
    size_t half = n / 3;
    ASSERT_EQ(Crc32cExtend(Crc32c(data.data(), half), data.data() + half, n - half),
              Crc32c(data.data(), n));
  }
}

}  // namespace
}  // namespace logs
