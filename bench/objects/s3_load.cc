// s3_load: a closed-loop S3 load client that stays out of the way of what it
// measures. Each connection is a thread with one blocking keep-alive socket;
// PUT bodies are sent from one shared buffer, GET bodies are read into a
// scratch buffer and dropped (no copy, no hashing: requests are signed with
// UNSIGNED-PAYLOAD, as SDKs may sign large bodies). Prints one JSON line per
// phase:
//   {"target":..,"phase":"put|get","size":..,"ops":..,"seconds":..,"mb_per_s":..,
//    "ops_per_s":..,"p50_us":..,"p99_us":..,"errors":..}
// PUTs write <prefix>/<connection>/<i>; GETs read back what that connection
// wrote, round robin. The bucket must exist. Only talks to 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "iam/sigv4.h"
#include "kinesis_call.h"

namespace {

struct Options {
  int port = 0;
  std::string label = "target";
  std::string bucket = "bench";
  std::string prefix = "obj";
  size_t size = 1 << 20;
  int connections = 4;
  double seconds = 5;
  std::string key_id = "AKIDEXAMPLE";
  std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
};

using bench::Die;

class Connection {
 public:
  explicit Connection(const Options& o)
      : options_(o), host_("127.0.0.1:" + std::to_string(o.port)), fd_(bench::ConnectLoopback(o.port)) {}
  ~Connection() { ::close(fd_); }

  // Sends one signed request (with `body` when not null) and reads the whole
  // answer, dropping its body. Returns the status.
  int Call(const char* method, const std::string& path, const std::string* body) {
    std::vector<std::pair<std::string, std::string>> headers = {
        {"host", host_},
        {"x-amz-content-sha256", "UNSIGNED-PAYLOAD"},
        {"x-amz-date", iam::FormatAmzDate(common::SystemClock::Default()->NowMillis())}};
    iam::SignedRequestView view;
    view.method = method;
    view.raw_path = path;
    view.headers = &headers;
    view.payload_hash = "UNSIGNED-PAYLOAD";
    view.s3_rules = true;
    std::string auth = iam::SignAuthorization(view, {"host", "x-amz-content-sha256", "x-amz-date"}, options_.key_id,
                                              options_.secret, headers[2].second, "us-east-1", "s3");
    std::string head = std::string(method) + " " + path + " HTTP/1.1\r\n";
    for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
    head += "authorization: " + auth + "\r\n";
    head += "content-length: " + std::to_string(body ? body->size() : 0) + "\r\n\r\n";
    SendAll(head.data(), head.size());
    if (body != nullptr) SendAll(body->data(), body->size());
    return ReadResponse();
  }

 private:
  void SendAll(const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = ::send(fd_, data, size, MSG_NOSIGNAL);
      if (n <= 0) Die("send failed");
      data += n;
      size -= static_cast<size_t>(n);
    }
  }
  // Reads the head into `head_`, then drains Content-Length bytes.
  int ReadResponse() {
    size_t end;
    while ((end = head_.find("\r\n\r\n")) == std::string::npos) {
      ssize_t n = ::recv(fd_, scratch_, sizeof(scratch_), 0);
      if (n <= 0) Die("connection closed by the server");
      head_.append(scratch_, static_cast<size_t>(n));
    }
    int status = std::atoi(head_.c_str() + 9);
    size_t length = 0;
    for (size_t pos = 0; (pos = head_.find("\r\n", pos)) != std::string::npos && pos < end;) {
      pos += 2;
      if (strncasecmp(head_.c_str() + pos, "content-length:", 15) == 0) {
        length = std::strtoull(head_.c_str() + pos + 15, nullptr, 10);
      }
    }
    size_t have = head_.size() - (end + 4);
    head_.clear();  // a closed-loop client never has pipelined bytes beyond the body
    while (have < length) {
      ssize_t n = ::recv(fd_, scratch_, std::min(sizeof(scratch_), length - have), 0);
      if (n <= 0) Die("connection closed mid-body");
      have += static_cast<size_t>(n);
    }
    return status;
  }

