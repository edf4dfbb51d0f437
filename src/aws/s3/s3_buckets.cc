// Bucket operations, listing and DeleteObjects.
#include <algorithm>

#include "aws/s3/s3_error.h"
#include "aws/s3/s3_ops.h"
#include "aws/s3/xml.h"
#include "objects/digest.h"

namespace aws::s3::ops {
namespace {

void Owner(XmlWriter& w) {
  w.Open("Owner").Text("ID", kOwnerId).Text("DisplayName", "rivulet").Close("Owner");
}

}  // namespace

Result<Response> ListBuckets(Context& c) {
  ASSIGN_OR_RETURN(auto buckets, c.store->ListBuckets());
  XmlWriter w;
  w.Open("ListAllMyBucketsResult", kXmlns);
  Owner(w);
  w.Open("Buckets");
  for (const auto& b : buckets) {
    w.Open("Bucket").Text("Name", b.name).Text("CreationDate", IsoDate(b.created_millis)).Close("Bucket");
  }
  w.Close("Buckets").Close("ListAllMyBucketsResult");
  return XmlResponse(w.Take());
}

Result<Response> CreateBucket(Context& c) {
  // The body may carry <CreateBucketConfiguration><LocationConstraint>; one
  // machine has one region, so it is only checked for well-formedness.
  if (!c.req.body.empty()) RETURN_IF_ERROR(ParseXml(c.req.body).status());
  RETURN_IF_ERROR(c.store->CreateBucket(c.s3.bucket));
  Response r;
  r.headers.Add("Location", "/" + c.s3.bucket);
  return r;
}

Result<Response> HeadBucket(Context& c) {
  RETURN_IF_ERROR(c.store->HeadBucket(c.s3.bucket).status());
  Response r;
  r.headers.Add("x-amz-bucket-region", "us-east-1");
  return r;
}

Result<Response> DeleteBucket(Context& c) {
  RETURN_IF_ERROR(c.store->DeleteBucket(c.s3.bucket));
  Response r;
  r.status = 204;
  return r;
}

Result<Response> GetBucketLocation(Context& c) {
  RETURN_IF_ERROR(c.store->HeadBucket(c.s3.bucket).status());
  // us-east-1 is the empty LocationConstraint, as in S3.
  return XmlResponse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<LocationConstraint xmlns=\"" +
                     std::string(kXmlns) + "\"/>");
}

Result<Response> GetBucketVersioning(Context& c) {
  RETURN_IF_ERROR(c.store->HeadBucket(c.s3.bucket).status());
  return XmlResponse("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<VersioningConfiguration xmlns=\"" +
                     std::string(kXmlns) + "\"/>");
}

Result<Response> ListObjects(Context& c, bool v2) {
  objects::ListObjectsRequest lr;
  lr.bucket = c.s3.bucket;
  lr.prefix = c.s3.Param("prefix").value_or("");
  lr.delimiter = c.s3.Param("delimiter").value_or("");
  ASSIGN_OR_RETURN(lr.max_keys, IntParam(c.s3, "max-keys", 1000, 0, 1 << 30));
  std::string marker;
  if (v2) {
    lr.continuation_token = c.s3.Param("continuation-token").value_or("");
    lr.start_after = c.s3.Param("start-after").value_or("");
  } else {
    marker = c.s3.Param("marker").value_or("");
    lr.start_after = marker;
  }
  auto encoding = c.s3.Param("encoding-type");
  if (encoding && *encoding != "url") {
    return Status::InvalidArgument("InvalidArgument: Invalid Encoding Method specified in Request");
  }
  bool url = encoding.has_value();
  auto enc = [&](const std::string& s) { return url ? UrlEncode(s) : s; };
  ASSIGN_OR_RETURN(auto result, c.store->ListObjects(lr));

  XmlWriter w;
  w.Open("ListBucketResult", kXmlns);
  w.Text("Name", c.s3.bucket).Text("Prefix", enc(lr.prefix));
  if (!v2) w.Text("Marker", enc(marker));
  if (!lr.delimiter.empty()) w.Text("Delimiter", enc(lr.delimiter));
  w.Text("MaxKeys", std::to_string(std::min(lr.max_keys, objects::kMaxListKeys)));
  if (url) w.Text("EncodingType", "url");
  if (v2) {
    w.Text("KeyCount", std::to_string(result.objects.size() + result.common_prefixes.size()));
    if (!lr.continuation_token.empty()) w.Text("ContinuationToken", lr.continuation_token);
    if (result.is_truncated) w.Text("NextContinuationToken", result.next_continuation_token);
    if (!lr.start_after.empty()) w.Text("StartAfter", enc(lr.start_after));
  }
  w.Text("IsTruncated", result.is_truncated ? "true" : "false");
  if (!v2 && result.is_truncated && !lr.delimiter.empty()) {
    // V1 returns NextMarker only with a delimiter: the last key or prefix.
    std::string last = result.objects.empty() ? "" : result.objects.back().key;
    if (!result.common_prefixes.empty() && result.common_prefixes.back() > last) last = result.common_prefixes.back();
    w.Text("NextMarker", enc(last));
  }
  bool owner = !v2 || c.s3.Param("fetch-owner") == "true";
  for (const auto& o : result.objects) {
    w.Open("Contents").Text("Key", enc(o.key)).Text("LastModified", IsoDate(o.last_modified_millis));
    w.Text("ETag", Quoted(o.etag)).Text("Size", std::to_string(o.size));
    if (owner) Owner(w);
    w.Text("StorageClass", "STANDARD").Close("Contents");
  }
  for (const auto& p : result.common_prefixes) w.Open("CommonPrefixes").Text("Prefix", enc(p)).Close("CommonPrefixes");
  w.Close("ListBucketResult");
  return XmlResponse(w.Take());
}

Result<Response> DeleteObjects(Context& c) {
  if (auto md5 = c.req.Header("Content-MD5"); !md5.empty()) {
    if (objects::Base64Encode(objects::Md5(c.req.body)) != md5) {
      return Status::InvalidArgument("BadDigest: Content-MD5 does not match the body");
    }
  }
  ASSIGN_OR_RETURN(XmlElement doc, ParseXml(c.req.body));
  if (doc.name != "Delete") return Status::InvalidArgument("MalformedXML: the root element must be <Delete>");
  bool quiet = false;
  if (const auto* q = doc.Child("Quiet")) quiet = q->text == "true";
  std::vector<std::string> keys;
  for (const auto& child : doc.children) {
    if (child.name != "Object") continue;
    const auto* key = child.Child("Key");
    if (key == nullptr) return Status::InvalidArgument("MalformedXML: an <Object> has no <Key>");
    keys.push_back(key->text);
  }
  if (keys.empty()) return Status::InvalidArgument("MalformedXML: <Delete> names no objects");
  ASSIGN_OR_RETURN(auto results, c.store->DeleteObjects(c.s3.bucket, keys));
  XmlWriter w;
  w.Open("DeleteResult", kXmlns);
  for (const auto& r : results) {
    if (r.status.ok()) {
      if (!quiet) w.Open("Deleted").Text("Key", r.key).Close("Deleted");
    } else {
      S3Error e = ErrorFromStatus(r.status);
      w.Open("Error").Text("Key", r.key).Text("Code", e.code).Text("Message", e.message).Close("Error");
    }
  }
  w.Close("DeleteResult");
  return XmlResponse(w.Take());
}

}  // namespace aws::s3::ops
