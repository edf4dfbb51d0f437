#include "aws/remote/remote_object_client.h"

#include <openssl/evp.h>
#include <openssl/md5.h>

#include "aws/s3/s3_request.h"
#include "aws/s3/xml.h"
#include "iam/sigv4.h"

namespace aws::remote {
namespace {

using common::Result;
using common::Status;
using objects::ObjectInfo;

std::string ObjectPath(const std::string& bucket, const std::string& key) {
  return "/" + iam::UriEncode(bucket, false) + (key.empty() ? "" : "/" + iam::UriEncode(key, true));
}

std::string Unquote(std::string_view etag) {
  if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
  return std::string(etag);
}

std::string Base64Md5(std::string_view data) {
  unsigned char digest[MD5_DIGEST_LENGTH];
  EVP_Digest(data.data(), data.size(), digest, nullptr, EVP_md5(), nullptr);
  unsigned char out[32];
  int n = EVP_EncodeBlock(out, digest, sizeof digest);
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string RangeHeader(const objects::ByteRange& range) {
  if (range.suffix_length) return "bytes=-" + std::to_string(*range.suffix_length);
  std::string out = "bytes=" + std::to_string(range.first.value_or(0)) + "-";
  if (range.last) out += std::to_string(*range.last);
  return out;
}

void AddConditions(const objects::Conditions& c, std::string_view prefix, HttpRequest* request) {
  std::string p(prefix);
  if (c.if_match) request->headers.emplace_back(p + "If-Match", "\"" + Unquote(*c.if_match) + "\"");
  if (c.if_none_match) request->headers.emplace_back(p + "If-None-Match", "\"" + Unquote(*c.if_none_match) + "\"");
  if (c.if_modified_since_millis) request->headers.emplace_back(p + "If-Modified-Since", s3::HttpDate(*c.if_modified_since_millis));
  if (c.if_unmodified_since_millis) {
    request->headers.emplace_back(p + "If-Unmodified-Since", s3::HttpDate(*c.if_unmodified_since_millis));
  }
}

void AddMetadata(const objects::ObjectMetadata& metadata, HttpRequest* request) {
  if (!metadata.content_type.empty()) request->headers.emplace_back("Content-Type", metadata.content_type);
  for (const auto& [name, value] : metadata.user) request->headers.emplace_back("x-amz-meta-" + name, value);
  for (const auto& [name, value] : metadata.system) request->headers.emplace_back(name, value);
}

ObjectInfo InfoFromHeaders(const std::string& key, const HttpResponse& response) {
  ObjectInfo info;
  info.key = key;
  if (const auto* length = response.Header("content-length")) info.size = std::strtoull(length->c_str(), nullptr, 10);
  if (const auto* range = response.Header("content-range")) {  // "bytes 0-9/1234": the whole size
    if (size_t slash = range->rfind('/'); slash != std::string::npos) {
      info.size = std::strtoull(range->c_str() + slash + 1, nullptr, 10);
    }
  }
  if (const auto* etag = response.Header("etag")) info.etag = Unquote(*etag);
  if (const auto* modified = response.Header("last-modified")) {
    info.last_modified_millis = s3::ParseHttpDate(*modified).value_or(0);
  }
  if (const auto* parts = response.Header("x-amz-mp-parts-count")) info.parts_count = std::atoi(parts->c_str());
  for (const auto& [name, value] : response.headers) {
    if (name == "content-type") info.metadata.content_type = value;
    else if (name.starts_with("x-amz-meta-")) info.metadata.user[name.substr(11)] = value;
    else if (name == "cache-control" || name == "content-disposition" || name == "content-encoding" ||
             name == "content-language" || name == "expires") {
      info.metadata.system[name] = value;
    }
  }
  return info;
}

Status StatusFromS3(const HttpResponse& response, std::string_view not_found_code) {
  std::string code = ErrorCode(response);
  std::string message;
  if (auto xml = s3::ParseXml(response.body); xml.ok()) {
    if (const auto* m = xml->Child("Message")) message = m->text;
  }
  if (code.empty()) {
    code = response.status == 404 ? std::string(not_found_code)
           : response.status == 304 ? "NotModified"
           : response.status == 412 ? "PreconditionFailed"
           : response.status == 403 ? "AccessDenied"
                                    : "HTTP" + std::to_string(response.status);
  }
  std::string text = code + ": " + (message.empty() ? "s3 answered " + std::to_string(response.status) : message);
  if (code.starts_with("NoSuch")) return Status::NotFound(text);
  if (code == "BucketAlreadyOwnedByYou" || code == "BucketAlreadyExists") return Status::AlreadyExists(text);
  if (code == "BucketNotEmpty") return Status::ResourceInUse(text);
  if (code == "PreconditionFailed" || code == "NotModified") return Status::ConditionFailed(text);
  if (code == "EntityTooLarge" || code == "MetadataTooLarge") return Status::LimitExceeded(text);
  if (code == "AccessDenied") return Status::PermissionDenied(text);
  if (code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch") return Status::Unauthenticated(text);
  if (IsThrottlingCode(code)) return Status::Throttled(text);
  if (response.status >= 500) return Status::Unavailable(text);
  return Status::InvalidArgument(text);
}

std::string ChildText(const s3::XmlElement& element, std::string_view name) {
  const auto* child = element.Child(name);
  return child ? child->text : "";
}

}  // namespace

// Buffers one chunk; a bigger object becomes a multipart upload of chunks.
class RemoteObjectClient::Writer final : public objects::ObjectWriter {
 public:
  Writer(RemoteObjectClient* client, std::string bucket, std::string key, objects::PutOptions options)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), options_(std::move(options)) {}
  ~Writer() override {
    if (!upload_id_.empty() && !committed_) (void)client_->AbortMultipartUpload(bucket_, key_, upload_id_);
  }

  Status Append(std::string_view chunk) override {
    buffer_.append(chunk);
    while (buffer_.size() >= client_->chunk_bytes_) RETURN_IF_ERROR(Flush(client_->chunk_bytes_));
    return Status::OK();
  }

  Result<ObjectInfo> Commit() override {
    if (upload_id_.empty()) {
      committed_ = true;
      return client_->PutObject(bucket_, key_, buffer_, options_);
    }
    if (!buffer_.empty()) RETURN_IF_ERROR(Flush(buffer_.size()));
    committed_ = true;
    return client_->CompleteMultipartUpload(bucket_, key_, upload_id_, parts_);
  }

 private:
  Status Flush(size_t bytes) {
    if (upload_id_.empty()) {
      ASSIGN_OR_RETURN(auto upload, client_->CreateMultipartUpload(bucket_, key_, options_.metadata));
      upload_id_ = upload.upload_id;
    }
    int number = static_cast<int>(parts_.size()) + 1;
    ASSIGN_OR_RETURN(auto part, client_->UploadPart(bucket_, key_, upload_id_, number,
                                                    std::string_view(buffer_).substr(0, bytes), std::nullopt));
    parts_.push_back({number, part.etag});
    buffer_.erase(0, bytes);
    return Status::OK();
  }

  RemoteObjectClient* client_;
  const std::string bucket_, key_;
  const objects::PutOptions options_;
  std::string buffer_;
  std::string upload_id_;
  std::vector<objects::CompletedPart> parts_;
  bool committed_ = false;
};

// Reads [first, first + length) in ranged GETs of one chunk each.
class RemoteObjectClient::Reader final : public objects::ObjectReader {
 public:
  Reader(RemoteObjectClient* client, std::string bucket, std::string key, std::string etag, uint64_t first,
         uint64_t length)
      : client_(client), bucket_(std::move(bucket)), key_(std::move(key)), etag_(std::move(etag)),
        next_(first), end_(first + length) {}

