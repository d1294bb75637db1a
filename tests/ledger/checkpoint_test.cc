// Tests of validator sets and checkpoints as values: identity, folding membership
// changes, canonical encodings, strict JSON, cosigned verification and the
// verification of consistency proofs (ledger/validator_set.h, ledger/checkpoint.h).
#include "ledger/checkpoint.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "crypto/merkle.h"
#include "ledger/bodies.h"
#include "ledger/validator_set.h"

namespace shulian::ledger {
namespace {

crypto::KeyPair NodeKey(uint64_t node_id) {
  crypto::Digest seed = crypto::Sha256(AsBytes("checkpoint-test/node-" + std::to_string(node_id)));
  return std::move(crypto::KeyPair::FromSeed(seed.bytes)).value();
}

ValidatorSet SetOf(std::vector<uint64_t> node_ids) {
  ValidatorSet set;
  for (uint64_t id : node_ids) set.members.push_back({id, NodeKey(id).public_key()});
  return set;
}

Transaction ChangeTx(TxType type, Bytes body) {
  Transaction tx;
  tx.type = type;
  tx.network_id = "js-test";
  tx.sender = "op";
  tx.body = std::move(body);
  return tx;
}

Transaction AddTx(uint64_t node_id) {
  return ChangeTx(TxType::kAddValidator,
                  AddValidatorBody{{}, node_id, "n" + std::to_string(node_id), "320000", NodeKey(node_id).public_key()}
                      .Encode());
}

Transaction RemoveTx(uint64_t node_id) {
  return ChangeTx(TxType::kRemoveValidator, RemoveValidatorBody{{}, node_id, "retired"}.Encode());
}

Checkpoint SampleCheckpoint(const ValidatorSet& set) {
  Checkpoint c;
  c.network_id = "js-test";
  c.height = 7;
  c.block_hash = crypto::Sha256(AsBytes("block 7"));
  c.block_time_ms = 1740967200000;
  c.tx_log_size = 40;
  c.tx_log_root = crypto::Sha256(AsBytes("tx root"));
  c.outcome_log_size = 40;
  c.outcome_log_root = crypto::Sha256(AsBytes("outcome root"));
  c.block_log_root = crypto::Sha256(AsBytes("block root"));
  c.validator_set_id = set.Id();
  return c;
}

CosignedCheckpoint CosignBy(const Checkpoint& checkpoint, std::vector<uint64_t> signers) {
  CosignedCheckpoint cosigned{checkpoint, {}};
  for (uint64_t id : signers) cosigned.signatures.push_back({id, checkpoint.Sign(NodeKey(id))});
  return cosigned;
}

class CheckpointTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(crypto::Initialize().ok()); }
};

TEST_F(CheckpointTest, ValidatorSetIdChangesWithMembersAndKeysOnly) {
  // Proves the id depends on exactly the members and their keys, and that folding add then remove returns the same id.
  ValidatorSet set = SetOf({1, 2, 3});
  const crypto::Digest original = set.Id();
  EXPECT_EQ(SetOf({1, 2, 3}).Id(), original);
  ASSERT_TRUE(set.Apply(AddTx(4)).ok());
  EXPECT_NE(set.Id(), original);
  EXPECT_EQ(set, SetOf({1, 2, 3, 4}));
  ASSERT_TRUE(set.Apply(RemoveTx(4)).ok());
  EXPECT_EQ(set.Id(), original);
  ValidatorSet other_key = SetOf({1, 2, 3});
  other_key.members[2].key = NodeKey(9).public_key();
  EXPECT_NE(other_key.Id(), original);
  EXPECT_EQ(SetOf({1, 2, 3}).Quorum(), 2u);
  EXPECT_EQ(SetOf({1, 2, 3, 4}).Quorum(), 3u);
  EXPECT_EQ(SetOf({1}).Quorum(), 1u);
}

