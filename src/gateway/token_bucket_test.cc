#include "gateway/token_bucket.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(TokenBucketTest, StartsFullAndEmptiesAfterBurst) {
  common::ManualClock clock;
  TokenBucket bucket(3, 1, &clock);
  EXPECT_TRUE(bucket.TryConsume());
  EXPECT_TRUE(bucket.TryConsume());
  EXPECT_TRUE(bucket.TryConsume());
  EXPECT_FALSE(bucket.TryConsume());
}

TEST(TokenBucketTest, RefillsAtFillRate) {
  common::ManualClock clock;
  TokenBucket bucket(1, 2, &clock);  // 2 tokens per second
  ASSERT_TRUE(bucket.TryConsume());
  EXPECT_EQ(bucket.MicrosUntil(), 500'000);
  clock.AdvanceMillis(499);
  EXPECT_FALSE(bucket.TryConsume());
  clock.AdvanceMillis(1);
  EXPECT_TRUE(bucket.TryConsume());
}

TEST(TokenBucketTest, NeverExceedsCapacity) {
  common::ManualClock clock;
  TokenBucket bucket(2, 10, &clock);
  clock.AdvanceMillis(60'000);
  EXPECT_TRUE(bucket.TryConsume(2));
  EXPECT_FALSE(bucket.TryConsume());
}

TEST(ThrottlerTest, RouteWithoutLimitIsNeverThrottled) {
  common::ManualClock clock;
  Throttler throttler(&clock);
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(throttler.Check("/api/free", "1.2.3.4"), 0);
}

TEST(ThrottlerTest, ClientsHaveSeparateBuckets) {
  common::ManualClock clock;
  Throttler throttler(&clock);
  throttler.SetLimit("/api/orders", 1, 1);
  EXPECT_EQ(throttler.Check("/api/orders", "alice"), 0);
  EXPECT_GT(throttler.Check("/api/orders", "alice"), 0);
  EXPECT_EQ(throttler.Check("/api/orders", "bob"), 0);
}

TEST(ThrottlerTest, RetryAfterRoundsUpToWholeSeconds) {
  common::ManualClock clock;
  Throttler throttler(&clock);
  throttler.SetLimit("/r", 0.25, 1);  // one request per 4 s
  ASSERT_EQ(throttler.Check("/r", "c"), 0);
  EXPECT_EQ(throttler.Check("/r", "c"), 4);
  clock.AdvanceMillis(3'500);
  EXPECT_EQ(throttler.Check("/r", "c"), 1);
  clock.AdvanceMillis(500);
  EXPECT_EQ(throttler.Check("/r", "c"), 0);
}

TEST(ThrottlerTest, ManyClientsShareOverflowBucketInsteadOfGrowing) {
  common::ManualClock clock;
  Throttler throttler(&clock, /*max_buckets=*/2);
  throttler.SetLimit("/r", 1, 1);
  EXPECT_EQ(throttler.Check("/r", "a"), 0);
  EXPECT_EQ(throttler.Check("/r", "b"), 0);
  EXPECT_EQ(throttler.Check("/r", "c"), 0);  // first overflow client
  EXPECT_GT(throttler.Check("/r", "d"), 0);  // shares the overflow bucket
}

}  // namespace
}  // namespace gateway
