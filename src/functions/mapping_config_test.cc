#include "functions/mapping_config.h"

#include <gtest/gtest.h>

namespace functions {
namespace {

EventSourceMappingConfig Valid() {
  EventSourceMappingConfig c;
  c.function_name = "f";
  c.stream_name = "s";
  return c;
}

TEST(MappingConfigTest, LambdaDefaultsAreValid) {
  EXPECT_TRUE(Validate(Valid()).ok());
  EXPECT_EQ(Valid().batch_size, 100);
  EXPECT_EQ(Valid().maximum_retry_attempts, -1);
}

TEST(MappingConfigTest, OutOfRangeValuesNameTheParameterAndRange) {
  auto c = Valid();
  c.batch_size = 10001;
  auto s = Validate(c);
  ASSERT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "BatchSize is 10001; it must be 1..10000");

  c = Valid();
  c.maximum_batching_window_ms = 301'000;
  EXPECT_NE(Validate(c).message().find("MaximumBatchingWindowInSeconds"), std::string::npos);

  c = Valid();
  c.maximum_record_age_seconds = 30;
  EXPECT_NE(Validate(c).message().find("-1 or 60..604800"), std::string::npos);

  c = Valid();
  c.maximum_retry_attempts = -2;
  EXPECT_TRUE(Validate(c).IsInvalidArgument());
}

TEST(MappingConfigTest, FailureDestinationMustDifferFromSource) {
  auto c = Valid();
  c.on_failure_stream = "s";
  EXPECT_TRUE(Validate(c).IsInvalidArgument());
}

TEST(MappingConfigTest, StartingPositionParsesLambdaNames) {
  EXPECT_EQ(*ParseStartingPosition("TRIM_HORIZON"), StartingPosition::kTrimHorizon);
  EXPECT_EQ(StartingPositionName(*ParseStartingPosition("AT_TIMESTAMP")), "AT_TIMESTAMP");
  EXPECT_TRUE(ParseStartingPosition("EARLIEST").status().IsInvalidArgument());
}

}  // namespace
}  // namespace functions
