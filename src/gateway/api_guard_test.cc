#include "gateway/api_guard.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

class ApiGuardTest : public ::testing::Test {
 protected:
  Request Post(std::string body = "{}", std::string type = "application/json") {
    Request r;
    r.method = "POST";
    r.path = "/api/orders";
    r.headers.Add("Host", "shop.example:8080");
    if (!type.empty()) r.headers.Add("Content-Type", type);
    r.body = std::move(body);
    return r;
  }
  int Status(const Request& r) {
    auto refused = CheckApiRequest(r, options_);
    return refused ? refused->status : 0;
  }
  ApiGuardOptions options_;
};

TEST_F(ApiGuardTest, RequestsWithoutBrowserHeadersPass) { EXPECT_EQ(Status(Post()), 0); }

TEST_F(ApiGuardTest, CrossSiteFetchIsForbidden) {
  Request r = Post();
  r.headers.Add("Sec-Fetch-Site", "cross-site");
  EXPECT_EQ(Status(r), 403);
  Request same = Post();
  same.headers.Add("Sec-Fetch-Site", "same-origin");
  same.headers.Add("Origin", "http://shop.example:8080");
  EXPECT_EQ(Status(same), 0);
}

TEST_F(ApiGuardTest, ForeignOriginIsForbiddenOwnAndTrustedPass) {
  Request foreign = Post();
  foreign.headers.Add("Origin", "http://evil.example");
  EXPECT_EQ(Status(foreign), 403);
  auto refused = CheckApiRequest(foreign, options_);
  EXPECT_NE(refused->body.find("urn:rivulet:problem:cross-site"), std::string::npos);
  EXPECT_EQ(refused->headers.Get("Content-Type"), "application/problem+json");
  Request own = Post();
  own.headers.Add("Origin", "HTTPS://Shop.Example:8080");
  EXPECT_EQ(Status(own), 0);
  Request other_port = Post();
  other_port.headers.Add("Origin", "http://shop.example:9090");
  EXPECT_EQ(Status(other_port), 403);
  options_.trusted_origins = {"http://localhost:5173"};
  Request trusted = Post();
  trusted.headers.Add("Origin", "http://localhost:5173");
  EXPECT_EQ(Status(trusted), 0);
}

TEST_F(ApiGuardTest, NullAndMalformedOriginsAreForbidden) {
  for (const char* origin : {"null", "", "file://", "http://shop.example:8080/path", "javascript:x"}) {
    Request r = Post();
    r.headers.Add("Origin", origin);
    EXPECT_EQ(Status(r), 403) << origin;
  }
}

TEST_F(ApiGuardTest, DefaultPortsMatchWithoutThePort) {
  Request r = Post();
  r.headers.Set("Host", "shop.example");
  r.headers.Add("Origin", "http://shop.example:80");
  EXPECT_EQ(Status(r), 0);
}

TEST_F(ApiGuardTest, ReadsAreNeverChecked) {
  Request r = Post("", "");
  r.method = "GET";
  r.headers.Add("Origin", "http://evil.example");
  r.headers.Add("Sec-Fetch-Site", "cross-site");
  EXPECT_EQ(Status(r), 0);
}

TEST_F(ApiGuardTest, NonJsonBodiesAre415EmptyBodiesPass) {
  EXPECT_EQ(Status(Post("a=1", "application/x-www-form-urlencoded")), 415);
  EXPECT_EQ(Status(Post("{}", "text/plain")), 415);
  EXPECT_EQ(Status(Post("{}", "")), 415);
  EXPECT_EQ(Status(Post("{}", "application/json; charset=utf-8")), 0);
  EXPECT_EQ(Status(Post("{}", "application/merge-patch+json")), 0);
  EXPECT_EQ(Status(Post("", "")), 0);  // logout, cancel
}

TEST_F(ApiGuardTest, OriginRuleAppliesToUpgradesToo) {
  Request upgrade = Post("", "");
  upgrade.method = "GET";
  EXPECT_TRUE(FromOwnOrTrustedOrigin(upgrade, options_));  // no Origin: not a browser
  upgrade.headers.Add("Origin", "http://shop.example:8080");
  EXPECT_TRUE(FromOwnOrTrustedOrigin(upgrade, options_));
  upgrade.headers.Set("Origin", "http://evil.example");
  EXPECT_FALSE(FromOwnOrTrustedOrigin(upgrade, options_));
}

TEST_F(ApiGuardTest, SplitListTrimsAndDropsEmpties) {
  EXPECT_EQ(SplitList(" a, b ,,c "), (std::vector<std::string>{"a", "b", "c"}));
  EXPECT_TRUE(SplitList("").empty());
}

}  // namespace
}  // namespace gateway
