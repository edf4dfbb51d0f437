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
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

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

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const std::string& what) {
  std::fprintf(stderr, "functions_e2e_load: %s\n", what.c_str());
  std::exit(2);
}

// One keep-alive HTTP/1.1 connection to 127.0.0.1. Not thread-safe.
class Connection {
 public:
  explicit Connection(int port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("connect failed");
    int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  }
  ~Connection() { ::close(fd_); }

  // Returns the status; `headers` gets the raw head, `body` the body.
  int Call(std::string_view method, std::string_view path, std::string_view extra_headers, std::string_view body,
           std::string* head, std::string* out) {
    request_.clear();
    request_.append(method).append(" ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1\r\n");
    request_.append(extra_headers);
    request_.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n\r\n").append(body);
    std::string_view data = request_;
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) Die("send failed");
      data.remove_prefix(static_cast<size_t>(n));
    }
    size_t end;
    while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) Fill();
    head->assign(buffer_, 0, end);
    int status = std::atoi(head->substr(9, 3).c_str());
    std::string lower = *head;
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower.find("content-length:");
    size_t length = at == std::string::npos ? 0 : std::strtoull(lower.c_str() + at + 15, nullptr, 10);
    buffer_.erase(0, end + 4);
    while (buffer_.size() < length) Fill();
    out->assign(buffer_, 0, length);
    buffer_.erase(0, length);
    return status;
  }

  static std::string Header(const std::string& head, std::string_view name) {
    std::string lower = head, key(name);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    size_t at = lower.find("\r\n" + key + ":");
    if (at == std::string::npos) return "";
    size_t start = at + 2 + key.size() + 1, stop = head.find("\r\n", start);
    std::string v = head.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
    v.erase(0, v.find_first_not_of(' '));
    return v;
  }

 private:
  void Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) Die("connection closed by the server");
    buffer_.append(chunk, static_cast<size_t>(n));
  }
  int fd_ = -1;
  std::string request_;
  std::string buffer_;
};

constexpr const char* kKinesisHeaders =
    "Content-Type: application/x-amz-json-1.1\r\nX-Amz-Target: Kinesis_20131202.PutRecords\r\n"
    "X-Amz-Date: 20260101T000000Z\r\nAuthorization: AWS4-HMAC-SHA256 "
    "Credential=AKIDEXAMPLE/20260101/us-east-1/kinesis/aws4_request, SignedHeaders=host;x-amz-date, "
    "Signature=00ff\r\n";

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
    Connection runtime(runtime_port);
    std::string head, body, ignored_head, ignored;
    simdjson::ondemand::parser parser;
    const std::string prefix = label + ":";
    while (!stop.load()) {
      int status = runtime.Call("GET", "/2018-06-01/runtime/invocation/next", "", "", &head, &body);
      int64_t now = Micros(Clock::now());
      if (status != 200) Die("invocation/next answered " + std::to_string(status) + ": " + body);
      std::string id = Connection::Header(head, "Lambda-Runtime-Aws-Request-Id");
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
      runtime.Call("POST", "/2018-06-01/runtime/invocation/" + id + "/response",
                   "Content-Type: application/json\r\n", R"({"batchItemFailures":[]})", &ignored_head, &ignored);
      if (seen.load() >= records) break;
    }
  });

  const auto start = Clock::now() + std::chrono::milliseconds(100);
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t) {
    threads.emplace_back([&, t] {
      Connection kinesis(aws_port);
      std::string head, body, request;
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
        int status = kinesis.Call("POST", "/", kKinesisHeaders, request, &head, &body);
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
