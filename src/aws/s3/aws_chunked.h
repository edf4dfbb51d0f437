// Incremental decoder of AWS's chunked upload encoding (aws-chunked), which
// newer SDKs and the CLI use for PUT bodies:
//   <hex size>[;chunk-signature=...]\r\n<bytes>\r\n ... 0[;...]\r\n
//   [trailer-name:value\r\n]* \r\n
// Bytes may arrive split anywhere, so an object of any size decodes with a
// few hundred bytes of state. With a verifier (bodies sent as
// STREAMING-AWS4-HMAC-SHA256-PAYLOAD) every chunk's chunk-signature is
// checked as its last byte arrives; in the -TRAILER form the trailing
// headers must end with an x-amz-trailer-signature that signs them, checked
// when the trailers end (the final empty line, or Finish).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "gateway/http.h"
#include "objects/digest.h"

namespace aws::s3 {

class AwsChunkedDecoder {
 public:
  // Receives decoded data; an error stops decoding and is returned by Feed.
  using Sink = std::function<common::Status(std::string_view)>;

  // `verifier` (may be null: signatures are then not checked) must outlive
  // the decoder.
  explicit AwsChunkedDecoder(gateway::ChunkVerifier* verifier = nullptr) : verifier_(verifier) {}

  // Decodes `in`, handing data to `sink` (views into `in` where possible).
  // InvalidArgument "IncompleteBody: ..." on malformed framing.
  common::Status Feed(std::string_view in, const Sink& sink);
  // After the last Feed: InvalidArgument unless the final chunk arrived;
  // PermissionDenied "SignatureDoesNotMatch: ..." when a signed trailer's
  // x-amz-trailer-signature is missing or wrong.
  common::Status Finish();

  uint64_t size() const { return size_; }
  // Lower-case names ("x-amz-checksum-crc32"), without
  // x-amz-trailer-signature.
  const std::map<std::string, std::string>& trailers() const { return trailers_; }

 private:
  enum class State { kHeader, kData, kDataCr, kDataLf, kTrailers, kDone };
  common::Status Line(std::string_view line);
  // Checks the chunk that just ended against its chunk-signature.
  common::Status VerifyChunk();
  // The trailers have ended: checks x-amz-trailer-signature when the
  // verifier asks for it. Runs once.
  common::Status EndTrailers();

  State state_ = State::kHeader;
  std::string line_;  // a header or trailer line split across Feeds
  uint64_t left_ = 0;  // bytes of the current chunk still to come
  uint64_t size_ = 0;
  std::map<std::string, std::string> trailers_;
  std::optional<std::string> trailer_signature_;
  bool trailers_checked_ = false;
  bool skipped_blank_ = false;
  gateway::ChunkVerifier* verifier_;
  std::string signature_;               // the current chunk's, when verifying
  std::unique_ptr<objects::Digest> sha_;  // the current chunk's SHA-256, when verifying
};

}  // namespace aws::s3
