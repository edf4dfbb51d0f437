#include "aws/s3/s3_handler.h"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "aws/s3/s3_error.h"
#include "aws/s3/s3_ops.h"
#include "common/clock.h"
#include "common/logging.h"
#include "common/thread_name.h"

namespace aws::s3 {
namespace {

using common::Result;
using common::Status;
using gateway::Response;

// Bucket and object sub-resources S3 has and we do not serve yet; a request
// for one must not fall through to a plain GET/PUT of the object.
constexpr std::string_view kUnsupported[] = {
    "acl", "policy", "cors", "lifecycle", "tagging", "website", "logging", "notification", "replication",
    "encryption", "ownershipControls", "publicAccessBlock", "object-lock", "retention", "legal-hold",
    "torrent", "restore", "select", "accelerate", "requestPayment", "analytics", "inventory", "metrics",
    "intelligent-tiering", "attributes", "versions", "policyStatus"};

Status NotImplemented(std::string_view what) {
  return Status::Internal("NotImplemented: " + std::string(what) + " is not implemented");
}

// Presigned URLs carry X-Amz-Date and X-Amz-Expires; signatures are checked
// with the IAM issue, expiry already now.
Status CheckPresignedExpiry(const S3Request& s3, int64_t now_millis) {
  auto date = s3.Param("X-Amz-Date");
  auto expires = s3.Param("X-Amz-Expires");
  if (!date || !expires) return Status::OK();
  auto start = ParseHttpDate(*date);
  int64_t seconds = 0;
  for (char ch : *expires) {
    if (ch < '0' || ch > '9' || seconds > 604800) return Status::InvalidArgument("AuthorizationQueryParametersError: X-Amz-Expires must be a number of seconds");
    seconds = seconds * 10 + (ch - '0');
  }
  if (!start) return Status::InvalidArgument("AuthorizationQueryParametersError: X-Amz-Date is not a date");
  if (now_millis > *start + seconds * 1000) return Status::PermissionDenied("AccessDenied: Request has expired");
  return Status::OK();
}

Result<Response> Dispatch(ops::Context& c) {
  const S3Request& s3 = c.s3;
  const std::string& m = c.req.method;
  RETURN_IF_ERROR(CheckPresignedExpiry(s3, common::SystemClock::Default()->NowMillis()));
  if (s3.bucket.empty()) {
    if (m == "GET") return ops::ListBuckets(c);
    return Status::InvalidArgument("InvalidRequest: " + m + " / is not an S3 operation");
  }
  for (std::string_view sub : kUnsupported) {
    if (s3.Has(sub)) return NotImplemented("the ?" + std::string(sub) + " sub-resource");
  }
  if (s3.key.empty()) {
    if (m == "PUT") return ops::CreateBucket(c);
    if (m == "HEAD") return ops::HeadBucket(c);
    if (m == "DELETE") return ops::DeleteBucket(c);
    if (m == "POST" && s3.Has("delete")) return ops::DeleteObjects(c);
    if (m == "GET") {
      if (s3.Has("location")) return ops::GetBucketLocation(c);
      if (s3.Has("versioning")) return ops::GetBucketVersioning(c);
      if (s3.Has("uploads")) return ops::ListMultipartUploads(c);
      return ops::ListObjects(c, s3.Param("list-type") == "2");
    }
    return Status::InvalidArgument("InvalidRequest: " + m + " on a bucket is not an S3 operation");
  }
  bool upload = s3.Has("uploadId");
  if (m == "PUT") {
    if (upload || s3.Has("partNumber")) return ops::UploadPart(c);
    if (c.req.headers.Has("x-amz-copy-source")) return ops::CopyObject(c);
    return ops::PutObject(c);
  }
  if (m == "GET") return upload ? ops::ListParts(c) : ops::GetObject(c, false);
  if (m == "HEAD") return ops::GetObject(c, true);
  if (m == "DELETE") return upload ? ops::AbortMultipartUpload(c) : ops::DeleteObject(c);
  if (m == "POST") {
    if (s3.Has("uploads")) return ops::CreateMultipartUpload(c);
    if (upload) return ops::CompleteMultipartUpload(c);
  }
  return Status::InvalidArgument("InvalidRequest: " + m + " on an object is not an S3 operation");
}

}  // namespace

struct S3Handler::Pool {
  std::mutex mu;
  std::condition_variable cv;
  std::deque<std::function<void()>> work;  // guarded by mu
  bool stopping = false;                   // guarded by mu
  std::vector<std::thread> threads;

  void Run() {
    for (;;) {
      std::function<void()> job;
      {
        std::unique_lock lock(mu);
        cv.wait(lock, [&] { return stopping || !work.empty(); });
        if (work.empty()) return;
        job = std::move(work.front());
        work.pop_front();
      }
      job();
    }
  }
};

S3Handler::S3Handler(objects::ObjectClient* store, int threads) : store_(store), pool_(std::make_unique<Pool>()) {
  for (int i = 0; i < threads; ++i) pool_->threads.emplace_back([p = pool_.get()] {
    common::NameThisThread("s3-worker");
    p->Run();
  });
}

S3Handler::~S3Handler() {
  {
    std::lock_guard lock(pool_->mu);
    pool_->stopping = true;
  }
  pool_->cv.notify_all();
  for (auto& t : pool_->threads) t.join();
}

Response S3Handler::Handle(gateway::Request& request) { return Handle(request, false); }

Response S3Handler::Handle(gateway::Request& request, bool pooled) {
  bool head = request.method == "HEAD";
  auto parsed = ParseS3Request(request);
  std::string resource = parsed.ok() ? parsed->Resource() : "/";
  Result<Response> result = [&]() -> Result<Response> {
    if (!parsed.ok()) return parsed.status();
    ops::Context c{store_, request, *parsed, {}};
    if (pooled) {
      c.post = [pool = pool_.get()](std::function<void()> job) {
        {
          std::lock_guard lock(pool->mu);
          pool->work.push_back(std::move(job));
        }
        pool->cv.notify_one();
      };
    }
    return Dispatch(c);
  }();
  Response r;
  if (result.ok()) {
    r = std::move(result).value();
    r.headers.Add("x-amz-request-id", request.request_id);
  } else {
    S3Error e = ErrorFromStatus(result.status());
    if (e.http_status >= 500) spdlog::error("s3 {} {}: {} (request {})", request.method, resource, result.status().ToString(), request.request_id);
    r = ErrorResponse(e, resource, request.request_id, head);
  }
  return r;
}

gateway::Handler S3Handler::AsHandler() {
  return [this](gateway::Request& request, gateway::Respond respond) {
    // The session keeps `request` for its access log; the job gets a copy
    // that takes over the body.
    auto copy = std::make_shared<gateway::Request>();
    copy->method = request.method;
    copy->target = request.target;
    copy->path = request.path;
    copy->query = request.query;
    copy->headers = request.headers;
    copy->body = std::move(request.body);
    copy->body_stream = std::move(request.body_stream);
    copy->chunk_verifier = std::move(request.chunk_verifier);
    copy->remote_addr = request.remote_addr;
    copy->http_version = request.http_version;
    copy->tls = request.tls;
    copy->request_id = request.request_id;
    copy->principal_arn = request.principal_arn;
    copy->principal_id = request.principal_id;
    {
      std::lock_guard lock(pool_->mu);
      pool_->work.push_back([this, copy, respond = std::move(respond)] { respond(Handle(*copy, true)); });
    }
    pool_->cv.notify_one();
  };
}

}  // namespace aws::s3
