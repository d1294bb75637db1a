// Rules closed after the first state machine: the catalog update period after a
// change of law or of functions (004 §14), third parties authorised by the data
// subject (001 §27), and dispute references checked against the transaction index
// (000 §45, 003 §20, 004 §28) — through the fixture's index and through a real
// BlockStore's.
#include <leveldb/write_batch.h>

#include "ledger/queries.h"
#include "ledger/store.h"
#include "ledger/tx_json.h"
#include "tests/ledger/sm_fixture.h"

namespace shulian::ledger::testing {
namespace {

// Nanjing (320100) gets a policy layer with only Chengdu's catalog_update period
// (15 working days, 004 §14); Taizhou keeps its own, which sets none.
class CatalogUpdateTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    Policy layer;
    layer.period(Step::kCatalogUpdate) = Period{15, DayCount::kWorking};
    ASSERT_TRUE(SetNanjingPolicy(layer).accepted());
  }

  static RaiseObjectionBody TaskBody(std::string id, std::string asset) {
    RaiseObjectionBody b;
    b.objection_id = std::move(id);
    b.asset_id = std::move(asset);
    b.kind = ObjectionKind::kCatalogUpdate;
    b.description_hash = crypto::Sha256(AsBytes("notice: 个人信息保护法 revised"));
    return b;
  }

  static PublishAssetVersionBody VersionBody(std::string asset) {
    PublishAssetVersionBody b;
    b.asset_id = std::move(asset);
    b.content_hash = crypto::Sha256(AsBytes("v2"));
    b.size_bytes = 2048;
    b.change_note = "fields revised after the change of law";
    return b;
  }

  // End (24:00 CST) of Monday 2025-03-24: the 15th working day after Monday 2025-03-03.
  static constexpr int64_t kDue = kMonday20250303 + 21 * kDayMs + 14 * kHourMs;
};

TEST_F(CatalogUpdateTest, CatalogEntryNotUpdatedWithinFifteenWorkingDaysAfterAChangeOfLawIsFlagged_004_14) {
  // Proves a catalog update task runs 15 working days from the supervisor's notice, is flagged overdue to the
  // supervisor when missed, and a later update is recorded as late — without marking the data disputed.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100")).accepted());
  TxOutcome raised = Apply("nj.sup", TaskBody("cu1", "a1"));
  ASSERT_TRUE(raised.accepted()) << raised.message;
  ObjectionRecord task = Objection("cu1");
  EXPECT_EQ(task.kind, ObjectionKind::kCatalogUpdate);
  EXPECT_EQ(task.due_ms, kDue);
  EXPECT_FALSE(Asset("a1").disputed());
  EXPECT_EQ(CounterOf("320100", Counter::kOpenObjections), 0u);

  AdvanceTo(kDue - 1);
  EXPECT_FALSE(Objection("cu1").overdue);
  EXPECT_TRUE(Flags("320100").empty());
  AdvanceTo(kDue);
  EXPECT_TRUE(Objection("cu1").overdue);
  ASSERT_EQ(Flags("320100").size(), 1u);
  EXPECT_EQ(Flags("320100")[0].kind, FlagKind::kCatalogUpdateOverdue);
  EXPECT_EQ(Flags("320100")[0].subject_id, "cu1");
  EXPECT_EQ(CounterOf("320100", Counter::kOverdueCatalogUpdates), 1u);

  now_ms_ = kDue + kHourMs;
  TxOutcome updated = Apply("nj.prov", VersionBody("a1"));
  ASSERT_TRUE(updated.accepted()) << updated.message;
  task = Objection("cu1");
  EXPECT_EQ(task.status, ObjectionStatus::kAnswered);
  EXPECT_EQ(task.answer, ObjectionAnswer::kCorrected);
  EXPECT_EQ(task.corrected_version, 2u);
  EXPECT_TRUE(task.answered_late);
  EXPECT_EQ(Flags("320100").back().kind, FlagKind::kLateObjectionAnswer);
  EXPECT_FALSE(state_->Contains(Key("ix").Id("cu-open").Id("a1").Id("cu1")));
}

TEST_F(CatalogUpdateTest, CatalogChangeWithinThePeriodCarriesOutTheTask_004_14) {
  // Proves a type change, version or retirement inside the period closes every open task on the asset, takes
  // its deadline out of the index, and nothing is flagged when the period ends.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100")).accepted());
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a2", "320100")).accepted());
  ASSERT_TRUE(Apply("nj.sup", TaskBody("cu1", "a1")).accepted());
  ASSERT_TRUE(Apply("js.sup", TaskBody("cu2", "a1")).accepted());  // the province's supervisor too
  ASSERT_TRUE(Apply("nj.sup", TaskBody("cu3", "a2")).accepted());
  now_ms_ += 5 * kDayMs;
  ChangeAssetTypesBody types;
  types.asset_id = "a1";
  types.share_type = ShareType::kConditional;
  types.share_reason = "personal information after the revision";
  types.share_legal_basis = "个人信息保护法 第13条 (revised)";
  types.open_type = OpenType::kNotOpen;
  types.open_reason = "personal information";
  types.open_legal_basis = "个人信息保护法";
  TxOutcome changed = Apply("nj.prov", types);
  ASSERT_TRUE(changed.accepted()) << changed.message;
  EXPECT_EQ(changed.notes, (std::vector<std::string>{"catalog_update_done:cu1", "catalog_update_done:cu2"}));
  ASSERT_TRUE(Apply("nj.prov", RetireAssetBody{{}, "a2", "superseded", ""}).accepted());
  for (const char* id : {"cu1", "cu2"}) {
    EXPECT_EQ(Objection(id).status, ObjectionStatus::kAnswered) << id;
    EXPECT_EQ(Objection(id).answer, ObjectionAnswer::kCorrected) << id;
    EXPECT_FALSE(Objection(id).answered_late) << id;
  }
  EXPECT_EQ(Objection("cu3").answer, ObjectionAnswer::kDeleted);
  AdvanceTo(kDue + kDayMs);
  EXPECT_TRUE(Flags("320100").empty());
  EXPECT_FALSE(Objection("cu1").overdue);
  // The history keeps the notice and its completion.
  bool notice = false, done = false;
  ASSERT_TRUE(state_->Scan(Key("ah").Id("a1").Prefix(), "", 100, [&](std::string_view, std::string_view v) {
    ByteReader r(AsBytes(v));
    std::string summary = HistoryEntry::DecodeFrom(r).value().summary;
    notice = notice || summary.find("cu1 (catalog_update) opened") != std::string::npos;
    done = done || summary.find("catalog update task cu1 done") != std::string::npos;
    return true;
  }).ok());
  EXPECT_TRUE(notice);
  EXPECT_TRUE(done);
}

