// Catalog and sharing rules of the state machine, each test citing its article.
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

class AssetRulesTest : public SmTest {};
class SharingRulesTest : public SmTest {};

// ---------------- assets and the catalog ----------------

TEST_F(AssetRulesTest, ConditionalOrNotSharedWithoutLegalBasisIsRejected_000_19) {
  // Proves conditional and not-shared catalog entries need a reason and a legal basis.
  RegisterAssetBody body = AssetBody("a1", "321200", ShareType::kConditional);
  body.share_legal_basis.clear();
  TxOutcome out = Apply("tz.prov", body);
  EXPECT_EQ(out.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(out.message.find("legal basis"), std::string::npos);
  body.share_type = ShareType::kNotShared;
  EXPECT_EQ(Apply("tz.prov", body).code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_TRUE(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kConditional)).accepted());
}

TEST_F(AssetRulesTest, BasicResourcesAreAlwaysUnconditional_000_19) {
  // Proves a basic resource cannot be registered, or changed to, anything but unconditional sharing.
  EXPECT_EQ(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kConditional, ResourceType::kBasic)).code,
            OutcomeCode::kRuleInvalidArgument);
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kUnconditional, ResourceType::kBasic)).accepted());
  ChangeAssetTypesBody change{{}, "a1", ShareType::kConditional, "r", "basis", OpenType::kNotOpen, "r", "basis"};
  EXPECT_EQ(Apply("tz.prov", change).code, OutcomeCode::kRuleInvalidArgument);
}

