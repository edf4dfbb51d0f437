#include "objects/meta_codec.h"

#include <zlib.h>

#include "common/coding.h"

namespace objects {
namespace {

using common::Result;
using common::Status;

// Append only: values are on disk.
enum class Kind : char { kObject = 'O', kUpload = 'U', kPart = 'P' };
constexpr std::string_view kMagic = "RVO1";

uint32_t Crc(std::string_view s) {
  return static_cast<uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(s.data()), static_cast<uInt>(s.size())));
}

void PutString(std::string* out, std::string_view s) {
  common::PutVarint64(out, s.size());
  out->append(s);
}

void PutMap(std::string* out, const std::map<std::string, std::string>& m) {
  common::PutVarint64(out, m.size());
  for (const auto& [k, v] : m) {
    PutString(out, k);
    PutString(out, v);
  }
}

void PutMetadata(std::string* out, const ObjectMetadata& m) {
  PutString(out, m.content_type);
  PutMap(out, m.user);
  PutMap(out, m.system);
  PutString(out, m.checksum_algorithm);
  PutString(out, m.checksum_value);
}

std::string Begin(Kind kind) {
  std::string out(kMagic);
  out += static_cast<char>(kind);
  return out;
}

std::string Seal(std::string out) {
  common::PutFixed32(&out, Crc(out));
  return out;
}

// Reads fields in order; any short read marks the whole decode as corrupt.
class Reader {
 public:
  Reader(std::string_view in, Kind kind) {
    if (in.size() < kMagic.size() + 5 || in.substr(0, 4) != kMagic ||
        in[4] != static_cast<char>(kind)) {
      ok_ = false;
      return;
    }
    std::string_view body = in.substr(0, in.size() - 4);
    if (common::DecodeFixed32(in.data() + in.size() - 4) != Crc(body)) {
      ok_ = false;
      return;
    }
    in_ = body.substr(5);
  }
  uint64_t U64() {
    uint64_t v = 0;
    if (ok_ && !common::GetVarint64(&in_, &v)) ok_ = false;
    return v;
  }
  int64_t I64() { return static_cast<int64_t>(U64()); }
  std::string Str() {
    uint64_t n = U64();
    if (!ok_ || n > in_.size()) {
      ok_ = false;
      return {};
    }
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  std::map<std::string, std::string> Map() {
    std::map<std::string, std::string> m;
    uint64_t n = U64();
    for (uint64_t i = 0; ok_ && i < n; ++i) {
      std::string k = Str();
      m[k] = Str();
    }
    return m;
  }
  ObjectMetadata Metadata() {
    ObjectMetadata m;
    m.content_type = Str();
    m.user = Map();
    m.system = Map();
    m.checksum_algorithm = Str();
    m.checksum_value = Str();
    return m;
  }
  bool ok() const { return ok_; }

 private:
  std::string_view in_;
  bool ok_ = true;
};

}  // namespace

std::string EncodeObject(const StoredObject& o) {
  std::string out = Begin(Kind::kObject);
  PutString(&out, o.info.key);
  PutString(&out, o.data_file);
  common::PutVarint64(&out, o.info.size);
  PutString(&out, o.info.etag);
  common::PutVarint64(&out, static_cast<uint64_t>(o.info.last_modified_millis));
  common::PutVarint64(&out, static_cast<uint64_t>(o.info.parts_count));
  PutMetadata(&out, o.info.metadata);
  return Seal(std::move(out));
}

Result<StoredObject> DecodeObject(std::string_view bytes) {
  Reader r(bytes, Kind::kObject);
  StoredObject o;
  o.info.key = r.Str();
  o.data_file = r.Str();
  o.info.size = r.U64();
  o.info.etag = r.Str();
  o.info.last_modified_millis = r.I64();
  o.info.parts_count = static_cast<int>(r.U64());
  o.info.metadata = r.Metadata();
  if (!r.ok()) return Status::Corruption("object sidecar is damaged");
  return o;
}

std::string EncodeUpload(const StoredUpload& u) {
  std::string out = Begin(Kind::kUpload);
  PutString(&out, u.upload.upload_id);
  PutString(&out, u.upload.bucket);
  PutString(&out, u.upload.key);
  common::PutVarint64(&out, static_cast<uint64_t>(u.upload.initiated_millis));
  PutMetadata(&out, u.metadata);
  return Seal(std::move(out));
}

Result<StoredUpload> DecodeUpload(std::string_view bytes) {
  Reader r(bytes, Kind::kUpload);
  StoredUpload u;
  u.upload.upload_id = r.Str();
  u.upload.bucket = r.Str();
  u.upload.key = r.Str();
  u.upload.initiated_millis = r.I64();
  u.metadata = r.Metadata();
  if (!r.ok()) return Status::Corruption("upload sidecar is damaged");
  return u;
}

std::string EncodePart(const StoredPart& p) {
  std::string out = Begin(Kind::kPart);
  common::PutVarint64(&out, static_cast<uint64_t>(p.part.part_number));
  common::PutVarint64(&out, p.part.size);
  PutString(&out, p.part.etag);
  common::PutVarint64(&out, static_cast<uint64_t>(p.part.last_modified_millis));
  PutString(&out, p.data_file);
  return Seal(std::move(out));
}

Result<StoredPart> DecodePart(std::string_view bytes) {
  Reader r(bytes, Kind::kPart);
  StoredPart p;
  p.part.part_number = static_cast<int>(r.U64());
  p.part.size = r.U64();
  p.part.etag = r.Str();
  p.part.last_modified_millis = r.I64();
  p.data_file = r.Str();
  if (!r.ok()) return Status::Corruption("part sidecar is damaged");
  return p;
}

}  // namespace objects
