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

}  // namespace
}  // namespace common
