#include "archiver/replay.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <ctime>
#include <cstdio>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/sha256.h"
#include "common/zstd.h"
#include "archiver/archive_format.h"
#include "objects/digest.h"

namespace archiver {
namespace {

using common::Result;
using common::Status;

constexpr size_t kPutBatch = 500;        // PutRecords' limit
constexpr size_t kPutBatchBytes = 4 << 20;  // below its 5 MiB request limit

struct HttpReply {
  long status = 0;
  std::string body;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

std::string Hmac(std::string_view key, std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(data.data()),
       data.size(), md, &n);
  return std::string(reinterpret_cast<char*>(md), n);
}

std::string Env(const char* name, const char* fallback) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

// SigV4 headers for a request to `url` ("http://host:port/path?query", the
// query's parameters already in canonical order and encoding). Credentials
// come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as in the AWS CLI;
// Rivulet's own endpoint accepts any until IAM checks them.
std::vector<std::string> SignV4(const std::string& method, const std::string& url, const std::string& body,
                                const std::string& service, const std::string& region) {
  std::string rest = url.substr(url.find("://") + 3);
  size_t slash = rest.find('/');
  std::string host = rest.substr(0, slash);
  std::string path_query = slash == std::string::npos ? "/" : rest.substr(slash);
  size_t q = path_query.find('?');
  std::string path = path_query.substr(0, q), query = q == std::string::npos ? "" : path_query.substr(q + 1);
  std::time_t now = std::time(nullptr);
  std::tm tm;
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  std::string amz_date = stamp, day = amz_date.substr(0, 8);
  std::string payload = common::Sha256Hex(body);
  std::string canonical = method + "\n" + path + "\n" + query + "\nhost:" + host + "\nx-amz-content-sha256:" +
                          payload + "\nx-amz-date:" + amz_date + "\n\nhost;x-amz-content-sha256;x-amz-date\n" + payload;
  std::string scope = day + "/" + region + "/" + service + "/aws4_request";
  std::string to_sign = "AWS4-HMAC-SHA256\n" + amz_date + "\n" + scope + "\n" + common::Sha256Hex(canonical);
  std::string key = Hmac(Hmac(Hmac(Hmac("AWS4" + Env("AWS_SECRET_ACCESS_KEY", "rivulet"), day), region), service),
                         "aws4_request");
  std::string signature = Hmac(key, to_sign);
  return {"x-amz-date: " + amz_date, "x-amz-content-sha256: " + payload,
          "Authorization: AWS4-HMAC-SHA256 Credential=" + Env("AWS_ACCESS_KEY_ID", "rivulet") + "/" + scope +
              ", SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=" +
              objects::HexEncode(signature)};
}

std::string g_region = "us-east-1";

// One signed request with libcurl.
Result<HttpReply> Http(const std::string& method, const std::string& url, const std::string& body,
                       const std::vector<std::string>& headers) {
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  HttpReply reply;
  curl_slist* list = nullptr;
  for (const auto& h : headers) list = curl_slist_append(list, h.c_str());
  for (const auto& h : SignV4(method, url, body, method == "POST" ? "kinesis" : "s3", g_region)) {
    list = curl_slist_append(list, h.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 120L);
  CURLcode rc = curl_easy_perform(curl);
  if (rc == CURLE_OK) curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  curl_slist_free_all(list);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) return Status::IOError(fmt::format("{} {}: {}", method, url, curl_easy_strerror(rc)));
  return reply;
}

std::string UrlEncode(std::string_view in, bool slash_too = false) {
  std::string out;
  for (unsigned char c : in) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || (c == '/' && !slash_too)) {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out += s[i];
      continue;
    }
    static constexpr std::pair<std::string_view, char> kEntities[] = {
        {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
    bool done = false;
    for (auto [name, ch] : kEntities) {
      if (s.substr(i, name.size()) == name) {
        out += ch;
        i += name.size() - 1;
        done = true;
        break;
      }
    }
    if (!done) out += '&';
  }
  return out;
}

// The text of every <tag>...</tag> in `xml`, in order.
std::vector<std::string> Elements(std::string_view xml, std::string_view tag) {
  std::vector<std::string> out;
  std::string open = "<" + std::string(tag) + ">", close = "</" + std::string(tag) + ">";
  for (size_t pos = 0; (pos = xml.find(open, pos)) != std::string_view::npos;) {
    size_t end = xml.find(close, pos);
    if (end == std::string_view::npos) break;
    out.push_back(XmlUnescape(xml.substr(pos + open.size(), end - pos - open.size())));
    pos = end + close.size();
  }
  return out;
}

struct ArchiveObject {
  std::string key;
  uint64_t size = 0;
};

Result<std::vector<ArchiveObject>> ListArchive(const ReplayOptions& o, const std::string& bucket,
                                               const std::string& prefix) {
  std::vector<ArchiveObject> out;
  std::string token;
  for (;;) {
    // Parameters in SigV4's canonical (sorted) order.
    std::string url = o.endpoint + "/" + bucket + "?";
    if (!token.empty()) url += "continuation-token=" + UrlEncode(token, true) + "&";
    url += "list-type=2&prefix=" + UrlEncode(prefix, true);
    ASSIGN_OR_RETURN(HttpReply reply, Http("GET", url, "", {}));
    if (reply.status != 200) {
      return Status::IOError(fmt::format("listing s3://{}/{} answered {}: {}", bucket, prefix, reply.status,
                                         reply.body.substr(0, 300)));
    }
    auto keys = Elements(reply.body, "Key");
    auto sizes = Elements(reply.body, "Size");
    for (size_t i = 0; i < keys.size(); ++i) {
      if (!keys[i].ends_with(".jsonl.zst")) continue;
      out.push_back({keys[i], i < sizes.size() ? std::stoull(sizes[i]) : 0});
    }
    auto truncated = Elements(reply.body, "IsTruncated");
    auto next = Elements(reply.body, "NextContinuationToken");
    if (truncated.empty() || truncated[0] != "true" || next.empty()) break;
    token = next[0];
  }
  // Key order, but sequence numbers compared as numbers: per shard, objects
  // are then replayed in the order their records were written.
  std::stable_sort(out.begin(), out.end(), [](const ArchiveObject& a, const ArchiveObject& b) {
    std::string sa = SequenceOfKey(a.key), sb = SequenceOfKey(b.key);
    std::string_view ha = std::string_view(a.key).substr(0, a.key.size() - sa.size() - 10);
    std::string_view hb = std::string_view(b.key).substr(0, b.key.size() - sb.size() - 10);
    if (ha != hb) return ha < hb;
    return CompareSequence(sa, sb) < 0;
  });
  return out;
}

Status PutBatch(const ReplayOptions& o, const std::vector<stream::Record>& records) {
  std::vector<size_t> pending(records.size());
  for (size_t i = 0; i < records.size(); ++i) pending[i] = i;
  for (int attempt = 0; !pending.empty(); ++attempt) {
    if (attempt > 0) std::this_thread::sleep_for(std::chrono::milliseconds(std::min(2000, 50 << attempt)));
    if (attempt > 20) return Status::IOError("PutRecords kept failing for " + std::to_string(pending.size()) + " records");
    nlohmann::json req = {{"StreamName", o.to_stream}, {"Records", nlohmann::json::array()}};
    for (size_t i : pending) {
      req["Records"].push_back({{"Data", objects::Base64Encode(records[i].data)},
                                {"PartitionKey", records[i].partition_key}});
    }
    ASSIGN_OR_RETURN(HttpReply reply, Http("POST", o.endpoint + "/", req.dump(),
                                           {"Content-Type: application/x-amz-json-1.1",
                                            "X-Amz-Target: Kinesis_20131202.PutRecords"}));
    if (reply.status == 400 && reply.body.find("ResourceNotFoundException") != std::string::npos) {
      return Status::NotFound("stream " + o.to_stream + " does not exist; create it first (aws kinesis create-stream)");
    }
    if (reply.status >= 500 || reply.status == 429) continue;
    if (reply.status != 200) return Status::IOError(fmt::format("PutRecords answered {}: {}", reply.status, reply.body));
    auto j = nlohmann::json::parse(reply.body, nullptr, false);
    if (!j.is_object() || !j["Records"].is_array()) return Status::IOError("PutRecords answered no Records");
    std::vector<size_t> failed;
    for (size_t k = 0; k < pending.size() && k < j["Records"].size(); ++k) {
      if (j["Records"][k].contains("ErrorCode")) failed.push_back(pending[k]);
    }
    pending = std::move(failed);
  }
  return Status::OK();
}

class Progress {
 public:
  explicit Progress(uint64_t total_bytes) : total_(total_bytes), tty_(::isatty(STDERR_FILENO) == 1) {}

