#include "common/json_escape.h"

#include <random>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace common {
namespace {

std::string Quoted(std::string_view s) {
  std::string out;
  AppendJsonString(&out, s);
  return out;
}

// What nlohmann::json wrote for the same string (the JSON we replaced).
std::string NlohmannQuoted(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

TEST(JsonEscapeTest, QuotesBackslashesAndControlCharactersAreEscaped) {
  EXPECT_EQ(Quoted("say \"hi\"\\"), R"("say \"hi\"\\")");
  EXPECT_EQ(Quoted("a\nb\rc\td\be\ff"), R"("a\nb\rc\td\be\ff")");
  EXPECT_EQ(Quoted(std::string("\x01\x1f\x00", 3)), R"("\u0001\u001f\u0000")");
  EXPECT_EQ(Quoted("\x7f/"), "\"\x7f/\"");  // DEL and slash need no escape
}

TEST(JsonEscapeTest, WellFormedUtf8IsCopied) {
  EXPECT_EQ(Quoted("Zoë – 東京 🚚"), "\"Zoë – 東京 🚚\"");
  EXPECT_EQ(Quoted("\xF4\x8F\xBF\xBF"), "\"\xF4\x8F\xBF\xBF\"");  // U+10FFFF, the last code point
}

TEST(JsonEscapeTest, EachIllFormedSubsequenceBecomesOneReplacementCharacter) {
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(Quoted("a\xFF" "b"), "\"a" + r + "b\"");
  EXPECT_EQ(Quoted("\xC3"), "\"" + r + "\"");                 // truncated at the end
  EXPECT_EQ(Quoted("\xE6\x9D" "x"), "\"" + r + "x\"");        // truncated, then ASCII
  EXPECT_EQ(Quoted("\xC0\xAF"), "\"" + r + r + "\"");         // overlong '/'
  EXPECT_EQ(Quoted("\xED\xA0\x80"), "\"" + r + r + r + "\""); // a UTF-16 surrogate
  EXPECT_EQ(Quoted("\xF4\x90\x80\x80"), "\"" + r + r + r + r + "\"");  // above U+10FFFF
  EXPECT_EQ(Quoted("\xE6\x9D\xC3\xA9"), "\"" + r + "\xC3\xA9\"");      // the breaking byte starts anew
}

TEST(JsonEscapeTest, BytesMatchNlohmannForAnyInput) {
  std::mt19937 random(8);
  // Bytes biased towards the interesting ones: ASCII, escapes, UTF-8 leads
  // and continuations.
  const std::string alphabet = std::string("a\"\\\n\x01\x7f", 6) + "\x80\xBF\xC2\xC3\xDF\xE0\xED\xEF\xF0\xF4\xF5\xFF\xA0\x9F\x90\x8F";
  for (int n = 0; n < 20000; ++n) {
    std::string s(random() % 12, ' ');
    for (char& c : s) c = alphabet[random() % alphabet.size()];
    ASSERT_EQ(Quoted(s), NlohmannQuoted(s)) << testing::PrintToString(s);
  }
}

}  // namespace
}  // namespace common
