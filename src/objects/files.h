// The few POSIX file operations the object store needs, returning Status:
// whole-file reads, durable writes (write, fsync, rename, fsync the
// directory), directory fsync and recursive removal.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace objects::files {

using common::Result;
using common::Status;

// IOError naming the operation, the path and errno's text.
Status ErrnoStatus(std::string_view op, const std::string& path);

Result<std::string> ReadFile(const std::string& path);
Status WriteAll(int fd, std::string_view data, const std::string& path);
Status SyncDir(const std::string& dir);
// mkdir -p; OK when it exists.
Status MakeDirs(const std::string& dir);
// Writes `content` to `dir/name` so that a crash leaves either the old file
// or the new one: temp file in `dir`, fsync, rename, fsync of `dir`.
Status WriteFileAtomic(const std::string& dir, const std::string& name, std::string_view content);
// rm -rf; OK when it is missing.
Status RemoveTree(const std::string& path);
// Names in `dir` (not "." or ".."); empty when `dir` is missing.
Result<std::vector<std::string>> ListDir(const std::string& dir);
// Random lower-case hex of `bytes` bytes from the OS.
std::string RandomHex(size_t bytes);

}  // namespace objects::files
