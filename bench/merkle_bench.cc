// merkle_bench: how fast the persistent Merkle log appends into LevelDB, and how
// long inclusion and consistency proofs take to generate and verify at 1,000,000
// leaves. Prints figures; asserts nothing.
//
// Usage: merkle_bench [leaves] [batch_leaves]   (defaults 1000000 and 1000)
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "ledger/merkle_log.h"

namespace {

using shulian::crypto::Digest;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kDefaultLeaves = 1000000;
constexpr uint64_t kDefaultBatchLeaves = 1000;
constexpr int kProofSamples = 10000;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

Digest Leaf(uint64_t i) {
  return shulian::crypto::MerkleLeafHash(shulian::AsBytes("transaction-" + std::to_string(i)));
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "merkle_bench: %s\n", what.c_str());
  return 1;
}

struct ProofTimes {
  double generate_us = 0;
  double verify_us = 0;
  double reads = 0;
  double hashes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const uint64_t leaves = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultLeaves;
  const uint64_t batch_leaves = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : kDefaultBatchLeaves;
  if (leaves < 2 || batch_leaves == 0) return Fail("leaves must be >= 2 and batch_leaves >= 1");

  std::string pattern = (std::filesystem::temp_directory_path() / "merkle-bench-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) return Fail("cannot create a temporary directory");
  const std::filesystem::path dir = pattern;

  leveldb::Options options;
  options.create_if_missing = true;
  leveldb::DB* raw_db = nullptr;
  leveldb::Status opened = leveldb::DB::Open(options, (dir / "db").string(), &raw_db);
  if (!opened.ok()) return Fail(opened.ToString());
  std::unique_ptr<leveldb::DB> db(raw_db);
  auto log_or = shulian::ledger::MerkleLog::Open(db.get(), "m/tx/");
  if (!log_or.ok()) return Fail(log_or.status().ToString());
  std::unique_ptr<shulian::ledger::MerkleLog> log = std::move(log_or).value();

  // Leaf hashes are computed up front so the append figure is the log's own cost.
  std::vector<Digest> all(leaves);
  for (uint64_t i = 0; i < leaves; ++i) all[i] = Leaf(i);

  leveldb::WriteOptions synced;
  synced.sync = true;
  auto start = Clock::now();
  for (uint64_t first = 0; first < leaves; first += batch_leaves) {
    uint64_t count = std::min(batch_leaves, leaves - first);
    leveldb::WriteBatch batch;
    auto staged = log->StageAppend(std::span<const Digest>(all).subspan(first, count), &batch);
    if (!staged.ok()) return Fail(staged.status().ToString());
    leveldb::Status written = db->Write(synced, &batch);
    if (!written.ok()) return Fail(written.ToString());
    log->CommitStaged();
  }
  const double append_seconds = SecondsSince(start);
  std::printf("append: %llu leaves in batches of %llu, one synced (fsync) LevelDB write per batch\n",
              static_cast<unsigned long long>(leaves), static_cast<unsigned long long>(batch_leaves));
  std::printf("  %.2f s total, %.0f leaves/s, %.2f ms per synced batch\n", append_seconds,
              static_cast<double>(leaves) / append_seconds,
              1000.0 * append_seconds / static_cast<double>((leaves + batch_leaves - 1) / batch_leaves));

  auto root_or = log->Root(leaves);
  if (!root_or.ok()) return Fail(root_or.status().ToString());
  const Digest root = *root_or;
  std::printf("  root at %llu leaves: %s\n", static_cast<unsigned long long>(leaves), root.ToHex().c_str());

  std::mt19937_64 random(7);
  ProofTimes inclusion;
  for (int s = 0; s < kProofSamples; ++s) {
    const uint64_t index = random() % leaves;
    uint64_t reads_before = log->node_reads();
    auto t0 = Clock::now();
    auto proof = log->InclusionProof(index, leaves);
    inclusion.generate_us += 1e6 * SecondsSince(t0);
    if (!proof.ok()) return Fail(proof.status().ToString());
    inclusion.reads += static_cast<double>(log->node_reads() - reads_before);
    inclusion.hashes += static_cast<double>(proof->size());
    auto t1 = Clock::now();
    shulian::Status verified = shulian::crypto::VerifyMerkleInclusion(index, leaves, all[index], *proof, root);
    inclusion.verify_us += 1e6 * SecondsSince(t1);
    if (!verified.ok()) return Fail("inclusion proof failed: " + verified.ToString());
  }

  // Consistency from a random past size to the current size; the old roots are
  // computed first (themselves O(log n) reads) so only the proof is timed.
  ProofTimes consistency;
  for (int s = 0; s < kProofSamples; ++s) {
    const uint64_t old_size = 1 + random() % (leaves - 1);
    auto old_root = log->Root(old_size);
    if (!old_root.ok()) return Fail(old_root.status().ToString());
    uint64_t reads_before = log->node_reads();
    auto t0 = Clock::now();
    auto proof = log->ConsistencyProof(old_size, leaves);
    consistency.generate_us += 1e6 * SecondsSince(t0);
    if (!proof.ok()) return Fail(proof.status().ToString());
    consistency.reads += static_cast<double>(log->node_reads() - reads_before);
    consistency.hashes += static_cast<double>(proof->size());
    auto t1 = Clock::now();
    shulian::Status verified =
        shulian::crypto::VerifyMerkleConsistency(old_size, leaves, *old_root, root, *proof);
    consistency.verify_us += 1e6 * SecondsSince(t1);
    if (!verified.ok()) return Fail("consistency proof failed: " + verified.ToString());
  }

  const double n = kProofSamples;
  std::printf("inclusion proofs at %llu leaves (%d random leaves, LevelDB reads, warm cache):\n",
              static_cast<unsigned long long>(leaves), kProofSamples);
  std::printf("  generate %.1f us, verify %.1f us, %.1f hashes and %.1f node reads per proof\n",
              inclusion.generate_us / n, inclusion.verify_us / n, inclusion.hashes / n, inclusion.reads / n);
  std::printf("consistency proofs to %llu leaves (%d random old sizes):\n",
              static_cast<unsigned long long>(leaves), kProofSamples);
  std::printf("  generate %.1f us, verify %.1f us, %.1f hashes and %.1f node reads per proof\n",
              consistency.generate_us / n, consistency.verify_us / n, consistency.hashes / n,
              consistency.reads / n);

  log.reset();
  db.reset();
  std::filesystem::remove_all(dir);
  return 0;
}
