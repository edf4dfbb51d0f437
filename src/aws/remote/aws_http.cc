#include "aws/remote/aws_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <random>
#include <thread>

#include <spdlog/spdlog.h>

#include "iam/sigv4.h"

namespace aws::remote {
namespace {

using common::Status;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// "https://host:443/x" -> "host:443" (the Host header curl would send for it).
std::string HostOf(const std::string& url) {
  size_t start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  size_t end = url.find('/', start);
  std::string host = url.substr(start, end == std::string::npos ? std::string::npos : end - start);
  bool https = url.rfind("https://", 0) == 0;
  std::string default_port = https ? ":443" : ":80";
  if (host.size() > default_port.size() && host.ends_with(default_port)) host.resize(host.size() - default_port.size());
  return host;
}

size_t WriteBody(char* data, size_t size, size_t n, void* user) {
  static_cast<std::string*>(user)->append(data, size * n);
  return size * n;
}

size_t WriteHeader(char* data, size_t size, size_t n, void* user) {
  auto* response = static_cast<HttpResponse*>(user);
  std::string_view line(data, size * n);
  if (line.rfind("HTTP/", 0) == 0) {
    response->headers.clear();  // a new response (after 100 Continue or a redirect)
    return size * n;
  }
  size_t colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' ')) value.remove_suffix(1);
    response->headers.emplace_back(Lower(line.substr(0, colon)), std::string(value));
  }
  return size * n;
}

// curl's progress callback: non-zero aborts the transfer.
int AbortWhenCancelled(void* cancelled, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(cancelled)->load(std::memory_order_relaxed) ? 1 : 0;
}

bool RetryableStatus(const HttpResponse& response) {
  return response.status >= 500 || response.status == 429 || IsThrottlingCode(ErrorCode(response));
}

}  // namespace

struct AwsHttp::Handle {
  CURL* curl = nullptr;
  ~Handle() {
    if (curl != nullptr) curl_easy_cleanup(curl);
  }
};

const std::string* HttpResponse::Header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

std::string ErrorCode(const HttpResponse& response) {
  if (response.status < 300) return "";
  std::string code;
  if (const std::string* type = response.Header("x-amzn-errortype")) {
    code = type->substr(0, type->find(':'));
  } else if (size_t pos = response.body.find("\"__type\""); pos != std::string::npos) {
    size_t open = response.body.find('"', response.body.find(':', pos) + 1);
    size_t close = open == std::string::npos ? open : response.body.find('"', open + 1);
    if (close != std::string::npos) code = response.body.substr(open + 1, close - open - 1);
  } else if (size_t open = response.body.find("<Code>"); open != std::string::npos) {
    size_t close = response.body.find("</Code>", open);
    if (close != std::string::npos) code = response.body.substr(open + 6, close - open - 6);
  }
  if (size_t hash = code.rfind('#'); hash != std::string::npos) code.erase(0, hash + 1);
  return code;
}

bool IsThrottlingCode(std::string_view code) {
  static constexpr std::string_view kThrottling[] = {
      "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
      "TooManyRequestsException", "ProvisionedThroughputExceededException", "TransactionInProgressException",
      "RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled",
      "SlowDown", "PriorRequestNotComplete", "EC2ThrottledException"};
  return std::find(std::begin(kThrottling), std::end(kThrottling), code) != std::end(kThrottling);
}

AwsHttp::AwsHttp(EndpointOptions options) : options_(std::move(options)), host_(HostOf(options_.url)) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

AwsHttp::~AwsHttp() = default;

std::unique_ptr<AwsHttp::Handle> AwsHttp::Acquire() {
  return idle_.TakeOr([] {
    auto handle = std::make_unique<Handle>();
    handle->curl = curl_easy_init();
    return handle;
  });
}

common::Result<HttpResponse> AwsHttp::SendOnce(Handle* handle, const HttpRequest& request) {
  CURL* curl = handle->curl;
  if (curl == nullptr) return Status::Internal("curl_easy_init failed");
  curl_easy_reset(curl);  // keeps the connection cache

  std::string amz_date = AmzDateNow();
  std::string payload_hash = iam::HexSha256(request.body);
  SignableRequest signable{request.method, request.path, request.query, request.headers, payload_hash};
  signable.headers.emplace_back("host", host_);
  signable.headers.emplace_back("x-amz-date", amz_date);
  signable.headers.emplace_back("x-amz-content-sha256", payload_hash);
  if (!options_.credentials.session_token.empty()) {
    signable.headers.emplace_back("x-amz-security-token", options_.credentials.session_token);
  }
  std::string authorization =
      AuthorizationHeader(options_.credentials, {amz_date, options_.region, options_.service}, signable);

  curl_slist* headers = nullptr;
  for (const auto& [name, value] : signable.headers) headers = curl_slist_append(headers, (name + ": " + value).c_str());
  headers = curl_slist_append(headers, ("Authorization: " + authorization).c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip
  if (std::none_of(request.headers.begin(), request.headers.end(),
                   [](const auto& h) { return Lower(h.first) == "content-type"; })) {
    headers = curl_slist_append(headers, "Content-Type:");  // curl would add a form type
  }

  std::string query = QueryString(request.query);
  std::string url = options_.url + request.path + (query.empty() ? "" : "?" + query);
  HttpResponse response;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, AbortWhenCancelled);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &cancelled_);
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, WriteBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, WriteHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &response);
  if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
  }
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (rc != CURLE_OK) {
    return Status::Unavailable(options_.service + " at " + options_.url + ": " + curl_easy_strerror(rc));
  }
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  response.status = static_cast<int>(status);
  return response;
}

common::Result<HttpResponse> AwsHttp::Send(const HttpRequest& request) {
  stats_.calls.fetch_add(1, std::memory_order_relaxed);
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::string last_problem;
  for (int attempt = 0; attempt < std::max(1, options_.max_attempts); ++attempt) {
    if (cancelled_.load(std::memory_order_relaxed)) {
      return Status::Unavailable(options_.service + " at " + options_.url + ": cancelled (shutting down)");
    }
    if (attempt > 0) {
      // Full jitter: a random delay up to the capped exponential backoff.
      auto cap = std::min<int64_t>(options_.max_backoff.count(), options_.base_backoff.count() << std::min(attempt, 20));
      std::uniform_int_distribution<int64_t> delay(0, cap);
      std::this_thread::sleep_for(std::chrono::milliseconds(delay(random)));
      stats_.retries.fetch_add(1, std::memory_order_relaxed);
    }
    stats_.attempts.fetch_add(1, std::memory_order_relaxed);
    auto handle = Acquire();
    auto response = SendOnce(handle.get(), request);
    idle_.Put(std::move(handle));
    if (!response.ok()) {
      last_problem = response.status().message();
      continue;
    }
    if (!RetryableStatus(*response)) return response;
    last_problem = options_.service + " answered " + std::to_string(response->status) + " " + ErrorCode(*response);
    if (attempt + 1 == options_.max_attempts) {
      stats_.failures.fetch_add(1, std::memory_order_relaxed);
      return response;  // the protocol client maps the last error
    }
  }
  stats_.failures.fetch_add(1, std::memory_order_relaxed);
  spdlog::warn("remote {}: giving up after {} attempts: {}", options_.service, options_.max_attempts, last_problem);
  return Status::Unavailable(last_problem + " (gave up after " + std::to_string(options_.max_attempts) + " attempts)");
}

}  // namespace aws::remote
