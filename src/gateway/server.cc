// Beast lives here only. Sessions run entirely on the io_context (thread) that
// accepted their socket; the only cross-thread entries are Respond (posted
// back), WsClient::Send (posted) and Shutdown (posted). The HTTP/1.1 and
// WebSocket sessions are templates on the stream: tcp::socket for plain
// listeners, ssl::stream<tcp::socket> for TLS ones (after TlsHandshake).
#include "gateway/server.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <filesystem>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <spdlog/spdlog.h>

#include "common/logging.h"
#include "common/thread_name.h"
#include "gateway/h2_session.h"
#include "gateway/session_host.h"

namespace gateway {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using TlsStream = net::ssl::stream<tcp::socket>;

namespace {

constexpr std::string_view kServerName = "rivulet";

// Beast 1.74 speaks boost::string_view.
beast::string_view Bsv(std::string_view s) { return {s.data(), s.size()}; }
std::string_view Ssv(beast::string_view s) { return {s.data(), s.size()}; }

int64_t NowMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// 16 hex digits: a random per-process prefix and a per-thread counter, so ids
// are unique without a shared atomic on the hot path.
std::string NewRequestId() {
  static const uint32_t process_prefix = std::random_device{}();
  static std::atomic<uint32_t> thread_seq{0};
  thread_local uint32_t thread_prefix = process_prefix ^ (thread_seq.fetch_add(1) * 0x9E3779B9u);
  thread_local uint32_t counter = 0;
  uint64_t v = (static_cast<uint64_t>(thread_prefix) << 32) | ++counter;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  for (int i = 15; i >= 0; --i, v >>= 4) id[i] = kHex[v & 15];
  return id;
}

// A client-supplied X-Request-Id is kept when it is short and plain.
bool UsableRequestId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.')) return false;
  }
  return true;
}

bool OriginAllowed(const CorsOptions& cors, std::string_view origin) {
  if (cors.allowed_origins.empty() || origin.empty()) return false;
  if (cors.allowed_origins == "*") return true;
  std::string_view list = cors.allowed_origins;
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == origin) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

// One bound listener: an acceptor per thread on the same port.
struct ListenerState {
  ListenerOptions options;
  uint16_t port = 0;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors;  // acceptors[i] runs on context i
  std::unique_ptr<net::ssl::context> tls;  // set: TLS only; shared by all threads (OpenSSL locks)
};

class Server::Impl : public SessionHost {
 public:
  Impl(ServerOptions options, MetricsRegistry* metrics);
  ~Impl();

  common::Status AddListener(ListenerOptions options);
  uint16_t port(const std::string& name) const;
  common::Status Start();
  void Shutdown();

  // Called by sessions (on their own context).
  void Register(size_t ctx, SessionBase* s) override {
    sessions_[ctx].insert(s);
    live_sessions_.fetch_add(1);
  }
  void Unregister(size_t ctx, SessionBase* s) override {
    sessions_[ctx].erase(s);
    live_sessions_.fetch_sub(1);
  }
  void RecordRequest(const ListenerState& listener, std::string_view method, std::string_view route, int status,
                     double seconds);
  void RecordRequest(const ListenerOptions& listener, std::string_view method, std::string_view route, int status,
                     double seconds);

  const ServerOptions& options() const override { return options_; }
  net::io_context& context(size_t i) { return *contexts_[i]; }
  // Updated by each context's ticker; read on that context's thread only.
  int64_t coarse_now_ms(size_t i) const override { return tickers_[i]->now_ms; }
  // The Date header value, refreshed by the ticker.
  const std::string& http_date(size_t i) const { return tickers_[i]->date; }
  bool draining() const override { return draining_.load(std::memory_order_relaxed); }
  std::atomic<int64_t>& in_flight() { return in_flight_; }
  Gauge& in_flight_gauge() { return *in_flight_gauge_; }
  Gauge& ws_gauge() { return *ws_gauge_; }
  Gauge& connections_gauge() { return *connections_gauge_; }
  Counter& ws_dropped() { return *ws_dropped_; }
  Counter& errors(int status) {
    return metrics_->GetCounter("rivulet_http_rejected_total",
                                "Requests refused before routing (malformed, too large, timed out).",
                                {{"status", std::to_string(status)}});
  }
  const std::shared_ptr<Liveness>& liveness() const override { return liveness_; }

  // SessionHost, for the HTTP/2 session (h2_session.cc).
  void ConnectionOpened() override { connections_gauge_->Inc(); }
  void ConnectionClosed() override { connections_gauge_->Dec(); }
  void RequestStarted() override {
    in_flight_.fetch_add(1);
    in_flight_gauge_->Inc();
  }
  void RequestAnswered() override {
    in_flight_.fetch_sub(1);
    in_flight_gauge_->Dec();
  }
  void RequestDone(const ListenerOptions& listener, const Request& request, int status, size_t bytes,
                   double seconds, std::string_view remote) override;
  void Rejected(int status) override { errors(status).Inc(); }
  std::string RequestIdFor(std::string_view incoming) const override;
  std::string CorsOriginFor(const CorsOptions& cors, std::string_view origin) const override;

 private:
  void DoAccept(ListenerState* listener, size_t ctx);
  void Tick(size_t ctx);

  struct Ticker {
    explicit Ticker(net::io_context& io) : timer(io) {}
    net::steady_timer timer;
    int64_t now_ms = 0;
    std::time_t date_second = 0;
    std::string date;  // IMF-fixdate of date_second
  };
  static void RefreshDate(Ticker& t);
  static constexpr int kTickMs = 100;

  ServerOptions options_;
  MetricsRegistry* metrics_;
  std::shared_ptr<Liveness> liveness_ = std::make_shared<Liveness>();
  std::vector<std::unordered_set<SessionBase*>> sessions_;  // [ctx], touched only on that context
  std::atomic<int64_t> live_sessions_{0};
  std::atomic<int64_t> in_flight_{0};
  std::atomic<bool> draining_{false};
  bool started_ = false;
  bool stopped_ = false;
  std::vector<std::unique_ptr<net::io_context>> contexts_;
  std::vector<net::executor_work_guard<net::io_context::executor_type>> guards_;
  std::vector<std::unique_ptr<ListenerState>> listeners_;
  std::vector<std::unique_ptr<Ticker>> tickers_;  // [ctx]
  std::vector<std::thread> threads_;
  Gauge* in_flight_gauge_;
  Gauge* ws_gauge_;
  Gauge* connections_gauge_;
  Counter* ws_dropped_;
};

namespace {

// ---------------------------------------------------------------- bodies

constexpr size_t kBodyChunk = 1 << 20;
// A streamed request body reads ahead at most this much unclaimed data.
constexpr size_t kMaxAhead = 2 * kBodyChunk;

// The hand-over between the session (I/O thread, Push/Finish/Fail) and the
// handler's thread (Read).
class StreamedBody final : public BodyStream {
 public:
  std::function<void()> resume;  // posts PumpBody to the session's thread

