// A headless Chromium driven over the DevTools protocol (CDP), for the console's
// browser tests. Starts Debian's `chromium --headless --remote-debugging-port=0`
// in a fresh user-data-dir, reads the port from its DevToolsActivePort file, talks
// CDP over one Boost.Beast websocket (flattened sessions) and, on destruction,
// kills the browser and removes the directory, whatever happened before.
// Every wait is bounded by the deadline given to it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::console_test {

// The browser binary, or empty when none is installed.
std::string FindChromium();

// `bytes` in base64 (RFC 4648, padded): how a key could look inside a request.
std::string Base64(const Bytes& bytes);

// Decodes base64 `data` (a CDP screenshot) into the file at `path`.
Status WriteBase64File(const std::filesystem::path& path, const std::string& data);

class Chromium {
 public:
  // Starts the browser and opens one page (about:blank) attached as a session.
  static Result<std::unique_ptr<Chromium>> Start(std::chrono::milliseconds deadline);
  ~Chromium();
  Chromium(const Chromium&) = delete;
  Chromium& operator=(const Chromium&) = delete;

  // One CDP command on the page's session; its "result", or the CDP error.
  Result<nlohmann::json> Call(const std::string& method, nlohmann::json params,
                              std::chrono::milliseconds deadline);
  // Navigates and waits for the load event.
  Status Navigate(const std::string& url, std::chrono::milliseconds deadline);
  // Evaluates `expression` (awaiting a promise) and returns its value by value.
  Result<nlohmann::json> Evaluate(const std::string& expression, std::chrono::milliseconds deadline);
  // Polls `expression` until it is true.
  Status WaitFor(const std::string& expression, std::chrono::milliseconds deadline);
  // Every CDP event seen so far (console messages, exceptions, log entries, dialogs).
  const std::vector<nlohmann::json>& events() const { return events_; }
  // The events that are errors: exceptions, console.error, error log entries
  // (CSP violations among them) and any JavaScript dialog.
  std::vector<std::string> Errors() const;
  const std::filesystem::path& dir() const { return dir_; }

 private:
  struct Socket;
  Chromium() = default;
  Status Launch(const std::string& binary, std::chrono::milliseconds deadline);
  Result<nlohmann::json> Send(const std::string& method, nlohmann::json params, const std::string& session,
                              std::chrono::milliseconds deadline);

  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::unique_ptr<Socket> socket_;
  std::string session_;
  int64_t next_id_ = 1;
  std::vector<nlohmann::json> events_;
};

}  // namespace shulian::console_test
