// Evidence bundles end to end: built from a real ledger, cosigned by real keys of
// a three-validator genesis, verified offline from the genesis alone; and every
// way of tampering with a bundle the issue names is refused with the check named.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <string>

#include "crypto/merkle.h"
#include "ledger/evidence.h"
#include "tests/ledger/evidence_fixture.h"

namespace shulian::ledger::testing {
namespace {

AddValidatorBody AddNode4() {
  AddValidatorBody body;
  body.node_id = 4;
  body.name = "xh-node";
  body.authority = "321281";
  body.public_key = KeyFor("node-4").public_key();
  return body;
}

class BundleTest : public EvidenceTest {
 protected:
  // An unconditional Taizhou asset a1 shared with nj.user as request r1.
  void SharedAsset() {
    CommitOne("tz.prov", AssetBody("a1", "321200"));
    CommitOne("nj.user", ShareBody("r1", "a1"));
  }
  // An access by nj.user at now_ms_, one block.
  Transaction Access() {
    now_ms_ += kHourMs;
    return CommitOne("nj.user", AccessBody("a1", "r1"));
  }
  // A bundle from a ledger written by someone holding none of the genesis keys.
  // It starts from a copy of the genesis in which `sender` holds the operator role
  // with `sender_key`; one block has `sender` add made-up validators 7..9 and
  // remove 1..3; the made-up 7..9 sign its checkpoint; the bundle then names the
  // real genesis. Everything but the history's signer is self-consistent, so the
  // bundle verifies against the forged genesis (checked here). The Ledger class
  // needs node 1's key to propose the block; the verifier checks no block
  // signature, so a real forger would need none.
  EvidenceBundle ForgedHistoryBundle(const std::string& sender, const std::string& key_name) {
    const crypto::KeyPair sender_key = KeyFor(key_name);
    Genesis forged = genesis_;
    auto account = std::find_if(forged.accounts.begin(), forged.accounts.end(),
                                [&](const Account& a) { return a.id == sender; });
    if (account == forged.accounts.end()) {
      forged.accounts.push_back({sender, "320000", {Role::kOperator}, sender_key.public_key(), sender});
    } else {
      account->public_key = sender_key.public_key();
      if (!account->HasRole(Role::kOperator)) account->roles.push_back(Role::kOperator);
    }
    forged.Canonicalize();
    EXPECT_TRUE(forged.Validate().ok());
    Result<std::unique_ptr<Ledger>> opened = Ledger::Open(dir_ + "/forged", forged);
    EXPECT_TRUE(opened.ok()) << opened.status().ToString();
    if (!opened.ok()) return {};
    Ledger& ledger = **opened;
    keys_.erase(sender);
    keys_.emplace(sender, KeyFor(key_name));
    std::vector<Transaction> txs;
    for (uint64_t node : {7, 8, 9}) {
      AddValidatorBody add;
      add.node_id = node;
      add.name = "fake-" + std::to_string(node);
      add.authority = "321281";
      add.public_key = KeyFor("fake-" + std::to_string(node)).public_key();
      txs.push_back(MakeTx(sender, add));
    }
    for (uint64_t node : {1, 2, 3}) {
      RemoveValidatorBody remove;
      remove.node_id = node;
      remove.reason = "forged";
      txs.push_back(MakeTx(sender, remove));
    }
    // Version 1 binds no genesis hash, so one signature passes both the forged
    // ledger and the real genesis's key check: the forger's best choice.
    for (Transaction& tx : txs) {
      tx.version = kTxVersionLegacy;
      tx.Sign(keys_.at(sender), crypto::Digest{});
    }
    now_ms_ += 1000;
    Result<Block> block = ledger.BuildBlock(txs, now_ms_, 1, KeyFor("node-1"));
    EXPECT_TRUE(block.ok()) << block.status().ToString();
    if (!block.ok()) return {};
    Result<BlockOutcome> applied = ledger.ApplyBlock(*block);
    EXPECT_TRUE(applied.ok()) << applied.status().ToString();
    if (!applied.ok()) return {};
    for (const TxOutcome& outcome : applied->outcomes) EXPECT_TRUE(outcome.accepted()) << outcome.message;
    CosignedCheckpoint cosigned;
    cosigned.checkpoint = ledger.CheckpointAt(ledger.height()).value();
    for (uint64_t node : {7, 8, 9}) {
      cosigned.signatures.push_back({node, cosigned.checkpoint.Sign(KeyFor("fake-" + std::to_string(node)))});
    }
    Result<nlohmann::json> built = BuildTransactionBundle(ledger, cosigned, txs.back().Hash());
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    if (!built.ok()) return {};
    EvidenceBundle bundle = Parse(*built);
    EXPECT_EQ(bundle.validator_history.size(), 6u);
    Result<VerifiedBundle> self_consistent = VerifyBundle(*built, ImportGenesis(forged).value());
    EXPECT_TRUE(self_consistent.ok()) << self_consistent.status().ToString();
    bundle.genesis_hash = imported_.hash;
    return bundle;
  }
  void ExpectRejected(const EvidenceBundle& bundle, std::string_view check) {
    Result<VerifiedBundle> verified = Verify(bundle);
    ASSERT_FALSE(verified.ok()) << "a tampered bundle verified";
    EXPECT_EQ(CheckOf(verified.status()), check) << verified.status().ToString();
  }
};

TEST_F(BundleTest, TransactionBundleVerifiesAndSaysWhatItProves) {
  // Proves a one-transaction bundle from a real ledger verifies against the genesis alone and reports sender, authority, block, time, outcome and signers.
  SharedAsset();
  Transaction access = Access();
  now_ms_ += kHourMs;
  CommitOne("tz.prov", AssetBody("a2", "321200"));
  CosignedCheckpoint checkpoint = CosignHead();
  Result<nlohmann::json> bundle = BuildTransactionBundle(*ledger_, checkpoint, access.Hash());
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();

  Result<VerifiedBundle> verified = VerifyBundleText(bundle->dump(), imported_);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_EQ(verified->records.size(), 1u);
  const VerifiedRecord& record = verified->records[0];
  EXPECT_EQ(record.tx_hash, access.Hash());
  EXPECT_EQ(record.transaction.sender, "nj.user");
  EXPECT_EQ(record.sender_authority, "320100");
  EXPECT_EQ(record.block.height, 3u);
  EXPECT_EQ(record.block.time_ms, now_ms_ - kHourMs);
  EXPECT_TRUE(record.outcome.accepted());
  EXPECT_EQ(verified->signers, (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(verified->checkpoint.height, 4u);
  EXPECT_NE(verified->Describe().find("nj.user"), std::string::npos);
}

TEST_F(BundleTest, AVerifiedRecordSaysWhetherItsSendersOwnSignatureIsEstablishedByTheGenesisKey) {
  // Proves the verifier checks each record's own transaction signature with the key the genesis file gives
  // the sender: verified for a genesis account signing with that key; not established after the account
  // rotated its key (the bundle cannot know the new key), nor for a record refused as badly signed.
  SharedAsset();
  const Transaction by_genesis_key = Access();
  crypto::KeyPair rotated = KeyFor("nj.user-rotated");
  CommitOne("nj.user", RotateKeyBody{{}, "nj.user", rotated.public_key()});
  keys_.erase("nj.user");
  keys_.emplace("nj.user", KeyFor("nj.user-rotated"));
  const Transaction by_rotated_key = Access();
  keys_.erase("nj.user");
  keys_.emplace("nj.user", KeyFor("someone else"));
  now_ms_ += kHourMs;
  const Transaction badly_signed = CommitOne("nj.user", AccessBody("a1", "r1"), /*must_accept=*/false);
  const CosignedCheckpoint checkpoint = CosignHead();
  auto signature_verified = [&](const Transaction& tx) {
    Result<nlohmann::json> bundle = BuildTransactionBundle(*ledger_, checkpoint, tx.Hash());
    EXPECT_TRUE(bundle.ok()) << bundle.status().ToString();
    Result<VerifiedBundle> verified = VerifyBundleText(bundle->dump(), imported_);
    EXPECT_TRUE(verified.ok()) << verified.status().ToString();
    EXPECT_EQ(verified->records.size(), 1u);
    const bool result = verified->records[0].sender_signature_verified;
    EXPECT_EQ(verified->ToJson()["records"][0]["sender_signature_verified"], result);
    EXPECT_NE(verified->Describe().find(result ? "signature verified with its genesis key" : "not established"),
              std::string::npos);
    return result;
  };
  EXPECT_TRUE(signature_verified(by_genesis_key));
  EXPECT_FALSE(signature_verified(by_rotated_key));
  EXPECT_FALSE(signature_verified(badly_signed));
}

TEST_F(BundleTest, AQuorumOfTwoOfThreeIsEnough) {
  // Proves a checkpoint signed by exactly a quorum (2 of 3) verifies.
  SharedAsset();
  Transaction access = Access();
  Result<nlohmann::json> bundle = BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {1, 3}), access.Hash());
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  Result<VerifiedBundle> verified = Verify(*bundle);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->signers, (std::vector<uint64_t>{1, 3}));
}

TEST_F(BundleTest, AssetAccessBundleCoversExactlyTheTimeRange) {
  // Proves an asset-access bundle holds every access in [from, to) under the checkpoint, none outside, and verifies.
  SharedAsset();
  Transaction before = Access();
  Transaction first = Access();
  Transaction second = Access();
  Transaction after = Access();
  CosignedCheckpoint checkpoint = CosignHead();
  Transaction later = Access();  // after the checkpoint: cannot be in it
  int64_t from_ms = ledger_->BlockHeaderAt(4).value().time_ms;
  int64_t to_ms = ledger_->BlockHeaderAt(6).value().time_ms;
  Result<nlohmann::json> bundle = BuildAssetAccessBundle(*ledger_, checkpoint, "a1", from_ms, to_ms);
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  Result<VerifiedBundle> verified = Verify(*bundle);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  ASSERT_EQ(verified->records.size(), 2u);
  EXPECT_EQ(verified->records[0].tx_hash, first.Hash());
  EXPECT_EQ(verified->records[1].tx_hash, second.Hash());

  Result<nlohmann::json> everything = BuildAssetAccessBundle(*ledger_, checkpoint, "a1", 0, INT64_MAX);
  ASSERT_TRUE(everything.ok());
  EXPECT_EQ(Verify(*everything).value().records.size(), 4u);  // `later` is after the checkpoint

  EvidenceLimits two;
  two.records_max = 2;
  Result<nlohmann::json> too_many = BuildAssetAccessBundle(*ledger_, checkpoint, "a1", 0, INT64_MAX, two);
  EXPECT_EQ(too_many.status().code(), ErrorCode::kResourceExhausted);
  (void)before;
  (void)after;
  (void)later;
}

TEST_F(BundleTest, DisputeBundleHoldsOpeningClosingAndReferencedRecords) {
  // Proves a dispute bundle carries the opening, the closing and the referenced access, and verifies.
  SharedAsset();
  now_ms_ += kHourMs;
  Transaction access = MakeTx("nj.user", AccessBody("a1", "r1"));
  OpenDisputeBody open;
  open.dispute_id = "d1";
  open.subject = "access beyond purpose";
  open.record_refs = {access.Hash()};
  // The referenced access and the opening share a block: a reference must name
  // a transaction the ledger already holds.
  Transaction opening = MakeTx("court", open);
  std::vector<TxOutcome> outcomes = Commit({access, opening});
  ASSERT_EQ(outcomes.size(), 2u);
  ASSERT_TRUE(outcomes[1].accepted()) << outcomes[1].message;
  CloseDisputeBody close;
  close.dispute_id = "d1";
  close.ruling_hash = crypto::Sha256(AsBytes("ruling"));
  close.summary = "no violation";
  now_ms_ += kHourMs;
  Transaction closing = CommitOne("court", close);
  Result<nlohmann::json> bundle = BuildDisputeBundle(*ledger_, CosignHead(), "d1");
  ASSERT_TRUE(bundle.ok()) << bundle.status().ToString();
  Result<VerifiedBundle> verified = Verify(*bundle);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  std::set<crypto::Digest> hashes;
  for (const VerifiedRecord& record : verified->records) hashes.insert(record.tx_hash);
  EXPECT_EQ(hashes, (std::set<crypto::Digest>{access.Hash(), opening.Hash(), closing.Hash()}));

  // A dispute bundle must hold its opening.
  EvidenceBundle parsed = Parse(*bundle);
  parsed.records.erase(std::find_if(parsed.records.begin(), parsed.records.end(), [&](const EvidenceRecord& r) {
    return crypto::Sha256(r.transaction) == opening.Hash();
  }));
  ExpectRejected(parsed, "subject");
  EXPECT_EQ(BuildDisputeBundle(*ledger_, CosignHead(), "nope").status().code(), ErrorCode::kNotFound);
}

TEST_F(BundleTest, EverySingleByteChangeOfASmallBundleIsRejected) {
  // Proves, at every position of a small serialized bundle, that replacing the byte by each of 27 representative
  // bytes (every lower-case hex digit, upper case, number and JSON structure characters, NUL, 0xff) never verifies.
  // evidence_soak_test (SHULIAN_SOAK=1) does the same with all 255 other byte values.
  const std::string text = SmallTransactionBundle().dump();
  std::string replacements = "0123456789abcdefAF-. \",}\\";
  replacements.push_back('\0');
  replacements.push_back('\xff');
  ExpectEverySingleByteChangeRejected(text, replacements);
}

TEST_F(BundleTest, ForgedMissingAndForeignSignaturesAreRejected) {
  // Proves a forged signature, too few signers, no signers and a signer outside the set are each refused.
  EvidenceBundle bundle = Parse(SmallTransactionBundle());
  ASSERT_TRUE(Verify(bundle).ok());

  EvidenceBundle forged = bundle;
  forged.checkpoint.signatures[1].signature.bytes[10] ^= 0x01;
  ExpectRejected(forged, "checkpoint_signatures");

  EvidenceBundle wrong_key = bundle;  // node 2's slot signed by node 3's key
  wrong_key.checkpoint.signatures[1].signature = bundle.checkpoint.checkpoint.Sign(KeyFor("node-3"));
  ExpectRejected(wrong_key, "checkpoint_signatures");

  EvidenceBundle one = bundle;
  one.checkpoint.signatures.resize(1);
  ExpectRejected(one, "checkpoint_signatures");

  EvidenceBundle none = bundle;
  none.checkpoint.signatures.clear();
  ExpectRejected(none, "checkpoint_signatures");

  EvidenceBundle outsider = bundle;  // a real signature by a key outside the set
  outsider.checkpoint.signatures.resize(1);
  outsider.checkpoint.signatures.push_back({9, bundle.checkpoint.checkpoint.Sign(KeyFor("node-9"))});
  ExpectRejected(outsider, "checkpoint_signatures");

  EvidenceBundle duplicate = bundle;
  duplicate.checkpoint.signatures = {bundle.checkpoint.signatures[0], bundle.checkpoint.signatures[0]};
  ExpectRejected(duplicate, "checkpoint_signatures");
}

TEST_F(BundleTest, WrongGenesisIsRejected) {
  // Proves a bundle verified against another network's genesis (or naming another genesis) is refused.
  nlohmann::json bundle = SmallTransactionBundle();
  Genesis other = ThreeValidatorGenesis();
  other.genesis_time_ms += 1;
  ImportedGenesis other_imported = ImportGenesis(other).value();
  Result<VerifiedBundle> verified = VerifyBundle(bundle, other_imported);
  ASSERT_FALSE(verified.ok());
  EXPECT_EQ(CheckOf(verified.status()), "genesis");

  EvidenceBundle renamed = Parse(bundle);
  renamed.genesis_hash = other_imported.hash;
  ExpectRejected(renamed, "genesis");
}

TEST_F(BundleTest, ProofsAgainstAnotherSizeAreRejected) {
  // Proves inclusion proofs made against another log size, or another checkpoint, do not verify.
  EvidenceBundle bundle = Parse(SmallTransactionBundle());
  EvidenceRecord& record = bundle.records[0];
  const Checkpoint& cp = bundle.checkpoint.checkpoint;

  EvidenceBundle tx_size = bundle;
  tx_size.records[0].tx_proof = ledger_->tx_log().InclusionProof(record.log_index, cp.tx_log_size + 0).value();
  ASSERT_TRUE(Verify(tx_size).ok());  // the same size: sanity
  // A larger log: append a block, prove against the new size, keep the old checkpoint.
  now_ms_ += 1000;
  CommitOne("tz.prov", AssetBody("a9", "321200"));
  tx_size.records[0].tx_proof = ledger_->tx_log().InclusionProof(record.log_index, cp.tx_log_size + 1).value();
  ExpectRejected(tx_size, "record.tx_proof");

  EvidenceBundle outcome_size = bundle;
  outcome_size.records[0].outcome_proof =
      ledger_->outcome_log().InclusionProof(record.log_index, cp.outcome_log_size + 1).value();
  ExpectRejected(outcome_size, "record.outcome_proof");

  EvidenceBundle block_size = bundle;
  block_size.records[0].block_proof = ledger_->block_log().InclusionProof(1, cp.height + 1).value();
  ExpectRejected(block_size, "record.block_proof");

  // The whole bundle's proofs against the newer checkpoint, but the older checkpoint kept.
  EvidenceBundle newer = Parse(BuildTransactionBundle(*ledger_, CosignHead(), crypto::Sha256(record.transaction)).value());
  newer.checkpoint = bundle.checkpoint;
  ExpectRejected(newer, "record.tx_proof");

  EvidenceBundle moved = bundle;  // claims another index with the same proof
  moved.records[0].log_index -= 1;
  ExpectRejected(moved, "record.tx_proof");
}

TEST_F(BundleTest, SwappedTransactionOrOutcomeIsRejected) {
  // Proves a transaction or outcome swapped for another one of the same ledger is refused.
  SharedAsset();
  Transaction first = Access();
  Transaction second = Access();
  CosignedCheckpoint checkpoint = CosignHead();
  EvidenceBundle a = Parse(BuildTransactionBundle(*ledger_, checkpoint, first.Hash()).value());
  EvidenceBundle b = Parse(BuildTransactionBundle(*ledger_, checkpoint, second.Hash()).value());
  ASSERT_TRUE(Verify(a).ok());

  EvidenceBundle swapped_tx = a;
  swapped_tx.records[0].transaction = b.records[0].transaction;
  ExpectRejected(swapped_tx, "record.outcome_hash");

  EvidenceBundle swapped_both = a;  // transaction and outcome of b, proofs of a
  swapped_both.records[0].transaction = b.records[0].transaction;
  swapped_both.records[0].outcome = b.records[0].outcome;
  ExpectRejected(swapped_both, "record.tx_proof");

  EvidenceBundle swapped_outcome = a;
  swapped_outcome.records[0].outcome = b.records[0].outcome;
  ExpectRejected(swapped_outcome, "record.outcome_hash");

  EvidenceBundle rewritten = a;  // the same transaction, a rejection claimed instead
  TxOutcome claim = TxOutcome::Decode(a.records[0].outcome).value();
  claim.code = OutcomeCode::kRulePermissionDenied;
  claim.message = "not allowed";
  rewritten.records[0].outcome = claim.Encode();
  ExpectRejected(rewritten, "record.outcome_proof");

  EvidenceBundle other_block = a;  // the right transaction placed in another block
  other_block.records[0].block_header = b.records[0].block_header;
  other_block.records[0].block_proof = b.records[0].block_proof;
  ExpectRejected(other_block, "record.block_range");

  EvidenceBundle other_subject = a;  // records of b under a's subject
  other_subject.records = b.records;
  ExpectRejected(other_subject, "subject");
}

TEST_F(BundleTest, ValidatorHistoryIsFoldedAndAnOmittedChangeIsRejected) {
  // Proves a checkpoint signed by a set that changed since genesis verifies with its history, and not without it.
  now_ms_ += 1000;
  Transaction add = CommitOne("op", AddNode4());
  ASSERT_EQ(ledger_->validator_set().members.size(), 4u);
  SharedAsset();
  Transaction access = Access();
  // Four members now: quorum 3, and node 4 may sign.
  Result<nlohmann::json> built = BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {2, 3, 4}), access.Hash());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  EvidenceBundle bundle = Parse(*built);
  ASSERT_EQ(bundle.validator_history.size(), 1u);
  EXPECT_EQ(crypto::Sha256(bundle.validator_history[0].transaction), add.Hash());
  Result<VerifiedBundle> verified = Verify(bundle);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->validator_changes, 1u);
  EXPECT_EQ(verified->validator_set.members.size(), 4u);

  EvidenceBundle omitted = bundle;
  omitted.validator_history.clear();
  ExpectRejected(omitted, "validator_history");

  EvidenceBundle two_of_four = Parse(BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {1, 4}),
                                                            access.Hash()).value());
  ExpectRejected(two_of_four, "checkpoint_signatures");

  EvidenceBundle not_a_change = bundle;  // an ordinary transaction passed off as history
  not_a_change.validator_history[0] = bundle.records[0];
  ExpectRejected(not_a_change, "validator_history");
}

