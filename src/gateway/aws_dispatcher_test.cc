#include "gateway/aws_dispatcher.h"

#include <gtest/gtest.h>

namespace gateway {
namespace {

class AwsDispatcherTest : public ::testing::Test {
 protected:
  Response Call(std::string target, std::string method = "POST", std::string path = "/") {
    Request req;
    req.method = method;
    req.path = path;
    req.request_id = "rid-1";
    if (!target.empty()) req.headers.Add("X-Amz-Target", target);
    Response out;
    dispatcher_.Handle(req, [&](Response r) { out = std::move(r); });
    route_ = req.route;
    return out;
  }
  static Handler Named(std::string name) {
    return Sync([name](Request&) { return Response::Text(200, name); });
  }
  AwsDispatcher dispatcher_;
  std::string route_;
};

TEST_F(AwsDispatcherTest, UnclaimedTargetIsUnknownOperation) {
  Response r = Call("Kinesis_20131202.PutRecord");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("\"__type\":\"UnknownOperationException\""), std::string::npos);
  EXPECT_EQ(r.headers.Get("x-amzn-RequestId"), "rid-1");
}

TEST_F(AwsDispatcherTest, TargetPrefixPicksService) {
  ASSERT_TRUE(dispatcher_.Register("Kinesis_20131202", Named("kinesis")).ok());
  ASSERT_TRUE(dispatcher_.Register("DynamoDB_20120810", Named("dynamo")).ok());
  EXPECT_EQ(Call("Kinesis_20131202.PutRecord").body, "kinesis");
  EXPECT_EQ(route_, "aws:Kinesis_20131202");
  EXPECT_EQ(Call("DynamoDB_20120810.GetItem").body, "dynamo");
}

TEST_F(AwsDispatcherTest, PrefixMustMatchWholeServicePart) {
  ASSERT_TRUE(dispatcher_.Register("Kinesis_20131202", Named("kinesis")).ok());
  EXPECT_EQ(Call("Kinesis_2013.PutRecord").status, 400);
}

TEST_F(AwsDispatcherTest, RequestsWithoutTargetGoToRestFallback) {
  EXPECT_EQ(Call("", "GET").status, 400);
  dispatcher_.SetRestFallback(Named("s3"));
  EXPECT_EQ(Call("", "GET").body, "s3");
  EXPECT_EQ(route_, "aws:rest");
}

TEST_F(AwsDispatcherTest, RestPathPrefixWinsOverTheS3Fallback) {
  dispatcher_.SetRestFallback(Named("s3"));
  ASSERT_TRUE(dispatcher_.RegisterRestPath("/2015-03-31/", Named("lambda")).ok());
  EXPECT_EQ(Call("", "GET", "/2015-03-31/functions/").body, "lambda");
  EXPECT_EQ(route_, "aws:/2015-03-31/");
  EXPECT_EQ(Call("", "GET", "/2015-03-31").body, "s3");  // a bucket of that name
  EXPECT_EQ(Call("", "GET", "/bucket/key").body, "s3");
  EXPECT_TRUE(dispatcher_.RegisterRestPath("/2015-03-31/", Named("again")).code() ==
              common::Status::Code::kAlreadyExists);
  EXPECT_TRUE(dispatcher_.RegisterRestPath("no-slash", Named("x")).IsInvalidArgument());
}

TEST_F(AwsDispatcherTest, DuplicatePrefixIsRejected) {
  ASSERT_TRUE(dispatcher_.Register("Kinesis_20131202", Named("a")).ok());
  EXPECT_EQ(dispatcher_.Register("Kinesis_20131202", Named("b")).code(), common::Status::Code::kAlreadyExists);
  EXPECT_TRUE(dispatcher_.Register("Bad.Prefix", Named("c")).IsInvalidArgument());
}

}  // namespace
}  // namespace gateway
