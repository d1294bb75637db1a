// The state machine's framework (envelope checks, savepoints, outcomes) and its
// governance rules (authorities, accounts, keys, policies, calendars).
#include <limits>

#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

class GovernanceRulesTest : public SmTest {};

RegisterAccountBody AccountBody(std::string id, std::string authority, std::vector<Role> roles) {
  RegisterAccountBody b;
  b.account_id = id;
  b.authority = std::move(authority);
  b.roles = std::move(roles);
  b.public_key = KeyFor(id).public_key();
  b.display_name = id;
  b.organisation = "测试单位";
  return b;
}

TEST_F(GovernanceRulesTest, GenesisWritesTheAuthorityTreeAccountsAndPolicies) {
  // Proves ApplyGenesis stores every authority with its parent, every account with its roles, and the policy layers.
  AuthorityRecord xinghua = Load<AuthorityRecord>("au", "321281");
  EXPECT_EQ(xinghua.parent_id, "321200");
  EXPECT_EQ(xinghua.level, AuthorityLevel::kCounty);
  AccountRecord sup = Load<AccountRecord>("ac", "tz.sup");
  EXPECT_TRUE(sup.HasRole(Role::kSupervisor));
  EXPECT_EQ(sup.authority_id, "321200");
  EXPECT_TRUE(state_->Contains(Key("po").Id("321200")));
  EXPECT_TRUE(state_->Contains(Key("ca").Id("cn-2025-2026")));
}

TEST_F(GovernanceRulesTest, EnvelopeChecksRejectWithStableCodes) {
  // Proves every envelope check rejects with its own stable code before any rule runs.
  SuspendAccountBody body{{}, "xh.user", "test", ""};
  Transaction wrong_network = MakeTx("tz.sup", body);
  wrong_network.network_id = "other-net";
  wrong_network.Sign(keys_.at("tz.sup"), genesis_hash_);
  Transaction unknown = MakeTx("nobody", body);
  Transaction bad_signature = MakeTx("tz.sup", body);
  bad_signature.Sign(keys_.at("xh.sup"), genesis_hash_);
  Transaction early = MakeTx("tz.sup", body);
  early.client_time_ms = now_ms_ - 301'000;
  early.Sign(keys_.at("tz.sup"), genesis_hash_);
  Transaction malformed = MakeTx("tz.sup", body);
  malformed.body.push_back(0);  // trailing byte
  malformed.Sign(keys_.at("tz.sup"), genesis_hash_);
  Transaction auditor = MakeTx("auditor", body);
  Transaction extreme = MakeTx("tz.sup", body);
  extreme.client_time_ms = std::numeric_limits<int64_t>::min();
  extreme.Sign(keys_.at("tz.sup"), genesis_hash_);
  std::vector<TxOutcome> out = ApplyTxs({wrong_network, unknown, bad_signature, early, malformed, auditor, extreme});
  ASSERT_EQ(out.size(), 7u);
  EXPECT_EQ(out[6].code, OutcomeCode::kClientTimeOutsideWindow);
  EXPECT_EQ(out[0].code, OutcomeCode::kWrongNetwork);
  EXPECT_EQ(out[1].code, OutcomeCode::kUnknownSender);
  EXPECT_EQ(out[2].code, OutcomeCode::kBadSignature);
  EXPECT_EQ(out[3].code, OutcomeCode::kClientTimeOutsideWindow);
  EXPECT_EQ(out[4].code, OutcomeCode::kMalformedBody);
  EXPECT_EQ(out[5].code, OutcomeCode::kReadOnlySender);
  EXPECT_EQ(Load<AccountRecord>("ac", "xh.user").status, AccountStatus::kActive);
}

TEST_F(GovernanceRulesTest, RejectedTransactionChangesNothingButItsOutcome) {
  // Proves a rule rejection rolls back every write of the transaction: the state digest is unchanged.
  crypto::Digest before = StateDigest();
  // nj.sup is not a supervisor over Taizhou: rejected after the rule started reading.
  TxOutcome out = Apply("nj.sup", SuspendAccountBody{{}, "tz.user", "test", ""});
  EXPECT_EQ(out.code, OutcomeCode::kRulePermissionDenied);
  EXPECT_FALSE(out.message.empty());
  EXPECT_EQ(StateDigest(), before);
}

