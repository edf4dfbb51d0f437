// libFuzzer target: segment recovery on arbitrary bytes. Checks that the scan
// never reads outside its input, that the valid prefix re-encodes to exactly
// the same bytes, and that recovering the prefix again finds it clean.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "log/format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string reencoded;
  logs::ScanResult scan = logs::ScanSegment(bytes, 0, [&](const logs::FrameView& f) {
    logs::AppendFrame(&reencoded, f.offset, f.timestamp, f.key, f.value);
  });
  if (scan.valid_bytes > size) std::abort();
  if (reencoded != bytes.substr(0, scan.valid_bytes)) std::abort();
  logs::ScanResult again = logs::ScanSegment(bytes.substr(0, scan.valid_bytes), 0, nullptr);
  if (!again.clean || again.records != scan.records) std::abort();
  return 0;
}
