#include "aws/remote/credentials.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace aws::remote {
namespace {

using common::Status;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string Env(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

}  // namespace

common::Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view profile) {
  Credentials credentials;
  bool in_profile = false;
  std::istringstream lines{std::string(text)};
  std::string raw;
  while (std::getline(lines, raw)) {
    std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[' && line.back() == ']') {
      in_profile = Trim(line.substr(1, line.size() - 2)) == profile;
      continue;
    }
    size_t eq = line.find('=');
    if (!in_profile || eq == std::string_view::npos) continue;
    std::string_view key = Trim(line.substr(0, eq)), value = Trim(line.substr(eq + 1));
    if (key == "aws_access_key_id") credentials.access_key_id = value;
    else if (key == "aws_secret_access_key") credentials.secret_access_key = value;
    else if (key == "aws_session_token") credentials.session_token = value;
  }
  if (credentials.access_key_id.empty() || credentials.secret_access_key.empty()) {
    return Status::NotFound("profile [" + std::string(profile) + "] has no aws_access_key_id/aws_secret_access_key");
  }
  return credentials;
}

common::Result<Credentials> LoadCredentials() {
  Credentials from_env{Env("AWS_ACCESS_KEY_ID"), Env("AWS_SECRET_ACCESS_KEY"), Env("AWS_SESSION_TOKEN")};
  if (!from_env.access_key_id.empty() && !from_env.secret_access_key.empty()) return from_env;
  std::string path = Env("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) path = Env("HOME") + "/.aws/credentials";
  std::string profile = Env("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream file(path);
  if (!file) {
    return Status::NotFound("no AWS credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set and " + path +
                            " cannot be read");
  }
  std::stringstream text;
  text << file.rdbuf();
  auto credentials = ParseCredentialsFile(text.str(), profile);
  if (!credentials.ok()) return Status::NotFound(path + ": " + credentials.status().message());
  return credentials;
}

}  // namespace aws::remote
