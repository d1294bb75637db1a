// shulian-demo: builds a small sample ledger on disk, closes it, reopens it,
// walks it with the chain verifier and prints its head. It shows the chain layer
// end to end before the node exists: real keys, real signatures, real LevelDB.
//
//   shulian-demo DATA_DIR
//
// DATA_DIR must not already hold a ledger (the demo's keys are fresh each run,
// so an old ledger could not be verified with them). Exit codes: 0 verified,
// 1 a step failed (the message says which), 2 usage.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/block.h"
#include "ledger/chain_verifier.h"
#include "ledger/store.h"
#include "ledger/transaction.h"

namespace shulian::demo {
namespace {

using ledger::Block;
using ledger::BlockStore;
using ledger::Transaction;
using ledger::TxType;

constexpr std::string_view kNetworkId = "shulian-demo";
constexpr uint64_t kValidatorCount = 3;
constexpr int64_t kBlockIntervalMs = 1000;

// One sample transaction: who sends which kind, with a plausible body. Bodies
// are opaque bytes at this layer (the typed codecs live in ledger/bodies.h).
struct SampleTx {
  std::string sender;
  TxType type;
  std::string body;
};

// Five blocks telling a short story: authorities and accounts are registered, a
// statistics bureau registers data assets, a health commission asks to share one
// and is granted it, uses it, and a citizen objects to an error in another.
std::vector<std::vector<SampleTx>> SampleBlocks() {
  const std::string census_hash = crypto::Sha256(AsBytes("population census 2020 extract")).ToHex();
  const std::string transit_hash = crypto::Sha256(AsBytes("bus ridership 2024 Q1")).ToHex();
  return {
      {{"js.dsj", TxType::kRegisterAuthority,
        "authority=js.dsj;level=province;name=Jiangsu Big Data Administration"},
       {"js.dsj", TxType::kRegisterAuthority, "authority=tz.dsj;level=municipality;parent=js.dsj"},
       {"js.dsj", TxType::kRegisterAccount, "account=nj.stats;authority=js.dsj;role=provider"},
       {"js.dsj", TxType::kRegisterAccount, "account=tz.health;authority=tz.dsj;role=user"},
       {"js.dsj", TxType::kRegisterAccount, "account=citizen.0042;role=public"}},
      {{"nj.stats", TxType::kRegisterAsset,
        "asset=nj.stats.census-2020;share=conditional;open=none;grade=3;content_sha256=" + census_hash},
       {"nj.stats", TxType::kRegisterAsset,
        "asset=nj.stats.transit-2024q1;share=unconditional;open=unconditional;grade=1;content_sha256=" +
            transit_hash}},
      {{"tz.health", TxType::kRequestShare,
        "asset=nj.stats.census-2020;purpose=vaccination planning;scenario=district coverage"},
       {"nj.stats", TxType::kApproveShare,
        "request=1;fields=district,age_band,count;mode=interface;expires=2027-01-01"}},
      {{"tz.health", TxType::kRecordAccess,
        "grant=1;asset=nj.stats.census-2020;rows=1204;purpose=vaccination planning"},
       {"tz.health", TxType::kRecordAccess,
        "grant=1;asset=nj.stats.census-2020;rows=88;purpose=vaccination planning"}},
      {{"citizen.0042", TxType::kRaiseObjection,
        "asset=nj.stats.transit-2024q1;issue=route 12 counts duplicated"},
       {"nj.stats", TxType::kAnswerObjection,
        "objection=1;answer=corrected;new_content_sha256=" + transit_hash}},
  };
}

struct Keys {
  std::map<uint64_t, crypto::KeyPair> validators;
  std::map<std::string, crypto::KeyPair> accounts;

