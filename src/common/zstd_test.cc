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

}  // namespace
}  // namespace common