  common::Result<std::string> Read() override {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return !chunks_.empty() || done_ || !error_.ok(); });
    if (!chunks_.empty()) {
      std::string chunk = std::move(chunks_.front());
      chunks_.pop_front();
      queued_ -= chunk.size();
      bool wake = paused_;
      paused_ = false;
      lock.unlock();
      if (wake) resume();
      return chunk;
    }
    if (!error_.ok()) return error_;
    return std::string();
  }

  // True while the reader may read on; false pauses until Read wakes it.
  bool Push(std::string chunk) {
    std::lock_guard lock(mu_);
    queued_ += chunk.size();
    chunks_.push_back(std::move(chunk));
    cv_.notify_all();
    if (queued_ < kMaxAhead) return true;
    paused_ = true;
    return false;
  }
  void Finish() {
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }
  void Fail(common::Status status) {
    std::lock_guard lock(mu_);
    if (done_ || !error_.ok()) return;
    error_ = std::move(status);
    chunks_.clear();
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> chunks_;  // guarded by mu_
  size_t queued_ = 0;               // guarded by mu_
  bool paused_ = false;             // guarded by mu_
  bool done_ = false;               // guarded by mu_
  common::Status error_;            // guarded by mu_
};

// A file sent in chunks, read on the I/O thread: static files too large for
// the cache. (Object downloads read on the S3 adapter's pool instead.)
class FileBodySource final : public BodySource {
 public:
  static std::shared_ptr<FileBodySource> Open(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return nullptr;
    struct stat st;
    if (::fstat(fd, &st) != 0) {
      ::close(fd);
      return nullptr;
    }
    return std::shared_ptr<FileBodySource>(new FileBodySource(fd, static_cast<uint64_t>(st.st_size)));
  }
  ~FileBodySource() override { ::close(fd_); }
  uint64_t size() const { return size_; }

  Pull Read(size_t max, std::string* out) override {
    size_t n = static_cast<size_t>(std::min<uint64_t>(max, size_ - offset_));
    if (n == 0) return Pull::kEnd;
    size_t at = out->size();
    out->resize(at + n);
    ssize_t r;
    do {
      r = ::pread(fd_, out->data() + at, n, static_cast<off_t>(offset_));
    } while (r < 0 && errno == EINTR);
    out->resize(at + static_cast<size_t>(std::max<ssize_t>(r, 0)));
    if (r <= 0) return Pull::kEnd;  // shorter than its size: the session cuts the connection
    offset_ += static_cast<uint64_t>(r);
    return Pull::kData;
  }
  void SetWaker(std::function<void()>) override {}
  void Cancel() override {}

 private:
  FileBodySource(int fd, uint64_t size) : fd_(fd), size_(size) {}
  int fd_;
  uint64_t size_;
  uint64_t offset_ = 0;
};

// ---------------------------------------------------------------- WebSocket

// Stream: tcp::socket or TlsStream (wss).
template <class Stream>
class WsSession : public SessionBase, public WsClient, public std::enable_shared_from_this<WsSession<Stream>> {
 public:
  WsSession(Server::Impl* impl, size_t ctx, ListenerState* listener, Stream&& stream,
            std::string remote, bool batch)
      : impl_(impl), ctx_(ctx), listener_(listener), ws_(std::move(stream)),
        queue_(impl->options().ws_max_queue_messages, impl->options().ws_max_queue_bytes),
        remote_(std::move(remote)), batch_(batch) {}

  ~WsSession() override {
    listener_->options.hub->UnsubscribeAll(this);
    impl_->Unregister(ctx_, this);
    impl_->ws_gauge().Dec();
  }

  const Request& upgrade_request() const override { return upgrade_; }

