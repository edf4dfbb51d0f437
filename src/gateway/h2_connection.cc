#include "gateway/h2_connection.h"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <vector>

namespace gateway {
namespace {

H2Connection* Self(void* user_data) { return static_cast<H2Connection*>(user_data); }

int BeginHeadersCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST) return 0;
  return Self(user_data)->OnBeginHeaders(frame->hd.stream_id);
}

int HeaderCb(nghttp2_session*, const nghttp2_frame* frame, const uint8_t* name, size_t namelen,
             const uint8_t* value, size_t valuelen, uint8_t, void* user_data) {
  if (frame->hd.type != NGHTTP2_HEADERS) return 0;
  return Self(user_data)->OnHeader(frame->hd.stream_id,
                                   {reinterpret_cast<const char*>(name), namelen},
                                   {reinterpret_cast<const char*>(value), valuelen});
}

int DataChunkCb(nghttp2_session*, uint8_t, int32_t stream_id, const uint8_t* data, size_t len, void* user_data) {
  return Self(user_data)->OnDataChunk(stream_id, data, len);
}

int FrameRecvCb(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
  return Self(user_data)->OnFrameRecv(frame->hd.stream_id, frame->hd.type, frame->hd.flags);
}

int StreamCloseCb(nghttp2_session*, int32_t stream_id, uint32_t error_code, void* user_data) {
  return Self(user_data)->OnStreamClose(stream_id, error_code);
}

ssize_t ReadBodyCb(nghttp2_session*, int32_t stream_id, uint8_t* buf, size_t length, uint32_t* data_flags,
                   nghttp2_data_source*, void* user_data) {
  return Self(user_data)->ReadBody(stream_id, buf, length, data_flags);
}

nghttp2_nv Nv(const std::string& name, const std::string& value) {
  return {reinterpret_cast<uint8_t*>(const_cast<char*>(name.data())),
          reinterpret_cast<uint8_t*>(const_cast<char*>(value.data())), name.size(), value.size(),
          NGHTTP2_NV_FLAG_NONE};
}

// Connection-specific fields are forbidden in HTTP/2 (RFC 9113 8.2.2); the
// framing fields are ours.
bool ForbiddenResponseHeader(std::string_view lower_name) {
  static constexpr std::string_view kNames[] = {"connection", "keep-alive", "proxy-connection",
                                                "transfer-encoding", "upgrade", "content-length"};
  return std::find(std::begin(kNames), std::end(kNames), lower_name) != std::end(kNames);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

H2Connection::H2Connection(H2Limits limits, Callbacks callbacks)
    : limits_(limits), callbacks_(std::move(callbacks)) {
  nghttp2_session_callbacks* cbs = nullptr;
  nghttp2_session_callbacks_new(&cbs);
  nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, BeginHeadersCb);
  nghttp2_session_callbacks_set_on_header_callback(cbs, HeaderCb);
  nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, DataChunkCb);
  nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, FrameRecvCb);
  nghttp2_session_callbacks_set_on_stream_close_callback(cbs, StreamCloseCb);
  nghttp2_option* option = nullptr;
  nghttp2_option_new(&option);
  // The peer may not open more than we advertise; nghttp2 refuses extra
  // streams. Closed-stream bookkeeping is bounded too.
  nghttp2_option_set_max_reserved_remote_streams(option, 0);
  nghttp2_option_set_no_closed_streams(option, 1);
  nghttp2_session_server_new2(&session_, cbs, this, option);
  nghttp2_option_del(option);
  nghttp2_session_callbacks_del(cbs);

  nghttp2_settings_entry settings[] = {
      {NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, limits_.max_concurrent_streams},
      {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, static_cast<uint32_t>(limits_.stream_window)},
      {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, static_cast<uint32_t>(limits_.max_header_bytes)},
      {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
  };
  nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings));
  nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0, limits_.connection_window);
}

H2Connection::~H2Connection() {
  for (auto& [id, stream] : streams_) {
    if (stream->response.body_source) stream->response.body_source->Cancel();
  }
  nghttp2_session_del(session_);
}

bool H2Connection::Receive(const uint8_t* data, size_t size) {
  ssize_t n = nghttp2_session_mem_recv(session_, data, size);
  return n >= 0;
}

bool H2Connection::Output(std::string* out, size_t max) {
  while (out->size() < max) {
    const uint8_t* data = nullptr;
    ssize_t n = nghttp2_session_mem_send(session_, &data);
    if (n < 0) return false;
    if (n == 0) break;
    out->append(reinterpret_cast<const char*>(data), static_cast<size_t>(n));
  }
  return true;
}

bool H2Connection::WantsRead() const { return nghttp2_session_want_read(session_) != 0; }
bool H2Connection::WantsWrite() const { return nghttp2_session_want_write(session_) != 0; }

H2Stream* H2Connection::Find(int32_t stream_id) {
  auto it = streams_.find(stream_id);
  return it == streams_.end() ? nullptr : it->second.get();
}

