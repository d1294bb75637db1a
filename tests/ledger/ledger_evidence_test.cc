// Tests of the Ledger's evidence core on a real LevelDB: the outcome and block
// logs appended with each block, outcome records, checkpoints of past heights,
// validator-set history, the block checks moved into ApplyBlock, and consistency
// proofs (ledger/ledger.h).
#include <leveldb/db.h>

#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "tests/ledger/ledger_evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

std::string U64Bytes(uint64_t value) {
  ByteWriter w;
  w.PutU64(value);
  return std::string(AsStringView(w.bytes()));
}

TEST_F(LedgerEvidenceTest, OutcomeLogEqualsTheOutcomesInOrderAndSurvivesReopen) {
  // Proves outcome i is leaf i of the outcome log and record o/i, header h is leaf h-1 of the block log, after a reopen too.
  crypto::MemoryMerkleTree expected_outcomes;
  crypto::MemoryMerkleTree expected_headers;
  std::vector<TxOutcome> all;
  for (int b = 0; b < 4; ++b) {
    Block block = MakeBlock(*ledger_, MixedTxs("a" + std::to_string(b)));
    Result<BlockOutcome> applied = ledger_->ApplyBlock(block);
    ASSERT_TRUE(applied.ok()) << applied.status().ToString();
    for (const TxOutcome& outcome : applied->outcomes) {
      expected_outcomes.AppendLeaf(outcome.Encode());
      all.push_back(outcome);
    }
    expected_headers.AppendLeaf(block.header.Encode());
  }
  ASSERT_EQ(all.size(), 8u);
  EXPECT_TRUE(all[0].accepted());
  EXPECT_FALSE(all[1].accepted());
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "before reopen" : "after reopen");
    EXPECT_EQ(ledger_->outcome_log().size(), 8u);
    EXPECT_EQ(ledger_->block_log().size(), 4u);
    EXPECT_EQ(ledger_->outcome_log().Root(8).value(), expected_outcomes.Root().value());
    EXPECT_EQ(ledger_->block_log().Root(4).value(), expected_headers.Root().value());
    for (uint64_t i = 0; i < all.size(); ++i) {
      EXPECT_EQ(ledger_->OutcomeAt(i).value(), all[i]);
      Result<LoggedTransaction> logged = ledger_->TransactionAt(i);
      ASSERT_TRUE(logged.ok()) << logged.status().ToString();
      EXPECT_EQ(logged->transaction.Hash(), all[i].tx_hash);
      EXPECT_EQ(logged->location.log_index, i);
      EXPECT_EQ(logged->location.height, i / 2 + 1);
    }
    EXPECT_EQ(ledger_->OutcomeAt(8).status().code(), ErrorCode::kNotFound);
    Reopen();
  }
}

TEST_F(LedgerEvidenceTest, AFailedApplyLeavesAllThreeLogsUnchanged) {
  // Proves a block the store refuses after the outcome and block logs were staged changes no log, record or head, and the next block applies.
  ApplyBlockOf(MixedTxs("a1"));
  const LogState before = Logs(*ledger_);
  const Checkpoint checkpoint_before = ledger_->CheckpointAt(1).value();

  Block bad = MakeBlock(*ledger_, MixedTxs("a2"));
  bad.header.tx_log_root = crypto::Sha256(AsBytes("wrong"));
  bad.Sign(KeyFor("node-1"));
  Result<BlockOutcome> refused = ledger_->ApplyBlock(bad);
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << refused.status().ToString();
  EXPECT_EQ(Logs(*ledger_), before);
  EXPECT_FALSE(ledger_->outcome_log().has_staged());
  EXPECT_FALSE(ledger_->block_log().has_staged());
  EXPECT_EQ(ledger_->height(), 1u);
  std::string value;
  EXPECT_TRUE(ledger_->db()->Get({}, OutcomeKey(2), &value).IsNotFound());

  ApplyBlockOf(MixedTxs("a3"));
  EXPECT_EQ(ledger_->height(), 2u);
  EXPECT_EQ(ledger_->outcome_log().size(), 4u);
  EXPECT_EQ(ledger_->CheckpointAt(1).value(), checkpoint_before);
  Reopen();
  EXPECT_EQ(ledger_->outcome_log().size(), 4u);
}

