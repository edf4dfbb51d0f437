#include "aws/remote/credentials.h"

#include <gtest/gtest.h>

namespace aws::remote {
namespace {

constexpr char kFile[] = R"(# comment
[default]
aws_access_key_id = AKIADEFAULT
aws_secret_access_key = secret-default

[work]
aws_access_key_id=AKIAWORK
aws_secret_access_key=secret-work
aws_session_token = token-work
)";

TEST(CredentialsTest, ReadsTheNamedProfile) {
  auto work = ParseCredentialsFile(kFile, "work");
  ASSERT_TRUE(work.ok()) << work.status().ToString();
  EXPECT_EQ(work->access_key_id, "AKIAWORK");
  EXPECT_EQ(work->secret_access_key, "secret-work");
  EXPECT_EQ(work->session_token, "token-work");
  auto fallback = ParseCredentialsFile(kFile, "default");
  ASSERT_TRUE(fallback.ok());
  EXPECT_EQ(fallback->access_key_id, "AKIADEFAULT");
  EXPECT_EQ(fallback->session_token, "");
}

TEST(CredentialsTest, AMissingProfileIsNotFound) {
  auto missing = ParseCredentialsFile(kFile, "nope");
  EXPECT_EQ(missing.status().code(), common::Status::Code::kNotFound);
  EXPECT_NE(missing.status().message().find("[nope]"), std::string::npos);
}

}  // namespace
}  // namespace aws::remote
