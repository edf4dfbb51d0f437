// libFuzzer target: segment recovery (logs::ScanSegment).
//
// Even first byte: the rest is a raw segment image. Checks that the scan never
// reads outside its input, that the valid prefix re-encodes to exactly the
// same bytes, and that scanning that prefix again finds it clean.
//
// Odd first byte: the rest describes records (a length byte then that many
// bytes, repeatedly) and, in its first 4 bytes, a cut position and a byte to
// damage. The records are framed, the image is cut and damaged, and recovery
// must keep exactly the records that lie wholly before the first changed or
// missing byte: never fewer (data loss), never more (accepting damage).
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

#include "log/format.h"

namespace {

void CheckRawImage(std::string_view bytes) {
  std::string reencoded;
  logs::ScanResult scan = logs::ScanSegment(bytes, 0, [&](const logs::FrameView& f) {
    logs::AppendFrame(&reencoded, f.offset, f.timestamp, f.key, f.value);
  });
  if (scan.valid_bytes > bytes.size()) std::abort();
  if (reencoded != bytes.substr(0, scan.valid_bytes)) std::abort();
  logs::ScanResult again = logs::ScanSegment(bytes.substr(0, scan.valid_bytes), 0, nullptr);
  if (!again.clean || again.records != scan.records) std::abort();
}

void CheckCutAndDamage(std::string_view input) {
  if (input.size() < 4) return;
  uint16_t cut_seed, damage_seed;
  std::memcpy(&cut_seed, input.data(), 2);
  std::memcpy(&damage_seed, input.data() + 2, 2);
  input.remove_prefix(4);
  std::string image;
  std::vector<size_t> ends;  // end position of each frame
  uint64_t offset = 0;
  while (!input.empty()) {
    size_t n = std::min<size_t>(static_cast<unsigned char>(input[0]), input.size() - 1);
    std::string_view body = input.substr(1, n);
    input.remove_prefix(1 + n);
    size_t split = body.empty() ? 0 : body[0] % (body.size() + 1);
    logs::AppendFrame(&image, offset, static_cast<int64_t>(offset) * 3, body.substr(0, split), body.substr(split));
    offset += 1 + body.size() % 3;  // gaps are allowed
    ends.push_back(image.size());
  }
  if (image.empty()) return;
  size_t cut = cut_seed % (image.size() + 1);
  size_t first_bad = cut;
  std::string damaged = image.substr(0, cut);
  if (damage_seed & 1 && !damaged.empty()) {
    size_t at = (damage_seed >> 1) % damaged.size();
    damaged[at] ^= static_cast<char>(1 + (damage_seed >> 8) % 255);
    first_bad = at;
  }
  size_t expected = 0;
  while (expected < ends.size() && ends[expected] <= first_bad) ++expected;
  logs::ScanResult scan = logs::ScanSegment(damaged, 0, nullptr);
  // A damaged byte inside a frame must reject that frame; frames before it stay.
  if (scan.records != expected) std::abort();
  if (scan.valid_bytes != (expected == 0 ? 0 : ends[expected - 1])) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    CheckCutAndDamage(rest);
  } else {
    CheckRawImage(rest);
  }
  return 0;
}
