// chain_bench: how many blocks of signed transactions a node can take in per
// second — decode the block bytes it received, verify the proposer's and every
// transaction's Ed25519 signature, and append it to a LevelDB BlockStore with one
// synced write. Keys, signatures and headers are made before the clock starts.
// Prints figures; never asserts.
//
//   chain_bench [--blocks N] [--txs-per-block N] [--accounts N] [--dir PATH]
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/store.h"

namespace shulian::ledger {
namespace {

using Clock = std::chrono::steady_clock;

struct BenchOptions {
  uint64_t blocks = 20;
  size_t txs_per_block = 1000;
  size_t accounts = 100;
  std::filesystem::path dir;  // empty: a fresh temporary directory, removed afterwards
};

struct Fixture {
  std::vector<crypto::KeyPair> accounts;
  crypto::KeyPair proposer = crypto::KeyPair::Generate();
  std::vector<Bytes> encoded_blocks;
};

double Seconds(Clock::duration d) {
  return std::chrono::duration<double>(d).count();
}

// CPU time of this process: on a shared machine wall time also counts waiting
// for a core, so both are printed.
double CpuSeconds() {
  timespec now{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) + 1e-9 * static_cast<double>(now.tv_nsec);
}

std::string AccountId(size_t i) {
  return "bench-acct-" + std::to_string(i);
}

// Builds every block ahead of time: headers carry the log size/root an
// in-memory tree computes, and link to one another from the genesis hash.
void BuildBlocks(const BenchOptions& options, const crypto::Digest& genesis, Fixture& fixture) {
  crypto::MemoryMerkleTree tree;
  crypto::Digest previous = genesis;
  uint64_t nonce = 0;
  for (uint64_t height = 1; height <= options.blocks; ++height) {
    Block block;
    for (size_t i = 0; i < options.txs_per_block; ++i, ++nonce) {
      Transaction tx;
      tx.type = TxType::kRecordAccess;
      tx.network_id = "bench-net";
      tx.sender = AccountId(nonce % options.accounts);
      tx.client_time_ms = 1'700'000'000'000 + static_cast<int64_t>(nonce);
      tx.nonce = nonce;
      tx.body = Bytes(160, static_cast<uint8_t>(nonce));  // a plausible access-record body size
      tx.Sign(fixture.accounts[nonce % options.accounts], genesis);
      tree.AppendLeaf(tx.Encode());
      block.transactions.push_back(std::move(tx));
    }
    block.header.height = height;
    block.header.previous_hash = previous;
    block.header.time_ms = 1'700'000'000'000 + static_cast<int64_t>(height) * 1000;
    block.header.proposer = 1;
    block.header.tx_count = static_cast<uint32_t>(block.transactions.size());
    block.header.tx_log_size = tree.size();
    block.header.tx_log_root = *tree.Root();
    block.Sign(fixture.proposer);
    previous = block.header.Hash();
    fixture.encoded_blocks.push_back(block.Encode());
  }
}

bool ParseArgs(int argc, char** argv, BenchOptions& options) {
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const char* value = argv[i + 1];
    if (flag == "--blocks")
      options.blocks = std::strtoull(value, nullptr, 10);
    else if (flag == "--txs-per-block")
      options.txs_per_block = std::strtoull(value, nullptr, 10);
    else if (flag == "--accounts")
      options.accounts = std::strtoull(value, nullptr, 10);
    else if (flag == "--dir")
      options.dir = value;
    else
      return false;
  }
  return argc % 2 == 1 && options.blocks > 0 && options.accounts > 0;
}

int Run(const BenchOptions& options) {
  if (!crypto::Initialize().ok()) return 1;
  std::filesystem::path dir = options.dir;
  bool remove_dir = false;
  if (dir.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "chain-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return 1;
    dir = pattern;
    remove_dir = true;
  }
  Fixture fixture;
  for (size_t i = 0; i < options.accounts; ++i) fixture.accounts.push_back(crypto::KeyPair::Generate());
  std::map<std::string, crypto::PublicKey> account_keys;
  for (size_t i = 0; i < options.accounts; ++i) account_keys[AccountId(i)] = fixture.accounts[i].public_key();
  const crypto::Digest genesis = crypto::Sha256(AsBytes("chain bench genesis"));

  const auto build_start = Clock::now();
  BuildBlocks(options, genesis, fixture);
  std::printf("prepared %llu blocks of %zu signed transactions in %.2f s (not timed below)\n",
              static_cast<unsigned long long>(options.blocks), options.txs_per_block,
              Seconds(Clock::now() - build_start));

  StoreOptions store_options;
  store_options.path = dir / "db";
  store_options.create_if_missing = true;
  store_options.genesis_hash = genesis;
  auto store = BlockStore::Open(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 1;
  }
  const NodeKeyLookup node_keys = [&](uint64_t) -> Result<crypto::PublicKey> {
    return fixture.proposer.public_key();
  };
  const AccountKeyLookup tx_keys = [&](std::string_view id, uint64_t) -> Result<crypto::PublicKey> {
    auto it = account_keys.find(std::string(id));
    if (it == account_keys.end()) return Status::NotFound("unknown account");
    return it->second;
  };

  Clock::duration decode_time{}, verify_time{}, append_time{};
  const double cpu_start = CpuSeconds();
  for (const Bytes& encoded : fixture.encoded_blocks) {
    const auto t0 = Clock::now();
    auto block = Block::Decode(encoded);
    const auto t1 = Clock::now();
    Status verified = block.ok() ? VerifyBlockSignatures(*block, genesis, node_keys, tx_keys) : block.status();
    const auto t2 = Clock::now();
    Status appended = verified.ok() ? (*store)->AppendBlock(*block, nullptr) : verified;
    const auto t3 = Clock::now();
    if (!appended.ok()) {
      std::fprintf(stderr, "block failed: %s\n", appended.ToString().c_str());
      return 1;
    }
    decode_time += t1 - t0;
    verify_time += t2 - t1;
    append_time += t3 - t2;
  }
  const double cpu_total = CpuSeconds() - cpu_start;
  const double total = Seconds(decode_time + verify_time + append_time);
  const double blocks = static_cast<double>(options.blocks);
  const double txs = blocks * static_cast<double>(options.txs_per_block);
  std::printf("blocks of %zu signed transactions, decoded + every signature verified + appended (synced):\n",
              options.txs_per_block);
  std::printf("  %.2f blocks/s, %.0f transactions/s over %llu blocks (%.2f s)\n", blocks / total, txs / total,
              static_cast<unsigned long long>(options.blocks), total);
  std::printf("  process CPU time %.2f s: %.2f blocks/s, %.0f transactions/s per core-second\n", cpu_total,
              blocks / cpu_total, txs / cpu_total);
  std::printf("  per block (wall): decode %.2f ms, verify %.2f ms, append %.2f ms\n",
              1e3 * Seconds(decode_time) / blocks, 1e3 * Seconds(verify_time) / blocks,
              1e3 * Seconds(append_time) / blocks);
  std::printf("  head height %llu, tx log size %llu\n", static_cast<unsigned long long>((*store)->height()),
              static_cast<unsigned long long>((*store)->tx_log().size()));
  store->reset();
  if (remove_dir) std::filesystem::remove_all(dir);
  return 0;
}

}  // namespace
}  // namespace shulian::ledger

int main(int argc, char** argv) {
  shulian::ledger::BenchOptions options;
  if (!shulian::ledger::ParseArgs(argc, argv, options)) {
    std::fprintf(stderr, "usage: chain_bench [--blocks N] [--txs-per-block N] [--accounts N] [--dir PATH]\n");
    return 2;
  }
  return shulian::ledger::Run(options);
}
