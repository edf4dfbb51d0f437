// The request/response types every HTTP handler in Rivulet sees, whatever the
// listener (:8080 web and /api/, :4566 AWS endpoint) and, later, whatever the
// protocol version. Handlers never touch Beast types.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace gateway {

// Header list with case-insensitive lookup. Order is kept; names are stored
// as received.
class Headers {
 public:
  void Add(std::string name, std::string value) { items_.emplace_back(std::move(name), std::move(value)); }
  // Replaces every header of that name with one value.
  void Set(std::string_view name, std::string value);
  // First value of `name`, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

// A request body handed over while it is still arriving (listeners with
// ListenerOptions::stream_body). The gateway reads ahead a couple of chunks at
// most, so memory does not grow with the body's size.
// Thread safety: one reader thread at a time; never an I/O thread.
class BodyStream {
 public:
  virtual ~BodyStream() = default;
  // Blocks until the next chunk is here; an empty string at the end of the
  // body. IOError when the client went away or stalled past the read timeout.
  virtual common::Result<std::string> Read() = 0;
};

// Checks the chunks of a body signed chunk by chunk (S3's
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]); the AWS endpoint's SigV4
// gate sets one on such requests and the body's decoder calls it for every
// chunk, then for the trailing headers when SignsTrailer().
class ChunkVerifier {
 public:
  virtual ~ChunkVerifier() = default;
  // True when `signature` signs the next chunk, whose SHA-256 is `sha256_hex`.
  virtual bool Verify(std::string_view sha256_hex, std::string_view signature) = 0;
  // The body ends with trailing headers and an x-amz-trailer-signature
  // that must sign them (the -TRAILER form).
  virtual bool SignsTrailer() const { return false; }
  // True when `signature` signs the trailing headers whose canonical lines
  // ("name:value\n" each) hash to `sha256_hex`.
  virtual bool VerifyTrailer(std::string_view sha256_hex, std::string_view signature) { return false; }
};

struct Request {
  std::string method;  // "GET", "POST", ... as sent
  std::string target;  // raw request target: "/api/orders?limit=10"
  std::string path;    // target before '?', percent-decoded
  std::string query;   // raw text after '?', may be empty
  Headers headers;
  std::string body;
  // Set instead of `body` when the listener streams this request's body.
  std::shared_ptr<BodyStream> body_stream;
  std::string remote_addr;  // "127.0.0.1"
  int http_version = 11;    // 10, 11, or 20 (HTTP/2)
  bool tls = false;         // it came over TLS (https/wss): cookies may be Secure
  std::string request_id;   // also sent back as X-Request-Id
  // Filled by the router from `{name}` segments of the matched template.
  std::vector<std::pair<std::string, std::string>> path_params;
  // The route template that matched ("/api/orders/{id}"), for metrics and logs.
  std::string route;
  // The verified caller on the AWS endpoint, set by its guard (iam): ARN and
  // unique id ("arn:aws:iam::000000000000:user/alice", "AIDA...").
  std::string principal_arn;
  std::string principal_id;
  std::shared_ptr<ChunkVerifier> chunk_verifier;

  std::string_view Header(std::string_view name) const { return headers.Get(name); }
  std::string_view PathParam(std::string_view name) const;
  // Percent-decoded value of the first `name=` query parameter.
  std::optional<std::string> QueryParam(std::string_view name) const;
  // That parameter as a whole number in [lo, hi], `fallback` when absent or
  // empty; InvalidArgument (naming it and what was sent) otherwise.
  common::Result<int64_t> IntQueryParam(std::string_view name, int64_t fallback, int64_t lo, int64_t hi) const;
};

// A response body produced over time: an AWS event stream (HTTP/2 only), or
// a large object or file read in chunks (then Response::body_length is set
// and HTTP/1.1 carries it too). The gateway pulls from it on the
// connection's thread when the socket or flow control lets it send, so a slow
// reader leaves the bytes with the producer, which bounds them.
class BodySource {
 public:
  enum class Pull { kData, kWait, kEnd };
  virtual ~BodySource() = default;
  // Connection thread. Appends up to `max` bytes to `out`: kData when it did,
  // kWait when nothing is ready (the waker will be called), kEnd when the body
  // is complete (any bytes appended in this call are still sent).
  virtual Pull Read(size_t max, std::string* out) = 0;
  // Called once before the first Read; the source calls `wake` from any
  // thread when Read would return something other than kWait again.
  virtual void SetWaker(std::function<void()> wake) = 0;
  // The client went away or the server is shutting down: stop producing.
  // Connection thread; Read is not called afterwards.
  virtual void Cancel() = 0;
};

struct Response {
  int status = 200;
  Headers headers;
  std::string body;
  // When set, the body is this file's content (static files); `body` is ignored.
  std::string file_path;
  // When set, sent instead of `body` without a copy (cached static files).
  std::shared_ptr<const std::string> shared_body;
  // When set, the body comes from this source over time.
  std::shared_ptr<BodySource> body_source;
  // With body_source: the body's exact length, sent as Content-Length. HTTP/1.1
  // sends a body_source only when it is set; HTTP/2 needs no length.
  std::optional<uint64_t> body_length;

  static Response Json(int status, std::string body);
  static Response Text(int status, std::string body, std::string content_type = "text/plain; charset=utf-8");
  // RFC 9457 problem JSON: {"type","title","status","detail","requestId"}.
  static Response Problem(int status, std::string_view title, std::string_view detail,
                          std::string_view request_id);
  // Problem JSON for a failed Status: the HTTP code from HttpStatusFor, the
  // message as detail (hidden for 5xx, which only say to quote the request id).
  static Response FromStatus(const common::Status& status, std::string_view request_id);
};

// 404 for NotFound, 400 InvalidArgument, 409 conflicts, 429 throttling, ...
int HttpStatusFor(const common::Status& status);

// Checks that the body is one well-formed JSON value (simdjson), for routes
// that take JSON: InvalidArgument naming the first error otherwise.
common::Status ValidateJson(std::string_view body);

// Decodes %XX escapes (and '+' as space in query strings when asked).
// Invalid escapes are kept as they are.
std::string PercentDecode(std::string_view in, bool plus_is_space = false);

// Completes a request. Call exactly once, from any thread; the gateway moves
// the write back onto the connection's own thread. The Request passed to the
// handler stays valid until Respond is called.
using Respond = std::function<void(Response)>;

// An asynchronous handler: it may answer inside the call or later (after a
// group-commit fsync, say). It must not block the calling I/O thread for long.
using Handler = std::function<void(Request& request, Respond respond)>;

// Adapts a synchronous function to a Handler for handlers that never block.
Handler Sync(std::function<Response(Request&)> fn);

}  // namespace gateway