TEST_F(AssetRulesTest, CoreDataIsNeverOpened_003_30) {
  // Proves core data cannot be registered as open, changed to open, or reach core grade while open, each
  // refused naming the field and changing nothing; a basic resource graded core (the population register)
  // stays unconditionally shared and not open.
  RegisterAssetBody open_core = AssetBody("a1", "321200");
  open_core.grade = ClassificationGrade::kCore;
  open_core.open_type = OpenType::kConditional;
  open_core.open_legal_basis.clear();
  crypto::Digest before = StateDigest();
  TxOutcome refused = Apply("tz.prov", open_core);
  EXPECT_EQ(refused.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_EQ(refused.message.rfind("body.open_type: core data", 0), 0u) << refused.message;
  EXPECT_NE(refused.message.find("003 §30"), std::string::npos);
  EXPECT_EQ(StateDigest(), before);

  RegisterAssetBody registry = AssetBody("a1", "321200", ShareType::kUnconditional, ResourceType::kBasic);
  registry.grade = ClassificationGrade::kCore;
  ASSERT_TRUE(Apply("tz.prov", registry).accepted());
  ChangeAssetTypesBody open{{}, "a1", ShareType::kUnconditional, "", "", OpenType::kUnconditional, "", ""};
  EXPECT_EQ(Apply("tz.prov", open).code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_EQ(Asset("a1").open_type, OpenType::kNotOpen);

  RegisterAssetBody general = AssetBody("a2", "321200");
  general.open_type = OpenType::kUnconditional;
  general.open_reason.clear();
  general.open_legal_basis.clear();
  ASSERT_TRUE(Apply("tz.prov", general).accepted());
  PublishAssetVersionBody regraded{{}, "a2", crypto::Sha256(AsBytes("v2")), 2048, "regraded", {}, {}, {}, {}, {},
                                   ClassificationGrade::kCore};
  TxOutcome regrade = Apply("tz.prov", regraded);
  EXPECT_EQ(regrade.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_EQ(regrade.message.rfind("body.grade: core data", 0), 0u) << regrade.message;
  EXPECT_EQ(Asset("a2").version, 1u);
}

TEST_F(AssetRulesTest, NotOpenNeedsAReasonAndLegalBasis_000_25) {
  // Proves a not-open entry without its legal basis is rejected.
  RegisterAssetBody body = AssetBody("a1", "321200");
  body.open_legal_basis.clear();
  EXPECT_EQ(Apply("tz.prov", body).code, OutcomeCode::kRuleInvalidArgument);
}

TEST_F(AssetRulesTest, ProviderRegistersOnlyItsOwnAuthoritysAssets_000_44) {
  // Proves only a provider of the asset's authority registers it; supervisors and other providers cannot.
  EXPECT_EQ(Apply("xh.prov", AssetBody("a1", "321200")).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("tz.sup", AssetBody("a1", "321200")).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  EXPECT_EQ(Apply("tz.prov", AssetBody("a1", "321200")).code, OutcomeCode::kRuleAlreadyExists);
}

TEST_F(AssetRulesTest, SecondSourceForADataItemIsRefusedAndFlaggedToTheSupervisor_003_12) {
  // Proves 一数一源: a second registration of a dataset code by another provider is refused, changes no
  // asset state, and leaves a flag for the supervisors of both authorities.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  RegisterAssetBody second = AssetBody("a2", "320100");
  second.dataset_code = "ds-a1";
  TxOutcome out = Apply("nj.prov", second);
  EXPECT_EQ(out.code, OutcomeCode::kRuleAlreadyExists);
  ASSERT_EQ(out.notes.size(), 2u);
  EXPECT_EQ(out.notes[0], "flag:duplicate_source");
  EXPECT_FALSE(state_->Contains(Key("as").Id("a2")));
  std::vector<FlagRecord> tz_flags = Flags("321200");
  ASSERT_EQ(tz_flags.size(), 1u);
  EXPECT_EQ(tz_flags[0].kind, FlagKind::kDuplicateSource);
  EXPECT_EQ(tz_flags[0].subject_id, "a1");
  EXPECT_EQ(Flags("320100").size(), 1u);
  EXPECT_EQ(CounterOf("321200", Counter::kDuplicateSources), 1u);
}

TEST_F(AssetRulesTest, VersionsTypeChangesRetirementAndDestructionAreKeptInHistory_003_31) {
  // Proves every change appends to the asset's history and each version stays readable.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  PublishAssetVersionBody v2;
  v2.asset_id = "a1";
  v2.content_hash = crypto::Sha256(AsBytes("v2"));
  v2.size_bytes = 2048;
  v2.change_note = "monthly refresh";
  v2.fields = std::vector<std::string>{"name", "credit_code", "address", "legal_person", "capital"};
  ASSERT_TRUE(Apply("tz.prov", v2).accepted());
  ChangeAssetTypesBody change{{}, "a1", ShareType::kConditional, "personal data", "个保法", OpenType::kNotOpen,
                              "personal data", "个保法"};
  ASSERT_TRUE(Apply("tz.prov", change).accepted());
  ASSERT_TRUE(Apply("tz.prov", RetireAssetBody{{}, "a1", "superseded", ""}).accepted());
  EXPECT_EQ(Apply("tz.prov", v2).code, OutcomeCode::kRuleFailedPrecondition);
  ASSERT_TRUE(Apply("tz.sup", DestroyAssetBody{{}, "a1", "retention ended", "", crypto::Sha256(AsBytes("rec"))}).accepted());

  AssetRecord asset = Asset("a1");
  EXPECT_EQ(asset.version, 2u);
  EXPECT_EQ(asset.status, AssetStatus::kDestroyed);
  EXPECT_EQ(asset.history_count, 5u);
  AssetRecord version1 = LoadRecord<AssetRecord>(*state_, Key("av").Id("a1").U32(1)).value();
  EXPECT_EQ(version1.content_hash, crypto::Sha256(AsBytes("a1")));
  EXPECT_EQ(version1.fields.size(), 4u);
  HistoryEntry last = LoadRecord<HistoryEntry>(*state_, Key("ah").Id("a1").U32(4)).value();
  EXPECT_EQ(last.tx_type, static_cast<uint16_t>(TxType::kDestroyAsset));
  EXPECT_EQ(last.tx_hash, blocks_.back().transactions[0].Hash());
}

// ---------------- sharing ----------------

TEST_F(SharingRulesTest, UnconditionalDataIsGrantedWithoutReview_000_21) {
  // Proves a request for unconditional data is granted in the same transaction, on the requested terms.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  RequestShareBody request = ShareBody("r1", "a1");
  TxOutcome out = Apply("nj.user", request);
  ASSERT_TRUE(out.accepted()) << out.message;
  EXPECT_EQ(Request("r1").status, RequestStatus::kGranted);
  GrantRecord grant = Grant("r1");
  EXPECT_EQ(grant.status, GrantStatus::kActive);
  EXPECT_EQ(grant.terms.fields, request.fields);
  EXPECT_EQ(grant.expiry_ms, now_ms_ + 30 * kDayMs);
}

TEST_F(SharingRulesTest, UnansweredConditionalRequestIsDeemedApprovedAfterFiveWorkingDays_000_21) {
  // Proves Jiangsu's rule: unanswered within 5 working days (not counting the day of the request) is deemed approved.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());  // Monday 2025-03-03
  RequestRecord pending = Request("r1");
  EXPECT_EQ(pending.status, RequestStatus::kPending);
  // Tue..Fri and Mon: the deadline is the end of Monday 2025-03-10 (CST).
  EXPECT_EQ(pending.due_ms, kMonday20250303 - 10 * kHourMs + 8 * kDayMs);
  AdvanceTo(pending.due_ms - 1);
  EXPECT_EQ(Request("r1").status, RequestStatus::kPending);
  AdvanceTo(pending.due_ms);
  EXPECT_EQ(Request("r1").status, RequestStatus::kDeemedGranted);
  EXPECT_TRUE(Grant("r1").deemed);
  EXPECT_EQ(CounterOf("320100", Counter::kDeemedApprovals), 1u);
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", TermsFor(ShareBody("r1", "a1")), ""}).code,
            OutcomeCode::kRuleFailedPrecondition);
}

TEST_F(SharingRulesTest, DeadlinesSkipPublicHolidaysFromTheCalendar_000_21) {
  // Proves working days come from the calendar: Qingming (2025-04-04..06) does not count.
  now_ms_ = kMonday20250303 + 29 * kDayMs;  // Tuesday 2025-04-01 10:00 CST
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());
  // Wed 2, Thu 3, (Fri 4 holiday, weekend), Mon 7, Tue 8, Wed 9: due at the end of Wednesday 2025-04-09,
  // one day later than weekends alone would give.
  EXPECT_EQ(Request("r1").due_ms, now_ms_ - 10 * kHourMs + 9 * kDayMs);
}

TEST_F(SharingRulesTest, TaizhouOverdueRequestGoesToTheSupervisor_002_15) {
  // Proves Taizhou's 3-working-day review: on expiry the request is overdue, flagged, and only a supervisor decides.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200", ShareType::kConditional)).accepted());
  RequestShareBody request = ShareBody("r1", "a1");
  ASSERT_TRUE(Apply("nj.user", request).accepted());
  int64_t due = Request("r1").due_ms;
  EXPECT_EQ(due, kMonday20250303 - 10 * kHourMs + 4 * kDayMs);  // end of Thursday
  AdvanceTo(due);
  EXPECT_EQ(Request("r1").status, RequestStatus::kOverdue);
  std::vector<FlagRecord> flags = Flags("321200");
  ASSERT_FALSE(flags.empty());
  EXPECT_EQ(flags.back().kind, FlagKind::kShareReviewOverdue);
  EXPECT_EQ(Apply("tz.prov", ApproveShareBody{{}, "r1", TermsFor(request), ""}).code,
            OutcomeCode::kRuleFailedPrecondition);
  DecideOverdueShareBody decide{{}, "r1", Decision::kApprove, TermsFor(request), "no legal basis to refuse", ""};
  EXPECT_EQ(Apply("nj.sup", decide).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.sup", decide).accepted());
  EXPECT_EQ(Request("r1").status, RequestStatus::kGranted);
  EXPECT_EQ(CounterOf("321200", Counter::kOverdueReviews), 1u);
}

TEST_F(SharingRulesTest, ARefusalMustCiteALegalBasis_000_21) {
  // Proves a refusal without a legal basis is rejected and the request stays pending; with one it is refused.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());
  EXPECT_FALSE(Apply("nj.prov", RefuseShareBody{{}, "r1", "", "no"}).accepted());
  EXPECT_EQ(Request("r1").status, RequestStatus::kPending);
  EXPECT_EQ(Apply("tz.prov", RefuseShareBody{{}, "r1", "法规", "no"}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("nj.prov", RefuseShareBody{{}, "r1", "统计法 第25条", "statistical secrecy"}).accepted());
  EXPECT_EQ(Request("r1").status, RequestStatus::kRefused);
  EXPECT_FALSE(state_->Contains(DeadlineKey(Request("r1").due_ms, DeadlineKind::kShareReview, "r1")));
}

TEST_F(SharingRulesTest, ApprovalIsLimitedToWhatWasRequested_001_16) {
  // Proves least privilege: no extra fields, no other scenario, no longer duration, no copy unless requested.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  RequestShareBody request = ShareBody("r1", "a1");
  ASSERT_TRUE(Apply("tz.user", request).accepted());
  GrantTerms extra_field = TermsFor(request);
  extra_field.fields.push_back("address");
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", extra_field, ""}).code, OutcomeCode::kRuleInvalidArgument);
  GrantTerms other_scenario = TermsFor(request);
  other_scenario.business_scenario = "marketing";
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", other_scenario, ""}).code, OutcomeCode::kRuleInvalidArgument);
  GrantTerms longer = TermsFor(request);
  longer.duration_days = 31;
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", longer, ""}).code, OutcomeCode::kRuleInvalidArgument);
  GrantTerms copy = TermsFor(request);
  copy.mode = AccessMode::kCopy;
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", copy, ""}).code, OutcomeCode::kRuleInvalidArgument);
  GrantTerms narrower = TermsFor(request);
  narrower.fields = {"name"};
  narrower.duration_days = 10;
  ASSERT_TRUE(Apply("nj.prov", ApproveShareBody{{}, "r1", narrower, "no onward transfer"}).accepted());
  EXPECT_EQ(Grant("r1").terms, narrower);
}

TEST_F(SharingRulesTest, CopyModeNeedsTheSupervisorsConsent_000_20) {
  // Proves a copy-mode grant waits for the supervisor over the provider, who consents or refuses.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1", AccessMode::kCopy)).accepted());
  EXPECT_EQ(Request("r1").status, RequestStatus::kAwaitingConsent);
  EXPECT_FALSE(state_->Contains(Key("gr").Id("r1")));
  EXPECT_EQ(Apply("nj.sup", ConsentCopyBody{{}, "r1", Decision::kApprove, ""}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.sup", ConsentCopyBody{{}, "r1", Decision::kApprove, "bulk analysis"}).accepted());
  EXPECT_EQ(Grant("r1").terms.mode, AccessMode::kCopy);
  ASSERT_TRUE(Apply("nj.user", ShareBody("r2", "a1", AccessMode::kCopy)).accepted());
  EXPECT_TRUE(Apply("js.sup", ConsentCopyBody{{}, "r2", Decision::kRefuse, "use the interface"}).accepted());
  EXPECT_EQ(Request("r2").status, RequestStatus::kRefused);
}

TEST_F(SharingRulesTest, NotSharedDataOnlyDesensitisedAfterReviewAndNeverDeemed_000_19) {
  // Proves not-shared data is granted only desensitised by the provider, and is never deemed approved.
  RegisterAssetBody body = AssetBody("a1", "320100", ShareType::kNotShared);
  ASSERT_TRUE(Apply("nj.prov", body).accepted());
  RequestShareBody request = ShareBody("r1", "a1");
  ASSERT_TRUE(Apply("tz.user", request).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "a1")).accepted());
  EXPECT_EQ(Apply("nj.prov", ApproveShareBody{{}, "r1", TermsFor(request), ""}).code, OutcomeCode::kRuleInvalidArgument);
  GrantTerms desensitised = TermsFor(request);
  desensitised.desensitised = true;
  EXPECT_TRUE(Apply("nj.prov", ApproveShareBody{{}, "r1", desensitised, ""}).accepted());
  AdvanceTo(Request("r2").due_ms);
  EXPECT_EQ(Request("r2").status, RequestStatus::kOverdue);
}

TEST_F(SharingRulesTest, CoreDataIsNeverDeemedApproved_003_30) {
  // Proves a conditional request for core data left unanswered under Jiangsu's deemed-approval rule becomes
  // overdue instead (the provider must review it), while the same request for other data is deemed approved.
  RegisterAssetBody core = AssetBody("a1", "320100", ShareType::kConditional);
  core.grade = ClassificationGrade::kCore;
  ASSERT_TRUE(Apply("nj.prov", core).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a2", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "a2")).accepted());
  AdvanceTo(Request("r1").due_ms);
  EXPECT_EQ(Request("r1").status, RequestStatus::kOverdue);
  EXPECT_FALSE(state_->Contains(Key("gr").Id("r1")));
  EXPECT_EQ(Request("r2").status, RequestStatus::kDeemedGranted);
  EXPECT_EQ(CounterOf("320100", Counter::kDeemedApprovals), 1u);
}

TEST_F(SharingRulesTest, GrantsAreSuspendedResumedAndRevokedByProviderOrSupervisor_003_39) {
  // Proves grant lifecycle transitions and who may perform them.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  EXPECT_EQ(Apply("nj.user", SuspendGrantBody{{}, "r1", "x", ""}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("nj.sup", SuspendGrantBody{{}, "r1", "x", ""}).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_TRUE(Apply("tz.prov", SuspendGrantBody{{}, "r1", "audit", ""}).accepted());
  EXPECT_EQ(Grant("r1").status, GrantStatus::kSuspended);
  EXPECT_TRUE(Apply("tz.sup", ResumeGrantBody{{}, "r1", "audit passed"}).accepted());
  EXPECT_EQ(Grant("r1").status, GrantStatus::kActive);
  EXPECT_TRUE(Apply("js.sup", RevokeGrantBody{{}, "r1", "violation", "办法 第39条"}).accepted());
  EXPECT_EQ(Grant("r1").status, GrantStatus::kRevoked);
  EXPECT_EQ(Apply("tz.prov", ResumeGrantBody{{}, "r1", "x"}).code, OutcomeCode::kRuleFailedPrecondition);
}

TEST_F(SharingRulesTest, GrantsExpireAtTheirExpiry) {
  // Proves a grant's expiry is processed from the deadline index at the first block at or after it.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  int64_t expiry = Grant("r1").expiry_ms;
  AdvanceTo(expiry - 1);
  EXPECT_EQ(Grant("r1").status, GrantStatus::kActive);
  AdvanceTo(expiry + 5 * kDayMs);
  EXPECT_EQ(Grant("r1").status, GrantStatus::kExpired);
}

TEST_F(SharingRulesTest, LateProviderAnswerIsFlagged_001_15) {
  // Proves where the policy only flags lateness, a provider may still answer, and the answer is flagged late.
  Policy flagged_only;
  flagged_only.share_review_on_expiry = ExpiryAction::kOverdueFlagged;
  ASSERT_TRUE(Apply("nj.sup", SetPolicyBody{{}, "320100", flagged_only.Encode()}).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  RequestShareBody request = ShareBody("r1", "a1");
  ASSERT_TRUE(Apply("tz.user", request).accepted());
  AdvanceTo(Request("r1").due_ms + kHourMs);
  EXPECT_EQ(Request("r1").status, RequestStatus::kOverdue);
  TxOutcome out = Apply("nj.prov", ApproveShareBody{{}, "r1", TermsFor(request), ""});
  ASSERT_TRUE(out.accepted()) << out.message;
  EXPECT_EQ(out.notes, std::vector<std::string>{"flag:late_share_answer"});
  EXPECT_TRUE(Request("r1").answered_late);
  EXPECT_EQ(CounterOf("320100", Counter::kLateAnswers), 1u);
}

TEST_F(SharingRulesTest, DeadlineIndexProcessesOnlyTheItemsDueInDeadlineOrder) {
  // Proves a block touches only deadlines at or before its time: later ones stay indexed and pending.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());
  now_ms_ += kDayMs;
  ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "a1")).accepted());
  now_ms_ += kDayMs;
  ASSERT_TRUE(Apply("tz.user", ShareBody("r3", "a1")).accepted());
  int64_t due1 = Request("r1").due_ms, due2 = Request("r2").due_ms, due3 = Request("r3").due_ms;
  ASSERT_LT(due1, due2);
  ASSERT_LT(due2, due3);
  AdvanceTo(due2);
  EXPECT_EQ(Request("r1").status, RequestStatus::kDeemedGranted);
  EXPECT_EQ(Request("r2").status, RequestStatus::kDeemedGranted);
  EXPECT_EQ(Request("r3").status, RequestStatus::kPending);
  EXPECT_FALSE(state_->Contains(DeadlineKey(due1, DeadlineKind::kShareReview, "r1")));
  EXPECT_TRUE(state_->Contains(DeadlineKey(due3, DeadlineKind::kShareReview, "r3")));
  // The deemed grants were issued in deadline order: r1's flag precedes r2's.
  std::vector<FlagRecord> flags = Flags("320100");
  ASSERT_EQ(flags.size(), 2u);
  EXPECT_EQ(flags[0].subject_id, "r1");
  EXPECT_EQ(flags[1].subject_id, "r2");
}

}  // namespace
}  // namespace shulian::ledger::testing