TEST_F(CatalogUpdateTest, OnlyASupervisorOverTheProviderGivesACatalogUpdateTask_004_14) {
  // Proves providers, users and supervisors outside the provider's subtree cannot open the task, and where
  // the policy names no period (Taizhou) the task is recorded without a deadline and never flagged.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100")).accepted());
  ASSERT_TRUE(Apply("tz.prov", AssetBody("t1", "321200")).accepted());
  EXPECT_EQ(Apply("nj.prov", TaskBody("cu1", "a1")).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("nj.user", TaskBody("cu1", "a1")).code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(Apply("tz.sup", TaskBody("cu1", "a1")).code, OutcomeCode::kRulePermissionDenied);
  ASSERT_TRUE(Apply("tz.sup", TaskBody("cu2", "t1")).accepted());
  EXPECT_EQ(Objection("cu2").due_ms, 0);
  AdvanceTo(kMonday20250303 + 90 * kDayMs);
  EXPECT_FALSE(Objection("cu2").overdue);
  for (const FlagRecord& flag : Flags("321200")) EXPECT_NE(flag.kind, FlagKind::kCatalogUpdateOverdue);
}

// ---------- 001 §15: delivery of a granted share ----------

// Nanjing (320100) takes the Jiangmen preset (share review 5 working days, flagged
// when missed; delivery 5 working days from the answer) on the inherited calendar.
class ShareDeliveryTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    ASSERT_TRUE(SetNanjingPolicy(PresetPolicy("jiangmen-2023")).accepted());
    ASSERT_TRUE(Apply("nj.prov", AssetBody("a1", "320100", ShareType::kConditional)).accepted());
    ASSERT_TRUE(Apply("tz.user", ShareBody("r1", "a1")).accepted());
  }

  void Approve(const std::string& request_id) {
    TxOutcome approved = Apply("nj.prov", ApproveShareBody{{}, request_id, TermsFor(ShareBody(request_id, "a1")), ""});
    ASSERT_TRUE(approved.accepted()) << approved.message;
  }

  static DeliverShareBody Delivery(std::string grant_id) {
    return DeliverShareBody{{}, std::move(grant_id), crypto::Sha256(AsBytes("delivery manifest")), "接口已开通"};
  }

  // End (24:00 CST) of Monday 2025-03-10: the 5th working day after the answer on Monday 2025-03-03.
  static constexpr int64_t kDue = kMonday20250303 + 7 * kDayMs + 14 * kHourMs;
};

TEST_F(ShareDeliveryTest, DeliveryWithinFiveWorkingDaysOfTheAnswerSettlesTheDeadline_001_15) {
  // Proves approving a conditional request starts the 5-working-day delivery period, and a delivery before it
  // ends is recorded on the grant, takes the deadline out of the index, and leaves nothing for the supervisor.
  Approve("r1");
  GrantRecord grant = Grant("r1");
  EXPECT_EQ(grant.delivery_due_ms, kDue);
  EXPECT_TRUE(state_->Contains(DeadlineKey(kDue, DeadlineKind::kShareDelivery, "r1")));
  now_ms_ = kDue - 1;
  TxOutcome delivered = Apply("nj.prov", Delivery("r1"));
  ASSERT_TRUE(delivered.accepted()) << delivered.message;
  EXPECT_TRUE(delivered.notes.empty());
  grant = Grant("r1");
  EXPECT_EQ(grant.delivered_ms, kDue - 1);
  EXPECT_FALSE(grant.delivered_late);
  EXPECT_EQ(grant.delivery_digest, crypto::Sha256(AsBytes("delivery manifest")));
  EXPECT_EQ(grant.delivery_note, "接口已开通");
  EXPECT_FALSE(state_->Contains(DeadlineKey(kDue, DeadlineKind::kShareDelivery, "r1")));
  AdvanceTo(kDue + 30 * kDayMs);
  EXPECT_FALSE(Grant("r1").delivery_overdue);
  EXPECT_TRUE(Flags("320100").empty());
  EXPECT_EQ(CounterOf("320100", Counter::kOverdueShareDeliveries), 0u);
}

