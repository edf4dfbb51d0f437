#include "log/log.h"

#include <sys/resource.h>
#include <unistd.h>

#include <csignal>

#include <atomic>
#include <filesystem>
#include <functional>
#include <fstream>
#include <future>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "log/format.h"

namespace logs {
namespace {

namespace fs = std::filesystem;

class LogTest : public ::testing::Test {
 protected:
  LogTest() {
    dir_ = fs::temp_directory_path() / ("rivulet-log-test-" + std::to_string(::getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
  }
  ~LogTest() override {
    log_.reset();
    committer_.reset();
    fs::remove_all(dir_);
  }

  Status Open(SyncMode mode = SyncMode::kFsync) {
    log_.reset();
    committer_.reset();  // drains, like a process exit after the last ack
    committer_ = std::make_unique<Committer>(2, mode, 5, gather_micros_);
    LogOptions options;
    options.dir = dir_.string();
    options.segment_bytes = segment_bytes_;
    options.preallocate_bytes = preallocate_bytes_;
    options.index_interval_bytes = 64;
    options.clock = &clock_;
    options.committer = committer_.get();
    auto log = Log::Open(options);
    if (!log.ok()) return log.TakeStatus();
    log_ = std::move(log).value();
    return Status::OK();
  }

  // Appends one record and waits for its acknowledgement; returns its offset.
  uint64_t Write(const std::string& key, const std::string& value) {
    std::promise<uint64_t> acked;
    log_->Append({{key, value}}, [&](Status s, uint64_t first, int64_t) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      acked.set_value(first);
    });
    return acked.get_future().get();
  }

  std::vector<LogRecord> ReadAll(uint64_t from = 0) {
    std::vector<LogRecord> all;
    while (true) {
      auto batch = log_->Read(from, 7, 1 << 20);
      EXPECT_TRUE(batch.ok()) << batch.status().ToString();
      if (!batch.ok() || batch->empty()) return all;
      from = batch->back().offset + 1;
      for (auto& r : *batch) all.push_back(std::move(r));
    }
  }

  std::vector<fs::path> Segments() {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir_)) files.push_back(e.path());
    std::sort(files.begin(), files.end());
    return files;
  }

  static void CorruptByte(const fs::path& file, uint64_t position) {
    std::fstream f(file, std::ios::in | std::ios::out | std::ios::binary);
    f.seekg(static_cast<std::streamoff>(position));
    char c = 0;
    f.read(&c, 1);
    c ^= 0x5a;
    f.seekp(static_cast<std::streamoff>(position));
    f.write(&c, 1);
  }

  // 8 threads append 150 records each, "<thread>:<i>", each waiting for its
  // ack before the next; `leading` threads use AppendLeading (and Lead when
  // they get the commit). Every record must be acknowledged, and after a
  // reopen every thread's records must be there in its own order.
  void AppendConcurrentlyAndCheckOrder(const std::function<bool(int thread)>& leading, int per_thread = 150) {
    constexpr int kThreads = 8;
    std::atomic<int> acked{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < per_thread; ++i) {
          std::string value = std::to_string(t) + ":" + std::to_string(i);
          std::promise<void> done;
          auto ack = [&](Status s, uint64_t, int64_t) {
            if (s.ok()) ++acked;
            done.set_value();
          };
          if (!leading(t)) {
            log_->Append({{"k", value}}, ack);
          } else if (log_->AppendLeading({{"k", value}}, ack)) {
            log_->Lead();
          }
          done.get_future().wait();
        }
      });
    }
    for (auto& th : threads) th.join();
    EXPECT_EQ(acked.load(), kThreads * per_thread);
    ASSERT_TRUE(Open().ok());
    auto records = ReadAll();
    ASSERT_EQ(records.size(), size_t(kThreads * per_thread));
    std::map<int, int> next;  // each appender's records appear in its own order
    for (size_t i = 0; i < records.size(); ++i) {
      EXPECT_EQ(records[i].offset, i);
      auto colon = records[i].value.find(':');
      int t = std::stoi(records[i].value.substr(0, colon));
      EXPECT_EQ(std::stoi(records[i].value.substr(colon + 1)), next[t]++);
    }
  }

  fs::path dir_;
  common::ManualClock clock_;
  int64_t segment_bytes_ = 64 << 20;
  int64_t preallocate_bytes_ = LogOptions{}.preallocate_bytes;
  int gather_micros_ = 0;
  std::unique_ptr<Committer> committer_;
  std::shared_ptr<Log> log_;
};

