// libFuzzer target for the policy parser and evaluator: any bytes must give a
// policy or an InvalidArgument, never a crash; a parsed policy must evaluate.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "iam/policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view doc(reinterpret_cast<const char*>(data), size);
  auto policy = iam::ParsePolicy(doc);
  if (!policy.ok()) return 0;
  iam::RequestContext context;
  context.action = "kinesis:PutRecord";
  context.resource = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";
  context.Set("aws:username", "alice*?${x}");
  context.Set("aws:SourceIp", "127.0.0.1");
  context.Add("dynamodb:Attributes", "id");
  context.Add("dynamodb:Attributes", "status");
  (void)iam::Evaluate({&*policy}, context);
  return 0;
}