TEST_F(GovernanceRulesTest, OutcomeEncodingRoundTripsAndJsonNamesTheCode) {
  // Proves the outcome's canonical encoding decodes to the same value and its JSON carries the stable code.
  TxOutcome out = Apply("nj.sup", SuspendAccountBody{{}, "tz.user", "test", ""});
  Bytes encoded = out.Encode();
  Result<TxOutcome> decoded = TxOutcome::Decode(encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, out);
  EXPECT_EQ(out.ToJson()["code_name"], "permission_denied");
  encoded.push_back(1);
  EXPECT_FALSE(TxOutcome::Decode(encoded).ok());
}

TEST_F(GovernanceRulesTest, SupervisorRegistersAuthoritiesOnlyInItsSubtree_002_5) {
  // Proves a supervisor registers authorities below its own, never in a sibling's subtree, at the right level.
  RegisterAuthorityBody taixing{{}, "321283", "泰兴市数据局", AuthorityLevel::kCounty, "321200"};
  EXPECT_EQ(Apply("nj.sup", taixing).code, OutcomeCode::kRulePermissionDenied);
  RegisterAuthorityBody wrong_level{{}, "321283", "泰兴市数据局", AuthorityLevel::kMunicipality, "321200"};
  EXPECT_EQ(Apply("tz.sup", wrong_level).code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_TRUE(Apply("tz.sup", taixing).accepted());
  EXPECT_EQ(Load<AuthorityRecord>("au", "321283").parent_id, "321200");
  EXPECT_EQ(Apply("js.sup", taixing).code, OutcomeCode::kRuleAlreadyExists);
}

TEST_F(GovernanceRulesTest, SupervisorRegistersAccountsBelowItButConfersNoCourtRole) {
  // Proves account registration is scoped to the supervisor's subtree and court roles are beyond it.
  EXPECT_TRUE(Apply("tz.sup", AccountBody("xh.prov2", "321281", {Role::kProvider})).accepted());
  EXPECT_EQ(Apply("xh.sup", AccountBody("tz.prov2", "321200", {Role::kProvider})).code,
            OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("js.sup", AccountBody("judge", "320000", {Role::kCourt})).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("tz.prov", AccountBody("x1", "321200", {Role::kUser})).code, OutcomeCode::kRulePermissionDenied);
}

TEST_F(GovernanceRulesTest, SuspendedAccountCannotTransactUntilReinstated) {
  // Proves a suspended account's transactions are rejected and reinstatement restores it.
  EXPECT_TRUE(Apply("tz.sup", SuspendAccountBody{{}, "xh.user", "violations", ""}).accepted());
  EXPECT_EQ(Apply("xh.user", ShareBody("r1", "none")).code, OutcomeCode::kSenderSuspended);
  EXPECT_TRUE(Apply("tz.sup", ReinstateAccountBody{{}, "xh.user", "rectified"}).accepted());
  EXPECT_EQ(Apply("xh.user", ShareBody("r1", "none")).code, OutcomeCode::kRuleNotFound);
}

TEST_F(GovernanceRulesTest, KeyRotationMakesTheOldKeyInvalid) {
  // Proves signatures are checked against the account's CURRENT key in state.
  crypto::KeyPair new_key = KeyFor("tz.user-2");
  EXPECT_EQ(Apply("tz.sup", RotateKeyBody{{}, "tz.user", new_key.public_key()}).code,
            OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.user", RotateKeyBody{{}, "tz.user", new_key.public_key()}).accepted());
  EXPECT_EQ(Apply("tz.user", ShareBody("r1", "none")).code, OutcomeCode::kBadSignature);
  keys_.erase("tz.user");
  keys_.emplace("tz.user", KeyFor("tz.user-2"));
  EXPECT_EQ(Apply("tz.user", ShareBody("r1", "none")).code, OutcomeCode::kRuleNotFound);
}

TEST_F(GovernanceRulesTest, ATransactionOfAnotherGenesisWithTheSameNetworkIdIsRejectedAsBadlySigned) {
  // Proves the genesis hash is part of what a transaction signs: a transaction signed for another network
  // that shares this network's id, sender and key is refused at apply, while a version-1 transaction
  // (written before version 2) still applies.
  SuspendAccountBody body{{}, "xh.user", "test", ""};
  Transaction foreign = MakeTx("tz.sup", body);
  foreign.Sign(keys_.at("tz.sup"), crypto::Sha256(AsBytes("another genesis of the same network id")));
  Transaction legacy = MakeTx("tz.sup", body);
  legacy.version = kTxVersionLegacy;
  legacy.Sign(keys_.at("tz.sup"), crypto::Digest{});
  std::vector<TxOutcome> out = ApplyTxs({foreign, legacy});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].code, OutcomeCode::kBadSignature) << out[0].message;
  EXPECT_TRUE(out[1].accepted()) << out[1].message;
}

