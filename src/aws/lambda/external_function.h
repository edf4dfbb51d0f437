// ExternalFunction: a function served by a separate process through the AWS
// Lambda Runtime API, so that handlers can be written in any language that
// has a runtime interface client (aws-lambda-ric for Node.js, awslambdaric
// for Python, ...) or that speaks the four HTTP calls itself:
//   GET  /2018-06-01/runtime/invocation/next            long poll for the next event
//   POST /2018-06-01/runtime/invocation/{id}/response   the handler's result
//   POST /2018-06-01/runtime/invocation/{id}/error      the handler failed
//   POST /2018-06-01/runtime/init/error                 the handler could not start
// Like Lambda, which runs one execution environment per concurrent
// invocation, a function has `concurrency` environments: that many copies of
// the configured command (run with /bin/sh -c), each with its own Runtime API
// endpoint (AWS_LAMBDA_RUNTIME_API=host:port; the endpoint tells which
// process asks) and _HANDLER, AWS_LAMBDA_FUNCTION_NAME and the other
// variables Lambda sets. An invocation goes to whichever process asks for
// one next; each process runs one at a time. A process is restarted when it
// exits (its invocation in flight fails as a function error, so the
// mapping's retry and bisect rules apply) or when an invocation runs past the
// timeout (also a function error, as in Lambda). Events have the Kinesis
// shape Lambda sends (Records[].kinesis{...}); a response
// {"batchItemFailures":[{"itemIdentifier":seq}]} reports partial failures and
// {"state":...} carries tumbling-window state.
//
// Threads: Invoke blocks the runtime's worker until a process answers or the
// timeout passes. The /next long poll never blocks a gateway thread: the
// handler keeps the Respond and completes it when an event arrives. A
// supervisor thread per environment starts its process and waits for its exit.
#pragma once

#include <sys/types.h>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "functions/function.h"
#include "gateway/http.h"

namespace aws::lambda {

inline constexpr std::string_view kRuntimeApiPrefix = "/2018-06-01/runtime/";

struct ExternalFunctionOptions {
  std::string name;         // the function's name (AWS_LAMBDA_FUNCTION_NAME)
  std::string command;      // run as /bin/sh -c COMMAND
  std::string handler;      // _HANDLER, e.g. "index.handler"
  std::string working_dir;  // "" = Rivulet's; also LAMBDA_TASK_ROOT
  int timeout_ms = 3000;    // per invocation, as Lambda's Timeout
  int memory_mb = 128;      // only reported (AWS_LAMBDA_FUNCTION_MEMORY_SIZE)
  // Processes (execution environments) serving invocations at the same time,
  // as Lambda's reserved concurrency. REQUIRES: >= 1.
  int concurrency = 1;
  // How long an invocation may wait for the process to ask for it (start-up).
  int start_timeout_ms = 10'000;
};

class ExternalFunction final : public functions::Function {
 public:
  explicit ExternalFunction(ExternalFunctionOptions options);
  ~ExternalFunction() override;  // Stop()

  // The Runtime API of environment `environment` (0..concurrency-1), for its
  // own listener: what arrives there comes from that environment's process.
  gateway::Handler RuntimeApiHandler(int environment = 0);

  // Starts one process per environment (and keeps them running), environment
  // i with AWS_LAMBDA_RUNTIME_API = runtime_apis[i] ("127.0.0.1:PORT", where
  // RuntimeApiHandler(i) is served). InvalidArgument without a command or
  // with not exactly `concurrency` endpoints. Without Start (a node that runs
  // no functions), Invoke fails at once.
  common::Status Start(const std::vector<std::string>& runtime_apis);
  // Kills the processes, fails waiting invocations, answers parked /next
  // calls. Idempotent.
  void Stop();

  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

  const ExternalFunctionOptions& options() const { return options_; }
  // Process restarts, over all environments.
  int64_t restarts() const;
  // The running processes' ids (0 for an environment between two processes).
  std::vector<pid_t> pids() const;

  // The event Lambda sends for a Kinesis batch (public for tests).
  static std::string KinesisEvent(const functions::Batch& batch, const functions::InvocationContext& context);
  // Reads a handler's response body into a result (public for tests).
  static functions::InvocationResult ParseResponse(std::string_view body);

 private:
  struct Invocation {
    std::string id;
    std::string event;
    int environment = -1;     // the one it was handed to
    int64_t deadline_ms = 0;  // steady clock; set when handed out
    bool taken = false;
    bool done = false;
    functions::InvocationResult result;
  };

  // One process and its Runtime API endpoint.
  struct Environment {
    std::string runtime_api;
    pid_t pid = 0;                                // guarded by mu_
    std::optional<gateway::Respond> parked_next;  // guarded by mu_: its process's /next long poll
    std::thread supervisor;
  };

  void Handle(int environment, gateway::Request& request, gateway::Respond respond);
  // REQUIRES: mu_ held. Marks `invocation` handed to `environment` (running_).
  gateway::Response HandOutLocked(const std::shared_ptr<Invocation>& invocation, int environment);
  void Supervise(int environment);
  pid_t Spawn(const std::string& runtime_api);
  // REQUIRES: mu_ held.
  void KillProcessLocked(int environment);

  const ExternalFunctionOptions options_;
  std::vector<Environment> environments_;  // options_.concurrency of them

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Invocation>> queue_;               // guarded by mu_: not yet handed out
  std::map<std::string, std::shared_ptr<Invocation>> running_;  // guarded by mu_: handed out
  // Environments whose process waits in /next, the longest waiting first.
  std::deque<int> idle_;          // guarded by mu_
  bool started_ = false;          // guarded by mu_
  bool stopping_ = false;         // guarded by mu_
  int64_t restarts_ = 0;          // guarded by mu_
  std::string init_error_;        // guarded by mu_: the latest /init/error
};

}  // namespace aws::lambda