TEST_F(ShareDeliveryTest, GrantUndeliveredAtTheDeadlineIsFlaggedOverdueToTheSupervisor_001_15) {
  // Proves a grant still undelivered when the period ends is marked overdue and flagged to the provider's
  // supervisor: in its flagged items, its summary counter, and the court-wide overdue list.
  Approve("r1");
  AdvanceTo(kDue - 1);
  EXPECT_FALSE(Grant("r1").delivery_overdue);
  EXPECT_TRUE(Flags("320100").empty());
  AdvanceTo(kDue);
  EXPECT_TRUE(Grant("r1").delivery_overdue);
  Queries queries(*state_);
  Result<Page<FlagRecord>> flags = queries.FlagsForAuthority(queries.ViewerFor("nj.sup").value(), "320100", {"", 10});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  ASSERT_EQ(flags->items.size(), 1u);
  EXPECT_EQ(flags->items[0].kind, FlagKind::kShareDeliveryOverdue);
  EXPECT_EQ(flags->items[0].subject_kind, TargetKind::kGrant);
  EXPECT_EQ(flags->items[0].subject_id, "r1");
  Result<AuthoritySummary> summary = queries.Summary(queries.ViewerFor("nj.sup").value(), "320100");
  ASSERT_TRUE(summary.ok());
  EXPECT_EQ(summary->counters.at("overdue_share_deliveries"), 1u);
  Result<Page<FlagRecord>> overdue = queries.AllOverdue(queries.ViewerFor("court").value(), {"", 10});
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->items.size(), 1u);
  EXPECT_EQ(overdue->items[0].kind, FlagKind::kShareDeliveryOverdue);
  EXPECT_EQ(FlagKindName(FlagKind::kShareDeliveryOverdue), "share_delivery_overdue");
}

TEST_F(ShareDeliveryTest, DeliveryAfterTheDeadlineIsRecordedAndMarkedLate_001_15) {
  // Proves a delivery at or after the deadline is still accepted and recorded, marked late on the grant and
  // flagged as a late act, after the overdue flag the expiry raised.
  Approve("r1");
  AdvanceTo(kDue + kHourMs);
  TxOutcome delivered = Apply("nj.prov", Delivery("r1"));
  ASSERT_TRUE(delivered.accepted()) << delivered.message;
  EXPECT_EQ(delivered.notes, (std::vector<std::string>{"flag:late_answer"}));
  GrantRecord grant = Grant("r1");
  EXPECT_EQ(grant.delivered_ms, kDue + kHourMs);
  EXPECT_TRUE(grant.delivered_late);
  EXPECT_TRUE(grant.delivery_overdue);
  std::vector<FlagRecord> late = FlagsOfKind("320100", FlagKind::kLateShareAnswer);
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].subject_kind, TargetKind::kGrant);
  EXPECT_NE(late[0].detail.find("delivered after the deadline (001 §15)"), std::string::npos) << late[0].detail;
  EXPECT_EQ(FlagsOfKind("320100", FlagKind::kShareDeliveryOverdue).size(), 1u);
  EXPECT_EQ(CounterOf("320100", Counter::kLateAnswers), 1u);
}

TEST_F(ShareDeliveryTest, BadDeliveriesAreRejectedAndChangeNothing_001_15) {
  // Proves a delivery of nothing granted, by anyone but a provider of the granting authority, under a grant that
  // is not active, or a second time, is rejected with its reason and leaves the state as it was.
  auto rejected = [&](const std::string& sender, const DeliverShareBody& body, OutcomeCode code,
                      std::string_view reason) {
    crypto::Digest before = StateDigest();
    TxOutcome out = Apply(sender, body);
    EXPECT_EQ(out.code, code) << sender << ": " << out.message;
    EXPECT_NE(out.message.find(reason), std::string::npos) << out.message;
    EXPECT_EQ(StateDigest(), before) << sender << ": " << out.message;
  };
  rejected("nj.prov", Delivery("r1"), OutcomeCode::kRuleFailedPrecondition, "request \"r1\" is pending");
  rejected("nj.prov", Delivery("nothing"), OutcomeCode::kRuleNotFound, "grant \"nothing\" does not exist");
  Approve("r1");
  rejected("tz.user", Delivery("r1"), OutcomeCode::kRulePermissionDenied, "not a provider of authority \"320100\"");
  rejected("tz.prov", Delivery("r1"), OutcomeCode::kRulePermissionDenied, "not a provider of authority \"320100\"");
  rejected("nj.sup", Delivery("r1"), OutcomeCode::kRulePermissionDenied, "not a provider of authority \"320100\"");
  ASSERT_TRUE(Apply("nj.prov", SuspendGrantBody{{}, "r1", "核查", ""}).accepted());
  rejected("nj.prov", Delivery("r1"), OutcomeCode::kRuleFailedPrecondition, "is suspended, not active");
  ASSERT_TRUE(Apply("nj.prov", ResumeGrantBody{{}, "r1", "核查完毕"}).accepted());
  ASSERT_TRUE(Apply("nj.prov", Delivery("r1")).accepted());
  rejected("nj.prov", Delivery("r1"), OutcomeCode::kRuleFailedPrecondition, "already delivered");
  ASSERT_TRUE(Apply("tz.user", ShareBody("r2", "a1")).accepted());
  ASSERT_TRUE(Apply("nj.prov", RefuseShareBody{{}, "r2", "统计法", "涉密"}).accepted());
  rejected("nj.prov", Delivery("r2"), OutcomeCode::kRuleFailedPrecondition, "request \"r2\" is refused");
}

