#include "api/errors.h"

#include <array>

namespace shulian::api {
namespace {

struct ErrorRow {
  std::string_view code;
  int http_status;
  ErrorCode error_code;  // what a client reports for this code
};

// Rows for ErrorCodes first, in enum order, then the HTTP layer's own codes.
constexpr std::array<ErrorRow, 21> kErrorTable{{
    {"ok", 200, ErrorCode::kOk},
    {"invalid_argument", 400, ErrorCode::kInvalidArgument},
    {"not_found", 404, ErrorCode::kNotFound},
    {"already_exists", 409, ErrorCode::kAlreadyExists},
    {"permission_denied", 403, ErrorCode::kPermissionDenied},
    {"failed_precondition", 409, ErrorCode::kFailedPrecondition},
    {"out_of_range", 400, ErrorCode::kOutOfRange},
    {"resource_exhausted", 429, ErrorCode::kResourceExhausted},
    {"unavailable", 503, ErrorCode::kUnavailable},
    {"corruption", 500, ErrorCode::kCorruption},
    {"io_error", 500, ErrorCode::kIoError},
    {"internal", 500, ErrorCode::kInternal},
    {kCodeUnauthenticated, 401, ErrorCode::kPermissionDenied},
    {kCodeUnknownRoute, 404, ErrorCode::kNotFound},
    {kCodeMethodNotAllowed, 405, ErrorCode::kInvalidArgument},
    {kCodePayloadTooLarge, 413, ErrorCode::kInvalidArgument},
    {kCodeTargetTooLong, 414, ErrorCode::kInvalidArgument},
    {kCodeRateLimited, 429, ErrorCode::kResourceExhausted},
    {kCodeHeadersTooLarge, 431, ErrorCode::kInvalidArgument},
    {kCodeMalformedRequest, 400, ErrorCode::kInvalidArgument},
    {kCodeTooManyConnections, 503, ErrorCode::kUnavailable},
}};

const ErrorRow* FindRow(std::string_view code) {
  for (const ErrorRow& row : kErrorTable) {
    if (row.code == code) return &row;
  }
  return nullptr;
}

}  // namespace

HttpError HttpErrorFor(ErrorCode code) {
  const auto index = static_cast<size_t>(code);
  if (index == 0 || index > static_cast<size_t>(ErrorCode::kInternal)) {
    return {500, "internal"};
  }
  const ErrorRow& row = kErrorTable[index];
  assert(row.error_code == code);
  return {row.http_status, row.code};
}

int HttpStatusForCode(std::string_view code) {
  const ErrorRow* row = FindRow(code);
  return row == nullptr ? 500 : row->http_status;
}

ErrorCode ErrorCodeFromApi(std::string_view code, int http_status) {
  if (const ErrorRow* row = FindRow(code); row != nullptr && row->error_code != ErrorCode::kOk) {
    return row->error_code;
  }
  switch (http_status) {
    case 400: return ErrorCode::kInvalidArgument;
    case 401:
    case 403: return ErrorCode::kPermissionDenied;
    case 404: return ErrorCode::kNotFound;
    case 409: return ErrorCode::kFailedPrecondition;
    case 429: return ErrorCode::kResourceExhausted;
    case 502:
    case 503:
    case 504: return ErrorCode::kUnavailable;
    default: return http_status >= 400 && http_status < 500 ? ErrorCode::kInvalidArgument : ErrorCode::kInternal;
  }
}

nlohmann::json ErrorJson(std::string_view code, std::string_view message) {
  return {{"error", {{"code", std::string(code)}, {"message", std::string(message)}}}};
}

}  // namespace shulian::api