  void Run(http::request<http::string_body> req) {
    upgrade_.method = std::string(req.method_string());
    upgrade_.target = std::string(req.target());
    upgrade_.path = "/ws";
    upgrade_.tls = std::is_same_v<Stream, TlsStream>;
    for (const auto& field : req) {
      upgrade_.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    upgrade_.remote_addr =
        ClientAddress(remote_, upgrade_.Header("x-forwarded-for"), listener_->options.trusted_proxies);
    impl_->Register(ctx_, this);
    impl_->ws_gauge().Inc();
    websocket::stream_base::timeout timeout;
    timeout.handshake_timeout = std::chrono::seconds(10);
    timeout.idle_timeout = std::chrono::milliseconds(impl_->options().ws_idle_timeout_ms);
    timeout.keep_alive_pings = true;  // ping at half the idle timeout; no pong closes
    ws_.set_option(timeout);
    ws_.read_message_max(impl_->options().ws_max_frame_bytes);
    // A message goes out as one frame in one write; Beast would otherwise cut
    // it into 4 KiB frames, a write each (a batch, an analytics summary).
    ws_.auto_fragment(false);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& res) { res.set(http::field::server, Bsv(kServerName)); }));
    ws_.async_accept(req, beast::bind_front_handler(&WsSession::OnAccept, this->shared_from_this()));
  }

  // Any thread.
  void Send(std::shared_ptr<const std::string> message) override {
    net::post(ws_.get_executor(), [self = this->shared_from_this(), message = std::move(message)]() mutable {
      self->Enqueue(std::move(message));
    });
  }

  void OnDrain() override {
    if (closed_) return;
    draining_ = true;
    // A frame still being written finishes first (OnWrite then closes): a
    // close frame cannot interleave with it. A client that never reads keeps
    // that write pending until the server's drain deadline.
    if (!writing_) CloseGoingAway();
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) return;
    DoRead();
  }

  void DoRead() {
    ws_.async_read(buffer_, beast::bind_front_handler(&WsSession::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    if (ec) {
      closed_ = true;
      return;  // closed, timed out or aborted: the session ends with its last handler
    }
    std::string text = beast::buffers_to_string(buffer_.data());
    buffer_.consume(buffer_.size());
    if (auto reply = listener_->options.hub->HandleMessage(this->shared_from_this(), text)) {
      Enqueue(std::make_shared<const std::string>(std::move(*reply)));
    }
    DoRead();
  }

  void Enqueue(std::shared_ptr<const std::string> message) {
    if (closed_ || draining_) return;
    if (!queue_.Push(std::move(message))) {
      impl_->ws_dropped().Inc();
      spdlog::warn("ws: dropping slow client {}: {} messages / {} bytes unsent", remote_, queue_.size(),
                   queue_.bytes());
      Abort();
      return;
    }
    if (!writing_) DoWrite();
  }

  void DoWrite() {
    writing_ = true;
    ws_.text(true);
    auto done = beast::bind_front_handler(&WsSession::OnWrite, this->shared_from_this());
    if (!batch_) {
      in_flight_ = 1;
      return ws_.async_write(net::buffer(*queue_.front()), std::move(done));
    }
    // Everything queued goes out in one frame and one write: a client that
    // fell behind catches up at once instead of one write per message.
    in_flight_ = queue_.Batch(kMaxBatchBytes, &frame_);
    ws_.async_write(net::buffer(frame_), std::move(done));
  }

  void OnWrite(beast::error_code ec, size_t) {
    writing_ = false;
    if (ec || closed_) return;
    queue_.Pop(in_flight_);
    if (draining_) return CloseGoingAway();
    if (!queue_.empty()) DoWrite();
  }

  void CloseGoingAway() {
    closed_ = true;
    ws_.async_close(websocket::close_code::going_away, [self = this->shared_from_this()](beast::error_code) {});
  }

  // A client that does not read cannot take a close frame either: cut the socket.
  void Abort() {
    closed_ = true;
    listener_->options.hub->UnsubscribeAll(this);
    beast::error_code ignored;
    tcp::socket& socket = beast::get_lowest_layer(ws_);
    socket.shutdown(tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
  }

  Server::Impl* impl_;
  size_t ctx_;
  ListenerState* listener_;
  websocket::stream<Stream> ws_;  // has its own handshake/idle timers
  beast::flat_buffer buffer_;
  OutboundQueue queue_;
  std::string remote_;
  Request upgrade_;  // set in Run, read-only afterwards
  const bool batch_;  // /ws?batch=1: every frame is a JSON array of messages
  static constexpr size_t kMaxBatchBytes = 256 * 1024;
  std::string frame_;     // the batch being written
  size_t in_flight_ = 0;  // queued messages in the frame being written
  bool writing_ = false;
  bool draining_ = false;  // the server is shutting down: close after the current frame
  bool closed_ = false;
};

// ---------------------------------------------------------------- HTTP

// Stream: tcp::socket or TlsStream (handshake done). Over TLS, HTTP/2 was
// ALPN's choice already, so the preface is not looked for.
template <class Stream>
class HttpSession : public SessionBase, public std::enable_shared_from_this<HttpSession<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  static constexpr size_t kCoalesceTlsBody = 64 * 1024;

  HttpSession(Server::Impl* impl, size_t ctx, ListenerState* listener, Stream&& stream)
      : impl_(impl), ctx_(ctx), listener_(listener), stream_(std::move(stream)) {
    beast::error_code ec;
    auto endpoint = socket().remote_endpoint(ec);
    if (!ec) remote_addr_ = endpoint.address().to_string();
  }

  ~HttpSession() override {
    if (streamed_) streamed_->Fail(common::Status::IOError("the connection closed"));
    impl_->Unregister(ctx_, this);
    impl_->connections_gauge().Dec();
  }

  void Run() {
    impl_->Register(ctx_, this);
    impl_->connections_gauge().Inc();
    WaitForRequest();
  }

  void OnDrain() override {
    // Busy sessions finish their request and then close (keep-alive is off
    // while draining); idle or half-read ones are closed now.
    if (busy_) return;
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

  // Deadlines are checked by the context's ticker instead of a timer per
  // operation: re-arming a timer per read and write cost a timerfd_settime
  // syscall per request.
  void OnTick(int64_t now_ms) override {
    if (deadline_ms_ == 0 || now_ms < deadline_ms_) return;
    deadline_ms_ = 0;
    timed_out_ = true;
    // Counted before the close, which a client (or test) may see at once.
    if (!idle_) impl_->errors(408).Inc();
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
  }

 private:
  size_t MaxBodyBytes() const {
    size_t own = listener_->options.max_body_bytes;
    return own != 0 ? own : impl_->options().max_body_bytes;
  }

  // Phase 1: wait (idle timeout) for the first bytes of the next request.
  // Phase 2: the whole request must arrive within the read timeout.
  void WaitForRequest() {
    if (impl_->draining()) return Close();
    if (buffer_.size() > 0 && !first_request_) return ReadRequest();
    idle_ = true;
    SetDeadline(impl_->options().idle_timeout_ms);
    stream_.async_read_some(buffer_.prepare(8192),
                            [self = this->shared_from_this()](beast::error_code ec, size_t n) {
                              if (ec) return self->Close();
                              self->buffer_.commit(n);
                              if (self->first_request_ && self->MaybeHttp2()) return;
                              self->ReadRequest();
                            });
  }

  // HTTP/2 with prior knowledge: a connection whose first bytes are the
  // HTTP/2 preface goes to an H2 session (h2_session.h). Returns true when
  // this session is done with the socket or waits for more preface bytes.
  bool MaybeHttp2() {
    if constexpr (kTls) {
      return false;  // first_request_ is false from the start
    }
    auto data = buffer_.data();
    std::string_view seen(static_cast<const char*>(data.data()), data.size());
    size_t n = std::min(seen.size(), kH2Preface.size());
    if (seen.substr(0, n) != kH2Preface.substr(0, n)) {
      first_request_ = false;
      return false;
    }
    if (seen.size() < kH2Preface.size()) {
      WaitForRequest();  // a partial preface: read on
      return true;
    }
    deadline_ms_ = 0;
    StartH2Session(impl_, ctx_, &listener_->options, MaxBodyBytes(), std::move(stream_), remote_addr_, seen);
    return true;
  }

  void ReadRequest() {
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(impl_->options().max_header_bytes));
    // Beast checks Content-Length against the limit when the header is done;
    // streamed requests may be larger, so the final limit is set in OnHeader.
    parser_->body_limit(std::max<uint64_t>(MaxBodyBytes(), Streams() ? listener_->options.max_streamed_body_bytes : 0));
    idle_ = false;
    SetDeadline(impl_->options().read_timeout_ms);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&HttpSession::OnHeader, this->shared_from_this()));
  }

  // Clients that send "Expect: 100-continue" (botocore's S3 uploads, curl
  // with large bodies) wait for an interim 100 before sending the body.
  void OnHeader(beast::error_code ec, size_t n) {
    if (ec || parser_->is_done()) return OnRead(ec, n);
    auto& header = parser_->get();
    bool streamed = false;
    if (Streams()) {
      FillRequest(header);
      streamed = listener_->options.stream_body(request_);
    }
    if (!streamed) {
      auto length = parser_->content_length();
      if (length && *length > MaxBodyBytes()) {
        deadline_ms_ = 0;
        return RejectAndClose(413, "Content Too Large",
                              "request body exceeds " + std::to_string(MaxBodyBytes()) + " bytes");
      }
      parser_->body_limit(MaxBodyBytes());
    }
    auto next = [self = this->shared_from_this(), streamed] {
      if (streamed) {
        self->StartStreamedRequest();
      } else {
        self->ReadBody();
      }
    };
    if (beast::iequals(header[http::field::expect], "100-continue")) {
      static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      net::async_write(stream_, net::buffer(kContinue),
                       [self = this->shared_from_this(), next](beast::error_code ec, size_t) {
        if (ec) return self->Close();
        next();
      });
      return;
    }
    next();
  }

  bool Streams() const { return static_cast<bool>(listener_->options.stream_body); }

  // ------------------------------------------------------------ streamed bodies
  // The handler runs as soon as the headers are in; PumpBody reads the body
  // in chunks into `streamed_`, pausing while kMaxAhead bytes wait unread.

  void StartStreamedRequest() {
    body_parser_.emplace(std::move(*parser_));
    parser_.reset();
    body_parser_->body_limit(listener_->options.max_streamed_body_bytes);
    streamed_ = std::make_shared<StreamedBody>();
    std::weak_ptr<HttpSession> weak = this->shared_from_this();
    auto executor = impl_->context(ctx_).get_executor();
    auto liveness = impl_->liveness();
    streamed_->resume = [weak, executor, liveness] {
      std::lock_guard lock(liveness->mu);
      if (!liveness->alive) return;
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->PumpBody();
      });
    };
    auto& msg = body_parser_->get();
    FillRequest(msg);
    request_.body_stream = streamed_;
    PumpBody();
    Dispatch();
  }

  void PumpBody() {
    if (!streamed_ || pump_reading_ || body_finished_) return;
    if (body_parser_->is_done()) {
      body_finished_ = true;
      streamed_->Finish();
      return;
    }
    pump_buf_.resize(kBodyChunk);
    auto& body = body_parser_->get().body();
    body.data = pump_buf_.data();
    body.size = pump_buf_.size();
    body.more = true;
    pump_reading_ = true;
    SetDeadline(impl_->options().read_timeout_ms);
    http::async_read(stream_, buffer_, *body_parser_,
                     beast::bind_front_handler(&HttpSession::OnBodyRead, this->shared_from_this()));
  }

  void OnBodyRead(beast::error_code ec, size_t) {
    pump_reading_ = false;
    if (!busy_ || response_started_) {
      // The answer went out before the body was read: stop reading.
      if (!busy_) body_parser_.reset();
      if (linger_after_pump_) LingerAndClose();
      return;
    }
    deadline_ms_ = 0;
    if (ec == http::error::need_buffer) ec = {};
    size_t got = pump_buf_.size() - body_parser_->get().body().size;
    if (ec) {
      body_finished_ = true;
      std::string why = timed_out_ ? "timed out reading the request body" : "request body: " + ec.message();
      if (ec == http::error::body_limit) {
        why = "request body exceeds " + std::to_string(listener_->options.max_streamed_body_bytes) + " bytes";
      }
      streamed_->Fail(common::Status::IOError(why));
      return;
    }
    pump_buf_.resize(got);
    bool more = got == 0 || streamed_->Push(std::move(pump_buf_));
    pump_buf_ = std::string();
    if (body_parser_->is_done()) {
      body_finished_ = true;
      streamed_->Finish();
      return;
    }
    if (more) PumpBody();
  }

  void ReadBody() {
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&HttpSession::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, size_t) {
    deadline_ms_ = 0;
    if (timed_out_) return Close();  // a slow client gets no more of our time (counted in OnTick)
    if (ec == http::error::end_of_stream || ec == net::error::operation_aborted ||
        ec == net::error::connection_reset || ec == net::error::eof) {
      return Close();
    }
    if (ec == http::error::header_limit) {
      return RejectAndClose(431, "Request Header Fields Too Large",
                            "request headers exceed " + std::to_string(impl_->options().max_header_bytes) +
                                " bytes");
    }
    if (ec == http::error::body_limit) {
      return RejectAndClose(413, "Content Too Large",
                            "request body exceeds " + std::to_string(MaxBodyBytes()) + " bytes");
    }
    if (ec) {
      if (ec.category() == http::make_error_code(http::error::bad_target).category()) {
        return RejectAndClose(400, "Bad Request", "malformed HTTP request: " + ec.message());
      }
      return Close();
    }
    auto& msg = parser_->get();
    bool batch = false;
    if (listener_->options.hub != nullptr && websocket::is_upgrade(msg) && ParseWsTarget(Ssv(msg.target()), &batch)) {
      auto ws = std::make_shared<WsSession<Stream>>(impl_, ctx_, listener_, std::move(stream_), remote_addr_, batch);
      ws->Run(parser_->release());
      return;
    }
    HandleRequest();
  }

  // Request line and headers into request_ (no body).
  template <class Message>
  void FillRequest(const Message& msg) {
    keep_alive_ = msg.keep_alive();
    version_ = msg.version();
    request_ = Request{};
    request_.method = std::string(msg.method_string());
    request_.target = std::string(msg.target());
    std::string_view target = Ssv(msg.target());
    size_t q = target.find('?');
    request_.path = PercentDecode(target.substr(0, q));
    if (q != std::string_view::npos) request_.query = std::string(target.substr(q + 1));
    for (const auto& field : msg) {
      request_.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    request_.remote_addr =
        ClientAddress(remote_addr_, request_.Header("x-forwarded-for"), listener_->options.trusted_proxies);
    request_.http_version = static_cast<int>(version_);
    request_.tls = kTls;
  }

  void HandleRequest() {
    auto msg = parser_->release();
    parser_.reset();
    FillRequest(msg);
    request_.body = std::move(msg.body());
    Dispatch();
  }

  void Dispatch() {
    busy_ = true;
    response_started_ = false;
    start_micros_ = NowMicros();
    std::string_view incoming_id = request_.Header("X-Request-Id");
    request_.request_id = UsableRequestId(incoming_id) ? std::string(incoming_id) : NewRequestId();
    impl_->in_flight().fetch_add(1);
    impl_->in_flight_gauge().Inc();

    const CorsOptions& cors = listener_->options.cors;
    std::string_view origin = request_.Header("Origin");
    cors_origin_ = OriginAllowed(cors, origin) ? (cors.allowed_origins == "*" ? "*" : std::string(origin)) : "";
    if (!cors_origin_.empty() && request_.method == "OPTIONS" &&
        request_.headers.Has("Access-Control-Request-Method")) {
      Response preflight;
      preflight.status = 204;
      preflight.headers.Add("Access-Control-Allow-Methods", cors.allowed_methods);
      preflight.headers.Add("Access-Control-Allow-Headers", cors.allowed_headers);
      preflight.headers.Add("Access-Control-Max-Age", "600");
      request_.route = "cors-preflight";
      return WriteResponse(std::move(preflight));
    }

    // Respond may run on any thread and after this session is gone; a weak
    // reference plus `self_` (set while busy) keeps the session exactly as
    // long as a response can still come.
    self_ = this->shared_from_this();
    auto called = std::make_shared<std::atomic<bool>>(false);
    std::weak_ptr<HttpSession> weak = self_;
    auto executor = impl_->context(ctx_).get_executor();
    auto liveness = impl_->liveness();
    Respond respond = [weak, called, executor, liveness](Response response) {
      if (called->exchange(true)) return;  // contract: exactly once; extra calls are ignored
      if (executor.running_in_this_thread()) {
        // The common synchronous case: no lock, no queueing.
        if (auto self = weak.lock()) self->WriteResponse(std::move(response));
        return;
      }
      std::lock_guard lock(liveness->mu);
      if (!liveness->alive) return;
      net::post(executor, [weak, response = std::move(response)]() mutable {
        if (auto self = weak.lock()) self->WriteResponse(std::move(response));
      });
    };
    try {
      listener_->options.handler(request_, std::move(respond));
    } catch (const std::exception& e) {
      // Handlers should not throw; if one does the client still gets an answer.
      // Client-controlled text is escaped so --log-format json lines stay valid.
      spdlog::error("handler for {} {} threw: {} (request {})", common::JsonEscape(request_.method),
                    common::JsonEscape(request_.path), common::JsonEscape(e.what()),
                    request_.request_id);
      if (!called->exchange(true)) {
        WriteResponse(listener_->options.error_response(500, "Internal Server Error",
                                                        "internal error; quote the request id",
                                                        request_.request_id));
      }
    }
  }

  void RejectAndClose(int status, std::string_view title, const std::string& detail) {
    impl_->errors(status).Inc();
    busy_ = true;
    keep_alive_ = false;
    linger_ = true;
    version_ = 11;
    start_micros_ = NowMicros();
    request_ = Request{};
    request_.request_id = NewRequestId();
    request_.method = "-";
    request_.route = "rejected";
    impl_->in_flight().fetch_add(1);
    impl_->in_flight_gauge().Inc();
    self_ = this->shared_from_this();
    WriteResponse(listener_->options.error_response(status, title, detail, request_.request_id));
  }

  void WriteResponse(Response response) {
    response_ = std::move(response);
    response_started_ = true;
    if (streamed_ && !body_finished_) {
      // Answered before the whole body arrived (an error, say): the rest of
      // the body is never read, so this connection cannot carry another request.
      keep_alive_ = false;
      streamed_->Fail(common::Status::IOError("the response was sent before the body was read"));
    }
    bool head_request = request_.method == "HEAD";
    // A HEAD answer says how long the body would be without carrying it: a
    // handler may state that length in Content-Length instead of a body.
    std::string head_length(response_.headers.Get("Content-Length"));
    if (!head_request || head_length.empty() ||
        head_length.find_first_not_of("0123456789") != std::string::npos || head_length.size() > 19) {
      head_length.clear();
    }
    if (!response_.file_path.empty() && head_request && head_length.empty()) {
      std::error_code ec;
      auto size = std::filesystem::file_size(response_.file_path, ec);
      if (!ec) head_length = std::to_string(size);
    } else if (!response_.file_path.empty()) {
      // Large files the static handler chose not to cache go out in chunks.
      auto source = FileBodySource::Open(response_.file_path);
      if (!source) {
        response_ = listener_->options.error_response(404, "Not Found", "file vanished", request_.request_id);
      } else {
        response_.body_length = source->size();
        response_.body_source = std::move(source);
      }
    }
    if (response_.body_source && !response_.body_length) {
      // A source of unknown length (an event stream) needs HTTP/2.
      response_.body_source->Cancel();
      response_.body_source.reset();
    }
    bool chunked_source = response_.body_source != nullptr;
    uint64_t source_length = response_.body_length.value_or(0);
    if (chunked_source && head_request && head_length.empty()) head_length = std::to_string(source_length);
    // The head is serialized by hand into one string and sent with the body
    // in a single gather write: Beast's serializer and field container cost
    // more than the rest of the request path together.
    const std::string& body = response_.shared_body ? *response_.shared_body : response_.body;
    bool no_body = response_.status == 204 || response_.status == 304 || response_.status < 200;
    bool send_body = !no_body && !head_request && !body.empty() && !chunked_source;
    bool send_source = chunked_source && !no_body && !head_request && source_length > 0;
    keep_alive_ = keep_alive_ && !impl_->draining();
    head_.clear();
    head_.append("HTTP/1.1 ").append(std::to_string(response_.status)).append(1, ' ');
    head_.append(Ssv(http::obsolete_reason(static_cast<http::status>(response_.status)))).append("\r\n");
    head_.append("Server: rivulet\r\nDate: ").append(impl_->http_date(ctx_)).append("\r\n");
    head_.append("X-Request-Id: ").append(request_.request_id).append("\r\n");
    for (const auto& [name, value] : response_.headers.items()) {
      if (!SafeHeader(name, value)) continue;
      head_.append(name).append(": ").append(value).append("\r\n");
    }
    if (!cors_origin_.empty()) {
      head_.append("Access-Control-Allow-Origin: ").append(cors_origin_).append("\r\n");
      if (cors_origin_ != "*") head_.append("Vary: Origin\r\n");
    }
    if (!no_body) {
      std::string length = !head_length.empty() ? head_length
                           : chunked_source      ? std::to_string(source_length)
                                                 : std::to_string(body.size());
      head_.append("Content-Length: ").append(length).append("\r\n");
    }
    if (!keep_alive_) {
      head_.append("Connection: close\r\n");
    } else if (version_ == 10) {
      head_.append("Connection: keep-alive\r\n");
    }
    head_.append("\r\n");
    if constexpr (kTls) {
      // Asio's TLS stream encrypts one buffer per write: head and body
      // separately would cost two records and two sends. A small body is
      // cheaper to copy behind the head (one record up to 16 KB).
      if (send_body && body.size() <= kCoalesceTlsBody) {
        head_.append(body);
        send_body = false;
      }
    }
    std::array<net::const_buffer, 2> buffers{net::buffer(head_),
                                             send_body ? net::buffer(body) : net::const_buffer()};
    SetDeadline(impl_->options().read_timeout_ms);
    if (send_source) {
      source_left_ = source_length;
      source_sent_ = 0;
      source_failed_ = false;
      source_done_ = false;
      ready_chunk_.clear();
      chunk_writing_ = true;  // the head is the first write
      std::weak_ptr<HttpSession> weak = this->shared_from_this();
      auto executor = impl_->context(ctx_).get_executor();
      auto liveness = impl_->liveness();
      response_.body_source->SetWaker([weak, executor, liveness] {
        std::lock_guard lock(liveness->mu);
        if (!liveness->alive) return;
        net::post(executor, [weak] {
          if (auto self = weak.lock()) self->PullChunk();
        });
      });
      PullChunk();
      net::async_write(stream_, buffers, [self = this->shared_from_this()](beast::error_code ec, size_t n) {
        self->chunk_writing_ = false;
        if (ec) return self->OnWrite(ec, n);
        self->head_written_ = n;
        self->WriteNextChunk();
      });
      return;
    }
    net::async_write(stream_, buffers, beast::bind_front_handler(&HttpSession::OnWrite, this->shared_from_this()));
  }

  // ------------------------------------------------------------ sourced responses
  // Response::body_source with a known length: one chunk is written while
  // the next is pulled (double buffering).

  // Pulls into ready_chunk_ until it holds a chunk, the source must wait (its
  // waker calls PullChunk again), or the promised length is reached.
  void PullChunk() {
    if (!busy_ || !response_.body_source || source_failed_) return;
    while (!source_done_ && ready_chunk_.size() < std::min<uint64_t>(kBodyChunk, source_left_)) {
      auto pull = response_.body_source->Read(kBodyChunk - ready_chunk_.size(), &ready_chunk_);
      if (pull == BodySource::Pull::kEnd) source_done_ = true;
      if (pull == BodySource::Pull::kWait) break;
    }
    if (ready_chunk_.size() > source_left_ || (source_done_ && ready_chunk_.size() < source_left_)) {
      // The head promised another length: cut the connection so the client
      // sees a truncated body, never a wrong one.
      spdlog::error("{}: response body of request {} does not match its Content-Length (after {} bytes)",
                    listener_->options.name, request_.request_id, source_sent_);
      source_failed_ = true;
    }
    if (!chunk_writing_) WriteNextChunk();
  }

  void WriteNextChunk() {
    if (source_failed_) return OnWrite(net::error::connection_aborted, head_written_ + source_sent_);
    if (ready_chunk_.empty()) {
      if (source_left_ == 0) return OnWrite({}, head_written_ + source_sent_);
      return;  // PullChunk continues when the source has more
    }
    writing_chunk_ = std::move(ready_chunk_);
    ready_chunk_ = std::string();
    source_left_ -= writing_chunk_.size();
    chunk_writing_ = true;
    SetDeadline(impl_->options().read_timeout_ms);
    net::async_write(stream_, net::buffer(writing_chunk_),
                     [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      if (!self->busy_) return;
      self->chunk_writing_ = false;
      self->source_sent_ += n;
      self->writing_chunk_ = std::string();
      if (ec) {
        self->source_failed_ = true;
        return self->OnWrite(ec, self->head_written_ + self->source_sent_);
      }
      if (self->source_left_ == 0) return self->OnWrite({}, self->head_written_ + self->source_sent_);
      self->PullChunk();
    });
  }

  // Framing headers are ours; a value with CR/LF would split the response.
  static bool SafeHeader(std::string_view name, std::string_view value) {
    if (name.empty() || name.find_first_of("\r\n:") != std::string_view::npos ||
        value.find_first_of("\r\n") != std::string_view::npos) {
      return false;
    }
    return !beast::iequals(Bsv(name), "Content-Length") && !beast::iequals(Bsv(name), "Transfer-Encoding") &&
           !beast::iequals(Bsv(name), "Connection");
  }

  void OnWrite(beast::error_code ec, size_t bytes) {
    deadline_ms_ = 0;
    double seconds = static_cast<double>(NowMicros() - start_micros_) / 1e6;
    impl_->RecordRequest(*listener_, request_.method, request_.route, response_.status, seconds);
    auto level = impl_->options().access_log ? spdlog::level::info : spdlog::level::debug;
    if (spdlog::should_log(level)) {
      spdlog::log(level, "{} {} {} {} {} {}B {:.3f}ms id={}", listener_->options.name, remote_addr_,
                  common::JsonEscape(request_.method), common::JsonEscape(request_.target), response_.status, bytes,
                  seconds * 1e3, request_.request_id);
    }
    impl_->in_flight().fetch_sub(1);
    impl_->in_flight_gauge().Dec();
    busy_ = false;
    bool body_unread = streamed_ && !body_finished_;
    if (response_.body_source && (ec || source_failed_)) response_.body_source->Cancel();
    response_ = Response{};
    ready_chunk_ = std::string();
    if (!pump_reading_) body_parser_.reset();  // else the read in flight still uses it
    streamed_.reset();
    body_finished_ = false;
    auto keep = std::move(self_);  // released at the end of this call
    if (ec) return Close();
    if (body_unread) {
      // Let the client read our answer before the unread body resets the socket.
      if (pump_reading_) {
        linger_after_pump_ = true;
        return;
      }
      return LingerAndClose();
    }
    if (linger_) return LingerAndClose();
    if (!keep_alive_) return Close();
    WaitForRequest();
  }

  // After refusing a request whose body is still arriving, read and discard
  // for a moment so the client sees our answer instead of a reset.
  void LingerAndClose() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(1000);
    buffer_.clear();
    stream_.async_read_some(buffer_.prepare(65536), [self = this->shared_from_this()](beast::error_code ec, size_t n) {
      self->lingered_ += n;
      if (ec || self->lingered_ > (16u << 20)) return self->Close();
      self->LingerAndClose();
    });
  }

  void Close() {
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_send, ignored);
    socket().close(ignored);
  }

  Server::Impl* impl_;
  size_t ctx_;
  ListenerState* listener_;
  void SetDeadline(int timeout_ms) { deadline_ms_ = impl_->coarse_now_ms(ctx_) + timeout_ms; }

  tcp::socket& socket() { return beast::get_lowest_layer(stream_); }

  Stream stream_;
  int64_t deadline_ms_ = 0;  // 0: none (a handler is working)
  bool timed_out_ = false;
  bool idle_ = false;  // between requests: a timeout then is no 408
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  // Streamed request bodies.
  std::optional<http::request_parser<http::buffer_body>> body_parser_;
  std::shared_ptr<StreamedBody> streamed_;
  std::string pump_buf_;
  bool pump_reading_ = false;
  bool body_finished_ = false;      // the body was read to its end, or failed
  bool response_started_ = false;
  bool linger_after_pump_ = false;
  // Chunked responses (Response::body_source).
  std::string ready_chunk_, writing_chunk_;
  bool chunk_writing_ = false, source_failed_ = false, source_done_ = false;
  uint64_t source_left_ = 0, source_sent_ = 0;
  size_t head_written_ = 0;
  std::string remote_addr_;
  Request request_;    // valid until the response is written
  Response response_;  // owns the body bytes while writing
  std::string head_;   // serialized status line and headers while writing
  unsigned version_ = 11;
  std::string cors_origin_;
  std::shared_ptr<HttpSession> self_;
  bool busy_ = false;
  bool keep_alive_ = true;
  bool linger_ = false;
  size_t lingered_ = 0;
  int64_t start_micros_ = 0;
  bool first_request_ = !kTls;  // until we know this is not HTTP/2
};