TEST_F(LedgerEvidenceTest, DecidedRunsOnceBeforeTheBlockIsStoredAndNeverForARefusedBlock) {
  // Proves the node may answer its clients from `decided`: it sees the final
  // outcome while the head is still the previous block, and a block the store
  // refuses after the state machine ran is never announced.
  ApplyBlockOf(MixedTxs("a1"));
  int calls = 0;
  Ledger::Decided count = [&](const BlockOutcome&) { ++calls; };
  Block bad = MakeBlock(*ledger_, MixedTxs("a2"));
  bad.header.tx_log_root = crypto::Sha256(AsBytes("wrong"));
  bad.Sign(KeyFor("node-1"));
  EXPECT_FALSE(ledger_->ApplyBlock(bad, {}, count).ok());
  EXPECT_EQ(calls, 0);

  std::optional<BlockOutcome> seen;
  uint64_t height_seen = 0;
  Result<BlockOutcome> applied =
      ledger_->ApplyBlock(MakeBlock(*ledger_, MixedTxs("a3")), {}, [&](const BlockOutcome& outcome) {
        ++calls;
        seen = outcome;
        height_seen = ledger_->height();
      });
  ASSERT_TRUE(applied.ok()) << applied.status().ToString();
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(height_seen, 1u);
  ASSERT_TRUE(seen.has_value());
  EXPECT_EQ(seen->height, 2u);
  EXPECT_EQ(seen->block_hash, applied->block_hash);
  ASSERT_EQ(seen->outcomes.size(), 2u);
  EXPECT_EQ(seen->outcomes, applied->outcomes);
  EXPECT_EQ(ledger_->height(), 2u);
}