TEST_F(ShareDeliveryTest, OnlyGrantsMadeAfterAReviewHaveADeliveryPeriodWhereThePolicySetsOne_001_15) {
  // Proves unconditional data (fetched without review, 001 §15 first paragraph) and an authority whose policy
  // sets no share_delivery (Jiangsu, 000) get no delivery period, and a deemed approval (000 §21) under a
  // policy that sets one starts it when the approval is deemed.
  ASSERT_TRUE(Apply("nj.prov", AssetBody("u1", "320100")).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("ru", "u1")).accepted());
  EXPECT_EQ(Request("ru").status, RequestStatus::kGranted);
  EXPECT_EQ(Grant("ru").delivery_due_ms, 0);
  ASSERT_TRUE(Apply("js.prov", AssetBody("j1", "320000", ShareType::kConditional)).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("rj", "j1")).accepted());
  ASSERT_TRUE(Apply("js.prov", ApproveShareBody{{}, "rj", TermsFor(ShareBody("rj", "j1")), ""}).accepted());
  EXPECT_EQ(Grant("rj").delivery_due_ms, 0);
  ASSERT_TRUE(Apply("js.prov", DeliverShareBody{{}, "rj", std::nullopt, ""}).accepted());  // recorded, never late
  EXPECT_FALSE(Grant("rj").delivered_late);

  // Jiangsu deems an unanswered request approved; a layer that adds a delivery period applies to it too.
  Policy delivery_only;
  delivery_only.period(Step::kShareDelivery) = Period{5, DayCount::kWorking};
  ASSERT_TRUE(SetNanjingPolicy(delivery_only).accepted());
  ASSERT_TRUE(Apply("tz.user", ShareBody("rd", "a1")).accepted());
  AdvanceTo(kDue);  // the 5-working-day review deadline (000 §21) of a request made on Monday 2025-03-03
  ASSERT_EQ(Request("rd").status, RequestStatus::kDeemedGranted);
  EXPECT_EQ(Grant("rd").delivery_due_ms, kDue + 8 * kDayMs);  // deemed on Tuesday 03-11: the end of Tuesday 03-18
}

// ---------- 004 §27: reporting a problem within 5 working days of finding it ----------

// Nanjing (320100), the reporting user agency's authority, takes the Chengdu preset
// (objection_report 5 working days); the data is Taizhou's, whose policy sets none.
class ObjectionReportTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    ASSERT_TRUE(SetNanjingPolicy(PresetPolicy("chengdu-draft")).accepted());
    ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  }

  static RaiseObjectionBody Report(std::string id, std::optional<int64_t> discovered_ms) {
    RaiseObjectionBody b{{}, std::move(id), "a1", ObjectionKind::kError, {"address"},
                         crypto::Sha256(AsBytes("地址与登记不符")), std::nullopt};
    if (discovered_ms) b.discovered_ms = static_cast<uint64_t>(*discovered_ms);
    return b;
  }

  std::vector<FlagRecord> LateReports(std::string_view authority) {
    return FlagsOfKind(authority, FlagKind::kLateObjectionReport);
  }

  // Found on Monday 2025-02-24 10:00: the period ends with Monday 2025-03-03 (24:00 CST).
  static constexpr int64_t kFound = kMonday20250303 - 7 * kDayMs;
  static constexpr int64_t kReportDue = kMonday20250303 + 14 * kHourMs;
};

TEST_F(ObjectionReportTest, ProblemReportedMoreThanFiveWorkingDaysAfterItsDiscoveryIsFlagged_004_27) {
  // Proves an objection a user agency raises at or after the end of the 5th working day after the declared
  // discovery is still recorded (the data is marked disputed and the provider's answer deadline runs) but is
  // marked late and flagged to the supervisor of the reporting agency's authority.
  now_ms_ = kReportDue;
  TxOutcome raised = Apply("nj.user", Report("o1", kFound));
  ASSERT_TRUE(raised.accepted()) << raised.message;
  EXPECT_EQ(raised.notes, (std::vector<std::string>{"flag:late_objection_report"}));
  ObjectionRecord objection = Objection("o1");
  EXPECT_EQ(objection.discovered_ms, kFound);
  EXPECT_EQ(objection.report_due_ms, kReportDue);
  EXPECT_TRUE(objection.reported_late);
  EXPECT_EQ(objection.status, ObjectionStatus::kOpen);
  EXPECT_TRUE(Asset("a1").disputed());
  std::vector<FlagRecord> late = LateReports("320100");
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].subject_kind, TargetKind::kObjection);
  EXPECT_EQ(late[0].subject_id, "o1");
  EXPECT_EQ(FlagKindName(late[0].kind), "late_objection_report");
  EXPECT_EQ(CounterOf("320100", Counter::kLateObjectionReports), 1u);
  EXPECT_TRUE(LateReports("321200").empty());
  Queries queries(*state_);
  Result<Page<FlagRecord>> overdue = queries.AllOverdue(queries.ViewerFor("court").value(), {"", 10});
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->items.size(), 1u);
  EXPECT_EQ(overdue->items[0].kind, FlagKind::kLateObjectionReport);
}

TEST_F(ObjectionReportTest, ProblemReportedWithinFiveWorkingDaysIsNotFlagged_004_27) {
  // Proves a report before the end of the 5th working day after the discovery is on time, up to the last
  // millisecond, and that the period counts working days (the weekend of 03-01/02 does not count).
  now_ms_ = kMonday20250303;
  ASSERT_TRUE(Apply("nj.user", Report("o1", kFound)).accepted());
  now_ms_ = kReportDue - 1;
  TxOutcome last_moment = Apply("nj.user", Report("o2", kFound));
  ASSERT_TRUE(last_moment.accepted()) << last_moment.message;
  EXPECT_TRUE(last_moment.notes.empty());
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(Objection(id).report_due_ms, kReportDue) << id;
    EXPECT_FALSE(Objection(id).reported_late) << id;
  }
  EXPECT_TRUE(LateReports("320100").empty());
  EXPECT_EQ(CounterOf("320100", Counter::kLateObjectionReports), 0u);
}