  Result<std::string> Read(size_t max_bytes) override {
    if (next_ >= end_ || max_bytes == 0) return std::string();
    uint64_t n = std::min<uint64_t>({max_bytes, client_->chunk_bytes_, end_ - next_});
    HttpRequest request;
    request.method = "GET";
    request.path = ObjectPath(bucket_, key_);
    request.headers = {{"Range", "bytes=" + std::to_string(next_) + "-" + std::to_string(next_ + n - 1)},
                       {"If-Match", "\"" + etag_ + "\""}};
    ASSIGN_OR_RETURN(HttpResponse response, client_->Send(std::move(request)));
    if (response.body.size() != n) {
      return Status::Internal("s3 answered " + std::to_string(response.body.size()) + " bytes for a range of " +
                              std::to_string(n));
    }
    next_ += n;
    return std::move(response.body);
  }

 private:
  RemoteObjectClient* client_;
  const std::string bucket_, key_, etag_;
  uint64_t next_, end_;
};

RemoteObjectClient::RemoteObjectClient(EndpointOptions endpoint, size_t chunk_bytes)
    : http_(std::move(endpoint)), chunk_bytes_(std::max<size_t>(chunk_bytes, 5 << 20)) {}

Result<HttpResponse> RemoteObjectClient::Send(HttpRequest request, std::string_view not_found_code) {
  ASSIGN_OR_RETURN(HttpResponse response, http_.Send(request));
  if (response.status >= 300) return StatusFromS3(response, not_found_code);
  return response;
}

Status RemoteObjectClient::CreateBucket(const std::string& bucket) {
  HttpRequest request{"PUT", ObjectPath(bucket, ""), {}, {}, ""};
  // Outside us-east-1, S3 wants the region named in the body.
  if (http_.options().region != "us-east-1" && !http_.options().region.empty()) {
    request.headers.emplace_back("Content-Type", "application/xml");
    request.body = s3::XmlWriter()
                       .Open("CreateBucketConfiguration", "http://s3.amazonaws.com/doc/2006-03-01/")
                       .Text("LocationConstraint", http_.options().region)
                       .Close("CreateBucketConfiguration")
                       .Take();
  }
  return Send(std::move(request)).status();
}

Result<objects::BucketInfo> RemoteObjectClient::HeadBucket(const std::string& bucket) {
  RETURN_IF_ERROR(Send({"HEAD", ObjectPath(bucket, ""), {}, {}, ""}, "NoSuchBucket").status());
  return objects::BucketInfo{bucket, 0};
}

Status RemoteObjectClient::DeleteBucket(const std::string& bucket) {
  return Send({"DELETE", ObjectPath(bucket, ""), {}, {}, ""}, "NoSuchBucket").status();
}

Result<std::vector<objects::BucketInfo>> RemoteObjectClient::ListBuckets() {
  ASSIGN_OR_RETURN(HttpResponse response, Send({"GET", "/", {}, {}, ""}));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  std::vector<objects::BucketInfo> out;
  if (const auto* buckets = xml.Child("Buckets")) {
    for (const auto& bucket : buckets->children) {
      out.push_back({ChildText(bucket, "Name"), s3::ParseHttpDate(ChildText(bucket, "CreationDate")).value_or(0)});
    }
  }
  return out;
}

Result<ObjectInfo> RemoteObjectClient::PutObject(const std::string& bucket, const std::string& key,
                                                 std::string_view data, const objects::PutOptions& options) {
  HttpRequest request{"PUT", ObjectPath(bucket, key), {}, {}, std::string(data)};
  AddMetadata(options.metadata, &request);
  request.headers.emplace_back("Content-MD5", options.content_md5_base64.value_or(Base64Md5(data)));
  if (options.if_none_match_any) request.headers.emplace_back("If-None-Match", "*");
  if (options.if_match) request.headers.emplace_back("If-Match", "\"" + Unquote(*options.if_match) + "\"");
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request)));
  ObjectInfo info;
  info.key = key;
  info.size = data.size();
  info.metadata = options.metadata;
  if (const auto* etag = response.Header("etag")) info.etag = Unquote(*etag);
  return info;
}

