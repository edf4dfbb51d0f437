// CRC-32C (Castagnoli), the checksum of every log frame. Uses the SSE4.2
// crc32 instruction when the CPU has it (checked at run time; the build does
// not assume it) and a table otherwise; both give identical results.
#pragma once

#include <cstddef>
#include <cstdint>

namespace logs {

// CRC-32C of data[0, n), continuing from `crc` (0 to start).
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);
inline uint32_t Crc32c(const char* data, size_t n) { return Crc32cExtend(0, data, n); }

// The table version, exposed so tests can check both paths agree.
uint32_t Crc32cExtendPortable(uint32_t crc, const char* data, size_t n);

}  // namespace logs
