#include "table/key_encoding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "table/expression.h"
#include "table/number.h"

namespace table {
namespace {

std::string Enc(const AttributeValue& v) {
  std::string out;
  EncodeKeyValue(v, &out);
  return out;
}

AttributeValue RandomNumber(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> digits(1, 38), digit(0, 9), exp(-125, 120), coin(0, 3);
  std::string s = coin(rng) == 0 ? "-" : "";
  int n = digits(rng);
  for (int i = 0; i < n; ++i) s.push_back(static_cast<char>('0' + digit(rng)));
  if (coin(rng) == 1) s.insert(s.size() - static_cast<size_t>(n) / 2, ".");
  // Small exponents most of the time so values collide and share prefixes often.
  s += "E" + std::to_string(coin(rng) == 2 ? exp(rng) : exp(rng) % 4);
  auto canon = number::Canonicalize(s);
  return canon.ok() ? AttributeValue::N(*canon) : AttributeValue::N("0");
}

AttributeValue RandomBytes(std::mt19937_64& rng, bool binary) {
  std::uniform_int_distribution<int> len(0, 6), byte(0, 3);
  std::string s;
  int n = len(rng);
  // A tiny alphabet including 0x00 and 0xFF makes prefixes and escapes common.
  static const char kAlphabet[] = {'\x00', 'a', '\xff', '\x01'};
  for (int i = 0; i < n; ++i) s.push_back(kAlphabet[byte(rng)]);
  return binary ? AttributeValue::B(s) : AttributeValue::S(s);
}

int Sign(int x) { return x < 0 ? -1 : (x > 0 ? 1 : 0); }

TEST(KeyEncodingTest, ByteOrderEqualsNumericOrderForRandomNumbers) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 20000; ++i) {
    AttributeValue a = RandomNumber(rng), b = RandomNumber(rng);
    ASSERT_EQ(Sign(Enc(a).compare(Enc(b))), expr::CompareScalars(a, b)) << a.scalar() << " vs " << b.scalar();
  }
}

TEST(KeyEncodingTest, ByteOrderEqualsValueOrderForRandomStringsAndBinaries) {
  std::mt19937_64 rng(7);
  for (bool binary : {false, true}) {
    for (int i = 0; i < 20000; ++i) {
      AttributeValue a = RandomBytes(rng, binary), b = RandomBytes(rng, binary);
      ASSERT_EQ(Sign(Enc(a).compare(Enc(b))), expr::CompareScalars(a, b));
    }
  }
}

TEST(KeyEncodingTest, CompositeKeysSortByPartitionThenSort) {
  std::mt19937_64 rng(3);
  for (int i = 0; i < 5000; ++i) {
    AttributeValue p1 = RandomBytes(rng, false), p2 = RandomBytes(rng, false);
    AttributeValue s1 = RandomNumber(rng), s2 = RandomNumber(rng);
    int expected = expr::CompareScalars(p1, p2);
    if (expected == 0) expected = expr::CompareScalars(s1, s2);
    ASSERT_EQ(Sign((Enc(p1) + Enc(s1)).compare(Enc(p2) + Enc(s2))), expected);
  }
}

TEST(KeyEncodingTest, DecodesWhatItEncodes) {
  std::mt19937_64 rng(9);
  for (int i = 0; i < 2000; ++i) {
    AttributeValue n = RandomNumber(rng), s = RandomBytes(rng, false);
    std::string bytes = Enc(n) + Enc(s);
    std::string_view in = bytes;
    auto dn = DecodeKeyValue(AttributeValue::Type::kN, &in);
    auto ds = DecodeKeyValue(AttributeValue::Type::kS, &in);
    ASSERT_TRUE(dn.ok() && ds.ok());
    EXPECT_EQ(*dn, n);
    EXPECT_EQ(*ds, s);
    EXPECT_TRUE(in.empty());
  }
}

TEST(KeyEncodingTest, EncodedPrefixMatchesEveryValueWithThatPrefix) {
  std::string prefix;
  EncodeKeyPrefix(std::string("a\0b", 3), &prefix);
  std::string full = Enc(AttributeValue::S(std::string("a\0bc", 4)));
  EXPECT_EQ(full.compare(0, prefix.size(), prefix), 0);
  EXPECT_LT(full, PrefixSuccessor(prefix));
}

}  // namespace
}  // namespace table
