// Incremental decoder of AWS's chunked upload encoding (aws-chunked), which
// newer SDKs and the CLI use for PUT bodies:
//   <hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0[;...]\r\n
//   [trailer-name:value\r\n]* \r\n
// Bytes may arrive split anywhere, so an object of any size decodes with a
// few hundred bytes of state. Signatures are not checked (that is IAM's job).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>

#include "common/status.h"

namespace aws::s3 {

class AwsChunkedDecoder {
 public:
  // Receives decoded data; an error stops decoding and is returned by Feed.
  using Sink = std::function<common::Status(std::string_view)>;

  // Decodes `in`, handing data to `sink` (views into `in` where possible).
  // InvalidArgument "IncompleteBody: ..." on malformed framing.
  common::Status Feed(std::string_view in, const Sink& sink);
  // After the last Feed: InvalidArgument unless the final chunk arrived.
  common::Status Finish() const;

  uint64_t size() const { return size_; }
  // Lower-case names ("x-amz-checksum-crc32").
  const std::map<std::string, std::string>& trailers() const { return trailers_; }

 private:
  enum class State { kHeader, kData, kDataCr, kDataLf, kTrailers, kDone };
  common::Status Line(std::string_view line);

  State state_ = State::kHeader;
  std::string line_;  // a header or trailer line split across Feeds
  uint64_t left_ = 0;  // bytes of the current chunk still to come
  uint64_t size_ = 0;
  std::map<std::string, std::string> trailers_;
};

}  // namespace aws::s3
