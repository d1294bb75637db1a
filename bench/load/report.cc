#include "bench/load/report.h"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

namespace shulian::load {
namespace {

using nlohmann::json;

constexpr size_t kProcStatusBytesMax = 64 * 1024;
constexpr size_t kStatUtimeIndex = 11;  // field 14 counted from field 3, the first after the name

// The whole of a small /proc file, or NotFound naming the process.
Result<std::string> ReadProcFile(pid_t pid, const std::string& name, const std::string& label) {
  const std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  std::ifstream file(path);
  if (!file) return Status::NotFound("process " + std::to_string(pid) + " (" + label + "): no " + path);
  std::string text(kProcStatusBytesMax, '\0');
  file.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(file.gcount()));
  return text;
}

double Millis(uint32_t micros) { return static_cast<double>(micros) / 1000.0; }

// Nearest rank: the smallest value with at least q of the samples at or below it.
uint32_t Rank(const std::vector<uint32_t>& sorted, double q) {
  const double rank = std::ceil(q * static_cast<double>(sorted.size()));
  const size_t index = rank < 1 ? 0 : static_cast<size_t>(rank) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

// "VmHWM:	  123456 kB" -> 123456.
Result<uint64_t> StatusField(const std::string& text, std::string_view name) {
  const std::string prefix = std::string(name) + ":";
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind(prefix, 0) != 0) continue;
    std::istringstream fields(line.substr(prefix.size()));
    uint64_t value = 0;
    std::string unit;
    if (!(fields >> value >> unit) || unit != "kB") {
      return Status::Corruption(std::string(name) + ": unexpected format in /proc status: " + line);
    }
    return value;
  }
  return Status::NotFound(std::string(name) + " not in /proc status");
}

std::string Fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

}  // namespace

LatencySummary SummarizeLatencies(std::vector<uint32_t>& latencies_us) {
  LatencySummary summary;
  if (latencies_us.empty()) return summary;
  std::sort(latencies_us.begin(), latencies_us.end());
  double total = 0;
  for (uint32_t value : latencies_us) total += value;
  summary.p50_ms = Millis(Rank(latencies_us, 0.50));
  summary.p95_ms = Millis(Rank(latencies_us, 0.95));
  summary.p99_ms = Millis(Rank(latencies_us, 0.99));
  summary.max_ms = Millis(latencies_us.back());
  summary.mean_ms = total / static_cast<double>(latencies_us.size()) / 1000.0;
  return summary;
}

Result<ProcessFigures> ReadProcessMemory(pid_t pid, const std::string& label) {
  ASSIGN_OR_RETURN(std::string text, ReadProcFile(pid, "status", label));
  ProcessFigures memory;
  memory.label = label;
  memory.pid = pid;
  ASSIGN_OR_RETURN(memory.vm_hwm_kib, StatusField(text, "VmHWM"));
  ASSIGN_OR_RETURN(memory.vm_rss_kib, StatusField(text, "VmRSS"));
  return memory;
}

Result<uint64_t> ParseStatCpuTicks(std::string_view stat_line) {
  const size_t name_end = stat_line.rfind(')');
  if (name_end == std::string_view::npos) return Status::Corruption("/proc stat: no command name");
  std::istringstream fields{std::string(stat_line.substr(name_end + 1))};
  std::string field;
  uint64_t ticks[2] = {0, 0};
  for (size_t i = 0; i <= kStatUtimeIndex + 1; ++i) {
    if (!(fields >> field)) return Status::Corruption("/proc stat: fewer than 15 fields");
    if (i < kStatUtimeIndex) continue;
    if (field.find_first_not_of("0123456789") != std::string::npos || field.size() > 19) {
      return Status::Corruption("/proc stat: field " + std::to_string(i + 3) +
                                " is not a tick count: " + field);
    }
    ticks[i - kStatUtimeIndex] = std::stoull(field);
  }
  return ticks[0] + ticks[1];
}

Result<uint64_t> ReadProcessCpuMicros(pid_t pid) {
  ASSIGN_OR_RETURN(std::string text, ReadProcFile(pid, "stat", std::to_string(pid)));
  ASSIGN_OR_RETURN(uint64_t ticks, ParseStatCpuTicks(text));
  const long ticks_per_s = sysconf(_SC_CLK_TCK);
  if (ticks_per_s <= 0) return Status::Internal("sysconf(_SC_CLK_TCK) failed");
  return ticks * 1'000'000 / static_cast<uint64_t>(ticks_per_s);
}

double Report::ServerCpuMicrosPerTx() const {
  uint64_t total = 0;
  for (const ProcessFigures& p : processes) {
    if (!p.cpu_measured) return 0;
    total += p.cpu_us;
  }
  return tally.committed > 0 ? static_cast<double>(total) / static_cast<double>(tally.committed) : 0;
}

