// Tests of the node-local checkpoint store (ledger/checkpoint_store.h) over a
// real Ledger: verified signatures only, bounded by the applied height, a cosigned
// checkpoint assembled once a quorum is stored, and persistence across reopen.
#include "ledger/checkpoint_store.h"

#include <string>
#include <vector>

#include "tests/ledger/ledger_evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

class CheckpointStoreTest : public LedgerEvidenceTest {};

TEST_F(CheckpointStoreTest, TryCosignAssemblesOnceAQuorumIsStoredAndPersistsAcrossReopen) {
  // Proves one of three signatures is not enough, the second makes a cosigned checkpoint that verifies, and it survives a reopen.
  ApplyBlockOf(MixedTxs("a1"));
  ApplyBlockOf(MixedTxs("a2"));
  const Checkpoint checkpoint = ledger_->CheckpointAt(2).value();
  {
    CheckpointStore store(*ledger_);
    EXPECT_FALSE(store.LatestCosigned().value().has_value());
    ASSERT_TRUE(store.SignAndPut(2, 1, KeyFor("node-1")).ok());
    Result<std::optional<CosignedCheckpoint>> short_of_quorum = store.TryCosign(2);
    ASSERT_TRUE(short_of_quorum.ok()) << short_of_quorum.status().ToString();
    EXPECT_FALSE(short_of_quorum->has_value());
    EXPECT_EQ(store.Cosigned(2).status().code(), ErrorCode::kNotFound);

    ASSERT_TRUE(store.PutSignature(2, SignAs(checkpoint, 3)).ok());
    Result<std::optional<CosignedCheckpoint>> cosigned = store.TryCosign(2);
    ASSERT_TRUE(cosigned.ok()) << cosigned.status().ToString();
    ASSERT_TRUE(cosigned->has_value());
    EXPECT_EQ((*cosigned)->checkpoint, checkpoint);
    ASSERT_EQ((*cosigned)->signatures.size(), 2u);
    EXPECT_EQ((*cosigned)->signatures[0].node_id, 1u);
    EXPECT_EQ((*cosigned)->signatures[1].node_id, 3u);
    EXPECT_TRUE(VerifyCosigned(**cosigned, ledger_->validator_set()).ok());
  }
  Reopen();
  CheckpointStore store(*ledger_);
  Result<CosignedCheckpoint> stored = store.Cosigned(2);
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  EXPECT_EQ(stored->checkpoint, checkpoint);
  EXPECT_TRUE(VerifyCosigned(*stored, ledger_->ValidatorSetAtTxSize(checkpoint.tx_log_size).value()).ok());
  EXPECT_EQ(store.Signatures(2).value().size(), 2u);
  std::optional<CosignedCheckpoint> latest = store.LatestCosigned().value();
  ASSERT_TRUE(latest.has_value());
  EXPECT_EQ(latest->checkpoint.height, 2u);
}

TEST_F(CheckpointStoreTest, LatestCosignedIsTheGreatestHeight) {
  // Proves LatestCosigned answers the highest cosigned height, not the last stored, and older ones stay readable.
  for (int b = 1; b <= 3; ++b) ApplyBlockOf(MixedTxs("a" + std::to_string(b)));
  CheckpointStore store(*ledger_);
  for (uint64_t h : {3u, 1u}) {
    const Checkpoint checkpoint = ledger_->CheckpointAt(h).value();
    ASSERT_TRUE(store.PutSignature(h, SignAs(checkpoint, 1)).ok());
    ASSERT_TRUE(store.PutSignature(h, SignAs(checkpoint, 2)).ok());
    ASSERT_TRUE(store.TryCosign(h).value().has_value());
  }
  EXPECT_EQ(store.LatestCosigned().value()->checkpoint.height, 3u);
  EXPECT_EQ(store.Cosigned(1).value().checkpoint.height, 1u);
  EXPECT_EQ(store.Cosigned(2).status().code(), ErrorCode::kNotFound);
}