// ---------------------------------------------------------------- TLS

// From accept to a finished TLS handshake on a TLS listener; then hands the
// stream to an H2 session (ALPN chose h2) or an HTTP/1.1 session. The first
// bytes are read here so that a plain-HTTP client gets a readable 400 rather
// than a handshake alert it cannot show. The whole phase is bounded by
// ServerOptions::tls_handshake_timeout_ms (checked by the ticker), so a
// client that connects and stalls holds nothing for long.
class TlsHandshake : public SessionBase, public std::enable_shared_from_this<TlsHandshake> {
 public:
  TlsHandshake(Server::Impl* impl, size_t ctx, ListenerState* listener, tcp::socket&& socket)
      : impl_(impl), ctx_(ctx), listener_(listener), stream_(std::move(socket), *listener->tls) {
    beast::error_code ec;
    auto endpoint = stream_.next_layer().remote_endpoint(ec);
    if (!ec) remote_addr_ = endpoint.address().to_string();
  }
  ~TlsHandshake() override { impl_->Unregister(ctx_, this); }

  void Run() {
    impl_->Register(ctx_, this);
    deadline_ms_ = impl_->coarse_now_ms(ctx_) + impl_->options().tls_handshake_timeout_ms;
    stream_.next_layer().async_read_some(
        net::buffer(first_),
        [self = shared_from_this()](beast::error_code ec, size_t n) { self->OnFirstBytes(ec, n); });
  }