TEST_F(GovernanceRulesTest, ASignatureVerifiedBeforeItsSendersKeyRotationIsRefusedAtApply) {
  // Proves a node's cache of verified signatures saves the apply's verification but never changes an outcome:
  // a transaction admitted (and cached) under the old key is refused once its block applies after a rotation.
  crypto::SignatureCache cache(64);
  StateMachineOptions options = machine_.options();
  options.signature_cache = &cache;
  machine_ = StateMachine(options);
  const crypto::PublicKey old_key = keys_.at("tz.user").public_key();
  Transaction admitted = MakeTx("tz.user", ShareBody("r1", "none"));
  ASSERT_TRUE(admitted.VerifySignature(old_key, genesis_hash_, &cache));  // what the node's admission does
  EXPECT_EQ(ApplyTxs({admitted})[0].code, OutcomeCode::kRuleNotFound);  // past the envelope
  EXPECT_EQ(cache.counts().hits, 1u);
  Transaction stale = MakeTx("tz.user", ShareBody("r2", "none"));
  ASSERT_TRUE(stale.VerifySignature(old_key, genesis_hash_, &cache));
  crypto::KeyPair new_key = KeyFor("tz.user-2");
  Transaction rotation = MakeTx("tz.user", RotateKeyBody{{}, "tz.user", new_key.public_key()});
  std::vector<TxOutcome> out = ApplyTxs({rotation, stale});
  EXPECT_TRUE(out[0].accepted()) << out[0].message;
  EXPECT_EQ(out[1].code, OutcomeCode::kBadSignature);
}