  const Options& options_;
  std::string host_;
  int fd_ = -1;
  std::string head_;
  char scratch_[256 * 1024];
};

struct Totals {
  uint64_t ops = 0, errors = 0;
  std::vector<uint32_t> latencies_us;
};

void RunPhase(const Options& o, const char* phase, const std::string& body, std::vector<uint64_t>* written) {
  std::vector<Totals> totals(static_cast<size_t>(o.connections));
  auto start = std::chrono::steady_clock::now();
  auto stop = start + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      auto connection = std::make_unique<Connection>(o);
      Totals& mine = totals[static_cast<size_t>(t)];
      bool put = std::strcmp(phase, "put") == 0;
      uint64_t& count = (*written)[static_cast<size_t>(t)];
      for (uint64_t i = 0; std::chrono::steady_clock::now() < stop; ++i) {
        if (!put && count == 0) break;
        uint64_t n = put ? i : i % count;
        std::string path = "/" + o.bucket + "/" + o.prefix + "/" + std::to_string(t) + "/" + std::to_string(n);
        auto sent = std::chrono::steady_clock::now();
        int status = connection->Call(put ? "PUT" : "GET", path, put ? &body : nullptr);
        auto us = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - sent);
        mine.latencies_us.push_back(static_cast<uint32_t>(us.count()));
        if (status != 200) {
          ++mine.errors;
        } else {
          ++mine.ops;
          if (put) count = i + 1;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  Totals all;
  for (auto& t : totals) {
    all.ops += t.ops;
    all.errors += t.errors;
    all.latencies_us.insert(all.latencies_us.end(), t.latencies_us.begin(), t.latencies_us.end());
  }
  std::sort(all.latencies_us.begin(), all.latencies_us.end());
  auto pct = [&](double p) {
    return all.latencies_us.empty() ? 0u : all.latencies_us[static_cast<size_t>(p * (all.latencies_us.size() - 1))];
  };
  std::printf(
      "{\"target\":\"%s\",\"phase\":\"%s\",\"size\":%zu,\"ops\":%llu,\"seconds\":%.3f,\"mb_per_s\":%.1f,"
      "\"ops_per_s\":%.1f,\"p50_us\":%u,\"p99_us\":%u,\"errors\":%llu}\n",
      o.label.c_str(), phase, o.size, static_cast<unsigned long long>(all.ops), elapsed,
      static_cast<double>(all.ops) * static_cast<double>(o.size) / (1 << 20) / elapsed,
      static_cast<double>(all.ops) / elapsed, pct(0.5), pct(0.99), static_cast<unsigned long long>(all.errors));
  std::fflush(stdout);
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string flag = argv[i], value = argv[i + 1];
    if (flag == "--port") o.port = std::atoi(value.c_str());
    else if (flag == "--label") o.label = value;
    else if (flag == "--bucket") o.bucket = value;
    else if (flag == "--prefix") o.prefix = value;
    else if (flag == "--size") o.size = std::strtoull(value.c_str(), nullptr, 10);
    else if (flag == "--connections") o.connections = std::atoi(value.c_str());
    else if (flag == "--seconds") o.seconds = std::atof(value.c_str());
    else if (flag == "--access-key") o.key_id = value;
    else if (flag == "--secret") o.secret = value;
    else Die("unknown flag " + flag);
  }
  if (o.port <= 0 || o.connections <= 0 || o.size == 0) Die("usage: s3_load --port P [--size BYTES] [--connections N] ...");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  Options o = Parse(argc, argv);
  std::string body(o.size, '\0');
  for (size_t i = 0; i < body.size(); ++i) body[i] = static_cast<char>((i * 2654435761u) >> 13);
  std::vector<uint64_t> written(static_cast<size_t>(o.connections), 0);
  RunPhase(o, "put", body, &written);
  RunPhase(o, "get", body, &written);
  return 0;
}
