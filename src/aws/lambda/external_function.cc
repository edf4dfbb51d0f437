#include "aws/lambda/external_function.h"

#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cassert>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <random>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "aws/common/base64.h"
#include "common/clock.h"

extern char** environ;

namespace aws::lambda {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kFunctionArnPrefix = "arn:aws:lambda:us-east-1:000000000000:function:";
constexpr std::string_view kStreamArnPrefix = "arn:aws:kinesis:us-east-1:000000000000:stream/";
constexpr int64_t kMinRestartDelayMs = 100;
constexpr int64_t kMaxRestartDelayMs = 5000;

std::string NewRequestId() {
  static std::mutex mu;
  static std::mt19937_64 rng(std::random_device{}());
  std::lock_guard lock(mu);
  uint64_t a = rng(), b = rng();
  return fmt::format("{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}", a >> 32, (a >> 16) & 0xffff, a & 0xfff,
                     0x8000 | (b >> 48 & 0x3fff), b & 0xffffffffffffull);
}

std::string IsoTime(int64_t millis) {
  time_t seconds = static_cast<time_t>(millis / 1000);
  struct tm tm;
  gmtime_r(&seconds, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

gateway::Response RuntimeError(int status, std::string_view type, std::string_view message) {
  return gateway::Response::Json(status, json{{"errorMessage", message}, {"errorType", type}}.dump());
}

}  // namespace

ExternalFunction::ExternalFunction(ExternalFunctionOptions options)
    : options_(std::move(options)), environments_(static_cast<size_t>(std::max(1, options_.concurrency))) {}

ExternalFunction::~ExternalFunction() { Stop(); }

int64_t ExternalFunction::restarts() const {
  std::lock_guard lock(mu_);
  return restarts_;
}

std::vector<pid_t> ExternalFunction::pids() const {
  std::lock_guard lock(mu_);
  std::vector<pid_t> out;
  for (const auto& environment : environments_) out.push_back(environment.pid);
  return out;
}

std::string ExternalFunction::KinesisEvent(const functions::Batch& batch, const functions::InvocationContext& context) {
  std::string arn = std::string(kStreamArnPrefix) + batch.stream_name;
  json records = json::array();
  for (const auto& r : batch.records) {
    records.push_back({{"kinesis",
                        {{"kinesisSchemaVersion", "1.0"},
                         {"partitionKey", r.partition_key},
                         {"sequenceNumber", r.sequence_number},
                         {"data", Base64Encode(r.data)},
                         {"approximateArrivalTimestamp", static_cast<double>(r.arrival_millis) / 1000.0}}},
                       {"eventSource", "aws:kinesis"},
                       {"eventVersion", "1.0"},
                       {"eventID", batch.shard_id + ":" + r.sequence_number},
                       {"eventName", "aws:kinesis:record"},
                       {"invokeIdentityArn", "arn:aws:iam::000000000000:role/rivulet-function"},
                       {"awsRegion", "us-east-1"},
                       {"eventSourceARN", arn}});
  }
  json event = {{"Records", records}};
  if (context.window) {
    // The extra members Lambda adds for tumbling windows.
    const auto& w = *context.window;
    json state = json::parse(w.state.empty() ? std::string("{}") : w.state, nullptr, false);
    event["window"] = {{"start", IsoTime(w.start_millis)}, {"end", IsoTime(w.end_millis)}};
    event["state"] = state.is_discarded() ? json::object() : state;
    event["shardId"] = batch.shard_id;
    event["eventSourceARN"] = arn;
    event["isFinalInvokeForWindow"] = w.is_final;
    event["isWindowTerminatedEarly"] = false;
  }
  return event.dump();
}

functions::InvocationResult ExternalFunction::ParseResponse(std::string_view body) {
  json response = json::parse(body, nullptr, false);
  if (response.is_discarded() || !response.is_object()) return functions::InvocationResult::Success();
  functions::InvocationResult result;
  if (response.contains("batchItemFailures") && response["batchItemFailures"].is_array()) {
    std::vector<std::string> failed;
    for (const auto& item : response["batchItemFailures"]) {
      if (!item.is_object() || !item.contains("itemIdentifier") || !item["itemIdentifier"].is_string()) {
        // Lambda treats a malformed entry as the whole batch failing.
        return functions::InvocationResult::Failure("batchItemFailures has an entry without an itemIdentifier");
      }
      failed.push_back(item["itemIdentifier"].get<std::string>());
    }
    if (!failed.empty()) result = functions::InvocationResult::PartialFailure(std::move(failed));
  }
  if (response.contains("state")) result.window_state = response["state"].dump();
  return result;
}

functions::InvocationResult ExternalFunction::Invoke(const functions::Batch& batch,
                                                     const functions::InvocationContext& context) {
  auto invocation = std::make_shared<Invocation>();
  invocation->id = NewRequestId();
  invocation->event = KinesisEvent(batch, context);
  auto start_deadline = Clock::now() + std::chrono::milliseconds(options_.start_timeout_ms + options_.timeout_ms);

  std::optional<gateway::Respond> respond;
  gateway::Response response;
  std::unique_lock lock(mu_);
  if (stopping_) return functions::InvocationResult::Failure("the function is stopping");
  if (!started_) {
    return functions::InvocationResult::Failure(
        fmt::format("function {}: its processes do not run on this node", options_.name));
  }
  if (!idle_.empty()) {
    // The process that has waited longest takes it.
    int environment = idle_.front();
    idle_.pop_front();
    response = HandOutLocked(invocation, environment);
    respond = std::move(environments_[environment].parked_next);
    environments_[environment].parked_next.reset();
  } else {
    queue_.push_back(invocation);
  }
  if (respond) {
    lock.unlock();
    (*respond)(std::move(response));
    lock.lock();
  }
  while (!invocation->done) {
    if (!invocation->taken) {
      if (Clock::now() >= start_deadline) {
        std::erase(queue_, invocation);
        if (running_.size() >= environments_.size()) {
          // Lambda throttles when reserved concurrency is used up; here the
          // batch fails and the mapping retries it.
          return functions::InvocationResult::Failure(fmt::format(
              "function {}: all {} of its processes (its concurrency) stayed busy for {} ms", options_.name,
              environments_.size(), options_.start_timeout_ms + options_.timeout_ms));
        }
        std::string why = init_error_.empty() ? "" : ": " + init_error_;
        return functions::InvocationResult::Failure(fmt::format(
            "function {}: its processes did not ask for the invocation in time{}", options_.name, why));
      }
      cv_.wait_until(lock, start_deadline);
      continue;
    }
    auto deadline = Clock::time_point(std::chrono::milliseconds(invocation->deadline_ms));
    if (Clock::now() >= deadline) {
      running_.erase(invocation->id);
      spdlog::warn("function {}: invocation {} timed out after {} ms; restarting its process {}", options_.name,
                   invocation->id, options_.timeout_ms, environments_[invocation->environment].pid);
      KillProcessLocked(invocation->environment);  // its supervisor starts a fresh one
      return functions::InvocationResult::Failure(
          fmt::format("Task timed out after {:.2f} seconds", options_.timeout_ms / 1000.0));
    }
    cv_.wait_until(lock, deadline);
  }
  return invocation->result;
}

gateway::Response ExternalFunction::HandOutLocked(const std::shared_ptr<Invocation>& invocation, int environment) {
  using namespace std::chrono;
  invocation->taken = true;
  invocation->environment = environment;
  invocation->deadline_ms =
      duration_cast<milliseconds>((Clock::now() + milliseconds(options_.timeout_ms)).time_since_epoch()).count();
  running_[invocation->id] = invocation;
  gateway::Response response = gateway::Response::Json(200, invocation->event);
  response.headers.Set("Lambda-Runtime-Aws-Request-Id", invocation->id);
  response.headers.Set("Lambda-Runtime-Deadline-Ms",
                       std::to_string(common::SystemClock::Default()->NowMillis() + options_.timeout_ms));
  response.headers.Set("Lambda-Runtime-Invoked-Function-Arn", std::string(kFunctionArnPrefix) + options_.name);
  response.headers.Set("Lambda-Runtime-Trace-Id", "Root=1-00000000-000000000000000000000000;Sampled=0");
  return response;
}

gateway::Handler ExternalFunction::RuntimeApiHandler(int environment) {
  assert(environment >= 0 && environment < static_cast<int>(environments_.size()));
  return [this, environment](gateway::Request& request, gateway::Respond respond) {
    Handle(environment, request, std::move(respond));
  };
}

void ExternalFunction::Handle(int environment, gateway::Request& request, gateway::Respond respond) {
  std::string_view path = request.path;
  if (path.substr(0, kRuntimeApiPrefix.size()) != kRuntimeApiPrefix) {
    return respond(RuntimeError(404, "NotFound", fmt::format("no Runtime API at {}", request.path)));
  }
  path.remove_prefix(kRuntimeApiPrefix.size());
  if (path == "invocation/next") {
    if (request.method != "GET") return respond(RuntimeError(405, "MethodNotAllowed", "use GET"));
    std::optional<gateway::Respond> replaced;
    gateway::Response response;
    bool answer_now = true;
    {
      std::lock_guard lock(mu_);
      Environment& env = environments_[environment];
      if (stopping_) {
        response = RuntimeError(503, "Stopping", "the function is stopping");
      } else if (!queue_.empty()) {
        auto invocation = queue_.front();
        queue_.pop_front();
        response = HandOutLocked(invocation, environment);
      } else {
        // Long poll: answered by the next Invoke (or Stop), on its thread.
        if (env.parked_next) {
          replaced = std::move(env.parked_next);
        } else {
          idle_.push_back(environment);
        }
        env.parked_next = std::move(respond);
        answer_now = false;
      }
    }
    if (replaced) (*replaced)(RuntimeError(409, "Conflict", "another /next call replaced this one"));
    cv_.notify_all();  // the invoker now waits for the answer, with the timeout
    if (answer_now) respond(std::move(response));
    return;
  }
  if (request.method != "POST") return respond(RuntimeError(405, "MethodNotAllowed", "use POST"));
  if (path == "init/error") {
    json error = json::parse(request.body, nullptr, false);
    std::string text = error.is_object() ? error.value("errorType", "") + ": " + error.value("errorMessage", "")
                                         : request.body;
    spdlog::error("function {}: the handler could not start: {}", options_.name, text);
    {
      std::lock_guard lock(mu_);
      init_error_ = text;
    }
    return respond(gateway::Response::Json(202, R"({"status":"OK"})"));
  }
  // invocation/{id}/response and invocation/{id}/error
  constexpr std::string_view kInvocation = "invocation/";
  size_t slash = path.rfind('/');
  if (path.substr(0, kInvocation.size()) != kInvocation || slash <= kInvocation.size()) {
    return respond(RuntimeError(404, "NotFound", fmt::format("no Runtime API at {}", request.path)));
  }
  std::string id(path.substr(kInvocation.size(), slash - kInvocation.size()));
  std::string_view verb = path.substr(slash + 1);
  functions::InvocationResult result;
  if (verb == "response") {
    result = ParseResponse(request.body);
  } else if (verb == "error") {
    json error = json::parse(request.body, nullptr, false);
    std::string type = error.is_object() ? error.value("errorType", "Error") : "Error";
    std::string message = error.is_object() ? error.value("errorMessage", "") : request.body;
    result = functions::InvocationResult::Failure(fmt::format("{}: {}", type, message));
  } else {
    return respond(RuntimeError(404, "NotFound", fmt::format("no Runtime API at {}", request.path)));
  }
  {
    std::lock_guard lock(mu_);
    auto it = running_.find(id);
    // Each process has its own endpoint: it answers only what it was given.
    if (it == running_.end() || it->second->environment != environment) {
      return respond(RuntimeError(400, "InvalidRequestID", fmt::format("no invocation {} is running", id)));
    }
    it->second->done = true;
    it->second->result = std::move(result);
    running_.erase(it);
    init_error_.clear();
  }
  cv_.notify_all();
  respond(gateway::Response::Json(202, R"({"status":"OK"})"));
}

common::Status ExternalFunction::Start(const std::vector<std::string>& runtime_apis) {
  if (options_.command.empty()) {
    return common::Status::InvalidArgument(fmt::format("function {} has no command", options_.name));
  }
  if (runtime_apis.size() != environments_.size()) {
    return common::Status::InvalidArgument(fmt::format("function {} has concurrency {} but {} Runtime API endpoints",
                                                       options_.name, environments_.size(), runtime_apis.size()));
  }
  {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return common::Status::InvalidArgument(options_.name + " was started before");
    started_ = true;
  }
  for (size_t i = 0; i < environments_.size(); ++i) {
    environments_[i].runtime_api = runtime_apis[i];
    environments_[i].supervisor = std::thread([this, i] { Supervise(static_cast<int>(i)); });
  }
  return common::Status::OK();
}

pid_t ExternalFunction::Spawn(const std::string& runtime_api) {
  // Everything the child needs is prepared before fork: between fork and
  // exec only async-signal-safe calls are allowed.
  std::error_code ec;
  std::string task_root = options_.working_dir.empty() ? std::filesystem::current_path(ec).string()
                                                       : std::filesystem::absolute(options_.working_dir, ec).string();
  std::vector<std::string> env;
  for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
  for (const auto& [k, v] : std::vector<std::pair<std::string, std::string>>{
           {"AWS_LAMBDA_RUNTIME_API", runtime_api},
           {"_HANDLER", options_.handler},
           {"AWS_LAMBDA_FUNCTION_NAME", options_.name},
           {"AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"},
           {"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", std::to_string(options_.memory_mb)},
           {"AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/" + options_.name},
           {"AWS_LAMBDA_LOG_STREAM_NAME", "rivulet"},
           {"AWS_LAMBDA_INITIALIZATION_TYPE", "on-demand"},
           {"AWS_REGION", "us-east-1"},
           {"AWS_DEFAULT_REGION", "us-east-1"},
           {"LAMBDA_TASK_ROOT", task_root},
           {"LAMBDA_RUNTIME_DIR", task_root}}) {
    env.push_back(k + "=" + v);
  }
  std::vector<char*> envp;
  for (auto& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c", command = options_.command;
  char* argv[] = {sh.data(), dash_c.data(), command.data(), nullptr};
  const char* dir = options_.working_dir.empty() ? nullptr : options_.working_dir.c_str();
  pid_t parent = ::getpid();

  pid_t pid = ::fork();
  if (pid == 0) {
    ::setpgid(0, 0);                    // its own group: a timeout kills the whole tree
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // and it dies with Rivulet (kill -9 included)
    if (::getppid() != parent) ::_exit(127);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);  // Rivulet blocks SIGTERM/SIGINT for sigwait
    ::signal(SIGPIPE, SIG_DFL);                  // an ignored signal stays ignored across exec
    if (dir != nullptr && ::chdir(dir) != 0) ::_exit(126);
    ::close_range(3, ~0U, 0);
    ::execve(argv[0], argv, envp.data());
    ::_exit(127);
  }
  if (pid > 0) ::setpgid(pid, pid);  // also here: either side may run first
  return pid;
}

void ExternalFunction::KillProcessLocked(int environment) {
  if (environments_[environment].pid > 0) ::kill(-environments_[environment].pid, SIGKILL);
}

void ExternalFunction::Supervise(int environment) {
  Environment& env = environments_[environment];
  int64_t delay_ms = kMinRestartDelayMs;
  while (true) {
    pid_t pid = Spawn(env.runtime_api);
    {
      std::lock_guard lock(mu_);
      env.pid = pid > 0 ? pid : 0;
      if (stopping_) KillProcessLocked(environment);
    }
    auto started = Clock::now();
    std::string how;
    if (pid < 0) {
      how = fmt::format("could not be started: {}", std::strerror(errno));
    } else {
      int status = 0;
      while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
      }
      how = WIFEXITED(status) ? fmt::format("exited with code {}", WEXITSTATUS(status))
                              : fmt::format("was killed by signal {}", WTERMSIG(status));
    }
    std::optional<gateway::Respond> parked;
    bool stopping;
    {
      std::lock_guard lock(mu_);
      env.pid = 0;
      // The /next call of a dead process has no one to answer; the invocation
      // it held fails (a function error: the mapping retries or bisects).
      parked = std::move(env.parked_next);
      env.parked_next.reset();
      std::erase(idle_, environment);
      for (auto it = running_.begin(); it != running_.end();) {
        if (it->second->environment != environment) {
          ++it;
          continue;
        }
        it->second->done = true;
        it->second->result = functions::InvocationResult::Failure(
            fmt::format("function {}: its process {} {} during the invocation", options_.name, pid, how));
        it = running_.erase(it);
      }
      stopping = stopping_;
      if (!stopping) ++restarts_;
    }
    cv_.notify_all();
    if (parked) (*parked)(RuntimeError(410, "Gone", "the process exited"));
    if (stopping) return;
    if (Clock::now() - started > std::chrono::seconds(10)) delay_ms = kMinRestartDelayMs;
    spdlog::warn("function {}: process {} {}; starting it again in {} ms", options_.name, pid, how, delay_ms);
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::milliseconds(delay_ms), [this] { return stopping_; });
    if (stopping_) return;
    delay_ms = std::min(delay_ms * 2, kMaxRestartDelayMs);
  }
}

void ExternalFunction::Stop() {
  std::vector<gateway::Respond> parked;
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    for (size_t i = 0; i < environments_.size(); ++i) {
      KillProcessLocked(static_cast<int>(i));
      if (environments_[i].parked_next) parked.push_back(std::move(*environments_[i].parked_next));
      environments_[i].parked_next.reset();
    }
    idle_.clear();
    for (auto& invocation : queue_) {
      invocation->done = true;
      invocation->result = functions::InvocationResult::Failure("the function is stopping");
    }
    queue_.clear();
  }
  cv_.notify_all();
  for (auto& respond : parked) respond(RuntimeError(503, "Stopping", "the function is stopping"));
  for (auto& environment : environments_) {
    if (environment.supervisor.joinable()) environment.supervisor.join();
  }
}

}  // namespace aws::lambda
