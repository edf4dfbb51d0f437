// iam_bench: the cost of authorization on one core, each figure beside a
// floor measured in the same run.
//   policy evaluation: a realistic set of 10 policies with 50 statements
//     (wildcards, conditions, a variable, a NotAction, a Deny) for a request
//     that is allowed late; floor: the same request against 1 statement.
//   SigV4 verification: canonical request, SHA-256 of a 1 KB body, string to
//     sign and HMAC with a cached signing key, compared in constant time;
//     floor: SHA-256 of the body plus one HMAC (the unavoidable crypto).
// Prints one line per figure: ops/s, p50 and p99 in ns, and the ratio.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "measure.h"

#include "iam/policy.h"
#include "iam/sigv4.h"

namespace {

using bench::Figure;

Figure Measure(const std::function<void()>& fn, double seconds) { return bench::Measure(fn, seconds, 64); }


void Print(const char* name, const Figure& ours, const char* floor_name, const Figure& floor) {
  std::printf("%-28s %12.0f ops/s  p50 %7.0f ns  p99 %7.0f ns\n", name, ours.ops_per_s, ours.p50_ns, ours.p99_ns);
  std::printf("%-28s %12.0f ops/s  p50 %7.0f ns  p99 %7.0f ns   (ours/floor: %.2fx the time)\n", floor_name,
              floor.ops_per_s, floor.p50_ns, floor.p99_ns, floor.ops_per_s / ours.ops_per_s);
}

std::vector<iam::Policy> RealisticPolicies() {
  std::vector<iam::Policy> out;
  const char* services[] = {"kinesis", "dynamodb", "s3", "lambda", "iam"};
  for (int p = 0; p < 10; ++p) {
    std::string doc = R"({"Version":"2012-10-17","Statement":[)";
    for (int s = 0; s < 5; ++s) {
      std::string service = services[(p + s) % 5];
      if (s > 0) doc += ",";
      if (p == 9 && s == 4) {
        // The one that allows the benchmark request, last of all.
        doc += R"({"Effect":"Allow","Action":["kinesis:PutRecord","kinesis:PutRecords"],)"
               R"("Resource":"arn:aws:kinesis:*:*:stream/orders-${aws:username}",)"
               R"("Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","127.0.0.0/8"]},)"
               R"("Bool":{"aws:SecureTransport":"false"}}})";
      } else if (p == 3 && s == 1) {
        doc += R"({"Effect":"Deny","Action":"dynamodb:Delete*","Resource":"*"})";
      } else if (p == 5 && s == 2) {
        doc += R"({"Effect":"Allow","NotAction":["iam:*","kinesis:*"],"Resource":"arn:aws:s3:::logs/*"})";
      } else {
        doc += R"({"Sid":"S)" + std::to_string(p * 5 + s) + R"(","Effect":"Allow","Action":[")" + service +
               R"(:Get*",")" + service + R"(:Describe*",")" + service + R"(:List*"],"Resource":"arn:aws:)" + service +
               R"(:us-east-1:000000000000:*/team-)" + std::to_string(p) +
               R"(-*","Condition":{"StringLike":{"aws:username":"team-)" + std::to_string(p) + R"(-*"}}})";
      }
    }
    doc += "]}";
    auto policy = iam::ParsePolicy(doc);
    if (!policy.ok()) {
      std::fprintf(stderr, "bad bench policy: %s\n", policy.status().ToString().c_str());
      std::exit(2);
    }
    out.push_back(std::move(*policy));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = argc > 1 ? std::atof(argv[1]) : 2.0;

  std::vector<iam::Policy> policies = RealisticPolicies();
  std::vector<const iam::Policy*> all;
  for (const auto& p : policies) all.push_back(&p);
  auto single = iam::ParsePolicy(
      R"({"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"kinesis:PutRecord","Resource":"*"}})");
  std::vector<const iam::Policy*> one = {&*single};
  iam::RequestContext context;
  context.action = "kinesis:PutRecord";
  context.resource = "arn:aws:kinesis:us-east-1:000000000000:stream/orders-alice";
  context.Set("aws:username", "alice");
  context.Set("aws:SourceIp", "127.0.0.1");
  context.Set("aws:SecureTransport", "false");
  if (iam::Evaluate(all, context).decision != iam::Decision::kAllow) {
    std::fprintf(stderr, "the benchmark request should be allowed\n");
    return 2;
  }
  volatile int sink = 0;
  Figure eval = Measure([&] { sink = sink + static_cast<int>(iam::Evaluate(all, context).decision); }, seconds);
  Figure eval_floor = Measure([&] { sink = sink + static_cast<int>(iam::Evaluate(one, context).decision); }, seconds);

  std::string body(1024, 'x');
  std::vector<std::pair<std::string, std::string>> headers = {
      {"Host", "127.0.0.1:4566"}, {"Content-Type", "application/x-amz-json-1.1"},
      {"X-Amz-Date", "20261125T220000Z"}, {"X-Amz-Target", "Kinesis_20131202.PutRecords"}};
  const std::vector<std::string> names = {"content-type", "host", "x-amz-date", "x-amz-target"};
  const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
  iam::SignedRequestView view;
  view.method = "POST";
  view.raw_path = "/";
  view.headers = &headers;
  std::string body_hash = iam::HexSha256(body);
  view.payload_hash = body_hash;
  std::string expected = iam::SignAuthorization(view, names, "AKIDEXAMPLE", secret, "20261125T220000Z", "us-east-1",
                                                "kinesis");
  expected = expected.substr(expected.size() - 64);
  iam::SigningKeyCache cache;
  Figure verify = Measure(
      [&] {
        std::string hash = iam::HexSha256(body);
        iam::SignedRequestView v = view;
        v.payload_hash = hash;
        std::string to_sign = iam::StringToSign("20261125T220000Z", "20261125/us-east-1/kinesis/aws4_request",
                                                iam::CanonicalRequest(v, names));
        std::string key = cache.Get(secret, "20261125", "us-east-1", "kinesis");
        sink = sink + iam::ConstantTimeEquals(iam::HexHmacSha256(key, to_sign), expected);
      },
      seconds);
  if (sink == 0) std::printf("(no verification matched)\n");
  std::string key = iam::DeriveSigningKey(secret, "20261125", "us-east-1", "kinesis");
  Figure verify_floor = Measure(
      [&] {
        std::string hash = iam::HexSha256(body);
        sink = sink + static_cast<int>(iam::HexHmacSha256(key, hash)[0]);
      },
      seconds);

  Print("policy eval, 10 pol/50 stmt", eval, "floor: 1 policy/1 statement", eval_floor);
  Print("SigV4 verify, 1 KB body", verify, "floor: SHA-256 + 1 HMAC", verify_floor);
  return 0;
}