TEST_F(ObjectionReportTest, DiscoveryAfterTheBlockTimeIsRejected_004_27) {
  // Proves a discovery declared after the block time is refused, naming the field, and changes nothing; one at
  // the block time itself is accepted.
  crypto::Digest before = StateDigest();
  TxOutcome refused = Apply("nj.user", Report("o1", now_ms_ + 1));
  EXPECT_EQ(refused.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(refused.message.find("body.discovered_ms"), std::string::npos) << refused.message;
  EXPECT_EQ(StateDigest(), before);
  TxOutcome now = Apply("nj.user", Report("o1", now_ms_));
  ASSERT_TRUE(now.accepted()) << now.message;
  EXPECT_FALSE(Objection("o1").reported_late);
}

TEST_F(ObjectionReportTest, WithoutADiscoveryTimeOrAReportPeriodAnObjectionIsRaisedAsBefore_004_27) {
  // Proves the field is optional and changes nothing when absent (same bytes and JSON as before it existed, no
  // period, no flag), and that a discovery time is only recorded where no report period binds the raiser: a
  // user agency whose policy sets none (Taizhou) or a member of the public.
  RaiseObjectionBody plain = Report("o1", std::nullopt);
  EXPECT_EQ(plain.Encode().size(), Report("o0", kFound).Encode().size() - 9);
  EXPECT_FALSE(BodyToJson(plain).contains("discovered_ms"));
  now_ms_ = kReportDue + 30 * kDayMs;
  ASSERT_TRUE(Apply("nj.user", plain).accepted());
  EXPECT_FALSE(Objection("o1").discovered_ms.has_value());
  EXPECT_EQ(Objection("o1").report_due_ms, 0);
  ASSERT_TRUE(Apply("tz.user", Report("o2", kFound)).accepted());
  ASSERT_TRUE(Apply("citizen", Report("o3", kFound)).accepted());
  for (const char* id : {"o2", "o3"}) {
    EXPECT_EQ(Objection(id).discovered_ms, kFound) << id;
    EXPECT_EQ(Objection(id).report_due_ms, 0) << id;
    EXPECT_FALSE(Objection(id).reported_late) << id;
  }
  for (const char* authority : {"320100", "321200", "320000"}) EXPECT_TRUE(LateReports(authority).empty());
}

TEST(RaiseObjectionEncodingTest, TheDiscoveryFieldKeepsEarlierEncodingsValidAndCanonical) {
  // Proves the field added for 004 §27 is encoded only when present: a body without it ends with the description
  // hash as before, a trailing 0 byte is refused, and a present time round-trips through bytes and JSON.
  RaiseObjectionBody body{{}, "o1", "a1", ObjectionKind::kError, {}, crypto::Sha256(AsBytes("d")), std::nullopt};
  Bytes without = body.Encode();
  EXPECT_TRUE(std::equal(without.end() - 32, without.end(), body.description_hash.bytes.begin()));
  ASSERT_TRUE(RaiseObjectionBody::Decode(without).ok());
  EXPECT_FALSE(RaiseObjectionBody::Decode(without)->discovered_ms.has_value());
  Bytes zero_flag = without;
  zero_flag.push_back(0);
  EXPECT_FALSE(RaiseObjectionBody::Decode(zero_flag).ok());
  body.discovered_ms = 1'740'448'800'000;
  Bytes with = body.Encode();
  EXPECT_EQ(with.size(), without.size() + 9);
  Result<RaiseObjectionBody> decoded = RaiseObjectionBody::Decode(with);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, body);
  Result<Body> from_json = BodyFromJson(TxType::kRaiseObjection, BodyToJson(body));
  ASSERT_TRUE(from_json.ok()) << from_json.status().ToString();
  EXPECT_EQ(std::get<RaiseObjectionBody>(*from_json), body);
  EXPECT_FALSE(RaiseObjectionBody::Decode(Bytes(with.begin(), with.end() - 1)).ok());
}

// ---------- 001 §27 ----------

class ThirdPartyTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    RegisterAssetBody personal = AssetBody("p1", "321200");
    personal.contains_personal_data = true;
    ASSERT_TRUE(Apply("tz.prov", personal).accepted());
    ASSERT_TRUE(Apply("tz.prov", AssetBody("e1", "321200")).accepted());
    ASSERT_TRUE(Apply("nj.user", ShareBody("rp", "p1")).accepted());  // unconditional: granted at once
    ASSERT_TRUE(Apply("nj.user", ShareBody("re", "e1")).accepted());
  }
  AccessRecord Record(const TxOutcome& outcome) {
    return std::move(LoadRecord<AccessRecord>(*state_, Key("xr").Fixed(outcome.tx_hash.bytes))).value();
  }
  const crypto::Digest authorisation_ = crypto::Sha256(AsBytes("授权书: subject 3212..., third party X"));
};

TEST_F(ThirdPartyTest, PersonalDataGoesToAThirdPartyOnlyWithTheDataSubjectsAuthorisation_001_27) {
  // Proves passing personal data to a third party is a violation unless the data subject authorised it, in
  // which case the record keeps the authorisation's hash and nothing is flagged.
  RecordAccessBody unauthorised = AccessBody("p1", "rp");
  unauthorised.third_party = true;
  TxOutcome without = Apply("nj.user", unauthorised);
  ASSERT_TRUE(without.accepted()) << without.message;
  EXPECT_EQ(Record(without).violations, (std::vector<std::string>{std::string(kViolationThirdParty)}));
  size_t flags_before = Flags("321200").size();

  RecordAccessBody authorised = unauthorised;
  authorised.subject_authorisation_hash = authorisation_;
  TxOutcome with = Apply("nj.user", authorised);
  ASSERT_TRUE(with.accepted()) << with.message;
  AccessRecord record = Record(with);
  EXPECT_TRUE(record.violations.empty());
  EXPECT_TRUE(record.third_party);
  EXPECT_EQ(record.subject_authorisation_hash, authorisation_);
  EXPECT_EQ(with.notes, (std::vector<std::string>{"third_party_authorised_by_data_subject:001 §27"}));
  EXPECT_EQ(Flags("321200").size(), flags_before);
}

