// Crash consistency: a forked writer appends blocks as fast as it can and is
// killed with SIGKILL at a random moment; the parent then reopens the store and
// checks that it sits at a block boundary and that nothing acknowledged was lost.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "tests/ledger/chain_test_util.h"

namespace shulian::ledger {
namespace {

using testing::BlockMaker;
using testing::TempDir;
using testing::TestKeys;
using testing::TestStoreOptions;

constexpr int kRuns = 60;
constexpr uint64_t kRunNonceSpacing = 1'000'000;  // keeps every run's transactions distinct
constexpr int kWriterBlocksMax = 100'000;         // bound on a writer that is never killed
constexpr int kWriterStartTimeoutMs = 30'000;
constexpr int kKillDelayMicrosMin = 0;
constexpr int kKillDelayMicrosMax = 15'000;

uint64_t BaseSeed() {
  const char* env = std::getenv("SHULIAN_CRASH_SEED");
  return env != nullptr ? std::strtoull(env, nullptr, 10) : 20261122;
}

// The child: append blocks of 0..6 transactions until killed, reporting each
// acknowledged height on `ack_fd`. Exit codes say why it stopped on its own.
[[noreturn]] void RunWriter(const std::filesystem::path& path, uint64_t seed, uint64_t run, int ack_fd) {
  TestKeys keys;
  BlockMaker maker(keys, (run + 1) * kRunNonceSpacing);
  std::mt19937_64 rng(seed);
  auto store = BlockStore::Open(TestStoreOptions(path));
  if (!store.ok()) _exit(2);
  for (int i = 0; i < kWriterBlocksMax; ++i) {
    const size_t tx_count = rng() % 7;
    const Block block = maker.Next(**store, tx_count);
    if (!(*store)->AppendBlock(block, nullptr).ok()) _exit(3);
    const uint64_t height = (*store)->height();
    if (write(ack_fd, &height, sizeof(height)) != static_cast<ssize_t>(sizeof(height))) _exit(4);
  }
  _exit(0);
}

// The highest height the child acknowledged before it died.
uint64_t ReadAcknowledged(int fd) {
  uint64_t highest = 0;
  uint64_t height = 0;
  while (read(fd, &height, sizeof(height)) == static_cast<ssize_t>(sizeof(height))) highest = height;
  return highest;
}

TEST(CrashTest, SigkilledWriterLeavesTheStoreAtABlockBoundary) {
  // Proves that after each of many SIGKILLs at random points the store reopens, its head
  // links, its log size is the sum of its blocks' tx counts, the chain verifies, and no
  // acknowledged block was lost.
  TempDir dir;
  TestKeys keys;
  const std::filesystem::path path = dir.path() / "db";
  const uint64_t base_seed = BaseSeed();
  std::mt19937_64 rng(base_seed);
  uint64_t previous_height = 0;
  int killed_mid_run = 0;

  for (uint64_t run = 0; run < kRuns; ++run) {
    SCOPED_TRACE("seed " + std::to_string(base_seed) + " run " + std::to_string(run));
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunWriter(path, base_seed + run, run, fds[1]);
    }
    close(fds[1]);
    // Kill at a random moment after the writer's first acknowledged block, so every
    // run dies inside the append loop however slow the machine is.
    uint64_t first_ack = 0;
    pollfd ready{fds[0], POLLIN, 0};
    const bool started =
        poll(&ready, 1, kWriterStartTimeoutMs) == 1 &&
        read(fds[0], &first_ack, sizeof(first_ack)) == static_cast<ssize_t>(sizeof(first_ack));
    const long delay_micros =
        kKillDelayMicrosMin + static_cast<long>(rng() % (kKillDelayMicrosMax - kKillDelayMicrosMin));
    timespec delay{0, delay_micros * 1000};
    nanosleep(&delay, nullptr);
    kill(pid, SIGKILL);
    int wait_status = 0;
    ASSERT_EQ(waitpid(pid, &wait_status, 0), pid);
    const uint64_t acknowledged = std::max(first_ack, ReadAcknowledged(fds[0]));
    close(fds[0]);
    ASSERT_TRUE(started) << "the writer acknowledged no block within " << kWriterStartTimeoutMs << " ms";
    ASSERT_TRUE(WIFSIGNALED(wait_status)) << "writer stopped by itself with exit code "
                                          << (WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1);
    if (acknowledged > previous_height) ++killed_mid_run;

    auto store = BlockStore::Open(TestStoreOptions(path));
    ASSERT_TRUE(store.ok()) << store.status().ToString();
    EXPECT_GE((*store)->height(), acknowledged) << "an acknowledged block was lost";
    EXPECT_GE((*store)->height(), previous_height);
    // Links, roots, indexes and proposer signatures every run; transaction
    // signatures (the costly part, unaffected by crashes) every tenth run.
    ChainVerifierOptions verifier = keys.VerifierOptions();
    if (run % 10 != 9) {
      verifier.account_keys = [](std::string_view, uint64_t) -> Result<crypto::PublicKey> {
        return Status::NotFound("skipped in this run");
      };
    }
    auto report = VerifyChain(**store, verifier);
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_EQ(report->tx_log_size, (*store)->tx_log().size());
    if ((*store)->height() > 0) {
      auto head = (*store)->GetBlock((*store)->height());
      ASSERT_TRUE(head.ok());
      EXPECT_EQ(head->header.tx_log_size, report->transactions);
    }
    previous_height = (*store)->height();
  }
  std::printf("crash test: %d runs, %d killed while appending, final height %llu (seed %llu)\n", kRuns,
              killed_mid_run, static_cast<unsigned long long>(previous_height),
              static_cast<unsigned long long>(base_seed));
  // Every run wrote blocks before it died, so the kills landed in the append loop.
  EXPECT_EQ(killed_mid_run, kRuns);
  EXPECT_GE(previous_height, static_cast<uint64_t>(kRuns));
}

}  // namespace
}  // namespace shulian::ledger
