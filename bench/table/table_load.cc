// table_load: a small closed-loop load client for the DynamoDB JSON API,
// fast enough not to be the bottleneck: prebuilt request bytes, one blocking
// keep-alive connection per thread, no JSON parsing of answers (only the
// status line and Content-Length). Prints one JSON line per phase:
//   {"target":..,"phase":"put|get|query","ops_per_s":..,"p50_us":..,"p99_us":..,"errors":..}
// Only talks to 127.0.0.1 and stops after --seconds per phase.
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
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "kinesis_call.h"

namespace {

struct Options {
  int port = 0;
  std::string label = "target";
  int connections = 8;
  double seconds = 5;
  int get_keys = 2000;    // keys written by the preload, read by the get phase
  int query_items = 1000; // items in the query partition
};

using bench::ConnectLoopback;

// A DynamoDB call (JSON 1.0) signed as an SDK signs it, as request bytes.
std::string Request(int port, const std::string& op, const std::string& body) {
  std::string request = "POST / HTTP/1.1\r\n";
  for (const auto& [name, value] : bench::SignJsonCall("dynamodb", "application/x-amz-json-1.0",
                                                       "DynamoDB_20120810." + op, body,
                                                       "127.0.0.1:" + std::to_string(port))) {
    request += name + ": " + value + "\r\n";
  }
  return request + "content-length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

// Sends one request and reads one response; returns the HTTP status (0 on I/O error).
int RoundTrip(int fd, const std::string& request, std::string* buf) {
  size_t sent = 0;
  while (sent < request.size()) {
    ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return 0;
    sent += static_cast<size_t>(n);
  }
  buf->clear();
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  char chunk[65536];
  while (true) {
    if (header_end == std::string::npos) {
      header_end = buf->find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string headers = buf->substr(0, header_end);
        for (char& c : headers) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        size_t p = headers.find("content-length:");
        content_length = p == std::string::npos ? 0 : std::stoul(headers.substr(p + 15));
      }
    }
    if (header_end != std::string::npos && buf->size() >= header_end + 4 + content_length) break;
    ssize_t n = ::recv(fd, chunk, sizeof(chunk), 0);
    if (n <= 0) return 0;
    buf->append(chunk, static_cast<size_t>(n));
  }
  return std::atoi(buf->c_str() + 9);
}

std::string Item(const std::string& pk, long sk) {
  return R"({"pk":{"S":")" + pk + R"("},"sk":{"N":")" + std::to_string(sk) +
         R"("},"customer_id":{"S":"c)" + std::to_string(sk % 97) +
         R"("},"status":{"S":"NEW"},"total":{"N":"123.45"},"note":{"S":"lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor"}})";
}

struct PhaseResult {
  double ops_per_s = 0;
  long p50 = 0, p99 = 0;
  long errors = 0;
  long ops = 0;
};

template <typename MakeRequest>
PhaseResult Run(const Options& o, MakeRequest make) {
  std::vector<std::vector<long>> latencies(static_cast<size_t>(o.connections));
  std::vector<long> errors(static_cast<size_t>(o.connections));
  auto start = std::chrono::steady_clock::now();
  auto deadline = start + std::chrono::duration<double>(o.seconds);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.connections; ++t) {
    threads.emplace_back([&, t] {
      int fd = ConnectLoopback(o.port);
      std::mt19937_64 rng(static_cast<uint64_t>(t) * 7919 + 1);
      std::string buf;
      long i = 0;
      while (std::chrono::steady_clock::now() < deadline) {
        std::string req = make(t, i++, rng);
        auto t0 = std::chrono::steady_clock::now();
        int status = RoundTrip(fd, req, &buf);
        auto t1 = std::chrono::steady_clock::now();
        if (status != 200) {
          ++errors[static_cast<size_t>(t)];
          if (status == 0) {
            ::close(fd);
            fd = ConnectLoopback(o.port);
          }
          continue;
        }
        latencies[static_cast<size_t>(t)].push_back(std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count());
      }
      ::close(fd);
    });
  }
  for (auto& th : threads) th.join();
  double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::vector<long> all;
  PhaseResult r;
  for (size_t t = 0; t < latencies.size(); ++t) {
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    r.errors += errors[t];
  }
  std::sort(all.begin(), all.end());
  r.ops = static_cast<long>(all.size());
  r.ops_per_s = static_cast<double>(all.size()) / elapsed;
  if (!all.empty()) {
    r.p50 = all[all.size() / 2];
    r.p99 = all[std::min(all.size() - 1, all.size() * 99 / 100)];
  }
  return r;
}

void Print(const Options& o, const char* phase, const PhaseResult& r) {
  std::printf("{\"target\":\"%s\",\"phase\":\"%s\",\"ops\":%ld,\"ops_per_s\":%.0f,\"p50_us\":%ld,\"p99_us\":%ld,\"errors\":%ld}\n",
              o.label.c_str(), phase, r.ops, r.ops_per_s, r.p50, r.p99, r.errors);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--port") o.port = std::stoi(v);
    else if (k == "--label") o.label = v;
    else if (k == "--connections") o.connections = std::stoi(v);
    else if (k == "--seconds") o.seconds = std::stod(v);
    else { std::fprintf(stderr, "unknown flag %s\n", k.c_str()); return 2; }
  }
  if (o.port == 0) { std::fprintf(stderr, "usage: table_load --port P [--label L] [--connections N] [--seconds S]\n"); return 2; }

  // Setup: the table and the data the get and query phases read.
  {
    int fd = ConnectLoopback(o.port);
    std::string buf;
    RoundTrip(fd, Request(o.port, "CreateTable", R"({"TableName":"bench","BillingMode":"PAY_PER_REQUEST",
      "KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],
      "AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},{"AttributeName":"sk","AttributeType":"N"}]})"), &buf);
    auto preload = [&](const std::string& pk, int n) {
      for (int base = 0; base < n; base += 25) {
        std::string body = R"({"RequestItems":{"bench":[)";
        for (int i = base; i < std::min(n, base + 25); ++i) {
          if (i > base) body += ",";
          body += R"({"PutRequest":{"Item":)" + Item(pk, i) + "}}";
        }
        body += "]}}";
        if (RoundTrip(fd, Request(o.port, "BatchWriteItem", body), &buf) != 200) {
          std::fprintf(stderr, "preload failed: %s\n", buf.c_str());
          std::exit(1);
        }
      }
    };
    preload("get", o.get_keys);
    preload("query", o.query_items);
    ::close(fd);
  }

  Print(o, "put", Run(o, [&](int t, long i, std::mt19937_64&) {
    return Request(o.port, "PutItem", R"({"TableName":"bench","Item":)" + Item("w" + std::to_string(t), i) + "}");
  }));
  Print(o, "get", Run(o, [&](int, long, std::mt19937_64& rng) {
    long k = static_cast<long>(rng() % static_cast<uint64_t>(o.get_keys));
    return Request(o.port, "GetItem", R"({"TableName":"bench","Key":{"pk":{"S":"get"},"sk":{"N":")" +
                                          std::to_string(k) + R"("}}})");
  }));
  Print(o, "query", Run(o, [&](int, long, std::mt19937_64& rng) {
    long from = static_cast<long>(rng() % static_cast<uint64_t>(o.query_items - 100));
    return Request(o.port, "Query", R"({"TableName":"bench","KeyConditionExpression":"pk = :p AND sk >= :s","Limit":100,)"
                                    R"("ExpressionAttributeValues":{":p":{"S":"query"},":s":{"N":")" + std::to_string(from) + R"("}}})");
  }));
  return 0;
}
