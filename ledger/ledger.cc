#include "ledger/ledger.h"

#include <leveldb/db.h>
#include <leveldb/iterator.h>
#include <leveldb/write_batch.h>

#include <algorithm>
#include <utility>

#include "crypto/merkle.h"
#include "ledger/genesis_import.h"

namespace shulian::ledger {
namespace {

std::string Num(uint64_t value) { return std::to_string(value); }

leveldb::Slice ToSlice(std::string_view s) { return {s.data(), s.size()}; }

std::string U64Key(std::string_view prefix, uint64_t value) {
  ByteWriter w(prefix.size() + 8);
  w.PutFixed(AsBytes(prefix));
  w.PutU64(value);
  return std::string(AsStringView(w.bytes()));
}

// Reads `key`: NotFound if absent, Corruption/IoError as LevelDB says. LevelDB's
// Get is not declared const but is safe to call concurrently.
Result<std::string> Get(const leveldb::DB& db, const std::string& key) {
  std::string value;
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  leveldb::Status status = const_cast<leveldb::DB&>(db).Get(options, ToSlice(key), &value);
  if (status.IsNotFound()) return Status::NotFound("no value under " + ToHex(AsBytes(key)));
  if (status.IsCorruption()) return Status::Corruption("reading " + ToHex(AsBytes(key)) + ": " + status.ToString());
  if (!status.ok()) return Status::IoError("reading " + ToHex(AsBytes(key)) + ": " + status.ToString());
  return value;
}

// The u64 suffixes of every key under `prefix`, in order.
Result<std::vector<uint64_t>> ScanU64Keys(const leveldb::DB& db, std::string_view prefix) {
  leveldb::ReadOptions options;
  options.verify_checksums = true;
  std::unique_ptr<leveldb::Iterator> it(const_cast<leveldb::DB&>(db).NewIterator(options));
  std::vector<uint64_t> out;
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    const std::string_view key(it->key().data(), it->key().size());
    ByteReader reader(AsBytes(key.substr(prefix.size())));
    Result<uint64_t> value = reader.GetU64();
    if (!value.ok() || !reader.Finish().ok()) {
      return Status::Corruption(std::string(prefix) + " key of " + Num(key.size()) + " bytes is malformed");
    }
    out.push_back(*value);
  }
  if (!it->status().ok()) return Status::IoError("scanning " + std::string(prefix) + ": " + it->status().ToString());
  return out;
}

Status Write(leveldb::DB& db, leveldb::WriteBatch& batch, std::string_view what) {
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status written = db.Write(sync, &batch);
  if (!written.ok()) return Status::IoError(std::string(what) + ": " + written.ToString());
  return Status::Ok();
}

}  // namespace

std::string OutcomeKey(uint64_t log_index) { return U64Key(kOutcomeKeyPrefix, log_index); }
std::string ValidatorChangeKey(uint64_t log_index) { return U64Key(kValidatorChangeKeyPrefix, log_index); }

Ledger::Ledger(std::unique_ptr<BlockStore> blocks, const LedgerOptions& options)
    : blocks_(std::move(blocks)),
      state_(std::make_unique<StateStore>(blocks_->db(), std::string(kStateKeyPrefix))),
      machine_(options.state_machine),
      log_options_(options.logs) {}

Result<std::unique_ptr<Ledger>> Ledger::Open(const std::filesystem::path& path, const Genesis& genesis,
                                             const LedgerOptions& options) {
  ASSIGN_OR_RETURN(ImportedGenesis imported, ImportGenesis(genesis));
  return OpenImported(path, imported, options);
}

Result<std::unique_ptr<Ledger>> Ledger::OpenImported(const std::filesystem::path& path,
                                                     const ImportedGenesis& genesis, const LedgerOptions& options) {
  StoreOptions store_options;
  store_options.path = path;
  store_options.create_if_missing = true;
  store_options.genesis_hash = genesis.hash;
  store_options.limits = options.block_limits;
  store_options.write_buffer_bytes = options.db_write_buffer_bytes;
  ASSIGN_OR_RETURN(std::unique_ptr<BlockStore> blocks, BlockStore::Open(store_options));
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(blocks), options));
  ledger->network_id_ = genesis.network_id;
  ledger->genesis_time_ms_ = genesis.genesis_time_ms;
  RETURN_IF_ERROR(ledger->InitializeState(genesis));
  RETURN_IF_ERROR(ledger->OpenLogs());
  RETURN_IF_ERROR(ledger->CheckLogsAgainstHead());
  RETURN_IF_ERROR(ledger->LoadValidatorHistory(genesis));
  return ledger;
}

