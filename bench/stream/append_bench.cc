// stream_append_bench: how close the engine's durable append rate comes to
// what the disk itself can do.
//
// Phases, each --seconds long, all in one run on the same file system:
//   raw-fsync      one thread: write 124 bytes (one framed 100-byte record)
//                  + fdatasync, in a loop: the disk's limit for individually
//                  durable records, which group commit must beat
//   raw-batched    one thread: write 500 framed records + fdatasync: what the
//                  disk gives when every fsync covers a full batch
//   engine N thr   N threads each calling PutRecord (100-byte records, fsync
//                  durability) on a 1-shard stream: acknowledged records/s,
//                  i.e. after their fdatasync
//   engine 4 shards  64 threads, PutRecord, partition keys spread over 4
//                  shards (4 commit threads sync them in parallel)
//   engine batch   8 threads calling PutRecords with 500 records each
//   raw-fsync      measured again at the end (the disk may be shared)
// Prints one table with records/s and the ratio to the mean raw-fsync rate.
//
// Usage: stream_append_bench [--dir D] [--seconds S] [--threads 1,8,64]
#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "stream/stream_engine.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr size_t kRecordBytes = 100;
constexpr size_t kFrameBytes = 124;  // 24-byte header + varint + 1-byte key + 100 bytes, rounded up

struct Row {
  std::string name;
  double records_per_second;
  double mib_per_second;
};

double Seconds(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Row RawFsync(const fs::path& dir, double seconds, size_t records_per_sync, const std::string& name) {
  fs::path file = dir / ("raw-" + std::to_string(records_per_sync));
  int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) {
    std::perror("open");
    std::exit(1);
  }
  std::string chunk(kFrameBytes * records_per_sync, 'r');
  uint64_t records = 0;
  auto start = Clock::now();
  while (Seconds(start) < seconds) {
    if (::write(fd, chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size()) || ::fdatasync(fd) != 0) {
      std::perror("write/fdatasync");
      std::exit(1);
    }
    records += records_per_sync;
  }
  double elapsed = Seconds(start);
  ::close(fd);
  fs::remove(file);
  return {name, records / elapsed, records * kFrameBytes / elapsed / (1 << 20)};
}

Row Engine(const fs::path& dir, double seconds, int threads, size_t batch, const std::string& name,
           int shards = 1) {
  fs::path data = dir / ("engine-" + std::to_string(threads) + "-" + std::to_string(batch));
  stream::StreamEngineOptions options;
  options.data_dir = data.string();
  options.start_retention_thread = false;
  auto engine = stream::StreamEngine::Open(options);
  if (!engine.ok() || !(*engine)->CreateStream("bench", shards, stream::StreamMode::kProvisioned).ok()) {
    std::fprintf(stderr, "cannot open the engine: %s\n", engine.status().ToString().c_str());
    std::exit(1);
  }
  stream::StreamEngine* e = engine->get();
  std::atomic<uint64_t> acked{0};
  std::atomic<bool> failed{false};
  auto start = Clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::string key = "pk-" + std::to_string(t);
      while (Seconds(start) < seconds) {
        std::vector<stream::PutEntry> entries(batch, stream::PutEntry{key, std::nullopt, std::string(kRecordBytes, 'd')});
        std::promise<size_t> done;
        e->PutRecords("bench", std::move(entries), [&](auto result) {
          size_t ok = 0;
          if (result.ok()) {
            for (auto& r : *result) ok += r.ok() ? 1 : 0;
          }
          done.set_value(ok);
        });
        size_t ok = done.get_future().get();
        if (ok != batch) failed = true;
        acked += ok;
      }
    });
  }
  for (auto& w : workers) w.join();
  double elapsed = Seconds(start);
  engine->reset();
  fs::remove_all(data);
  if (failed) std::fprintf(stderr, "warning: some appends failed in %s\n", name.c_str());
  return {name, acked / elapsed, acked * kFrameBytes / elapsed / (1 << 20)};
}

}  // namespace

int main(int argc, char** argv) {
  fs::path dir = fs::temp_directory_path() / ("rivulet-append-bench-" + std::to_string(::getpid()));
  double seconds = 2;
  std::vector<int> thread_counts = {1, 8, 64};
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i];
    if (flag == "--dir") {
      dir = fs::path(argv[i + 1]) / ("rivulet-append-bench-" + std::to_string(::getpid()));
    } else if (flag == "--seconds") {
      seconds = std::stod(argv[i + 1]);
    } else if (flag == "--threads") {
      thread_counts.clear();
      std::string list = argv[i + 1];
      for (size_t p = 0; p < list.size();) {
        size_t comma = list.find(',', p);
        thread_counts.push_back(std::stoi(list.substr(p, comma - p)));
        p = comma == std::string::npos ? list.size() : comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: %s [--dir D] [--seconds S] [--threads 1,8,64]\n", argv[0]);
      return 2;
    }
  }
  fs::create_directories(dir);
  std::printf("stream_append_bench: %zu-byte records, fsync durability, %.1f s per phase, in %s\n",
              kRecordBytes, seconds, dir.c_str());
  std::vector<Row> rows;
  rows.push_back(RawFsync(dir, seconds, 1, "raw write+fdatasync per record"));
  rows.push_back(RawFsync(dir, seconds, 500, "raw write+fdatasync per 500 records"));
  for (int t : thread_counts) {
    rows.push_back(Engine(dir, seconds, t, 1, "engine PutRecord, " + std::to_string(t) + " appender thread(s)"));
  }
  rows.push_back(Engine(dir, seconds, 64, 1, "engine PutRecord, 64 threads, 4 shards", 4));
  rows.push_back(Engine(dir, seconds, 8, 500, "engine PutRecords x500, 8 threads"));
  // The disk is shared and noisy: measure its limit again at the end and
  // compare against the mean of both measurements.
  rows.push_back(RawFsync(dir, seconds, 1, "raw write+fdatasync per record (again)"));
  fs::remove_all(dir);

  double raw = (rows.front().records_per_second + rows.back().records_per_second) / 2;
  std::printf("%-44s %14s %10s %12s\n", "phase", "records/s", "MiB/s", "x raw fsync");
  for (const Row& r : rows) {
    std::printf("%-44s %14.0f %10.1f %12.2f\n", r.name.c_str(), r.records_per_second, r.mib_per_second,
                r.records_per_second / raw);
  }
  return 0;
}