TEST_F(BundleTest, HistorySignedByAMadeUpKeyIsRejected) {
  // Proves a history that replaces the genesis validators by made-up ones is refused (validator_history_signer) when
  // its changes are signed by a made-up key, whether under the genesis operator's name or a name outside the genesis.
  EvidenceBundle as_operator = ForgedHistoryBundle("op", "forger");
  ExpectRejected(as_operator, "validator_history_signer");
  std::filesystem::remove_all(dir_ + "/forged");
  EvidenceBundle as_stranger = ForgedHistoryBundle("mallory", "mallory");
  ExpectRejected(as_stranger, "validator_history_signer");
}

TEST_F(BundleTest, HistorySignedByAGenesisAccountWithoutTheOperatorRoleIsRejected) {
  // Proves a history whose changes are signed with the genesis key of an account that is not an operator in the
  // genesis file is refused (validator_history_operator).
  EvidenceBundle bundle = ForgedHistoryBundle("nj.user", "nj.user");
  ExpectRejected(bundle, "validator_history_operator");
}

TEST_F(BundleTest, RealAdditionAndRemovalByTheGenesisOperatorVerify) {
  // Proves a history with an addition and a removal, both signed by the genesis operator, folds and verifies.
  now_ms_ += 1000;
  CommitOne("op", AddNode4());
  RemoveValidatorBody remove;
  remove.node_id = 3;  // not node 1: the fixture's blocks are proposed by node 1
  remove.reason = "decommissioned";
  now_ms_ += 1000;
  CommitOne("op", remove);
  SharedAsset();
  Transaction access = Access();
  Result<nlohmann::json> built = BuildTransactionBundle(*ledger_, Cosign(ledger_->height(), {2, 4}), access.Hash());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  Result<VerifiedBundle> verified = Verify(*built);
  ASSERT_TRUE(verified.ok()) << verified.status().ToString();
  EXPECT_EQ(verified->validator_changes, 2u);
  EXPECT_FALSE(verified->validator_set.Contains(3));
  EXPECT_TRUE(verified->validator_set.Contains(4));
}

