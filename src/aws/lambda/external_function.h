// ExternalFunction: a function served by a separate process through the AWS
// Lambda Runtime API, so that handlers can be written in any language that
// has a runtime interface client (aws-lambda-ric for Node.js, awslambdaric
// for Python, ...) or that speaks the four HTTP calls itself:
//   GET  /2018-06-01/runtime/invocation/next            long poll for the next event
//   POST /2018-06-01/runtime/invocation/{id}/response   the handler's result
//   POST /2018-06-01/runtime/invocation/{id}/error      the handler failed
//   POST /2018-06-01/runtime/init/error                 the handler could not start
// Rivulet starts the configured command (with /bin/sh -c) with
// AWS_LAMBDA_RUNTIME_API=host:port, _HANDLER, AWS_LAMBDA_FUNCTION_NAME and
// the other variables Lambda sets, and restarts it when it exits or when an
// invocation runs past the timeout (a function error, as in Lambda). Events
// have the Kinesis shape Lambda sends (Records[].kinesis{...}); a response
// {"batchItemFailures":[{"itemIdentifier":seq}]} reports partial failures and
// {"state":...} carries tumbling-window state.
//
// Threads: Invoke blocks the runtime's worker until the process answers or
// the timeout passes. The /next long poll never blocks a gateway thread: the
// handler keeps the Respond and completes it when an event arrives. A
// supervisor thread per function starts the process and waits for its exit.
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
  // How long an invocation may wait for the process to ask for it (start-up).
  int start_timeout_ms = 10'000;
};

class ExternalFunction final : public functions::Function {
 public:
  explicit ExternalFunction(ExternalFunctionOptions options);
  ~ExternalFunction() override;  // Stop()

  // The Runtime API of this function, for its own listener.
  gateway::Handler RuntimeApiHandler();

  // Starts the process (and keeps it running) with AWS_LAMBDA_RUNTIME_API set
  // to `runtime_api` ("127.0.0.1:PORT", where RuntimeApiHandler is served).
  common::Status Start(const std::string& runtime_api);
  // Kills the process, fails waiting invocations, answers a parked /next.
  // Idempotent.
  void Stop();

  functions::InvocationResult Invoke(const functions::Batch& batch,
                                     const functions::InvocationContext& context) override;

  const ExternalFunctionOptions& options() const { return options_; }
  int64_t restarts() const;

  // The event Lambda sends for a Kinesis batch (public for tests).
  static std::string KinesisEvent(const functions::Batch& batch, const functions::InvocationContext& context);
  // Reads a handler's response body into a result (public for tests).
  static functions::InvocationResult ParseResponse(std::string_view body);

 private:
  struct Invocation {
    std::string id;
    std::string event;
    int64_t deadline_ms = 0;  // wall clock; set when handed out
    bool taken = false;
    bool done = false;
    functions::InvocationResult result;
  };

  void Handle(gateway::Request& request, gateway::Respond respond);
  // REQUIRES: mu_ held. Moves the next queued invocation to running_.
  gateway::Response HandOutLocked(const std::shared_ptr<Invocation>& invocation);
  void Finish(const std::string& id, functions::InvocationResult result, gateway::Respond respond,
              const gateway::Request& request);
  void Supervise();
  pid_t Spawn();
  void KillProcessLocked();

  const ExternalFunctionOptions options_;
  std::string runtime_api_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Invocation>> queue_;               // guarded by mu_: not yet handed out
  std::map<std::string, std::shared_ptr<Invocation>> running_;  // guarded by mu_: handed out
  std::optional<gateway::Respond> parked_next_;                 // guarded by mu_
  pid_t pid_ = 0;                                               // guarded by mu_
  bool stopping_ = false;                                       // guarded by mu_
  int64_t restarts_ = 0;                                        // guarded by mu_
  std::string init_error_;                                      // guarded by mu_
  std::thread supervisor_;
};

}  // namespace aws::lambda
