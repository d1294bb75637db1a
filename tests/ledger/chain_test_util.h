// Helpers shared by the chain tests: a temporary directory, deterministic keys,
// signed sample transactions and a builder that makes the next valid block for
// a store. Everything is real: real keys, real signatures, real LevelDB.
#pragma once

#include <stdlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/chain_verifier.h"
#include "ledger/store.h"
#include "ledger/transaction.h"

namespace shulian::ledger::testing {

inline constexpr std::string_view kTestNetwork = "test-net";

// A fresh directory under the system temp dir, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "shulian-chain-XXXXXX").string();
    char* made = mkdtemp(pattern.data());
    if (made == nullptr) abort();
    path_ = made;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// A key pair fixed by one byte, so parent and forked child derive the same keys.
inline crypto::KeyPair TestKey(uint8_t tag) {
  if (!crypto::Initialize().ok()) abort();
  Bytes seed(crypto::KeyPair::kSeedBytes, tag);
  seed[0] = 0x5a;
  auto key = crypto::KeyPair::FromSeed(seed);
  if (!key.ok()) abort();
  return std::move(key).value();
}

inline crypto::Digest TestGenesis() {
  return crypto::Sha256(AsBytes("shulian test genesis"));
}

inline StoreOptions TestStoreOptions(const std::filesystem::path& path) {
  StoreOptions options;
  options.path = path;
  options.create_if_missing = true;
  options.genesis_hash = TestGenesis();
  options.cache_bytes = 1 << 20;
  return options;
}

inline Transaction MakeTx(const std::string& sender, uint64_t nonce, const crypto::KeyPair& key,
                          std::string_view network = kTestNetwork, TxType type = TxType::kRegisterAsset) {
  Transaction tx;
  tx.type = type;
  tx.network_id = std::string(network);
  tx.sender = sender;
  tx.client_time_ms = 1'700'000'000'000 + static_cast<int64_t>(nonce);
  tx.nonce = nonce;
  tx.body = ToBytes("asset:" + sender + "/" + std::to_string(nonce));
  tx.Sign(key, TestGenesis());
  return tx;
}

// Accounts "acct-0".."acct-(n-1)" and validators 1..n with keys from fixed tags.
class TestKeys {
 public:
  static constexpr uint8_t kAccountTagBase = 100;
  static constexpr uint8_t kNodeTagBase = 200;

  explicit TestKeys(int accounts = 3, int nodes = 3) {
    for (int i = 0; i < accounts; ++i) {
      accounts_.emplace("acct-" + std::to_string(i), TestKey(static_cast<uint8_t>(kAccountTagBase + i)));
    }
    for (int i = 1; i <= nodes; ++i) nodes_.emplace(i, TestKey(static_cast<uint8_t>(kNodeTagBase + i)));
  }
  const crypto::KeyPair& account(const std::string& id) const { return accounts_.at(id); }
  const crypto::KeyPair& node(uint64_t id) const { return nodes_.at(id); }
  size_t account_count() const { return accounts_.size(); }
  size_t node_count() const { return nodes_.size(); }

  NodeKeyLookup NodeLookup() const {
    return [this](uint64_t id) -> Result<crypto::PublicKey> {
      auto it = nodes_.find(id);
      if (it == nodes_.end()) return Status::NotFound("unknown node " + std::to_string(id));
      return it->second.public_key();
    };
  }
  AccountKeyLookup AccountLookup() const {
    return [this](std::string_view id, uint64_t) -> Result<crypto::PublicKey> {
      auto it = accounts_.find(std::string(id));
      if (it == accounts_.end()) return Status::NotFound("unknown account " + std::string(id));
      return it->second.public_key();
    };
  }
  ChainVerifierOptions VerifierOptions() const { return {NodeLookup(), AccountLookup()}; }

 private:
  std::map<std::string, crypto::KeyPair> accounts_;
  std::map<uint64_t, crypto::KeyPair> nodes_;
};

// The next valid block on `store`: proposer rotates, time advances, the header
// carries the log size/root the store previews. Transactions use fresh nonces.
class BlockMaker {
 public:
  explicit BlockMaker(const TestKeys& keys, uint64_t nonce_base = 0) : keys_(keys), nonce_(nonce_base) {}

  std::vector<Transaction> Transactions(size_t count) {
    std::vector<Transaction> txs;
    for (size_t i = 0; i < count; ++i) {
      const std::string sender = "acct-" + std::to_string(nonce_ % keys_.account_count());
      txs.push_back(MakeTx(sender, nonce_++, keys_.account(sender)));
    }
    return txs;
  }

  // A signed block of `txs` on top of `store`'s head. Aborts on failure (test bug).
  Block Next(BlockStore& store, std::vector<Transaction> txs) {
    Block block;
    block.header.height = store.height() + 1;
    block.header.previous_hash = store.head_hash();
    block.header.time_ms = std::max<int64_t>(store.head_time_ms(), 1'700'000'000'000) + 1000;
    block.header.proposer = 1 + block.header.height % keys_.node_count();
    block.header.tx_count = static_cast<uint32_t>(txs.size());
    auto preview = store.PreviewTxLog(txs);
    if (!preview.ok()) abort();
    block.header.tx_log_size = preview->first;
    block.header.tx_log_root = preview->second;
    block.transactions = std::move(txs);
    block.Sign(keys_.node(block.header.proposer));
    return block;
  }
  Block Next(BlockStore& store, size_t tx_count) { return Next(store, Transactions(tx_count)); }

 private:
  const TestKeys& keys_;
  uint64_t nonce_;
};

}  // namespace shulian::ledger::testing
