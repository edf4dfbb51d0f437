// Runs a real process (tests/functions/runtime_api_handler.py, which speaks
// the Runtime API over HTTP) behind a real gateway listener.
#include "aws/lambda/external_function.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <set>

#include <nlohmann/json.hpp>

#include "gateway/server.h"

namespace aws::lambda {
namespace {

class ExternalFunctionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("external_fn_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (function_) function_->Stop();
    if (server_) server_->Shutdown();
    std::filesystem::remove_all(dir_);
  }

  void Start(int timeout_ms = 5000, std::string env = "", int concurrency = 1) {
    ExternalFunctionOptions options;
    options.name = "py-handler";
    options.handler = "index.handler";
    options.command = env + " HANDLER_MEET_DIR=" + (dir_ / "meet").string() + " HANDLER_LOG=" +
                      (dir_ / "seen.jsonl").string() + " exec /usr/bin/python3 " RIVULET_SOURCE_DIR
                      "/tests/functions/runtime_api_handler.py";
    options.timeout_ms = timeout_ms;
    options.start_timeout_ms = 20'000;
    options.concurrency = concurrency;
    function_ = std::make_shared<ExternalFunction>(options);
    gateway::ServerOptions server_options;
    server_options.threads = 1;
    server_ = std::make_unique<gateway::Server>(server_options);
    for (int i = 0; i < concurrency; ++i) {
      gateway::ListenerOptions listener;
      listener.name = "runtime-api-" + std::to_string(i);
      listener.handler = function_->RuntimeApiHandler(i);
      ASSERT_TRUE(server_->AddListener(listener).ok());
    }
    ASSERT_TRUE(server_->Start().ok());
    std::vector<std::string> endpoints;
    for (int i = 0; i < concurrency; ++i) {
      endpoints.push_back("127.0.0.1:" + std::to_string(server_->port("runtime-api-" + std::to_string(i))));
    }
    ASSERT_TRUE(function_->Start(endpoints).ok());
  }

  // Two invocations of "meet:<place>" at once; each succeeds only if the
  // other was running at the same time.
  std::pair<functions::InvocationResult, functions::InvocationResult> MeetTwice(const std::string& place) {
    auto other = std::async(std::launch::async, [&] { return Invoke({"meet:" + place}); });
    auto mine = Invoke({"meet:" + place});
    return {mine, other.get()};
  }

  // The processes that met at `place`: its files are named <pid>-<request id>.
  std::set<std::string> PidsAt(const std::string& place) {
    std::set<std::string> pids;
    for (const auto& entry : std::filesystem::directory_iterator(dir_ / "meet" / place)) {
      std::string name = entry.path().filename().string();
      pids.insert(name.substr(0, name.find('-')));
    }
    return pids;
  }

  functions::InvocationResult Invoke(std::vector<std::string> data) {
    functions::Batch batch{"clicks", "shardId-000000000001", {}};
    for (size_t i = 0; i < data.size(); ++i) {
      batch.records.push_back({std::to_string(1000 + i), "key-" + std::to_string(i), data[i], 1'700'000'000'123});
    }
    return function_->Invoke(batch, functions::InvocationContext{"py-handler", "m-1", 1, std::nullopt});
  }

  std::vector<nlohmann::json> Seen() {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "seen.jsonl");
    for (std::string line; std::getline(in, line);) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::filesystem::path dir_;
  std::shared_ptr<ExternalFunction> function_;
  std::unique_ptr<gateway::Server> server_;
};

TEST_F(ExternalFunctionTest, TheProcessGetsAKinesisEventAndItsEnvironment) {
  Start();
  auto result = Invoke({"hello", "wörld"});
  ASSERT_EQ(result.kind, functions::InvocationResult::Kind::kSuccess) << result.error;
  auto seen = Seen();
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]["seq"], "1000");
  EXPECT_EQ(seen[0]["key"], "key-0");
  EXPECT_EQ(seen[1]["data"], "wörld");
  EXPECT_EQ(seen[0]["arn"], "arn:aws:kinesis:us-east-1:000000000000:stream/clicks");
  EXPECT_EQ(seen[0]["source"], "aws:kinesis");
  EXPECT_EQ(seen[0]["id"], "shardId-000000000001:1000");
  EXPECT_EQ(seen[0]["handler"], "index.handler");
  EXPECT_EQ(seen[0]["name"], "py-handler");
}

