#include "aws/auth/aws_authorizer.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <spdlog/spdlog.h>

#include <cctype>
#include <cstdlib>

#include "aws/common/aws_error.h"
#include "aws/common/base64.h"
#include "aws/common/cbor.h"
#include "aws/common/sigv4.h"
#include "aws/common/xml_escape.h"
#include "aws/s3/s3_error.h"
#include "common/logging.h"
#include "iam/policy.h"

namespace aws::auth {
namespace {

constexpr std::string_view kSignatureMismatch =
    "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access "
    "Key and signing method. Consult the service documentation for details.";

struct Credentials {
  SigV4Authorization auth;
  std::string amz_date;
  int64_t expires_seconds = 0;  // presigned only
  bool presigned = false;
};

bool IsHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// Reads the credentials from the Authorization header or a presigned query.
// nullopt with *failure unset: none present.
std::optional<Credentials> ReadCredentials(const gateway::Request& request, std::optional<AuthFailure>* failure,
                                           std::string* message) {
  std::string_view header = request.Header("Authorization");
  Credentials c;
  if (!header.empty()) {
    auto parsed = ParseSigV4Authorization(header.substr(0, 4096));
    if (!parsed.ok()) {
      *failure = AuthFailure::kMalformed;
      *message = parsed.status().message().substr(0, 600);
      return std::nullopt;
    }
    c.auth = std::move(*parsed);
    c.amz_date = std::string(request.Header("X-Amz-Date"));
    if (c.amz_date.empty()) {
      *failure = AuthFailure::kMalformed;
      *message = "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.";
      return std::nullopt;
    }
    return c;
  }
  auto algorithm = request.QueryParam("X-Amz-Algorithm");
  if (!algorithm) return std::nullopt;
  c.presigned = true;
  auto credential = request.QueryParam("X-Amz-Credential");
  auto date = request.QueryParam("X-Amz-Date");
  auto expires = request.QueryParam("X-Amz-Expires");
  auto signed_headers = request.QueryParam("X-Amz-SignedHeaders");
  auto signature = request.QueryParam("X-Amz-Signature");
  if (*algorithm != "AWS4-HMAC-SHA256" || !credential || !date || !signed_headers || !signature) {
    *failure = AuthFailure::kMalformed;
    *message = "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
               "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.";
    return std::nullopt;
  }
  // Reuse the header parser for the scope and hex checks.
  auto parsed = ParseSigV4Authorization("AWS4-HMAC-SHA256 Credential=" + *credential +
                                        ", SignedHeaders=" + *signed_headers + ", Signature=" + *signature);
  if (!parsed.ok()) {
    *failure = AuthFailure::kMalformed;
    *message = parsed.status().message().substr(0, 600);
    return std::nullopt;
  }
  c.auth = std::move(*parsed);
  c.amz_date = *date;
  c.expires_seconds = expires ? std::atoll(expires->c_str()) : 0;
  if (c.expires_seconds <= 0 || c.expires_seconds > 604800) {
    *failure = AuthFailure::kMalformed;
    *message = "X-Amz-Expires must be between 1 and 604800 seconds";
    return std::nullopt;
  }
  return c;
}

// S3's older query-string authentication (SigV2: AWSAccessKeyId, Expires,
// Signature), which older SDKs still use for presigned URLs:
//   Base64(HMAC-SHA1(secret, VERB\nContent-MD5\nContent-Type\nExpires\n
//                        <x-amz-* headers><path and sub-resources>)).
bool SigV2Matches(const gateway::Request& request, std::string_view secret, std::string_view expires,
                  std::string_view signature) {
  static constexpr std::string_view kSubResources[] = {
      "acl", "delete", "lifecycle", "location", "logging", "notification", "partNumber", "policy",
      "requestPayment", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning", "versions",
      "website", "response-cache-control", "response-content-disposition", "response-content-encoding",
      "response-content-language", "response-content-type", "response-expires"};
  std::string to_sign = request.method + "\n" + std::string(request.Header("Content-MD5")) + "\n" +
                        std::string(request.Header("Content-Type")) + "\n" + std::string(expires) + "\n";
  std::vector<std::pair<std::string, std::string>> amz;
  for (const auto& [name, value] : request.headers.items()) {
    std::string lower = name;
    for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower.rfind("x-amz-", 0) == 0) amz.emplace_back(lower, value);
  }
  std::sort(amz.begin(), amz.end());
  for (const auto& [name, value] : amz) to_sign += name + ":" + value + "\n";
  std::string_view target = request.target;
  to_sign += target.substr(0, target.find('?'));
  std::string sub;
  for (std::string_view name : kSubResources) {
    auto value = request.QueryParam(name);
    if (!value) continue;
    sub += (sub.empty() ? "?" : "&") + std::string(name) + (value->empty() ? "" : "=" + *value);
  }
  to_sign += sub;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  HMAC(EVP_sha1(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(to_sign.data()), to_sign.size(), mac, &len);
  return iam::ConstantTimeEquals(Base64Encode(std::string_view(reinterpret_cast<char*>(mac), len)), signature);
}

// A body's chunk signatures (and, in the -TRAILER form, its trailer
// signature), checked as the S3 adapter decodes it.
class ChunkChain : public gateway::ChunkVerifier {
 public:
  ChunkChain(iam::ChunkSignatureChain chain, bool signs_trailer)
      : chain_(std::move(chain)), signs_trailer_(signs_trailer) {}
  bool Verify(std::string_view sha256_hex, std::string_view signature) override {
    return chain_.Verify(sha256_hex, signature);
  }
  bool SignsTrailer() const override { return signs_trailer_; }
  bool VerifyTrailer(std::string_view sha256_hex, std::string_view signature) override {
    return signs_trailer_ && chain_.VerifyTrailer(sha256_hex, signature);
  }

