#include "console/tail.h"

#include <unistd.h>

#include <filesystem>

#include <gtest/gtest.h>

#include "stream/stream_engine.h"

namespace console {
namespace {

namespace fs = std::filesystem;

TEST(CursorTest, RoundTripsSequencesAndTimes) {
  std::vector<TailPosition> in = {{"shardId-000000000000", "49000000000000000000000000000000000000000005", 0},
                                  {"shardId-000000000001", "", 1732563600123}};
  std::string text = FormatCursor(in);
  EXPECT_EQ(text, "shardId-000000000000:49000000000000000000000000000000000000000005,shardId-000000000001:t1732563600123");
  auto out = ParseCursor(text);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  ASSERT_EQ(out->size(), 2u);
  EXPECT_EQ((*out)[0].after_sequence, in[0].after_sequence);
  EXPECT_EQ((*out)[1].at_millis, 1732563600123);
  EXPECT_TRUE(ParseCursor("")->empty());
}

TEST(CursorTest, RejectsWhatItDidNotMake) {
  for (const char* bad : {"shardId-0", "shardId-0:abc", "shard/0:1", ":1", "s:t", "s:t12x", "s:-1"}) {
    EXPECT_TRUE(ParseCursor(bad).status().code() == common::Status::Code::kInvalidArgument) << bad;
  }
}

TEST(RecordJsonTest, TextStaysTextBinaryBecomesBase64) {
  TailRecord text{"shardId-000000000000", {"4900", "pk", R"({"orderId":"o-1","note":"café"})", 5}};
  auto j = RecordJson(text);
  EXPECT_EQ(j["encoding"], "text");
  EXPECT_EQ(j["data"], R"({"orderId":"o-1","note":"café"})");
  EXPECT_EQ(j["arrivedAt"], 5);

  TailRecord binary{"shardId-000000000000", {"4901", "pk", std::string("\x00\xff\x01", 3), 6}};
  j = RecordJson(binary);
  EXPECT_EQ(j["encoding"], "base64");
  EXPECT_EQ(j["data"], "AP8B");
  EXPECT_EQ(j["size"], 3);
}

TEST(RecordJsonTest, LongDataIsCutAtACharacterBoundary) {
  TailRecord r{"s", {"1", "pk", "ab" + std::string("é") + "cd", 0}};  // é is 2 bytes: a b 0xC3 0xA9 c d
  auto j = RecordJson(r, 3);  // the cut falls inside é
  EXPECT_EQ(j["encoding"], "text");
  EXPECT_EQ(j["data"], "ab");
  EXPECT_EQ(j["truncated"], true);
}

class ReadTailTest : public ::testing::Test {
 protected:
  ReadTailTest() {
    dir_ = fs::temp_directory_path() / ("rivulet-console-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    stream::StreamEngineOptions options;
    options.data_dir = dir_.string();
    options.clock = &clock_;
    options.start_retention_thread = false;
    options.commit_threads = 1;
    options.durability = stream::Durability::kNone;
    auto engine = stream::StreamEngine::Open(options);
    EXPECT_TRUE(engine.ok()) << engine.status().ToString();
    engine_ = std::move(engine).value();
    EXPECT_TRUE(engine_->CreateStream("s", 2, stream::StreamMode::kProvisioned).ok());
  }
  ~ReadTailTest() override {
    engine_.reset();
    fs::remove_all(dir_);
  }
  void Put(const std::string& key, const std::string& data) {
    ASSERT_TRUE(engine_->PutRecord("s", {key, std::nullopt, data}).ok());
  }
  TailResult Tail(const std::vector<TailPosition>& from, int limit, int64_t since = 0) {
    auto r = ReadTail(engine_.get(), "s", from, since, limit, clock_.NowMillis());
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::move(r).value() : TailResult{};
  }

  fs::path dir_;
  common::ManualClock clock_{1'000'000};
  std::unique_ptr<stream::StreamEngine> engine_;
};

TEST_F(ReadTailTest, FirstReadStartsAtSinceThenOnlyNewRecords) {
  Put("a", "old");
  clock_.AdvanceMillis(10'000);
  Put("b", "one");
  Put("c", "two");
  auto first = Tail({}, 50, clock_.NowMillis() - 5'000);
  ASSERT_EQ(first.records.size(), 2u);  // "old" is before `since`
  EXPECT_EQ(first.skipped, 0);
  EXPECT_EQ(first.next.size(), 2u);  // one position per open shard

  auto empty = Tail(first.next, 50);
  EXPECT_TRUE(empty.records.empty());

  clock_.AdvanceMillis(1'000);
  Put("d", "three");
  auto next = Tail(empty.next, 50);
  ASSERT_EQ(next.records.size(), 1u);
  EXPECT_EQ(next.records[0].record.data, "three");
}

TEST_F(ReadTailTest, KeepsTheNewestAndCountsTheSkipped) {
  for (int i = 0; i < 10; ++i) {
    clock_.AdvanceMillis(1);
    Put("k" + std::to_string(i), std::to_string(i));
  }
  auto r = Tail({}, 3, 0);
  ASSERT_EQ(r.records.size(), 3u);
  EXPECT_EQ(r.skipped, 7);
  EXPECT_EQ(r.records[0].record.data, "7");
  EXPECT_EQ(r.records[2].record.data, "9");
}

TEST_F(ReadTailTest, CountSinceCountsTheLastSecond) {
  auto d = engine_->DescribeStream("s");
  ASSERT_TRUE(d.ok());
  Put("x", "early");
  clock_.AdvanceMillis(2'000);
  for (int i = 0; i < 5; ++i) Put("same-key", "now");
  int64_t total = 0;
  for (const auto& shard : d->shards) {
    auto n = CountSince(engine_.get(), "s", shard.shard_id, clock_.NowMillis() - 1000, 100);
    ASSERT_TRUE(n.ok());
    total += *n;
  }
  EXPECT_EQ(total, 5);
}

}  // namespace
}  // namespace console
