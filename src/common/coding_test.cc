#include "common/coding.h"

#include <gtest/gtest.h>

#include <random>

namespace common {
namespace {

TEST(CodingTest, VarintRoundTripsAcrossMagnitudes) {
  std::string buf;
  std::vector<uint64_t> values = {0, 1, 127, 128, 300, 1ull << 32, ~0ull};
  for (uint64_t v : values) PutVarint64(&buf, v);
  std::string_view in(buf);
  for (uint64_t expected : values) {
    uint64_t v = 0;
    ASSERT_TRUE(GetVarint64(&in, &v));
    EXPECT_EQ(v, expected);
  }
  EXPECT_TRUE(in.empty());
}

TEST(CodingTest, TruncatedVarintIsRejected) {
  std::string buf;
  PutVarint64(&buf, 1ull << 40);
  std::string_view in(buf.data(), buf.size() - 1);
  uint64_t v;
  EXPECT_FALSE(GetVarint64(&in, &v));
}

TEST(CodingTest, BigEndianBytesSortLikeNumbers) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    uint64_t a = rng(), b = rng();
    std::string ea, eb;
    PutBigEndian64(&ea, a);
    PutBigEndian64(&eb, b);
    EXPECT_EQ(a < b, ea < eb);
    EXPECT_EQ(DecodeBigEndian64(ea.data()), a);
  }
}

TEST(CodingTest, FixedRoundTrips) {
  std::string buf;
  PutFixed32(&buf, 0xdeadbeef);
  PutFixed64(&buf, 0x0123456789abcdefull);
  EXPECT_EQ(DecodeFixed32(buf.data()), 0xdeadbeefu);
  EXPECT_EQ(DecodeFixed64(buf.data() + 4), 0x0123456789abcdefull);
}

}  // namespace
}  // namespace common
