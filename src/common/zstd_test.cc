#include "common/zstd.h"

#include <gtest/gtest.h>

namespace common {
namespace {

TEST(ZstdTest, RoundTripAndTruncationIsCorruption) {
  std::string data(100000, 'a');
  auto packed = ZstdCompress(data, 3);
  ASSERT_TRUE(packed.ok());
  EXPECT_LT(packed->size(), data.size() / 10);
  EXPECT_EQ(*ZstdDecompress(*packed), data);
  auto cut = ZstdDecompress(packed->substr(0, packed->size() / 2));
  EXPECT_EQ(cut.status().code(), Status::Code::kCorruption);
  EXPECT_EQ(ZstdDecompress("not zstd").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(*ZstdDecompress(*ZstdCompress("", 1)), "");
}

TEST(ZstdTest, SeveralFramesDecompressInOrder) {
  std::string joined = *ZstdCompress("first frame, ", 1) + *ZstdCompress("second frame", 19);
  EXPECT_EQ(*ZstdDecompress(joined), "first frame, second frame");
  // The thread's context is reused: a good frame after a bad one still works.
  EXPECT_FALSE(ZstdDecompress(joined.substr(0, joined.size() - 3)).ok());
  EXPECT_EQ(*ZstdDecompress(*ZstdCompress("again", 1)), "again");
}

TEST(ZstdTest, ADictionaryShrinksWhatResemblesIt) {
  // A page of little repetition (what a layout is to zstd), as a shop's
  // emails share one.
  std::string layout;
  uint32_t x = 12345;
  for (int i = 0; i < 400; ++i) {
    x = x * 1103515245 + 12345;
    layout += "<td class=\"c" + std::to_string(x % 997) + "\">" + std::to_string(x >> 8) + "</td>";
  }
  ZstdDictionary dictionary(layout, 1);
  std::string email = layout + "Dear Ada, thank you for your order.";
  auto alone = ZstdCompress(email, 1);
  auto packed = dictionary.Compress(email);
  ASSERT_TRUE(packed.ok() && alone.ok());
  EXPECT_LT(packed->size() * 4, alone->size());
  EXPECT_EQ(*dictionary.Decompress(*packed), email);
  EXPECT_EQ(*dictionary.Decompress(*dictionary.Compress("")), "");
  // What another dictionary or none made is refused or read as what it holds, never mixed up.
  EXPECT_EQ(dictionary.Decompress("not zstd").status().code(), Status::Code::kCorruption);
  EXPECT_EQ(dictionary.Decompress(packed->substr(0, packed->size() / 2)).status().code(), Status::Code::kCorruption);
  EXPECT_FALSE(ZstdDecompress(*packed).ok());
  ZstdDictionary other("something else entirely", 1);
  auto misread = other.Decompress(*packed);
  EXPECT_TRUE(!misread.ok() || *misread != email);
}

}  // namespace
}  // namespace common
