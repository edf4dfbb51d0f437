#include "gateway/h2_session.h"

#include <nghttp2/nghttp2.h>

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <unordered_map>
#include <utility>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "gateway/h2_connection.h"

namespace gateway {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kWriteChunk = 64 * 1024;

using TlsStream = net::ssl::stream<tcp::socket>;

// Stream: tcp::socket or TlsStream.
template <class Stream>
class H2Session : public SessionBase, public std::enable_shared_from_this<H2Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  H2Session(SessionHost* host, size_t ctx, const ListenerOptions* listener, size_t max_body_bytes,
            Stream socket, std::string remote)
      : host_(host), ctx_(ctx), listener_(listener), max_body_bytes_(max_body_bytes), socket_(std::move(socket)),
        remote_(std::move(remote)) {}

  ~H2Session() override {
    conn_.reset();  // cancels event-stream sources before the host forgets us
    host_->Unregister(ctx_, this);
    host_->ConnectionClosed();
  }

  void Run(std::string_view received) {
    host_->Register(ctx_, this);
    host_->ConnectionOpened();
    std::weak_ptr<H2Session> weak = this->shared_from_this();
    H2Connection::Callbacks callbacks;
    callbacks.on_request = [this](std::shared_ptr<H2Stream> stream) { OnRequest(std::move(stream)); };
    callbacks.on_closed = [this](H2Stream& stream) { OnClosed(stream); };
    callbacks.error_response = [this](int status, std::string_view title, std::string_view detail) {
      host_->Rejected(status);
      return listener_->error_response(status, title, detail, host_->RequestIdFor(""));
    };
    auto executor = io_executor();
    auto liveness = host_->liveness();
    callbacks.make_waker = [weak, executor, liveness](int32_t id) {
      return std::function<void()>([weak, executor, liveness, id] {
        std::lock_guard lock(liveness->mu);
        if (!liveness->alive) return;
        net::post(executor, [weak, id] {
          if (auto self = weak.lock()) {
            self->conn_->Wake(id);
            self->Pump();
          }
        });
      });
    };
    H2Limits limits;
    limits.max_header_bytes = host_->options().max_header_bytes;
    limits.max_body_bytes = max_body_bytes_;
    conn_ = std::make_unique<H2Connection>(limits, std::move(callbacks));
    last_read_ms_ = host_->coarse_now_ms(ctx_);
    conn_->set_now_ms(last_read_ms_);
    Receive(reinterpret_cast<const uint8_t*>(received.data()), received.size());
    Pump();
  }

  void OnDrain() override {
    if (closed_) return;
    conn_->Shutdown();
    Pump();
  }

  // Deadlines, checked by the context's ticker: a request must arrive whole
  // within the read timeout, a response must be delivered within the idle
  // timeout (a client that stops reading one stream loses that stream), a
  // connection with no streams closes after the idle timeout, and a socket
  // that takes no bytes for the read timeout is cut.
  void OnTick(int64_t now_ms) override {
    if (closed_) return;
    const ServerOptions& o = host_->options();
    if (writing_ && now_ms - write_started_ms_ > o.read_timeout_ms) {
      host_->Rejected(408);
      return Close();
    }
    bool reset = false;
    for (const auto& [id, stream] : conn_->streams()) {
      if (!stream->dispatched && now_ms - stream->opened_ms > o.read_timeout_ms) {
        conn_->Reset(id, NGHTTP2_CANCEL);
        reset = true;
      } else if (stream->answered && !stream->response.body_source && now_ms - stream->opened_ms > o.idle_timeout_ms) {
        conn_->Reset(id, NGHTTP2_CANCEL);
        reset = true;
      }
    }
    if (conn_->open_streams() == 0 && now_ms - last_read_ms_ > o.idle_timeout_ms) {
      conn_->Shutdown();
      reset = true;
    }
    if (reset) Pump();
  }

 private:
  // The io_context's own executor (it can tell whether we run on its thread).
  net::io_context::executor_type io_executor() {
    auto& context = net::query(socket_.get_executor(), net::execution::context);
    return static_cast<net::io_context&>(context).get_executor();
  }

  // Sends what nghttp2 has queued, reads when it wants input, closes when the
  // session is over. Called after every event.
  void Pump() {
    // Handlers that answer inline do so inside nghttp2's receive callbacks,
    // where nghttp2 must not be asked to send: Receive's caller pumps after.
    if (closed_ || receiving_) return;
    if (!writing_) {
      out_.clear();
      if (!conn_->Output(&out_, kWriteChunk)) fatal_ = true;
      if (!out_.empty()) {
        writing_ = true;
        write_started_ms_ = host_->coarse_now_ms(ctx_);
        net::async_write(socket_, net::buffer(out_),
                         [self = this->shared_from_this()](boost::system::error_code ec, size_t) {
          self->writing_ = false;
          if (ec) return self->Close();
          self->Pump();
        });
        return;
      }
    }
    if (writing_) return;
    if (fatal_ || conn_->Finished()) {
      spdlog::debug("h2 {}: closing ({})", remote_, fatal_ ? "protocol error" : "session over");
      return Close();
    }
    if (!reading_ && conn_->WantsRead() && !conn_->Paused()) DoRead();
  }

  void Receive(const uint8_t* data, size_t size) {
    receiving_ = true;
    if (!conn_->Receive(data, size)) fatal_ = true;
    receiving_ = false;
  }