TEST_F(ThirdPartyTest, ASubjectsAuthorisationCoversOnlyPersonalDataPassedToAThirdParty_001_27) {
  // Proves an authorisation for data without personal data leaves the third-party use a violation, and one
  // named without third-party use is refused and changes nothing.
  RecordAccessBody enterprise = AccessBody("e1", "re");
  enterprise.third_party = true;
  enterprise.subject_authorisation_hash = authorisation_;
  TxOutcome outcome = Apply("nj.user", enterprise);
  ASSERT_TRUE(outcome.accepted()) << outcome.message;
  EXPECT_EQ(Record(outcome).violations, (std::vector<std::string>{std::string(kViolationThirdParty)}));

  RecordAccessBody stray = AccessBody("p1", "rp");
  stray.subject_authorisation_hash = authorisation_;
  crypto::Digest before = StateDigest();
  TxOutcome refused = Apply("nj.user", stray);
  EXPECT_EQ(refused.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(refused.message.find("body.subject_authorisation_hash"), std::string::npos) << refused.message;
  EXPECT_EQ(StateDigest(), before);
}

TEST(RecordAccessEncodingTest, TheAuthorisationFieldKeepsEarlierEncodingsValidAndCanonical) {
  // Proves the field added for 001 §27 is encoded only when present: a body without it has the bytes it had
  // before (ending in the third_party flag), a trailing 0 byte is refused, and a present hash round-trips.
  RecordAccessBody body;
  body.asset_id = "a1";
  body.purpose = "p";
  body.business_scenario = "s";
  body.fields = {"name"};
  body.third_party = true;
  Bytes without = body.Encode();
  ASSERT_FALSE(without.empty());
  EXPECT_EQ(without.back(), 1);  // third_party, the last field before the addition
  ASSERT_TRUE(RecordAccessBody::Decode(without).ok());
  EXPECT_FALSE(RecordAccessBody::Decode(without)->subject_authorisation_hash.has_value());
  Bytes zero_flag = without;
  zero_flag.push_back(0);
  EXPECT_FALSE(RecordAccessBody::Decode(zero_flag).ok());
  body.subject_authorisation_hash = crypto::Sha256(AsBytes("authorisation"));
  Bytes with = body.Encode();
  EXPECT_EQ(with.size(), without.size() + 33);
  Result<RecordAccessBody> decoded = RecordAccessBody::Decode(with);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, body);
  Bytes truncated(with.begin(), with.end() - 1);
  EXPECT_FALSE(RecordAccessBody::Decode(truncated).ok());
}

// ---------- dispute references ----------

class DisputeRefsTest : public SmTest {
 protected:
  OpenDisputeBody Dispute(std::string id, std::vector<crypto::Digest> refs) {
    return OpenDisputeBody{{}, std::move(id), "use beyond scope", std::move(refs)};
  }
};

