// libFuzzer target for the SigV4 Authorization header parser and the
// canonical request built from whatever it accepts: any bytes give an
// identity or an error, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "aws/common/sigv4.h"
#include "iam/sigv4.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto auth = aws::ParseSigV4Authorization(text);
  if (!auth.ok()) return 0;
  std::vector<std::pair<std::string, std::string>> headers = {{"Host", std::string(text.substr(0, 40))}};
  iam::SignedRequestView view;
  view.method = "POST";
  view.raw_path = text.substr(0, size / 2);
  view.raw_query = text.substr(size / 2);
  view.headers = &headers;
  view.payload_hash = auth->signature;
  view.s3_rules = size % 2 == 0;
  (void)iam::CanonicalRequest(view, auth->signed_headers);
  (void)iam::ParseAmzDate(auth->date);
  return 0;
}
