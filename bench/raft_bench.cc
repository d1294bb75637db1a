// raft_bench: entries committed per CPU-second by the Raft core, driven by the
// deterministic simulator without faults, for 3 and 5 nodes, with batching on
// (all queued proposals go into one Ready) and off (one proposal, then its Ready
// is persisted, sent and applied before the next). CPU time is the process's
// (getrusage), so it counts every node's work plus the simulated disk and
// network; messages are encoded and decoded as the real transport would, and
// the safety checks are off. Prints a table; asserts nothing.
#include <sys/resource.h>

#include <cstdio>
#include <cstdlib>

#include "tests/consensus/simulator.h"

namespace {

using shulian::consensus::sim::FaultMix;
using shulian::consensus::sim::SimOptions;
using shulian::consensus::sim::Simulator;

constexpr uint64_t kWarmupTicks = 50;  // elect a leader first
constexpr uint64_t kDefaultTicks = 2'000;
constexpr uint32_t kProposalsPerTickMax = 64;

double CpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

struct Row {
  uint64_t entries = 0;
  double cpu_seconds = 0;
  uint64_t messages = 0;
  uint64_t fsyncs = 0;
  bool ok = false;
};

Row Measure(uint32_t nodes, bool batching, uint64_t ticks) {
  SimOptions options;
  options.seed = 42;
  options.nodes = nodes;
  options.faults = FaultMix::None();
  options.batching = batching;
  options.proposals_per_tick_max = kProposalsPerTickMax;
  options.check = false;
  Simulator sim(options);
  Row row;
  if (!sim.Bootstrap().ok() || !sim.RunTicks(kWarmupTicks).ok()) return row;
  uint64_t entries_before = sim.stats().entries_committed;
  uint64_t messages_before = sim.stats().messages_delivered;
  uint64_t fsyncs_before = sim.stats().fsyncs;
  double start = CpuSeconds();
  shulian::Status s = sim.RunTicks(ticks);
  row.cpu_seconds = CpuSeconds() - start;
  row.entries = sim.stats().entries_committed - entries_before;
  row.messages = sim.stats().messages_delivered - messages_before;
  row.fsyncs = sim.stats().fsyncs - fsyncs_before;
  row.ok = s.ok();
  if (!s.ok()) std::fprintf(stderr, "%s\n", s.ToString().c_str());
  return row;
}

}  // namespace

int main(int argc, char** argv) {
  uint64_t ticks = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultTicks;
  std::printf("raft_bench: %llu simulated ticks per row, up to %u proposals per tick, no faults\n",
              static_cast<unsigned long long>(ticks), kProposalsPerTickMax);
  std::printf("%-6s %-9s %12s %10s %16s %12s %14s\n", "nodes", "batching", "entries", "cpu_s", "entries/cpu_s",
              "msgs/entry", "fsyncs/entry");
  for (uint32_t nodes : {3u, 5u}) {
    for (bool batching : {true, false}) {
      Row row = Measure(nodes, batching, ticks);
      double rate = row.cpu_seconds > 0 ? static_cast<double>(row.entries) / row.cpu_seconds : 0;
      double per_entry = row.entries > 0 ? static_cast<double>(row.messages) / static_cast<double>(row.entries) : 0;
      double syncs = row.entries > 0 ? static_cast<double>(row.fsyncs) / static_cast<double>(row.entries) : 0;
      std::printf("%-6u %-9s %12llu %10.3f %16.0f %12.2f %14.3f%s\n", nodes, batching ? "on" : "off",
                  static_cast<unsigned long long>(row.entries), row.cpu_seconds, rate, per_entry, syncs,
                  row.ok ? "" : "  (run failed)");
    }
  }
  return 0;
}