TEST_F(LogTest, AppendedRecordsReadBackInOrder) {
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 20; ++i) EXPECT_EQ(Write("k" + std::to_string(i), "v" + std::to_string(i)), uint64_t(i));
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 20u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(records[i].offset, uint64_t(i));
    EXPECT_EQ(records[i].key, "k" + std::to_string(i));
    EXPECT_EQ(records[i].value, "v" + std::to_string(i));
    EXPECT_EQ(records[i].timestamp, clock_.NowMillis());
  }
  EXPECT_EQ(ReadAll(15).size(), 5u);
  EXPECT_EQ(log_->end_offset(), 20u);
}

TEST_F(LogTest, RecordsAndOffsetsSurviveReopen) {
  ASSERT_TRUE(Open().ok());
  Write("a", "1");
  Write("b", "2");
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(log_->recovery().records, 2u);
  EXPECT_EQ(Write("c", "3"), 2u);
  ASSERT_TRUE(Open().ok());
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].key, "c");
}

TEST_F(LogTest, TornTailIsTruncatedAtEveryByteOffsetOfTheLastRecord) {
  preallocate_bytes_ = 0;  // file sizes below are record sizes
  ASSERT_TRUE(Open().ok());
  Write("a", "first");
  Write("b", "second");
  log_.reset();
  uint64_t before_last = fs::file_size(Segments().at(0));
  ASSERT_TRUE(Open().ok());
  Write("c", "the last record, cut at every byte");
  log_.reset();
  fs::path file = Segments().at(0);
  uint64_t full = fs::file_size(file);
  std::string image(full, '\0');
  std::ifstream(file, std::ios::binary).read(image.data(), static_cast<std::streamsize>(full));
  for (uint64_t cut = before_last; cut < full; ++cut) {
    std::ofstream(file, std::ios::binary | std::ios::trunc).write(image.data(), static_cast<std::streamsize>(cut));
    ASSERT_TRUE(Open().ok()) << cut;
    EXPECT_EQ(log_->recovery().truncated_bytes, cut - before_last) << cut;
    auto records = ReadAll();
    ASSERT_EQ(records.size(), 2u) << cut;
    EXPECT_EQ(records[1].value, "second");
    EXPECT_EQ(fs::file_size(file), before_last);
    EXPECT_EQ(Write("d", "after recovery"), 2u) << cut;  // the lost offset is reused: it was never acked
    ASSERT_TRUE(Open().ok());
    EXPECT_EQ(ReadAll().size(), 3u);
  }
}

TEST_F(LogTest, CorruptByteInTheLastSegmentTruncatesFromThatRecord) {
  preallocate_bytes_ = 0;  // file sizes below are record sizes
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 5; ++i) Write("k", "value " + std::to_string(i));
  log_.reset();
  uint64_t frame = fs::file_size(Segments().at(0)) / 5;
  CorruptByte(Segments().at(0), 2 * frame + frame / 2);  // inside record 2
  ASSERT_TRUE(Open().ok());
  EXPECT_NE(log_->recovery().problem.find("corrupt"), std::string::npos);
  EXPECT_EQ(ReadAll().size(), 2u);
}

