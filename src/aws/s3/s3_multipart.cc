// Multipart upload operations.
#include "aws/s3/s3_ops.h"
#include "aws/s3/xml.h"

namespace aws::s3::ops {
namespace {

void Initiator(XmlWriter& w) {
  w.Open("Initiator").Text("ID", kOwnerId).Text("DisplayName", "rivulet").Close("Initiator");
  w.Open("Owner").Text("ID", kOwnerId).Text("DisplayName", "rivulet").Close("Owner");
}

std::string UploadId(const S3Request& s3) { return s3.Param("uploadId").value_or(""); }

}  // namespace

Result<Response> CreateMultipartUpload(Context& c) {
  ASSIGN_OR_RETURN(auto upload, c.store->CreateMultipartUpload(c.s3.bucket, c.s3.key, MetadataFromHeaders(c.req)));
  XmlWriter w;
  w.Open("InitiateMultipartUploadResult", kXmlns).Text("Bucket", upload.bucket).Text("Key", upload.key);
  w.Text("UploadId", upload.upload_id).Close("InitiateMultipartUploadResult");
  return XmlResponse(w.Take());
}

Result<Response> UploadPart(Context& c) {
  ASSIGN_OR_RETURN(int part_number, IntParam(c.s3, "partNumber", 0, 1, objects::kMaxPartNumber));
  Response r;
  if (c.req.headers.Has("x-amz-copy-source")) {
    ASSIGN_OR_RETURN(objects::CopyRequest source, CopySource(c));
    std::optional<objects::ByteRange> range;
    if (auto h = c.req.Header("x-amz-copy-source-range"); !h.empty()) {
      range = ParseRange(h);
      if (!range || !range->first || !range->last) {
        return Status::InvalidArgument("InvalidArgument: x-amz-copy-source-range must be bytes=first-last");
      }
    }
    ASSIGN_OR_RETURN(auto part, c.store->UploadPartCopy(c.s3.bucket, c.s3.key, UploadId(c.s3), part_number, source, range));
    XmlWriter w;
    w.Open("CopyPartResult", kXmlns).Text("ETag", Quoted(part.etag));
    w.Text("LastModified", IsoDate(part.last_modified_millis)).Close("CopyPartResult");
    return XmlResponse(w.Take());
  }
  objects::ObjectMetadata checksum;
  ChecksumFromHeaders(c.req, &checksum);
  std::optional<std::string> md5;
  if (auto h = c.req.Header("Content-MD5"); !h.empty()) md5 = std::string(h);
  ASSIGN_OR_RETURN(auto writer, c.store->NewPartWriter(c.s3.bucket, c.s3.key, UploadId(c.s3), part_number, md5));
  std::vector<std::pair<std::string, std::string>> trailers;
  RETURN_IF_ERROR(ReadBody(c.req, [&](std::string_view chunk) { return writer->Append(chunk); }, &trailers));
  for (auto& [algo, value] : trailers) {
    checksum.checksum_algorithm = algo;
    checksum.checksum_value = value;
  }
  ASSIGN_OR_RETURN(auto part, writer->Commit());
  r.headers.Add("ETag", Quoted(part.etag));
  if (!checksum.checksum_value.empty()) {
    std::string algo = checksum.checksum_algorithm;
    for (auto& ch : algo) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    r.headers.Add("x-amz-checksum-" + algo, checksum.checksum_value);
  }
  return r;
}

Result<Response> CompleteMultipartUpload(Context& c) {
  ASSIGN_OR_RETURN(XmlElement doc, ParseXml(c.req.body));
  if (doc.name != "CompleteMultipartUpload") {
    return Status::InvalidArgument("MalformedXML: the root element must be <CompleteMultipartUpload>");
  }
  std::vector<objects::CompletedPart> parts;
  for (const auto& child : doc.children) {
    if (child.name != "Part") continue;
    const auto* number = child.Child("PartNumber");
    const auto* etag = child.Child("ETag");
    if (number == nullptr || etag == nullptr) return Status::InvalidArgument("MalformedXML: a <Part> needs <PartNumber> and <ETag>");
    S3Request fake;
    fake.query.emplace_back("PartNumber", number->text);
    ASSIGN_OR_RETURN(int n, IntParam(fake, "PartNumber", 0, 1, objects::kMaxPartNumber));
    parts.push_back({n, etag->text});
  }
  ASSIGN_OR_RETURN(auto info, c.store->CompleteMultipartUpload(c.s3.bucket, c.s3.key, UploadId(c.s3), parts));
  XmlWriter w;
  w.Open("CompleteMultipartUploadResult", kXmlns);
  w.Text("Location", "/" + c.s3.bucket + "/" + UrlEncode(c.s3.key)).Text("Bucket", c.s3.bucket);
  w.Text("Key", c.s3.key).Text("ETag", Quoted(info.etag)).Close("CompleteMultipartUploadResult");
  return XmlResponse(w.Take());
}

Result<Response> AbortMultipartUpload(Context& c) {
  RETURN_IF_ERROR(c.store->AbortMultipartUpload(c.s3.bucket, c.s3.key, UploadId(c.s3)));
  Response r;
  r.status = 204;
  return r;
}

Result<Response> ListParts(Context& c) {
  ASSIGN_OR_RETURN(int max_parts, IntParam(c.s3, "max-parts", 1000, 0, 1 << 30));
  ASSIGN_OR_RETURN(int marker, IntParam(c.s3, "part-number-marker", 0, 0, objects::kMaxPartNumber));
  ASSIGN_OR_RETURN(auto result, c.store->ListParts(c.s3.bucket, c.s3.key, UploadId(c.s3), max_parts, marker));
  XmlWriter w;
  w.Open("ListPartsResult", kXmlns).Text("Bucket", c.s3.bucket).Text("Key", c.s3.key).Text("UploadId", UploadId(c.s3));
  w.Text("PartNumberMarker", std::to_string(marker));
  w.Text("NextPartNumberMarker", std::to_string(result.next_part_number_marker));
  w.Text("MaxParts", std::to_string(std::min(max_parts, 1000)));
  w.Text("IsTruncated", result.is_truncated ? "true" : "false");
  for (const auto& p : result.parts) {
    w.Open("Part").Text("PartNumber", std::to_string(p.part_number));
    w.Text("LastModified", IsoDate(p.last_modified_millis)).Text("ETag", Quoted(p.etag));
    w.Text("Size", std::to_string(p.size)).Close("Part");
  }
  Initiator(w);
  w.Text("StorageClass", "STANDARD").Close("ListPartsResult");
  return XmlResponse(w.Take());
}

Result<Response> ListMultipartUploads(Context& c) {
  ASSIGN_OR_RETURN(int max_uploads, IntParam(c.s3, "max-uploads", 1000, 0, 1 << 30));
  std::string prefix = c.s3.Param("prefix").value_or("");
  ASSIGN_OR_RETURN(auto result, c.store->ListMultipartUploads(c.s3.bucket, prefix, max_uploads));
  XmlWriter w;
  w.Open("ListMultipartUploadsResult", kXmlns).Text("Bucket", c.s3.bucket);
  w.Text("KeyMarker", "").Text("UploadIdMarker", "");
  if (result.is_truncated && !result.uploads.empty()) {
    w.Text("NextKeyMarker", result.uploads.back().key).Text("NextUploadIdMarker", result.uploads.back().upload_id);
  }
  w.Text("Prefix", prefix).Text("MaxUploads", std::to_string(std::min(max_uploads, 1000)));
  w.Text("IsTruncated", result.is_truncated ? "true" : "false");
  for (const auto& u : result.uploads) {
    w.Open("Upload").Text("Key", u.key).Text("UploadId", u.upload_id);
    Initiator(w);
    w.Text("StorageClass", "STANDARD").Text("Initiated", IsoDate(u.initiated_millis)).Close("Upload");
  }
  w.Close("ListMultipartUploadsResult");
  return XmlResponse(w.Take());
}

}  // namespace aws::s3::ops
