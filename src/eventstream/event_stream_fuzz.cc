// libFuzzer target for the event-stream framing decoder: any bytes, fed in
// pieces, give messages or a sticky error, never a crash; messages we frame
// ourselves always decode back to the same headers and payload.
#include <cstddef>
#include <cstdint>
#include <string>

#include "eventstream/event_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  eventstream::Decoder decoder;
  size_t pos = 0;
  while (pos < in.size()) {
    size_t n = std::min<size_t>(in.size() - pos, 1 + static_cast<uint8_t>(in[pos]) % 61);
    decoder.Feed(in.substr(pos, n));
    pos += n;
    while (decoder.Next()) {
    }
  }
  std::string framed;
  std::string_view name = in.substr(0, std::min<size_t>(in.size(), 255));
  std::string_view value = in.substr(0, std::min<size_t>(in.size(), 65535));
  eventstream::AppendMessage({{name, value}}, in, &framed);
  eventstream::Decoder again;
  again.Feed(framed);
  auto m = again.Next();
  if (!m || m->payload != in || m->headers.size() != (name.empty() ? 1u : 1u) || m->headers[0].value != value) {
    __builtin_trap();
  }
  return 0;
}