TEST_F(GovernanceRulesTest, SupervisorSetsPolicyOnlyForItsSubtreeAndNamedCalendarMustExist) {
  // Proves set_policy is scoped and validated: out of scope and unknown calendars are rejected.
  Policy policy;
  policy.period(Step::kShareReview) = Period{7, DayCount::kWorking};
  Bytes encoded = policy.Encode();
  EXPECT_EQ(Apply("nj.sup", SetPolicyBody{{}, "321281", encoded}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.sup", SetPolicyBody{{}, "321281", encoded}).accepted());
  policy.calendar_id = "no-such-calendar";
  EXPECT_EQ(Apply("tz.sup", SetPolicyBody{{}, "321281", policy.Encode()}).code, OutcomeCode::kRuleNotFound);
}

TEST_F(GovernanceRulesTest, OnlyAProvinceSupervisorReplacesASharedCalendar) {
  // Proves calendars are data set by transactions, and replacing a shared one needs the province's supervisor.
  Calendar calendar = LoadTestCalendar();
  Bytes encoded = calendar.Encode();
  EXPECT_EQ(Apply("tz.sup", SetCalendarBody{{}, calendar.id, encoded}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("js.sup", SetCalendarBody{{}, calendar.id, encoded}).accepted());
  Calendar other = Calendar::WeekendsOnly();
  other.id = "weekends";
  other.name = "weekends only";
  EXPECT_TRUE(Apply("tz.sup", SetCalendarBody{{}, "weekends", other.Encode()}).accepted());
  EXPECT_EQ(Apply("tz.sup", SetCalendarBody{{}, "mismatch", other.Encode()}).code, OutcomeCode::kRuleInvalidArgument);
}

TEST_F(GovernanceRulesTest, OperatorManagesValidatorsAndNodeIdsAreNeverReused) {
  // Proves only the operator adds or removes validators, and a removed node's id cannot be taken again.
  AddValidatorBody add{{}, 2, "tz-node", "321200", KeyFor("node-2").public_key()};
  EXPECT_EQ(Apply("js.sup", add).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("op", add).accepted());
  EXPECT_TRUE(Apply("op", RemoveValidatorBody{{}, 2, "decommissioned"}).accepted());
  EXPECT_TRUE(LoadRecord<ValidatorRecord>(*state_, Key("va").U64(2)).value().removed);
  EXPECT_EQ(Apply("op", add).code, OutcomeCode::kRuleAlreadyExists);
  EXPECT_EQ(Apply("op", RemoveValidatorBody{{}, 2, "again"}).code, OutcomeCode::kRuleFailedPrecondition);
  EXPECT_TRUE(Apply("op", AccountBody("judge", "320000", {Role::kCourt})).accepted());
}

RotateValidatorKeyBody RotationBody(uint64_t node_id, const crypto::KeyPair& new_key) {
  RotateValidatorKeyBody b;
  b.node_id = node_id;
  b.new_public_key = new_key.public_key();
  b.proof = new_key.Sign(ValidatorKeyProofMessage(kNetworkId, node_id, b.new_public_key));
  return b;
}

TEST_F(GovernanceRulesTest, OperatorRotatesAValidatorKeyProvenByTheNewKey) {
  // Proves rotate_validator_key installs the new key when the operator sends it with the new key's proof.
  const crypto::KeyPair old_key = KeyFor("node-2");
  const crypto::KeyPair new_key = KeyFor("node-2-rotated");
  ASSERT_TRUE(Apply("op", AddValidatorBody{{}, 2, "tz-node", "321200", old_key.public_key()}).accepted());
  TxOutcome rotated = Apply("op", RotationBody(2, new_key));
  ASSERT_TRUE(rotated.accepted()) << rotated.message;
  EXPECT_EQ(LoadRecord<ValidatorRecord>(*state_, Key("va").U64(2)).value().public_key, new_key.public_key());
}

TEST_F(GovernanceRulesTest, BadOrUnauthorisedValidatorKeyRotationsAreRefusedAndChangeNothing) {
  // Proves each bad rotate_validator_key is refused with its own code and a message naming the problem,
  // and that the state is byte-for-byte unchanged afterwards.
  const crypto::KeyPair old_key = KeyFor("node-2");
  const crypto::KeyPair new_key = KeyFor("node-2-rotated");
  ASSERT_TRUE(Apply("op", AddValidatorBody{{}, 2, "tz-node", "321200", old_key.public_key()}).accepted());
  ASSERT_TRUE(
      Apply("op", AddValidatorBody{{}, 3, "xh-node", "321200", KeyFor("node-3").public_key()}).accepted());
  ASSERT_TRUE(Apply("op", RemoveValidatorBody{{}, 3, "decommissioned"}).accepted());
  const crypto::Digest before = StateDigest();

  TxOutcome unauthorised = Apply("js.sup", RotationBody(2, new_key));
  EXPECT_EQ(unauthorised.code, OutcomeCode::kRulePermissionDenied);
  EXPECT_NE(unauthorised.message.find("rotate_validator_key"), std::string::npos) << unauthorised.message;

  RotateValidatorKeyBody forged = RotationBody(2, new_key);
  forged.proof = old_key.Sign(ValidatorKeyProofMessage(kNetworkId, 2, new_key.public_key()));
  TxOutcome unproven = Apply("op", forged);
  EXPECT_EQ(unproven.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(unproven.message.find("body.proof"), std::string::npos) << unproven.message;

  RotateValidatorKeyBody other_node = RotationBody(4, new_key);
  other_node.node_id = 2;  // a proof made for node 4 does not serve node 2
  EXPECT_EQ(Apply("op", other_node).code, OutcomeCode::kRuleInvalidArgument);

  TxOutcome same = Apply("op", RotationBody(2, old_key));
  EXPECT_EQ(same.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(same.message.find("body.new_public_key"), std::string::npos) << same.message;

  EXPECT_EQ(Apply("op", RotationBody(3, new_key)).code, OutcomeCode::kRuleFailedPrecondition);
  EXPECT_EQ(Apply("op", RotationBody(9, new_key)).code, OutcomeCode::kRuleNotFound);
  EXPECT_EQ(StateDigest(), before);
}

}  // namespace
}  // namespace shulian::ledger::testing