TEST_F(LedgerEvidenceTest, OpenRefusesAnOutcomeLogOfAnotherSize) {
  // Proves a store whose outcome log is shorter than its transaction log does not open (Corruption).
  ApplyBlockOf(MixedTxs("a1"));
  ApplyBlockOf(MixedTxs("a2"));
  ledger_.reset();
  {
    std::unique_ptr<leveldb::DB> db = OpenDb(LedgerPath());
    ASSERT_TRUE(db->Put({}, MerkleLog::SizeKey(kOutcomeLogKeyPrefix), U64Bytes(3)).ok());
  }
  Result<std::unique_ptr<Ledger>> opened = Ledger::Open(LedgerPath(), genesis_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(opened.status().message().find("outcome log"), std::string::npos) << opened.status().message();
}

TEST_F(LedgerEvidenceTest, OpenRefusesABlockLogOfAnotherSize) {
  // Proves a store whose block log size is not the height does not open (Corruption).
  ApplyBlockOf(MixedTxs("a1"));
  ledger_.reset();
  {
    std::unique_ptr<leveldb::DB> db = OpenDb(LedgerPath());
    ASSERT_TRUE(db->Delete({}, MerkleLog::SizeKey(kBlockLogKeyPrefix)).ok());
  }
  Result<std::unique_ptr<Ledger>> opened = Ledger::Open(LedgerPath(), genesis_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption);
  EXPECT_NE(opened.status().message().find("block log"), std::string::npos) << opened.status().message();
}

TEST_F(LedgerEvidenceTest, OpenRefusesAnOutcomeRecordThatIsNotTheLogLeaf) {
  // Proves a head-block outcome record changed on disk is found at Open (Corruption).
  std::vector<TxOutcome> outcomes = ApplyBlockOf(MixedTxs("a1")).outcomes;
  ledger_.reset();
  {
    std::unique_ptr<leveldb::DB> db = OpenDb(LedgerPath());
    TxOutcome changed = outcomes[1];
    changed.message = "accepted after all";
    const Bytes encoded = changed.Encode();
    ASSERT_TRUE(db->Put({}, OutcomeKey(1), std::string(AsStringView(encoded))).ok());
  }
  Result<std::unique_ptr<Ledger>> opened = Ledger::Open(LedgerPath(), genesis_);
  ASSERT_FALSE(opened.ok());
  EXPECT_EQ(opened.status().code(), ErrorCode::kCorruption) << opened.status().ToString();
}

TEST_F(LedgerEvidenceTest, CheckpointAtAPastHeightEqualsTheCheckpointComputedThen) {
  // Proves CheckpointAt(h) recomputed later (and after reopen) equals the checkpoint taken right after block h.
  std::vector<Checkpoint> taken = {ledger_->CheckpointAt(0).value()};
  EXPECT_EQ(taken[0].block_hash, ledger_->genesis_hash());
  EXPECT_EQ(taken[0].tx_log_root, crypto::MerkleEmptyRoot());
  for (int b = 1; b <= 6; ++b) {
    std::vector<Transaction> txs = MixedTxs("a" + std::to_string(b));
    if (b == 3) txs.push_back(AddValidatorTx(4));
    BlockOutcome applied = ApplyBlockOf(std::move(txs));
    Checkpoint now = ledger_->CheckpointAt(static_cast<uint64_t>(b)).value();
    EXPECT_EQ(now.block_hash, applied.block_hash);
    EXPECT_EQ(now.validator_set_id, ledger_->validator_set().Id());
    EXPECT_EQ(now.tx_log_size, ledger_->tx_log().size());
    EXPECT_EQ(now.outcome_log_size, now.tx_log_size);
    EXPECT_EQ(now.network_id, kNetworkId);
    taken.push_back(now);
  }
  EXPECT_NE(taken[2].validator_set_id, taken[3].validator_set_id);
  for (int round = 0; round < 2; ++round) {
    for (uint64_t h = 0; h < taken.size(); ++h) EXPECT_EQ(ledger_->CheckpointAt(h).value(), taken[h]) << h;
    EXPECT_EQ(ledger_->CheckpointAt(7).status().code(), ErrorCode::kNotFound);
    Reopen();
  }
}

TEST_F(LedgerEvidenceTest, ValidatorSetIdChangesWithAddAndRemoveAndIsStableAcrossReopen) {
  // Proves accepted add/remove change the set (and its history), rejected attempts do not, and a reopen rebuilds the same.
  const ValidatorSet genesis_set = ledger_->validator_set();
  ASSERT_EQ(genesis_set.members.size(), 3u);
  ApplyBlockOf({MakeTx("js.sup", AddValidatorBody{{}, 5, "x", "320000", KeyFor("node-5").public_key()})});
  EXPECT_EQ(ledger_->validator_set(), genesis_set);  // refused: only the operator adds validators
  const uint64_t add_index = ledger_->tx_log().size();
  ApplyBlockOf({AddValidatorTx(4)});
  const ValidatorSet with_four = ledger_->validator_set();
  EXPECT_TRUE(with_four.Contains(4));
  EXPECT_NE(with_four.Id(), genesis_set.Id());
  const uint64_t remove_index = ledger_->tx_log().size();
  ApplyBlockOf({RemoveValidatorTx(2)}, 4);  // the new member proposes
  const ValidatorSet without_two = ledger_->validator_set();
  EXPECT_FALSE(without_two.Contains(2));
  EXPECT_NE(without_two.Id(), with_four.Id());

  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "before reopen" : "after reopen");
    EXPECT_EQ(ledger_->validator_set(), without_two);
    EXPECT_EQ(ledger_->ValidatorChangesBefore(ledger_->tx_log().size()).value(),
              (std::vector<uint64_t>{add_index, remove_index}));
    EXPECT_EQ(ledger_->ValidatorChangesBefore(remove_index).value(), (std::vector<uint64_t>{add_index}));
    EXPECT_EQ(ledger_->ValidatorSetAtTxSize(add_index).value(), genesis_set);
    EXPECT_EQ(ledger_->ValidatorSetAtTxSize(add_index + 1).value(), with_four);
    EXPECT_EQ(ledger_->ValidatorSetAtTxSize(remove_index + 1).value(), without_two);
    EXPECT_EQ(ledger_->ValidatorSetAtTxSize(ledger_->tx_log().size() + 1).status().code(), ErrorCode::kOutOfRange);
    Reopen();
  }
}

