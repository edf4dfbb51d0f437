// libFuzzer target for the CBOR side of the Kinesis adapter: the CBOR decoder
// (depth and length limits, indefinite strings, tags, floats) and the request
// parser over it. The first byte picks the operation, the rest is the body.
// Also round-trips the writer: whatever decodes must not crash re-encoding.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/common/cbor.h"
#include "aws/kinesis/requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto op = static_cast<aws::kinesis::Operation>(data[0] % 24);
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  aws::kinesis::Request request;
  auto error = aws::kinesis::ParseCborRequest(op, body, 1'700'000'000'000, &request);
  if (error && error->type.empty()) __builtin_trap();  // every error names its exception
  aws::cbor::Document doc;
  if (!doc.Parse(body)) {
    aws::cbor::Writer w;
    w.BeginObject().Field("n", static_cast<int64_t>(doc.root().items.size())).EndObject();
    aws::cbor::Document again;
    if (again.Parse(w.str())) __builtin_trap();  // our own output always decodes
  }
  return 0;
}
