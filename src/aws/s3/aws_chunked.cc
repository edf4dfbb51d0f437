#include "aws/s3/aws_chunked.h"

#include <algorithm>
#include <cctype>
#include <memory>
#include <string>

#include "common/sha256.h"

namespace aws::s3 {
namespace {

// A chunk header or trailer line is short; anything longer is not aws-chunked.
constexpr size_t kMaxLine = 4096;

common::Status Bad(std::string_view why) {
  return common::Status::InvalidArgument("IncompleteBody: aws-chunked body: " + std::string(why));
}

common::Status BadSignature(std::string_view why) {
  return common::Status::PermissionDenied("SignatureDoesNotMatch: " + std::string(why));
}

int Hex(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

common::Status AwsChunkedDecoder::Line(std::string_view line) {
  if (state_ == State::kHeader) {
    std::string_view hex = line.substr(0, line.find(';'));
    if (hex.empty() || hex.size() > 15) return Bad("bad chunk size");
    uint64_t n = 0;
    for (char c : hex) {
      int v = Hex(c);
      if (v < 0) return Bad("bad chunk size");
      n = n * 16 + static_cast<uint64_t>(v);
    }
    left_ = n;
    state_ = n == 0 ? State::kTrailers : State::kData;
    if (verifier_ != nullptr) {
      constexpr std::string_view kKey = ";chunk-signature=";
      size_t at = line.find(kKey);
      if (at == std::string_view::npos) return BadSignature("a chunk of a signed streaming body has no chunk-signature");
      signature_ = std::string(line.substr(at + kKey.size()));
      sha_ = std::make_unique<objects::Digest>(objects::Digest::Kind::kSha256);
      if (n == 0) return VerifyChunk();
    }
    return common::Status::OK();
  }
  // Trailers ("x-amz-checksum-crc32:AAAAAA==") up to an empty line.
  if (line.empty()) {
    // Some signers put an empty line between the final chunk and signed
    // trailers (as printed in a version of the S3 API reference): skipped
    // once, as long as no trailer came yet.
    if (verifier_ != nullptr && verifier_->SignsTrailer() && trailers_.empty() && !trailer_signature_ &&
        !skipped_blank_) {
      skipped_blank_ = true;
      return common::Status::OK();
    }
    state_ = State::kDone;
    return EndTrailers();
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return Bad("trailer without ':'");
  std::string name(line.substr(0, colon));
  for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  if (name == "x-amz-trailer-signature") {
    trailer_signature_ = std::string(value);
  } else {
    trailers_[name] = std::string(value);
  }
  return common::Status::OK();
}

common::Status AwsChunkedDecoder::EndTrailers() {
  if (trailers_checked_ || verifier_ == nullptr || !verifier_->SignsTrailer()) return common::Status::OK();
  if (!trailer_signature_) {
    return BadSignature("the trailing headers of a STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER body end without "
                        "x-amz-trailer-signature");
  }
  // The signed text is each trailing header as "name:value\n", names in
  // lower case and in order (S3 API reference, sigv4-streaming-trailers;
  // the SDKs that sign trailers sort them as canonical headers are sorted).
  std::string canonical;
  for (const auto& [name, value] : trailers_) canonical += name + ":" + value + "\n";
  if (!verifier_->VerifyTrailer(common::Sha256Hex(canonical), *trailer_signature_)) {
    return BadSignature("The x-amz-trailer-signature does not match what was computed over the trailing headers");
  }
  trailers_checked_ = true;
  return common::Status::OK();
}

common::Status AwsChunkedDecoder::Feed(std::string_view in, const Sink& sink) {
  while (!in.empty()) {
    switch (state_) {
      case State::kHeader:
      case State::kTrailers: {
        size_t nl = in.find('\n');
        std::string_view part = in.substr(0, nl == std::string_view::npos ? in.size() : nl + 1);
        in.remove_prefix(part.size());
        if (line_.size() + part.size() > kMaxLine) return Bad("line too long");
        line_.append(part);
        if (nl == std::string_view::npos) break;
        if (line_.size() < 2 || line_[line_.size() - 2] != '\r') return Bad("line without CRLF");
        std::string line = std::move(line_);
        line_.clear();
        line.resize(line.size() - 2);
        RETURN_IF_ERROR(Line(line));
        break;
      }
      case State::kData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(left_, in.size()));
        if (sha_) sha_->Update(in.substr(0, n));
        RETURN_IF_ERROR(sink(in.substr(0, n)));
        in.remove_prefix(n);
        left_ -= n;
        size_ += n;
        if (left_ == 0) {
          state_ = State::kDataCr;
          if (sha_) RETURN_IF_ERROR(VerifyChunk());
        }
        break;
      }
      case State::kDataCr:
        if (in.front() != '\r') return Bad("chunk longer than its size");
        in.remove_prefix(1);
        state_ = State::kDataLf;
        break;
      case State::kDataLf:
        if (in.front() != '\n') return Bad("chunk longer than its size");
        in.remove_prefix(1);
        state_ = State::kHeader;
        break;
      case State::kDone:
        return common::Status::OK();  // anything after the final empty line is ignored
    }
  }
  return common::Status::OK();
}

common::Status AwsChunkedDecoder::VerifyChunk() {
  std::string sha = objects::HexEncode(sha_->Finish());
  sha_.reset();
  if (!verifier_->Verify(sha, signature_)) {
    return BadSignature("The chunk-signature of the chunk ending at byte " + std::to_string(size_) +
                        " does not match what was computed");
  }
  return common::Status::OK();
}

common::Status AwsChunkedDecoder::Finish() {
  // The final empty line after the trailers is optional, as some clients omit it.
  if (state_ == State::kDone || (state_ == State::kTrailers && line_.empty())) return EndTrailers();
  if (state_ == State::kHeader && line_.empty()) return Bad("the final 0-size chunk is missing");
  return Bad("the body ends inside a chunk");
}

}  // namespace aws::s3