TEST_F(LedgerEvidenceTest, ApplyBlockRefusesAProposerOutsideTheValidatorSet) {
  // Proves a block signed by a node that was never a validator is refused (PermissionDenied) and changes nothing.
  ApplyBlockOf(MixedTxs("a1"));
  const LogState before = Logs(*ledger_);
  const crypto::Digest state_before = ledger_->state().Digest().value();
  Result<BlockOutcome> refused = ledger_->ApplyBlock(MakeBlock(*ledger_, MixedTxs("a2"), 9));
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("not a validator"), std::string::npos);
  EXPECT_EQ(Logs(*ledger_), before);
  EXPECT_EQ(ledger_->state().Digest().value(), state_before);
}

TEST_F(LedgerEvidenceTest, ApplyBlockRefusesARemovedValidator) {
  // Proves once a validator is removed its blocks are refused, though its key still signs them correctly.
  ApplyBlockOf({RemoveValidatorTx(2)});
  const LogState before = Logs(*ledger_);
  Result<BlockOutcome> refused = ledger_->ApplyBlock(MakeBlock(*ledger_, MixedTxs("a2"), 2));
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("removed"), std::string::npos) << refused.status().message();
  EXPECT_EQ(Logs(*ledger_), before);
  EXPECT_EQ(ledger_->height(), 1u);
}

TEST_F(LedgerEvidenceTest, ApplyBlockRefusesABadSignature) {
  // Proves a block whose header signature is not the proposer's is refused and changes nothing.
  Block block = MakeBlock(*ledger_, MixedTxs("a1"), 1);
  block.Sign(KeyFor("node-2"));  // a member's key, but not the named proposer's
  const LogState before = Logs(*ledger_);
  Result<BlockOutcome> refused = ledger_->ApplyBlock(block);
  EXPECT_EQ(refused.status().code(), ErrorCode::kPermissionDenied) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("block.signature"), std::string::npos);
  EXPECT_EQ(Logs(*ledger_), before);
  EXPECT_EQ(ledger_->height(), 0u);
  block.Sign(KeyFor("node-1"));
  EXPECT_TRUE(ledger_->ApplyBlock(block).ok());
}

TEST_F(LedgerEvidenceTest, ApplyBlockRefusesATimeBeforeTheHead) {
  // Proves a block stamped before the head block's time is refused (InvalidArgument) and changes nothing.
  ApplyBlockOf(MixedTxs("a1"));
  const int64_t head_time = now_ms_;
  now_ms_ = head_time - 2000;  // MakeBlock adds one second: still before the head
  const LogState before = Logs(*ledger_);
  Result<BlockOutcome> refused = ledger_->ApplyBlock(MakeBlock(*ledger_, {}, 1));
  EXPECT_EQ(refused.status().code(), ErrorCode::kInvalidArgument) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("block.time_ms"), std::string::npos);
  EXPECT_EQ(Logs(*ledger_), before);
  now_ms_ = head_time - 1000;  // exactly the head's time is allowed
  EXPECT_TRUE(ledger_->ApplyBlock(MakeBlock(*ledger_, {}, 1)).ok());
}

