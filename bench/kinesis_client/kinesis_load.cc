// kinesis_load: drives a Kinesis endpoint on 127.0.0.1 and prints one line of
// JSON per phase. Phases (run in order, each optional):
//   --put-records-seconds S  PutRecords of --batch records of --record-bytes
//                            from --connections threads for S seconds
//   --put-record-seconds S   sequential single PutRecord on one connection;
//                            latency p50/p99/max
//   --drain                  reads every shard from TRIM_HORIZON to the tip
//                            (GetRecords Limit 10000, one thread per shard)
//                            and checks that each acknowledged record was
//                            read exactly once (by partition key)
// The stream is created first (--shards) and waited for until ACTIVE.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>
#include <vector>

#include <simdjson.h>

#include "aws/common/base64.h"
#include "kinesis_call.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int port = 0;
  std::string stream = "bench";
  int shards = 8;
  int connections = 8;
  int batch = 500;
  int record_bytes = 100;
  double put_records_seconds = 0;
  double put_record_seconds = 0;
  bool drain = false;
  std::string label = "target";
  int server_pid = 0;  // when set, each phase also reports the server's CPU seconds
};

// utime + stime of `pid` in seconds (0 when unknown). On a shared machine the
// server's CPU per record is steadier than wall-clock throughput.
double CpuSeconds(int pid) {
  if (pid <= 0) return 0;
  FILE* f = std::fopen(("/proc/" + std::to_string(pid) + "/stat").c_str(), "r");
  if (f == nullptr) return 0;
  char buf[4096];
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, f);
  std::fclose(f);
  buf[n] = 0;
  const char* p = std::strrchr(buf, ')');  // the command name may contain spaces
  if (p == nullptr) return 0;
  unsigned long utime = 0, stime = 0;
  // Fields after ')': state(3) ... utime(14) stime(15).
  if (std::sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &utime, &stime) != 2) return 0;
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

using bench::Die;
using Connection = bench::Http1Connection;

std::string Escape(std::string_view s) { return std::string(s); }  // our names need no escaping