  void OnDrain() override { Close(); }

  void OnTick(int64_t now_ms) override {
    if (deadline_ms_ == 0 || now_ms < deadline_ms_) return;
    deadline_ms_ = 0;
    impl_->errors(408).Inc();
    spdlog::debug("{}: TLS handshake from {} timed out", listener_->options.name, remote_addr_);
    Close();
  }

 private:
  // 0x16 starts a TLS record of type handshake (the ClientHello).
  static constexpr uint8_t kTlsHandshakeRecord = 0x16;

  void OnFirstBytes(beast::error_code ec, size_t n) {
    if (ec || deadline_ms_ == 0) return Close();
    if (first_[0] != kTlsHandshakeRecord) return RejectPlainHttp();
    stream_.async_handshake(net::ssl::stream_base::server, net::buffer(first_.data(), n),
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->OnHandshake(ec); });
  }

  void OnHandshake(beast::error_code ec) {
    if (ec || deadline_ms_ == 0) {
      if (ec) {
        spdlog::debug("{}: TLS handshake from {} failed: {}", listener_->options.name, remote_addr_, ec.message());
      }
      return Close();
    }
    deadline_ms_ = 0;
    const unsigned char* alpn = nullptr;
    unsigned int alpn_size = 0;
    SSL_get0_alpn_selected(stream_.native_handle(), &alpn, &alpn_size);
    if (std::string_view(reinterpret_cast<const char*>(alpn), alpn_size) == "h2") {
      size_t own = listener_->options.max_body_bytes;
      StartH2Session(impl_, ctx_, &listener_->options, own != 0 ? own : impl_->options().max_body_bytes,
                     std::move(stream_), remote_addr_, {});
      return;
    }
    std::make_shared<HttpSession<TlsStream>>(impl_, ctx_, listener_, std::move(stream_))->Run();
  }

  void RejectPlainHttp() {
    deadline_ms_ = 0;
    impl_->errors(400).Inc();
    static const std::string kBody = "This port speaks TLS only: connect with https://.\n";
    static const std::string kReply =
        "HTTP/1.1 400 Bad Request\r\nServer: rivulet\r\nContent-Type: text/plain\r\nConnection: close\r\n"
        "Content-Length: " + std::to_string(kBody.size()) + "\r\n\r\n" + kBody;
    net::async_write(stream_.next_layer(), net::buffer(kReply),
                     [self = shared_from_this()](beast::error_code, size_t) { self->Close(); });
  }

  void Close() {
    beast::error_code ignored;
    stream_.next_layer().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.next_layer().close(ignored);
  }

  Server::Impl* impl_;
  size_t ctx_;
  ListenerState* listener_;
  TlsStream stream_;
  std::array<uint8_t, 4096> first_;
  std::string remote_addr_;
  int64_t deadline_ms_ = 0;  // 0: none (done, or timed out)
};

