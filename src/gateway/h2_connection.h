// One HTTP/2 server connection (RFC 9113) as a byte-in/byte-out state
// machine over libnghttp2, with no socket and no event loop: the Asio session
// (h2_session.cc) and the fuzz target (h2_fuzz.cc) drive it.
//
// What it enforces, so a misbehaving client hurts only its own connection:
// SETTINGS_MAX_CONCURRENT_STREAMS (more streams are refused), the header list
// size (431) and body size (413) limits, nghttp2's own guards (invalid frames
// and HTTP messaging rules -> RST_STREAM or GOAWAY, PING/SETTINGS ack floods,
// rapid RST_STREAM, CONTINUATION floods), and a cap on requests whose handler
// has not answered yet (reading pauses until they do, which also covers
// streams the client resets right after opening them).
//
// Thread safety: none; one thread (the connection's) calls everything.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "gateway/http.h"

struct nghttp2_session;

namespace gateway {

struct H2Limits {
  uint32_t max_concurrent_streams = 100;
  size_t max_header_bytes = 16 * 1024;
  size_t max_body_bytes = 8 * 1024 * 1024;
  // Handlers still working (including for streams the client already reset)
  // beyond which the connection stops reading input.
  size_t max_unanswered = 200;
  int32_t stream_window = 1 << 20;        // our receive window per stream
  int32_t connection_window = 16 << 20;   // our receive window per connection
};

// A request read from one stream. Owned by a shared_ptr so that a handler's
// Request& stays valid until it answers, even if the stream is reset first.
struct H2Stream {
  int32_t id = 0;
  Request request;
  size_t header_bytes = 0;
  int reject_status = 0;  // 413 or 431: answered by the connection itself
  bool dispatched = false;
  bool answered = false;       // the handler's Response has been submitted
  bool closed = false;         // nghttp2 closed the stream
  // Response being sent.
  Response response;
  std::string pending;         // bytes taken from body_source, not yet framed
  size_t pending_offset = 0;   // of pending, already framed
  size_t offset = 0;           // into the fixed body
  bool source_done = false;
  bool deferred = false;       // nghttp2 waits for us to resume this stream's data
  int64_t opened_ms = 0;  // when its HEADERS arrived (H2Connection::set_now_ms)
  int status = 0;
};

class H2Connection {
 public:
  // `on_request`: a complete request arrived (headers and body); the
  // callback must eventually call Submit(stream->id, response) or the stream
  // stays open. `on_rejected`: the connection answered by itself (status).
  // `on_closed`: a stream whose response was submitted has finished or been
  // reset (for metrics and access logs).
  struct Callbacks {
    std::function<void(std::shared_ptr<H2Stream>)> on_request;
    std::function<void(H2Stream&)> on_closed;
    // Shapes the errors the connection answers itself (413/431).
    std::function<Response(int status, std::string_view title, std::string_view detail)> error_response;
    // Builds the waker handed to a response's BodySource (which may call it
    // from any thread): it must get Wake(stream_id) called on the connection's
    // thread. Unset: Wake is called directly (single-threaded use).
    std::function<std::function<void()>(int32_t stream_id)> make_waker;
  };

  H2Connection(H2Limits limits, Callbacks callbacks);
  ~H2Connection();
  H2Connection(const H2Connection&) = delete;
  H2Connection& operator=(const H2Connection&) = delete;

  // Feeds bytes from the client (starting with the connection preface).
  // Returns false on a fatal error: flush Output() and close.
  bool Receive(const uint8_t* data, size_t size);
  // Appends frames to send (at most about `max` bytes). Returns false on a
  // fatal error.
  bool Output(std::string* out, size_t max);

  // The response for a stream `on_request` delivered; dropped when the
  // stream is gone (reset by the client). Call Output() afterwards.
  void Submit(const std::shared_ptr<H2Stream>& stream, Response response);
  // A body source of this stream has data again.
  void Wake(int32_t stream_id);
  // Graceful shutdown: GOAWAY naming the last stream we accepted; streams in
  // progress finish, event streams end after what they have queued.
  void Shutdown();
  // Resets a stream (read timeout, stalled writer).
  void Reset(int32_t stream_id, uint32_t error_code);
  // The time stamped on streams that begin from now on (H2Stream::opened_ms).
  void set_now_ms(int64_t now_ms) { now_ms_ = now_ms; }

  // nghttp2 wants to read more / has something to send.
  bool WantsRead() const;
  bool WantsWrite() const;
  // True when reading should pause: too many requests await their handler.
  bool Paused() const { return unanswered_ >= limits_.max_unanswered; }
  // Nothing left to do: the peer or we ended the session and all is flushed.
  bool Finished() const { return !WantsRead() && !WantsWrite(); }
  size_t open_streams() const { return streams_.size(); }
  const std::map<int32_t, std::shared_ptr<H2Stream>>& streams() const { return streams_; }

  // nghttp2 callbacks (public for the C trampolines in the .cc).
  int OnBeginHeaders(int32_t stream_id);
  int OnHeader(int32_t stream_id, std::string_view name, std::string_view value);
  int OnDataChunk(int32_t stream_id, const uint8_t* data, size_t len);
  int OnFrameRecv(int32_t stream_id, uint8_t type, uint8_t flags);
  int OnStreamClose(int32_t stream_id, uint32_t error_code);
  ssize_t ReadBody(int32_t stream_id, uint8_t* buf, size_t length, uint32_t* data_flags);

 private:
  H2Stream* Find(int32_t stream_id);
  void Dispatch(const std::shared_ptr<H2Stream>& stream);
  void SubmitResponse(H2Stream& stream);

  H2Limits limits_;
  Callbacks callbacks_;
  nghttp2_session* session_ = nullptr;
  std::map<int32_t, std::shared_ptr<H2Stream>> streams_;
  size_t unanswered_ = 0;
  bool shutting_down_ = false;
  int64_t now_ms_ = 0;
};

// The 24 bytes a client sends first with HTTP/2 prior knowledge.
inline constexpr std::string_view kH2Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

}  // namespace gateway
