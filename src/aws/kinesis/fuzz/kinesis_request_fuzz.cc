// libFuzzer target for the Kinesis request parser: the first byte picks the
// operation, the rest is the JSON body. Whatever the input, parsing must
// return a request or an AWS error, never crash or leak.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/kinesis/requests.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 1) return 0;
  auto op = static_cast<aws::kinesis::Operation>(data[0] % 24);
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  static simdjson::dom::parser parser;
  aws::kinesis::Request request;
  auto error = aws::kinesis::ParseRequest(op, body, parser, 1'700'000'000'000, &request);
  if (error && error->type.empty()) __builtin_trap();  // every error names its exception
  return 0;
}
