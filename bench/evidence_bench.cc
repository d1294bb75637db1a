// evidence_bench: evidence bundle generation time, verification time and size at
// 1,000,000 transactions. Prints figures; asserts nothing.
//
// What is built. Running a million transactions through the state machine takes
// too long for one run, so the bench builds what a bundle is made from directly:
// the ledger's three Merkle logs (transactions m/tx/, outcomes m/out/, block
// headers m/blk/) in a real LevelDB with MerkleLog, exactly as Ledger::ApplyBlock
// stages them, from realistic leaves: encoded record_access transactions (every
// one distinct by nonce; one in kSignEvery signed for real, the rest carrying a
// copied signature since nothing here checks it), their encoded outcomes, and real
// block headers (tx_log_size/root from the log) of kBlockTransactions each. The
// checkpoint over the final logs is cosigned by three real Ed25519 keys.
//
// What is timed. "generation" = the three inclusion proofs from LevelDB
// (MerkleLog::InclusionProof, the builder's code path) plus the bundle's JSON
// text; "verification" = VerifyBundleText (parse, canonical form, checkpoint
// signatures, every proof, the subject) against a genesis of those validators.
//
// Usage: evidence_bench [transactions] [samples]   (defaults 1000000 and 200)
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "crypto/keys.h"
#include "crypto/merkle.h"
#include "ledger/bodies.h"
#include "ledger/checkpoint.h"
#include "ledger/evidence.h"
#include "ledger/merkle_log.h"
#include "ledger/outcome.h"
#include "ledger/transaction.h"
#include "ledger/validator_set.h"

