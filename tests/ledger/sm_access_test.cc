// Access records and violations, objections and disputes, demands for data not yet
// aggregated and open-data applications — each test citing its article.
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

class AccessRulesTest : public SmTest {
 protected:
  // An unconditional Taizhou asset granted to nj.user as request r1.
  void GrantedAsset() {
    ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
    ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  }
  AccessRecord LastAccess() {
    const Transaction& tx = blocks_.back().transactions.back();
    return LoadRecord<AccessRecord>(*state_, Key("xr").Fixed(tx.Hash().bytes)).value();
  }
};
class ObjectionRulesTest : public SmTest {};
class OpenDataRulesTest : public SmTest {};

TEST_F(AccessRulesTest, EveryAccessWithinItsGrantIsRecordedWithoutViolation_000_34) {
  // Proves an in-scope access is recorded with who, grant, purpose, fields, rows and digest, and indexed.
  GrantedAsset();
  RecordAccessBody body = AccessBody("a1", "r1");
  body.row_count = 42;
  TxOutcome out = Apply("nj.user", body);
  ASSERT_TRUE(out.accepted()) << out.message;
  EXPECT_TRUE(out.notes.empty());
  AccessRecord record = LastAccess();
  EXPECT_EQ(record.accessor, "nj.user");
  EXPECT_EQ(record.grant_id, "r1");
  EXPECT_EQ(record.row_count, 42u);
  EXPECT_TRUE(record.violations.empty());
  EXPECT_TRUE(state_->Contains(Key("ix").Id("x-asset").Id("a1").Time(now_ms_).U64(record.seq)));
  EXPECT_TRUE(Flags("321200").empty());
}

TEST_F(AccessRulesTest, UseOutsideTheGrantsScopeIsRecordedAndFlagged_001_17) {
  // Proves each kind of out-of-scope use is recorded (accepted) and flagged to both authorities' supervisors.
  GrantedAsset();
  struct Case {
    std::string name;
    RecordAccessBody body;
    std::string violation;
  };
  std::vector<Case> cases;
  cases.push_back({"no grant", AccessBody("a1", std::nullopt), std::string(kViolationNoActiveGrant)});
  cases.push_back({"unknown grant", AccessBody("a1", "zz"), std::string(kViolationNoActiveGrant)});
  RecordAccessBody fields = AccessBody("a1", "r1");
  fields.fields = {"name", "address"};
  cases.push_back({"fields", fields, std::string(kViolationFieldsNotGranted)});
  RecordAccessBody scenario = AccessBody("a1", "r1");
  scenario.business_scenario = "marketing";
  cases.push_back({"scenario", scenario, std::string(kViolationScenarioNotGranted)});
  RecordAccessBody copy = AccessBody("a1", "r1");
  copy.mode = AccessMode::kCopy;
  cases.push_back({"copy", copy, std::string(kViolationCopyWithoutConsent)});
  RecordAccessBody third = AccessBody("a1", "r1");
  third.third_party = true;
  cases.push_back({"third party", third, std::string(kViolationThirdParty)});
  uint64_t expected = 0;
  for (const Case& c : cases) {
    TxOutcome out = Apply("nj.user", c.body);
    ASSERT_TRUE(out.accepted()) << c.name << ": " << out.message;
    EXPECT_EQ(LastAccess().violations, std::vector<std::string>{c.violation}) << c.name;
    EXPECT_EQ(out.notes, std::vector<std::string>{"violation:" + c.violation}) << c.name;
    ++expected;
    EXPECT_EQ(CounterOf("321200", Counter::kViolations), expected) << c.name;
    EXPECT_EQ(CounterOf("320100", Counter::kViolations), expected) << c.name;
  }
  // Another account using nj.user's grant.
  EXPECT_TRUE(Apply("tz.user", AccessBody("a1", "r1")).accepted());
  EXPECT_EQ(LastAccess().violations, std::vector<std::string>{std::string(kViolationNotGrantee)});
}

TEST_F(AccessRulesTest, AccessUnderASuspendedOrExpiredGrantIsAViolation_003_39) {
  // Proves use while a grant is suspended, and after it expired, is flagged.
  GrantedAsset();
  ASSERT_TRUE(Apply("tz.prov", SuspendGrantBody{{}, "r1", "audit", ""}).accepted());
  ASSERT_TRUE(Apply("nj.user", AccessBody("a1", "r1")).accepted());
  EXPECT_EQ(LastAccess().violations, std::vector<std::string>{std::string(kViolationGrantSuspended)});
  ASSERT_TRUE(Apply("tz.prov", ResumeGrantBody{{}, "r1", "ok"}).accepted());
  now_ms_ = Grant("r1").expiry_ms;
  ASSERT_TRUE(Apply("nj.user", AccessBody("a1", "r1")).accepted());
  EXPECT_EQ(LastAccess().violations, std::vector<std::string>{std::string(kViolationGrantExpired)});
}