// The active segment's file runs ahead of its records; a kill -9 leaves
// that zeroed space, which recovery reads as free: nothing reported, the
// next record lands right after the last. A sealed segment loses its
// preallocated space, so it reopens clean.
TEST_F(LogTest, PreallocatedSpaceIsFreeAfterACrashAndGoneFromSealedSegments) {
  preallocate_bytes_ = 1 << 20;
  segment_bytes_ = 4 << 20;
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 3; ++i) Write("k", "value " + std::to_string(i));
  fs::path file = Segments().at(0);
  EXPECT_GE(fs::file_size(file), uint64_t{1} << 20);
  fs::path crashed = dir_.string() + "-crashed";
  fs::create_directories(crashed);
  fs::copy_file(file, crashed / file.filename());  // the file as a kill -9 leaves it
  log_.reset();
  // A clean close gives the space back (once the committer lets go too).
  for (int i = 0; i < 500 && fs::file_size(file) >= 1000; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_LT(fs::file_size(file), 1000u);
  fs::remove_all(dir_);
  fs::rename(crashed, dir_);

  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(log_->recovery().problem, "");
  EXPECT_EQ(log_->recovery().truncated_bytes, 0u);
  EXPECT_EQ(log_->recovery().records, 3u);
  EXPECT_EQ(Write("k", "after the crash"), 3u);
  for (int i = 0; i < 8; ++i) Write("big", std::string(1 << 20, 'x'));  // rolls segments
  ASSERT_GE(Segments().size(), 2u);
  for (size_t i = 0; i + 1 < Segments().size(); ++i) {
    auto sealed = Segments()[i];
    std::string image(fs::file_size(sealed), '\0');
    std::ifstream(sealed, std::ios::binary).read(image.data(), static_cast<std::streamsize>(image.size()));
    EXPECT_TRUE(ScanSegment(image, 0, nullptr).clean) << sealed;
  }
  ASSERT_TRUE(Open().ok());
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 12u);
  EXPECT_EQ(records[3].value, "after the crash");
}

TEST_F(LogTest, CorruptByteInASealedSegmentFailsOpen) {
  segment_bytes_ = 100;
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 6; ++i) Write("k", std::string(60, 'x'));
  log_.reset();
  ASSERT_GE(Segments().size(), 3u);
  CorruptByte(Segments().at(0), 30);
  Status s = Open();
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
}

TEST_F(LogTest, ReadsCrossSegmentBoundaries) {
  segment_bytes_ = 300;
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 40; ++i) Write("key", std::string(50, static_cast<char>('a' + i % 26)));
  EXPECT_GT(Segments().size(), 5u);
  ASSERT_TRUE(Open().ok());
  auto records = ReadAll(3);
  ASSERT_EQ(records.size(), 37u);
  for (size_t i = 0; i < records.size(); ++i) EXPECT_EQ(records[i].offset, i + 3);
}

TEST_F(LogTest, SeekTimestampFindsTheFirstRecordAtOrAfterIt) {
  segment_bytes_ = 500;
  ASSERT_TRUE(Open().ok());
  int64_t t0 = clock_.NowMillis();
  for (int i = 0; i < 30; ++i) {
    Write("k", "v");
    clock_.AdvanceMillis(10);
  }
  EXPECT_EQ(log_->SeekTimestamp(t0 - 5), 0u);
  EXPECT_EQ(log_->SeekTimestamp(t0 + 100), 10u);
  EXPECT_EQ(log_->SeekTimestamp(t0 + 101), 11u);
  EXPECT_EQ(log_->SeekTimestamp(t0 + 290), 29u);
  EXPECT_EQ(log_->SeekTimestamp(t0 + 291), 30u);  // none: the end
}

TEST_F(LogTest, RetentionDeletesOnlyExpiredSealedSegments) {
  segment_bytes_ = 200;
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 10; ++i) Write("k", std::string(60, 'o'));
  clock_.AdvanceMillis(3'600'000);
  for (int i = 0; i < 10; ++i) Write("k", std::string(60, 'n'));
  size_t before = Segments().size();
  auto deleted = log_->EnforceRetention(clock_.NowMillis() - 1'800'000, 0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_GT(*deleted, 0);
  EXPECT_EQ(Segments().size(), before - static_cast<size_t>(*deleted));
  auto records = ReadAll();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.front().offset, log_->start_offset());
  EXPECT_EQ(records.back().offset, 19u);
  for (const auto& r : records) {
    if (r.offset >= 10) {
      EXPECT_EQ(r.value[0], 'n');
    }
  }
  EXPECT_TRUE(std::all_of(records.begin(), records.end(), [](const LogRecord& r) { return r.offset >= 8; }));
  // Everything expired: the active segment stays so offsets keep growing.
  clock_.AdvanceMillis(10'000'000);
  ASSERT_TRUE(log_->EnforceRetention(clock_.NowMillis(), 0).ok());
  EXPECT_EQ(Segments().size(), 1u);
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(Write("k", "v"), 20u);
}

