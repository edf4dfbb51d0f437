#include "iam/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "iam/condition.h"

namespace iam {
namespace {

// One statement with a condition block, evaluated against a request whose
// action and resource always match.
struct ConditionCase {
  const char* name;
  const char* condition;  // the JSON object under "Condition"
  std::vector<std::pair<std::string, std::vector<std::string>>> keys;
  bool allowed;
};

class PolicyTest : public ::testing::Test {
 protected:
  Policy Parse(const std::string& doc) {
    auto policy = ParsePolicy(doc);
    EXPECT_TRUE(policy.ok()) << policy.status().ToString() << "\n" << doc;
    return policy.ok() ? *policy : Policy{};
  }
  std::string ParseError(const std::string& doc) {
    auto policy = ParsePolicy(doc);
    EXPECT_FALSE(policy.ok()) << doc;
    return policy.status().message();
  }
  static std::string Allow(const std::string& action, const std::string& resource, const std::string& extra = "") {
    return R"({"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":)" + action +
           R"(,"Resource":)" + resource + extra + "}]}";
  }
  Decision Decide(const std::vector<std::string>& docs, const RequestContext& context) {
    std::vector<Policy> parsed;
    for (const auto& d : docs) parsed.push_back(Parse(d));
    std::vector<const Policy*> pointers;
    for (const auto& p : parsed) pointers.push_back(&p);
    return Evaluate(pointers, context).decision;
  }
  static RequestContext Request(std::string action, std::string resource) {
    RequestContext c;
    c.action = std::move(action);
    c.resource = std::move(resource);
    return c;
  }
};

constexpr char kStream[] = "arn:aws:kinesis:us-east-1:000000000000:stream/orders";

TEST_F(PolicyTest, AllowMatchesActionAndResource) {
  auto doc = Allow(R"("kinesis:PutRecord")", std::string("\"") + kStream + "\"");
  EXPECT_EQ(Decide({doc}, Request("kinesis:PutRecord", kStream)), Decision::kAllow);
  EXPECT_EQ(Decide({doc}, Request("kinesis:PutRecords", kStream)), Decision::kImplicitDeny);
  EXPECT_EQ(Decide({doc}, Request("kinesis:PutRecord", std::string(kStream) + "2")), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, NoPoliciesIsImplicitDeny) {
  EXPECT_EQ(Decide({}, Request("kinesis:PutRecord", kStream)), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, ActionsMatchCaseInsensitivelyWithWildcards) {
  struct {
    const char* pattern;
    const char* action;
    bool allowed;
  } cases[] = {
      {"kinesis:*", "kinesis:PutRecord", true},
      {"KINESIS:putrecord", "kinesis:PutRecord", true},
      {"kinesis:Put*", "kinesis:PutRecords", true},
      {"kinesis:Put*", "kinesis:GetRecords", false},
      {"kinesis:PutRecord?", "kinesis:PutRecords", true},
      {"kinesis:PutRecord?", "kinesis:PutRecord", false},
      {"*", "dynamodb:DeleteTable", true},
      {"dynamodb:*Item", "dynamodb:GetItem", true},
      {"dynamodb:*Item", "dynamodb:Query", false},
  };
  for (const auto& c : cases) {
    auto doc = Allow(std::string("\"") + c.pattern + "\"", "\"*\"");
    EXPECT_EQ(Decide({doc}, Request(c.action, kStream)) == Decision::kAllow, c.allowed)
        << c.pattern << " vs " << c.action;
  }
}

TEST_F(PolicyTest, ResourcesMatchCaseSensitivelyWithWildcards) {
  struct {
    const char* pattern;
    const char* resource;
    bool allowed;
  } cases[] = {
      {"arn:aws:kinesis:*:*:stream/*", kStream, true},
      {"arn:aws:kinesis:*:*:stream/ord?rs", kStream, true},
      {"arn:aws:kinesis:*:*:stream/ORDERS", kStream, false},
      {"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket/a/b/c.txt", true},
      {"arn:aws:s3:::bucket/*", "arn:aws:s3:::bucket", false},
      {"arn:aws:s3:::bucket*", "arn:aws:s3:::bucket", true},
      {"arn:aws:dynamodb:us-east-1:000000000000:table/t", "arn:aws:dynamodb:us-east-1:000000000000:table/t", true},
  };
  for (const auto& c : cases) {
    auto doc = Allow("\"*\"", std::string("\"") + c.pattern + "\"");
    EXPECT_EQ(Decide({doc}, Request("s3:GetObject", c.resource)) == Decision::kAllow, c.allowed)
        << c.pattern << " vs " << c.resource;
  }
}

TEST_F(PolicyTest, ExplicitDenyWinsOverAllowInAnyPolicyAndOrder) {
  std::string allow = Allow(R"("dynamodb:*")", R"("*")");
  std::string deny =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"dynamodb:DeleteTable","Resource":"*"}})";
  auto request = Request("dynamodb:DeleteTable", "arn:aws:dynamodb:us-east-1:000000000000:table/t");
  EXPECT_EQ(Decide({allow, deny}, request), Decision::kExplicitDeny);
  EXPECT_EQ(Decide({deny, allow}, request), Decision::kExplicitDeny);
  EXPECT_EQ(Decide({allow, deny}, Request("dynamodb:GetItem", request.resource)), Decision::kAllow);
  // A Deny alone never allows anything else.
  EXPECT_EQ(Decide({deny}, Request("dynamodb:GetItem", request.resource)), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, EvaluateNamesTheDecidingStatement) {
  Policy allow = Parse(Allow(R"("s3:*")", R"("*")"));
  Policy deny = Parse(R"({"Version":"2012-10-17","Statement":[
      {"Sid":"A","Effect":"Allow","Action":"s3:GetObject","Resource":"*"},
      {"Sid":"NoPut","Effect":"Deny","Action":"s3:PutObject","Resource":"*"}]})");
  auto result = Evaluate({&allow, &deny}, Request("s3:PutObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(result.decision, Decision::kExplicitDeny);
  EXPECT_EQ(result.policy_index, 1);
  EXPECT_EQ(result.statement_index, 1);
  result = Evaluate({&allow, &deny}, Request("s3:GetObject", "arn:aws:s3:::b/k"));
  EXPECT_EQ(result.decision, Decision::kAllow);
  EXPECT_EQ(result.policy_index, 0);
}

TEST_F(PolicyTest, NotActionAllowsEverythingElse) {
  std::string doc =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["iam:*","dynamodb:Delete*"],"Resource":"*"}})";
  EXPECT_EQ(Decide({doc}, Request("kinesis:PutRecord", kStream)), Decision::kAllow);
  EXPECT_EQ(Decide({doc}, Request("iam:CreateUser", "arn:aws:iam::000000000000:user/x")), Decision::kImplicitDeny);
  EXPECT_EQ(Decide({doc}, Request("dynamodb:DeleteTable", "*")), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, NotResourceWithDenyProtectsAllButOne) {
  std::string allow = Allow(R"("kinesis:*")", R"("*")");
  std::string deny =
      R"({"Version":"2012-10-17","Statement":{"Effect":"Deny","Action":"kinesis:*","NotResource":"arn:aws:kinesis:*:*:stream/orders"}})";
  EXPECT_EQ(Decide({allow, deny}, Request("kinesis:PutRecord", kStream)), Decision::kAllow);
  EXPECT_EQ(Decide({allow, deny}, Request("kinesis:PutRecord", std::string(kStream) + "-x")),
            Decision::kExplicitDeny);
}

