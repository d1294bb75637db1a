// Structured, levelled log lines for the node's components.
//
// One event is one line on stderr (or the installed sink), fields as key=value:
//   ts=2026-03-01T08:00:00.123Z level=warn component=transport peer=2 msg="handshake refused: ..."
// Values with spaces, quotes, '=' or control characters are quoted and escaped, so a
// line always parses back into the same fields. Never log secrets (keys, seeds,
// session keys, plaintext payloads): log ids, sizes, counts and reasons.
//
// Thread-safety: every function may be called from any thread; lines are written
// whole (one mutex serialises the sink) and never interleave.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shulian::node {

enum class LogLevel : int { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::string_view LogLevelName(LogLevel level);
// "debug", "info", "warn" or "error"; false for anything else.
bool ParseLogLevel(std::string_view text, LogLevel* level);

// Lines below this level are discarded. Default: kInfo.
void SetMinLogLevel(LogLevel level);
LogLevel MinLogLevel();

// Replaces where lines go (each call receives one line without its newline); an
// empty function restores stderr. For tests that check what was logged.
void SetLogSink(std::function<void(const std::string& line)> sink);

using LogFields = std::vector<std::pair<std::string, std::string>>;

// Logs one event. `fields` come after level and component, `message` last as msg.
void Log(LogLevel level, std::string_view component, std::string_view message, const LogFields& fields = {});

// The line Log would write, without the timestamp (exposed for tests).
std::string FormatLogLine(LogLevel level, std::string_view component, std::string_view message,
                          const LogFields& fields);

}  // namespace shulian::node