TEST_F(AccessRulesTest, UnconditionallyOpenDataNeedsNoGrant_000_26) {
  // Proves a public account uses unconditionally open data without a grant and without a violation.
  RegisterAssetBody open = AssetBody("a1", "321200");
  open.open_type = OpenType::kUnconditional;
  open.open_reason.clear();
  open.open_legal_basis.clear();
  ASSERT_TRUE(Apply("tz.prov", open).accepted());
  ASSERT_TRUE(Apply("citizen", AccessBody("a1", std::nullopt)).accepted());
  EXPECT_TRUE(LastAccess().violations.empty());
}

// ---------------- objections and disputes ----------------

RaiseObjectionBody ObjectionBody(std::string id, std::string asset, ObjectionKind kind = ObjectionKind::kError) {
  return RaiseObjectionBody{{}, std::move(id), std::move(asset), kind, {"address"}, crypto::Sha256(AsBytes("doc")), std::nullopt};
}

TEST_F(ObjectionRulesTest, AssetIsMarkedDisputedWhileAnyObjectionIsOpen_000_45) {
  // Proves the disputed mark follows open objections and clears only when all are answered.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("citizen", ObjectionBody("o1", "a1", ObjectionKind::kPrivacy)).accepted());
  ASSERT_TRUE(Apply("nj.user", ObjectionBody("o2", "a1")).accepted());
  EXPECT_TRUE(Asset("a1").disputed());
  EXPECT_EQ(CounterOf("321200", Counter::kOpenObjections), 2u);
  EXPECT_EQ(Apply("nj.prov", AnswerObjectionBody{{}, "o1", ObjectionAnswer::kRejected, "x", std::nullopt}).code,
            OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("tz.prov", AnswerObjectionBody{{}, "o1", ObjectionAnswer::kDeleted, "removed", std::nullopt}).accepted());
  EXPECT_TRUE(Asset("a1").disputed());
  // A correction must name a version published after the objection.
  EXPECT_EQ(Apply("tz.prov", AnswerObjectionBody{{}, "o2", ObjectionAnswer::kCorrected, "fixed", 1u}).code,
            OutcomeCode::kRuleInvalidArgument);
  PublishAssetVersionBody v2;
  v2.asset_id = "a1";
  v2.content_hash = crypto::Sha256(AsBytes("v2"));
  v2.change_note = "corrected addresses";
  ASSERT_TRUE(Apply("tz.prov", v2).accepted());
  ASSERT_TRUE(Apply("tz.prov", AnswerObjectionBody{{}, "o2", ObjectionAnswer::kCorrected, "fixed", 2u}).accepted());
  EXPECT_FALSE(Asset("a1").disputed());
  EXPECT_EQ(Objection("o2").corrected_version, 2u);
  EXPECT_EQ(CounterOf("321200", Counter::kOpenObjections), 0u);
}

TEST_F(ObjectionRulesTest, QualityTaskIsOverdueAfterSevenWorkingDaysAndALateAnswerIsFlagged_002_12) {
  // Proves Taizhou's quality task: only a supervisor raises it, 7 working days, overdue flag, then a late-answer flag.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  EXPECT_EQ(Apply("nj.user", ObjectionBody("q1", "a1", ObjectionKind::kQuality)).code,
            OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("tz.sup", ObjectionBody("q1", "a1", ObjectionKind::kQuality)).accepted());
  int64_t due = Objection("q1").due_ms;
  EXPECT_EQ(due, kMonday20250303 - 10 * kHourMs + 10 * kDayMs);  // end of Wednesday 2025-03-12
  AdvanceTo(due);
  EXPECT_TRUE(Objection("q1").overdue);
  EXPECT_EQ(Flags("321200").back().kind, FlagKind::kObjectionOverdue);
  TxOutcome out = Apply("tz.prov", AnswerObjectionBody{{}, "q1", ObjectionAnswer::kRejected, "data correct", std::nullopt});
  ASSERT_TRUE(out.accepted());
  EXPECT_EQ(out.notes, std::vector<std::string>{"flag:late_objection_answer"});
  EXPECT_TRUE(Objection("q1").answered_late);
}

