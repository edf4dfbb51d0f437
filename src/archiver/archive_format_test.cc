#include "archiver/archive_format.h"

#include <gtest/gtest.h>

namespace archiver {
namespace {

stream::Record MakeRecord(std::string seq, std::string key, std::string data, int64_t arrival) {
  stream::Record r;
  r.sequence_number = std::move(seq);
  r.partition_key = std::move(key);
  r.data = std::move(data);
  r.arrival_millis = arrival;
  return r;
}

TEST(ArchiveFormatTest, KeyIsHourOfFirstArrivalAndFirstSequence) {
  auto r = MakeRecord("49630000000000000001", "k", "x", 1764108000123);  // 2025-11-25T22:00:00.123Z
  EXPECT_EQ(ObjectKey("orders", "shardId-000000000001", r),
            "orders/2025/11/25/22/orders-shardId-000000000001-49630000000000000001.jsonl.zst");
  EXPECT_EQ(SequenceOfKey(ObjectKey("orders", "shardId-000000000001", r)), "49630000000000000001");
  EXPECT_EQ(SequenceOfKey("orders/x.txt"), "");
}

TEST(ArchiveFormatTest, SequencesCompareAsNumbers) {
  EXPECT_LT(CompareSequence("9", "10"), 0);
  EXPECT_GT(CompareSequence("100", "99"), 0);
  EXPECT_EQ(CompareSequence("42", "42"), 0);
}

TEST(ArchiveFormatTest, LinesRoundTripBinaryDataAndOddKeys) {
  auto r = MakeRecord("123", "key \"with\" quotes \xc3\xa9", std::string("\0\xff\n bin", 7), 1764108000123);
  std::string line = EncodeLine(r);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_NE(line.find("\"approximateArrivalTimestamp\":1764108000.123"), std::string::npos);
  auto back = DecodeLine(line.substr(0, line.size() - 1));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(back->partition_key, r.partition_key);
  EXPECT_EQ(back->data, r.data);
  EXPECT_EQ(back->sequence_number, "123");
  EXPECT_EQ(back->arrival_millis, 1764108000123);
  EXPECT_FALSE(DecodeLine("{\"a\":1}").ok());
}

}  // namespace
}  // namespace archiver
