#include "tests/console/chromium.h"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

namespace shulian::console_test {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

}  // namespace

struct Chromium::Socket {
  net::io_context io;
  beast::websocket::stream<net::ip::tcp::socket> ws{io};
};

std::string FindChromium() {
  for (const char* path : {"/usr/bin/chromium", "/usr/bin/chromium-browser"}) {
    if (::access(path, X_OK) == 0) return path;
  }
  return "";
}

std::string Base64(const Bytes& bytes) {
  static const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t n = static_cast<uint32_t>(bytes[i]) << 16;
    if (i + 1 < bytes.size()) n |= static_cast<uint32_t>(bytes[i + 1]) << 8;
    if (i + 2 < bytes.size()) n |= bytes[i + 2];
    out += alphabet[(n >> 18) & 63];
    out += alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=';
    out += i + 2 < bytes.size() ? alphabet[n & 63] : '=';
  }
  return out;
}

Status WriteBase64File(const std::filesystem::path& path, const std::string& data) {
  std::string bytes;
  uint32_t bits = 0;
  int count = 0;
  for (char c : data) {
    const char* alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const char* at = std::strchr(alphabet, c);
    if (c == '=' || c == '\0' || at == nullptr) continue;
    bits = (bits << 6) | static_cast<uint32_t>(at - alphabet);
    count += 6;
    if (count >= 8) {
      count -= 8;
      bytes.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  std::filesystem::create_directories(path.parent_path());
  std::ofstream file(path, std::ios::binary);
  file << bytes;
  return file ? Status::Ok() : Status::Internal("cannot write " + path.string());
}

Result<std::unique_ptr<Chromium>> Chromium::Start(std::chrono::milliseconds deadline) {
  const std::string binary = FindChromium();
  if (binary.empty())
    return Status::NotFound("chromium is not installed (scripts/install-deps.sh installs it)");
  std::unique_ptr<Chromium> browser(new Chromium());
  RETURN_IF_ERROR(browser->Launch(binary, deadline));
  ASSIGN_OR_RETURN(json target, browser->Send("Target.createTarget", {{"url", "about:blank"}}, "", deadline));
  ASSIGN_OR_RETURN(json attached,
                   browser->Send("Target.attachToTarget",
                                 {{"targetId", target["targetId"]}, {"flatten", true}}, "", deadline));
  browser->session_ = attached.value("sessionId", "");
  for (const char* domain : {"Page.enable", "Runtime.enable", "Log.enable"}) {
    RETURN_IF_ERROR(browser->Call(domain, json::object(), deadline).status());
  }
  return browser;
}

Status Chromium::Launch(const std::string& binary, std::chrono::milliseconds deadline) {
  char tmpl[] = "/tmp/shulian-chromium-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) return Status::Internal("mkdtemp failed");
  dir_ = tmpl;
  const std::string profile = "--user-data-dir=" + dir_.string();
  pid_ = ::fork();
  if (pid_ < 0) return Status::Internal("fork failed");
  if (pid_ == 0) {
    // The child: its own process group, so the destructor's kill reaches every helper process.
    ::setpgid(0, 0);
    const std::string log = (dir_ / "chromium.log").string();
    std::FILE* out = std::freopen(log.c_str(), "w", stderr);
    (void)out;
    // --no-sandbox: test containers often run as root, where Chromium's sandbox refuses to start.
    ::execl(binary.c_str(), binary.c_str(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--no-default-browser-check", "--disable-extensions", "--remote-debugging-port=0",
            "--remote-debugging-address=127.0.0.1", "--window-size=1280,800", profile.c_str(), "about:blank",
            static_cast<char*>(nullptr));
    std::_Exit(127);
  }
  // Chromium writes "<port>\n<browser path>\n" once it listens.
  const auto until = Clock::now() + deadline;
  std::string port, path;
  while (Clock::now() < until) {
    std::ifstream file(dir_ / "DevToolsActivePort");
    if (file && std::getline(file, port) && std::getline(file, path) && !path.empty()) break;
    port.clear();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (port.empty()) return Status::Unavailable("chromium wrote no DevToolsActivePort; see " + dir_.string());
  socket_ = std::make_unique<Socket>();
  try {
    net::ip::tcp::resolver resolver(socket_->io);
    net::connect(socket_->ws.next_layer(), resolver.resolve("127.0.0.1", port));
    socket_->ws.handshake("127.0.0.1:" + port, path);
  } catch (const std::exception& error) {
    return Status::Unavailable(std::string("cannot open the DevTools websocket: ") + error.what());
  }
  return Status::Ok();
}

Chromium::~Chromium() {
  if (socket_) {
    beast::error_code ignored;
    socket_->ws.next_layer().close(ignored);
  }
  if (pid_ > 0) {
    ::kill(-pid_, SIGKILL);
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
  }
  if (!dir_.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }
}

Result<json> Chromium::Send(const std::string& method, json params, const std::string& session,
                            std::chrono::milliseconds deadline) {
  const int64_t id = next_id_++;
  json message = {{"id", id}, {"method", method}, {"params", std::move(params)}};
  if (!session.empty()) message["sessionId"] = session;
  beast::error_code error;
  socket_->ws.write(net::buffer(message.dump()), error);
  if (error) return Status::Unavailable("DevTools write: " + error.message());
  const auto until = Clock::now() + deadline;
  while (true) {
    // Sync websocket reads have no timeout; an async read run for the time left has.
    beast::flat_buffer buffer;
    bool done = false;
    socket_->ws.async_read(buffer, [&](beast::error_code e, size_t) {
      error = e;
      done = true;
    });
    socket_->io.restart();
    socket_->io.run_for(std::chrono::duration_cast<std::chrono::milliseconds>(until - Clock::now()));
    if (!done) {
      socket_->ws.next_layer().cancel();
      socket_->io.restart();
      socket_->io.run();
      return Status::Unavailable("no DevTools answer to " + method + " in time");
    }
    if (error) return Status::Unavailable("DevTools read: " + error.message());
    json reply = json::parse(beast::buffers_to_string(buffer.data()), nullptr, false);
    if (reply.is_discarded()) return Status::Internal("DevTools sent invalid JSON");
    if (!reply.contains("id")) {
      events_.push_back(std::move(reply));
      continue;
    }
    if (reply["id"] != id) continue;
    if (reply.contains("error")) return Status::Internal(method + ": " + reply["error"].dump());
    return reply.value("result", json::object());
  }
}

Result<json> Chromium::Call(const std::string& method, json params, std::chrono::milliseconds deadline) {
  return Send(method, std::move(params), session_, deadline);
}

Status Chromium::Navigate(const std::string& url, std::chrono::milliseconds deadline) {
  const size_t seen = events_.size();
  ASSIGN_OR_RETURN(json navigated, Call("Page.navigate", {{"url", url}}, deadline));
  if (navigated.contains("errorText"))
    return Status::Unavailable("navigate: " + navigated["errorText"].dump());
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    for (size_t i = seen; i < events_.size(); ++i) {
      if (events_[i].value("method", "") == "Page.loadEventFired") return Status::Ok();
    }
    // A cheap command lets events arrive while waiting.
    RETURN_IF_ERROR(Call("Runtime.evaluate", {{"expression", "1"}}, deadline).status());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable("no load event for " + url);
}

Result<json> Chromium::Evaluate(const std::string& expression, std::chrono::milliseconds deadline) {
  ASSIGN_OR_RETURN(
      json result,
      Call("Runtime.evaluate", {{"expression", expression}, {"awaitPromise", true}, {"returnByValue", true}},
           deadline));
  if (result.contains("exceptionDetails"))
    return Status::Internal("evaluate: " + result["exceptionDetails"].dump());
  return result["result"].value("value", json());
}

Status Chromium::WaitFor(const std::string& expression, std::chrono::milliseconds deadline) {
  const auto until = Clock::now() + deadline;
  while (Clock::now() < until) {
    ASSIGN_OR_RETURN(json value, Evaluate(expression, deadline));
    if (value == true) return Status::Ok();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return Status::Unavailable("never true: " + expression);
}

std::vector<std::string> Chromium::Errors() const {
  std::vector<std::string> errors;
  for (const json& event : events_) {
    const std::string method = event.value("method", "");
    const json& params = event.contains("params") ? event["params"] : json::object();
    if (method == "Runtime.exceptionThrown" || method == "Page.javascriptDialogOpening") {
      errors.push_back(event.dump());
    } else if (method == "Runtime.consoleAPICalled" && params.value("type", "") == "error") {
      errors.push_back(event.dump());
    } else if (method == "Log.entryAdded" && params.contains("entry") &&
               params["entry"].value("level", "") == "error") {
      errors.push_back(event.dump());
    }
  }
  return errors;
}

}  // namespace shulian::console_test
