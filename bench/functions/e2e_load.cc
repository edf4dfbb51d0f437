// functions_e2e_load: end-to-end latency of a function through the real
// server, open loop. Sender threads call PutRecords on the AWS port at a
// fixed rate (call i is due at start + i * interval, whatever happened to
// the calls before it), and the driver itself is the function: it long-polls
// the Lambda Runtime API of an external function (GET .../invocation/next),
// notes when each record arrives and answers {"batchItemFailures":[]}.
// Latencies are measured from each call's intended send time:
//   ack     intended -> PutRecords answered (records durable)
//   invoke  intended -> the record reached the handler
//   ack->invoke      -> what the functions runtime adds after durability
// Prints one JSON line.
//
// Usage: functions_e2e_load --aws-port P --runtime-port R --stream S --rate N
//          --seconds T [--records-per-put K] [--senders M] [--label L]
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <simdjson.h>

#include "aws/common/base64.h"
#include "kinesis_call.h"

namespace {

using Clock = std::chrono::steady_clock;

using bench::Die;
using bench::Http1Connection;

int64_t Micros(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::microseconds>(t.time_since_epoch()).count();
}

struct Quantiles {
  double p50 = 0, p99 = 0, max = 0;
};
Quantiles Of(std::vector<int64_t> v) {
  if (v.empty()) return {};
  std::sort(v.begin(), v.end());
  auto at = [&](double q) { return static_cast<double>(v[std::min(v.size() - 1, static_cast<size_t>(q * v.size()))]) / 1000.0; };
  return {at(0.50), at(0.99), static_cast<double>(v.back()) / 1000.0};
}

}  // namespace

int main(int argc, char** argv) {
  int aws_port = 0, runtime_port = 0, per_put = 1, senders = 4;
  double rate = 1000, seconds = 10;
  std::string stream = "bench", label = "run";
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--aws-port") aws_port = std::stoi(value);
    else if (flag == "--runtime-port") runtime_port = std::stoi(value);
    else if (flag == "--stream") stream = value;
    else if (flag == "--rate") rate = std::stod(value);
    else if (flag == "--seconds") seconds = std::stod(value);
    else if (flag == "--records-per-put") per_put = std::stoi(value);
    else if (flag == "--senders") senders = std::stoi(value);
    else if (flag == "--label") label = value;
    else Die("unknown flag " + flag);
  }
  if (aws_port == 0 || runtime_port == 0) Die("--aws-port and --runtime-port are required");
  const int64_t calls = static_cast<int64_t>(rate * seconds / per_put);
  const int64_t records = calls * per_put;
  const auto interval = std::chrono::nanoseconds(static_cast<int64_t>(1e9 * per_put / rate));

  std::vector<std::atomic<int64_t>> invoked(static_cast<size_t>(records));  // micros, 0 = not yet
  std::vector<int64_t> acked(static_cast<size_t>(calls), 0);                // micros
  std::atomic<int64_t> seen{0};
  std::atomic<bool> stop{false};

  // The function: one invocation at a time, like one Lambda execution environment.
  std::thread consumer([&] {
    Http1Connection runtime(runtime_port);
    std::string head, body, ignored;
    simdjson::ondemand::parser parser;
    const std::string prefix = label + ":";
    while (!stop.load()) {
      int status = runtime.Request("GET", "/2018-06-01/runtime/invocation/next", "", "", &body, &head);
      int64_t now = Micros(Clock::now());
      if (status != 200) Die("invocation/next answered " + std::to_string(status) + ": " + body);
      std::string id = bench::HeaderValue(head, "Lambda-Runtime-Aws-Request-Id");
      simdjson::padded_string padded(body);
      auto doc = parser.iterate(padded);
      for (auto record : doc["Records"].get_array()) {
        std::string_view data64 = record["kinesis"]["data"].get_string().value();
        auto data = aws::Base64Decode(data64);
        if (!data.ok() || data->compare(0, prefix.size(), prefix) != 0) continue;  // an older run's record
        int64_t index = std::stoll(data->substr(prefix.size()));
        if (index < 0 || index >= records) continue;
        int64_t expected = 0;
        if (invoked[static_cast<size_t>(index)].compare_exchange_strong(expected, now)) seen.fetch_add(1);
      }
      runtime.Request("POST", "/2018-06-01/runtime/invocation/" + id + "/response",
                      "Content-Type: application/json\r\n", R"({"batchItemFailures":[]})", &ignored);
      if (seen.load() >= records) break;
    }
  });

  const auto start = Clock::now() + std::chrono::milliseconds(100);
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      Http1Connection kinesis(aws_port);
      std::string body, request;
      for (int64_t call = t; call < calls; call += senders) {
        auto due = start + interval * call;
        std::this_thread::sleep_until(due);
        request = "{\"StreamName\":\"" + stream + "\",\"Records\":[";
        for (int r = 0; r < per_put; ++r) {
          int64_t index = call * per_put + r;
          if (r > 0) request += ",";
          request += "{\"PartitionKey\":\"k" + std::to_string(index % 256) + "\",\"Data\":\"" +
                     aws::Base64Encode(label + ":" + std::to_string(index)) + "\"}";
        }
        request += "]}";
        int status = kinesis.Call("PutRecords", request, &body);
        if (status != 200 || body.find("\"FailedRecordCount\":0") == std::string::npos) {
          Die("PutRecords answered " + std::to_string(status) + ": " + body.substr(0, 300));
        }
        acked[static_cast<size_t>(call)] = Micros(Clock::now());
      }
    });
  }
  for (auto& t : threads) t.join();
  auto deadline = Clock::now() + std::chrono::seconds(10);
  while (seen.load() < records && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  bool complete = seen.load() >= records;
  if (!complete) {
    std::fprintf(stderr, "functions_e2e_load: only %lld of %lld records reached the handler\n",
                 static_cast<long long>(seen.load()), static_cast<long long>(records));
    stop = true;
    consumer.detach();  // blocked in a long poll; the process exits below
  } else {
    consumer.join();
  }

  std::vector<int64_t> ack, invoke, ack_to_invoke;
  for (int64_t call = 0; call < calls; ++call) {
    int64_t intended = Micros(start + interval * call);
    ack.push_back(acked[static_cast<size_t>(call)] - intended);
    for (int r = 0; r < per_put; ++r) {
      int64_t at = invoked[static_cast<size_t>(call * per_put + r)].load();
      if (at == 0) continue;
      invoke.push_back(at - intended);
      ack_to_invoke.push_back(at - acked[static_cast<size_t>(call)]);
    }
  }
  Quantiles a = Of(ack), i = Of(invoke), d = Of(ack_to_invoke);
  std::printf(
      "{\"label\": \"%s\", \"rate\": %.0f, \"records\": %lld, \"records_per_put\": %d, \"handled\": %lld, "
      "\"ack_p50_ms\": %.3f, \"ack_p99_ms\": %.3f, \"invoke_p50_ms\": %.3f, \"invoke_p99_ms\": %.3f, "
      "\"invoke_max_ms\": %.3f, \"ack_to_invoke_p50_ms\": %.3f, \"ack_to_invoke_p99_ms\": %.3f}\n",
      label.c_str(), rate, static_cast<long long>(records), per_put, static_cast<long long>(seen.load()), a.p50,
      a.p99, i.p50, i.p99, i.max, d.p50, d.p99);
  std::fflush(stdout);
  if (!complete) std::_Exit(1);
  return 0;
}
