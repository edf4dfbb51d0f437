#include "stream/stream_client.h"

#include <future>

namespace stream {

Result<std::vector<Result<PutResult>>> StreamClient::Await(const std::function<void(PutCallback)>& put) {
  std::promise<Result<std::vector<Result<PutResult>>>> promise;
  auto future = promise.get_future();
  put([&promise](Result<std::vector<Result<PutResult>>> result) { promise.set_value(std::move(result)); });
  return future.get();
}

Result<std::vector<Result<PutResult>>> StreamClient::PutRecordsAndWait(const std::string& stream_name,
                                                                       std::vector<PutEntry> entries) {
  return Await([&](PutCallback done) { PutRecords(stream_name, std::move(entries), std::move(done)); });
}

Result<PutResult> StreamClient::PutRecord(const std::string& stream_name, PutEntry entry) {
  std::vector<PutEntry> entries;
  entries.push_back(std::move(entry));
  auto result = PutRecordsAndWait(stream_name, std::move(entries));
  if (!result.ok()) return result.TakeStatus();
  return std::move(result.value().front());
}

}  // namespace stream