  void Update(const ReplayStats& s, bool final = false) {
    auto now = std::chrono::steady_clock::now();
    double elapsed = std::chrono::duration<double>(now - start_).count();
    if (!final && now - last_ < (tty_ ? std::chrono::milliseconds(100) : std::chrono::milliseconds(2000))) return;
    last_ = now;
    double fraction = total_ == 0 ? 1.0 : static_cast<double>(s.bytes) / static_cast<double>(total_);
    double rate = elapsed > 0 ? static_cast<double>(s.records) / elapsed : 0;
    double eta = fraction > 0 ? elapsed / fraction - elapsed : 0;
    std::string stats = fmt::format("{} records  {:.1f}/{:.1f} MB  {:.0f} rec/s  ETA {}:{:02d}", s.records,
                                    static_cast<double>(s.bytes) / 1e6, static_cast<double>(total_) / 1e6, rate,
                                    static_cast<int>(eta) / 60, static_cast<int>(eta) % 60);
    if (tty_) {
      int filled = static_cast<int>(fraction * 30);
      std::fprintf(stderr, "\r[%s%s] %3d%%  %s ", std::string(filled, '#').c_str(),
                   std::string(30 - filled, '.').c_str(), static_cast<int>(fraction * 100), stats.c_str());
      if (final) std::fprintf(stderr, "\n");
    } else {
      std::fprintf(stderr, "replay: %d%%  %s\n", static_cast<int>(fraction * 100), stats.c_str());
    }
    std::fflush(stderr);
  }