int H2Connection::OnBeginHeaders(int32_t stream_id) {
  auto stream = std::make_shared<H2Stream>();
  stream->id = stream_id;
  stream->request.http_version = 20;
  stream->opened_ms = now_ms_;
  streams_[stream_id] = std::move(stream);
  return 0;
}

int H2Connection::OnHeader(int32_t stream_id, std::string_view name, std::string_view value) {
  H2Stream* stream = Find(stream_id);
  if (stream == nullptr || stream->dispatched) return 0;  // trailers are not kept
  // RFC 9113 6.5.2: the size of a field is name + value + 32.
  stream->header_bytes += name.size() + value.size() + 32;
  if (stream->header_bytes > limits_.max_header_bytes) {
    stream->reject_status = 431;
    return 0;
  }
  Request& r = stream->request;
  if (name == ":method") {
    r.method = std::string(value);
  } else if (name == ":path") {
    r.target = std::string(value);
  } else if (name == ":authority") {
    if (!r.headers.Has("host")) r.headers.Add("host", std::string(value));
    // Kept under its own name too: the AWS SDK for JavaScript v3 signs
    // ":authority" (not host) on HTTP/2, so SigV4 must find it.
    r.headers.Add(":authority", std::string(value));
  } else if (name == ":scheme") {
  } else if (name == "cookie" && r.headers.Has("cookie")) {
    // RFC 9113 8.2.3: split cookie fields are joined with "; ".
    std::string joined(r.headers.Get("cookie"));
    joined.append("; ").append(value);
    r.headers.Set("cookie", std::move(joined));
  } else if (name == "host" && r.headers.Has("host")) {
    r.headers.Set("host", std::string(value));
  } else {
    r.headers.Add(std::string(name), std::string(value));
  }
  return 0;
}

int H2Connection::OnDataChunk(int32_t stream_id, const uint8_t* data, size_t len) {
  H2Stream* stream = Find(stream_id);
  if (stream == nullptr || stream->dispatched || stream->reject_status != 0) return 0;
  if (stream->request.body.size() + len > limits_.max_body_bytes) {
    // Answer now rather than buffer the rest; what still arrives is dropped
    // (nghttp2 keeps the windows open, the body never reaches a handler).
    stream->reject_status = 413;
    stream->request.body.clear();
    stream->request.body.shrink_to_fit();
    Dispatch(streams_[stream_id]);
    return 0;
  }
  stream->request.body.append(reinterpret_cast<const char*>(data), len);
  return 0;
}

int H2Connection::OnFrameRecv(int32_t stream_id, uint8_t type, uint8_t flags) {
  if ((type != NGHTTP2_HEADERS && type != NGHTTP2_DATA) || (flags & NGHTTP2_FLAG_END_STREAM) == 0) return 0;
  auto it = streams_.find(stream_id);
  if (it == streams_.end() || it->second->dispatched) return 0;
  Dispatch(it->second);
  return 0;
}

void H2Connection::Dispatch(const std::shared_ptr<H2Stream>& stream) {
  stream->dispatched = true;
  Request& r = stream->request;
  std::string_view target = r.target;
  size_t q = target.find('?');
  r.path = PercentDecode(target.substr(0, q));
  if (q != std::string_view::npos) r.query = std::string(target.substr(q + 1));
  if (stream->reject_status != 0) {
    const char* title = stream->reject_status == 431 ? "Request Header Fields Too Large" : "Content Too Large";
    std::string detail = stream->reject_status == 431
                             ? "request headers exceed " + std::to_string(limits_.max_header_bytes) + " bytes"
                             : "request body exceeds " + std::to_string(limits_.max_body_bytes) + " bytes";
    stream->answered = true;
    stream->response = callbacks_.error_response(stream->reject_status, title, detail);
    return SubmitResponse(*stream);
  }
  ++unanswered_;
  callbacks_.on_request(stream);
}

void H2Connection::Submit(const std::shared_ptr<H2Stream>& stream, Response response) {
  if (stream->answered) return;
  stream->answered = true;
  --unanswered_;
  if (stream->closed) {
    if (response.body_source) response.body_source->Cancel();
    return;
  }
  stream->response = std::move(response);
  SubmitResponse(*stream);
}

