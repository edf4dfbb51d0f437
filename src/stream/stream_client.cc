#include "stream/stream_client.h"

#include <future>

namespace stream {

Result<PutResult> StreamClient::PutRecord(const std::string& stream_name, PutEntry entry) {
  std::promise<Result<std::vector<Result<PutResult>>>> promise;
  auto future = promise.get_future();
  std::vector<PutEntry> entries;
  entries.push_back(std::move(entry));
  PutRecords(stream_name, std::move(entries),
             [&promise](Result<std::vector<Result<PutResult>>> result) {
               promise.set_value(std::move(result));
             });
  auto result = future.get();
  if (!result.ok()) return result.TakeStatus();
  return std::move(result.value().front());
}

}  // namespace stream
