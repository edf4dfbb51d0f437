#include "aws/s3/s3_handler.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <future>

#include "aws/s3/s3_error.h"
#include "aws/s3/xml.h"
#include "objects/files.h"
#include "objects/object_store.h"

namespace aws::s3 {
namespace {

namespace fs = std::filesystem;
using gateway::Response;

class S3HandlerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("s3_handler_test_" + objects::files::RandomHex(6));
    objects::StoreOptions o;
    o.min_part_bytes = 4;
    store_ = std::move(objects::FileObjectStore::Open(root_.string(), o)).value();
    handler_ = std::make_unique<S3Handler>(store_.get(), 2);
    ASSERT_EQ(Call("PUT", "/bkt").status, 200);
  }
  void TearDown() override {
    handler_.reset();
    store_.reset();
    fs::remove_all(root_);
  }
  Response Call(std::string method, std::string target, std::string body = "",
                std::vector<std::pair<std::string, std::string>> headers = {}) {
    gateway::Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.request_id = "req-1";
    r.headers.Add("Host", "127.0.0.1:4566");
    for (auto& [k, v] : headers) r.headers.Add(k, v);
    return handler_->Handle(r);
  }
  static std::string Code(const Response& r) {
    auto doc = ParseXml(r.body);
    if (!doc.ok() || doc->Child("Code") == nullptr) return "<no error body>";
    return doc->Child("Code")->text;
  }

  fs::path root_;
  std::unique_ptr<objects::FileObjectStore> store_;
  std::unique_ptr<S3Handler> handler_;
};

TEST_F(S3HandlerTest, PutThenGetReturnsBodyEtagAndMetadata) {
  auto put = Call("PUT", "/bkt/dir/a%20b.txt", "hello",
                  {{"Content-Type", "text/plain"}, {"x-amz-meta-Color", "blue"}, {"Cache-Control", "no-cache"}});
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.headers.Get("ETag"), "\"5d41402abc4b2a76b9719d911017c592\"");
  auto get = Call("GET", "/bkt/dir/a%20b.txt");
  EXPECT_EQ(get.status, 200);
  EXPECT_EQ(get.body, "hello");
  EXPECT_EQ(get.headers.Get("Content-Type"), "text/plain");
  EXPECT_EQ(get.headers.Get("x-amz-meta-color"), "blue");
  EXPECT_EQ(get.headers.Get("Cache-Control"), "no-cache");
  EXPECT_FALSE(get.headers.Get("Last-Modified").empty());
}

TEST_F(S3HandlerTest, VirtualHostStyleReachesTheSameObject) {
  ASSERT_EQ(Call("PUT", "/bkt/k", "v").status, 200);
  gateway::Request r;
  r.method = "GET";
  r.target = "/k";
  r.headers.Add("Host", "bkt.localhost:4566");
  EXPECT_EQ(handler_->Handle(r).body, "v");
}

TEST_F(S3HandlerTest, ErrorsUseS3CodesAndStatus) {
  auto missing = Call("GET", "/bkt/nope");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(Code(missing), "NoSuchKey");
  EXPECT_NE(missing.body.find("<Resource>/bkt/nope</Resource>"), std::string::npos);
  EXPECT_NE(missing.body.find("<RequestId>req-1</RequestId>"), std::string::npos);
  EXPECT_EQ(Code(Call("GET", "/nobucket/k")), "NoSuchBucket");
  EXPECT_EQ(Code(Call("PUT", "/bkt")), "BucketAlreadyOwnedByYou");
  ASSERT_EQ(Call("PUT", "/bkt/k", "v").status, 200);
  auto not_empty = Call("DELETE", "/bkt");
  EXPECT_EQ(not_empty.status, 409);
  EXPECT_EQ(Code(not_empty), "BucketNotEmpty");
  auto head = Call("HEAD", "/bkt/nope");
  EXPECT_EQ(head.status, 404);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(Call("GET", "/bkt?acl").status, 501);
  EXPECT_EQ(Code(Call("PUT", "/BadName")), "InvalidBucketName");
}

