// Status and Result<T>: the one way every Rivulet function reports failure.
//
// A Status is a code from a short fixed list plus a message written for a
// person ("PartitionKey is 300 bytes; the limit is 256"). Each protocol edge
// (AWS JSON, S3 XML, /api/ problem JSON) has one function that maps a Status
// to its wire shape; inner layers only pass Statuses up.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace common {

class [[nodiscard]] Status {
 public:
  // Append only: codes are written into checkpoints and failure records.
  enum class Code : unsigned char {
    kOk = 0,
    kNotFound = 1,
    kInvalidArgument = 2,
    kConditionFailed = 3,
    kThrottled = 4,
    kPermissionDenied = 5,
    kCorruption = 6,
    kIOError = 7,
    kInternal = 8,
    kAlreadyExists = 9,
    kResourceInUse = 10,
    kLimitExceeded = 11,
    kExpired = 12,
    kUnauthenticated = 13,
    kUnavailable = 14,
  };

  Status() = default;  // OK

  static Status OK() { return Status(); }
  static Status NotFound(std::string msg) { return {Code::kNotFound, std::move(msg)}; }
  static Status InvalidArgument(std::string msg) { return {Code::kInvalidArgument, std::move(msg)}; }
  static Status ConditionFailed(std::string msg) { return {Code::kConditionFailed, std::move(msg)}; }
  static Status Throttled(std::string msg) { return {Code::kThrottled, std::move(msg)}; }
  static Status PermissionDenied(std::string msg) { return {Code::kPermissionDenied, std::move(msg)}; }
  static Status Corruption(std::string msg) { return {Code::kCorruption, std::move(msg)}; }
  static Status IOError(std::string msg) { return {Code::kIOError, std::move(msg)}; }
  static Status Internal(std::string msg) { return {Code::kInternal, std::move(msg)}; }
  static Status AlreadyExists(std::string msg) { return {Code::kAlreadyExists, std::move(msg)}; }
  static Status ResourceInUse(std::string msg) { return {Code::kResourceInUse, std::move(msg)}; }
  static Status LimitExceeded(std::string msg) { return {Code::kLimitExceeded, std::move(msg)}; }
  static Status Expired(std::string msg) { return {Code::kExpired, std::move(msg)}; }
  static Status Unauthenticated(std::string msg) { return {Code::kUnauthenticated, std::move(msg)}; }
  static Status Unavailable(std::string msg) { return {Code::kUnavailable, std::move(msg)}; }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  bool IsNotFound() const { return code_ == Code::kNotFound; }
  bool IsInvalidArgument() const { return code_ == Code::kInvalidArgument; }
  bool IsConditionFailed() const { return code_ == Code::kConditionFailed; }

  // "InvalidArgument: PartitionKey is 300 bytes; the limit is 256", or "OK".
  std::string ToString() const;

  // Prefixes the message with context: "segment 00042: " + message.
  Status WithContext(std::string_view context) const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string msg) : code_(code), message_(std::move(msg)) {}

  Code code_ = Code::kOk;
  std::string message_;
};

std::string_view CodeName(Status::Code code);

// Result<T> holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : data_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : data_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(data_).ok() && "Result needs a value or an error");
  }

  bool ok() const { return std::holds_alternative<T>(data_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(data_);
  }
  Status TakeStatus() { return ok() ? Status::OK() : std::move(std::get<Status>(data_)); }

  // REQUIRES: ok().
  T& value() & { assert(ok()); return std::get<T>(data_); }
  const T& value() const& { assert(ok()); return std::get<T>(data_); }
  T&& value() && { assert(ok()); return std::get<T>(std::move(data_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> data_;
};

}  // namespace common

#define RIVULET_CONCAT_INNER(a, b) a##b
#define RIVULET_CONCAT(a, b) RIVULET_CONCAT_INNER(a, b)

// Returns from the enclosing function if `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                         \
  do {                                                \
    ::common::Status rivulet_status_ = (expr);        \
    if (!rivulet_status_.ok()) return rivulet_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, MakeX());` declares x from a Result<T> or returns
// its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(RIVULET_CONCAT(rivulet_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.TakeStatus();     \
  lhs = std::move(tmp).value()