// Server preference: h2, then http/1.1; no overlap (or no ALPN) = HTTP/1.1.
int SelectAlpn(SSL*, const unsigned char** out, unsigned char* out_size, const unsigned char* in,
               unsigned int in_size, void*) {
  static constexpr unsigned char kOurs[] = "\x02h2\x08http/1.1";
  unsigned char* chosen = nullptr;
  if (SSL_select_next_proto(&chosen, out_size, kOurs, sizeof kOurs - 1, in, in_size) != OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;
  }
  *out = chosen;
  return SSL_TLSEXT_ERR_OK;
}

// The first OpenSSL error as text, for startup messages.
std::string OpenSslError(const beast::error_code& ec) {
  unsigned long e = ERR_get_error();
  ERR_clear_error();
  if (e != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
  }
  return ec.message();
}

// A TLS 1.2+ server context with the listener's certificate and key.
common::Result<std::unique_ptr<net::ssl::context>> MakeTlsContext(const ListenerOptions& o) {
  std::string where = o.name + " listener: ";
  for (const auto* path : {&o.tls_cert_file, &o.tls_key_file}) {
    if (::access(path->c_str(), R_OK) != 0) {
      std::string what = path == &o.tls_cert_file ? "certificate" : "key";
      return common::Status::InvalidArgument(where + "cannot read TLS " + what + " file '" + *path +
                                             "': " + std::strerror(errno));
    }
  }
  auto tls = std::make_unique<net::ssl::context>(net::ssl::context::tls_server);
  beast::error_code ec;
  tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                       net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                       net::ssl::context::single_dh_use,
                   ec);
  ERR_clear_error();
  if (tls->use_certificate_chain_file(o.tls_cert_file, ec); ec) {
    return common::Status::InvalidArgument(where + "'" + o.tls_cert_file +
                                           "' is not a PEM certificate: " + OpenSslError(ec));
  }
  // OpenSSL checks the key against the certificate as it loads it.
  bool mismatch = false;
  if (tls->use_private_key_file(o.tls_key_file, net::ssl::context::pem, ec); ec) {
    // Asio took the error off OpenSSL's queue: its code is the error_code's value.
    mismatch = ec.category() == net::error::get_ssl_category() &&
               ERR_GET_REASON(static_cast<unsigned long>(ec.value())) == X509_R_KEY_VALUES_MISMATCH;
    if (!mismatch) {
      return common::Status::InvalidArgument(where + "'" + o.tls_key_file + "' is not a PEM private key: " +
                                             OpenSslError(ec));
    }
  }
  if (mismatch || SSL_CTX_check_private_key(tls->native_handle()) != 1) {
    return common::Status::InvalidArgument(where + "the TLS key '" + o.tls_key_file +
                                           "' does not match the certificate '" + o.tls_cert_file +
                                           "': " + OpenSslError({}));
  }
  SSL_CTX_set_alpn_select_cb(tls->native_handle(), SelectAlpn, nullptr);
  return tls;
}

}  // namespace

