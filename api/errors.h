// The one table that maps Shulian errors to HTTP: each ErrorCode gets an HTTP
// status and a stable JSON code string, and the API's own refusals (bad route,
// bad signature, rate limit, oversized body) get theirs. The server renders
// every error as {"error":{"code":"...","message":"..."}}; the client maps the
// code back to an ErrorCode so that callers see the server's Status.
//
// The code strings are part of the API: never rename or reuse one.
//
// Thread-safety: pure functions over constant tables.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace shulian::api {

struct HttpError {
  int http_status = 500;
  std::string_view code;  // stable JSON code, e.g. "invalid_argument"
};

// Codes the HTTP layer itself produces (not ErrorCodes).
inline constexpr std::string_view kCodeUnauthenticated = "unauthenticated";         // 401
inline constexpr std::string_view kCodeUnknownRoute = "unknown_route";              // 404
inline constexpr std::string_view kCodeMethodNotAllowed = "method_not_allowed";     // 405
inline constexpr std::string_view kCodePayloadTooLarge = "payload_too_large";       // 413
inline constexpr std::string_view kCodeTargetTooLong = "target_too_long";           // 414
inline constexpr std::string_view kCodeRateLimited = "rate_limited";                // 429
inline constexpr std::string_view kCodeHeadersTooLarge = "headers_too_large";       // 431
inline constexpr std::string_view kCodeMalformedRequest = "malformed_request";      // 400
inline constexpr std::string_view kCodeTooManyConnections = "too_many_connections"; // 503

// The HTTP status and JSON code of a non-OK status's ErrorCode.
HttpError HttpErrorFor(ErrorCode code);

// The HTTP status of one of the codes above or of an ErrorCode's code string;
// 500 for an unknown string.
int HttpStatusForCode(std::string_view code);

// The ErrorCode a client should report for a JSON code; for an unknown code, a
// guess from the HTTP status.
ErrorCode ErrorCodeFromApi(std::string_view code, int http_status);

// {"error":{"code":code,"message":message}}
nlohmann::json ErrorJson(std::string_view code, std::string_view message);

}  // namespace shulian::api