Result<std::unique_ptr<objects::ObjectWriter>> RemoteObjectClient::NewObjectWriter(const std::string& bucket,
                                                                                   const std::string& key,
                                                                                   const objects::PutOptions& options) {
  return std::unique_ptr<objects::ObjectWriter>(std::make_unique<Writer>(this, bucket, key, options));
}

Result<objects::GetResult> RemoteObjectClient::GetObject(const std::string& bucket, const std::string& key,
                                                         const objects::GetOptions& options) {
  ASSIGN_OR_RETURN(ObjectInfo info, HeadObject(bucket, key, options.conditions));
  objects::GetResult result;
  result.length = info.size;
  if (options.range) {
    const auto& r = *options.range;
    uint64_t first = r.suffix_length ? info.size - std::min(info.size, *r.suffix_length) : r.first.value_or(0);
    uint64_t last = r.suffix_length || !r.last ? info.size - 1 : std::min(*r.last, info.size - 1);
    if (info.size == 0 || first >= info.size) {
      return Status::InvalidArgument("InvalidRange: The requested range is not satisfiable");
    }
    result.first = first;
    result.length = last - first + 1;
    result.partial = true;
  }
  result.reader = std::make_unique<Reader>(this, bucket, key, info.etag, result.first, result.length);
  result.info = std::move(info);
  return result;
}

