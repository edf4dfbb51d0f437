// Shared by the C++ load clients (kinesis_load, efo_latency, functions_e2e_load,
// s3_load, table_load): SigV4
// signing of one Kinesis JSON call as an SDK signs it, and a blocking
// keep-alive HTTP/1.1 connection to 127.0.0.1. Header-only: each bench is one
// translation unit.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "iam/sigv4.h"

namespace bench {

[[noreturn]] inline void Die(const std::string& what) {
  std::fprintf(stderr, "%s\n", what.c_str());
  std::exit(2);
}

inline const char* EnvOr(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v && *v ? v : fallback;
}
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (default: the test harness's
// example root key).
inline const char* KeyId() { return EnvOr("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"); }
inline const char* Secret() { return EnvOr("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"); }

// A TCP connection to 127.0.0.1:port with Nagle off (requests are written
// whole); ends the process when it cannot connect.
inline int ConnectLoopback(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) Die("connect failed");
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  return fd;
}

// The headers of one signed AWS JSON-protocol call (content-type, host,
// x-amz-date, x-amz-target, authorization), lower-case names: `target` is the
// full X-Amz-Target ("DynamoDB_20120810.GetItem"). `host` must be what the
// server sees: the Host header on HTTP/1.1, :authority on HTTP/2. SigV4 has
// no nonce, so a signed call may be replayed for 15 minutes.
inline std::vector<std::pair<std::string, std::string>> SignJsonCall(std::string_view service,
                                                                     std::string_view content_type,
                                                                     std::string_view target, std::string_view json,
                                                                     std::string_view host) {
  std::vector<std::pair<std::string, std::string>> headers = {
      {"content-type", std::string(content_type)},
      {"host", std::string(host)},
      {"x-amz-date", iam::FormatAmzDate(common::SystemClock::Default()->NowMillis())},
      {"x-amz-target", std::string(target)}};
  iam::SignedRequestView view;
  view.method = "POST";
  view.raw_path = "/";
  view.headers = &headers;
  std::string hash = iam::HexSha256(json);
  view.payload_hash = hash;
  std::string auth = iam::SignAuthorization(view, {"content-type", "host", "x-amz-date", "x-amz-target"}, KeyId(),
                                            Secret(), headers[2].second, "us-east-1", service);
  headers.emplace_back("authorization", std::move(auth));
  return headers;
}

// A Kinesis call (JSON 1.1) signed as an SDK signs it.
inline std::vector<std::pair<std::string, std::string>> SignKinesisCall(std::string_view operation,
                                                                        std::string_view json,
                                                                        std::string_view host) {
  return SignJsonCall("kinesis", "application/x-amz-json-1.1", "Kinesis_20131202." + std::string(operation), json,
                      host);
}

// One keep-alive HTTP/1.1 connection to 127.0.0.1:port. Not thread-safe.
// Any I/O failure ends the process (a bench has nobody to report to).
class Http1Connection {
 public:
  explicit Http1Connection(int port) : host_("127.0.0.1:" + std::to_string(port)), fd_(ConnectLoopback(port)) {}
  ~Http1Connection() { ::close(fd_); }
  Http1Connection(const Http1Connection&) = delete;
  Http1Connection& operator=(const Http1Connection&) = delete;

  // POSTs a signed Kinesis JSON request; returns the HTTP status and fills `body`.
  int Call(std::string_view operation, std::string_view json, std::string* body) {
    std::string headers;
    for (const auto& [name, value] : SignKinesisCall(operation, json, host_)) {
      headers.append(name).append(": ").append(value).append("\r\n");
    }
    return Request("POST", "/", headers, json, body);
  }

  // Any request: `headers` are complete "Name: value\r\n" lines (a host
  // header is added unless given). Returns the status; fills `body` and, when
  // given, `head` with the response's status line and headers.
  int Request(std::string_view method, std::string_view path, std::string_view headers, std::string_view body_in,
              std::string* body, std::string* head = nullptr) {
    request_.assign(method).append(" ").append(path).append(" HTTP/1.1\r\n");
    if (headers.find("host: ") == std::string_view::npos) request_.append("host: ").append(host_).append("\r\n");
    request_.append(headers).append("content-length: ").append(std::to_string(body_in.size()));
    request_.append("\r\n\r\n").append(body_in);
    SendAll(request_);
    return ReadResponse(body, head);
  }

 private:
  void SendAll(std::string_view data) {
    while (!data.empty()) {
      ssize_t n = ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL);
      if (n <= 0) Die("send failed");
      data.remove_prefix(static_cast<size_t>(n));
    }
  }
  int ReadResponse(std::string* body, std::string* head_out) {
    size_t header_end;
    while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) Fill();
    std::string_view head(buffer_.data(), header_end);
    if (head_out != nullptr) head_out->assign(head);
    int status = std::atoi(std::string(head.substr(9, 3)).c_str());
    size_t length = 0;
    bool chunked = false;
    for (size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
      size_t next = head.find("\r\n", pos + 2);
      std::string line(head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2));
      for (size_t i = 0; i < line.size() && line[i] != ':'; ++i) line[i] = static_cast<char>(std::tolower(line[i]));
      if (line.rfind("content-length:", 0) == 0) length = std::strtoull(line.c_str() + 15, nullptr, 10);
      if (line.rfind("transfer-encoding:", 0) == 0 && line.find("chunked") != std::string::npos) chunked = true;
      pos = next;
    }
    buffer_.erase(0, header_end + 4);
    body->clear();
    if (chunked) {
      while (true) {
        size_t eol;
        while ((eol = buffer_.find("\r\n")) == std::string::npos) Fill();
        size_t size = std::strtoull(buffer_.c_str(), nullptr, 16);
        while (buffer_.size() < eol + 2 + size + 2) Fill();
        body->append(buffer_, eol + 2, size);
        buffer_.erase(0, eol + 2 + size + 2);
        if (size == 0) break;
      }
    } else {
      while (buffer_.size() < length) Fill();
      body->assign(buffer_, 0, length);
      buffer_.erase(0, length);
    }
    return status;
  }
  void Fill() {
    char chunk[65536];
    ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
    if (n <= 0) Die("connection closed by the server");
    buffer_.append(chunk, static_cast<size_t>(n));
  }

  std::string host_;
  int fd_ = -1;
  std::string request_;
  std::string buffer_;
};

// The value of header `name` (any case) in a response head from
// Http1Connection::Request; "" when absent.
inline std::string HeaderValue(std::string_view head, std::string_view name) {
  for (size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
    size_t next = head.find("\r\n", pos + 2);
    std::string_view line = head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    size_t colon = line.find(':');
    if (colon == name.size() && std::equal(name.begin(), name.end(), line.begin(), [](char a, char b) {
          return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
        })) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      return std::string(value);
    }
    pos = next;
  }
  return "";
}

}  // namespace bench
