// RemoteStreamClient: the StreamClient interface over the Kinesis Data
// Streams JSON 1.1 protocol, for real Amazon Kinesis or any service that
// speaks it (another Rivulet's :4566, kinesalite).
//
// Kinesis has no push for GetRecords consumers, so Subscribe() polls: every
// poll interval it wakes the subscriber for each open shard (the reader then
// calls GetRecords, as the Kinesis Client Library does). PutRecords runs on a
// small pool of caller threads so that `done` never runs on the thread that
// called it and an I/O thread is never blocked by the network.
//
// Thread safety: every method may be called from any thread concurrently.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "aws/remote/aws_http.h"
#include "stream/stream_client.h"

namespace aws::remote {

struct RemoteStreamOptions {
  EndpointOptions endpoint;  // service "kinesis"
  int put_threads = 4;
  std::chrono::milliseconds poll_interval{200};
};

class RemoteStreamClient final : public stream::StreamClient {
 public:
  explicit RemoteStreamClient(RemoteStreamOptions options);
  ~RemoteStreamClient() override;

  common::Status CreateStream(const std::string& name, int shard_count, stream::StreamMode mode) override;
  common::Status DeleteStream(const std::string& name) override;
  common::Result<stream::StreamDescription> DescribeStream(const std::string& name) override;
  common::Result<std::vector<std::string>> ListStreams() override;
  void PutRecords(const std::string& stream_name, std::vector<stream::PutEntry> entries,
                  PutCallback done) override;
  common::Result<std::string> GetShardIterator(const stream::IteratorRequest& request) override;
  common::Result<stream::GetRecordsResult> GetRecords(const std::string& shard_iterator, int limit) override;
  common::Result<std::unique_ptr<stream::Subscription>> Subscribe(const std::string& stream_name,
                                                                  stream::NewRecordsCallback callback) override;

  const RemoteCallStats& stats() const { return http_.stats(); }
  void Cancel() { http_.Cancel(); }

  // Sends one Kinesis operation; the parsed JSON answer text, or the AWS
  // error mapped to a Status (see the table in stream_client.h).
  common::Result<std::string> Call(std::string_view operation, std::string body);

 private:
  class Poller;
  void RunPuts();
  // When the stream was created (cached: it never changes for a name's life).
  common::Result<int64_t> CreationMillis(const std::string& stream_name);

  RemoteStreamOptions options_;
  AwsHttp http_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> puts_;  // guarded by mu_
  bool stop_ = false;                       // guarded by mu_
  std::map<std::string, int64_t> creation_millis_;  // guarded by mu_
  std::vector<std::thread> put_threads_;
};

// Maps an AWS error code to our Status codes (shared by the remote clients).
common::Status StatusFromAwsError(const HttpResponse& response, std::string_view service);

}  // namespace aws::remote