TEST_F(ExternalFunctionTest, ErrorsAndItemFailuresComeBack) {
  Start();
  auto failed = Invoke({"a", "error"});
  EXPECT_EQ(failed.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_NE(failed.error.find("HandlerError: asked to fail"), std::string::npos) << failed.error;
  auto partial = Invoke({"a", "item", "b", "item"});
  ASSERT_EQ(partial.kind, functions::InvocationResult::Kind::kPartialFailure);
  EXPECT_EQ(partial.failed_sequence_numbers, (std::vector<std::string>{"1001", "1003"}));
}

TEST_F(ExternalFunctionTest, ATimedOutInvocationFailsAndTheProcessIsRestarted) {
  // The limit also binds the fresh process's first invocation: 300 ms was
  // too little for it on a 2-core machine running ASan tests beside it.
  Start(/*timeout_ms=*/1000);
  auto timed_out = Invoke({"sleep"});
  EXPECT_EQ(timed_out.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_NE(timed_out.error.find("Task timed out after 1.00 seconds"), std::string::npos) << timed_out.error;
  // A fresh process serves the next invocation.
  auto ok = Invoke({"after"});
  EXPECT_EQ(ok.kind, functions::InvocationResult::Kind::kSuccess) << ok.error;
  EXPECT_GE(function_->restarts(), 1);
}

TEST_F(ExternalFunctionTest, TwoProcessesServeTwoInvocationsAtOnce) {
  Start(/*timeout_ms=*/10'000, "", /*concurrency=*/2);
  auto [a, b] = MeetTwice("first");
  EXPECT_EQ(a.kind, functions::InvocationResult::Kind::kSuccess) << a.error;
  EXPECT_EQ(b.kind, functions::InvocationResult::Kind::kSuccess) << b.error;
  EXPECT_EQ(PidsAt("first").size(), 2u);
}

TEST_F(ExternalFunctionTest, OneProcessRunsOneInvocationAtATime) {
  // With one process the second "meet" only starts after the first gave up.
  Start(/*timeout_ms=*/1500, "", /*concurrency=*/1);
  auto [a, b] = MeetTwice("alone");
  EXPECT_EQ(a.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_EQ(b.kind, functions::InvocationResult::Kind::kFailure);
}

TEST_F(ExternalFunctionTest, ACrashFailsOnlyItsInvocationAndTheProcessIsReplaced) {
  Start(/*timeout_ms=*/10'000, "", /*concurrency=*/2);
  auto crashed = Invoke({"crash"});
  ASSERT_EQ(crashed.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_NE(crashed.error.find("exited with code 3"), std::string::npos) << crashed.error;
  std::string crashed_pid;
  std::ifstream(dir_ / "seen.jsonl.crashed") >> crashed_pid;
  ASSERT_FALSE(crashed_pid.empty());
  // Both environments serve again, the crashed one with a fresh process.
  auto [a, b] = MeetTwice("after-crash");
  EXPECT_EQ(a.kind, functions::InvocationResult::Kind::kSuccess) << a.error;
  EXPECT_EQ(b.kind, functions::InvocationResult::Kind::kSuccess) << b.error;
  auto pids = PidsAt("after-crash");
  EXPECT_EQ(pids.size(), 2u);
  EXPECT_EQ(pids.count(crashed_pid), 0u);
  EXPECT_GE(function_->restarts(), 1);
  auto retried = Invoke({"crash"});  // the retry of the crashed batch now succeeds
  EXPECT_EQ(retried.kind, functions::InvocationResult::Kind::kSuccess) << retried.error;
}

TEST_F(ExternalFunctionTest, WithoutStartAnInvocationFailsAtOnce) {
  ExternalFunctionOptions options;
  options.name = "elsewhere";
  options.command = "exit 1";
  options.concurrency = 2;
  ExternalFunction function(options);
  functions::Batch batch{"clicks", "shardId-000000000001", {{"1", "k", "x", 0}}};
  auto result = function.Invoke(batch, functions::InvocationContext{"elsewhere", "m-1", 1, std::nullopt});
  EXPECT_EQ(result.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_NE(result.error.find("do not run on this node"), std::string::npos) << result.error;
  EXPECT_FALSE(function.Start({"127.0.0.1:1"}).ok());  // one endpoint per environment
}

TEST_F(ExternalFunctionTest, AnInitErrorIsReportedWithTheFailedInvocation) {
  Start(5000, "HANDLER_INIT_ERROR=1");
  // Restarts keep failing; the invocation gives up after the start timeout.
  function_->Stop();
  function_ = nullptr;
  ExternalFunctionOptions options;
  options.name = "broken";
  options.command = "HANDLER_INIT_ERROR=1 exec /usr/bin/python3 " RIVULET_SOURCE_DIR
                    "/tests/functions/runtime_api_handler.py";
  options.timeout_ms = 200;
  options.start_timeout_ms = 1500;
  auto broken = std::make_shared<ExternalFunction>(options);
  server_->Shutdown();
  server_ = std::make_unique<gateway::Server>(gateway::ServerOptions{});
  gateway::ListenerOptions listener;
  listener.name = "runtime-api";
  listener.handler = broken->RuntimeApiHandler();
  ASSERT_TRUE(server_->AddListener(listener).ok());
  ASSERT_TRUE(server_->Start().ok());
  ASSERT_TRUE(broken->Start({"127.0.0.1:" + std::to_string(server_->port("runtime-api"))}).ok());
  functions::Batch batch{"clicks", "shardId-000000000001", {{"1", "k", "x", 0}}};
  auto result = broken->Invoke(batch, functions::InvocationContext{"broken", "m-1", 1, std::nullopt});
  EXPECT_EQ(result.kind, functions::InvocationResult::Kind::kFailure);
  EXPECT_NE(result.error.find("Runtime.ImportModuleError: cannot load handler"), std::string::npos) << result.error;
  broken->Stop();
}

TEST(ExternalFunctionResponse, TumblingWindowStateAndMalformedFailures) {
  auto with_state = ExternalFunction::ParseResponse(R"({"state":{"sum":3},"batchItemFailures":[]})");
  EXPECT_EQ(with_state.kind, functions::InvocationResult::Kind::kSuccess);
  EXPECT_EQ(with_state.window_state, R"({"sum":3})");
  EXPECT_EQ(ExternalFunction::ParseResponse(R"({"batchItemFailures":[{}]})").kind,
            functions::InvocationResult::Kind::kFailure);
  EXPECT_EQ(ExternalFunction::ParseResponse("null").kind, functions::InvocationResult::Kind::kSuccess);
}

}  // namespace
}  // namespace aws::lambda