double Report::ClientCpuMicrosPerTx() const {
  return tally.committed > 0 ? static_cast<double>(client_cpu_us) / static_cast<double>(tally.committed) : 0;
}

json ReportToJson(const Report& report) {
  json processes = json::array();
  for (const ProcessFigures& p : report.processes) {
    processes.push_back({{"label", p.label},
                         {"pid", p.pid},
                         {"vm_hwm_kib", p.vm_hwm_kib},
                         {"vm_rss_kib", p.vm_rss_kib},
                         {"cpu_us", p.cpu_measured ? json(p.cpu_us) : json()}});
  }
  const Tally& t = report.tally;
  return {{"system", report.system},
          {"target", report.target},
          {"concurrency", report.concurrency},
          {"batch", report.batch},
          {"transactions", report.transactions},
          {"requests", report.requests},
          {"tx_bytes_mean", report.tx_bytes_mean},
          {"request_bytes_mean", report.request_bytes_mean},
          {"setup_s", report.setup_s},
          {"sign_s", report.sign_s},
          {"elapsed_s", report.elapsed_s},
          {"committed", t.committed},
          {"accepted", t.accepted},
          {"rejected", t.rejected},
          {"errors", t.errors},
          {"error_count", t.ErrorCount()},
          {"committed_per_s", report.CommittedPerSecond()},
          {"requests_committed", t.requests_committed},
          {"latency_ms",
           {{"p50", report.latency.p50_ms},
            {"p95", report.latency.p95_ms},
            {"p99", report.latency.p99_ms},
            {"max", report.latency.max_ms},
            {"mean", report.latency.mean_ms}}},
          {"processes", processes},
          {"server_cpu_us_per_tx", report.ServerCpuMicrosPerTx()},
          {"client_cpu_us", report.client_cpu_us},
          {"client_cpu_us_per_tx", report.ClientCpuMicrosPerTx()},
          {"notes", report.notes}};
}

std::string ReportToText(const Report& report) {
  const Tally& t = report.tally;
  std::string out;
  out += report.system + " at " + report.target + ": " + std::to_string(report.concurrency) + " connections, batch " +
         std::to_string(report.batch) + ", " + std::to_string(report.transactions) + " transactions (" +
         Fixed(report.tx_bytes_mean, 0) + " bytes each on average)\n";
  out += "  untimed: setup " + Fixed(report.setup_s, 2) + " s, signing " + Fixed(report.sign_s, 2) + " s\n";
  out += "  committed " + std::to_string(t.committed) + " in " + Fixed(report.elapsed_s, 2) + " s: " +
         Fixed(report.CommittedPerSecond(), 0) + " tx/s (accepted " + std::to_string(t.accepted) + ")\n";
  out += "  latency per request (ms): p50 " + Fixed(report.latency.p50_ms, 2) + "  p95 " +
         Fixed(report.latency.p95_ms, 2) + "  p99 " + Fixed(report.latency.p99_ms, 2) + "  max " +
         Fixed(report.latency.max_ms, 2) + "  mean " + Fixed(report.latency.mean_ms, 2) + "\n";
  for (const auto& [code, count] : t.rejected) {
    out += "  rejected by the ledger: " + code + " x" + std::to_string(count) + "\n";
  }
  if (t.errors.empty()) out += "  errors: none\n";
  for (const auto& [code, count] : t.errors) out += "  error: " + code + " x" + std::to_string(count) + "\n";
  for (const ProcessFigures& p : report.processes) {
    out += "  " + p.label + " (pid " + std::to_string(p.pid) + "): peak RSS " +
           Fixed(static_cast<double>(p.vm_hwm_kib) / 1024.0, 1) + " MiB, RSS now " +
           Fixed(static_cast<double>(p.vm_rss_kib) / 1024.0, 1) + " MiB, CPU " +
           (p.cpu_measured ? Fixed(static_cast<double>(p.cpu_us) / 1e6, 2) + " s" : std::string("unknown")) +
           " while timed\n";
  }
  std::string servers = "servers not measured (see the notes)";
  if (report.processes.empty()) servers = "servers not watched (--pids)";
  const double server_cpu = report.ServerCpuMicrosPerTx();
  if (server_cpu > 0) servers = "servers " + Fixed(server_cpu, 0) + " us";
  out += "  CPU per committed transaction: " + servers + ", this tool " +
         Fixed(report.ClientCpuMicrosPerTx(), 0) + " us\n";
  for (const std::string& note : report.notes) out += "  note: " + note + "\n";
  return out;
}

}  // namespace shulian::load
