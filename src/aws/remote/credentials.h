// Where the remote clients find AWS credentials, in the order the AWS SDKs
// look: the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY,
// AWS_SESSION_TOKEN), then the shared credentials file
// (AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials) under the profile named
// by AWS_PROFILE (default "default").
#pragma once

#include <string>
#include <string_view>

#include "aws/remote/sigv4_signer.h"
#include "common/status.h"

namespace aws::remote {

// NotFound naming every place looked at when none holds a key pair.
common::Result<Credentials> LoadCredentials();

// Parses an INI-style credentials file's text and returns `profile`'s keys.
common::Result<Credentials> ParseCredentialsFile(std::string_view text, std::string_view profile);

}  // namespace aws::remote
