// Seed suites of the deterministic cluster simulator: many seeds per cluster size
// and fault mix, determinism of a seed's trace, and replay of one seed from
// SHULIAN_SIM_SEED.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "tests/consensus/simulator.h"

#if defined(__SANITIZE_ADDRESS__)
#define SHULIAN_SIM_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SHULIAN_SIM_UNDER_ASAN 1
#endif
#endif

namespace shulian::consensus::sim {
namespace {

// Seeds per (cluster size, fault mix) case for 3 nodes; larger clusters cost
// more per seed and run proportionally fewer (3 -> x1, 5 -> x3/4, 7 -> x1/2).
// Sanitizers slow the core about tenfold.
#ifdef SHULIAN_SIM_UNDER_ASAN
constexpr uint64_t kSeedsPerCase = 40;
#else
constexpr uint64_t kSeedsPerCase = 400;
#endif

uint64_t SeedsFor(uint32_t nodes) {
  if (nodes <= 3) return kSeedsPerCase;
  if (nodes <= 5) return kSeedsPerCase * 3 / 4;
  return kSeedsPerCase / 2;
}

bool ReplayRequested(uint64_t* seed) {
  const char* env = std::getenv("SHULIAN_SIM_SEED");
  if (env == nullptr || *env == '\0') return false;
  *seed = std::strtoull(env, nullptr, 10);
  return true;
}

// Runs SeedsFor(nodes) seeds of one class; stops at the first failure.
void RunClass(uint64_t seed_class) {
  uint64_t replay = 0;
  if (ReplayRequested(&replay)) GTEST_SKIP() << "SHULIAN_SIM_SEED set: only SimulationTest.ReplaysSeedFromEnvironment runs";
  auto started = std::chrono::steady_clock::now();
  SimStats totals;
  uint64_t ran = 0;
  const uint64_t count = SeedsFor(OptionsForSeed(seed_class).nodes);
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t seed = i * kSeedClasses + seed_class;
    SimStats stats;
    Status s = RunSeed(OptionsForSeed(seed), nullptr, &stats);
    ASSERT_TRUE(s.ok()) << s.message();
    ++ran;
    totals.entries_committed += stats.entries_committed;
    totals.crashes += stats.crashes;
    totals.torn_syncs += stats.torn_syncs;
    totals.partitions += stats.partitions;
    totals.snapshots_installed += stats.snapshots_installed;
    totals.conf_changes_applied += stats.conf_changes_applied;
    totals.transfers_requested += stats.transfers_requested;
    totals.leaders_elected += stats.leaders_elected;
    totals.liveness_ticks = std::max(totals.liveness_ticks, stats.liveness_ticks);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  SimOptions sample = OptionsForSeed(seed_class);
  std::printf(
      "simulated %llu seeds (%u nodes, class %llu) in %.1f s: %llu entries committed, %llu leaders, %llu crashes "
      "(%llu torn), %llu partitions, %llu snapshots installed, %llu conf changes, %llu transfers, slowest "
      "recovery %llu ticks\n",
      static_cast<unsigned long long>(ran), sample.nodes, static_cast<unsigned long long>(seed_class), seconds,
      static_cast<unsigned long long>(totals.entries_committed), static_cast<unsigned long long>(totals.leaders_elected),
      static_cast<unsigned long long>(totals.crashes), static_cast<unsigned long long>(totals.torn_syncs),
      static_cast<unsigned long long>(totals.partitions),
      static_cast<unsigned long long>(totals.snapshots_installed),
      static_cast<unsigned long long>(totals.conf_changes_applied),
      static_cast<unsigned long long>(totals.transfers_requested),
      static_cast<unsigned long long>(totals.liveness_ticks));
}

// Each case proves every safety check and bounded liveness hold over its seeds.
TEST(SimulationTest, ThreeNodesUnderNetworkFaults) { RunClass(0); }
TEST(SimulationTest, FiveNodesUnderNetworkFaults) { RunClass(1); }
TEST(SimulationTest, SevenNodesUnderNetworkFaults) { RunClass(2); }
TEST(SimulationTest, ThreeNodesUnderCrashes) { RunClass(3); }
TEST(SimulationTest, FiveNodesUnderCrashes) { RunClass(4); }
TEST(SimulationTest, SevenNodesUnderCrashes) { RunClass(5); }
TEST(SimulationTest, ThreeNodesUnderAllFaultsAndMembershipChanges) { RunClass(6); }
TEST(SimulationTest, FiveNodesUnderAllFaultsAndMembershipChanges) { RunClass(7); }
TEST(SimulationTest, SevenNodesUnderAllFaultsAndMembershipChanges) { RunClass(8); }

TEST(SimulationTest, SameSeedGivesSameTrace) {
  // Determinism: two runs of one seed produce the same trace hash, and a different seed a different one.
  for (uint64_t seed : {6ull, 17ull, 8ull}) {
    uint64_t first = 0;
    uint64_t second = 0;
    ASSERT_TRUE(RunSeed(OptionsForSeed(seed), &first).ok());
    ASSERT_TRUE(RunSeed(OptionsForSeed(seed), &second).ok());
    EXPECT_EQ(first, second) << "seed " << seed;
    uint64_t other = 0;
    ASSERT_TRUE(RunSeed(OptionsForSeed(seed + kSeedClasses), &other).ok());
    EXPECT_NE(first, other) << "seed " << seed;
  }
}

TEST(SimulationTest, FaultFreeClusterCommitsEveryProposal) {
  // Without faults the leader commits steadily and every member converges on the same history.
  SimOptions options = OptionsForSeed(0);
  options.faults = FaultMix::None();
  Simulator sim(options);
  ASSERT_TRUE(sim.Run().ok());
  EXPECT_GT(sim.stats().entries_committed, options.fault_ticks / 2);
  EXPECT_EQ(sim.stats().leaders_elected, 1u);
  EXPECT_EQ(sim.stats().crashes, 0u);
}

TEST(SimulationTest, FaultMixesActuallyInjectFaults) {
  // The suites are not vacuous: the mixes crash nodes, tear syncs, partition, install snapshots and change membership.
  SimStats totals;
  for (uint64_t seed = 6; seed < 6 + 20 * kSeedClasses; seed += kSeedClasses) {
    SimStats stats;
    ASSERT_TRUE(RunSeed(OptionsForSeed(seed), nullptr, &stats).ok());
    totals.crashes += stats.crashes;
    totals.torn_syncs += stats.torn_syncs;
    totals.partitions += stats.partitions;
    totals.snapshots_installed += stats.snapshots_installed;
    totals.conf_changes_applied += stats.conf_changes_applied;
    totals.leaders_elected += stats.leaders_elected;
  }
  EXPECT_GT(totals.crashes, 0u);
  EXPECT_GT(totals.torn_syncs, 0u);
  EXPECT_GT(totals.partitions, 0u);
  EXPECT_GT(totals.snapshots_installed, 0u);
  EXPECT_GT(totals.conf_changes_applied, 0u);
  EXPECT_GT(totals.leaders_elected, 20u);
}

TEST(SimulationTest, SkippedFsyncIsCaught) {
  // The checks can fail: an application that acknowledges without fsyncing is caught, with seed and step.
  SimOptions options = OptionsForSeed(3);
  options.unsafe_skip_fsync = true;
  Status s = RunSeed(options);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("durability"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("seed 3 step"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("SHULIAN_SIM_SEED=3"), std::string::npos) << s.message();
}

TEST(SimulationTest, InvalidOptionsAreRefused) {
  // A bad option is an error naming the field, not a silent run.
  SimOptions options;
  options.nodes = 0;
  Status s = Simulator(options).Run();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("nodes"), std::string::npos);
  options = SimOptions{};
  options.faults.drop_probability = 1.5;
  s = Simulator(options).Run();
  EXPECT_NE(s.message().find("faults.drop_probability"), std::string::npos);
}

TEST(SimulationTest, ReplaysSeedFromEnvironment) {
  // SHULIAN_SIM_SEED=<seed> reruns exactly that seed (twice, checking the trace is identical).
  uint64_t seed = 0;
  if (!ReplayRequested(&seed)) GTEST_SKIP() << "set SHULIAN_SIM_SEED=<seed> to replay a seed";
  uint64_t first = 0;
  uint64_t second = 0;
  SimStats stats;
  Status s = RunSeed(OptionsForSeed(seed), &first, &stats);
  std::printf("seed %llu: %s, trace %016llx, %llu entries committed\n", static_cast<unsigned long long>(seed),
              s.ok() ? "ok" : s.message().c_str(), static_cast<unsigned long long>(first),
              static_cast<unsigned long long>(stats.entries_committed));
  Status again = RunSeed(OptionsForSeed(seed), &second);
  EXPECT_EQ(first, second);
  EXPECT_EQ(s, again);
  ASSERT_TRUE(s.ok()) << s.message();
}

}  // namespace
}  // namespace shulian::consensus::sim
