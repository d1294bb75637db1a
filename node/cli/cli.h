// The `shulian` command-line tool: keys, network generation, every transaction
// type, every query, supervisors' trace commands and the sample scenario, over
// the HTTP API (api/client.h). This header is the tool's entry point; main.cc
// only adapts argv and the process environment to RunCli, so tests run the
// whole tool in-process and check its output and exit code.
//
// Exit codes (documented in docs/cli.md):
//   0  ok
//   1  the operation failed: the ledger rejected the transaction, the server
//      refused the request (permission, not found, conflict), a file could not
//      be written
//   2  usage or bad input: unknown command or option, missing or malformed value,
//      a body the ledger's own decoder refuses (nothing was sent)
//   3  the server could not be reached or is unavailable (no leader, 503)
//   4  verification failed: a signature or genesis file does not check out
//
// Ownership: RunCli owns everything it creates; the streams are borrowed.
// Thread-safety: RunCli keeps no global state; concurrent calls are safe as long
// as they write to different streams.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "common/status.h"

namespace shulian::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitUnreachable = 3;
inline constexpr int kExitVerificationFailed = 4;

// What the tool may read of its process: environment variables, the home
// directory (for ~/.config/shulian/cli.json) and the clock.
struct Environment {
  std::map<std::string, std::string> variables;
  std::string home;
  std::function<int64_t()> now_ms;  // Unix ms; the system clock when empty
};

// A verification failure (exit 4) travels as this status code.
inline constexpr ErrorCode kVerificationFailedCode = ErrorCode::kCorruption;
inline Status VerificationFailed(std::string message) {
  return Status(kVerificationFailedCode, std::move(message));
}

// The exit code for a command's final status (see the table above).
int ExitCodeFor(const Status& status);

// Runs one invocation; `args` excludes the program name. Results go to `out`,
// errors (one line, "shulian: <message>") to `err`.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const Environment& env);

}  // namespace shulian::cli