TEST_F(S3HandlerTest, RangesAndConditionalGets) {
  auto put = Call("PUT", "/bkt/k", "0123456789");
  std::string etag(put.headers.Get("ETag"));
  auto part = Call("GET", "/bkt/k", "", {{"Range", "bytes=2-4"}});
  EXPECT_EQ(part.status, 206);
  EXPECT_EQ(part.body, "234");
  EXPECT_EQ(part.headers.Get("Content-Range"), "bytes 2-4/10");
  auto beyond = Call("GET", "/bkt/k", "", {{"Range", "bytes=20-"}});
  EXPECT_EQ(beyond.status, 416);
  EXPECT_EQ(Code(beyond), "InvalidRange");
  auto same = Call("GET", "/bkt/k", "", {{"If-None-Match", etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  auto changed = Call("GET", "/bkt/k", "", {{"If-Match", "\"0000\""}});
  EXPECT_EQ(changed.status, 412);
  EXPECT_EQ(Code(changed), "PreconditionFailed");
  auto old = Call("GET", "/bkt/k", "", {{"If-Modified-Since", "Wed, 21 Oct 2015 07:28:00 GMT"}});
  EXPECT_EQ(old.status, 200);
}

TEST_F(S3HandlerTest, HeadCarriesTheObjectSizeAsContentLength) {
  ASSERT_EQ(Call("PUT", "/bkt/k", std::string(1000, 'x')).status, 200);
  auto head = Call("HEAD", "/bkt/k");
  EXPECT_EQ(head.status, 200);
  EXPECT_EQ(head.headers.Get("Content-Length"), "1000");  // the gateway sends it, with no body
  EXPECT_TRUE(head.body.empty());
}

TEST_F(S3HandlerTest, ListObjectsV2WithDelimiterAndUrlEncoding) {
  for (const char* k : {"a/1", "a/2", "b+c d", "top"}) ASSERT_EQ(Call("PUT", std::string("/bkt/") + k, "x").status, 200);
  auto r = Call("GET", "/bkt?list-type=2&delimiter=%2F&encoding-type=url");
  ASSERT_EQ(r.status, 200);
  EXPECT_NE(r.body.find("<CommonPrefixes><Prefix>a/</Prefix></CommonPrefixes>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<Key>b%2Bc%20d</Key>"), std::string::npos) << r.body;
  EXPECT_NE(r.body.find("<KeyCount>3</KeyCount>"), std::string::npos);
  auto page = Call("GET", "/bkt?list-type=2&max-keys=1");
  EXPECT_NE(page.body.find("<IsTruncated>true</IsTruncated>"), std::string::npos);
  EXPECT_NE(page.body.find("<NextContinuationToken>"), std::string::npos);
  EXPECT_EQ(Code(Call("GET", "/bkt?list-type=2&max-keys=-1")), "InvalidArgument");
  auto v1 = Call("GET", "/bkt?marker=a%2F2");
  EXPECT_NE(v1.body.find("<Key>b+c d</Key>"), std::string::npos) << v1.body;
  EXPECT_EQ(v1.body.find("<Key>a/1</Key>"), std::string::npos);
}

TEST_F(S3HandlerTest, ListBucketsNamesEveryBucket) {
  ASSERT_EQ(Call("PUT", "/other").status, 200);
  auto r = Call("GET", "/");
  EXPECT_NE(r.body.find("<Name>bkt</Name>"), std::string::npos);
  EXPECT_NE(r.body.find("<Name>other</Name>"), std::string::npos);
}

TEST_F(S3HandlerTest, DeleteObjectsReportsEachKey) {
  ASSERT_EQ(Call("PUT", "/bkt/a", "1").status, 200);
  auto r = Call("POST", "/bkt?delete",
                "<Delete><Object><Key>a</Key></Object><Object><Key>gone</Key></Object></Delete>");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_NE(r.body.find("<Deleted><Key>a</Key></Deleted>"), std::string::npos);
  EXPECT_NE(r.body.find("<Deleted><Key>gone</Key></Deleted>"), std::string::npos);
  EXPECT_EQ(Call("GET", "/bkt/a").status, 404);
  EXPECT_EQ(Code(Call("POST", "/bkt?delete", "<Delete><Object>")), "MalformedXML");
}

TEST_F(S3HandlerTest, MultipartUploadOverHttp) {
  auto init = Call("POST", "/bkt/big?uploads");
  auto doc = ParseXml(init.body);
  ASSERT_TRUE(doc.ok()) << init.body;
  std::string id = doc->Child("UploadId")->text;
  auto p1 = Call("PUT", "/bkt/big?partNumber=1&uploadId=" + id, "aaaa");
  auto p2 = Call("PUT", "/bkt/big?partNumber=2&uploadId=" + id, "bb");
  ASSERT_EQ(p1.status, 200);
  auto parts = Call("GET", "/bkt/big?uploadId=" + id);
  EXPECT_NE(parts.body.find("<PartNumber>2</PartNumber>"), std::string::npos);
  auto uploads = Call("GET", "/bkt?uploads");
  EXPECT_NE(uploads.body.find(id), std::string::npos);
  std::string bad_order = "<CompleteMultipartUpload><Part><PartNumber>2</PartNumber><ETag>" +
                          std::string(p2.headers.Get("ETag")) + "</ETag></Part><Part><PartNumber>1</PartNumber><ETag>" +
                          std::string(p1.headers.Get("ETag")) + "</ETag></Part></CompleteMultipartUpload>";
  EXPECT_EQ(Code(Call("POST", "/bkt/big?uploadId=" + id, bad_order)), "InvalidPartOrder");
  std::string body = "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>" +
                     std::string(p1.headers.Get("ETag")) + "</ETag></Part><Part><PartNumber>2</PartNumber><ETag>" +
                     std::string(p2.headers.Get("ETag")) + "</ETag></Part></CompleteMultipartUpload>";
  auto done = Call("POST", "/bkt/big?uploadId=" + id, body);
  ASSERT_EQ(done.status, 200) << done.body;
  EXPECT_NE(done.body.find("-2&quot;</ETag>"), std::string::npos) << done.body;
  EXPECT_EQ(Call("GET", "/bkt/big").body, "aaaabb");
  EXPECT_EQ(Code(Call("DELETE", "/bkt/big?uploadId=" + id)), "NoSuchUpload");
}

TEST_F(S3HandlerTest, AwsChunkedPutWithTrailerChecksum) {
  std::string body = "5\r\nhello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  std::vector<std::pair<std::string, std::string>> h = {
      {"x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER"},
      {"Content-Encoding", "aws-chunked"},
      {"x-amz-decoded-content-length", "5"},
      {"x-amz-trailer", "x-amz-checksum-crc32"}};
  auto put = Call("PUT", "/bkt/c", body, h);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.headers.Get("x-amz-checksum-crc32"), "NhCmhg==");
  auto get = Call("GET", "/bkt/c", "", {{"x-amz-checksum-mode", "ENABLED"}});
  EXPECT_EQ(get.body, "hello");
  EXPECT_EQ(get.headers.Get("x-amz-checksum-crc32"), "NhCmhg==");
  EXPECT_EQ(get.headers.Get("Content-Encoding"), "");
  std::string wrong = "5\r\njello\r\n0\r\nx-amz-checksum-crc32:NhCmhg==\r\n\r\n";
  EXPECT_EQ(Code(Call("PUT", "/bkt/c", wrong, h)), "BadDigest");
  EXPECT_EQ(Call("GET", "/bkt/c").body, "hello");
}

TEST_F(S3HandlerTest, CopyObjectKeepsOrReplacesMetadata) {
  ASSERT_EQ(Call("PUT", "/bkt/src%2Bx", "data", {{"x-amz-meta-a", "1"}}).status, 200);
  auto copy = Call("PUT", "/bkt/dst", "", {{"x-amz-copy-source", "/bkt/src%2Bx"}});
  ASSERT_EQ(copy.status, 200) << copy.body;
  EXPECT_NE(copy.body.find("<CopyObjectResult"), std::string::npos);
  EXPECT_EQ(Call("GET", "/bkt/dst").headers.Get("x-amz-meta-a"), "1");
  auto replaced = Call("PUT", "/bkt/dst2", "",
                       {{"x-amz-copy-source", "bkt/src%2Bx"}, {"x-amz-metadata-directive", "REPLACE"}, {"x-amz-meta-b", "2"}});
  ASSERT_EQ(replaced.status, 200);
  auto got = Call("GET", "/bkt/dst2");
  EXPECT_EQ(got.headers.Get("x-amz-meta-b"), "2");
  EXPECT_EQ(got.headers.Get("x-amz-meta-a"), "");
}

TEST_F(S3HandlerTest, PresignedParametersAreAcceptedUntilTheyExpire) {
  ASSERT_EQ(Call("PUT", "/bkt/k", "v").status, 200);
  std::string fresh = "/bkt/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20991231%2Fus-east-1%2Fs3%2Faws4_request"
                      "&X-Amz-Date=20991231T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=abc";
  EXPECT_EQ(Call("GET", fresh).body, "v");
  auto expired = Call("GET", "/bkt/k?X-Amz-Date=20150101T000000Z&X-Amz-Expires=60&X-Amz-Signature=abc");
  EXPECT_EQ(expired.status, 403);
  EXPECT_EQ(Code(expired), "AccessDenied");
}

TEST_F(S3HandlerTest, AsyncHandlerAnswersFromThePool) {
  gateway::Request r;
  r.method = "PUT";
  r.target = "/bkt/async";
  r.body = "x";
  std::promise<Response> done;
  handler_->AsHandler()(r, [&](Response resp) { done.set_value(std::move(resp)); });
  EXPECT_EQ(done.get_future().get().status, 200);
  EXPECT_EQ(r.method, "PUT");  // the session's copy stays usable for its log
}

TEST_F(S3HandlerTest, TargetWithoutSlashIsInvalidRequestNotACrash) {
  auto r = Call("GET", "bkt/k");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(Code(r), "InvalidRequest");
}

TEST(S3ErrorTest, UnknownWordsFallBackToTheStatusCode) {
  auto e = ErrorFromStatus(common::Status::NotFound("Whatever: x"));
  EXPECT_EQ(e.code, "NoSuchKey");
  EXPECT_EQ(e.http_status, 404);
  auto io = ErrorFromStatus(common::Status::IOError("disk /secret/path failed"));
  EXPECT_EQ(io.http_status, 500);
  EXPECT_EQ(io.message.find("/secret"), std::string::npos);
  EXPECT_EQ(ErrorFromStatus(common::Status::ConditionFailed("NotModified: same")).http_status, 304);
}

}  // namespace
}  // namespace aws::s3
