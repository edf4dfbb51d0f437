#include "orders/money.h"

#include <gtest/gtest.h>

namespace orders {
namespace {

TEST(MoneyTest, LineTotalMultipliesPriceByQuantity) {
  auto total = LineTotal(1999, 3);
  ASSERT_TRUE(total.ok());
  EXPECT_EQ(*total, 5997);
}

TEST(MoneyTest, LineTotalRejectsNegativeInputs) {
  EXPECT_TRUE(LineTotal(-1, 3).status().IsInvalidArgument());
  EXPECT_TRUE(LineTotal(100, -3).status().IsInvalidArgument());
}

TEST(MoneyTest, LineTotalRejectsOverflowInsteadOfWrapping) {
  EXPECT_TRUE(LineTotal(INT64_MAX / 2, 3).status().IsInvalidArgument());
  EXPECT_TRUE(LineTotal(kMaxAmount, 2).status().IsInvalidArgument());
  EXPECT_TRUE(LineTotal(kMaxAmount, 1).ok());
}

TEST(MoneyTest, AddAmountsStopsAtTheLimit) {
  EXPECT_EQ(*AddAmounts(5, 7), 12);
  EXPECT_TRUE(AddAmounts(kMaxAmount, 1).status().IsInvalidArgument());
  EXPECT_TRUE(AddAmounts(INT64_MAX, INT64_MAX).status().IsInvalidArgument());
}

TEST(MoneyTest, FormatMinorPadsCents) {
  EXPECT_EQ(FormatMinor(1999), "19.99");
  EXPECT_EQ(FormatMinor(5), "0.05");
  EXPECT_EQ(FormatMinor(100), "1.00");
  EXPECT_EQ(FormatMinor(-250), "-2.50");
}

}  // namespace
}  // namespace orders