Result<ObjectInfo> RemoteObjectClient::HeadObject(const std::string& bucket, const std::string& key,
                                                  const objects::Conditions& conditions) {
  HttpRequest request{"HEAD", ObjectPath(bucket, key), {}, {}, ""};
  AddConditions(conditions, "", &request);
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request)));
  return InfoFromHeaders(key, response);
}

Status RemoteObjectClient::DeleteObject(const std::string& bucket, const std::string& key) {
  return Send({"DELETE", ObjectPath(bucket, key), {}, {}, ""}).status();
}

Result<std::vector<objects::DeleteResult>> RemoteObjectClient::DeleteObjects(const std::string& bucket,
                                                                             const std::vector<std::string>& keys) {
  s3::XmlWriter xml;
  xml.Open("Delete", "http://s3.amazonaws.com/doc/2006-03-01/").Text("Quiet", "false");
  for (const auto& key : keys) xml.Open("Object").Text("Key", key).Close("Object");
  xml.Close("Delete");
  HttpRequest request{"POST", ObjectPath(bucket, ""), {{"delete", ""}}, {{"Content-Type", "application/xml"}}, xml.Take()};
  request.headers.emplace_back("Content-MD5", Base64Md5(request.body));
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchBucket"));
  ASSIGN_OR_RETURN(auto result, s3::ParseXml(response.body));
  std::vector<objects::DeleteResult> out;
  for (const auto& entry : result.children) {
    if (entry.name == "Deleted") out.push_back({ChildText(entry, "Key"), Status::OK()});
    if (entry.name == "Error") {
      out.push_back({ChildText(entry, "Key"), Status::Internal(ChildText(entry, "Code") + ": " + ChildText(entry, "Message"))});
    }
  }
  return out;
}

Result<ObjectInfo> RemoteObjectClient::CopyObject(const objects::CopyRequest& copy) {
  HttpRequest request{"PUT", ObjectPath(copy.bucket, copy.key), {}, {}, ""};
  request.headers.emplace_back("x-amz-copy-source", ObjectPath(copy.source_bucket, copy.source_key));
  AddConditions(copy.source_conditions, "x-amz-copy-source-", &request);
  if (copy.replace_metadata) {
    request.headers.emplace_back("x-amz-metadata-directive", "REPLACE");
    AddMetadata(*copy.replace_metadata, &request);
  }
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request)));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  ObjectInfo info;
  info.key = copy.key;
  info.etag = Unquote(ChildText(xml, "ETag"));
  info.last_modified_millis = s3::ParseHttpDate(ChildText(xml, "LastModified")).value_or(0);
  return info;
}

