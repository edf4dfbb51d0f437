#include "common/status.h"

#include <gtest/gtest.h>

namespace common {
namespace {

Result<int> ParsePositive(int v) {
  if (v <= 0) return Status::InvalidArgument("value is " + std::to_string(v) + "; it must be > 0");
  return v;
}

Result<int> Doubled(int v) {
  ASSIGN_OR_RETURN(int x, ParsePositive(v));
  return x * 2;
}

Status Check(int v) {
  RETURN_IF_ERROR(ParsePositive(v).status());
  return Status::OK();
}

TEST(StatusTest, OkStatusHasOkCodeAndPrintsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = Status::NotFound("stream 'orders' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_EQ(s.ToString(), "NotFound: stream 'orders' does not exist");
  EXPECT_EQ(s.WithContext("GetRecords").message(), "GetRecords: stream 'orders' does not exist");
}

TEST(StatusTest, AssignOrReturnPassesValueAndError) {
  ASSERT_TRUE(Doubled(4).ok());
  EXPECT_EQ(*Doubled(4), 8);
  Result<int> bad = Doubled(-1);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_EQ(bad.status().message(), "value is -1; it must be > 0");
}

TEST(StatusTest, ReturnIfErrorStopsAtFirstError) {
  EXPECT_TRUE(Check(3).ok());
  EXPECT_TRUE(Check(0).IsInvalidArgument());
}

}  // namespace
}  // namespace common
