#include "aws/common/sigv4.h"

#include <cctype>

namespace aws {
namespace {

using common::Status;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  while (true) {
    size_t pos = s.find(sep);
    parts.push_back(s.substr(0, pos));
    if (pos == std::string_view::npos) break;
    s.remove_prefix(pos + 1);
  }
  return parts;
}

bool IsDigits(std::string_view s) {
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !s.empty();
}

}  // namespace

common::Result<SigV4Authorization> ParseSigV4Authorization(std::string_view header) {
  header = Trim(header);
  if (header.empty()) return Status::NotFound("Missing Authentication Token");
  constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
  if (header.substr(0, kAlgorithm.size()) != kAlgorithm ||
      (header.size() > kAlgorithm.size() && header[kAlgorithm.size()] != ' ')) {
    return Status::InvalidArgument("Authorization header requires the AWS4-HMAC-SHA256 algorithm. Authorization=" +
                                   std::string(header));
  }
  std::string_view credential, signed_headers, signature;
  for (std::string_view part : Split(header.substr(kAlgorithm.size()), ',')) {
    part = Trim(part);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Credential") credential = value;
    else if (key == "SignedHeaders") signed_headers = value;
    else if (key == "Signature") signature = value;
  }
  std::string missing;
  if (credential.empty()) missing += "Authorization header requires 'Credential' parameter. ";
  if (signature.empty()) missing += "Authorization header requires 'Signature' parameter. ";
  if (signed_headers.empty()) missing += "Authorization header requires 'SignedHeaders' parameter. ";
  if (!missing.empty()) return Status::InvalidArgument(missing + "Authorization=" + std::string(header));

  // Credential=<key id>/<date>/<region>/<service>/aws4_request
  std::vector<std::string_view> scope = Split(credential, '/');
  if (scope.size() != 5 || scope[0].empty() || scope[1].size() != 8 || !IsDigits(scope[1]) ||
      scope[2].empty() || scope[3].empty() || scope[4] != "aws4_request") {
    return Status::InvalidArgument("Credential should be scoped to a valid region, not '" +
                                   std::string(credential) +
                                   "'. Expected <key id>/<YYYYMMDD>/<region>/<service>/aws4_request.");
  }
  for (char c : signature) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) {
      return Status::InvalidArgument("Signature is not hexadecimal: '" + std::string(signature) + "'");
    }
  }
  SigV4Authorization auth;
  auth.access_key_id = std::string(scope[0]);
  auth.date = std::string(scope[1]);
  auth.region = std::string(scope[2]);
  auth.service = std::string(scope[3]);
  for (std::string_view h : Split(signed_headers, ';')) {
    if (h.empty()) return Status::InvalidArgument("SignedHeaders has an empty header name: '" +
                                                  std::string(signed_headers) + "'");
    auth.signed_headers.emplace_back(h);
  }
  auth.signature = std::string(signature);
  return auth;
}

}  // namespace aws
