#include "ledger/ledger.h"

#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include <utility>

#include "ledger/genesis_import.h"

namespace shulian::ledger {

Ledger::Ledger(std::unique_ptr<BlockStore> blocks, const LedgerOptions& options)
    : blocks_(std::move(blocks)),
      state_(std::make_unique<StateStore>(blocks_->db(), std::string(kStateKeyPrefix))),
      machine_(options.state_machine) {}

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
  ASSIGN_OR_RETURN(std::unique_ptr<BlockStore> blocks, BlockStore::Open(store_options));
  std::unique_ptr<Ledger> ledger(new Ledger(std::move(blocks), options));
  if (ledger->state_->Contains("gp")) return ledger;
  if (ledger->blocks_->height() != 0) {
    return Status::Corruption("store holds blocks but no genesis state under " + std::string(kStateKeyPrefix));
  }
  Status applied = ledger->machine_.ApplyImportedGenesis(genesis, *ledger->state_);
  if (!applied.ok()) {
    ledger->state_->DiscardPending();
    return applied;
  }
  leveldb::WriteBatch batch;
  ledger->state_->MoveToBatch(&batch);
  leveldb::WriteOptions sync;
  sync.sync = true;
  leveldb::Status written = ledger->blocks_->db()->Write(sync, &batch);
  if (!written.ok()) return Status::IoError("writing the genesis state: " + written.ToString());
  return ledger;
}

Result<BlockOutcome> Ledger::ApplyBlock(const Block& block) { return ApplyBlock(block, ExtraWrites()); }

Result<BlockOutcome> Ledger::ApplyBlock(const Block& block, const ExtraWrites& add_writes) {
  if (block.header.height != blocks_->height() + 1) {
    return Status::FailedPrecondition("block height " + std::to_string(block.header.height) + " does not follow " +
                                      std::to_string(blocks_->height()));
  }
  Result<std::vector<TxOutcome>> outcomes = machine_.ApplyBlock(block, *state_);
  if (!outcomes.ok()) {
    state_->DiscardPending();
    return outcomes.status();
  }
  leveldb::WriteBatch batch;
  state_->MoveToBatch(&batch);
  BlockOutcome outcome{block.header.height, block.header.Hash(), std::move(outcomes).value()};
  if (add_writes) add_writes(outcome, batch);
  Status appended = blocks_->AppendBlock(block, &batch);
  if (!appended.ok()) return appended;  // the batch (our writes) is dropped with it
  return outcome;
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

}  // namespace shulian::ledger