TEST_F(DisputeRefsTest, ADisputeCitingATransactionNotInTheLedgerIsRejected_003_20) {
  // Proves every record a dispute links must be a transaction already in the ledger — accepted or rejected —
  // and a reference to anything else rejects the dispute with a reason naming the reference.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  crypto::Digest registered = blocks_.back().transactions[0].Hash();
  ASSERT_FALSE(Apply("nj.user", AssetBody("a2", "321200")).accepted());  // an attempt is evidence too
  crypto::Digest attempt = blocks_.back().transactions[0].Hash();
  crypto::Digest unknown = crypto::Sha256(AsBytes("no such transaction"));

  crypto::Digest before = StateDigest();
  TxOutcome refused = Apply("court", Dispute("d1", {registered, unknown}));
  EXPECT_EQ(refused.code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(refused.message.find("body.record_refs[1]: transaction " + unknown.ToHex() + " is not in the ledger"),
            std::string::npos)
      << refused.message;
  EXPECT_EQ(StateDigest(), before);
  EXPECT_FALSE(state_->Contains(Key("di").Id("d1")));

  TxOutcome opened = Apply("court", Dispute("d1", {registered, attempt}));
  ASSERT_TRUE(opened.accepted()) << opened.message;
  EXPECT_EQ(Load<DisputeRecord>("di", "d1").record_refs, (std::vector<crypto::Digest>{registered, attempt}));
}

TEST_F(DisputeRefsTest, AReferenceInsideTheSameBlockMustComeBeforeTheDispute_003_20) {
  // Proves that within one block a dispute may cite a transaction ordered before it, never one after it (not
  // yet in the ledger at that point), and that replicas replaying the block agree byte for byte.
  Transaction asset = MakeTx("tz.prov", AssetBody("a1", "321200"));
  Transaction later = MakeTx("tz.prov", AssetBody("a3", "321200"));
  std::vector<Transaction> txs = {asset, MakeTx("court", Dispute("d1", {asset.Hash()})),
                                  MakeTx("court", Dispute("d2", {later.Hash()})), later};
  std::vector<TxOutcome> outcomes = ApplyTxs(txs);
  ASSERT_EQ(outcomes.size(), 4u);
  EXPECT_TRUE(outcomes[1].accepted()) << outcomes[1].message;
  EXPECT_EQ(outcomes[2].code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(outcomes[2].message.find("not in the ledger"), std::string::npos) << outcomes[2].message;
  EXPECT_TRUE(outcomes[3].accepted());
  // Citing it again from the next block works: it is stored now.
  EXPECT_TRUE(Apply("court", Dispute("d2", {later.Hash()})).accepted());

  // A second replica applying the same blocks reaches the same state.
  std::unique_ptr<leveldb::DB> db2 = OpenDb(dir_ + "/replica");
  StateStore state2(db2.get(), "s/");
  ASSERT_TRUE(machine_.ApplyGenesis(TestGenesis(), state2).ok());
  Flush(*db2, state2);
  std::set<crypto::Digest> stored;
  for (const Block& block : blocks_) {
    StoredTxLookup lookup = [&](const crypto::Digest& h) -> Result<bool> { return stored.contains(h); };
    Result<std::vector<TxOutcome>> replayed = machine_.ApplyBlock(block, state2, lookup);
    ASSERT_TRUE(replayed.ok()) << replayed.status().ToString();
    Flush(*db2, state2);
    for (const Transaction& tx : block.transactions) stored.insert(tx.Hash());
  }
  EXPECT_EQ(std::move(state2.Digest()).value(), StateDigest());
}

TEST_F(DisputeRefsTest, WithoutATransactionIndexOnlyEarlierTransactionsOfTheBlockCanBeCited_003_20) {
  // Proves a state machine lent no index rejects references to earlier blocks with a reason saying so, rather
  // than accepting what it cannot check.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  crypto::Digest stored = blocks_.back().transactions[0].Hash();
  Block block;
  block.header.height = ++height_;
  block.header.time_ms = now_ms_;
  block.transactions = {MakeTx("court", Dispute("d1", {stored}))};
  block.header.tx_count = 1;
  std::vector<TxOutcome> outcomes = std::move(machine_.ApplyBlock(block, *state_)).value();
  state_->DiscardPending();
  ASSERT_EQ(outcomes.size(), 1u);
  EXPECT_EQ(outcomes[0].code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_NE(outcomes[0].message.find("no transaction index"), std::string::npos) << outcomes[0].message;
}

// The real index: blocks appended to a BlockStore, the state in the same
// database, the lookup over the store's "t/" keys — what the Ledger does.
class BlockStoreDisputeTest : public SmTest {
 protected:
  void SetUp() override {
    SmTest::SetUp();
    StoreOptions options;
    options.path = dir_ + "/chain";
    options.create_if_missing = true;
    options.genesis_hash = crypto::Sha256(AsBytes("sm-rules-genesis"));
    Result<std::unique_ptr<BlockStore>> opened = BlockStore::Open(options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    chain_ = std::move(opened).value();
    chain_state_ = std::make_unique<StateStore>(chain_->db(), "s/");
    ASSERT_TRUE(machine_.ApplyGenesis(TestGenesis(), *chain_state_).ok());
    leveldb::WriteBatch batch;
    chain_state_->MoveToBatch(&batch);
    ASSERT_TRUE(chain_->db()->Write(leveldb::WriteOptions(), &batch).ok());
  }
  void TearDown() override {
    chain_state_.reset();
    chain_.reset();
    SmTest::TearDown();
  }
  std::vector<TxOutcome> Append(std::vector<Transaction> txs) {
    Block block;
    block.header.height = chain_->height() + 1;
    block.header.previous_hash = chain_->head_hash();
    block.header.time_ms = now_ms_;
    block.header.tx_count = static_cast<uint32_t>(txs.size());
    auto log = std::move(chain_->PreviewTxLog(txs)).value();
    block.header.tx_log_size = log.first;
    block.header.tx_log_root = log.second;
    block.transactions = std::move(txs);
    block.Sign(KeyFor("node-1"));
    Result<std::vector<TxOutcome>> outcomes =
        machine_.ApplyBlock(block, *chain_state_, StoredTransactionsOf(*chain_));
    EXPECT_TRUE(outcomes.ok()) << outcomes.status().ToString();
    leveldb::WriteBatch batch;
    chain_state_->MoveToBatch(&batch);
    Status appended = chain_->AppendBlock(block, &batch);
    EXPECT_TRUE(appended.ok()) << appended.ToString();
    return outcomes.ok() ? *outcomes : std::vector<TxOutcome>{};
  }
  std::unique_ptr<BlockStore> chain_;
  std::unique_ptr<StateStore> chain_state_;
};

TEST_F(BlockStoreDisputeTest, DisputeReferencesAreLookedUpInTheBlockStoresTransactionIndex_003_20) {
  // Proves StoredTransactionsOf answers from the stored chain: a transaction of an appended block can be cited,
  // an unknown hash cannot.
  Transaction asset = MakeTx("tz.prov", AssetBody("a1", "321200"));
  ASSERT_TRUE(Append({asset})[0].accepted());
  now_ms_ += kHourMs;
  crypto::Digest unknown = crypto::Sha256(AsBytes("never ordered"));
  std::vector<TxOutcome> outcomes = Append({MakeTx("court", OpenDisputeBody{{}, "d1", "s", {asset.Hash()}}),
                                            MakeTx("court", OpenDisputeBody{{}, "d2", "s", {unknown}})});
  ASSERT_EQ(outcomes.size(), 2u);
  EXPECT_TRUE(outcomes[0].accepted()) << outcomes[0].message;
  EXPECT_EQ(outcomes[1].code, OutcomeCode::kRuleInvalidArgument);
  EXPECT_TRUE(chain_state_->Contains(Key("di").Id("d1")));
  EXPECT_FALSE(chain_state_->Contains(Key("di").Id("d2")));
}

// ---------- rules of DOMAIN.md that had no test of their own ----------

using DomainRulesTest = SmTest;

TEST_F(DomainRulesTest, EachShareRequestStatesItsPurposeAndScenarioAndServesOneUse_001_13) {
  // Proves a share request without a purpose or business scenario is refused, and a request id serves one use:
  // a second use needs its own request (and gets its own grant).
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  RequestShareBody no_purpose = ShareBody("r1", "a1");
  no_purpose.purpose.clear();
  EXPECT_EQ(Apply("nj.user", no_purpose).code, OutcomeCode::kMalformedBody);
  RequestShareBody no_scenario = ShareBody("r1", "a1");
  no_scenario.business_scenario.clear();
  EXPECT_EQ(Apply("nj.user", no_scenario).code, OutcomeCode::kMalformedBody);
  ASSERT_TRUE(Apply("nj.user", ShareBody("r1", "a1")).accepted());
  RequestShareBody second_use = ShareBody("r1", "a1");
  second_use.business_scenario = "tax-registration";
  EXPECT_EQ(Apply("nj.user", second_use).code, OutcomeCode::kRuleAlreadyExists);
  second_use.request_id = "r2";
  ASSERT_TRUE(Apply("nj.user", second_use).accepted());
  EXPECT_EQ(Grant("r1").terms.business_scenario, "business-licensing");
  EXPECT_EQ(Grant("r2").terms.business_scenario, "tax-registration");
}

TEST_F(DomainRulesTest, OpenedDataInfringingRightsIsWithdrawnOnTheSubjectsDemand_000_36) {
  // Proves a data subject's objection to opened data is recorded, and the provider's withdrawal of the opening
  // takes the asset out of the open catalog and out of the public's sight, with both steps in its history.
  RegisterAssetBody open = AssetBody("o1", "321200");
  open.open_type = OpenType::kUnconditional;
  open.open_reason.clear();
  open.open_legal_basis.clear();
  ASSERT_TRUE(Apply("tz.prov", open).accepted());
  Queries queries(*state_);
  ASSERT_EQ(queries.OpenCatalog({"", 10})->items.size(), 1u);
  RaiseObjectionBody demand{{}, "ob1", "o1", ObjectionKind::kPrivacy, {"address"}, crypto::Sha256(AsBytes("地址泄露")), std::nullopt};
  ASSERT_TRUE(Apply("citizen", demand).accepted());
  EXPECT_TRUE(Asset("o1").disputed());
  ChangeAssetTypesBody withdraw;
  withdraw.asset_id = "o1";
  withdraw.open_type = OpenType::kNotOpen;
  withdraw.open_reason = "withdrawn: exposes personal addresses";
  withdraw.open_legal_basis = "个人信息保护法 第47条";
  ASSERT_TRUE(Apply("tz.prov", withdraw).accepted());
  ASSERT_TRUE(Apply("tz.prov", AnswerObjectionBody{{}, "ob1", ObjectionAnswer::kDeleted, "opening withdrawn",
                                                   std::nullopt})
                  .accepted());
  EXPECT_TRUE(queries.OpenCatalog({"", 10})->items.empty());
  Viewer citizen = queries.ViewerFor("citizen").value();
  EXPECT_EQ(queries.Asset(citizen, "o1").status().code(), ErrorCode::kPermissionDenied);
  Result<Page<HistoryEntry>> history = queries.AssetHistory(queries.ViewerFor("tz.sup").value(), "o1", {"", 50});
  ASSERT_TRUE(history.ok());
  std::string all;
  for (const HistoryEntry& entry : history->items) all += entry.summary + "\n";
  EXPECT_NE(all.find("open unconditional -> not_open"), std::string::npos) << all;
  EXPECT_NE(all.find("objection ob1 answered: deleted"), std::string::npos) << all;
}

TEST_F(DomainRulesTest, UnauthorisedAlterationOrDeletionOfPublicDataIsRefusedAndKeptAsEvidence_001_35) {
  // Proves only the asset's provider alters it and only its provider or supervisor deletes it: anyone else's
  // attempt changes nothing but is kept in the block with its reason, naming the sender.
  ASSERT_TRUE(Apply("tz.prov", AssetBody("a1", "321200")).accepted());
  crypto::Digest before = StateDigest();
  PublishAssetVersionBody alter;
  alter.asset_id = "a1";
  alter.content_hash = crypto::Sha256(AsBytes("tampered"));
  alter.change_note = "x";
  TxOutcome altered = Apply("nj.prov", alter);
  EXPECT_EQ(altered.code, OutcomeCode::kRulePermissionDenied);
  EXPECT_NE(altered.message.find("nj.prov"), std::string::npos) << altered.message;
  TxOutcome destroyed = Apply("nj.sup", DestroyAssetBody{{}, "a1", "x", "", crypto::Sha256(AsBytes("r"))});
  EXPECT_EQ(destroyed.code, OutcomeCode::kRulePermissionDenied);
  EXPECT_EQ(StateDigest(), before);
  EXPECT_EQ(Asset("a1").content_hash, crypto::Sha256(AsBytes("a1")));
  // The attempts are in the blocks, so they can be cited as evidence.
  EXPECT_EQ(blocks_[blocks_.size() - 2].transactions[0].sender, "nj.prov");
  EXPECT_TRUE(Apply("court", OpenDisputeBody{{}, "d1", "tampering attempt",
                                             {blocks_[blocks_.size() - 2].transactions[0].Hash()}})
                  .accepted());
}

}  // namespace
}  // namespace shulian::ledger::testing