TEST_F(ObjectionRulesTest, EitherSideMayEscalateAndTheAssetIsDisputedAgain_000_45) {
  // Proves the raiser (or provider) escalates to the supervisor; an escalated objection keeps the asset disputed.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("citizen", ObjectionBody("o1", "a1", ObjectionKind::kPrivacy)).accepted());
  ASSERT_TRUE(Apply("tz.prov", AnswerObjectionBody{{}, "o1", ObjectionAnswer::kRejected, "lawful", std::nullopt}).accepted());
  EXPECT_FALSE(Asset("a1").disputed());
  EXPECT_EQ(Apply("nj.user", EscalateObjectionBody{{}, "o1", "x"}).code, OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("citizen", EscalateObjectionBody{{}, "o1", "still exposes my address"}).accepted());
  EXPECT_EQ(Objection("o1").status, ObjectionStatus::kEscalated);
  EXPECT_TRUE(Asset("a1").disputed());
  EXPECT_EQ(Flags("321200").back().kind, FlagKind::kObjectionEscalated);
}

TEST_F(ObjectionRulesTest, RulingOrdersRevocationCorrectionAndSanction_003_20) {
  // Proves a court closes a dispute with a ruling whose orders the ledger carries out and records.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  crypto::Digest ref = blocks_.back().transactions[0].Hash();
  EXPECT_EQ(Apply("nj.user", OpenDisputeBody{{}, "d1", "misuse", {ref}}).code, OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("tz.sup", OpenDisputeBody{{}, "d1", "misuse of enterprise data", {ref}}).accepted());
  CloseDisputeBody close;
  close.dispute_id = "d1";
  close.ruling_hash = crypto::Sha256(AsBytes("ruling"));
  close.summary = "use beyond scenario";
  close.orders = {{OrderKind::kRevocation, TargetKind::kGrant, "r1", "revoke"},
                  {OrderKind::kCorrection, TargetKind::kAsset, "a1", "fix addresses"},
                  {OrderKind::kSanction, TargetKind::kAccount, "nj.user", "warning"}};
  EXPECT_EQ(Apply("xh.sup", close).code, OutcomeCode::kRulePermissionDenied);
  TxOutcome out = Apply("court", close);
  ASSERT_TRUE(out.accepted()) << out.message;
  EXPECT_EQ(Grant("r1").status, GrantStatus::kRevoked);
  EXPECT_EQ(Objection("d1.c1").status, ObjectionStatus::kOpen);
  EXPECT_TRUE(Asset("a1").disputed());
  EXPECT_EQ(Flags("320100").back().kind, FlagKind::kSanction);
  DisputeRecord dispute = LoadRecord<DisputeRecord>(*state_, Key("di").Id("d1")).value();
  EXPECT_EQ(dispute.status, DisputeStatus::kClosed);
  EXPECT_EQ(dispute.orders.size(), 3u);
  EXPECT_EQ(Apply("court", close).code, OutcomeCode::kRuleFailedPrecondition);
}

TEST_F(ObjectionRulesTest, ARulingWithAnImpossibleOrderChangesNothing) {
  // Proves orders are all-or-nothing: one bad order rejects the ruling and nothing is revoked.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  crypto::Digest ref = blocks_.back().transactions[0].Hash();
  ASSERT_TRUE(Apply("court", OpenDisputeBody{{}, "d1", "misuse", {ref}}).accepted());
  crypto::Digest before = StateDigest();
  CloseDisputeBody close;
  close.dispute_id = "d1";
  close.ruling_hash = crypto::Sha256(AsBytes("ruling"));
  close.summary = "s";
  close.orders = {{OrderKind::kRevocation, TargetKind::kGrant, "r1", "revoke"},
                  {OrderKind::kRevocation, TargetKind::kGrant, "no-such", "revoke"}};
  EXPECT_EQ(Apply("court", close).code, OutcomeCode::kRuleNotFound);
  EXPECT_EQ(StateDigest(), before);
}