// ---------------------------------------------------------------- Impl

Server::Impl::Impl(ServerOptions options, MetricsRegistry* metrics) : options_(std::move(options)), metrics_(metrics) {
  if (options_.threads <= 0) options_.threads = std::max(1u, std::thread::hardware_concurrency());
  for (int i = 0; i < options_.threads; ++i) {
    contexts_.push_back(std::make_unique<net::io_context>(1));
    guards_.push_back(net::make_work_guard(*contexts_.back()));
  }
  sessions_.resize(options_.threads);
  for (auto& ctx : contexts_) {
    tickers_.push_back(std::make_unique<Ticker>(*ctx));
    tickers_.back()->now_ms = NowMicros() / 1000;
    RefreshDate(*tickers_.back());
  }
  in_flight_gauge_ = &metrics_->GetGauge("rivulet_http_in_flight_requests", "Requests being handled now.");
  ws_gauge_ = &metrics_->GetGauge("rivulet_ws_connections", "Open WebSocket connections.");
  connections_gauge_ = &metrics_->GetGauge("rivulet_http_connections",
                                           "Open HTTP connections (WebSockets excluded).");
  ws_dropped_ = &metrics_->GetCounter("rivulet_ws_dropped_slow_clients_total",
                                      "WebSocket clients dropped because their send queue was full.");
}

Server::Impl::~Impl() {
  Shutdown();
  listeners_.clear();
  tickers_.clear();
  // Destroying the contexts destroys pending handlers and with them the
  // sessions, which unregister from sessions_ (still alive here).
  contexts_.clear();
}

