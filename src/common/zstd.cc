#include "common/zstd.h"

#include <zstd.h>

namespace common {

namespace {

// One context of each kind per thread, reused: ZSTD_compress and a new
// DStream make and initialise one per call, which costs more than
// (de)compressing a few kilobytes.
struct CompressContext {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ~CompressContext() { ZSTD_freeCCtx(cctx); }
};

struct DecompressContext {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  ~DecompressContext() { ZSTD_freeDCtx(dctx); }
};

// Frames that state a size up to this are decompressed in one call.
constexpr unsigned long long kMaxDirectBytes = 64ull << 20;

}  // namespace

Result<std::string> ZstdCompress(std::string_view data, int level) {
  thread_local CompressContext context;
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compressCCtx(context.cctx, out.data(), out.size(), data.data(), data.size(), level);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDecompress(std::string_view data) {
  thread_local DecompressContext context;
  ZSTD_DCtx_reset(context.dctx, ZSTD_reset_session_only);
  // One frame that states its size (what ZstdCompress writes) goes straight
  // into a string of that size.
  unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (size != ZSTD_CONTENTSIZE_UNKNOWN && size != ZSTD_CONTENTSIZE_ERROR && size <= kMaxDirectBytes &&
      ZSTD_findFrameCompressedSize(data.data(), data.size()) == data.size()) {
    std::string out(size, '\0');
    size_t n = ZSTD_decompressDCtx(context.dctx, out.data(), out.size(), data.data(), data.size());
    if (ZSTD_isError(n)) return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
    if (n != size) return Status::Corruption("zstd: the frame is shorter than it states");
    return out;
  }
  // Streaming: the frame may not state its size, or there may be several.
  std::string out;
  std::string buf(ZSTD_DStreamOutSize(), '\0');
  ZSTD_inBuffer in{data.data(), data.size(), 0};
  size_t rc = 1;
  while (in.pos < in.size) {
    ZSTD_outBuffer o{buf.data(), buf.size(), 0};
    rc = ZSTD_decompressStream(context.dctx, &o, &in);
    if (ZSTD_isError(rc)) return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(rc));
    out.append(buf.data(), o.pos);
  }
  if (rc != 0) return Status::Corruption("zstd: the data is cut short");
  return out;
}

struct ZstdDictionary::Digested {
  ZSTD_CDict* cdict = nullptr;
  ZSTD_DDict* ddict = nullptr;
};

// The content goes in as raw content (ZSTD_dct_rawContent is experimental
// API): a buffer that does not start with the dictionary magic number is
// read as such, and ours never do (the outbox's start with a 64-bit size).
ZstdDictionary::ZstdDictionary(std::string content, int level)
    : content_(std::move(content)), digested_(new Digested) {
  digested_->cdict = ZSTD_createCDict(content_.data(), content_.size(), level);
  digested_->ddict = ZSTD_createDDict(content_.data(), content_.size());
}

ZstdDictionary::~ZstdDictionary() {
  ZSTD_freeCDict(digested_->cdict);
  ZSTD_freeDDict(digested_->ddict);
  delete digested_;
}

Result<std::string> ZstdDictionary::Compress(std::string_view data) const {
  if (digested_->cdict == nullptr) return Status::Internal("zstd: the dictionary could not be prepared");
  thread_local CompressContext context;
  std::string out(ZSTD_compressBound(data.size()), '\0');
  size_t n = ZSTD_compress_usingCDict(context.cctx, out.data(), out.size(), data.data(), data.size(),
                                      digested_->cdict);
  if (ZSTD_isError(n)) return Status::Internal(std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<std::string> ZstdDictionary::Decompress(std::string_view data) const {
  if (digested_->ddict == nullptr) return Status::Internal("zstd: the dictionary could not be prepared");
  unsigned long long size = ZSTD_getFrameContentSize(data.data(), data.size());
  if (size == ZSTD_CONTENTSIZE_UNKNOWN || size == ZSTD_CONTENTSIZE_ERROR || size > kMaxDirectBytes) {
    return Status::Corruption("zstd: not a frame of a stated size");
  }
  thread_local DecompressContext context;
  std::string out(size, '\0');
  size_t n = ZSTD_decompress_usingDDict(context.dctx, out.data(), out.size(), data.data(), data.size(),
                                        digested_->ddict);
  if (ZSTD_isError(n)) return Status::Corruption(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != size) return Status::Corruption("zstd: the frame is shorter than it states");
  return out;
}

}  // namespace common