TEST_F(LogTest, RetentionBySizeKeepsTheNewestSegments) {
  segment_bytes_ = 200;
  ASSERT_TRUE(Open().ok());
  for (int i = 0; i < 30; ++i) Write("k", std::string(60, 'x'));
  ASSERT_TRUE(log_->EnforceRetention(0, 400).ok());
  EXPECT_LE(log_->size_bytes(), 400);
  EXPECT_EQ(ReadAll().back().offset, 29u);
}

TEST_F(LogTest, ConcurrentAppendersAreAllAcknowledgedAndPresentAfterReopen) {
  segment_bytes_ = 8 << 10;
  ASSERT_TRUE(Open().ok());
  AppendConcurrentlyAndCheckOrder([](int) { return false; });
}

TEST_F(LogTest, TailingReaderSeesEveryRecordOnceWhileSegmentsRoll) {
  segment_bytes_ = 512;
  ASSERT_TRUE(Open().ok());
  constexpr uint64_t kRecords = 1500;
  std::thread writer([&] {
    for (uint64_t i = 0; i < kRecords; ++i) {
      log_->Append({{"k", std::to_string(i)}}, [](Status, uint64_t, int64_t) {});
    }
  });
  std::vector<LogRecord> seen;
  uint64_t cursor = 0;
  while (seen.size() < kRecords) {
    auto batch = log_->Read(cursor, 37, 1 << 20);
    ASSERT_TRUE(batch.ok()) << batch.status().ToString();
    for (auto& r : *batch) seen.push_back(std::move(r));
    if (!batch->empty()) cursor = seen.back().offset + 1;
  }
  writer.join();
  for (uint64_t i = 0; i < kRecords; ++i) {
    ASSERT_EQ(seen[i].offset, i);
    ASSERT_EQ(seen[i].value, std::to_string(i));
  }
}

TEST_F(LogTest, FailedWriteIsReportedInvisibleAndLeavesTheFileClean) {
  preallocate_bytes_ = 0;  // the file size limit below must meet the write
  ASSERT_TRUE(Open().ok());
  Write("k", "kept");
  uint64_t size = fs::file_size(Segments().at(0));
  // Make the next write fail with EFBIG: a file size limit just above now.
  std::signal(SIGXFSZ, SIG_IGN);
  rlimit saved{};
  ::getrlimit(RLIMIT_FSIZE, &saved);
  rlimit small = saved;
  small.rlim_cur = size + 10;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &small), 0);
  std::promise<Status> failed;
  log_->Append({{"k", std::string(100, 'x')}}, [&](Status s, uint64_t, int64_t) { failed.set_value(s); });
  Status s = failed.get_future().get();
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &saved), 0);
  EXPECT_EQ(s.code(), Status::Code::kIOError) << s.ToString();
  EXPECT_EQ(fs::file_size(Segments().at(0)), size);
  EXPECT_EQ(ReadAll().size(), 1u);
  uint64_t next = Write("k", "after");
  EXPECT_GT(next, 1u);  // the failed offset is not reused while running
  ASSERT_TRUE(Open().ok());
  EXPECT_EQ(log_->recovery().truncated_bytes, 0u);
  auto records = ReadAll();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].value, "after");
}

TEST_F(LogTest, IntervalAndNoneModesAcknowledgeAndRead) {
  for (SyncMode mode : {SyncMode::kInterval, SyncMode::kNone}) {
    ASSERT_TRUE(Open(mode).ok());
    Write("k", "v");
    ASSERT_TRUE(Open(mode).ok());
    EXPECT_FALSE(ReadAll().empty());
  }
  EXPECT_EQ(ReadAll().size(), 2u);
}

