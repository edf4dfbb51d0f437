#include "aws/auth/aws_authorizer.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "aws/common/cbor.h"
#include "table/table_engine.h"

namespace aws::auth {
namespace {

constexpr char kRootId[] = "AKIDEXAMPLE";
constexpr char kRootSecret[] = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";

class AuthorizerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("iam-auth-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto tables = table::TableEngine::Open(dir_.string(), table::TableEngineOptions{});
    ASSERT_TRUE(tables.ok());
    tables_ = std::move(*tables);
    auto store = iam::IdentityStore::Open(tables_.get(), {"000000000000", &clock_});
    ASSERT_TRUE(store.ok());
    store_ = std::move(*store);
    bool created;
    ASSERT_TRUE(store_->EnsureRootKey(kRootId, kRootSecret, &created).ok());
    AuthorizerOptions options;
    options.scope.hash_key_of = [](const std::string&) { return std::string("customerId"); };
    authorizer_ = std::make_unique<AwsAuthorizer>(store_.get(), &clock_, options);
  }
  void TearDown() override {
    authorizer_.reset();
    store_.reset();
    tables_.reset();
    std::filesystem::remove_all(dir_);
  }

  // A Kinesis or DynamoDB JSON call signed like an SDK signs it.
  gateway::Request Json(const std::string& target, const std::string& body, const std::string& key_id = kRootId,
                        const std::string& secret = kRootSecret) {
    gateway::Request r;
    r.method = "POST";
    r.target = r.path = "/";
    r.body = body;
    r.remote_addr = "127.0.0.1";
    r.request_id = "req-1";
    std::string date = iam::FormatAmzDate(clock_.NowMillis());
    r.headers.Add("Host", "127.0.0.1:4566");
    r.headers.Add("Content-Type", "application/x-amz-json-1.1");
    r.headers.Add("X-Amz-Target", target);
    r.headers.Add("X-Amz-Date", date);
    Sign(&r, key_id, secret, target.rfind("Kinesis", 0) == 0 ? "kinesis" : "dynamodb", false,
         {"content-type", "host", "x-amz-date", "x-amz-target"});
    return r;
  }

  void Sign(gateway::Request* r, const std::string& key_id, const std::string& secret, const std::string& service,
            bool s3, const std::vector<std::string>& signed_headers) {
    std::string hash = s3 ? std::string(r->Header("x-amz-content-sha256")) : iam::HexSha256(r->body);
    std::string_view target = r->target;
    size_t q = target.find('?');
    iam::SignedRequestView view;
    view.method = r->method;
    view.raw_path = target.substr(0, q);
    view.raw_query = q == std::string_view::npos ? "" : target.substr(q + 1);
    view.headers = &r->headers.items();
    view.payload_hash = hash;
    view.s3_rules = s3;
    r->headers.Add("Authorization", iam::SignAuthorization(view, signed_headers, key_id, secret,
                                                           r->Header("X-Amz-Date"), "us-east-1", service));
  }

  // The __type of a JSON error, or "" when the request was let through.
  std::string Refusal(gateway::Request request) {
    auto response = authorizer_->Check(request);
    if (!response) return "";
    size_t start = response->body.find("\"__type\":\"");
    if (start != std::string::npos) {
      start += 10;
      return response->body.substr(start, response->body.find('"', start) - start);
    }
    size_t code = response->body.find("<Code>");
    if (code == std::string::npos) return "?";
    code += 6;
    return response->body.substr(code, response->body.find('<', code) - code);
  }

  iam::AccessKey NewUser(const std::string& name, const std::string& policy) {
    EXPECT_TRUE(store_->CreateUser(name, "/").ok());
    EXPECT_TRUE(store_->PutInlinePolicy(false, name, "p", policy).ok());
    return *store_->CreateAccessKey(name);
  }