TEST_F(PolicyTest, VariablesInResource) {
  std::string doc = Allow(R"("s3:*")", R"("arn:aws:s3:::home/${aws:username}/*")");
  auto request = Request("s3:GetObject", "arn:aws:s3:::home/alice/notes.txt");
  request.Set("aws:username", "alice");
  EXPECT_EQ(Decide({doc}, request), Decision::kAllow);
  request.Set("aws:username", "bob");
  EXPECT_EQ(Decide({doc}, request), Decision::kImplicitDeny);
  // A variable without a value matches nothing.
  request.keys.clear();
  EXPECT_EQ(Decide({doc}, request), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, VariableValuesAreLiteralNotWildcards) {
  std::string doc = Allow(R"("s3:*")", R"("arn:aws:s3:::home/${aws:username}/*")");
  auto request = Request("s3:GetObject", "arn:aws:s3:::home/alice/x");
  request.Set("aws:username", "*");  // a user named "*" must not reach alice's folder
  EXPECT_EQ(Decide({doc}, request), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, EscapedVariablesAndOldVersionHasNoVariables) {
  std::string doc = Allow(R"("s3:*")", R"("arn:aws:s3:::b/${*}literal")");
  EXPECT_EQ(Decide({doc}, Request("s3:GetObject", "arn:aws:s3:::b/*literal")), Decision::kAllow);
  EXPECT_EQ(Decide({doc}, Request("s3:GetObject", "arn:aws:s3:::b/xliteral")), Decision::kImplicitDeny);
  std::string old =
      R"({"Version":"2008-10-17","Statement":{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username}"}})";
  auto request = Request("s3:GetObject", "arn:aws:s3:::b/${aws:username}");
  request.Set("aws:username", "alice");
  EXPECT_EQ(Decide({old}, request), Decision::kAllow);  // taken literally
}

TEST_F(PolicyTest, VariablesInConditionValues) {
  std::string doc = Allow(R"("dynamodb:GetItem")", R"("*")",
                          R"(,"Condition":{"ForAllValues:StringEquals":{"dynamodb:LeadingKeys":["${rivulet:customerId}"]}})");
  auto request = Request("dynamodb:GetItem", "arn:aws:dynamodb:us-east-1:000000000000:table/orders");
  request.Set("rivulet:customerId", "c-1");
  request.Set("dynamodb:LeadingKeys", "c-1");
  EXPECT_EQ(Decide({doc}, request), Decision::kAllow);
  request.Set("dynamodb:LeadingKeys", "c-2");
  EXPECT_EQ(Decide({doc}, request), Decision::kImplicitDeny);
  request.Add("dynamodb:LeadingKeys", "c-1");  // {c-2, c-1}: not all are the caller's
  EXPECT_EQ(Decide({doc}, request), Decision::kImplicitDeny);
}

TEST_F(PolicyTest, UserIdVariable) {
  std::string doc = Allow(R"("kinesis:*")", R"("arn:aws:kinesis:*:*:stream/${aws:userid}-*")");
  auto request = Request("kinesis:PutRecord", "arn:aws:kinesis:us-east-1:000000000000:stream/AIDA1-logs");
  request.Set("aws:userid", "AIDA1");
  EXPECT_EQ(Decide({doc}, request), Decision::kAllow);
}

const ConditionCase kConditionCases[] = {
    // String operators
    {"StringEquals", R"({"StringEquals":{"aws:username":"alice"}})", {{"aws:username", {"alice"}}}, true},
    {"StringEqualsCase", R"({"StringEquals":{"aws:username":"alice"}})", {{"aws:username", {"Alice"}}}, false},
    {"StringEqualsAnyValue", R"({"StringEquals":{"aws:username":["bob","alice"]}})", {{"aws:username", {"alice"}}}, true},
    {"StringEqualsMissingKey", R"({"StringEquals":{"aws:username":"alice"}})", {}, false},
    {"StringNotEquals", R"({"StringNotEquals":{"aws:username":["bob","carol"]}})", {{"aws:username", {"alice"}}}, true},
    {"StringNotEqualsHit", R"({"StringNotEquals":{"aws:username":["bob","alice"]}})", {{"aws:username", {"alice"}}}, false},
    {"StringNotEqualsMissingKey", R"({"StringNotEquals":{"aws:username":"bob"}})", {}, true},
    {"StringEqualsIgnoreCase", R"({"StringEqualsIgnoreCase":{"aws:username":"ALICE"}})", {{"aws:username", {"alice"}}}, true},
    {"StringNotEqualsIgnoreCase", R"({"StringNotEqualsIgnoreCase":{"aws:username":"ALICE"}})", {{"aws:username", {"alice"}}}, false},
    {"StringLike", R"({"StringLike":{"s3:prefix":"home/*"}})", {{"s3:prefix", {"home/alice/"}}}, true},
    {"StringLikeQuestion", R"({"StringLike":{"s3:prefix":"v?"}})", {{"s3:prefix", {"v1"}}}, true},
    {"StringLikeMiss", R"({"StringLike":{"s3:prefix":"home/*"}})", {{"s3:prefix", {"tmp/"}}}, false},
    {"StringNotLike", R"({"StringNotLike":{"s3:prefix":"secret*"}})", {{"s3:prefix", {"public/"}}}, true},
    {"StringNotLikeHit", R"({"StringNotLike":{"s3:prefix":"secret*"}})", {{"s3:prefix", {"secret/x"}}}, false},
    {"KeyNamesIgnoreCase", R"({"StringEquals":{"AWS:UserName":"alice"}})", {{"aws:username", {"alice"}}}, true},
    // Numeric
    {"NumericEquals", R"({"NumericEquals":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"10"}}}, true},
    {"NumericEqualsNumber", R"({"NumericEquals":{"s3:max-keys":10}})", {{"s3:max-keys", {"10.0"}}}, true},
    {"NumericNotEquals", R"({"NumericNotEquals":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"11"}}}, true},
    {"NumericLessThan", R"({"NumericLessThan":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"9"}}}, true},
    {"NumericLessThanEdge", R"({"NumericLessThan":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"10"}}}, false},
    {"NumericLessThanEquals", R"({"NumericLessThanEquals":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"10"}}}, true},
    {"NumericGreaterThan", R"({"NumericGreaterThan":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"10"}}}, false},
    {"NumericGreaterThanEquals", R"({"NumericGreaterThanEquals":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"10"}}}, true},
    {"NumericNotANumber", R"({"NumericEquals":{"s3:max-keys":"10"}})", {{"s3:max-keys", {"ten"}}}, false},
    // Date
    {"DateLessThan", R"({"DateLessThan":{"aws:CurrentTime":"2027-01-01T00:00:00Z"}})", {{"aws:CurrentTime", {"2026-11-25T22:00:00Z"}}}, true},
    {"DateLessThanPast", R"({"DateLessThan":{"aws:CurrentTime":"2020-01-01"}})", {{"aws:CurrentTime", {"2026-11-25T22:00:00Z"}}}, false},
    {"DateGreaterThanEpoch", R"({"DateGreaterThan":{"aws:EpochTime":"1700000000"}})", {{"aws:EpochTime", {"1800000000"}}}, true},
    {"DateEquals", R"({"DateEquals":{"aws:CurrentTime":"2026-01-01T00:00:00Z"}})", {{"aws:CurrentTime", {"2026-01-01T01:00:00+01:00"}}}, true},
    {"DateNotEquals", R"({"DateNotEquals":{"aws:CurrentTime":"2026-01-01"}})", {{"aws:CurrentTime", {"2026-01-02"}}}, true},
    {"DateLessThanEquals", R"({"DateLessThanEquals":{"aws:CurrentTime":"2026-01-01"}})", {{"aws:CurrentTime", {"2026-01-01T00:00:00.000Z"}}}, true},
    {"DateGreaterThanEquals", R"({"DateGreaterThanEquals":{"aws:CurrentTime":"2026-01-02"}})", {{"aws:CurrentTime", {"2026-01-01"}}}, false},
    // Bool, Binary
    {"BoolTrue", R"({"Bool":{"aws:SecureTransport":"true"}})", {{"aws:SecureTransport", {"true"}}}, true},
    {"BoolJsonTrue", R"({"Bool":{"aws:SecureTransport":true}})", {{"aws:SecureTransport", {"true"}}}, true},
    {"BoolFalse", R"({"Bool":{"aws:SecureTransport":"true"}})", {{"aws:SecureTransport", {"false"}}}, false},
    {"BinaryEquals", R"({"BinaryEquals":{"rivulet:blob":"QmluYXJ5"}})", {{"rivulet:blob", {"QmluYXJ5"}}}, true},
    // IP
    {"IpAddressV4", R"({"IpAddress":{"aws:SourceIp":"127.0.0.0/8"}})", {{"aws:SourceIp", {"127.0.0.1"}}}, true},
    {"IpAddressV4Miss", R"({"IpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {{"aws:SourceIp", {"127.0.0.1"}}}, false},
    {"IpAddressExact", R"({"IpAddress":{"aws:SourceIp":"192.0.2.7"}})", {{"aws:SourceIp", {"192.0.2.7"}}}, true},
    {"IpAddressOddPrefix", R"({"IpAddress":{"aws:SourceIp":"192.0.2.0/25"}})", {{"aws:SourceIp", {"192.0.2.200"}}}, false},
    {"IpAddressV6", R"({"IpAddress":{"aws:SourceIp":"2001:db8::/32"}})", {{"aws:SourceIp", {"2001:db8::1"}}}, true},
    {"NotIpAddress", R"({"NotIpAddress":{"aws:SourceIp":"10.0.0.0/8"}})", {{"aws:SourceIp", {"127.0.0.1"}}}, true},
    {"NotIpAddressHit", R"({"NotIpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.0/8"]}})", {{"aws:SourceIp", {"127.0.0.1"}}}, false},
    // ARN
    {"ArnLike", R"({"ArnLike":{"aws:SourceArn":"arn:aws:lambda:*:*:function:order-*"}})", {{"aws:SourceArn", {"arn:aws:lambda:us-east-1:000000000000:function:order-processor"}}}, true},
    {"ArnEquals", R"({"ArnEquals":{"aws:SourceArn":"arn:aws:s3:::b"}})", {{"aws:SourceArn", {"arn:aws:s3:::b"}}}, true},
    {"ArnNotLike", R"({"ArnNotLike":{"aws:SourceArn":"arn:aws:s3:::b*"}})", {{"aws:SourceArn", {"arn:aws:s3:::other"}}}, true},
    {"ArnNotEquals", R"({"ArnNotEquals":{"aws:SourceArn":"arn:aws:s3:::b"}})", {{"aws:SourceArn", {"arn:aws:s3:::b"}}}, false},
    // Null
    {"NullTrueAbsent", R"({"Null":{"aws:TokenIssueTime":"true"}})", {}, true},
    {"NullTruePresent", R"({"Null":{"aws:TokenIssueTime":"true"}})", {{"aws:TokenIssueTime", {"x"}}}, false},
    {"NullFalsePresent", R"({"Null":{"aws:TokenIssueTime":"false"}})", {{"aws:TokenIssueTime", {"x"}}}, true},
    // IfExists
    {"IfExistsAbsent", R"({"StringEqualsIfExists":{"ec2:InstanceType":"t2.micro"}})", {}, true},
    {"IfExistsPresentMiss", R"({"StringEqualsIfExists":{"ec2:InstanceType":"t2.micro"}})", {{"ec2:InstanceType", {"m5"}}}, false},
    {"IfExistsNumeric", R"({"NumericLessThanIfExists":{"s3:max-keys":"5"}})", {{"s3:max-keys", {"3"}}}, true},
    // Qualifiers over multi-valued keys (dynamodb:Attributes)
    {"ForAllValuesSubset", R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["id","status","total"]}})", {{"dynamodb:Attributes", {"id", "status"}}}, true},
    {"ForAllValuesExtra", R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["id","status"]}})", {{"dynamodb:Attributes", {"id", "secret"}}}, false},
    {"ForAllValuesEmpty", R"({"ForAllValues:StringEquals":{"dynamodb:Attributes":["id"]}})", {}, true},
    {"ForAnyValueHit", R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["secret"]}})", {{"dynamodb:Attributes", {"id", "secret"}}}, true},
    {"ForAnyValueMiss", R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["secret"]}})", {{"dynamodb:Attributes", {"id"}}}, false},
    {"ForAnyValueEmpty", R"({"ForAnyValue:StringEquals":{"dynamodb:Attributes":["secret"]}})", {}, false},
    {"ForAllValuesStringLike", R"({"ForAllValues:StringLike":{"dynamodb:LeadingKeys":["c-1*"]}})", {{"dynamodb:LeadingKeys", {"c-1", "c-10"}}}, true},
    {"ForAnyValueNotEquals", R"({"ForAnyValue:StringNotEquals":{"dynamodb:Attributes":["id"]}})", {{"dynamodb:Attributes", {"id", "x"}}}, true},
    // Several keys and operators: all must hold
    {"AndAcrossKeys", R"({"StringEquals":{"aws:username":"alice","aws:SourceVpc":"v"}})", {{"aws:username", {"alice"}}}, false},
    {"AndAcrossOperators", R"({"StringEquals":{"aws:username":"alice"},"IpAddress":{"aws:SourceIp":"127.0.0.1/32"}})", {{"aws:username", {"alice"}}, {"aws:SourceIp", {"127.0.0.1"}}}, true},
};

class ConditionTest : public PolicyTest, public ::testing::WithParamInterface<ConditionCase> {};

TEST_P(ConditionTest, Evaluates) {
  const ConditionCase& c = GetParam();
  std::string doc = Allow(R"("s3:GetObject")", R"("*")", std::string(",\"Condition\":") + c.condition);
  auto request = Request("s3:GetObject", "arn:aws:s3:::b/k");
  for (const auto& [key, values] : c.keys) {
    for (const auto& v : values) request.Add(key, v);
  }
  EXPECT_EQ(Decide({doc}, request) == Decision::kAllow, c.allowed) << c.condition;
}

INSTANTIATE_TEST_SUITE_P(Operators, ConditionTest, ::testing::ValuesIn(kConditionCases),
                         [](const auto& info) { return std::string(info.param.name); });

struct MalformedCase {
  const char* name;
  const char* document;
  const char* message_part;  // the element the error must name
};

const MalformedCase kMalformed[] = {
    {"NotJson", "{", "not valid JSON"},
    {"NotObject", "[]", "JSON object"},
    {"BadVersion", R"({"Version":"2020-01-01","Statement":[]})", "Version"},
    {"UnknownTopElement", R"({"Version":"2012-10-17","Statement":[],"Foo":1})", "Foo"},
    {"MissingStatement", R"({"Version":"2012-10-17"})", "Statement is missing"},
    {"EmptyStatement", R"({"Version":"2012-10-17","Statement":[]})", "Statement must not be empty"},
    {"StatementNotObject", R"({"Version":"2012-10-17","Statement":["x"]})", "Statement[0] must be an object"},
    {"BadEffect", R"({"Statement":{"Effect":"Permit","Action":"s3:*","Resource":"*"}})", "Statement.Effect"},
    {"MissingEffect", R"({"Statement":[{"Action":"s3:*","Resource":"*"}]})", "Statement[0] is missing Effect"},
    {"MissingAction", R"({"Statement":[{"Effect":"Allow","Resource":"*"}]})", "missing Action"},
    {"MissingResource", R"({"Statement":[{"Effect":"Allow","Action":"s3:*"}]})", "missing Resource"},
    {"ActionAndNotAction", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*","Resource":"*"}]})", "not both"},
    {"BadActionFormat", R"({"Statement":[{"Effect":"Allow","Action":"PutRecord","Resource":"*"}]})", "Statement[0].Action"},
    {"ActionNotString", R"({"Statement":[{"Effect":"Allow","Action":[1],"Resource":"*"}]})", "Statement[0].Action"},
    {"EmptyActionList", R"({"Statement":[{"Effect":"Allow","Action":[],"Resource":"*"}]})", "Statement[0].Action"},
    {"BadResource", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"bucket"}]})", "Statement[0].Resource"},
    {"BadSid", R"({"Statement":[{"Sid":"a b","Effect":"Allow","Action":"s3:*","Resource":"*"}]})", "Statement[0].Sid"},
    {"Principal", R"({"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]})", "Statement[0].Principal"},
    {"UnknownStatementElement", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Whatever":1}]})", "Statement[0].Whatever"},
    {"UnknownOperator", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringSorta":{"a:b":"c"}}}]})", "Statement[0].Condition.StringSorta"},
    {"NullIfExists", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NullIfExists":{"a:b":"true"}}}]})", "NullIfExists"},
    {"ConditionKeyWithoutPrefix", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"user":"c"}}}]})", "Condition.StringEquals.user"},
    {"ConditionValueObject", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"a:b":{"x":1}}}}]})", "Condition.StringEquals.a:b"},
    {"NumericNotNumber", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"NumericLessThan":{"s3:max-keys":"ten"}}}]})", "NumericLessThan.s3:max-keys"},
    {"DateNotDate", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"tomorrow"}}}]})", "DateLessThan.aws:CurrentTime"},
    {"BadCidr", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"300.1.1.1/8"}}}]})", "IpAddress.aws:SourceIp"},
    {"BoolNotBool", R"({"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"yes"}}}]})", "Bool.aws:SecureTransport"},
};

class MalformedTest : public PolicyTest, public ::testing::WithParamInterface<MalformedCase> {};

TEST_P(MalformedTest, IsRejectedNamingTheElement) {
  std::string message = ParseError(GetParam().document);
  EXPECT_NE(message.find(GetParam().message_part), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(Documents, MalformedTest, ::testing::ValuesIn(kMalformed),
                         [](const auto& info) { return std::string(info.param.name); });

TEST_F(PolicyTest, DeepNestingAndHugeDocumentsAreRejected) {
  std::string deep = std::string(5000, '[') + std::string(5000, ']');
  EXPECT_NE(ParseError(deep).find("nests deeper"), std::string::npos);
  std::string huge = Allow(R"("s3:*")", "[\"arn:aws:s3:::" + std::string(20000, 'a') + "\"]");
  EXPECT_NE(ParseError(huge).find("limit"), std::string::npos);
}

TEST_F(PolicyTest, UnicodeNamesAreFine) {
  std::string doc = Allow(R"("s3:*")", R"("arn:aws:s3:::bücher/*")");
  EXPECT_EQ(Decide({doc}, Request("s3:GetObject", "arn:aws:s3:::bücher/ß")), Decision::kAllow);
}

TEST_F(PolicyTest, StatementAsObjectAndSingleStrings) {
  Policy p = Parse(R"({"Version":"2012-10-17","Id":"x","Statement":{"Sid":"One","Effect":"Deny","NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b"}})");
  ASSERT_EQ(p.statements.size(), 1u);
  EXPECT_EQ(p.statements[0].sid, "One");
  EXPECT_TRUE(p.statements[0].not_action);
  EXPECT_TRUE(p.statements[0].not_resource);
  EXPECT_EQ(p.statements[0].effect, Effect::kDeny);
}

TEST(WildcardTest, Backtracks) {
  EXPECT_TRUE(WildcardMatch("a*b*c", "aXbYbZc", false));
  EXPECT_FALSE(WildcardMatch("a*b*c", "aXbYbZ", false));
  EXPECT_TRUE(WildcardMatch("*", "", false));
  EXPECT_FALSE(WildcardMatch("?", "", false));
  EXPECT_TRUE(WildcardMatch("**a", "a", false));
  EXPECT_TRUE(WildcardMatch("a\\*", "a*", false, true));
  EXPECT_FALSE(WildcardMatch("a\\*", "ab", false, true));
}

TEST(DateTest, ParsesIsoAndEpoch) {
  long long ms = 0;
  ASSERT_TRUE(ParseIamDate("1970-01-02T00:00:01Z", &ms));
  EXPECT_EQ(ms, 86401000);
  ASSERT_TRUE(ParseIamDate("86401", &ms));
  EXPECT_EQ(ms, 86401000);
  ASSERT_TRUE(ParseIamDate("2026-11-25T22:00:00.5Z", &ms));
  EXPECT_EQ(ms % 1000, 500);
  EXPECT_FALSE(ParseIamDate("2026-13-01", &ms));
  EXPECT_FALSE(ParseIamDate("2026-01-01T25:00Z", &ms));
}

}  // namespace
}  // namespace iam