common::Status Server::Impl::AddListener(ListenerOptions options) {
  if (started_) return common::Status::Internal("AddListener after Start");
  beast::error_code ec;
  auto address = net::ip::make_address(options.address, ec);
  if (ec) {
    return common::Status::InvalidArgument("listen address '" + options.address + "' is not an IP address");
  }
  auto listener = std::make_unique<ListenerState>();
  listener->options = std::move(options);
  if (!listener->options.tls_cert_file.empty() || !listener->options.tls_key_file.empty()) {
    if (listener->options.tls_cert_file.empty() || listener->options.tls_key_file.empty()) {
      return common::Status::InvalidArgument(listener->options.name +
                                             " listener: TLS needs both a certificate and a key file");
    }
    ASSIGN_OR_RETURN(listener->tls, MakeTlsContext(listener->options));
  }
  uint16_t port = listener->options.port;
  {
    // SO_REUSEPORT below lets our acceptors share the port, but it would
    // also let a second Rivulet (same user) silently share it and take half
    // the connections. A probe bound without it fails while anybody listens
    // there, and for port 0 it picks a port nobody uses.
    tcp::acceptor probe(*contexts_[0]);
    tcp::endpoint endpoint(address, port);
    probe.open(endpoint.protocol(), ec);
    if (!ec) probe.set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) probe.bind(endpoint, ec);
    if (ec) {
      return common::Status::IOError("cannot listen on " + listener->options.address + ":" + std::to_string(port) +
                                     " (" + listener->options.name + "): " + ec.message() +
                                     (ec == net::error::address_in_use ? " (is another server running there?)" : ""));
    }
    port = probe.local_endpoint().port();
  }
  for (size_t i = 0; i < contexts_.size(); ++i) {
    auto acceptor = std::make_unique<tcp::acceptor>(*contexts_[i]);
    tcp::endpoint endpoint(address, port);
    acceptor->open(endpoint.protocol(), ec);
    if (!ec) acceptor->set_option(net::socket_base::reuse_address(true), ec);
    if (!ec) {
      int one = 1;
      if (::setsockopt(acceptor->native_handle(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0) {
        ec = beast::error_code(errno, boost::system::system_category());
      }
    }
    if (!ec) acceptor->bind(endpoint, ec);
    if (!ec) acceptor->listen(net::socket_base::max_listen_connections, ec);
    if (ec) {
      return common::Status::IOError("cannot listen on " + listener->options.address + ":" +
                                     std::to_string(port) + " (" + listener->options.name + "): " + ec.message());
    }
    listener->acceptors.push_back(std::move(acceptor));
  }
  listener->port = port;
  listeners_.push_back(std::move(listener));
  return common::Status::OK();
}

uint16_t Server::Impl::port(const std::string& name) const {
  for (const auto& l : listeners_) {
    if (l->options.name == name) return l->port;
  }
  return 0;
}

void Server::Impl::DoAccept(ListenerState* listener, size_t ctx) {
  listener->acceptors[ctx]->async_accept(
      *contexts_[ctx], [this, listener, ctx](beast::error_code ec, tcp::socket socket) {
        if (ec == net::error::operation_aborted || !listener->acceptors[ctx]->is_open()) return;
        if (!ec && !draining()) {
          socket.set_option(tcp::no_delay(true), ec);
          if (listener->tls) {
            std::make_shared<TlsHandshake>(this, ctx, listener, std::move(socket))->Run();
          } else {
            std::make_shared<HttpSession<tcp::socket>>(this, ctx, listener, std::move(socket))->Run();
          }
        }
        DoAccept(listener, ctx);
      });
}

void Server::Impl::RefreshDate(Ticker& t) {
  std::time_t now = std::time(nullptr);
  if (now == t.date_second) return;
  t.date_second = now;
  std::tm tm;
  gmtime_r(&now, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  t.date = buf;
}

void Server::Impl::Tick(size_t ctx) {
  Ticker& t = *tickers_[ctx];
  t.now_ms = NowMicros() / 1000;
  RefreshDate(t);
  // OnTick may close sessions, which unregister: iterate a copy.
  if (!sessions_[ctx].empty()) {
    std::vector<SessionBase*> sessions(sessions_[ctx].begin(), sessions_[ctx].end());
    for (SessionBase* s : sessions) s->OnTick(t.now_ms);
  }
  t.timer.expires_after(std::chrono::milliseconds(kTickMs));
  t.timer.async_wait([this, ctx](beast::error_code ec) {
    if (!ec) Tick(ctx);
  });
}

common::Status Server::Impl::Start() {
  if (started_) return common::Status::OK();
  started_ = true;
  for (auto& listener : listeners_) {
    for (size_t i = 0; i < contexts_.size(); ++i) DoAccept(listener.get(), i);
  }
  for (size_t i = 0; i < contexts_.size(); ++i) {
    Tick(i);
    threads_.emplace_back([ctx = contexts_[i].get()] {
      common::NameThisThread("http-io");
      ctx->run();
    });
  }
  return common::Status::OK();
}

void Server::Impl::Shutdown() {
  if (stopped_) return;
  stopped_ = true;
  draining_ = true;
  if (started_) {
    for (size_t i = 0; i < contexts_.size(); ++i) {
      net::post(*contexts_[i], [this, i] {
        for (auto& listener : listeners_) {
          beast::error_code ignored;
          listener->acceptors[i]->close(ignored);
        }
        // OnDrain may close sessions, which unregister: iterate a copy.
        auto sessions = sessions_[i];
        for (SessionBase* s : sessions) s->OnDrain();
      });
    }
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.drain_timeout_ms);
    while ((in_flight_.load() > 0 || live_sessions_.load() > 0) && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (in_flight_.load() > 0) {
      spdlog::warn("shutdown: {} requests still in flight after {} ms; stopping anyway", in_flight_.load(),
                   options_.drain_timeout_ms);
    }
  }
  guards_.clear();
  for (auto& ctx : contexts_) ctx->stop();
  for (auto& t : threads_) t.join();
  threads_.clear();
  std::lock_guard lock(liveness_->mu);
  liveness_->alive = false;
}

void Server::Impl::RequestDone(const ListenerOptions& listener, const Request& request, int status, size_t bytes,
                               double seconds, std::string_view remote) {
  RecordRequest(listener, request.method, request.route, status, seconds);
  auto level = options_.access_log ? spdlog::level::info : spdlog::level::debug;
  if (spdlog::should_log(level)) {
    spdlog::log(level, "{} {} {} {} {} {}B {:.3f}ms id={} h2", listener.name, remote, common::JsonEscape(request.method),
                common::JsonEscape(request.target), status, bytes, seconds * 1e3, request.request_id);
  }
}

std::string Server::Impl::RequestIdFor(std::string_view incoming) const {
  return UsableRequestId(incoming) ? std::string(incoming) : NewRequestId();
}

std::string Server::Impl::CorsOriginFor(const CorsOptions& cors, std::string_view origin) const {
  if (!OriginAllowed(cors, origin)) return "";
  return cors.allowed_origins == "*" ? "*" : std::string(origin);
}

void Server::Impl::RecordRequest(const ListenerState& listener, std::string_view method, std::string_view route,
                                 int status, double seconds) {
  RecordRequest(listener.options, method, route, status, seconds);
}

void Server::Impl::RecordRequest(const ListenerOptions& listener, std::string_view method, std::string_view route,
                                 int status, double seconds) {
  // Registry lookups take a lock; each thread caches the metrics it has used.
  struct Cached {
    Counter* requests;
    Histogram* latency;
  };
  thread_local std::unordered_map<std::string, Cached> cache;
  thread_local std::string key;
  std::string_view route_label = route.empty() ? std::string_view("unmatched") : route;
  // Clients may send any token as a method; keep the label set bounded.
  static constexpr std::string_view kMethods[] = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "-"};
  if (std::find(std::begin(kMethods), std::end(kMethods), method) == std::end(kMethods)) method = "OTHER";
  key.clear();
  key.append(listener.name).append(1, '\n').append(route_label).append(1, '\n').append(method);
  key.append(1, '\n').append(std::to_string(status));
  auto it = cache.find(key);
  if (it == cache.end()) {
    Labels labels{{"listener", listener.name}, {"route", std::string(route_label)}};
    Cached c;
    c.latency = &metrics_->GetHistogram("rivulet_http_request_duration_seconds",
                                        "Time from request read to response written.", labels);
    labels.emplace_back("method", std::string(method));
    labels.emplace_back("status", std::to_string(status));
    c.requests = &metrics_->GetCounter("rivulet_http_requests_total", "HTTP requests answered.", labels);
    it = cache.emplace(key, c).first;
  }
  it->second.requests->Inc();
  it->second.latency->Observe(seconds);
}

// ---------------------------------------------------------------- Server

Server::Server(ServerOptions options, MetricsRegistry* metrics)
    : impl_(std::make_unique<Impl>(std::move(options), metrics)) {}
Server::~Server() = default;
common::Status Server::AddListener(ListenerOptions options) { return impl_->AddListener(std::move(options)); }
uint16_t Server::port(const std::string& name) const { return impl_->port(name); }
common::Status Server::Start() { return impl_->Start(); }
void Server::Shutdown() { impl_->Shutdown(); }

}  // namespace gateway
