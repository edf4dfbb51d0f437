#include "common/zero_fill.h"

#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace common {

bool ZeroFill(int fd, uint64_t from, uint64_t to) {
  static const char kZeros[64 << 10] = {};
  while (from < to) {
    size_t chunk = static_cast<size_t>(std::min<uint64_t>(to - from, sizeof(kZeros)));
    ssize_t written = ::pwrite(fd, kZeros, chunk, static_cast<off_t>(from));
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return false;
    from += static_cast<uint64_t>(written);
  }
  return ::fdatasync(fd) == 0;
}

}  // namespace common
