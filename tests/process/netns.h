// Linux network namespaces for process tests that need one address per host: each
// Namespace is a `ip netns` of its own, a Bridge lives in one of them, and a
// VethLink joins a host namespace to the bridge with one address. Everything is
// made by the test and removed by the destructors (processes started inside a
// namespace first), and Lab::PreClean removes what a crashed earlier run left under
// the same name prefix. Nothing is created in the test's own namespace: only `ip
// netns add` touches it (the mount under /run/netns). Needs CAP_NET_ADMIN and
// CAP_SYS_ADMIN; NetnsUnavailable says why not, for GTEST_SKIP.
#pragma once

#include <sys/types.h>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace shulian::netns_test {

struct ExecResult {
  int code = -1;       // exit code, or -1 when killed at the deadline or not started
  std::string output;  // stdout and stderr together
};

// Runs argv (no shell) to exit, killing it after timeout_ms.
ExecResult Exec(const std::vector<std::string>& argv, int timeout_ms = 10'000);
// Exec, as a Status naming the command and its output when it fails.
[[nodiscard]] Status Run(const std::vector<std::string>& argv, int timeout_ms = 10'000);

// Why this process cannot make namespaces (no `ip`, no capability, a refusal),
// or nullopt when it can.
std::optional<std::string> NetnsUnavailable();

// One `ip netns`. Processes spawned in it are stopped (SIGTERM, SIGKILL after
// 10 s) before the namespace is deleted.
class Namespace {
 public:
  static Result<std::unique_ptr<Namespace>> Create(const std::string& name);
  ~Namespace();
  Namespace(const Namespace&) = delete;
  Namespace& operator=(const Namespace&) = delete;

  const std::string& name() const { return name_; }
  // `ip -n NAME args...`.
  [[nodiscard]] Status Ip(const std::vector<std::string>& args) const;
  // `ip netns exec NAME argv...` to exit.
  ExecResult Exec(const std::vector<std::string>& argv, int timeout_ms = 10'000) const;
  // `ip netns exec NAME argv...` in the background, stdout and stderr to log_path;
  // killed if the calling thread dies (PR_SET_PDEATHSIG: spawn from the test's
  // main thread, so that is when the test process dies).
  Result<pid_t> Spawn(const std::vector<std::string>& argv, const std::string& log_path);
  // SIGTERM and reap a spawned process (SIGKILL after 10 s); its exit status.
  int Stop(pid_t pid);
  // Runs fn on a thread that entered this namespace (setns), and joins it: sockets
  // fn opens (an in-process CLI or API client) live here.
  void RunInside(const std::function<void()>& fn) const;

 private:
  explicit Namespace(std::string name) : name_(std::move(name)) {}
  std::string name_;
  std::vector<pid_t> pids_;
};

// Enters namespace `name` on the calling thread (for threads the test starts itself).
[[nodiscard]] Status EnterOnThisThread(const std::string& name);

// A bridge `br0` in a namespace of its own.
class Bridge {
 public:
  explicit Bridge(Namespace& ns) : ns_(ns) {}
  [[nodiscard]] Status Create();
  Namespace& ns() const { return ns_; }

 private:
  Namespace& ns_;
};

// A veth pair: `eth0` in `host` with `cidr` (e.g. 10.77.0.1/24), its peer `port`
// in the bridge's namespace, enslaved to the bridge. Removed with the namespaces.
class VethLink {
 public:
  VethLink(Bridge& bridge, Namespace& host, std::string port, std::string cidr)
      : bridge_(bridge), host_(host), port_(std::move(port)), cidr_(std::move(cidr)) {}
  [[nodiscard]] Status Create();
  // The bridge side down (the host sees no carrier; nothing gets through) or up.
  [[nodiscard]] Status SetUp(bool up);
  // The address without the prefix length.
  std::string address() const { return cidr_.substr(0, cidr_.find('/')); }

 private:
  Bridge& bridge_;
  Namespace& host_;
  std::string port_;
  std::string cidr_;
};

// A bridge namespace and `hosts` host namespaces on 10.77.0.0/24 (host i at
// 10.77.0.i; the test's client is one of them), all named PREFIX-PID-ROLE.
class Lab {
 public:
  // Deletes namespaces named PREFIX-<pid>-* whose pid is no longer alive.
  static void PreClean(const std::string& prefix);
  static Result<std::unique_ptr<Lab>> Create(const std::string& prefix,
                                             const std::vector<std::string>& hosts);
  ~Lab();

  Namespace& host(const std::string& role) const;
  VethLink& link(const std::string& role) const;

 private:
  Lab() = default;
  std::unique_ptr<Namespace> bridge_ns_;
  std::unique_ptr<Bridge> bridge_;
  std::vector<std::string> roles_;
  std::vector<std::unique_ptr<Namespace>> hosts_;
  std::vector<std::unique_ptr<VethLink>> links_;
};

}  // namespace shulian::netns_test
