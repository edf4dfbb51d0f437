#include "gateway/router.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

class RouterTest : public ::testing::Test {
 protected:
  void Add(const std::string& method, const std::string& path, std::string name) {
    ASSERT_TRUE(router_.Add(method, path, Sync([name](Request&) { return Response::Text(200, name); })).ok());
  }
  // Runs the matched handler and returns its body, or "" when nothing matched.
  std::string Call(const std::string& method, const std::string& path) {
    Request req;
    req.method = method;
    req.path = path;
    std::string body;
    Respond respond = [&](Response r) { body = r.body; };
    last_ = router_.Dispatch(req, respond);
    last_request_ = req;
    return body;
  }
  Router router_;
  Router::Match last_;
  Request last_request_;
};

TEST_F(RouterTest, LiteralPathMatches) {
  Add("GET", "/healthz", "health");
  EXPECT_EQ(Call("GET", "/healthz"), "health");
  EXPECT_EQ(last_request_.route, "/healthz");
}

TEST_F(RouterTest, ParameterIsCaptured) {
  Add("GET", "/api/orders/{id}", "order");
  EXPECT_EQ(Call("GET", "/api/orders/42"), "order");
  EXPECT_EQ(last_request_.PathParam("id"), "42");
  EXPECT_EQ(last_request_.route, "/api/orders/{id}");
}

TEST_F(RouterTest, LiteralBeatsParameterWhateverTheOrder) {
  Add("GET", "/api/orders/{id}", "by-id");
  Add("GET", "/api/orders/mine", "mine");
  EXPECT_EQ(Call("GET", "/api/orders/mine"), "mine");
  EXPECT_EQ(Call("GET", "/api/orders/7"), "by-id");
}

TEST_F(RouterTest, EmptyParameterDoesNotMatch) {
  Add("GET", "/api/orders/{id}", "order");
  EXPECT_EQ(Call("GET", "/api/orders/"), "");
  EXPECT_EQ(last_.kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, WrongMethodListsAllowedMethods) {
  Add("GET", "/api/orders", "list");
  Add("POST", "/api/orders", "create");
  Call("DELETE", "/api/orders");
  EXPECT_EQ(last_.kind, Router::Match::Kind::kMethodNotAllowed);
  EXPECT_EQ(last_.allow, "GET, HEAD, POST");
}

TEST_F(RouterTest, HeadIsAnsweredByGetRoute) {
  Add("GET", "/x", "x");
  EXPECT_EQ(Call("HEAD", "/x"), "x");
}

TEST_F(RouterTest, WildcardMatchesRest) {
  Add("GET", "/files/*", "files");
  EXPECT_EQ(Call("GET", "/files/a/b/c"), "files");
  EXPECT_EQ(Call("GET", "/other"), "");
}

TEST_F(RouterTest, UnknownPathIsNotFound) {
  Add("GET", "/a", "a");
  Call("GET", "/b");
  EXPECT_EQ(last_.kind, Router::Match::Kind::kNotFound);
}

TEST_F(RouterTest, DuplicateRouteIsRejected) {
  Add("GET", "/a", "a");
  EXPECT_EQ(router_.Add("GET", "/a", Sync([](Request&) { return Response{}; })).code(),
            common::Status::Code::kAlreadyExists);
}

TEST_F(RouterTest, MalformedTemplateIsRejected) {
  EXPECT_TRUE(router_.Add("GET", "api", Sync([](Request&) { return Response{}; })).IsInvalidArgument());
  EXPECT_TRUE(router_.Add("GET", "/a/{id", Sync([](Request&) { return Response{}; })).IsInvalidArgument());
}

}  // namespace
}  // namespace gateway
