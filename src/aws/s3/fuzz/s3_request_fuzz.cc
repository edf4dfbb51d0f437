// Feeds arbitrary bytes to the S3 adapter's parsers: the request target and
// headers, aws-chunked bodies, Range and dates, and the XML reader, then to
// a whole request against an in-memory-sized store. None may crash.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>

#include "aws/s3/s3_handler.h"
#include "aws/s3/s3_request.h"
#include "aws/s3/xml.h"
#include "objects/object_store.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static auto* store = [] {
    auto dir = std::filesystem::temp_directory_path() / "s3_request_fuzz";
    std::filesystem::remove_all(dir);
    auto s = objects::FileObjectStore::Open(dir.string());
    auto* raw = s.ok() ? std::move(s).value().release() : nullptr;
    if (raw != nullptr) (void)raw->CreateBucket("fuzz");
    return raw;
  }();
  static auto* handler = new aws::s3::S3Handler(store, 0);

  std::string_view in(reinterpret_cast<const char*>(data), size);
  (void)aws::s3::ParseXml(in);
  (void)aws::s3::DecodeAwsChunked(in);
  (void)aws::s3::ParseRange(in);
  (void)aws::s3::ParseHttpDate(in);

  // Layout: method line, target line, then header lines up to a blank line, then body.
  gateway::Request r;
  size_t pos = 0;
  auto line = [&]() {
    size_t eol = in.find('\n', pos);
    std::string_view l = in.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    pos = eol == std::string_view::npos ? in.size() : eol + 1;
    return std::string(l);
  };
  static const char* kMethods[] = {"GET", "PUT", "POST", "DELETE", "HEAD"};
  std::string m = line();
  r.method = kMethods[m.empty() ? 0 : static_cast<unsigned char>(m[0]) % 5];
  r.target = "/fuzz/" + line();
  for (std::string h = line(); !h.empty() && pos < in.size(); h = line()) {
    size_t colon = h.find(':');
    if (colon != std::string::npos) r.headers.Add(h.substr(0, colon), h.substr(colon + 1));
  }
  r.body = std::string(in.substr(pos));
  (void)handler->Handle(r);
  return 0;
}
