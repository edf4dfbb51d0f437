#include "loadgen/stats.h"

#include <gtest/gtest.h>

namespace loadgen {
namespace {

TEST(LatencySamplesTest, NearestRankPercentiles) {
  LatencySamples s;
  for (int i = 100; i >= 1; --i) s.Add(i * 1000);  // 1..100 ms, added out of order
  EXPECT_DOUBLE_EQ(s.QuantileMs(0.5), 50);
  EXPECT_DOUBLE_EQ(s.QuantileMs(0.99), 99);
  EXPECT_DOUBLE_EQ(s.QuantileMs(0.999), 100);
  EXPECT_DOUBLE_EQ(s.QuantileMs(0), 1);
  EXPECT_DOUBLE_EQ(s.MaxMs(), 100);
}

TEST(LatencySamplesTest, EmptyIsZeroAndMergeAddsUp) {
  LatencySamples a, b;
  EXPECT_EQ(a.QuantileMs(0.99), 0);
  a.Add(1000);
  b.Add(3000);
  a.Merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_DOUBLE_EQ(a.QuantileMs(1), 3);
}

TEST(ParseDurationTest, UnitsAndErrors) {
  EXPECT_DOUBLE_EQ(*ParseDuration("60s"), 60);
  EXPECT_DOUBLE_EQ(*ParseDuration("1.5m"), 90);
  EXPECT_DOUBLE_EQ(*ParseDuration("250ms"), 0.25);
  EXPECT_DOUBLE_EQ(*ParseDuration("2h"), 7200);
  EXPECT_DOUBLE_EQ(*ParseDuration("7"), 7);
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_FALSE(ParseDuration("fast").ok());
  EXPECT_FALSE(ParseDuration("10 parsecs").ok());
  EXPECT_FALSE(ParseDuration("-3s").ok());
}

TEST(ParseUrlTest, HostAndPort) {
  auto t = ParseUrl("http://127.0.0.1:8080/");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->host, "127.0.0.1");
  EXPECT_EQ(t->port, "8080");
  EXPECT_EQ(ParseUrl("localhost")->port, "80");
  EXPECT_FALSE(ParseUrl("https://example.com").ok());
  EXPECT_FALSE(ParseUrl("http://host:99999").ok());
  EXPECT_FALSE(ParseUrl("http://host:80/api").ok());
  EXPECT_FALSE(ParseUrl("http://:80").ok());
}

}  // namespace
}  // namespace loadgen