TEST_F(LogTest, CommitListenerRunsAfterEachDurableBatch) {
  ASSERT_TRUE(Open().ok());
  std::atomic<int> calls{0};
  std::atomic<uint64_t> visible_at_call{0};
  log_->SetCommitListener([&] {
    visible_at_call = log_->end_offset();
    ++calls;
  });
  Write("k", "v");
  EXPECT_GE(calls.load(), 1);
  EXPECT_EQ(visible_at_call.load(), 1u);
}

TEST_F(LogTest, LogsOpenedOneAfterAnotherAreCommittedOnDifferentThreads) {
  // Two shards of a stream must not wait for each other's fsyncs.
  ASSERT_TRUE(Open().ok());  // a committer with 2 threads
  LogOptions options;
  options.dir = (dir_ / "second").string();
  options.clock = &clock_;
  options.committer = committer_.get();
  auto second = Log::Open(options);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto commit_thread_of = [](Log& log) {
    std::promise<std::thread::id> acked;
    log.Append({{"k", "v"}}, [&](Status s, uint64_t, int64_t) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      acked.set_value(std::this_thread::get_id());
    });
    return acked.get_future().get();
  };
  EXPECT_NE(commit_thread_of(*log_), commit_thread_of(**second));
}

TEST_F(LogTest, AnIdleLogIsCommittedOnTheThreadThatLeadsIt) {
  ASSERT_TRUE(Open().ok());
  std::vector<std::pair<uint64_t, std::thread::id>> acks;
  auto ack = [&](Status s, uint64_t first, int64_t) {
    EXPECT_TRUE(s.ok()) << s.ToString();
    acks.emplace_back(first, std::this_thread::get_id());
  };
  ASSERT_TRUE(log_->AppendLeading({{"k", "1"}}, ack));
  // While a leader holds the commit, other appends only queue behind it.
  EXPECT_FALSE(log_->AppendLeading({{"k", "2"}}, ack));
  log_->Append({{"k", "3"}}, ack);
  EXPECT_EQ(log_->end_offset(), 0u);
  log_->Lead();  // one commit of all three, on this thread
  ASSERT_EQ(acks.size(), 3u);
  for (size_t i = 0; i < acks.size(); ++i) {
    EXPECT_EQ(acks[i].first, i);
    EXPECT_EQ(acks[i].second, std::this_thread::get_id());
  }
  EXPECT_EQ(log_->end_offset(), 3u);
  ASSERT_TRUE(Open().ok());
  ASSERT_EQ(ReadAll().size(), 3u);
}

TEST_F(LogTest, LeadersAndCommitThreadsTogetherKeepEveryAppendInOrder) {
  segment_bytes_ = 8 << 10;  // rolls segments, which the leaders do too
  ASSERT_TRUE(Open().ok());
  AppendConcurrentlyAndCheckOrder([](int thread) { return thread % 2 == 0; });
}

TEST_F(LogTest, CommitsThatWaitToGatherKeepEveryAppendInOrder) {
  // 8 appenders waiting for their acks share every commit at a high rate:
  // once the first 50 ms have measured that, the commits wait to gather
  // (common::CommitGathering), leaders' too.
  gather_micros_ = 1000;
  segment_bytes_ = 8 << 10;
  ASSERT_TRUE(Open().ok());
  AppendConcurrentlyAndCheckOrder([](int thread) { return thread % 2 == 0; }, 600);
}

TEST_F(LogTest, WithoutFsyncTheCommitThreadCommitsEvenForALeader) {
  // Interval mode's periodic syncs cover the logs its threads committed.
  for (SyncMode mode : {SyncMode::kInterval, SyncMode::kNone}) {
    ASSERT_TRUE(Open(mode).ok());
    std::promise<std::thread::id> acked;
    EXPECT_FALSE(log_->AppendLeading({{"k", "v"}}, [&](Status s, uint64_t, int64_t) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      acked.set_value(std::this_thread::get_id());
    }));
    EXPECT_NE(acked.get_future().get(), std::this_thread::get_id());
  }
}

}  // namespace
}  // namespace logs
