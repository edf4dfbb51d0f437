#include "table/number.h"

#include <gtest/gtest.h>

namespace table::number {
namespace {

std::string Canon(std::string_view s) {
  auto r = Canonicalize(s);
  return r.ok() ? *r : "error: " + r.status().message();
}

TEST(NumberTest, CanonicalFormDropsRedundantZerosAndExponents) {
  EXPECT_EQ(Canon("01.500"), "1.5");
  EXPECT_EQ(Canon("-0.0"), "0");
  EXPECT_EQ(Canon("1.5E+3"), "1500");
  EXPECT_EQ(Canon("25e-4"), "0.0025");
  EXPECT_EQ(Canon("+7"), "7");
  EXPECT_EQ(Canon("-.5"), "-0.5");
}

// The shortcut must agree with Parse + Format: whatever it calls canonical
// already is, and every text it turns away goes the long way.
TEST(NumberTest, CanonicalIntegersAreRecognisedExactly) {
  for (const char* text : {"0", "7", "-7", "1500", "-1000000", "12345678901234567890123456789012345678"}) {
    EXPECT_TRUE(IsCanonicalInteger(text)) << text;
    EXPECT_EQ(Format(*Parse(text)), text);
  }
  for (const char* text : {"", "-", "-0", "00", "007", "+5", "1.0", "1e3", "1 ", "12a",
                           "123456789012345678901234567890123456789"}) {
    EXPECT_FALSE(IsCanonicalInteger(text)) << text;
  }
  EXPECT_EQ(Canon("007"), "7");
  EXPECT_EQ(Canon("-0"), "0");
}

TEST(NumberTest, RejectsTextThatIsNotANumber) {
  for (const char* bad : {"", "abc", "1.2.3", "1e", "--1", "1 ", "0x10", "."}) {
    EXPECT_FALSE(Parse(bad).ok()) << bad;
  }
}

TEST(NumberTest, EnforcesPrecisionAndRange) {
  EXPECT_TRUE(Parse("12345678901234567890123456789012345678").ok());
  EXPECT_FALSE(Parse("123456789012345678901234567890123456789").ok());
  EXPECT_TRUE(Parse("9.9999999999999999999999999999999999999E+125").ok());
  EXPECT_FALSE(Parse("1E+126").ok());
  EXPECT_TRUE(Parse("1E-130").ok());
  EXPECT_FALSE(Parse("1E-131").ok());
  // Trailing zeros are not significant digits.
  EXPECT_TRUE(Parse("100000000000000000000000000000000000000000000000").ok());
}

TEST(NumberTest, ComparesNumerically) {
  auto cmp = [](const char* a, const char* b) { return Compare(*Parse(a), *Parse(b)); };
  EXPECT_LT(cmp("9", "10"), 0);
  EXPECT_LT(cmp("-10", "-9"), 0);
  EXPECT_EQ(cmp("1.0", "1"), 0);
  EXPECT_GT(cmp("0.11", "0.1"), 0);
  EXPECT_LT(cmp("-0.11", "-0.1"), 0);
  EXPECT_LT(cmp("-1", "0"), 0);
}

TEST(NumberTest, AddsAndSubtractsExactly) {
  auto add = [](const char* a, const char* b) { return Format(*Add(*Parse(a), *Parse(b))); };
  auto sub = [](const char* a, const char* b) { return Format(*Subtract(*Parse(a), *Parse(b))); };
  EXPECT_EQ(add("0.1", "0.2"), "0.3");
  EXPECT_EQ(add("999", "1"), "1000");
  EXPECT_EQ(add("-5", "3"), "-2");
  EXPECT_EQ(sub("3", "5"), "-2");
  EXPECT_EQ(sub("1", "1"), "0");
  EXPECT_EQ(add("1E+20", "1E-10"), "100000000000000000000.0000000001");
  EXPECT_FALSE(Add(*Parse("1E+37"), *Parse("1E-10")).ok());  // 48 significant digits
}

}  // namespace
}  // namespace table::number