TEST_F(CheckpointTest, ValidatorSetApplyRefusesImpossibleChangesAndChangesNothing) {
  // Proves adding a present member, removing an absent one, or a non-membership transaction is refused without effect.
  ValidatorSet set = SetOf({1, 2, 3});
  const ValidatorSet before = set;
  EXPECT_EQ(set.Apply(AddTx(2)).code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(set.Apply(RemoveTx(5)).code(), ErrorCode::kFailedPrecondition);
  EXPECT_EQ(set.Apply(ChangeTx(TxType::kRecordAccess, {})).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set.Apply(ChangeTx(TxType::kAddValidator, ToBytes("garbage"))).code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(set, before);
  ASSERT_TRUE(set.Apply(AddTx(0 + 10)).ok());
  ASSERT_TRUE(set.Apply(AddTx(5)).ok());
  EXPECT_EQ(set, SetOf({1, 2, 3, 5, 10}));  // kept sorted by node id
}

TEST_F(CheckpointTest, EncodingIsCanonicalAndRoundTripsInBinaryAndJson) {
  // Proves checkpoints and cosigned checkpoints decode to what was encoded, in binary and JSON, and trailing bytes are refused.
  const ValidatorSet set = SetOf({1, 2, 3});
  const CosignedCheckpoint cosigned = CosignBy(SampleCheckpoint(set), {1, 3});
  const Bytes encoded = cosigned.checkpoint.Encode();
  EXPECT_EQ(AsStringView(ByteView(encoded).first(kCheckpointDomainTag.size())), kCheckpointDomainTag);
  EXPECT_EQ(Checkpoint::Decode(encoded).value(), cosigned.checkpoint);
  EXPECT_EQ(CosignedCheckpoint::Decode(cosigned.Encode()).value(), cosigned);
  EXPECT_EQ(CosignedCheckpoint::FromJson(cosigned.ToJson()).value(), cosigned);
  EXPECT_EQ(CosignedCheckpoint::FromJson(nlohmann::json::parse(cosigned.ToJson().dump())).value(), cosigned);
  Bytes longer = cosigned.Encode();
  longer.push_back(0);
  EXPECT_FALSE(CosignedCheckpoint::Decode(longer).ok());
  Bytes shorter = cosigned.Encode();
  shorter.pop_back();
  EXPECT_FALSE(CosignedCheckpoint::Decode(shorter).ok());
}

TEST_F(CheckpointTest, JsonRefusesUnknownMissingMistypedFieldsAndUpperCaseHex) {
  // Proves FromJson accepts exactly one text form per value: every deviation is an error naming the field.
  const nlohmann::json good = CosignBy(SampleCheckpoint(SetOf({1, 2, 3})), {1, 2}).ToJson();
  auto refused = [](const nlohmann::json& json, std::string_view field) {
    Result<CosignedCheckpoint> parsed = CosignedCheckpoint::FromJson(json);
    EXPECT_FALSE(parsed.ok()) << json.dump();
    if (!parsed.ok()) {
      EXPECT_NE(parsed.status().message().find(field), std::string::npos) << parsed.status().message();
    }
  };
  nlohmann::json json = good;
  json["checkpoint"]["extra"] = 1;
  refused(json, "extra");
  json = good;
  json["checkpoint"].erase("tx_log_root");
  refused(json, "tx_log_root");
  json = good;
  json["checkpoint"]["height"] = "7";
  refused(json, "height");
  json = good;
  json["checkpoint"]["height"] = -7;
  refused(json, "height");
  json = good;
  std::string upper = json["checkpoint"]["block_hash"];
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  json["checkpoint"]["block_hash"] = upper;
  refused(json, "block_hash");
  json = good;
  json["signatures"][0]["signature"] = std::string(126, 'a');
  refused(json, "signature");
  json = good;
  json["checkpoint"]["network_id"] = "JS TEST";
  refused(json, "network_id");
}

TEST_F(CheckpointTest, VerifyCosignedAcceptsAQuorumOfMembers) {
  // Proves a checkpoint signed by a strict majority of the named set verifies, with all members too.
  const ValidatorSet set = SetOf({1, 2, 3});
  EXPECT_TRUE(VerifyCosigned(CosignBy(SampleCheckpoint(set), {1, 3}), set).ok());
  EXPECT_TRUE(VerifyCosigned(CosignBy(SampleCheckpoint(set), {1, 2, 3}), set).ok());
}

TEST_F(CheckpointTest, VerifyCosignedRefusesAForgedSignature) {
  // Proves a signature over other bytes, or by another key, is refused, naming the signer.
  const ValidatorSet set = SetOf({1, 2, 3});
  CosignedCheckpoint cosigned = CosignBy(SampleCheckpoint(set), {1, 2});
  cosigned.signatures[1].signature = cosigned.checkpoint.Sign(NodeKey(9));
  Status status = VerifyCosigned(cosigned, set);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("signature of validator 2 does not verify"), std::string::npos) << status.message();
  CosignedCheckpoint changed = CosignBy(SampleCheckpoint(set), {1, 2});
  changed.checkpoint.height += 1;  // the signatures were over height 7
  EXPECT_EQ(VerifyCosigned(changed, set).code(), ErrorCode::kPermissionDenied);
}

TEST_F(CheckpointTest, VerifyCosignedRefusesADuplicateSigner) {
  // Proves one validator's signature counted twice does not make a quorum.
  const ValidatorSet set = SetOf({1, 2, 3});
  Status status = VerifyCosigned(CosignBy(SampleCheckpoint(set), {2, 2}), set);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("duplicate signer 2"), std::string::npos) << status.message();
  EXPECT_FALSE(VerifyCosigned(CosignBy(SampleCheckpoint(set), {3, 1}), set).ok());  // not in node order
}

