// libFuzzer target for the HTTP/2 server connection: any bytes after the
// preface (frames, HPACK blocks, flow-control and SETTINGS abuse) must end in
// responses, RST_STREAM or GOAWAY, never a crash, a leak or a hang. Requests
// are answered inline, half of them with an event-stream style body source.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "gateway/h2_connection.h"

namespace {

class ChunkSource : public gateway::BodySource {
 public:
  Pull Read(size_t max, std::string* out) override {
    if (left_ == 0) return Pull::kEnd;
    size_t n = std::min<size_t>({max, left_, 7});
    out->append(n, 'x');
    left_ -= n;
    return Pull::kData;
  }
  void SetWaker(std::function<void()>) override {}
  void Cancel() override { left_ = 0; }

 private:
  size_t left_ = 100;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gateway::H2Limits limits;
  limits.max_header_bytes = 1024;
  limits.max_body_bytes = 4096;
  limits.max_concurrent_streams = 8;
  gateway::H2Connection* conn_ptr = nullptr;
  gateway::H2Connection::Callbacks callbacks;
  int n = 0;
  callbacks.on_request = [&](std::shared_ptr<gateway::H2Stream> stream) {
    gateway::Response response = gateway::Response::Text(200, stream->request.path);
    if (++n % 2 == 0) response.body_source = std::make_shared<ChunkSource>();
    conn_ptr->Submit(stream, std::move(response));
  };
  callbacks.error_response = [](int status, std::string_view, std::string_view detail) {
    return gateway::Response::Text(status, std::string(detail));
  };
  gateway::H2Connection conn(limits, callbacks);
  conn_ptr = &conn;
  std::string preface(gateway::kH2Preface);
  conn.Receive(reinterpret_cast<const uint8_t*>(preface.data()), preface.size());
  std::string out;
  // Feed in pieces so frame boundaries fall anywhere.
  size_t pos = 0;
  while (pos < size) {
    size_t chunk = std::min<size_t>(size - pos, 1 + data[pos] % 97);
    if (!conn.Receive(data + pos, chunk)) break;
    pos += chunk;
    out.clear();
    if (!conn.Output(&out, 1 << 20)) break;
  }
  conn.Shutdown();
  out.clear();
  (void)conn.Output(&out, 1 << 20);
  return 0;
}