  void DoRead() {
    reading_ = true;
    socket_.async_read_some(net::buffer(read_buf_),
                            [self = this->shared_from_this()](boost::system::error_code ec, size_t n) {
      self->reading_ = false;
      if (ec) return self->Close();
      self->last_read_ms_ = self->host_->coarse_now_ms(self->ctx_);
      self->conn_->set_now_ms(self->last_read_ms_);
      self->Receive(self->read_buf_.data(), n);
      self->Pump();
    });
  }

  void OnRequest(std::shared_ptr<H2Stream> stream) {
    Request& request = stream->request;
    request.remote_addr = ClientAddress(remote_, request.Header("x-forwarded-for"), listener_->trusted_proxies);
    request.tls = kTls;
    request.request_id = host_->RequestIdFor(request.Header("x-request-id"));
    stream->opened_ms = host_->coarse_now_ms(ctx_);
    start_micros_[stream->id] = NowMicros();
    host_->RequestStarted();
    std::string cors_origin = host_->CorsOriginFor(listener_->cors, request.Header("origin"));
    if (!cors_origin.empty() && request.method == "OPTIONS" && request.headers.Has("access-control-request-method")) {
      Response preflight;
      preflight.status = 204;
      preflight.headers.Add("access-control-allow-methods", listener_->cors.allowed_methods);
      preflight.headers.Add("access-control-allow-headers", listener_->cors.allowed_headers);
      preflight.headers.Add("access-control-max-age", "600");
      request.route = "cors-preflight";
      host_->RequestAnswered();
      return Answer(stream, std::move(preflight), cors_origin);
    }
    auto called = std::make_shared<std::atomic<bool>>(false);
    std::weak_ptr<H2Session> weak = this->shared_from_this();
    auto executor = io_executor();
    auto liveness = host_->liveness();
    SessionHost* host = host_;
    Respond respond = [weak, stream, called, executor, liveness, host, cors_origin](Response response) {
      if (called->exchange(true)) return;  // contract: exactly once; extra calls are ignored
      if (executor.running_in_this_thread()) {
        host->RequestAnswered();
        if (auto self = weak.lock()) return self->Answer(stream, std::move(response), cors_origin);
        if (response.body_source) response.body_source->Cancel();
        return;
      }
      std::lock_guard lock(liveness->mu);
      if (!liveness->alive) return;
      host->RequestAnswered();
      net::post(executor, [weak, stream, cors_origin, response = std::move(response)]() mutable {
        if (auto self = weak.lock()) return self->Answer(stream, std::move(response), cors_origin);
        if (response.body_source) response.body_source->Cancel();
      });
    };
    try {
      listener_->handler(request, std::move(respond));
    } catch (const std::exception& e) {
      spdlog::error("handler for {} {} threw: {} (request {})", common::JsonEscape(request.method),
                    common::JsonEscape(request.path), common::JsonEscape(e.what()), request.request_id);
      if (!called->exchange(true)) {
        host_->RequestAnswered();
        Answer(stream,
               listener_->error_response(500, "Internal Server Error", "internal error; quote the request id",
                                         request.request_id),
               cors_origin);
      }
    }
  }

  void Answer(const std::shared_ptr<H2Stream>& stream, Response response, const std::string& cors_origin) {
    response.headers.Add("server", "rivulet");
    response.headers.Add("x-request-id", stream->request.request_id);
    if (!cors_origin.empty()) {
      response.headers.Add("access-control-allow-origin", cors_origin);
      if (cors_origin != "*") response.headers.Add("vary", "Origin");
    }
    conn_->Submit(stream, std::move(response));
    Pump();
  }

  void OnClosed(H2Stream& stream) {
    auto it = start_micros_.find(stream.id);
    if (it == start_micros_.end()) return;  // answered by the connection itself
    double seconds = static_cast<double>(NowMicros() - it->second) / 1e6;
    start_micros_.erase(it);
    host_->RequestDone(*listener_, stream.request, stream.status, stream.response.body.size(), seconds, remote_);
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    boost::system::error_code ignored;
    // TLS: no close_notify; the peer sees the TCP close, as after a GOAWAY.
    tcp::socket& socket = boost::beast::get_lowest_layer(socket_);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  SessionHost* host_;
  size_t ctx_;
  const ListenerOptions* listener_;
  size_t max_body_bytes_;
  Stream socket_;
  std::string remote_;
  std::unique_ptr<H2Connection> conn_;
  std::array<uint8_t, kReadChunk> read_buf_;
  std::string out_;  // the bytes being written
  std::unordered_map<int32_t, int64_t> start_micros_;
  int64_t last_read_ms_ = 0;
  int64_t write_started_ms_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool receiving_ = false;  // inside H2Connection::Receive
  bool fatal_ = false;  // nghttp2 gave up: flush what it queued (GOAWAY), then close
  bool closed_ = false;
};

}  // namespace

void StartH2Session(SessionHost* host, size_t ctx, const ListenerOptions* listener, size_t max_body_bytes,
                    tcp::socket socket, std::string remote_addr, std::string_view received) {
  auto session = std::make_shared<H2Session<tcp::socket>>(host, ctx, listener, max_body_bytes, std::move(socket),
                                                          std::move(remote_addr));
  session->Run(received);
}

void StartH2Session(SessionHost* host, size_t ctx, const ListenerOptions* listener, size_t max_body_bytes,
                    TlsStream stream, std::string remote_addr, std::string_view received) {
  auto session = std::make_shared<H2Session<TlsStream>>(host, ctx, listener, max_body_bytes, std::move(stream),
                                                        std::move(remote_addr));
  session->Run(received);
}

}  // namespace gateway
