// ZeroFill: preallocates file space that later fdatasyncs need not describe.
//
// Appending logs (the stream's segments, the tables' WAL) reserve space ahead
// of their data so that each group commit's fdatasync writes only the data.
// fallocate is not enough on ext4: it marks the blocks unwritten, the first
// write into each one converts it, and the next fdatasync writes the inode
// and extent blocks too (3.1 device writes per fsync instead of 2 at 1,000
// orders/s on this machine's disk). Zeros written and synced once make the
// blocks plain data, so the appends that follow are overwrites.
#pragma once

#include <cstdint>

namespace common {

// Writes zeros over [from, to) of `fd` and fdatasyncs it (~2 ms per MiB
// here). False on any error; a partial run leaves zeros, which readers of
// both logs treat as unused space.
bool ZeroFill(int fd, uint64_t from, uint64_t to);

}  // namespace common