void H2Connection::SubmitResponse(H2Stream& stream) {
  Response& response = stream.response;
  stream.status = response.status;
  bool head = stream.request.method == "HEAD";
  if (!response.file_path.empty() && !head) {
    // Large static files the handler chose not to cache: read them whole,
    // as the HTTP/1.1 path does.
    std::FILE* f = std::fopen(response.file_path.c_str(), "rb");
    if (f != nullptr) {
      char chunk[65536];
      size_t n;
      while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) response.body.append(chunk, n);
      std::fclose(f);
    } else {
      response = callbacks_.error_response(404, "Not Found", "file vanished");
      stream.status = 404;
    }
  }
  if (response.shared_body) response.body = *response.shared_body;
  bool no_body = response.status == 204 || response.status == 304 || response.status < 200;
  std::vector<std::string> strings;
  strings.reserve(2 * response.headers.items().size() + 4);
  strings.push_back(":status");
  strings.push_back(std::to_string(response.status));
  std::string head_length(response.headers.Get("content-length"));
  for (const auto& [name, value] : response.headers.items()) {
    std::string lower = Lower(name);
    if (lower.empty() || lower[0] == ':' || ForbiddenResponseHeader(lower) ||
        value.find_first_of("\r\n") != std::string::npos || lower.find_first_of(" \r\n:") != std::string::npos) {
      continue;
    }
    strings.push_back(std::move(lower));
    strings.push_back(value);
  }
  if (!no_body && !response.body_source) {
    strings.push_back("content-length");
    if (head && !response.file_path.empty() && head_length.empty()) {
      std::error_code ec;
      auto size = std::filesystem::file_size(response.file_path, ec);
      if (!ec) head_length = std::to_string(size);
    }
    bool usable = !head_length.empty() && head_length.size() <= 19 &&
                  head_length.find_first_not_of("0123456789") == std::string::npos;
    strings.push_back(head && usable ? head_length : std::to_string(response.body.size()));
  }
  std::vector<nghttp2_nv> nva;
  for (size_t i = 0; i + 1 < strings.size(); i += 2) nva.push_back(Nv(strings[i], strings[i + 1]));
  bool has_body = !no_body && !head && (response.body_source || !response.body.empty());
  if (!has_body) {
    if (response.body_source) response.body_source->Cancel();
    nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), nullptr);
    return;
  }
  if (response.body_source) {
    int32_t id = stream.id;
    if (callbacks_.make_waker) {
      response.body_source->SetWaker(callbacks_.make_waker(id));
    } else {
      response.body_source->SetWaker([this, id] { Wake(id); });
    }
  }
  nghttp2_data_provider provider{};
  provider.read_callback = ReadBodyCb;
  nghttp2_submit_response(session_, stream.id, nva.data(), nva.size(), &provider);
}

ssize_t H2Connection::ReadBody(int32_t stream_id, uint8_t* buf, size_t length, uint32_t* data_flags) {
  H2Stream* stream = Find(stream_id);
  if (stream == nullptr) return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
  Response& response = stream->response;
  if (!response.body_source) {
    size_t n = std::min(length, response.body.size() - stream->offset);
    std::memcpy(buf, response.body.data() + stream->offset, n);
    stream->offset += n;
    if (stream->offset == response.body.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
    return static_cast<ssize_t>(n);
  }
  // An event may be much larger than a DATA frame: it is framed from an
  // offset, and the buffer is reset once drained (no quadratic erase).
  if (stream->pending_offset == stream->pending.size()) {
    stream->pending.clear();
    stream->pending_offset = 0;
  }
  while (stream->pending.size() - stream->pending_offset < length && !stream->source_done) {
    size_t want = length - (stream->pending.size() - stream->pending_offset);
    BodySource::Pull pull = response.body_source->Read(want, &stream->pending);
    if (pull == BodySource::Pull::kEnd) stream->source_done = true;
    if (pull != BodySource::Pull::kData) break;
  }
  size_t available = stream->pending.size() - stream->pending_offset;
  if (available == 0 && !stream->source_done) {
    stream->deferred = true;
    return NGHTTP2_ERR_DEFERRED;
  }
  size_t n = std::min(length, available);
  std::memcpy(buf, stream->pending.data() + stream->pending_offset, n);
  stream->pending_offset += n;
  if (stream->source_done && stream->pending_offset == stream->pending.size()) *data_flags |= NGHTTP2_DATA_FLAG_EOF;
  return static_cast<ssize_t>(n);
}

void H2Connection::Wake(int32_t stream_id) {
  H2Stream* stream = Find(stream_id);
  if (stream == nullptr || !stream->deferred) return;
  stream->deferred = false;
  nghttp2_session_resume_data(session_, stream_id);
}

int H2Connection::OnStreamClose(int32_t stream_id, uint32_t) {
  auto it = streams_.find(stream_id);
  if (it == streams_.end()) return 0;
  std::shared_ptr<H2Stream> stream = std::move(it->second);
  streams_.erase(it);
  stream->closed = true;
  if (stream->response.body_source) stream->response.body_source->Cancel();
  if (stream->answered && callbacks_.on_closed) callbacks_.on_closed(*stream);
  return 0;
}

void H2Connection::Shutdown() {
  if (shutting_down_) return;
  shutting_down_ = true;
  nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, nghttp2_session_get_last_proc_stream_id(session_),
                        NGHTTP2_NO_ERROR, nullptr, 0);
  // Event streams would run for minutes: end them after what they queued.
  for (auto& [id, stream] : streams_) {
    if (!stream->response.body_source || stream->source_done) continue;
    stream->response.body_source->Cancel();
    stream->source_done = true;
    Wake(id);
  }
}

void H2Connection::Reset(int32_t stream_id, uint32_t error_code) {
  nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, error_code);
}

}  // namespace gateway