namespace {

using namespace shulian;
using namespace shulian::ledger;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kDefaultTransactions = 1'000'000;
constexpr int kDefaultSamples = 200;
constexpr uint32_t kBlockTransactions = 100;
constexpr uint64_t kSignEvery = 1000;
constexpr size_t kAccessRecords = 100;  // records in the multi-record bundle
constexpr char kNetwork[] = "js-bench";
constexpr int64_t kStartMs = 1'740'967'200'000;

double SecondsSince(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

int Fail(const std::string& what) {
  std::fprintf(stderr, "evidence_bench: %s\n", what.c_str());
  return 1;
}

crypto::KeyPair Key(std::string_view name) {
  crypto::Digest seed = crypto::Sha256(AsBytes(std::string("evidence-bench/") + std::string(name)));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

struct World {
  std::unique_ptr<leveldb::DB> db;
  std::unique_ptr<MerkleLog> tx_log, outcome_log, block_log;
  std::vector<Bytes> headers;  // encoded header of block h at index h-1 (116 bytes each)
  Transaction template_tx;
  crypto::KeyPair sender = Key("nj.user");
};

const crypto::Digest kGenesisHash = crypto::Sha256(AsBytes("evidence-bench genesis"));

Transaction TxAt(World& world, uint64_t index) {
  Transaction tx = world.template_tx;
  tx.nonce = index;
  tx.client_time_ms = kStartMs + static_cast<int64_t>(index / kBlockTransactions) * 1000;
  if (index % kSignEvery == 0) tx.Sign(world.sender, kGenesisHash);
  return tx;
}

Bytes OutcomeOf(const Bytes& encoded_tx) {
  TxOutcome outcome;
  outcome.tx_hash = crypto::Sha256(encoded_tx);
  return outcome.Encode();
}

Status AppendBlock(World& world, uint64_t height, uint64_t first, uint32_t count, crypto::Digest& previous) {
  std::vector<crypto::Digest> tx_leaves, outcome_leaves;
  for (uint64_t i = first; i < first + count; ++i) {
    Bytes encoded = TxAt(world, i).Encode();
    tx_leaves.push_back(crypto::MerkleLeafHash(encoded));
    outcome_leaves.push_back(crypto::MerkleLeafHash(OutcomeOf(encoded)));
  }
  leveldb::WriteBatch batch;
  ASSIGN_OR_RETURN(MerkleLog::Staged tx, world.tx_log->StageAppend(tx_leaves, &batch));
  ASSIGN_OR_RETURN(MerkleLog::Staged out, world.outcome_log->StageAppend(outcome_leaves, &batch));
  (void)out;
  BlockHeader header;
  header.height = height;
  header.previous_hash = previous;
  header.time_ms = kStartMs + static_cast<int64_t>(height) * 1000;
  header.proposer = 1;
  header.tx_count = count;
  header.tx_log_size = tx.size;
  header.tx_log_root = tx.root;
  Bytes encoded_header = header.Encode();
  std::vector<crypto::Digest> block_leaf{crypto::MerkleLeafHash(encoded_header)};
  ASSIGN_OR_RETURN(MerkleLog::Staged blk, world.block_log->StageAppend(block_leaf, &batch));
  (void)blk;
  leveldb::Status written = world.db->Write(leveldb::WriteOptions(), &batch);
  if (!written.ok()) {
    world.tx_log->AbortStaged();
    world.outcome_log->AbortStaged();
    world.block_log->AbortStaged();
    return Status::IoError(written.ToString());
  }
  world.tx_log->CommitStaged();
  world.outcome_log->CommitStaged();
  world.block_log->CommitStaged();
  previous = header.Hash();
  world.headers.push_back(std::move(encoded_header));
  return Status::Ok();
}

Result<EvidenceRecord> RecordAt(World& world, const Checkpoint& cp, uint64_t index) {
  EvidenceRecord record;
  record.log_index = index;
  record.transaction = TxAt(world, index).Encode();
  record.outcome = OutcomeOf(record.transaction);
  uint64_t height = index / kBlockTransactions + 1;
  record.block_header = world.headers[height - 1];
  ASSIGN_OR_RETURN(record.tx_proof, world.tx_log->InclusionProof(index, cp.tx_log_size));
  ASSIGN_OR_RETURN(record.outcome_proof, world.outcome_log->InclusionProof(index, cp.outcome_log_size));
  ASSIGN_OR_RETURN(record.block_proof, world.block_log->InclusionProof(height - 1, cp.height));
  return record;
}

struct Figures {
  double generate_ms = 0, verify_ms = 0, bytes = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const uint64_t transactions = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : kDefaultTransactions;
  const int samples = argc > 2 ? std::atoi(argv[2]) : kDefaultSamples;
  if (transactions < kAccessRecords * kSignEvery || samples < 1) return Fail("need >= 100000 transactions");
  if (!crypto::Initialize().ok()) return Fail("libsodium");

  std::string dir = (std::filesystem::temp_directory_path() / "evidence-bench-XXXXXX").string();
  if (::mkdtemp(dir.data()) == nullptr) return Fail("mkdtemp");
  World world;
  {
    leveldb::Options options;
    options.create_if_missing = true;
    options.write_buffer_size = 16 << 20;
    leveldb::DB* db = nullptr;
    if (!leveldb::DB::Open(options, dir + "/db", &db).ok()) return Fail("open LevelDB");
    world.db.reset(db);
    world.tx_log = std::move(MerkleLog::Open(db, "m/tx/")).value();
    world.outcome_log = std::move(MerkleLog::Open(db, "m/out/")).value();
    world.block_log = std::move(MerkleLog::Open(db, "m/blk/")).value();
  }
  RecordAccessBody body;
  body.grant_id = "r-000123";
  body.asset_id = "a1";
  body.purpose = "企业开办审批核验";
  body.business_scenario = "business-licensing";
  body.fields = {"name", "credit_code"};
  body.row_count = 1;
  body.result_digest = crypto::Sha256(AsBytes("result"));
  world.template_tx.type = TxType::kRecordAccess;
  world.template_tx.network_id = kNetwork;
  world.template_tx.sender = "nj.user";
  world.template_tx.body = body.Encode();
  world.template_tx.Sign(world.sender, kGenesisHash);

  // ---- build the three logs ----
  auto start = Clock::now();
  crypto::Digest previous = kGenesisHash;
  const crypto::Digest genesis_hash = kGenesisHash;
  uint64_t height = 0;
  for (uint64_t first = 0; first < transactions; first += kBlockTransactions) {
    uint32_t count = static_cast<uint32_t>(std::min<uint64_t>(kBlockTransactions, transactions - first));
    Status appended = AppendBlock(world, ++height, first, count, previous);
    if (!appended.ok()) return Fail(appended.ToString());
  }
  double build_s = SecondsSince(start);
  std::printf("built: %llu transactions in %llu blocks of %u; 3 Merkle logs (%llu + %llu + %llu leaves) in LevelDB "
              "in %.1f s; leaf sizes: tx %zu B, outcome %zu B, header %zu B\n",
              static_cast<unsigned long long>(transactions), static_cast<unsigned long long>(height),
              kBlockTransactions, static_cast<unsigned long long>(world.tx_log->size()),
              static_cast<unsigned long long>(world.outcome_log->size()),
              static_cast<unsigned long long>(world.block_log->size()), build_s, TxAt(world, 1).Encode().size(),
              OutcomeOf(TxAt(world, 1).Encode()).size(), world.headers[0].size());

  // ---- genesis, validator set, cosigned checkpoint ----
  ImportedGenesis genesis;
  genesis.network_id = kNetwork;
  genesis.hash = genesis_hash;
  std::vector<crypto::KeyPair> nodes;
  for (uint64_t id = 1; id <= 3; ++id) {
    nodes.push_back(Key("node-" + std::to_string(id)));
    genesis.validators.push_back({id, "node", "320000", nodes.back().public_key()});
  }
  ValidatorSet set = std::move(ValidatorSet::FromGenesis(genesis)).value();
  CosignedCheckpoint cosigned;
  Checkpoint& cp = cosigned.checkpoint;
  cp.network_id = kNetwork;
  cp.height = height;
  cp.block_hash = previous;
  cp.block_time_ms = kStartMs + static_cast<int64_t>(height) * 1000;
  cp.tx_log_size = world.tx_log->size();
  cp.tx_log_root = world.tx_log->Root(cp.tx_log_size).value();
  cp.outcome_log_size = world.outcome_log->size();
  cp.outcome_log_root = world.outcome_log->Root(cp.outcome_log_size).value();
  cp.block_log_root = world.block_log->Root(height).value();
  cp.validator_set_id = set.Id();
  for (uint64_t id = 1; id <= 3; ++id) cosigned.signatures.push_back({id, cp.Sign(nodes[id - 1])});

  EvidenceBundle base;
  base.network_id = kNetwork;
  base.genesis_hash = genesis_hash;
  base.checkpoint = cosigned;

  // ---- one-transaction bundles at random (signed) indexes ----
  std::mt19937_64 rng(42);
  Figures single;
  for (int s = 0; s < samples; ++s) {
    uint64_t index = (rng() % (transactions / kSignEvery)) * kSignEvery;
    auto t0 = Clock::now();
    EvidenceBundle bundle = base;
    bundle.subject.kind = SubjectKind::kTransaction;
    Result<EvidenceRecord> record = RecordAt(world, cp, index);
    if (!record.ok()) return Fail(record.status().ToString());
    bundle.subject.tx_hash = crypto::Sha256(record->transaction);
    bundle.records.push_back(std::move(record).value());
    std::string text = bundle.ToJson().dump();
    single.generate_ms += SecondsSince(t0) * 1e3;
    auto t1 = Clock::now();
    Result<VerifiedBundle> verified = VerifyBundleText(text, genesis);
    single.verify_ms += SecondsSince(t1) * 1e3;
    if (!verified.ok()) return Fail("bundle did not verify: " + verified.status().ToString());
    single.bytes += static_cast<double>(text.size());
  }
  std::printf("one-transaction bundle (%d samples at random indexes of %llu): generation %.3f ms, verification "
              "%.3f ms, size %.0f bytes (3 proofs of ~%zu hashes, 3 signatures)\n",
              samples, static_cast<unsigned long long>(transactions), single.generate_ms / samples,
              single.verify_ms / samples, single.bytes / samples, world.tx_log->InclusionProof(0, cp.tx_log_size)->size());

  // ---- an asset-access bundle of kAccessRecords records spread over the log ----
  int multi_samples = std::max(1, samples / 20);
  Figures multi;
  for (int s = 0; s < multi_samples; ++s) {
    auto t0 = Clock::now();
    EvidenceBundle bundle = base;
    bundle.subject.kind = SubjectKind::kAssetAccess;
    bundle.subject.asset_id = "a1";
    bundle.subject.from_ms = kStartMs;
    bundle.subject.to_ms = kStartMs + static_cast<int64_t>(height + 1) * 1000;
    uint64_t stride = transactions / kAccessRecords / kSignEvery * kSignEvery;
    for (size_t k = 0; k < kAccessRecords; ++k) {
      Result<EvidenceRecord> record = RecordAt(world, cp, k * stride + static_cast<uint64_t>(s) * kSignEvery);
      if (!record.ok()) return Fail(record.status().ToString());
      bundle.records.push_back(std::move(record).value());
    }
    std::string text = bundle.ToJson().dump();
    multi.generate_ms += SecondsSince(t0) * 1e3;
    auto t1 = Clock::now();
    Result<VerifiedBundle> verified = VerifyBundleText(text, genesis);
    multi.verify_ms += SecondsSince(t1) * 1e3;
    if (!verified.ok()) return Fail("access bundle did not verify: " + verified.status().ToString());
    multi.bytes += static_cast<double>(text.size());
  }
  std::printf("asset-access bundle of %zu records (%d samples): generation %.2f ms, verification %.2f ms, size %.0f "
              "bytes\n",
              kAccessRecords, multi_samples, multi.generate_ms / multi_samples, multi.verify_ms / multi_samples,
              multi.bytes / multi_samples);
  std::printf("LevelDB node reads for proofs: tx log %llu, outcome log %llu, block log %llu\n",
              static_cast<unsigned long long>(world.tx_log->node_reads()),
              static_cast<unsigned long long>(world.outcome_log->node_reads()),
              static_cast<unsigned long long>(world.block_log->node_reads()));

  world.tx_log.reset();
  world.outcome_log.reset();
  world.block_log.reset();
  world.db.reset();
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
  return 0;
}
