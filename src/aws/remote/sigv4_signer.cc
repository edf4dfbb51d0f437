#include "aws/remote/sigv4_signer.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "iam/sigv4.h"

namespace aws::remote {

std::string QueryString(const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out;
  for (const auto& [name, value] : query) {
    if (!out.empty()) out += '&';
    out += iam::UriEncode(name, false) + "=" + iam::UriEncode(value, false);
  }
  return out;
}

std::string AuthorizationHeader(const Credentials& credentials, const SigningScope& scope,
                                const SignableRequest& request) {
  std::string query = QueryString(request.query);
  iam::SignedRequestView view;
  view.method = request.method;
  view.raw_path = request.path;
  view.raw_query = query;
  view.headers = &request.headers;
  view.payload_hash = request.payload_hash;
  view.s3_rules = scope.service == "s3";
  std::vector<std::string> names;
  for (const auto& [name, value] : request.headers) {
    std::string lower(name);
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::find(names.begin(), names.end(), lower) == names.end()) names.push_back(lower);
  }
  std::sort(names.begin(), names.end());
  return iam::SignAuthorization(view, names, credentials.access_key_id, credentials.secret_access_key,
                                scope.amz_date, scope.region, scope.service);
}

std::string AmzDateNow() {
  auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return iam::FormatAmzDate(now.count());
}

}  // namespace aws::remote