 private:
  iam::ChunkSignatureChain chain_;
  const bool signs_trailer_;
};

// The canonical request with the value of x-amz-security-token cut out.
std::string RedactToken(std::string text) {
  constexpr std::string_view kToken = "\nx-amz-security-token:";
  if (size_t at = text.find(kToken); at != std::string::npos) {
    size_t from = at + kToken.size();
    text.replace(from, text.find('\n', from) - from, "<redacted>");
  }
  return text;
}

}  // namespace

gateway::Response QueryErrorResponse(int http_status, std::string_view code, std::string_view message,
                                     std::string_view request_id) {
  gateway::Response r;
  r.status = http_status;
  r.headers.Add("Content-Type", "text/xml");
  r.headers.Add("x-amzn-RequestId", std::string(request_id));
  r.body = "<ErrorResponse xmlns=\"https://iam.amazonaws.com/doc/2010-05-08/\"><Error><Type>Sender</Type><Code>" +
           XmlEscape(code) + "</Code><Message>" + XmlEscape(message) + "</Message></Error><RequestId>" +
           XmlEscape(request_id) + "</RequestId></ErrorResponse>";
  return r;
}

gateway::Response AuthErrorResponse(Protocol protocol, AuthFailure failure, const std::string& message,
                                    const gateway::Request& request) {
  struct Names {
    const char* json;
    const char* s3;
    const char* query;
    int s3_status;
  };
  Names n{};
  switch (failure) {
    case AuthFailure::kMissing:
      n = {"MissingAuthenticationTokenException", "AccessDenied", "MissingAuthenticationToken", 403};
      break;
    case AuthFailure::kMalformed:
      n = {"IncompleteSignatureException", "AuthorizationHeaderMalformed", "IncompleteSignature", 400};
      break;
    case AuthFailure::kUnknownKey:
      n = {"UnrecognizedClientException", "InvalidAccessKeyId", "InvalidClientTokenId", 403};
      break;
    case AuthFailure::kBadSignature:
      n = {"InvalidSignatureException", "SignatureDoesNotMatch", "SignatureDoesNotMatch", 403};
      break;
    case AuthFailure::kSkewed:
      n = {"InvalidSignatureException", "RequestTimeTooSkewed", "SignatureDoesNotMatch", 403};
      break;
    case AuthFailure::kExpired:
      n = {"InvalidSignatureException", "AccessDenied", "SignatureDoesNotMatch", 403};
      break;
    case AuthFailure::kContentMismatch:
      n = {"InvalidSignatureException", "XAmzContentSHA256Mismatch", "SignatureDoesNotMatch", 400};
      break;
    case AuthFailure::kDenied:
      n = {"AccessDeniedException", "AccessDenied", "AccessDenied", 403};
      break;
  }
  switch (protocol) {
    case Protocol::kJson: {
      std::string_view content_type = request.Header("Content-Type");
      if (content_type.rfind("application/x-amz-cbor", 0) == 0) {
        // Kinesis over CBOR: the same {"__type", "message"} as a CBOR map.
        cbor::Writer body(64 + message.size());
        body.BeginObject().Field("__type", n.json).Field("message", message).EndObject();
        gateway::Response r = JsonResponse(body.Take(), "application/x-amz-cbor-1.1", request.request_id);
        r.status = 400;
        r.headers.Add("x-amzn-ErrorType", n.json);
        return r;
      }
      if (content_type.rfind("application/x-amz-json", 0) != 0) content_type = "application/x-amz-json-1.1";
      return JsonErrorResponse(AwsError{400, n.json, message}, content_type, request.request_id);
    }
    case Protocol::kRestJson: {
      gateway::Response r = JsonErrorResponse(AwsError{403, n.json, message}, "application/json", request.request_id);
      r.headers.Set("X-Amzn-ErrorType", n.json);
      return r;
    }
    case Protocol::kS3: {
      std::string resource = request.path;
      return s3::ErrorResponse(s3::S3Error{n.s3_status, n.s3, message}, resource, request.request_id,
                               request.method == "HEAD");
    }
    case Protocol::kQuery:
      return QueryErrorResponse(failure == AuthFailure::kMalformed ? 400 : 403, n.query, message, request.request_id);
  }
  return gateway::Response::Text(500, "internal error");
}

AwsAuthorizer::AwsAuthorizer(iam::IdentityStore* store, common::Clock* clock, AuthorizerOptions options)
    : store_(store), clock_(clock), options_(std::move(options)) {}

std::optional<gateway::Response> AwsAuthorizer::Check(gateway::Request& request) {
  std::optional<AuthFailure> failure;
  std::string message;
  std::optional<Credentials> creds = ReadCredentials(request, &failure, &message);
  Protocol protocol = ProtocolOf(request, creds ? std::string_view(creds->auth.service) : std::string_view());
  if (!creds && !failure && protocol == Protocol::kS3 && request.method == "POST" &&
      request.body.rfind("Action=", 0) == 0) {
    protocol = Protocol::kQuery;  // an unsigned IAM/STS call
  }
  auto fail = [&](AuthFailure f, const std::string& text) {
    unauthenticated_.fetch_add(1, std::memory_order_relaxed);
    spdlog::info("audit principal=- action=- resource={} decision=unauthenticated reason=\"{}\"", request.path,
                 text.substr(0, 120));
    return AuthErrorResponse(protocol, f, text, request);
  };

  iam::Principal principal;
  std::string region = "us-east-1";
  if (!options_.enabled) {
    principal = store_->Root();
    if (creds) region = creds->auth.region;
  } else {
    if (failure) return fail(*failure, message);
    auto v2_key = protocol == Protocol::kS3 && !creds ? request.QueryParam("AWSAccessKeyId") : std::nullopt;
    if (v2_key) {
      auto expires = request.QueryParam("Expires");
      auto signature = request.QueryParam("Signature");
      if (!expires || !signature) {
        return fail(AuthFailure::kMalformed, "Query-string authentication requires the Signature, Expires and "
                                             "AWSAccessKeyId parameters");
      }
      if (clock_->NowMillis() / 1000 > std::atoll(expires->c_str())) {
        return fail(AuthFailure::kExpired, "Request has expired");
      }
      auto owner = store_->FindKey(*v2_key);
      if (!owner) {
        return fail(AuthFailure::kUnknownKey, "The AWS Access Key Id you provided does not exist in our records.");
      }
      if (!SigV2Matches(request, owner->secret, *expires, *signature)) {
        return fail(AuthFailure::kBadSignature, std::string(kSignatureMismatch));
      }
      principal = std::move(owner->principal);
    } else if (!creds) {
      return fail(AuthFailure::kMissing, protocol == Protocol::kS3 ? "Access Denied" : "Missing Authentication Token");
    } else {
      const SigV4Authorization& auth = creds->auth;
      region = auth.region;
      auto signed_at = iam::ParseAmzDate(creds->amz_date);
      if (!signed_at.ok()) return fail(AuthFailure::kMalformed, signed_at.status().message());
      if (creds->amz_date.compare(0, 8, auth.date) != 0) {
        return fail(AuthFailure::kBadSignature, "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
                                                "version of date from HTTP: '" + auth.date + "' != '" +
                                                    creds->amz_date.substr(0, 8) + "'");
      }
      int64_t now = clock_->NowMillis();
      if (creds->presigned) {
        if (now > *signed_at + creds->expires_seconds * 1000) {
          return fail(AuthFailure::kExpired, "Request has expired");
        }
        if (*signed_at > now + options_.max_skew_millis) {
          return fail(AuthFailure::kSkewed, "Request is not valid yet");
        }
      } else if (std::llabs(now - *signed_at) > options_.max_skew_millis) {
        return fail(AuthFailure::kSkewed, "Signature expired: " + creds->amz_date + " is now earlier than " +
                                              iam::FormatAmzDate(now - options_.max_skew_millis) + " (" +
                                              iam::FormatAmzDate(now) + " - 15 min.)");
      }
      auto owner = store_->FindKey(auth.access_key_id);
      if (!owner) {
        return fail(AuthFailure::kUnknownKey, protocol == Protocol::kS3
                                                  ? "The AWS Access Key Id you provided does not exist in our records."
                                                  : "The security token included in the request is invalid.");
      }
      // The payload hash: S3 says it in x-amz-content-sha256 (and may leave the
      // payload unsigned); the others sign the body's hash.
      std::string payload_hash;
      bool s3_rules = protocol == Protocol::kS3;
      if (s3_rules) {
        if (creds->presigned) {
          payload_hash = "UNSIGNED-PAYLOAD";
        } else {
          payload_hash = std::string(request.Header("x-amz-content-sha256"));
          if (payload_hash.empty()) {
            return fail(AuthFailure::kMalformed, "Missing required header for this request: x-amz-content-sha256");
          }
          // A streamed body (Request::body_stream) is still arriving: the S3
          // adapter hashes it as it reads and refuses a mismatch before the
          // object becomes visible.
          if (IsHex64(payload_hash)) {
            if (!request.body_stream && payload_hash != iam::HexSha256(request.body)) {
              return fail(AuthFailure::kContentMismatch,
                          "The provided 'x-amz-content-sha256' header does not match what was computed.");
            }
          } else if (payload_hash != "UNSIGNED-PAYLOAD" && payload_hash != "STREAMING-UNSIGNED-PAYLOAD-TRAILER" &&
                     payload_hash != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" &&
                     payload_hash != "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER") {
            // Fail closed: a streaming form whose chunks we cannot check
            // (SigV4a's STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD) is refused
            // rather than stored unchecked.
            return fail(AuthFailure::kMalformed,
                        "x-amz-content-sha256 must be a SHA-256 hex digest, UNSIGNED-PAYLOAD, "
                        "STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD or "
                        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
          }
        }
      } else {
        payload_hash = iam::HexSha256(request.body);
      }
      std::string_view target = request.target;
      size_t q = target.find('?');
      iam::SignedRequestView view;
      view.method = request.method;
      view.raw_path = target.substr(0, q);
      view.raw_query = q == std::string_view::npos ? std::string_view() : target.substr(q + 1);
      view.headers = &request.headers.items();
      view.payload_hash = payload_hash;
      view.s3_rules = s3_rules;
      view.presigned = creds->presigned;
      std::string scope = auth.date + "/" + auth.region + "/" + auth.service + "/aws4_request";
      std::string canonical = iam::CanonicalRequest(view, auth.signed_headers);
      std::string to_sign = iam::StringToSign(creds->amz_date, scope, canonical);
      std::string key = keys_.Get(owner->secret, auth.date, auth.region, auth.service);
      if (!iam::ConstantTimeEquals(iam::HexHmacSha256(key, to_sign), auth.signature)) {
        // What a client author needs to find the difference (AWS puts it in
        // S3's error body); debug level, and without the session token.
        spdlog::debug("signature mismatch: canonical request was\n{}", RedactToken(canonical));
        return fail(AuthFailure::kBadSignature, std::string(kSignatureMismatch));
      }
      if (payload_hash.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD")) {  // either form
        // Signed chunk by chunk: the body's decoder checks each chunk, and
        // the trailing headers' x-amz-trailer-signature in the -TRAILER form.
        request.chunk_verifier = std::make_shared<ChunkChain>(
            iam::ChunkSignatureChain(key, creds->amz_date, scope, auth.signature),
            payload_hash == "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER");
      }
      principal = std::move(owner->principal);
    }
  }
  request.principal_arn = principal.arn;
  request.principal_id = principal.id;

  ArnScope scope = options_.scope;
  scope.region = region;
  Operation op = DescribeOperation(request, protocol, scope);
  bool root = principal.kind == iam::Principal::Kind::kRoot;
  if (root || op.needs_no_permission) {
    if (options_.audit_allowed) {
      spdlog::info("audit principal={} action={} resource={} decision=allowed", principal.arn, op.action,
                   op.resources.empty() ? "*" : op.resources.front());
    }
    return std::nullopt;
  }
  std::vector<std::shared_ptr<const iam::Policy>> owned = store_->PoliciesOf(principal);
  std::vector<const iam::Policy*> policies;
  policies.reserve(owned.size());
  for (const auto& p : owned) policies.push_back(p.get());
  iam::RequestContext context;
  context.action = op.action;
  iam::SetPrincipalKeys(principal, store_->account_id(), &context);
  context.Set("aws:SourceIp", request.remote_addr);
  context.Set("aws:SecureTransport", "false");
  context.Set("aws:RequestedRegion", region);
  int64_t now = clock_->NowMillis();
  context.Set("aws:CurrentTime", iam::FormatIsoTime(now));
  context.Set("aws:EpochTime", std::to_string(now / 1000));
  for (const auto& [k, v] : op.context) context.Add(k, v);
  for (size_t i = 0; i < op.resources.size(); ++i) {
    const std::string& resource = op.resources[i];
    context.resource = resource;
    context.action = op.actions.empty() ? op.action : op.actions[i];
    iam::EvaluationResult result = iam::Evaluate(policies, context);
    bool allowed = result.decision == iam::Decision::kAllow;
    if (!allowed || options_.audit_allowed) {
      spdlog::info("audit principal={} action={} resource={} decision={}", principal.arn, context.action, resource,
                   iam::DecisionName(result.decision));
    }
    if (!allowed) {
      denied_.fetch_add(1, std::memory_order_relaxed);
      if (options_.on_denied) options_.on_denied(principal.arn, context.action);
      std::string why = result.decision == iam::Decision::kExplicitDeny
                            ? "with an explicit deny in an identity-based policy"
                            : "because no identity-based policy allows the " + context.action + " action";
      return AuthErrorResponse(protocol, AuthFailure::kDenied,
                               "User: " + principal.arn + " is not authorized to perform: " + context.action +
                                   " on resource: " + resource + " " + why,
                               request);
    }
  }
  return std::nullopt;
}

}  // namespace aws::auth