// Applies the genesis on first open; an opened store must already hold it.
Status Ledger::InitializeState(const ImportedGenesis& genesis) {
  if (state_->Contains("gp")) return Status::Ok();
  if (blocks_->height() != 0) {
    return Status::Corruption("store holds blocks but no genesis state under " + std::string(kStateKeyPrefix));
  }
  Status applied = machine_.ApplyImportedGenesis(genesis, *state_);
  if (!applied.ok()) {
    state_->DiscardPending();
    return applied;
  }
  leveldb::WriteBatch batch;
  state_->MoveToBatch(&batch);
  return Write(*blocks_->db(), batch, "writing the genesis state");
}

Status Ledger::OpenLogs() {
  Result<std::unique_ptr<MerkleLog>> outcomes =
      MerkleLog::Open(blocks_->db(), std::string(kOutcomeLogKeyPrefix), log_options_);
  if (!outcomes.ok()) return outcomes.status().WithContext("opening the outcome log");
  outcome_log_ = std::move(outcomes).value();
  Result<std::unique_ptr<MerkleLog>> headers =
      MerkleLog::Open(blocks_->db(), std::string(kBlockLogKeyPrefix), log_options_);
  if (!headers.ok()) return headers.status().WithContext("opening the block log");
  block_log_ = std::move(headers).value();
  return Status::Ok();
}

// The sizes must agree with the chain, and the newest leaves must be the head
// block's header and its transactions' stored outcomes: O(head transactions) reads.
Status Ledger::CheckLogsAgainstHead() {
  const uint64_t height = blocks_->height();
  if (outcome_log_->size() != tx_log().size()) {
    return Status::Corruption("the outcome log holds " + Num(outcome_log_->size()) +
                              " leaves, the transaction log " + Num(tx_log().size()));
  }
  if (block_log_->size() != height) {
    return Status::Corruption("the block log holds " + Num(block_log_->size()) + " leaves, the height is " +
                              Num(height));
  }
  if (height == 0) return Status::Ok();
  const std::string where = "height " + Num(height) + ": ";
  Result<Block> head = blocks_->GetBlock(height);
  if (!head.ok()) return head.status();
  Result<crypto::Digest> header_leaf = block_log_->PerfectSubtree(0, height - 1);
  if (!header_leaf.ok()) return header_leaf.status().WithContext(where + "block log");
  if (*header_leaf != crypto::MerkleLeafHash(head->header.Encode())) {
    return Status::Corruption(where + "the block log's last leaf is not the head block's header");
  }
  const uint64_t first = head->header.tx_log_size - head->transactions.size();
  for (size_t i = 0; i < head->transactions.size(); ++i) {
    const std::string tx_where = where + "transaction " + Num(i) + ": ";
    Result<std::string> stored = Get(*blocks_->db(), OutcomeKey(first + i));
    if (!stored.ok()) return Status::Corruption(tx_where + "outcome record: " + stored.status().message());
    Result<TxOutcome> outcome = TxOutcome::Decode(AsBytes(*stored));
    if (!outcome.ok() || outcome->tx_hash != head->transactions[i].Hash()) {
      return Status::Corruption(tx_where + "the stored outcome is not this transaction's");
    }
    Result<crypto::Digest> leaf = outcome_log_->PerfectSubtree(0, first + i);
    if (!leaf.ok()) return leaf.status().WithContext(tx_where + "outcome log");
    if (*leaf != crypto::MerkleLeafHash(AsBytes(*stored))) {
      return Status::Corruption(tx_where + "the outcome log leaf is not the stored outcome");
    }
  }
  head_header_ = head->header;
  return Status::Ok();
}