TEST_F(CheckpointTest, VerifyCosignedRefusesASignerOutsideTheSet) {
  // Proves a valid signature by a key outside the set does not count and is refused.
  const ValidatorSet set = SetOf({1, 2, 3});
  Status status = VerifyCosigned(CosignBy(SampleCheckpoint(set), {1, 4}), set);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("signer 4 is not in the validator set"), std::string::npos) << status.message();
}

TEST_F(CheckpointTest, VerifyCosignedRefusesFewerThanAQuorum) {
  // Proves one of three valid signatures (or none) is not cosigned.
  const ValidatorSet set = SetOf({1, 2, 3});
  Status status = VerifyCosigned(CosignBy(SampleCheckpoint(set), {2}), set);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("quorum"), std::string::npos) << status.message();
  EXPECT_FALSE(VerifyCosigned(CosignBy(SampleCheckpoint(set), {}), set).ok());
}

TEST_F(CheckpointTest, VerifyCosignedRefusesAWrongSetId) {
  // Proves a checkpoint naming another set is refused even when its signers are members of the given one.
  const ValidatorSet set = SetOf({1, 2, 3});
  const CosignedCheckpoint cosigned = CosignBy(SampleCheckpoint(SetOf({1, 2})), {1, 2});
  Status status = VerifyCosigned(cosigned, set);
  EXPECT_EQ(status.code(), ErrorCode::kPermissionDenied);
  EXPECT_NE(status.message().find("validator set id"), std::string::npos) << status.message();
  EXPECT_TRUE(VerifyCosigned(cosigned, SetOf({1, 2})).ok());
}

TEST_F(CheckpointTest, ConsistencyVerificationFollowsTheThreeLogs) {
  // Proves VerifyCheckpointConsistency accepts real proofs between two in-memory ledgers' checkpoints and names the log that fails.
  crypto::MemoryMerkleTree txs, outcomes, blocks;
  auto checkpoint_of = [&](uint64_t height) {
    Checkpoint c;
    c.network_id = "js-test";
    c.height = height;
    c.block_hash = crypto::Sha256(AsBytes("block " + std::to_string(height)));
    c.tx_log_size = txs.size();
    c.tx_log_root = txs.Root().value();
    c.outcome_log_size = outcomes.size();
    c.outcome_log_root = outcomes.Root().value();
    c.block_log_root = blocks.Root().value();
    return c;
  };
  auto grow = [&](int n) {
    for (int i = 0; i < n; ++i) {
      txs.AppendLeaf(AsBytes("tx " + std::to_string(txs.size())));
      outcomes.AppendLeaf(AsBytes("outcome " + std::to_string(outcomes.size())));
    }
    blocks.AppendLeaf(AsBytes("header " + std::to_string(blocks.size())));
  };
  grow(3);
  grow(2);
  const Checkpoint from = checkpoint_of(2);
  grow(4);
  grow(1);
  grow(5);
  CheckpointConsistency proofs{from, checkpoint_of(5), {}, {}, {}};
  proofs.tx_proof = crypto::MerkleConsistencyProof(txs, from.tx_log_size, txs.size()).value();
  proofs.outcome_proof = crypto::MerkleConsistencyProof(outcomes, from.outcome_log_size, outcomes.size()).value();
  proofs.block_proof = crypto::MerkleConsistencyProof(blocks, 2, 5).value();
  EXPECT_TRUE(VerifyCheckpointConsistency(proofs).ok());
  EXPECT_EQ(CheckpointConsistency::FromJson(proofs.ToJson()).value(), proofs);

  CheckpointConsistency swapped = proofs;
  std::swap(swapped.tx_proof, swapped.outcome_proof);
  Status status = VerifyCheckpointConsistency(swapped);
  EXPECT_FALSE(status.ok());
  EXPECT_NE(status.message().find("transaction log"), std::string::npos) << status.message();
  CheckpointConsistency wrong_outcome = proofs;
  wrong_outcome.to.outcome_log_root = crypto::Sha256(AsBytes("another history"));
  status = VerifyCheckpointConsistency(wrong_outcome);
  EXPECT_NE(status.message().find("outcome log"), std::string::npos) << status.message();
  CheckpointConsistency backwards{proofs.to, proofs.from, {}, {}, {}};
  EXPECT_FALSE(VerifyCheckpointConsistency(backwards).ok());
}

}  // namespace
}  // namespace shulian::ledger
