#include "gateway/metrics.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

TEST(MetricsTest, CounterWithLabelsRenders) {
  MetricsRegistry registry;
  registry.GetCounter("http_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}}).Inc();
  registry.GetCounter("http_requests_total", "Requests.", {{"route", "/a"}, {"status", "200"}}).Inc(2);
  std::string text = registry.Render();
  EXPECT_NE(text.find("# TYPE http_requests_total counter"), std::string::npos);
  EXPECT_NE(text.find("http_requests_total{route=\"/a\",status=\"200\"} 3\n"), std::string::npos);
}

TEST(MetricsTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  auto& h = registry.GetHistogram("latency_seconds", "Latency.", {}, {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.5);
  h.Observe(5);
  std::string text = registry.Render();
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"0.1\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"1\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("latency_seconds_count 3\n"), std::string::npos);
}

TEST(MetricsTest, LabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.GetGauge("g", "G.", {{"k", "a\"b"}}).Set(1);
  EXPECT_NE(registry.Render().find("g{k=\"a\\\"b\"} 1\n"), std::string::npos);
}

}  // namespace
}  // namespace gateway

namespace gateway {
namespace {

TEST(MetricsTest, CollectorsRunBeforeEachRender) {
  MetricsRegistry registry;
  int scrapes = 0;
  registry.AddCollector([&] {
    ++scrapes;
    registry.GetGauge("collected_things", "things copied at scrape time").Set(scrapes * 10);
  });
  EXPECT_NE(registry.Render().find("collected_things 10"), std::string::npos);
  EXPECT_NE(registry.Render().find("collected_things 20"), std::string::npos);
}

}  // namespace
}  // namespace gateway