// Genesis folded with every vh/ entry; each must be an accepted membership change.
Status Ledger::LoadValidatorHistory(const ImportedGenesis& genesis) {
  ASSIGN_OR_RETURN(genesis_validators_, ValidatorSet::FromGenesis(genesis));
  ValidatorSet set = genesis_validators_;
  ASSIGN_OR_RETURN(std::vector<uint64_t> changes, ScanU64Keys(*blocks_->db(), kValidatorChangeKeyPrefix));
  validator_history_.clear();
  for (uint64_t log_index : changes) {
    const std::string where = "validator change at log index " + Num(log_index) + ": ";
    if (log_index >= tx_log().size()) return Status::Corruption(where + "past the log's end");
    Result<LoggedTransaction> logged = TransactionAt(log_index);
    if (!logged.ok()) return Status::Corruption(where + logged.status().message());
    Result<TxOutcome> outcome = OutcomeAt(log_index);
    if (!outcome.ok()) return Status::Corruption(where + outcome.status().message());
    if (!outcome->accepted() || !IsValidatorChange(logged->transaction.type)) {
      return Status::Corruption(where + "not an accepted membership change");
    }
    Status applied = set.Apply(logged->transaction, machine_.options().body_limits);
    if (!applied.ok()) return Status::Corruption(where + applied.message());
    validator_history_.push_back({log_index, set});
  }
  validator_set_ = std::move(set);
  return Status::Ok();
}

Result<BlockOutcome> Ledger::ApplyBlock(const Block& block) { return ApplyBlock(block, ExtraWrites()); }

Status Ledger::CheckProposer(const Block& block) const {
  const uint64_t proposer = block.header.proposer;
  const ValidatorSet::Member* member = validator_set_.Find(proposer);
  if (member == nullptr) {
    return Status::PermissionDenied("block.proposer: node " + Num(proposer) +
                                    (WasValidator(proposer) ? " was removed from the validator set"
                                                            : " is not a validator"));
  }
  if (!block.VerifySignature(member->key)) {
    return Status::PermissionDenied("block.signature: does not verify with the key of proposer " + Num(proposer));
  }
  if (height() > 0 && block.header.time_ms < blocks_->head_time_ms()) {
    return Status::InvalidArgument("block.time_ms: " + std::to_string(block.header.time_ms) +
                                   " is before the head's time " + std::to_string(blocks_->head_time_ms()));
  }
  return Status::Ok();
}

bool Ledger::WasValidator(uint64_t node_id) const {
  if (genesis_validators_.Contains(node_id)) return true;
  return std::any_of(validator_history_.begin(), validator_history_.end(),
                     [&](const ValidatorChange& change) { return change.set_after.Contains(node_id); });
}

Result<BlockOutcome> Ledger::ApplyBlock(const Block& block, const ExtraWrites& add_writes,
                                        const Decided& decided) {
  if (block.header.height != blocks_->height() + 1) {
    return Status::FailedPrecondition("block height " + std::to_string(block.header.height) + " does not follow " +
                                      std::to_string(blocks_->height()));
  }
  RETURN_IF_ERROR(CheckProposer(block));
  // The store's transaction index still ends at the head: the lookup sees exactly
  // the blocks before this one, as on every replica.
  Result<std::vector<TxOutcome>> outcomes = machine_.ApplyBlock(block, *state_, StoredTransactionsOf(*blocks_));
  if (!outcomes.ok()) {
    state_->DiscardPending();
    return outcomes.status();
  }
  if (outcomes->size() != block.transactions.size()) {
    state_->DiscardPending();
    return Status::Internal("the state machine gave " + Num(outcomes->size()) + " outcomes for " +
                            Num(block.transactions.size()) + " transactions");
  }
  leveldb::WriteBatch batch;
  state_->MoveToBatch(&batch);
  BlockOutcome outcome{block.header.height, block.header.Hash(), std::move(outcomes).value()};
  if (add_writes) add_writes(outcome, batch);
  // Ours go after the caller's, so no caller write can replace an evidence key.
  ASSIGN_OR_RETURN(StagedEvidence staged, StageEvidence(block, outcome, batch));
  Status appended = blocks_->AppendBlock(block, &batch, [&] {
    if (decided) decided(outcome);
  });
  if (!appended.ok()) {
    outcome_log_->AbortStaged();
    block_log_->AbortStaged();
    return appended;  // the batch (our writes) is dropped with it
  }
  outcome_log_->CommitStaged();
  block_log_->CommitStaged();
  head_header_ = block.header;
  if (!staged.changes.empty()) {
    validator_set_ = staged.changes.back().set_after;
    validator_history_.insert(validator_history_.end(), staged.changes.begin(), staged.changes.end());
  }
  return outcome;
}