  common::ManualClock clock_{1'764'108'000'000};  // 2025-11-25T22:00:00Z
  std::filesystem::path dir_;
  std::unique_ptr<table::TableEngine> tables_;
  std::unique_ptr<iam::IdentityStore> store_;
  std::unique_ptr<AwsAuthorizer> authorizer_;
};

constexpr char kPut[] = R"({"StreamName":"orders","Data":"AA==","PartitionKey":"k"})";

TEST_F(AuthorizerTest, RootSignatureIsAccepted) {
  gateway::Request r = Json("Kinesis_20131202.PutRecord", kPut);
  EXPECT_FALSE(authorizer_->Check(r).has_value());
  EXPECT_EQ(r.principal_arn, "arn:aws:iam::000000000000:root");
}

TEST_F(AuthorizerTest, WrongSecretChangedHeaderChangedBodyAreRejected) {
  EXPECT_EQ(Refusal(Json("Kinesis_20131202.PutRecord", kPut, kRootId, "not-the-secret")), "InvalidSignatureException");
  gateway::Request header = Json("Kinesis_20131202.PutRecord", kPut);
  header.headers.Set("X-Amz-Target", "Kinesis_20131202.DeleteStream");
  EXPECT_EQ(Refusal(header), "InvalidSignatureException");
  gateway::Request body = Json("Kinesis_20131202.PutRecord", kPut);
  body.body[15] = 'X';
  EXPECT_EQ(Refusal(body), "InvalidSignatureException");
}

TEST_F(AuthorizerTest, UnknownKeyMissingAndMalformedAuthorization) {
  EXPECT_EQ(Refusal(Json("Kinesis_20131202.PutRecord", kPut, "AKIANOSUCHKEY", kRootSecret)),
            "UnrecognizedClientException");
  gateway::Request missing = Json("Kinesis_20131202.PutRecord", kPut);
  missing.headers.Set("Authorization", "");
  EXPECT_EQ(Refusal(missing), "MissingAuthenticationTokenException");
  gateway::Request malformed = Json("Kinesis_20131202.PutRecord", kPut);
  malformed.headers.Set("Authorization", "AWS4-HMAC-SHA256 Credential=" + std::string(10000, 'x'));
  EXPECT_EQ(Refusal(malformed), "IncompleteSignatureException");
}

TEST_F(AuthorizerTest, StaleDateIsRejectedBeyondFifteenMinutes) {
  gateway::Request r = Json("Kinesis_20131202.PutRecord", kPut);
  clock_.AdvanceMillis(14 * 60 * 1000);
  EXPECT_EQ(Refusal(r), "");
  clock_.AdvanceMillis(2 * 60 * 1000);
  EXPECT_EQ(Refusal(r), "InvalidSignatureException");
}

TEST_F(AuthorizerTest, UserPoliciesDecide) {
  iam::AccessKey key = NewUser(
      "producer", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord",
                     "Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}]})");
  EXPECT_EQ(Refusal(Json("Kinesis_20131202.PutRecord", kPut, key.access_key_id, key.secret)), "");
  EXPECT_EQ(Refusal(Json("Kinesis_20131202.PutRecord", R"({"StreamName":"other","Data":"AA==","PartitionKey":"k"})",
                         key.access_key_id, key.secret)),
            "AccessDeniedException");
  EXPECT_EQ(Refusal(Json("DynamoDB_20120810.DeleteTable", R"({"TableName":"orders"})", key.access_key_id, key.secret)),
            "AccessDeniedException");
  EXPECT_EQ(authorizer_->denied(), 2u);
}

TEST_F(AuthorizerTest, CborRequestsNameTheirStreamAndGetCborErrors) {
  iam::AccessKey key = NewUser(
      "cbor", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"kinesis:PutRecord",
                 "Resource":"arn:aws:kinesis:us-east-1:000000000000:stream/orders"}]})");
  auto put = [&](const std::string& stream) {
    cbor::Writer body;
    body.BeginObject().Field("StreamName", stream).Field("PartitionKey", "k").EndObject();
    gateway::Request r;
    r.method = "POST";
    r.target = r.path = "/";
    r.body = body.Take();
    r.remote_addr = "127.0.0.1";
    r.headers.Add("Host", "127.0.0.1:4566");
    r.headers.Add("Content-Type", "application/x-amz-cbor-1.1");
    r.headers.Add("X-Amz-Target", "Kinesis_20131202.PutRecord");
    r.headers.Add("X-Amz-Date", iam::FormatAmzDate(clock_.NowMillis()));
    Sign(&r, key.access_key_id, key.secret, "kinesis", false, {"content-type", "host", "x-amz-date", "x-amz-target"});
    return authorizer_->Check(r);
  };
  EXPECT_FALSE(put("orders").has_value());
  auto denied = put("other");
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->headers.Get("x-amzn-ErrorType"), "AccessDeniedException");
  EXPECT_EQ(denied->headers.Get("Content-Type"), "application/x-amz-cbor-1.1");
}