Result<objects::ListObjectsResult> RemoteObjectClient::ListObjects(const objects::ListObjectsRequest& list) {
  HttpRequest request{"GET", ObjectPath(list.bucket, ""), {{"list-type", "2"}}, {}, ""};
  if (!list.prefix.empty()) request.query.emplace_back("prefix", list.prefix);
  if (!list.delimiter.empty()) request.query.emplace_back("delimiter", list.delimiter);
  request.query.emplace_back("max-keys", std::to_string(list.max_keys));
  if (!list.continuation_token.empty()) request.query.emplace_back("continuation-token", list.continuation_token);
  if (!list.start_after.empty()) request.query.emplace_back("start-after", list.start_after);
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchBucket"));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  objects::ListObjectsResult out;
  for (const auto& entry : xml.children) {
    if (entry.name == "Contents") {
      ObjectInfo info;
      info.key = ChildText(entry, "Key");
      info.size = std::strtoull(ChildText(entry, "Size").c_str(), nullptr, 10);
      info.etag = Unquote(ChildText(entry, "ETag"));
      info.last_modified_millis = s3::ParseHttpDate(ChildText(entry, "LastModified")).value_or(0);
      out.objects.push_back(std::move(info));
    } else if (entry.name == "CommonPrefixes") {
      out.common_prefixes.push_back(ChildText(entry, "Prefix"));
    }
  }
  out.is_truncated = ChildText(xml, "IsTruncated") == "true";
  out.next_continuation_token = ChildText(xml, "NextContinuationToken");
  return out;
}

Result<objects::MultipartUpload> RemoteObjectClient::CreateMultipartUpload(const std::string& bucket,
                                                                           const std::string& key,
                                                                           const objects::ObjectMetadata& metadata) {
  HttpRequest request{"POST", ObjectPath(bucket, key), {{"uploads", ""}}, {}, ""};
  AddMetadata(metadata, &request);
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchBucket"));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  objects::MultipartUpload upload{ChildText(xml, "UploadId"), bucket, key, 0};
  if (upload.upload_id.empty()) return Status::Internal("s3 CreateMultipartUpload answer has no UploadId");
  return upload;
}

Result<objects::PartInfo> RemoteObjectClient::UploadPart(const std::string& bucket, const std::string& key,
                                                         const std::string& upload_id, int part_number,
                                                         std::string_view data,
                                                         const std::optional<std::string>& content_md5_base64) {
  HttpRequest request{"PUT", ObjectPath(bucket, key),
                      {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, {}, std::string(data)};
  request.headers.emplace_back("Content-MD5", content_md5_base64.value_or(Base64Md5(data)));
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchUpload"));
  objects::PartInfo part{part_number, data.size(), "", 0};
  if (const auto* etag = response.Header("etag")) part.etag = Unquote(*etag);
  return part;
}

Result<objects::PartInfo> RemoteObjectClient::UploadPartCopy(const std::string& bucket, const std::string& key,
                                                             const std::string& upload_id, int part_number,
                                                             const objects::CopyRequest& source,
                                                             const std::optional<objects::ByteRange>& range) {
  HttpRequest request{"PUT", ObjectPath(bucket, key),
                      {{"partNumber", std::to_string(part_number)}, {"uploadId", upload_id}}, {}, ""};
  request.headers.emplace_back("x-amz-copy-source", ObjectPath(source.source_bucket, source.source_key));
  if (range) request.headers.emplace_back("x-amz-copy-source-range", RangeHeader(*range));
  AddConditions(source.source_conditions, "x-amz-copy-source-", &request);
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchUpload"));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  return objects::PartInfo{part_number, 0, Unquote(ChildText(xml, "ETag")),
                           s3::ParseHttpDate(ChildText(xml, "LastModified")).value_or(0)};
}