 private:
  uint64_t total_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now(), last_{};
};

}  // namespace

Result<ReplayStats> Replay(const ReplayOptions& o) {
  std::string from = o.from;
  if (from.starts_with("s3://")) from = from.substr(5);
  while (from.starts_with('/')) from.erase(0, 1);
  size_t slash = from.find('/');
  if (from.empty() || slash == 0) return Status::InvalidArgument("--from must be <bucket>/<prefix>, e.g. archive/orders/2026/11/25/");
  std::string bucket = from.substr(0, slash);
  std::string prefix = slash == std::string::npos ? "" : from.substr(slash + 1);
  if (o.to_stream.empty()) return Status::InvalidArgument("--to-stream is required");
  curl_global_init(CURL_GLOBAL_DEFAULT);
  g_region = o.region;
  ASSIGN_OR_RETURN(auto objects, ListArchive(o, bucket, prefix));
  uint64_t total = 0;
  for (const auto& obj : objects) total += obj.size;
  Progress progress(total);
  ReplayStats stats;
  for (const auto& obj : objects) {
    ASSIGN_OR_RETURN(HttpReply reply, Http("GET", o.endpoint + "/" + bucket + "/" + UrlEncode(obj.key), "", {}));
    if (reply.status != 200) return Status::IOError(fmt::format("GET {} answered {}", obj.key, reply.status));
    ASSIGN_OR_RETURN(std::string lines, common::ZstdDecompress(reply.body));
    std::vector<stream::Record> batch;
    size_t batch_bytes = 0;
    std::string_view rest = lines;
    while (!rest.empty()) {
      size_t nl = rest.find('\n');
      std::string_view line = rest.substr(0, nl);
      rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
      if (line.empty()) continue;
      ASSIGN_OR_RETURN(stream::Record r, DecodeLine(line));
      batch_bytes += r.data.size() + r.partition_key.size();
      batch.push_back(std::move(r));
      if (batch.size() == kPutBatch || batch_bytes > kPutBatchBytes) {
        RETURN_IF_ERROR(PutBatch(o, batch));
        stats.records += batch.size();
        batch.clear();
        batch_bytes = 0;
        progress.Update(stats);
      }
    }
    if (!batch.empty()) RETURN_IF_ERROR(PutBatch(o, batch));
    stats.records += batch.size();
    stats.bytes += reply.body.size();
    ++stats.objects;
    progress.Update(stats);
  }
  progress.Update(stats, true);
  return stats;
}

}  // namespace archiver
