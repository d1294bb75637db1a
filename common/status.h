// Status and Result<T>: how every fallible call in Shulian reports failure.
//
// Errors are values. A function that can fail for reasons outside the program's
// control (bad input, I/O, corruption, a full queue) returns Status or Result<T>;
// both are [[nodiscard]], so an ignored error is a compile error. Programmer
// errors (broken invariants) are not Status: they assert and crash.
//
// Thread-safety: values; no shared state.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace shulian {

// Stable codes: the API maps them to HTTP statuses and JSON error codes, and the
// ledger records them in rejection reasons, so never renumber or reuse one.
enum class ErrorCode : uint8_t {
  kOk = 0,
  kInvalidArgument = 1,     // malformed or out-of-range input from a caller
  kNotFound = 2,            // the thing asked for does not exist
  kAlreadyExists = 3,       // a create found the thing already there
  kPermissionDenied = 4,    // the caller may not do this
  kFailedPrecondition = 5,  // valid request, wrong state for it
  kOutOfRange = 6,          // index or size past the end
  kResourceExhausted = 7,   // a bounded queue or limit is full
  kUnavailable = 8,         // try again later (no leader, shutting down)
  kCorruption = 9,          // persistent data fails its checks
  kIoError = 10,            // the operating system said no
  kInternal = 11,           // should not happen; carries diagnostics
};

std::string_view ErrorCodeName(ErrorCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {
    assert(code != ErrorCode::kOk);
  }

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) { return {ErrorCode::kInvalidArgument, std::move(m)}; }
  static Status NotFound(std::string m) { return {ErrorCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {ErrorCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) { return {ErrorCode::kPermissionDenied, std::move(m)}; }
  static Status FailedPrecondition(std::string m) { return {ErrorCode::kFailedPrecondition, std::move(m)}; }
  static Status OutOfRange(std::string m) { return {ErrorCode::kOutOfRange, std::move(m)}; }
  static Status ResourceExhausted(std::string m) { return {ErrorCode::kResourceExhausted, std::move(m)}; }
  static Status Unavailable(std::string m) { return {ErrorCode::kUnavailable, std::move(m)}; }
  static Status Corruption(std::string m) { return {ErrorCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {ErrorCode::kIoError, std::move(m)}; }
  static Status Internal(std::string m) { return {ErrorCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == ErrorCode::kOk; }
  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "InvalidArgument: <message>", or "OK".
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly drops a status where ignoring it is the intended behaviour.
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  ErrorCode code_ = ErrorCode::kOk;
  std::string message_;
};

// Either a T or a non-OK Status. Accessing the value of an error is a bug (asserts).
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : state_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(state_).ok() && "Result built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(state_); }

  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(state_);
  }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }

  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> state_;
};

}  // namespace shulian

#define SHULIAN_CONCAT_INNER(a, b) a##b
#define SHULIAN_CONCAT(a, b) SHULIAN_CONCAT_INNER(a, b)

// Returns the Status of `expr` from the enclosing function if it is not OK.
#define RETURN_IF_ERROR(expr)                       \
  do {                                              \
    ::shulian::Status shulian_status_ = (expr);     \
    if (!shulian_status_.ok()) return shulian_status_; \
  } while (0)

// `ASSIGN_OR_RETURN(auto x, F());` declares x from a Result or returns its error.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(SHULIAN_CONCAT(shulian_result_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return tmp.status();         \
  lhs = std::move(tmp).value()