Result<ObjectInfo> RemoteObjectClient::CompleteMultipartUpload(const std::string& bucket, const std::string& key,
                                                               const std::string& upload_id,
                                                               const std::vector<objects::CompletedPart>& parts) {
  s3::XmlWriter xml;
  xml.Open("CompleteMultipartUpload", "http://s3.amazonaws.com/doc/2006-03-01/");
  for (const auto& part : parts) {
    xml.Open("Part").Text("PartNumber", std::to_string(part.part_number));
    xml.Text("ETag", "\"" + Unquote(part.etag) + "\"").Close("Part");
  }
  xml.Close("CompleteMultipartUpload");
  HttpRequest request{"POST", ObjectPath(bucket, key), {{"uploadId", upload_id}},
                      {{"Content-Type", "application/xml"}}, xml.Take()};
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchUpload"));
  // S3 may answer 200 with an <Error> body after a long completion.
  ASSIGN_OR_RETURN(auto result, s3::ParseXml(response.body));
  if (result.name == "Error") {
    return Status::Internal(ChildText(result, "Code") + ": " + ChildText(result, "Message"));
  }
  ObjectInfo info;
  info.key = key;
  info.etag = Unquote(ChildText(result, "ETag"));
  info.parts_count = static_cast<int>(parts.size());
  return info;
}

Status RemoteObjectClient::AbortMultipartUpload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id) {
  return Send({"DELETE", ObjectPath(bucket, key), {{"uploadId", upload_id}}, {}, ""}, "NoSuchUpload").status();
}

Result<objects::ListPartsResult> RemoteObjectClient::ListParts(const std::string& bucket, const std::string& key,
                                                               const std::string& upload_id, int max_parts,
                                                               int part_number_marker) {
  HttpRequest request{"GET", ObjectPath(bucket, key), {{"uploadId", upload_id}}, {}, ""};
  request.query.emplace_back("max-parts", std::to_string(max_parts));
  if (part_number_marker > 0) request.query.emplace_back("part-number-marker", std::to_string(part_number_marker));
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchUpload"));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  objects::ListPartsResult out;
  for (const auto& entry : xml.children) {
    if (entry.name != "Part") continue;
    out.parts.push_back({std::atoi(ChildText(entry, "PartNumber").c_str()),
                         std::strtoull(ChildText(entry, "Size").c_str(), nullptr, 10),
                         Unquote(ChildText(entry, "ETag")),
                         s3::ParseHttpDate(ChildText(entry, "LastModified")).value_or(0)});
  }
  out.is_truncated = ChildText(xml, "IsTruncated") == "true";
  out.next_part_number_marker = std::atoi(ChildText(xml, "NextPartNumberMarker").c_str());
  return out;
}

Result<objects::ListUploadsResult> RemoteObjectClient::ListMultipartUploads(const std::string& bucket,
                                                                            const std::string& prefix,
                                                                            int max_uploads) {
  HttpRequest request{"GET", ObjectPath(bucket, ""), {{"uploads", ""}}, {}, ""};
  if (!prefix.empty()) request.query.emplace_back("prefix", prefix);
  request.query.emplace_back("max-uploads", std::to_string(max_uploads));
  ASSIGN_OR_RETURN(HttpResponse response, Send(std::move(request), "NoSuchBucket"));
  ASSIGN_OR_RETURN(auto xml, s3::ParseXml(response.body));
  objects::ListUploadsResult out;
  for (const auto& entry : xml.children) {
    if (entry.name != "Upload") continue;
    out.uploads.push_back({ChildText(entry, "UploadId"), bucket, ChildText(entry, "Key"),
                           s3::ParseHttpDate(ChildText(entry, "Initiated")).value_or(0)});
  }
  out.is_truncated = ChildText(xml, "IsTruncated") == "true";
  return out;
}

}  // namespace aws::remote
