// In-process tests of the Beast server over real loopback sockets (so they
// also run under ASan/UBSan); the end-to-end suite covers the binary.
#include "gateway/server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <future>
#include <thread>

namespace gateway {
namespace {

class ServerTest : public ::testing::Test {
 protected:
  void Start(Handler handler, ServerOptions options = {}) {
    options.threads = 2;
    metrics_ = std::make_unique<MetricsRegistry>();
    server_ = std::make_unique<Server>(options, metrics_.get());
    ListenerOptions listener;
    listener.name = "test";
    listener.handler = std::move(handler);
    listener.hub = &hub_;
    ASSERT_TRUE(server_->AddListener(listener).ok());
    ASSERT_TRUE(server_->Start().ok());
  }
  void TearDown() override {
    if (server_) server_->Shutdown();
  }

  // Sends `raw` on a fresh connection and reads until the server closes it.
  std::string Exchange(const std::string& raw) {
    int fd = Connect();
    EXPECT_EQ(::send(fd, raw.data(), raw.size(), MSG_NOSIGNAL), static_cast<ssize_t>(raw.size()));
    std::string out;
    char buf[4096];
    ssize_t n;
    while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, n);
    ::close(fd);
    return out;
  }
  int Connect() {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(server_->port("test"));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    return fd;
  }
  static std::string Get(const std::string& path) {
    return "GET " + path + " HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  }

  Hub hub_;
  std::unique_ptr<MetricsRegistry> metrics_;
  std::unique_ptr<Server> server_;
};

TEST_F(ServerTest, SyncHandlerAnswersWithRequestId) {
  Start(Sync([](Request& r) { return Response::Text(200, "path=" + r.path + " q=" + r.query); }));
  std::string reply = Exchange(Get("/a%20b?x=1"));
  EXPECT_EQ(reply.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << reply;
  EXPECT_NE(reply.find("X-Request-Id: "), std::string::npos);
  EXPECT_NE(reply.find("path=/a b q=x=1"), std::string::npos);
}

TEST_F(ServerTest, ResponseFromAnotherThreadIsDelivered) {
  Start([](Request& r, Respond respond) {
    std::thread([respond = std::move(respond)] { respond(Response::Text(202, "later")); }).detach();
  });
  std::string reply = Exchange(Get("/x"));
  EXPECT_EQ(reply.rfind("HTTP/1.1 202", 0), 0u) << reply;
  EXPECT_NE(reply.find("later"), std::string::npos);
}

TEST_F(ServerTest, ASecondServerCannotShareItsPort) {
  Start(Sync([](Request&) { return Response::Text(200, "first"); }));
  MetricsRegistry metrics;
  Server second(ServerOptions{}, &metrics);
  ListenerOptions listener;
  listener.name = "test";
  listener.port = server_->port("test");
  listener.handler = Sync([](Request&) { return Response::Text(200, "second"); });
  listener.hub = &hub_;
  common::Status status = second.AddListener(listener);
  EXPECT_EQ(status.code(), common::Status::Code::kIOError) << status.ToString();
  EXPECT_NE(status.message().find("another server"), std::string::npos) << status.message();
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  ServerOptions options;
  options.max_header_bytes = 2048;
  Start(Sync([](Request&) { return Response::Text(200, "ok"); }), options);
  std::string reply = Exchange("GET / HTTP/1.1\r\nHost: t\r\nX-Big: " + std::string(4096, 'a') + "\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 431", 0), 0u) << reply;
}

TEST_F(ServerTest, OversizedBodyGets413) {
  ServerOptions options;
  options.max_body_bytes = 100;
  Start(Sync([](Request&) { return Response::Text(200, "ok"); }), options);
  std::string reply = Exchange("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1000\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 413", 0), 0u) << reply;
}

TEST_F(ServerTest, GarbageGets400) {
  Start(Sync([](Request&) { return Response::Text(200, "ok"); }));
  std::string reply = Exchange("\x01\x02 nonsense\r\n\r\n");
  EXPECT_EQ(reply.rfind("HTTP/1.1 400", 0), 0u) << reply;
}

TEST_F(ServerTest, ShutdownLetsInFlightRequestFinish) {
  std::promise<Respond> pending;
  Start([&pending](Request&, Respond respond) { pending.set_value(std::move(respond)); });
  std::future<std::string> reply = std::async(std::launch::async, [this] { return Exchange(Get("/slow")); });
  Respond respond = pending.get_future().get();  // the request is now in flight
  std::thread stopper([this] { server_->Shutdown(); });
  respond(Response::Text(200, "drained"));
  stopper.join();
  std::string text = reply.get();
  EXPECT_EQ(text.rfind("HTTP/1.1 200", 0), 0u) << text;
  EXPECT_NE(text.find("drained"), std::string::npos);
}

TEST_F(ServerTest, HeadGetsLengthWithoutBody) {
  Start(Sync([](Request&) { return Response::Text(200, "0123456789"); }));
  std::string reply = Exchange("HEAD / HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
  EXPECT_NE(reply.find("Content-Length: 10\r\n"), std::string::npos) << reply;
  EXPECT_EQ(reply.find("0123456789"), std::string::npos);
}

TEST_F(ServerTest, MetricsCountRequestsByRouteAndStatus) {
  Start(Sync([](Request& r) {
    r.route = "/things/{id}";
    return Response::Text(201, "made");
  }));
  Exchange(Get("/things/1"));
  Exchange(Get("/things/2"));
  std::string text = metrics_->Render();
  EXPECT_NE(text.find("rivulet_http_requests_total{listener=\"test\",route=\"/things/{id}\",method=\"GET\","
                      "status=\"201\"} 2"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace gateway
