#include "stream/tokens.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

namespace stream {
namespace {

TEST(TokensTest, SequenceNumbersRoundTripAndSortAsStrings) {
  std::string a = FormatSequenceNumber(3, 9), b = FormatSequenceNumber(3, 10),
              c = FormatSequenceNumber(3, 123456789012ull);
  EXPECT_EQ(a.size(), 40u);
  EXPECT_LT(a, b);
  EXPECT_LT(b, c);
  auto parsed = ParseSequenceNumber(c);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->shard_index, 3u);
  EXPECT_EQ(parsed->offset, 123456789012ull);
}

TEST(TokensTest, MalformedSequenceNumbersAreInvalidArgument) {
  for (std::string bad : {std::string("12"), std::string(40, '9'), std::string("49") + std::string(38, 'x'),
                          std::string("49") + std::string(38, '9')}) {
    EXPECT_TRUE(ParseSequenceNumber(bad).status().IsInvalidArgument()) << bad;
  }
}

TEST(TokensTest, IteratorsRoundTrip) {
  IteratorToken t{"order", 7, 2, 99, 1'700'000'300'000};
  std::string text = EncodeIterator(t, "k1");
  auto back = DecodeIterator(text, "k1");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->stream_name, "order");
  EXPECT_EQ(back->stream_uid, 7u);
  EXPECT_EQ(back->shard_index, 2u);
  EXPECT_EQ(back->position, 99u);
  EXPECT_EQ(back->expires_millis, 1'700'000'300'000);
}

// The MAC is HMAC-SHA256 truncated to 16 bytes, also when a thread's cached
// context switches keys and back: tokens stay valid across versions.
TEST(TokensTest, IteratorMacIsTruncatedHmacSha256) {
  for (std::string key : {"k1", "another key", "k1"}) {
    std::string text = EncodeIterator({"order", 7, 2, 99, 1'700'000'300'000}, key);
    std::string raw(text.size(), '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                            reinterpret_cast<const unsigned char*>(text.data()), static_cast<int>(text.size()));
    ASSERT_GT(n, 16);
    raw.resize(static_cast<size_t>(n) - (text.ends_with("==") ? 2 : text.ends_with("=") ? 1 : 0));
    std::string payload = raw.substr(0, raw.size() - 16);
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(payload.data()),
         payload.size(), digest, &length);
    EXPECT_EQ(raw.substr(raw.size() - 16), std::string(reinterpret_cast<const char*>(digest), 16)) << key;
  }
}

TEST(TokensTest, ForgedOrEditedIteratorsAreRejected) {
  IteratorToken t{"order", 7, 2, 99, 1'700'000'300'000};
  std::string text = EncodeIterator(t, "k1");
  EXPECT_TRUE(DecodeIterator(text, "another key").status().IsInvalidArgument());
  for (size_t i = 0; i < text.size(); ++i) {
    std::string edited = text;
    edited[i] = edited[i] == 'A' ? 'B' : 'A';
    EXPECT_FALSE(DecodeIterator(edited, "k1").ok()) << i;
  }
  EXPECT_FALSE(DecodeIterator("", "k1").ok());
  EXPECT_FALSE(DecodeIterator("not base64 !!", "k1").ok());
  EXPECT_FALSE(DecodeIterator(std::string(600, 'A'), "k1").ok());
}

// Base64's last character has spare bits when the text is padded; setting
// one decodes to the same bytes but is not the token that was issued.
TEST(TokensTest, IteratorsWithEditedSpareBitsAreRejected) {
  static const std::string kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  int padded = 0;
  for (std::string name : {"a", "ab", "abc"}) {
    std::string text = EncodeIterator(IteratorToken{name, 7, 2, 99, 1'700'000'300'000}, "k1");
    if (!text.ends_with("=")) continue;
    ++padded;
    size_t last = text.find_last_not_of('=');
    std::string edited = text;
    edited[last] = kAlphabet[kAlphabet.find(text[last]) ^ 1];  // the lowest bit is always spare
    EXPECT_FALSE(DecodeIterator(edited, "k1").ok()) << text;
  }
  EXPECT_EQ(padded, 2);  // one name each for "=" and "=="
}

}  // namespace
}  // namespace stream
