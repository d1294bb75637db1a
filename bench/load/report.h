// What the load tool prints: throughput, latency percentiles, errors, each
// watched process's peak memory and the CPU time the servers and the tool itself
// spent while the clock ran, as text for people or JSON for scripts
// (scripts/bench-vs-etcd.sh reads the JSON).
//
// Thread-safety: values and pure functions (ReadProcessMemory and
// ReadProcessCpuMicros read /proc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/load/driver.h"
#include "common/status.h"

namespace shulian::load {

struct LatencySummary {
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
};

// Nearest-rank percentiles of `latencies_us` (sorted in place); zeros when empty.
LatencySummary SummarizeLatencies(std::vector<uint32_t>& latencies_us);

struct ProcessFigures {
  std::string label;  // "node-1", "etcd-2", or the pid
  pid_t pid = 0;
  uint64_t vm_hwm_kib = 0;  // peak resident set size
  uint64_t vm_rss_kib = 0;  // resident set size now
  uint64_t cpu_us = 0;      // user + system CPU time while the clock ran
  bool cpu_measured = false;  // false when /proc could not be read at every timed chunk
};

// VmHWM and VmRSS from /proc/<pid>/status (cpu_us left 0). NotFound when the
// process is gone.
Result<ProcessFigures> ReadProcessMemory(pid_t pid, const std::string& label);

// User + system CPU time a process has used so far (all its threads), from
// /proc/<pid>/stat. NotFound when the process is gone.
Result<uint64_t> ReadProcessCpuMicros(pid_t pid);

// utime + stime (fields 14 and 15) of one /proc/<pid>/stat line, in clock ticks.
// The command name, field 2, is in parentheses and may itself hold spaces and
// parentheses, so the fields are counted from the last ')'.
Result<uint64_t> ParseStatCpuTicks(std::string_view stat_line);

struct Report {
  std::string system;  // "shulian" or "etcd"
  std::string target;  // base URL(s) driven
  uint32_t concurrency = 0;
  uint32_t batch = 1;
  uint64_t transactions = 0;  // submitted in the timed part
  uint64_t requests = 0;
  double tx_bytes_mean = 0;       // encoded transaction (= etcd value) size
  double request_bytes_mean = 0;  // HTTP body size
  double setup_s = 0;             // untimed: accounts, assets, grants
  double sign_s = 0;              // untimed: generating and signing
  double elapsed_s = 0;           // timed
  Tally tally;
  LatencySummary latency;
  std::vector<ProcessFigures> processes;
  uint64_t client_cpu_us = 0;      // this tool's CPU time while the clock ran
  std::vector<std::string> notes;  // e.g. a process whose memory could not be read

  double CommittedPerSecond() const { return elapsed_s > 0 ? static_cast<double>(tally.committed) / elapsed_s : 0; }
  // CPU time of all watched processes together per committed transaction; 0
  // when no process was watched, one of them was not measured or nothing
  // committed (a partial sum would understate it).
  double ServerCpuMicrosPerTx() const;
  double ClientCpuMicrosPerTx() const;
};

nlohmann::json ReportToJson(const Report& report);
std::string ReportToText(const Report& report);

}  // namespace shulian::load
