// Request targets: splitting "/path?a=1&b=x%20y" into a path and parameters, and
// percent-encoding for the client. Parameters are decoded from
// application/x-www-form-urlencoded ('+' is a space); a repeated name, a bad
// escape or too many parameters are InvalidArgument naming what is wrong.
//
// Thread-safety: pure functions.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace shulian::api {

struct ParsedTarget {
  std::string path;                      // still encoded; segments decoded by SplitPath
  std::map<std::string, std::string> params;  // decoded
};

Result<ParsedTarget> ParseTarget(std::string_view target, size_t params_max, size_t param_bytes_max);

// Percent-decodes one path segment or parameter; '+' means space only in parameters.
Result<std::string> PercentDecode(std::string_view text, bool plus_is_space);

// Encodes everything but unreserved characters (RFC 3986 §2.3).
std::string PercentEncode(std::string_view text);

// "/v1/blocks/7" → {"v1", "blocks", "7"}, each segment decoded. "" segments stay.
Result<std::vector<std::string>> SplitPath(std::string_view path);

}  // namespace shulian::api