TEST_F(BundleTest, CheckpointsBeforeAndAfterAValidatorKeyRotationVerifyUnderTheKeyOfTheirTime) {
  // Proves a rotate_validator_key enters the validator history: a checkpoint cosigned before the rotation
  // verifies with node 2's old key, one after it with the new key, and after it the old key no longer counts.
  const crypto::KeyPair new_key = KeyFor("node-2-rotated");
  now_ms_ += 1000;
  Transaction before = CommitOne("tz.prov", AssetBody("a0", "321200"));
  const uint64_t before_height = ledger_->height();
  RotateValidatorKeyBody rotate;
  rotate.node_id = 2;
  rotate.new_public_key = new_key.public_key();
  rotate.proof = new_key.Sign(ValidatorKeyProofMessage(kNetworkId, 2, rotate.new_public_key));
  now_ms_ += 1000;
  CommitOne("op", rotate);
  now_ms_ += 1000;
  Transaction after = CommitOne("tz.prov", AssetBody("a1", "321200"));

  Result<nlohmann::json> old_bundle =
      BuildTransactionBundle(*ledger_, Cosign(before_height, {1, 2}), before.Hash());
  ASSERT_TRUE(old_bundle.ok()) << old_bundle.status().ToString();
  Result<VerifiedBundle> old_verified = Verify(*old_bundle);
  ASSERT_TRUE(old_verified.ok()) << old_verified.status().ToString();
  EXPECT_EQ(old_verified->validator_set.Find(2)->key, KeyFor("node-2").public_key());

  Result<Checkpoint> head = ledger_->CheckpointAt(ledger_->height());
  ASSERT_TRUE(head.ok()) << head.status().ToString();
  CosignedCheckpoint rotated;
  rotated.checkpoint = *head;
  rotated.signatures = {{2, head->Sign(new_key)}, {3, head->Sign(KeyFor("node-3"))}};
  Result<nlohmann::json> new_bundle = BuildTransactionBundle(*ledger_, rotated, after.Hash());
  ASSERT_TRUE(new_bundle.ok()) << new_bundle.status().ToString();
  Result<VerifiedBundle> new_verified = Verify(*new_bundle);
  ASSERT_TRUE(new_verified.ok()) << new_verified.status().ToString();
  EXPECT_EQ(new_verified->validator_changes, 1u);
  EXPECT_EQ(new_verified->validator_set.Find(2)->key, new_key.public_key());

  CosignedCheckpoint stale = rotated;
  stale.signatures[0] = {2, head->Sign(KeyFor("node-2"))};  // the rotated-away key
  Result<nlohmann::json> stale_bundle = BuildTransactionBundle(*ledger_, stale, after.Hash());
  if (stale_bundle.ok()) {
    EXPECT_FALSE(Verify(*stale_bundle).ok());
  }
}

TEST_F(BundleTest, CanonicalFormIsRequired) {
  // Proves upper-case hex, an extra key and a missing key are refused even though the values would be the same.
  nlohmann::json bundle = SmallTransactionBundle();
  nlohmann::json upper = bundle;
  std::string hash = upper["genesis_hash"].get<std::string>();
  std::transform(hash.begin(), hash.end(), hash.begin(), [](char c) { return static_cast<char>(std::toupper(c)); });
  upper["genesis_hash"] = hash;
  EXPECT_FALSE(Verify(upper).ok());
  nlohmann::json extra = bundle;
  extra["note"] = "hello";
  EXPECT_EQ(CheckOf(Verify(extra).status()), "parse");
  nlohmann::json missing = bundle;
  missing.erase("records");
  EXPECT_EQ(CheckOf(Verify(missing).status()), "parse");
  nlohmann::json format = bundle;
  format["format"] = "shulian-evidence/v2";
  EXPECT_EQ(CheckOf(Verify(format).status()), "format");
  EXPECT_EQ(CheckOf(VerifyBundleText("{\"format\":", imported_).status()), "parse");
}

}  // namespace
}  // namespace shulian::ledger::testing