TEST_F(CheckpointStoreTest, PutSignatureStoresOnlyValidSignaturesOfAppliedHeights) {
  // Proves a height above the head, a non-member, a forged signature and another height's signature are refused; a repeat is idempotent.
  ApplyBlockOf(MixedTxs("a1"));
  ApplyBlockOf(MixedTxs("a2"));
  CheckpointStore store(*ledger_);
  const Checkpoint checkpoint = ledger_->CheckpointAt(2).value();
  EXPECT_EQ(store.PutSignature(3, SignAs(checkpoint, 1)).code(), ErrorCode::kOutOfRange);
  EXPECT_EQ(store.PutSignature(2, SignAs(checkpoint, 7)).code(), ErrorCode::kPermissionDenied);
  CheckpointSignature forged = SignAs(checkpoint, 1);
  forged.signature.bytes[5] ^= 0x01;
  EXPECT_EQ(store.PutSignature(2, forged).code(), ErrorCode::kPermissionDenied);
  EXPECT_EQ(store.PutSignature(1, SignAs(checkpoint, 1)).code(), ErrorCode::kPermissionDenied);
  EXPECT_TRUE(store.Signatures(2).value().empty());
  EXPECT_TRUE(store.Signatures(1).value().empty());

  ASSERT_TRUE(store.PutSignature(2, SignAs(checkpoint, 2)).ok());
  ASSERT_TRUE(store.PutSignature(2, SignAs(checkpoint, 2)).ok());
  EXPECT_EQ(store.Signatures(2).value(), (std::vector<CheckpointSignature>{SignAs(checkpoint, 2)}));
}

TEST_F(CheckpointStoreTest, PutCosignedRefusesAnotherLedgersCheckpointOrTooFewSigners) {
  // Proves PutCosigned checks the checkpoint against this ledger and the signatures against its set.
  ApplyBlockOf(MixedTxs("a1"));
  CheckpointStore store(*ledger_);
  const Checkpoint checkpoint = ledger_->CheckpointAt(1).value();
  CosignedCheckpoint one{checkpoint, {SignAs(checkpoint, 1)}};
  EXPECT_EQ(store.PutCosigned(one).code(), ErrorCode::kPermissionDenied);
  Checkpoint other = checkpoint;
  other.outcome_log_root = crypto::Sha256(AsBytes("another history"));
  CosignedCheckpoint elsewhere{other, {SignAs(other, 1), SignAs(other, 2)}};
  EXPECT_EQ(store.PutCosigned(elsewhere).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(store.Cosigned(1).status().code(), ErrorCode::kNotFound);
  CosignedCheckpoint good{checkpoint, {SignAs(checkpoint, 2), SignAs(checkpoint, 3)}};
  ASSERT_TRUE(store.PutCosigned(good).ok());
  EXPECT_EQ(store.Cosigned(1).value(), good);
}

TEST_F(CheckpointStoreTest, CheckpointsAfterAMembershipChangeNeedTheNewSet) {
  // Proves a checkpoint after a validator is added names the new set, whose quorum (3 of 4) it then needs.
  ApplyBlockOf({AddValidatorTx(4)});
  CheckpointStore store(*ledger_);
  const Checkpoint checkpoint = ledger_->CheckpointAt(1).value();
  EXPECT_EQ(checkpoint.validator_set_id, ledger_->validator_set().Id());
  ASSERT_TRUE(store.PutSignature(1, SignAs(checkpoint, 4)).ok());  // the new member counts
  ASSERT_TRUE(store.PutSignature(1, SignAs(checkpoint, 1)).ok());
  EXPECT_FALSE(store.TryCosign(1).value().has_value());
  ASSERT_TRUE(store.PutSignature(1, SignAs(checkpoint, 2)).ok());
  std::optional<CosignedCheckpoint> cosigned = store.TryCosign(1).value();
  ASSERT_TRUE(cosigned.has_value());
  EXPECT_EQ(cosigned->signatures.size(), 3u);
}

}  // namespace
}  // namespace shulian::ledger::testing