TEST_F(LedgerEvidenceTest, ConsistencyProofsVerifyAndFailAgainstAFork) {
  // Proves proofs between two heights verify with crypto/merkle.h, and a ledger that forked in between does not verify against them.
  std::unique_ptr<Ledger> fork = OpenLedger(LedgerPath("fork"));
  ASSERT_NE(fork, nullptr);
  for (int b = 1; b <= 3; ++b) {
    std::vector<Transaction> txs = MixedTxs("a" + std::to_string(b));
    const int64_t time = now_ms_;
    ApplyTo(*ledger_, txs);
    now_ms_ = time;
    ApplyTo(*fork, txs);
  }
  const int64_t time = now_ms_;
  ApplyBlockOf(MixedTxs("main-4"));
  ApplyBlockOf(MixedTxs("main-5"));
  now_ms_ = time;
  ApplyTo(*fork, MixedTxs("fork-4"));
  ApplyTo(*fork, MixedTxs("fork-5"));
  ASSERT_EQ(ledger_->CheckpointAt(3).value(), fork->CheckpointAt(3).value());
  ASSERT_NE(ledger_->CheckpointAt(5).value(), fork->CheckpointAt(5).value());

  for (uint64_t from = 0; from <= 5; ++from) {
    for (uint64_t to = from; to <= 5; ++to) {
      CheckpointConsistency proofs = ledger_->ConsistencyProofs(from, to).value();
      EXPECT_TRUE(VerifyCheckpointConsistency(proofs).ok()) << from << "->" << to;
      ASSERT_TRUE(crypto::VerifyMerkleConsistency(proofs.from.tx_log_size, proofs.to.tx_log_size,
                                                  proofs.from.tx_log_root, proofs.to.tx_log_root, proofs.tx_proof)
                      .ok());
    }
  }
  // The main ledger's proof from 3 to 5, held against the fork's checkpoint 5.
  CheckpointConsistency against_fork = ledger_->ConsistencyProofs(3, 5).value();
  against_fork.to = fork->CheckpointAt(5).value();
  EXPECT_FALSE(VerifyCheckpointConsistency(against_fork).ok());
  // The fork's own proof from its checkpoint 4 cannot join the main ledger's checkpoint 5.
  CheckpointConsistency fork_to_main = fork->ConsistencyProofs(4, 5).value();
  fork_to_main.to = ledger_->CheckpointAt(5).value();
  EXPECT_FALSE(VerifyCheckpointConsistency(fork_to_main).ok());
  // Nor does the main ledger's proof accept the fork's checkpoint 4 as its past.
  CheckpointConsistency main_from_fork = ledger_->ConsistencyProofs(4, 5).value();
  main_from_fork.from = fork->CheckpointAt(4).value();
  EXPECT_FALSE(VerifyCheckpointConsistency(main_from_fork).ok());
  EXPECT_EQ(ledger_->ConsistencyProofs(5, 4).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(ledger_->ConsistencyProofs(1, 6).status().code(), ErrorCode::kNotFound);
}

TEST_F(LedgerEvidenceTest, ApplyBlockLendsTheStoredTransactionIndexToTheStateMachine) {
  // Proves a dispute applied through the Ledger may cite a transaction of an earlier block, and not an unknown one.
  Transaction asset = MakeTx("tz.prov", AssetBody("a1", "321200"));
  ASSERT_TRUE(ApplyBlockOf({asset}).outcomes.at(0).accepted());
  const crypto::Digest unknown = crypto::Sha256(AsBytes("never ordered"));
  std::vector<TxOutcome> outcomes = ApplyBlockOf({MakeTx("court", OpenDisputeBody{{}, "d1", "s", {asset.Hash()}}),
                                                  MakeTx("court", OpenDisputeBody{{}, "d2", "s", {unknown}})})
                                        .outcomes;
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].accepted()) << outcomes[0].message;
  EXPECT_EQ(outcomes[1].code, OutcomeCode::kRuleInvalidArgument);
}

}  // namespace
}  // namespace shulian::ledger::testing
