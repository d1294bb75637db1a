// Test fixture for the ledger's evidence core: the state machine fixture's Jiangsu
// genesis with three validators (node ids 1, 2, 3; keys KeyFor("node-N")), a real
// Ledger on LevelDB under the fixture's mkdtemp directory, and helpers that build,
// sign and apply blocks.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "ledger/checkpoint.h"
#include "ledger/genesis.h"
#include "ledger/ledger.h"
#include "ledger/validator_set.h"
#include "tests/ledger/sm_fixture.h"
#include "tests/ledger/three_validators.h"

namespace shulian::ledger::testing {

class LedgerEvidenceTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    genesis_ = ThreeValidatorGenesis();
    genesis_hash_ = genesis_.Hash();
    ledger_ = OpenLedger(LedgerPath());
    ASSERT_NE(ledger_, nullptr);
  }
  void TearDown() override {
    ledger_.reset();
    SmTest::TearDown();
  }

  std::string LedgerPath(std::string_view name = "ledger") const { return dir_ + "/" + std::string(name); }

  std::unique_ptr<Ledger> OpenLedger(const std::string& path) {
    Result<std::unique_ptr<Ledger>> opened = Ledger::Open(path, genesis_);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    return opened.ok() ? std::move(opened).value() : nullptr;
  }

  void Reopen() {
    ledger_.reset();
    ledger_ = OpenLedger(LedgerPath());
    ASSERT_NE(ledger_, nullptr);
  }

  // A block of `txs` on `ledger`'s head, one second after the last, by `proposer`.
  Block MakeBlock(Ledger& ledger, std::vector<Transaction> txs, uint64_t proposer = 1) {
    now_ms_ += 1000;
    Result<Block> block = ledger.BuildBlock(std::move(txs), now_ms_, proposer,
                                            KeyFor("node-" + std::to_string(proposer)));
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    return block.ok() ? *block : Block{};
  }

  BlockOutcome ApplyTo(Ledger& ledger, std::vector<Transaction> txs, uint64_t proposer = 1) {
    Result<BlockOutcome> applied = ledger.ApplyBlock(MakeBlock(ledger, std::move(txs), proposer));
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    return applied.ok() ? *applied : BlockOutcome{};
  }
  BlockOutcome ApplyBlockOf(std::vector<Transaction> txs, uint64_t proposer = 1) {
    return ApplyTo(*ledger_, std::move(txs), proposer);
  }

  // A block with one accepted asset registration and one rejected attempt (an
  // unknown sender), so both outcome kinds reach the logs.
  std::vector<Transaction> MixedTxs(const std::string& asset_id) {
    Transaction unknown = MakeTx("tz.prov", AssetBody(asset_id + "-x", "321200"));
    unknown.sender = "nobody";
    unknown.Sign(KeyFor("nobody"), genesis_hash_);
    return {MakeTx("tz.prov", AssetBody(asset_id, "321200")), unknown};
  }

  Transaction AddValidatorTx(uint64_t node_id) {
    return MakeTx("op", AddValidatorBody{{}, node_id, "node-" + std::to_string(node_id), "320000",
                                         KeyFor("node-" + std::to_string(node_id)).public_key()});
  }
  Transaction RemoveValidatorTx(uint64_t node_id) {
    return MakeTx("op", RemoveValidatorBody{{}, node_id, "decommissioned"});
  }

  // The three logs' sizes and roots, to compare before and after.
  struct LogState {
    uint64_t tx_size, outcome_size, block_size;
    crypto::Digest tx_root, outcome_root, block_root;
    friend bool operator==(const LogState&, const LogState&) = default;
  };
  LogState Logs(const Ledger& ledger) const {
    return {ledger.tx_log().size(),
            ledger.outcome_log().size(),
            ledger.block_log().size(),
            ledger.tx_log().Root(ledger.tx_log().size()).value(),
            ledger.outcome_log().Root(ledger.outcome_log().size()).value(),
            ledger.block_log().Root(ledger.block_log().size()).value()};
  }

  static CheckpointSignature SignAs(const Checkpoint& checkpoint, uint64_t node_id) {
    return {node_id, checkpoint.Sign(KeyFor("node-" + std::to_string(node_id)))};
  }

  Genesis genesis_;
  std::unique_ptr<Ledger> ledger_;
};

}  // namespace shulian::ledger::testing
