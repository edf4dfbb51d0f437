// Object operations: PUT (plain and aws-chunked), GET/HEAD (ranges,
// conditions, response-* overrides), DELETE, COPY.
#include <algorithm>
#include <cctype>
#include <mutex>
#include <optional>

#include "aws/s3/s3_ops.h"
#include "aws/s3/aws_chunked.h"
#include "objects/digest.h"
#include "aws/s3/xml.h"

namespace aws::s3::ops {
namespace {

// Bodies above this are read in chunks while they are sent.
constexpr uint64_t kInlineBodyLimit = 1 << 20;

constexpr std::string_view kSystemHeaders[] = {"cache-control", "content-disposition", "content-encoding",
                                               "content-language", "expires"};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (auto& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

// "aws-chunked" is transport framing, not something to store and return.
std::string StripAwsChunked(std::string_view encoding) {
  std::string out;
  while (!encoding.empty()) {
    size_t comma = encoding.find(',');
    std::string_view item = encoding.substr(0, comma);
    encoding = comma == std::string_view::npos ? std::string_view() : encoding.substr(comma + 1);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.empty() || Lower(item) == "aws-chunked") continue;
    if (!out.empty()) out += ",";
    out += item;
  }
  return out;
}

objects::Conditions ConditionsFrom(const Request& req, std::string_view prefix) {
  objects::Conditions c;
  auto header = [&](std::string_view name) { return req.Header(std::string(prefix) + std::string(name)); };
  if (auto v = header("if-match"); !v.empty()) c.if_match = std::string(v);
  if (auto v = header("if-none-match"); !v.empty()) c.if_none_match = std::string(v);
  if (auto v = header("if-modified-since"); !v.empty()) c.if_modified_since_millis = ParseHttpDate(v);
  if (auto v = header("if-unmodified-since"); !v.empty()) c.if_unmodified_since_millis = ParseHttpDate(v);
  return c;
}

void ObjectHeaders(const objects::ObjectInfo& info, const Request& req, const S3Request& s3, Response* r) {
  r->headers.Add("ETag", Quoted(info.etag));
  r->headers.Add("Last-Modified", HttpDate(info.last_modified_millis));
  r->headers.Add("Accept-Ranges", "bytes");
  r->headers.Add("Content-Type", info.metadata.content_type.empty() ? "binary/octet-stream" : info.metadata.content_type);
  for (const auto& [k, v] : info.metadata.system) r->headers.Add(k, v);
  for (const auto& [k, v] : info.metadata.user) r->headers.Add("x-amz-meta-" + k, v);
  if (info.parts_count > 0 && s3.Has("partNumber")) r->headers.Add("x-amz-mp-parts-count", std::to_string(info.parts_count));
  if (Lower(req.Header("x-amz-checksum-mode")) == "enabled" && !info.metadata.checksum_value.empty()) {
    r->headers.Add("x-amz-checksum-" + Lower(info.metadata.checksum_algorithm), info.metadata.checksum_value);
  }
  // Presigned URLs may override response headers with response-* parameters.
  static constexpr std::pair<std::string_view, std::string_view> kOverrides[] = {
      {"response-content-type", "Content-Type"},         {"response-content-language", "Content-Language"},
      {"response-expires", "Expires"},                   {"response-cache-control", "Cache-Control"},
      {"response-content-disposition", "Content-Disposition"}, {"response-content-encoding", "Content-Encoding"}};
  for (const auto& [param, header] : kOverrides) {
    if (auto v = s3.Param(param)) r->headers.Set(header, *v);
  }
}

}  // namespace

std::string Quoted(std::string_view etag) { return "\"" + std::string(etag) + "\""; }

Response XmlResponse(std::string body, int status) {
  Response r;
  r.status = status;
  r.headers.Add("Content-Type", "application/xml");
  r.body = std::move(body);
  return r;
}

Result<int> IntParam(const S3Request& s3, std::string_view name, int fallback, int lo, int hi) {
  auto v = s3.Param(name);
  if (!v) return fallback;
  int64_t n = 0;
  bool ok = !v->empty() && v->size() < 12;
  for (char ch : *v) {
    if (ch < '0' || ch > '9') ok = false;
    n = n * 10 + (ch - '0');
  }
  if (!ok || n < lo || n > hi) {
    return Status::InvalidArgument("InvalidArgument: " + std::string(name) + " \"" + *v + "\" must be an integer from " +
                                   std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int>(n);
}

objects::ObjectMetadata MetadataFromHeaders(const Request& req) {
  objects::ObjectMetadata m;
  m.content_type = std::string(req.Header("Content-Type"));
  for (const auto& [name, value] : req.headers.items()) {
    std::string lower = Lower(name);
    if (lower.starts_with("x-amz-meta-") && lower.size() > 11) {
      m.user[lower.substr(11)] = value;
    } else if (std::find(std::begin(kSystemHeaders), std::end(kSystemHeaders), lower) != std::end(kSystemHeaders)) {
      std::string v = lower == "content-encoding" ? StripAwsChunked(value) : value;
      if (!v.empty()) m.system[lower] = v;
    }
  }
  if (auto algo = req.Header("x-amz-checksum-algorithm"); !algo.empty()) {
    m.checksum_algorithm = std::string(algo);
    for (auto& ch : m.checksum_algorithm) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  }
  return m;
}

namespace {

// "x-amz-checksum-crc32" -> "CRC32"; "" for the names that are not a checksum.
std::string ChecksumAlgorithm(std::string_view lower_name) {
  if (!lower_name.starts_with("x-amz-checksum-")) return "";
  std::string algo(lower_name.substr(std::string_view("x-amz-checksum-").size()));
  if (algo == "mode" || algo == "type" || algo == "algorithm") return "";
  for (auto& ch : algo) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return algo;
}

}  // namespace

void ChecksumFromHeaders(const Request& req, objects::ObjectMetadata* m) {
  for (const auto& [name, value] : req.headers.items()) {
    if (std::string algo = ChecksumAlgorithm(Lower(name)); !algo.empty()) {
      m->checksum_algorithm = algo;
      m->checksum_value = value;
    }
  }
  // The value comes later, in an aws-chunked trailer: compute it meanwhile.
  if (m->checksum_algorithm.empty()) {
    m->checksum_algorithm = ChecksumAlgorithm(Lower(req.Header("x-amz-trailer")));
  }
  if (m->checksum_algorithm.empty()) {
    if (auto algo = req.Header("x-amz-sdk-checksum-algorithm"); !algo.empty()) {
      m->checksum_algorithm = std::string(algo);
      for (auto& ch : m->checksum_algorithm) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
  }
}

Status ReadBody(const Request& req, const BodySink& sink, std::vector<std::pair<std::string, std::string>>* checksums) {
  bool chunked = IsAwsChunked(req);
  AwsChunkedDecoder decoder(req.chunk_verifier.get());
  auto feed = [&](std::string_view data) { return chunked ? decoder.Feed(data, sink) : sink(data); };
  if (req.body_stream) {
    // The signature covers x-amz-content-sha256; a streamed body is checked
    // against it here, as it arrives (the authorizer could not).
    std::string declared(req.Header("x-amz-content-sha256"));
    std::optional<objects::Digest> sha;
    if (declared.size() == 64 && declared.find_first_not_of("0123456789abcdef") == std::string::npos) {
      sha.emplace(objects::Digest::Kind::kSha256);
    }
    for (;;) {
      auto chunk = req.body_stream->Read();
      if (!chunk.ok()) {
        return Status::InvalidArgument("IncompleteBody: the request body did not arrive whole: " +
                                       chunk.status().message());
      }
      if (chunk->empty()) break;
      if (sha) sha->Update(*chunk);
      RETURN_IF_ERROR(feed(*chunk));
    }
    if (sha && objects::HexEncode(sha->Finish()) != declared) {
      return Status::InvalidArgument(
          "XAmzContentSHA256Mismatch: The provided 'x-amz-content-sha256' header does not match what was computed.");
    }
  } else if (!req.body.empty()) {
    RETURN_IF_ERROR(feed(req.body));
  }
  if (!chunked) return Status::OK();
  RETURN_IF_ERROR(decoder.Finish());
  if (auto decoded = req.Header("x-amz-decoded-content-length"); !decoded.empty()) {
    if (decoded != std::to_string(decoder.size())) {
      return Status::InvalidArgument("IncompleteBody: x-amz-decoded-content-length is " + std::string(decoded) +
                                     " but the chunks hold " + std::to_string(decoder.size()) + " bytes");
    }
  }
  for (const auto& [name, value] : decoder.trailers()) {
    if (std::string algo = ChecksumAlgorithm(name); !algo.empty()) checksums->emplace_back(algo, value);
  }
  return Status::OK();
}

Result<Response> PutObject(Context& c) {
  objects::PutOptions o;
  o.metadata = MetadataFromHeaders(c.req);
  ChecksumFromHeaders(c.req, &o.metadata);
  if (auto md5 = c.req.Header("Content-MD5"); !md5.empty()) o.content_md5_base64 = std::string(md5);
  if (auto inm = c.req.Header("If-None-Match"); !inm.empty()) {
    if (inm != "*") return Status::InvalidArgument("InvalidArgument: If-None-Match on PUT supports only \"*\"");
    o.if_none_match_any = true;
  }
  if (auto im = c.req.Header("If-Match"); !im.empty()) o.if_match = std::string(im);
  ASSIGN_OR_RETURN(auto writer, c.store->NewObjectWriter(c.s3.bucket, c.s3.key, o));
  std::vector<std::pair<std::string, std::string>> trailers;
  RETURN_IF_ERROR(ReadBody(c.req, [&](std::string_view chunk) { return writer->Append(chunk); }, &trailers));
  for (auto& [algo, value] : trailers) writer->SetChecksum(algo, value);
  ASSIGN_OR_RETURN(objects::ObjectInfo info, writer->Commit());
  Response r;
  r.headers.Add("ETag", Quoted(info.etag));
  if (!info.metadata.checksum_value.empty()) {
    r.headers.Add("x-amz-checksum-" + Lower(info.metadata.checksum_algorithm), info.metadata.checksum_value);
  }
  return r;
}

namespace {

// An object's bytes read on the adapter's pool one chunk ahead of the
// connection, so a download of any size holds two chunks at most and never
// blocks an I/O thread on the disk.
class ReaderSource final : public gateway::BodySource,
                           public std::enable_shared_from_this<ReaderSource> {
 public:
  ReaderSource(std::unique_ptr<objects::ObjectReader> reader, std::function<void(std::function<void()>)> post)
      : reader_(std::move(reader)), post_(std::move(post)) {}

  Pull Read(size_t max, std::string* out) override {
    std::unique_lock lock(mu_);
    if (!ready_.empty()) {
      size_t n = std::min(max, ready_.size() - offset_);
      out->append(ready_, offset_, n);
      offset_ += n;
      if (offset_ == ready_.size()) {
        ready_.clear();
        offset_ = 0;
        if (!done_) Fetch(lock);
      }
      return Pull::kData;
    }
    if (done_) return Pull::kEnd;
    Fetch(lock);
    return Pull::kWait;
  }
  void SetWaker(std::function<void()> wake) override {
    std::lock_guard lock(mu_);
    wake_ = std::move(wake);
  }
  void Cancel() override {
    std::lock_guard lock(mu_);
    done_ = true;
  }

 private:
  static constexpr size_t kChunk = 1 << 20;

  // REQUIRES: mu_ held.
  void Fetch(std::unique_lock<std::mutex>&) {
    if (fetching_) return;
    fetching_ = true;
    post_([self = shared_from_this()] {
      auto chunk = self->reader_->Read(kChunk);
      std::function<void()> wake;
      {
        std::lock_guard lock(self->mu_);
        self->fetching_ = false;
        // A read error ends the body early; the gateway sees the length
        // fall short and cuts the connection.
        if (!chunk.ok() || chunk->empty()) {
          self->done_ = true;
        } else {
          self->ready_ = std::move(chunk).value();
        }
        wake = self->wake_;
      }
      if (wake) wake();
    });
  }

  std::unique_ptr<objects::ObjectReader> reader_;  // used by one fetch at a time
  std::function<void(std::function<void()>)> post_;
  std::mutex mu_;
  std::string ready_;     // guarded by mu_
  size_t offset_ = 0;     // guarded by mu_
  bool fetching_ = false; // guarded by mu_
  bool done_ = false;     // guarded by mu_
  std::function<void()> wake_;  // guarded by mu_
};

}  // namespace

Result<Response> GetObject(Context& c, bool head) {
  objects::GetOptions o;
  o.conditions = ConditionsFrom(c.req, "");
  if (auto range = c.req.Header("Range"); !range.empty()) o.range = ParseRange(range);
  Response r;
  if (head) {
    ASSIGN_OR_RETURN(objects::ObjectInfo info, c.store->HeadObject(c.s3.bucket, c.s3.key, o.conditions));
    ObjectHeaders(info, c.req, c.s3, &r);
    // For HEAD the gateway sends this length and no body.
    r.headers.Set("Content-Length", std::to_string(info.size));
    return r;
  }
  ASSIGN_OR_RETURN(objects::GetResult got, c.store->GetObject(c.s3.bucket, c.s3.key, o));
  ObjectHeaders(got.info, c.req, c.s3, &r);
  if (got.partial) {
    r.status = 206;
    r.headers.Add("Content-Range", "bytes " + std::to_string(got.first) + "-" +
                                       std::to_string(got.first + got.length - 1) + "/" + std::to_string(got.info.size));
  }
  if (got.length > kInlineBodyLimit && c.post) {
    r.body_length = got.length;
    r.body_source = std::make_shared<ReaderSource>(std::move(got.reader), c.post);
    return r;
  }
  ASSIGN_OR_RETURN(r.body, got.reader->Read(got.length));
  return r;
}

Result<Response> DeleteObject(Context& c) {
  RETURN_IF_ERROR(c.store->DeleteObject(c.s3.bucket, c.s3.key));
  Response r;
  r.status = 204;
  return r;
}

Result<objects::CopyRequest> CopySource(const Context& c) {
  std::string_view raw = c.req.Header("x-amz-copy-source");
  raw = raw.substr(0, raw.find('?'));  // ?versionId=: we keep one version
  std::string source = UrlDecode(raw, false);
  if (source.starts_with('/')) source.erase(0, 1);
  size_t slash = source.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == source.size()) {
    return Status::InvalidArgument("InvalidArgument: x-amz-copy-source must be bucket/key");
  }
  objects::CopyRequest req;
  req.source_bucket = source.substr(0, slash);
  req.source_key = source.substr(slash + 1);
  req.bucket = c.s3.bucket;
  req.key = c.s3.key;
  req.source_conditions = ConditionsFrom(c.req, "x-amz-copy-source-");
  return req;
}

Result<Response> CopyObject(Context& c) {
  ASSIGN_OR_RETURN(objects::CopyRequest req, CopySource(c));
  std::string directive(c.req.Header("x-amz-metadata-directive"));
  if (directive == "REPLACE") {
    req.replace_metadata = MetadataFromHeaders(c.req);
  } else if (!directive.empty() && directive != "COPY") {
    return Status::InvalidArgument("InvalidArgument: Unknown metadata directive " + directive);
  }
  ASSIGN_OR_RETURN(objects::ObjectInfo info, c.store->CopyObject(req));
  XmlWriter w;
  w.Open("CopyObjectResult", kXmlns).Text("ETag", Quoted(info.etag));
  w.Text("LastModified", IsoDate(info.last_modified_millis)).Close("CopyObjectResult");
  return XmlResponse(w.Take());
}

}  // namespace aws::s3::ops