// Adds the block's outcome records, validator-change entries and the outcome and
// block log leaves to `batch`, leaving both logs staged. On error nothing is staged.
Result<Ledger::StagedEvidence> Ledger::StageEvidence(const Block& block, const BlockOutcome& outcome,
                                                     leveldb::WriteBatch& batch) {
  StagedEvidence staged;
  const uint64_t first = tx_log().size();
  ValidatorSet set = validator_set_;
  std::vector<crypto::Digest> leaves;
  leaves.reserve(outcome.outcomes.size());
  for (size_t i = 0; i < outcome.outcomes.size(); ++i) {
    const uint64_t log_index = first + i;
    const Bytes encoded = outcome.outcomes[i].Encode();
    batch.Put(OutcomeKey(log_index), ToSlice(AsStringView(encoded)));
    leaves.push_back(crypto::MerkleLeafHash(encoded));
    const Transaction& tx = block.transactions[i];
    if (!outcome.outcomes[i].accepted() || !IsValidatorChange(tx.type)) continue;
    Status applied = set.Apply(tx, machine_.options().body_limits);
    if (!applied.ok()) {
      // The state machine accepted a change the set cannot take: a bug, not input.
      return Status::Internal("block " + Num(block.header.height) + " transaction " + Num(i) +
                              ": accepted membership change does not fold: " + applied.message());
    }
    batch.Put(ValidatorChangeKey(log_index), leveldb::Slice());
    staged.changes.push_back({log_index, set});
  }
  Result<MerkleLog::Staged> outcomes_staged = outcome_log_->StageAppend(leaves, &batch);
  if (!outcomes_staged.ok()) {
    outcome_log_->AbortStaged();
    return outcomes_staged.status().WithContext("staging the block's outcomes");
  }
  const crypto::Digest header_leaf = crypto::MerkleLeafHash(block.header.Encode());
  Result<MerkleLog::Staged> header_staged = block_log_->StageAppend({&header_leaf, 1}, &batch);
  if (!header_staged.ok()) {
    outcome_log_->AbortStaged();
    block_log_->AbortStaged();
    return header_staged.status().WithContext("staging the block's header");
  }
  return staged;
}

Result<Block> Ledger::BuildBlock(std::vector<Transaction> transactions, int64_t time_ms, uint64_t proposer_id,
                                 const crypto::KeyPair& node_key) {
  Block block;
  block.header.height = blocks_->height() + 1;
  block.header.previous_hash = blocks_->head_hash();
  block.header.time_ms = time_ms;
  block.header.proposer = proposer_id;
  block.header.tx_count = static_cast<uint32_t>(transactions.size());
  ASSIGN_OR_RETURN(auto log, blocks_->PreviewTxLog(transactions));
  block.header.tx_log_size = log.first;
  block.header.tx_log_root = log.second;
  block.transactions = std::move(transactions);
  block.Sign(node_key);
  return block;
}

// ---- Evidence reads ----

Result<TxOutcome> Ledger::OutcomeAt(uint64_t log_index) const {
  if (log_index >= outcome_log_->size()) {
    return Status::NotFound("no outcome at log index " + Num(log_index) + " (the log holds " +
                            Num(outcome_log_->size()) + ")");
  }
  const std::string where = "outcome at log index " + Num(log_index) + ": ";
  Result<std::string> stored = Get(*blocks_->db(), OutcomeKey(log_index));
  if (!stored.ok()) return Status::Corruption(where + stored.status().message());
  Result<TxOutcome> outcome = TxOutcome::Decode(AsBytes(*stored));
  if (!outcome.ok()) return Status::Corruption(where + "does not decode: " + outcome.status().message());
  return outcome;
}

Result<LoggedTransaction> Ledger::TransactionAt(uint64_t log_index) const {
  ASSIGN_OR_RETURN(TxOutcome outcome, OutcomeAt(log_index));
  const std::string where = "transaction at log index " + Num(log_index) + ": ";
  Result<TxLocation> location = blocks_->FindTransaction(outcome.tx_hash);
  if (!location.ok()) return Status::Corruption(where + location.status().message());
  if (location->log_index != log_index) {
    return Status::Corruption(where + "indexed at log index " + Num(location->log_index));
  }
  ASSIGN_OR_RETURN(Block block, blocks_->GetBlock(location->height));
  if (location->position >= block.transactions.size() ||
      block.transactions[location->position].Hash() != outcome.tx_hash) {
    return Status::Corruption(where + "not at its indexed place in block " + Num(location->height));
  }
  return LoggedTransaction{std::move(block.transactions[location->position]), *location};
}