void CreateStream(const Options& o) {
  Connection c(o.port);
  std::string body;
  int status = c.Call("CreateStream",
                      "{\"StreamName\":\"" + Escape(o.stream) + "\",\"ShardCount\":" + std::to_string(o.shards) + "}",
                      &body);
  if (status != 200) Die("CreateStream: " + body);
  for (int i = 0; i < 2000; ++i) {  // kinesalite goes CREATING -> ACTIVE asynchronously
    status = c.Call("DescribeStreamSummary", "{\"StreamName\":\"" + Escape(o.stream) + "\"}", &body);
    if (status == 200 && body.find("\"ACTIVE\"") != std::string::npos) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Die("stream never became ACTIVE");
}

// Builds a PutRecords body with unique partition keys "<prefix><n>".
std::string PutRecordsBody(const Options& o, const std::string& data_b64, const std::string& prefix, uint64_t first) {
  std::string body = "{\"StreamName\":\"" + o.stream + "\",\"Records\":[";
  body.reserve(o.batch * (data_b64.size() + 48) + 64);
  for (int i = 0; i < o.batch; ++i) {
    if (i) body += ',';
    body += "{\"PartitionKey\":\"";
    body += prefix;
    body += std::to_string(first + i);
    body += "\",\"Data\":\"";
    body += data_b64;
    body += "\"}";
  }
  body += "]}";
  return body;
}

std::mutex keys_mu;
std::vector<std::string> acked_keys;  // guarded by keys_mu

void PhasePutRecords(const Options& o, const std::string& data_b64) {
  std::atomic<uint64_t> acked{0}, failed{0}, calls{0};
  auto deadline = Clock::now() + std::chrono::duration<double>(o.put_records_seconds);
  auto start = Clock::now();
  double cpu0 = CpuSeconds(o.server_pid);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      Connection c(o.port);
      std::string prefix = "t" + std::to_string(t) + "-", body;
      std::vector<std::string> mine;
      uint64_t n = 0;
      simdjson::dom::parser parser;
      while (Clock::now() < deadline) {
        std::string request = PutRecordsBody(o, data_b64, prefix, n);
        int status = c.Call("PutRecords", request, &body);
        calls++;
        if (status != 200) Die("PutRecords HTTP " + std::to_string(status) + ": " + body.substr(0, 300));
        simdjson::dom::element doc;
        if (parser.parse(body).get(doc)) Die("PutRecords: bad JSON");
        simdjson::dom::array records = doc["Records"];
        int i = 0;
        for (simdjson::dom::element r : records) {
          if (r["ErrorCode"].error() == simdjson::SUCCESS) failed++;
          else mine.push_back(prefix + std::to_string(n + i));
          ++i;
        }
        acked += static_cast<uint64_t>(i);
        n += o.batch;
      }
      std::lock_guard lock(keys_mu);
      acked_keys.insert(acked_keys.end(), mine.begin(), mine.end());
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  uint64_t ok = acked.load() - failed.load();
  double cpu = CpuSeconds(o.server_pid) - cpu0;
  std::printf(
      "{\"target\":\"%s\",\"phase\":\"put_records\",\"records\":%llu,\"failed\":%llu,\"calls\":%llu,"
      "\"seconds\":%.3f,\"records_per_s\":%.0f,\"mb_per_s\":%.2f,\"server_cpu_s\":%.2f,"
      "\"records_per_server_cpu_s\":%.0f}\n",
      o.label.c_str(), (unsigned long long)ok, (unsigned long long)failed.load(), (unsigned long long)calls.load(),
      seconds, ok / seconds, ok * o.record_bytes / seconds / 1e6, cpu, cpu > 0 ? ok / cpu : 0.0);
}

void PhasePutRecord(const Options& o, const std::string& data_b64) {
  Connection c(o.port);
  std::vector<double> micros;
  std::string body;
  auto deadline = Clock::now() + std::chrono::duration<double>(o.put_record_seconds);
  uint64_t n = 0;
  while (Clock::now() < deadline) {
    std::string key = "single-" + std::to_string(n++);
    std::string request = "{\"StreamName\":\"" + o.stream + "\",\"PartitionKey\":\"" + key + "\",\"Data\":\"" +
                          data_b64 + "\"}";
    auto t0 = Clock::now();
    int status = c.Call("PutRecord", request, &body);
    auto t1 = Clock::now();
    if (status != 200) Die("PutRecord HTTP " + std::to_string(status) + ": " + body.substr(0, 300));
    micros.push_back(std::chrono::duration<double, std::micro>(t1 - t0).count());
    std::lock_guard lock(keys_mu);
    acked_keys.push_back(std::move(key));
  }
  std::sort(micros.begin(), micros.end());
  auto pct = [&](double p) { return micros.empty() ? 0.0 : micros[std::min(micros.size() - 1, size_t(p * micros.size()))]; };
  std::printf(
      "{\"target\":\"%s\",\"phase\":\"put_record\",\"calls\":%zu,\"p50_us\":%.0f,\"p99_us\":%.0f,\"max_us\":%.0f}\n",
      o.label.c_str(), micros.size(), pct(0.50), pct(0.99), micros.empty() ? 0.0 : micros.back());
}

void PhaseDrain(const Options& o) {
  std::vector<std::string> shard_ids;
  {
    Connection c(o.port);
    std::string body;
    if (c.Call("ListShards", "{\"StreamName\":\"" + o.stream + "\"}", &body) != 200) Die("ListShards: " + body);
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    if (parser.parse(body).get(doc)) Die("ListShards: bad JSON");
    for (simdjson::dom::element s : simdjson::dom::array(doc["Shards"])) {
      shard_ids.emplace_back(std::string_view(s["ShardId"]));
    }
  }
  std::mutex mu;
  std::unordered_set<std::string> seen;
  uint64_t duplicates = 0;
  std::atomic<uint64_t> read{0}, bytes{0};
  auto start = Clock::now();
  double cpu0 = CpuSeconds(o.server_pid);
  std::vector<std::thread> threads;
  for (const std::string& shard : shard_ids) {
    threads.emplace_back([&, shard] {
      Connection c(o.port);
      std::string body;
      simdjson::dom::parser parser;
      if (c.Call("GetShardIterator", "{\"StreamName\":\"" + o.stream + "\",\"ShardId\":\"" + shard +
                                         "\",\"ShardIteratorType\":\"TRIM_HORIZON\"}", &body) != 200) {
        Die("GetShardIterator: " + body);
      }
      simdjson::dom::element doc;
      if (parser.parse(body).get(doc)) Die("GetShardIterator: bad JSON");
      std::string iterator{std::string_view(doc["ShardIterator"])};
      std::vector<std::string> keys;
      while (!iterator.empty()) {
        if (c.Call("GetRecords", "{\"ShardIterator\":\"" + iterator + "\",\"Limit\":10000}", &body) != 200) {
          Die("GetRecords: " + body.substr(0, 300));
        }
        if (parser.parse(body).get(doc)) Die("GetRecords: bad JSON");
        size_t count = 0;
        for (simdjson::dom::element r : simdjson::dom::array(doc["Records"])) {
          keys.emplace_back(std::string_view(r["PartitionKey"]));
          bytes += aws::Base64DecodedLength(std::string_view(r["Data"]));
          ++count;
        }
        read += count;
        std::string_view next;
        int64_t behind = 0;
        if (doc["MillisBehindLatest"].get(behind)) behind = 0;
        if (doc["NextShardIterator"].get(next) || (count == 0 && behind == 0)) break;
        iterator = std::string(next);
      }
      std::lock_guard lock(mu);
      for (auto& k : keys) {
        if (!seen.insert(std::move(k)).second) ++duplicates;
      }
    });
  }
  for (auto& t : threads) t.join();
  double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  double cpu = CpuSeconds(o.server_pid) - cpu0;
  uint64_t missing = 0;
  for (const auto& k : acked_keys) missing += seen.count(k) ? 0 : 1;
  std::printf(
      "{\"target\":\"%s\",\"phase\":\"drain\",\"records\":%llu,\"seconds\":%.3f,\"records_per_s\":%.0f,"
      "\"mb_per_s\":%.2f,\"server_cpu_s\":%.2f,\"records_per_server_cpu_s\":%.0f,\"acknowledged\":%zu,"
      "\"missing\":%llu,\"duplicates\":%llu,\"all_read\":%s}\n",
      o.label.c_str(), (unsigned long long)read.load(), seconds, read.load() / seconds, bytes.load() / seconds / 1e6,
      cpu, cpu > 0 ? read.load() / cpu : 0.0,
      acked_keys.size(), (unsigned long long)missing, (unsigned long long)duplicates,
      missing == 0 && duplicates == 0 ? "true" : "false");
  if (missing || duplicates) std::exit(1);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) Die("missing value for " + a);
      return argv[++i];
    };
    if (a == "--port") o.port = std::stoi(next());
    else if (a == "--stream") o.stream = next();
    else if (a == "--shards") o.shards = std::stoi(next());
    else if (a == "--connections") o.connections = std::stoi(next());
    else if (a == "--batch") o.batch = std::stoi(next());
    else if (a == "--record-bytes") o.record_bytes = std::stoi(next());
    else if (a == "--put-records-seconds") o.put_records_seconds = std::stod(next());
    else if (a == "--put-record-seconds") o.put_record_seconds = std::stod(next());
    else if (a == "--drain") o.drain = true;
    else if (a == "--label") o.label = next();
    else if (a == "--server-pid") o.server_pid = std::stoi(next());
    else Die("unknown flag " + a);
  }
  if (o.port <= 0) Die("--port is required (the endpoint is always 127.0.0.1)");
  std::string data(static_cast<size_t>(o.record_bytes), 'x');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>('a' + i % 26);
  std::string data_b64 = aws::Base64Encode(data);
  CreateStream(o);
  if (o.put_records_seconds > 0) PhasePutRecords(o, data_b64);
  if (o.put_record_seconds > 0) PhasePutRecord(o, data_b64);
  if (o.drain) PhaseDrain(o);
  return 0;
}
