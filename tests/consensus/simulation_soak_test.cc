// The simulator soak: far more seeds than the ctest suite, with longer fault
// phases (seeds from kSoakSeedsFrom on run longer). Runs only with SHULIAN_SOAK=1; SHULIAN_SOAK_SEEDS sets the count
// (default 20000) and SHULIAN_SOAK_FIRST_SEED the first seed.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "tests/consensus/simulator.h"

namespace shulian::consensus::sim {
namespace {

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* env = std::getenv(name);
  return env != nullptr && *env != '\0' ? std::strtoull(env, nullptr, 10) : fallback;
}

TEST(SimulationSoakTest, ManySeedsAcrossAllClasses) {
  // Every seed of a long run keeps every safety check and bounded liveness.
  if (EnvOr("SHULIAN_SOAK", 0) != 1) GTEST_SKIP() << "set SHULIAN_SOAK=1 to run the soak";
  const uint64_t count = EnvOr("SHULIAN_SOAK_SEEDS", 20'000);
  const uint64_t first = EnvOr("SHULIAN_SOAK_FIRST_SEED", kSoakSeedsFrom);
  auto started = std::chrono::steady_clock::now();
  for (uint64_t seed = first; seed < first + count; ++seed) {
    Status s = RunSeed(OptionsForSeed(seed));
    ASSERT_TRUE(s.ok()) << s.message();
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("soak: %llu seeds from %llu in %.0f s\n", static_cast<unsigned long long>(count),
              static_cast<unsigned long long>(first), seconds);
}

}  // namespace
}  // namespace shulian::consensus::sim
