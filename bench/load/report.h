// What the load tool prints: throughput, latency percentiles, errors and each
// watched process's peak memory, as text for people or JSON for scripts
// (scripts/bench-vs-etcd.sh reads the JSON).
//
// Thread-safety: values and pure functions (ReadProcessMemory reads /proc).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
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

struct ProcessMemory {
  std::string label;  // "node-1", "etcd-2", or the pid
  pid_t pid = 0;
  uint64_t vm_hwm_kib = 0;  // peak resident set size
  uint64_t vm_rss_kib = 0;  // resident set size now
};

// VmHWM and VmRSS from /proc/<pid>/status. NotFound when the process is gone.
Result<ProcessMemory> ReadProcessMemory(pid_t pid, const std::string& label);

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
  std::vector<ProcessMemory> processes;
  std::vector<std::string> notes;  // e.g. a process whose memory could not be read

  double CommittedPerSecond() const { return elapsed_s > 0 ? static_cast<double>(tally.committed) / elapsed_s : 0; }
};

nlohmann::json ReportToJson(const Report& report);
std::string ReportToText(const Report& report);

}  // namespace shulian::load
