#include "tests/process/netns.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace shulian::netns_test {
namespace {

constexpr int kStopWaitMs = 10'000;
constexpr int kCapNetAdmin = 12;
constexpr int kCapSysAdmin = 21;

// `ip` from PATH or the usual sbin folders (root's PATH may not be inherited).
std::string IpBinary() {
  std::vector<std::string> dirs;
  if (const char* path = getenv("PATH")) {
    std::stringstream list(path);
    for (std::string dir; std::getline(list, dir, ':');) dirs.push_back(dir);
  }
  for (const char* dir : {"/usr/sbin", "/sbin", "/usr/bin", "/bin"}) dirs.emplace_back(dir);
  for (const std::string& dir : dirs) {
    const std::string candidate = dir + "/ip";
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

std::vector<char*> Argv(const std::vector<std::string>& argv) {
  std::vector<char*> out;
  for (const std::string& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
  out.push_back(nullptr);
  return out;
}

std::string Joined(const std::vector<std::string>& argv) {
  std::string text;
  for (const std::string& arg : argv) text += (text.empty() ? "" : " ") + arg;
  return text;
}

bool Reap(pid_t pid, int wait_ms, int* status) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    if (waitpid(pid, status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

int StopPid(pid_t pid) {
  int status = 0;
  kill(pid, SIGTERM);
  if (!Reap(pid, kStopWaitMs, &status)) {
    kill(pid, SIGKILL);
    waitpid(pid, &status, 0);
  }
  return status;
}

// The effective capability set of this process has bit `cap`.
bool HasCapability(int cap) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.rfind("CapEff:", 0) != 0) continue;
    const uint64_t bits = std::stoull(line.substr(7), nullptr, 16);
    return (bits >> cap) & 1;
  }
  return false;
}

// Running (not gone, not a zombie that is only waiting to be reaped).
bool Alive(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t end = line.rfind(')');
  return end != std::string::npos && end + 2 < line.size() && line[end + 2] != 'Z';
}

std::vector<std::string> IpArgs(std::vector<std::string> args) {
  args.insert(args.begin(), IpBinary());
  return args;
}

}  // namespace

ExecResult Exec(const std::vector<std::string>& argv, int timeout_ms) {
  ExecResult result;
  int pipe_fds[2];
  if (argv.empty() || pipe2(pipe_fds, O_CLOEXEC) != 0) return result;
  const pid_t pid = fork();
  if (pid < 0) return result;
  if (pid == 0) {
    dup2(pipe_fds[1], 1);
    dup2(pipe_fds[1], 2);
    std::vector<char*> args = Argv(argv);
    execv(args[0], args.data());
    _exit(127);
  }
  close(pipe_fds[1]);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool killed = false;
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      killed = true;
      break;
    }
    pollfd poll_fd{pipe_fds[0], POLLIN, 0};
    if (poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) continue;
    char buffer[4096];
    const ssize_t n = read(pipe_fds[0], buffer, sizeof buffer);
    if (n <= 0) break;
    result.output.append(buffer, static_cast<size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  result.code = !killed && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

Status Run(const std::vector<std::string>& argv, int timeout_ms) {
  ExecResult result = Exec(argv, timeout_ms);
  if (result.code == 0) return Status::Ok();
  return Status::Internal(Joined(argv) + ": exit " + std::to_string(result.code) + ": " + result.output);
}

std::optional<std::string> NetnsUnavailable() {
  if (IpBinary().empty()) return "no `ip` command (iproute2) in PATH, /usr/sbin or /sbin";
  if (!HasCapability(kCapNetAdmin)) return "this process lacks CAP_NET_ADMIN (the CI runs these as root)";
  if (!HasCapability(kCapSysAdmin))
    return "this process lacks CAP_SYS_ADMIN, needed by `ip netns add` and setns";
  const std::string probe = "shulian-probe-" + std::to_string(getpid());
  ExecResult added = Exec(IpArgs({"netns", "add", probe}));
  if (added.code != 0) return "`ip netns add` refused here: " + added.output;
  (void)Run(IpArgs({"netns", "del", probe}));
  return std::nullopt;
}

Result<std::unique_ptr<Namespace>> Namespace::Create(const std::string& name) {
  RETURN_IF_ERROR(Run(IpArgs({"netns", "add", name})));
  std::unique_ptr<Namespace> ns(new Namespace(name));
  RETURN_IF_ERROR(ns->Ip({"link", "set", "lo", "up"}));
  return ns;
}

Namespace::~Namespace() {
  for (pid_t pid : pids_) StopPid(pid);
  (void)Run(IpArgs({"netns", "del", name_}));
}

Status Namespace::Ip(const std::vector<std::string>& args) const {
  std::vector<std::string> full = {"-n", name_};
  full.insert(full.end(), args.begin(), args.end());
  return Run(IpArgs(full));
}

ExecResult Namespace::Exec(const std::vector<std::string>& argv, int timeout_ms) const {
  std::vector<std::string> full = {"netns", "exec", name_};
  full.insert(full.end(), argv.begin(), argv.end());
  return netns_test::Exec(IpArgs(full), timeout_ms);
}

Result<pid_t> Namespace::Spawn(const std::vector<std::string>& argv, const std::string& log_path) {
  std::vector<std::string> full = IpArgs({"netns", "exec", name_});
  full.insert(full.end(), argv.begin(), argv.end());
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + std::strerror(errno));
  if (pid == 0) {
    // `ip netns exec` execs the command in place, so this pid is the program's.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    const int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
    }
    std::vector<char*> args = Argv(full);
    execv(args[0], args.data());
    _exit(127);
  }
  pids_.push_back(pid);
  return pid;
}

int Namespace::Stop(pid_t pid) {
  std::erase(pids_, pid);
  return StopPid(pid);
}

Status EnterOnThisThread(const std::string& name) {
  const std::string path = "/run/netns/" + name;
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Internal("open " + path + ": " + std::strerror(errno));
  const int entered = setns(fd, CLONE_NEWNET);
  const int error = errno;
  close(fd);
  if (entered != 0) return Status::Internal("setns " + name + ": " + std::strerror(error));
  return Status::Ok();
}

void Namespace::RunInside(const std::function<void()>& fn) const {
  Status entered;
  std::thread thread([&] {
    entered = EnterOnThisThread(name_);
    if (entered.ok()) fn();
  });
  thread.join();
  if (!entered.ok()) throw std::runtime_error(entered.ToString());
}

Status Bridge::Create() {
  RETURN_IF_ERROR(ns_.Ip({"link", "add", "br0", "type", "bridge"}));
  return ns_.Ip({"link", "set", "br0", "up"});
}

Status VethLink::Create() {
  // Made inside the bridge's namespace with its peer placed straight into the host's.
  RETURN_IF_ERROR(
      bridge_.ns().Ip({"link", "add", port_, "type", "veth", "peer", "name", "eth0", "netns", host_.name()}));
  RETURN_IF_ERROR(bridge_.ns().Ip({"link", "set", port_, "master", "br0"}));
  RETURN_IF_ERROR(bridge_.ns().Ip({"link", "set", port_, "up"}));
  RETURN_IF_ERROR(host_.Ip({"addr", "add", cidr_, "dev", "eth0"}));
  return host_.Ip({"link", "set", "eth0", "up"});
}

Status VethLink::SetUp(bool up) {
  return bridge_.ns().Ip({"link", "set", port_, up ? "up" : "down"});
}

void Lab::PreClean(const std::string& prefix) {
  ExecResult list = Exec(IpArgs({"netns", "list"}));
  std::stringstream lines(list.output);
  for (std::string line; std::getline(lines, line);) {
    const std::string name = line.substr(0, line.find(' '));
    if (name.rfind(prefix + "-", 0) != 0) continue;
    const std::string rest = name.substr(prefix.size() + 1);
    const pid_t owner = static_cast<pid_t>(std::atoi(rest.substr(0, rest.find('-')).c_str()));
    if (owner > 0 && (owner == getpid() || Alive(owner))) continue;  // a live run's
    // A dead run's: its nodes died with it (PR_SET_PDEATHSIG), so only the mount is left.
    (void)Run(IpArgs({"netns", "del", name}));
  }
}

Result<std::unique_ptr<Lab>> Lab::Create(const std::string& prefix, const std::vector<std::string>& hosts) {
  const std::string stem = prefix + "-" + std::to_string(getpid()) + "-";
  std::unique_ptr<Lab> lab(new Lab());
  ASSIGN_OR_RETURN(lab->bridge_ns_, Namespace::Create(stem + "br"));
  lab->bridge_ = std::make_unique<Bridge>(*lab->bridge_ns_);
  RETURN_IF_ERROR(lab->bridge_->Create());
  for (size_t i = 0; i < hosts.size(); ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<Namespace> ns, Namespace::Create(stem + hosts[i]));
    lab->hosts_.push_back(std::move(ns));
    lab->roles_.push_back(hosts[i]);
    lab->links_.push_back(std::make_unique<VethLink>(*lab->bridge_, *lab->hosts_.back(),
                                                     "p" + std::to_string(i + 1),
                                                     "10.77.0." + std::to_string(i + 1) + "/24"));
    RETURN_IF_ERROR(lab->links_.back()->Create());
  }
  return lab;
}

Lab::~Lab() {
  links_.clear();
  hosts_.clear();  // each stops its processes, then deletes itself (and its veth end)
  bridge_.reset();
  bridge_ns_.reset();
}

Namespace& Lab::host(const std::string& role) const {
  for (size_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i] == role) return *hosts_[i];
  }
  throw std::out_of_range("no host " + role);
}

VethLink& Lab::link(const std::string& role) const {
  for (size_t i = 0; i < roles_.size(); ++i) {
    if (roles_[i] == role) return *links_[i];
  }
  throw std::out_of_range("no host " + role);
}

}  // namespace shulian::netns_test