Result<BlockHeader> Ledger::BlockHeaderAt(uint64_t height) const {
  if (head_header_.has_value() && height == head_header_->height) return *head_header_;
  ASSIGN_OR_RETURN(Block block, blocks_->GetBlock(height));
  return block.header;
}

Result<Checkpoint> Ledger::CheckpointAt(uint64_t height) const {
  if (height > blocks_->height()) {
    return Status::NotFound("no checkpoint at height " + Num(height) + " (head is " + Num(blocks_->height()) + ")");
  }
  Checkpoint c;
  c.network_id = network_id_;
  c.height = height;
  c.block_hash = blocks_->genesis_hash();
  c.block_time_ms = genesis_time_ms_;
  if (height > 0) {
    ASSIGN_OR_RETURN(BlockHeader header, BlockHeaderAt(height));
    c.block_hash = header.Hash();
    c.block_time_ms = header.time_ms;
    c.tx_log_size = header.tx_log_size;
  }
  c.outcome_log_size = c.tx_log_size;
  const std::string where = "checkpoint at height " + Num(height) + ": ";
  Result<crypto::Digest> tx_root = tx_log().Root(c.tx_log_size);
  if (!tx_root.ok()) return tx_root.status().WithContext(where + "transaction log");
  c.tx_log_root = *tx_root;
  Result<crypto::Digest> outcome_root = outcome_log_->Root(c.outcome_log_size);
  if (!outcome_root.ok()) return outcome_root.status().WithContext(where + "outcome log");
  c.outcome_log_root = *outcome_root;
  Result<crypto::Digest> block_root = block_log_->Root(height);
  if (!block_root.ok()) return block_root.status().WithContext(where + "block log");
  c.block_log_root = *block_root;
  ASSIGN_OR_RETURN(ValidatorSet set, ValidatorSetAtTxSize(c.tx_log_size));
  c.validator_set_id = set.Id();
  return c;
}

Result<CheckpointConsistency> Ledger::ConsistencyProofs(uint64_t old_height, uint64_t new_height) const {
  if (old_height > new_height) {
    return Status::InvalidArgument("consistency: from height " + Num(old_height) + " is above to height " +
                                   Num(new_height));
  }
  CheckpointConsistency proofs;
  ASSIGN_OR_RETURN(proofs.from, CheckpointAt(old_height));
  ASSIGN_OR_RETURN(proofs.to, CheckpointAt(new_height));
  ASSIGN_OR_RETURN(proofs.tx_proof, tx_log().ConsistencyProof(proofs.from.tx_log_size, proofs.to.tx_log_size));
  ASSIGN_OR_RETURN(proofs.outcome_proof,
                   outcome_log_->ConsistencyProof(proofs.from.outcome_log_size, proofs.to.outcome_log_size));
  ASSIGN_OR_RETURN(proofs.block_proof, block_log_->ConsistencyProof(old_height, new_height));
  return proofs;
}

Result<std::vector<uint64_t>> Ledger::ValidatorChangesBefore(uint64_t tx_log_size) const {
  if (tx_log_size > tx_log().size()) {
    return Status::OutOfRange("tx_log_size " + Num(tx_log_size) + " is past the log's size " + Num(tx_log().size()));
  }
  std::vector<uint64_t> out;
  for (const ValidatorChange& change : validator_history_) {
    if (change.log_index >= tx_log_size) break;
    out.push_back(change.log_index);
  }
  return out;
}

Result<ValidatorSet> Ledger::ValidatorSetAtTxSize(uint64_t tx_log_size) const {
  if (tx_log_size > tx_log().size()) {
    return Status::OutOfRange("tx_log_size " + Num(tx_log_size) + " is past the log's size " + Num(tx_log().size()));
  }
  // The last change below the size decides; none means the genesis set.
  auto after = std::partition_point(validator_history_.begin(), validator_history_.end(),
                                    [&](const ValidatorChange& change) { return change.log_index < tx_log_size; });
  if (after == validator_history_.begin()) return genesis_validators_;
  return std::prev(after)->set_after;
}

}  // namespace shulian::ledger