TEST_F(AuthorizerTest, LeadingKeysLimitAUserToItsOwnItems) {
  iam::AccessKey key = NewUser(
      "c-1", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:Query"],
               "Resource":"*","Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${aws:username}"]}}}]})");
  auto get = [&](const std::string& customer) {
    return Refusal(Json("DynamoDB_20120810.GetItem",
                        R"({"TableName":"orders","Key":{"customerId":{"S":")" + customer + R"("},"id":{"S":"o1"}}})",
                        key.access_key_id, key.secret));
  };
  EXPECT_EQ(get("c-1"), "");
  EXPECT_EQ(get("c-2"), "AccessDeniedException");
  auto query = [&](const std::string& customer) {
    return Refusal(Json("DynamoDB_20120810.Query",
                        R"j({"TableName":"orders","KeyConditionExpression":"#c = :c AND begins_with(id, :p)",)j"
                        R"("ExpressionAttributeNames":{"#c":"customerId"},)"
                        R"("ExpressionAttributeValues":{":c":{"S":")" + customer + R"("},":p":{"S":"o"}}})",
                        key.access_key_id, key.secret));
  };
  EXPECT_EQ(query("c-1"), "");
  EXPECT_EQ(query("c-2"), "AccessDeniedException");
}

TEST_F(AuthorizerTest, TransactionsNeedEachContainedAction) {
  // As in AWS: PutItem and UpdateItem permissions cover a transaction of
  // puts and updates; a Delete inside needs dynamodb:DeleteItem.
  iam::AccessKey key = NewUser("writer", R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow",
      "Action":["dynamodb:PutItem","dynamodb:UpdateItem"],"Resource":"arn:aws:dynamodb:*:*:table/orders",
      "Condition":{"StringEquals":{"dynamodb:EnclosingOperation":"TransactWriteItems"}}}]})");
  auto transact = [&](const std::string& second) {
    return Refusal(Json("DynamoDB_20120810.TransactWriteItems",
                        R"({"TransactItems":[{"Put":{"TableName":"orders","Item":{"id":{"S":"o1"}}}},)" + second + "]}",
                        key.access_key_id, key.secret));
  };
  EXPECT_EQ(transact(R"({"Update":{"TableName":"orders","Key":{"id":{"S":"o2"}},"UpdateExpression":"SET a = :a"}})"),
            "");
  EXPECT_EQ(transact(R"({"Delete":{"TableName":"orders","Key":{"id":{"S":"o2"}}}})"), "AccessDeniedException");
  EXPECT_EQ(transact(R"({"Put":{"TableName":"other","Item":{"id":{"S":"o2"}}}})"), "AccessDeniedException");
  // Outside a transaction the condition does not hold.
  EXPECT_EQ(Refusal(Json("DynamoDB_20120810.PutItem", R"({"TableName":"orders","Item":{"id":{"S":"o3"}}})",
                         key.access_key_id, key.secret)),
            "AccessDeniedException");
}