  ledger::ChainVerifierOptions VerifierOptions() const {
    ledger::ChainVerifierOptions options;
    options.node_keys = [this](uint64_t id) -> Result<crypto::PublicKey> {
      auto it = validators.find(id);
      if (it == validators.end()) return Status::NotFound("unknown validator " + std::to_string(id));
      return it->second.public_key();
    };
    options.account_keys = [this](std::string_view id, uint64_t) -> Result<crypto::PublicKey> {
      auto it = accounts.find(std::string(id));
      if (it == accounts.end()) return Status::NotFound("unknown account " + std::string(id));
      return it->second.public_key();
    };
    return options;
  }
};

Keys MakeKeys(const std::vector<std::vector<SampleTx>>& blocks) {
  Keys keys;
  for (uint64_t id = 1; id <= kValidatorCount; ++id) keys.validators.emplace(id, crypto::KeyPair::Generate());
  for (const auto& block : blocks) {
    for (const SampleTx& tx : block) {
      if (!keys.accounts.contains(tx.sender)) keys.accounts.emplace(tx.sender, crypto::KeyPair::Generate());
    }
  }
  return keys;
}

// The genesis hash commits to the network id and the validators' keys.
crypto::Digest GenesisHash(const Keys& keys) {
  ByteWriter writer;
  writer.PutString("shulian-demo genesis");
  writer.PutString(kNetworkId);
  for (const auto& [id, key] : keys.validators) {
    writer.PutU64(id);
    writer.PutFixed(key.public_key().view());
  }
  return crypto::Sha256(writer.bytes());
}

Result<Block> MakeBlock(BlockStore& store, const Keys& keys, const std::vector<SampleTx>& samples,
                        int64_t time_ms, uint64_t& nonce) {
  Block block;
  for (const SampleTx& sample : samples) {
    Transaction tx;
    tx.type = sample.type;
    tx.network_id = std::string(kNetworkId);
    tx.sender = sample.sender;
    tx.client_time_ms = time_ms - 200;
    tx.nonce = nonce++;
    tx.body = ToBytes(sample.body);
    tx.Sign(keys.accounts.at(sample.sender), store.genesis_hash());
    block.transactions.push_back(std::move(tx));
  }
  block.header.height = store.height() + 1;
  block.header.previous_hash = store.head_hash();
  block.header.time_ms = time_ms;
  block.header.proposer = 1 + (block.header.height - 1) % kValidatorCount;
  block.header.tx_count = static_cast<uint32_t>(block.transactions.size());
  ASSIGN_OR_RETURN(auto log, store.PreviewTxLog(block.transactions));
  block.header.tx_log_size = log.first;
  block.header.tx_log_root = log.second;
  block.Sign(keys.validators.at(block.header.proposer));
  return block;
}

Status BuildLedger(const ledger::StoreOptions& options, const Keys& keys,
                   const std::vector<std::vector<SampleTx>>& samples) {
  ASSIGN_OR_RETURN(auto store, BlockStore::Open(options));
  const int64_t start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                               std::chrono::system_clock::now().time_since_epoch())
                               .count();
  uint64_t nonce = 1;
  for (size_t i = 0; i < samples.size(); ++i) {
    const int64_t time_ms = start_ms + static_cast<int64_t>(i) * kBlockIntervalMs;
    ASSIGN_OR_RETURN(Block block, MakeBlock(*store, keys, samples[i], time_ms, nonce));
    // The store knows no keys: the caller checks signatures before appending.
    RETURN_IF_ERROR(ledger::VerifyBlockSignatures(block, store->genesis_hash(), keys.VerifierOptions().node_keys,
                                                  keys.VerifierOptions().account_keys));
    RETURN_IF_ERROR(store->AppendBlock(block, nullptr));
    std::printf("appended block %llu: %zu transactions, proposer %llu\n",
                static_cast<unsigned long long>(block.header.height), block.transactions.size(),
                static_cast<unsigned long long>(block.header.proposer));
  }
  return Status::Ok();
}

int Run(const std::filesystem::path& data_dir) {
  if (Status init = crypto::Initialize(); !init.ok()) {
    std::fprintf(stderr, "shulian-demo: %s\n", init.ToString().c_str());
    return 1;
  }
  const std::filesystem::path ledger_dir = data_dir / "ledger";
  if (std::filesystem::exists(ledger_dir)) {
    std::fprintf(stderr, "shulian-demo: %s already holds a ledger; give an empty or new directory\n",
                 data_dir.string().c_str());
    return 1;
  }
  std::error_code created;
  std::filesystem::create_directories(data_dir, created);
  if (created) {
    std::fprintf(stderr, "shulian-demo: cannot create %s: %s\n", data_dir.string().c_str(),
                 created.message().c_str());
    return 1;
  }
  const auto samples = SampleBlocks();
  const Keys keys = MakeKeys(samples);
  ledger::StoreOptions options;
  options.path = ledger_dir;
  options.create_if_missing = true;
  options.genesis_hash = GenesisHash(keys);

  if (Status built = BuildLedger(options, keys, samples); !built.ok()) {
    std::fprintf(stderr, "shulian-demo: building the ledger: %s\n", built.ToString().c_str());
    return 1;
  }
  options.create_if_missing = false;  // reopen what is on disk, nothing else
  auto store = BlockStore::Open(options);
  if (!store.ok()) {
    std::fprintf(stderr, "shulian-demo: reopening: %s\n", store.status().ToString().c_str());
    return 1;
  }
  auto report = ledger::VerifyChain(**store, keys.VerifierOptions());
  if (!report.ok()) {
    std::fprintf(stderr, "shulian-demo: verification failed: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("ledger:      %s\n", ledger_dir.string().c_str());
  std::printf("genesis:     %s\n", options.genesis_hash.ToHex().c_str());
  std::printf("height:      %llu\n", static_cast<unsigned long long>(report->height));
  std::printf("head hash:   %s\n", report->head_hash.ToHex().c_str());
  std::printf("tx log size: %llu\n", static_cast<unsigned long long>(report->tx_log_size));
  std::printf("tx log root: %s\n", report->tx_log_root.ToHex().c_str());
  std::printf("signatures:  %llu blocks, %llu transactions\n",
              static_cast<unsigned long long>(report->height),
              static_cast<unsigned long long>(report->transaction_signatures_verified));
  std::printf("verified\n");
  return 0;
}

}  // namespace
}  // namespace shulian::demo

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: shulian-demo DATA_DIR\n");
    return 2;
  }
  return shulian::demo::Run(argv[1]);
}