TEST_F(ObjectionRulesTest, JiangxiObjectionIsAnsweredWithinTenWorkingDays_003_19) {
  // Proves an authority on the Jiangxi preset gets a 10-working-day objection deadline, flagged when missed.
  Policy jiangxi = std::move(Preset("jiangxi-2022")).value();
  ASSERT_TRUE(Apply("nj.sup", SetPolicyBody{{}, "320100", jiangxi.Encode()}).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100")).accepted());
  ASSERT_TRUE(Apply("tz.user", ObjectionBody("o1", "a1")).accepted());
  // Ten working days after Monday 2025-03-03: the end of Monday 2025-03-17.
  int64_t due = Objection("o1").due_ms;
  EXPECT_EQ(due, kMonday20250303 - 10 * kHourMs + 15 * kDayMs);
  AdvanceTo(due - 1);
  EXPECT_FALSE(Objection("o1").overdue);
  AdvanceTo(due);
  EXPECT_TRUE(Objection("o1").overdue);
  EXPECT_EQ(CounterOf("320100", Counter::kOverdueObjections), 1u);
}

// ---------------- demands and open data ----------------

TEST_F(OpenDataRulesTest, DemandForUnaggregatedDataHasAnswerAndDeliveryDeadlines_000_22) {
  // Proves Jiangsu's 5-working-day answer deadline is flagged when missed, and delivery names an asset.
  RequestAggregationBody demand{{}, "g1", "320100", "公安局", "population by street", {}, "planning", "urban-planning"};
  ASSERT_TRUE(Apply("tz.user", demand).accepted());
  DemandRecord d = LoadRecord<DemandRecord>(*state_, Key("ag").Id("g1")).value();
  EXPECT_EQ(d.answer_due_ms, kMonday20250303 - 10 * kHourMs + 8 * kDayMs);
  AdvanceTo(d.answer_due_ms);
  EXPECT_EQ(Flags("320100").back().kind, FlagKind::kAggregationOverdue);
  EXPECT_FALSE(Apply("nj.prov", AnswerAggregationBody{{}, "g1", Decision::kRefuse, "no", ""}).accepted());
  ASSERT_TRUE(Apply("nj.prov", AnswerAggregationBody{{}, "g1", Decision::kApprove, "will do", ""}).accepted());
  d = LoadRecord<DemandRecord>(*state_, Key("ag").Id("g1")).value();
  EXPECT_TRUE(d.late);
  EXPECT_NE(d.delivery_due_ms, 0);
  ASSERT_TRUE(Apply("nj.prov", AssetBody("pop", "320100")).accepted());
  ASSERT_TRUE(Apply("nj.prov", DeliverAggregationBody{{}, "g1", "pop"}).accepted());
  EXPECT_EQ(LoadRecord<DemandRecord>(*state_, Key("ag").Id("g1")).value().status, DemandStatus::kDelivered);
}

TEST_F(OpenDataRulesTest, ConditionalOpeningNeedsAUseAgreementAndRefusalCanBeReviewed_000_26_004_34) {
  // Proves open applications: only for conditional data, approval records the agreement hash, review by the authority.
  RegisterAssetBody conditional = AssetBody("a1", "320100");
  conditional.open_type = OpenType::kConditional;
  ASSERT_TRUE(Apply("nj.prov", conditional).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("closed", "320100")).accepted());
  ApplyOpenBody apply{{}, "p1", "a1", "research", "academic-study", {"name"}};
  EXPECT_EQ(Apply("nj.user", apply).code, OutcomeCode::kRulePermissionDenied);
  ApplyOpenBody closed{{}, "p0", "closed", "research", "academic-study", {}};
  EXPECT_EQ(Apply("citizen", closed).code, OutcomeCode::kRuleFailedPrecondition);
  ASSERT_TRUE(Apply("citizen", apply).accepted());
  EXPECT_EQ(Apply("nj.prov", DecideOpenBody{{}, "p1", Decision::kApprove, "ok", "", std::nullopt}).code,
            OutcomeCode::kRuleInvalidArgument);
  ASSERT_TRUE(Apply("nj.prov", DecideOpenBody{{}, "p1", Decision::kRefuse, "sensitive", "数据安全法", std::nullopt}).accepted());
  ASSERT_TRUE(Apply("citizen", RequestOpenReviewBody{{}, "p1", "purpose is academic"}).accepted());
  crypto::Digest agreement = crypto::Sha256(AsBytes("agreement"));
  EXPECT_EQ(Apply("tz.sup", DecideOpenReviewBody{{}, "p1", Decision::kApprove, "ok", "", agreement}).code,
            OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("nj.sup", DecideOpenReviewBody{{}, "p1", Decision::kApprove, "overturned", "", agreement}).accepted());
  OpenApplicationRecord app = LoadRecord<OpenApplicationRecord>(*state_, Key("op").Id("p1")).value();
  EXPECT_EQ(app.status, OpenStatus::kApproved);
  EXPECT_EQ(app.agreement_hash, agreement);
  // The approved application serves as the citizen's grant.
  RecordAccessBody use = AccessBody("a1", "p1");
  use.business_scenario = "academic-study";
  TxOutcome out = Apply("citizen", use);
  ASSERT_TRUE(out.accepted());
  EXPECT_TRUE(out.notes.empty());
}

}  // namespace
}  // namespace shulian::ledger::testing