TEST_F(AuthorizerTest, S3PresignedUrlExpires) {
  gateway::Request r;
  r.method = "GET";
  r.path = "/bucket/key.txt";
  r.request_id = "req-2";
  r.headers.Add("Host", "127.0.0.1:4566");
  std::string date = iam::FormatAmzDate(clock_.NowMillis());
  std::string query = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F" + date.substr(0, 8) +
                      "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=" + date +
                      "&X-Amz-Expires=60&X-Amz-SignedHeaders=host";
  iam::SignedRequestView view;
  view.method = "GET";
  view.raw_path = r.path;
  view.raw_query = query;
  view.headers = &r.headers.items();
  view.payload_hash = "UNSIGNED-PAYLOAD";
  view.s3_rules = true;
  std::string auth = iam::SignAuthorization(view, {"host"}, kRootId, kRootSecret, date, "us-east-1", "s3");
  r.query = query + "&X-Amz-Signature=" + auth.substr(auth.size() - 64);
  r.target = r.path + "?" + r.query;
  EXPECT_EQ(Refusal(r), "");
  clock_.AdvanceMillis(61 * 1000);
  EXPECT_EQ(Refusal(r), "AccessDenied");
}

TEST_F(AuthorizerTest, S3BodyMustMatchItsDeclaredHash) {
  gateway::Request r;
  r.method = "PUT";
  r.target = r.path = "/bucket/key.txt";
  r.body = "hello";
  r.request_id = "req-3";
  r.headers.Add("Host", "127.0.0.1:4566");
  r.headers.Add("x-amz-content-sha256", iam::HexSha256("hello"));
  r.headers.Add("X-Amz-Date", iam::FormatAmzDate(clock_.NowMillis()));
  Sign(&r, kRootId, kRootSecret, "s3", true, {"host", "x-amz-content-sha256", "x-amz-date"});
  EXPECT_EQ(Refusal(r), "");
  r.body = "HELLO";
  EXPECT_EQ(Refusal(r), "XAmzContentSHA256Mismatch");
}

TEST_F(AuthorizerTest, StreamingBodiesGetTheirChunkVerifier) {
  auto put = [&](const std::string& payload_hash) {
    gateway::Request r;
    r.method = "PUT";
    r.target = r.path = "/bucket/key.txt";
    r.request_id = "req-4";
    r.headers.Add("Host", "127.0.0.1:4566");
    r.headers.Add("x-amz-content-sha256", payload_hash);
    r.headers.Add("X-Amz-Date", iam::FormatAmzDate(clock_.NowMillis()));
    Sign(&r, kRootId, kRootSecret, "s3", true, {"host", "x-amz-content-sha256", "x-amz-date"});
    return r;
  };
  gateway::Request plain = put("STREAMING-AWS4-HMAC-SHA256-PAYLOAD");
  EXPECT_FALSE(authorizer_->Check(plain).has_value());
  ASSERT_NE(plain.chunk_verifier, nullptr);
  EXPECT_FALSE(plain.chunk_verifier->SignsTrailer());
  gateway::Request trailer = put("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
  EXPECT_FALSE(authorizer_->Check(trailer).has_value());
  ASSERT_NE(trailer.chunk_verifier, nullptr);
  EXPECT_TRUE(trailer.chunk_verifier->SignsTrailer());
  gateway::Request unsigned_trailer = put("STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  EXPECT_FALSE(authorizer_->Check(unsigned_trailer).has_value());
  EXPECT_EQ(unsigned_trailer.chunk_verifier, nullptr);
  // A streaming form whose chunks would go unchecked is refused.
  EXPECT_NE(Refusal(put("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD")), "");
  EXPECT_NE(Refusal(put("STREAMING-AWS4-HMAC-SHA256-PAYLOAD-SOMETHING")), "");
}

TEST_F(AuthorizerTest, AuthOffLetsEverythingInAsRoot) {
  AuthorizerOptions options;
  options.enabled = false;
  AwsAuthorizer open(store_.get(), &clock_, options);
  gateway::Request r = Json("Kinesis_20131202.PutRecord", kPut, "AKIANOSUCHKEY", "x");
  EXPECT_FALSE(open.Check(r).has_value());
  EXPECT_EQ(r.principal_arn, "arn:aws:iam::000000000000:root");
}

}  // namespace
}  // namespace aws::auth
