#include "stream/hash_key.h"

#include <gtest/gtest.h>

namespace stream {
namespace {

TEST(HashKeyTest, ParsesAndPrintsTheWholeRange) {
  EXPECT_EQ(FormatHashKey(kMaxHashKey), "340282366920938463463374607431768211455");
  auto max = ParseHashKey("340282366920938463463374607431768211455");
  ASSERT_TRUE(max.ok());
  EXPECT_EQ(*max, kMaxHashKey);
  EXPECT_EQ(FormatHashKey(*ParseHashKey("0")), "0");
  EXPECT_EQ(FormatHashKey(*ParseHashKey("170141183460469231731687303715884105728")),
            "170141183460469231731687303715884105728");
}

TEST(HashKeyTest, RejectsOverflowSignsAndJunk) {
  for (const char* bad : {"340282366920938463463374607431768211456", "-1", "", "12a", " 1",
                          "1000000000000000000000000000000000000000"}) {
    EXPECT_TRUE(ParseHashKey(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(HashKeyTest, PartitionKeyHashIsBigEndianMd5) {
  // md5("a") = 0cc175b9c0f1b6a831c399e269772661
  HashKey expected = 0;
  for (unsigned char b : {0x0c, 0xc1, 0x75, 0xb9, 0xc0, 0xf1, 0xb6, 0xa8, 0x31, 0xc3, 0x99, 0xe2, 0x69,
                          0x77, 0x26, 0x61}) {
    expected = (expected << 8) | b;
  }
  EXPECT_EQ(HashPartitionKey("a"), expected);
  EXPECT_EQ(FormatHashKey(HashPartitionKey("a")), "16955237001963240173058271559858726497");
}

TEST(HashKeyTest, EvenRangesCoverTheSpaceWithoutGaps) {
  for (int n : {1, 2, 3, 7, 500}) {
    EXPECT_EQ(RangeStart(0, n), HashKey{0});
    EXPECT_EQ(RangeEnd(n - 1, n), kMaxHashKey);
    for (int i = 0; i + 1 < n; ++i) EXPECT_EQ(RangeEnd(i, n) + 1, RangeStart(i + 1, n));
  }
}

}  // namespace
}  // namespace stream
