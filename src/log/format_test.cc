#include "log/format.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace logs {
namespace {

class FormatTest : public ::testing::Test {
 protected:
  void Write(uint64_t offset, std::string_view key, std::string_view value, int64_t time = 7) {
    AppendFrame(&image_, offset, time, key, value);
  }
  std::vector<FrameView> Scan(ScanResult* result = nullptr) {
    std::vector<FrameView> frames;
    ScanResult r = ScanSegment(image_, 0, [&](const FrameView& f) { frames.push_back(f); });
    if (result) *result = r;
    return frames;
  }
  std::string image_;
};

TEST_F(FormatTest, FramesRoundTrip) {
  Write(0, "pk", "hello");
  Write(1, "", "");
  Write(5, std::string(300, 'k'), std::string(70000, '\0'), -3);
  ScanResult result;
  auto frames = Scan(&result);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_TRUE(result.clean);
  EXPECT_EQ(result.valid_bytes, image_.size());
  EXPECT_EQ(frames[0].key, "pk");
  EXPECT_EQ(frames[0].value, "hello");
  EXPECT_EQ(frames[0].timestamp, 7);
  EXPECT_EQ(frames[1].offset, 1u);
  EXPECT_EQ(frames[1].key, "");
  EXPECT_EQ(frames[2].offset, 5u);
  EXPECT_EQ(frames[2].key.size(), 300u);
  EXPECT_EQ(frames[2].value.size(), 70000u);
  EXPECT_EQ(frames[2].timestamp, -3);
  EXPECT_EQ(frames[2].position, frames[1].position + frames[1].size);
  EXPECT_EQ(FrameSize("pk", "hello"), frames[0].size);
}

TEST_F(FormatTest, AnyFlippedBitIsRejected) {
  Write(0, "pk", "hello");
  for (size_t i = 0; i < image_.size(); ++i) {
    std::string copy = image_;
    copy[i] ^= 0x10;
    FrameView frame;
    EXPECT_NE(DecodeFrame(copy, &frame), DecodeOutcome::kOk) << "byte " << i;
  }
}

TEST_F(FormatTest, ShortInputIsTruncated) {
  Write(0, "pk", "hello");
  FrameView frame;
  for (size_t n = 0; n < image_.size(); ++n) {
    EXPECT_EQ(DecodeFrame(std::string_view(image_).substr(0, n), &frame), DecodeOutcome::kTruncated);
  }
}

TEST_F(FormatTest, HugeLengthFieldIsCorruptionNotAnAllocation) {
  Write(0, "pk", "hello");
  image_[7] = '\x7f';  // length's top byte
  FrameView frame;
  EXPECT_EQ(DecodeFrame(image_, &frame), DecodeOutcome::kCorrupt);
}

TEST_F(FormatTest, ScanStopsAtAnOffsetThatDoesNotIncrease) {
  Write(3, "a", "1");
  Write(4, "b", "2");
  size_t good = image_.size();
  Write(4, "c", "3");
  Write(9, "d", "4");
  ScanResult result;
  auto frames = Scan(&result);
  EXPECT_EQ(frames.size(), 2u);
  EXPECT_FALSE(result.clean);
  EXPECT_EQ(result.valid_bytes, good);
  EXPECT_NE(result.problem.find("out of order"), std::string::npos);
}

}  // namespace
}  // namespace logs
