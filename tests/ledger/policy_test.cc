#include "ledger/policy.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace shulian::ledger {
namespace {

constexpr int64_t kHourMs = 3'600'000;

Calendar NationalCalendar() {
  Result<nlohmann::json> json = rules_json::ParseFile("network-configs/calendars/cn-2025-2026.json", 1 << 20);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  Result<Calendar> calendar = Calendar::FromJson(*json);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return *calendar;
}

Policy P(std::string_view name) {
  Result<Policy> p = Preset(name);
  EXPECT_TRUE(p.ok()) << name;
  return *p;
}

int64_t CstTime(std::string_view date, int hour) {
  return Date::Parse(date)->ToDays() * kMillisPerDay - kCstOffsetMs + hour * kHourMs;
}

std::string DueDate(const Policy& policy, Step step, std::string_view event_date) {
  Result<Deadline> d = ComputeDeadline(policy, step, CstTime(event_date, 10), NationalCalendar());
  return d.ok() ? d->due_date.ToString() : d.status().ToString();
}

const Period kWorking5{5, DayCount::kWorking};

TEST(PolicyTest, JiangsuConditionalShareReviewIsFiveWorkingDaysThenDeemedApproved_000_21) {
  // 5 working days to review; an unanswered request is deemed approved.
  Policy p = P("jiangsu-2024");
  EXPECT_EQ(p.period(Step::kShareReview), kWorking5);
  EXPECT_EQ(p.ShareReviewOnExpiry(), ExpiryAction::kDeemedApproved);
  // A request on Friday before Spring Festival 2026 is due at 24:00 on 02-27.
  Result<int64_t> due = DueTime(p, Step::kShareReview, CstTime("2026-02-13", 10), NationalCalendar());
  ASSERT_TRUE(due.ok());
  EXPECT_EQ(*due, CstTime("2026-02-28", 0));
}

TEST(PolicyTest, JiangsuUnaggregatedDataIsFiveToAnswerAndTenToDeliver_000_22) {
  // 5 working days to answer a demand; 10 more from the answer to aggregate and share.
  Policy p = P("jiangsu-2024");
  EXPECT_EQ(p.period(Step::kAggregationAnswer), kWorking5);
  EXPECT_EQ(p.period(Step::kAggregationDelivery), (Period{10, DayCount::kWorking}));
  EXPECT_EQ(DueDate(p, Step::kAggregationDelivery, "2026-03-02"), "2026-03-16");
}

TEST(PolicyTest, JiangsuOpenApplicationIsFifteenWorkingDays_000_27) {
  // An open-data application not answered at once is answered within 15 working days.
  Policy p = P("jiangsu-2024");
  EXPECT_EQ(p.period(Step::kOpenAnswer), (Period{15, DayCount::kWorking}));
  EXPECT_EQ(DueDate(p, Step::kOpenAnswer, "2026-09-21"), "2026-10-19");
}

TEST(PolicyTest, JiangsuObjectionSaysPromptlySoNoDeadlineIsSet_000_45) {
  // "及时" gives no number: the step stays unset and DueTime says so instead of inventing one.
  Policy p = P("jiangsu-2024");
  EXPECT_FALSE(p.period(Step::kObjectionAnswer).has_value());
  Result<int64_t> due = DueTime(p, Step::kObjectionAnswer, CstTime("2026-03-02", 9), NationalCalendar());
  EXPECT_EQ(due.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(due.status().message().find("objection_answer"), std::string::npos);
}

TEST(PolicyTest, JiangsuCopyModeNeedsTheAuthoritysConsent_000_20) {
  // Copying instead of request/response needs the same-level authority's consent.
  Policy p = P("jiangsu-2024");
  EXPECT_EQ(p.copy_mode_needs_supervisor_consent, std::optional<bool>(true));
}

TEST(PolicyTest, JiangmenIsFiveWorkingDaysToAnswerAndFiveToDeliver_001_15) {
  // Answer within 5 working days; deliver within 5 working days of the answer; no deemed approval.
  Policy p = P("jiangmen-2023");
  EXPECT_EQ(p.period(Step::kShareReview), kWorking5);
  EXPECT_EQ(p.period(Step::kShareDelivery), kWorking5);
  EXPECT_EQ(p.ShareReviewOnExpiry(), ExpiryAction::kOverdueFlagged);
  EXPECT_FALSE(p.period(Step::kOpenAnswer).has_value());
}

TEST(PolicyTest, TaizhouShareReviewIsThreeWorkingDaysThenTheAuthorityDecides_002_15) {
  // 3 working days; overdue requests and refusals without basis go to the big-data authority.
  Policy p = P("taizhou-2023");
  EXPECT_EQ(p.period(Step::kShareReview), (Period{3, DayCount::kWorking}));
  EXPECT_EQ(p.ShareReviewOnExpiry(), ExpiryAction::kOverdueToSupervisor);
  EXPECT_EQ(DueDate(p, Step::kShareReview, "2026-09-30"), "2026-10-10");  // make-up Saturday
}

TEST(PolicyTest, TaizhouUnaggregatedDataIsFivePlusFive_002_11) {
  // 5 working days from receipt to answer, 5 from the answer to aggregate and share.
  Policy p = P("taizhou-2023");
  EXPECT_EQ(p.period(Step::kAggregationAnswer), kWorking5);
  EXPECT_EQ(p.period(Step::kAggregationDelivery), kWorking5);
}

TEST(PolicyTest, TaizhouQualityRectificationTaskIsSevenWorkingDays_002_12) {
  // A quality rectification task is verified and corrected within 7 working days.
  Policy p = P("taizhou-2023");
  EXPECT_EQ(p.period(Step::kQualityTask), (Period{7, DayCount::kWorking}));
  EXPECT_EQ(DueDate(p, Step::kQualityTask, "2026-02-12"), "2026-02-28");  // both make-up Saturdays count
}

TEST(PolicyTest, JiangxiShareOpenAndObjectionAreTenWorkingDays_003_23_18_19) {
  // Conditional share review (§23), open-data answer (§18) and objections (§19): 10 working days.
  Policy p = P("jiangxi-2022");
  const Period ten{10, DayCount::kWorking};
  EXPECT_EQ(p.period(Step::kShareReview), ten);
  EXPECT_EQ(p.period(Step::kOpenAnswer), ten);
  EXPECT_EQ(p.period(Step::kObjectionAnswer), ten);
  EXPECT_EQ(p.ShareReviewOnExpiry(), ExpiryAction::kOverdueFlagged);
}

TEST(PolicyTest, ChengduShareReviewIsTenWorkingDays_004_26) {
  // The providing department accepts a conditional share application within 10 working days.
  EXPECT_EQ(P("chengdu-draft").period(Step::kShareReview), (Period{10, DayCount::kWorking}));
}

TEST(PolicyTest, ChengduOpenApplicationIsTenCalendarDaysAndReviewFifteen_004_34) {
  // "10日内" and "15日内" are calendar days, extended when they end on a day off.
  Policy p = P("chengdu-draft");
  EXPECT_EQ(p.period(Step::kOpenAnswer), (Period{10, DayCount::kCalendar}));
  EXPECT_EQ(p.period(Step::kOpenReviewAnswer), (Period{15, DayCount::kCalendar}));
  EXPECT_EQ(DueDate(p, Step::kOpenAnswer, "2026-09-21"), "2026-10-08");
  EXPECT_EQ(DueDate(p, Step::kOpenReviewAnswer, "2026-03-02"), "2026-03-17");
}

TEST(PolicyTest, ChengduObjectionIsReportedWithinFiveAndHandledWithinTen_004_27) {
  // The user reports a doubt within 5 working days; the provider handles it within 10.
  Policy p = P("chengdu-draft");
  EXPECT_EQ(p.period(Step::kObjectionReport), kWorking5);
  EXPECT_EQ(p.period(Step::kObjectionAnswer), (Period{10, DayCount::kWorking}));
}

TEST(PolicyTest, ChengduCatalogUpdateIsFifteenWorkingDaysAfterAChangeOfLaw_004_14) {
  // The resource catalog is updated within 15 working days of a change of law.
  EXPECT_EQ(P("chengdu-draft").period(Step::kCatalogUpdate), (Period{15, DayCount::kWorking}));
}

TEST(PolicyTest, ChengduExchangeLogsAreKeptFiveYears_004_23) {
  // Sharing and exchange logs are retained for 5 years.
  EXPECT_EQ(P("chengdu-draft").log_retention_years, std::optional<int32_t>(5));
}

TEST(PolicyTest, TaizhouInheritsJiangsuButOverridesShareReviewToThreeDays) {
  // A lower level overrides only what it sets: the rest comes from the province.
  Policy jiangsu = P("jiangsu-2024");
  jiangsu.calendar_id = "cn-2025-2026";
  Policy taizhou_layer;
  taizhou_layer.period(Step::kShareReview) = Period{3, DayCount::kWorking};
  std::vector<Policy> chain = {jiangsu, taizhou_layer};
  Policy resolved = Resolve(chain);
  EXPECT_EQ(resolved.period(Step::kShareReview), (Period{3, DayCount::kWorking}));
  EXPECT_EQ(resolved.period(Step::kOpenAnswer), (Period{15, DayCount::kWorking}));
  EXPECT_EQ(resolved.period(Step::kAggregationDelivery), (Period{10, DayCount::kWorking}));
  EXPECT_EQ(resolved.ShareReviewOnExpiry(), ExpiryAction::kDeemedApproved);  // not overridden
  EXPECT_EQ(resolved.calendar_id, std::optional<std::string>("cn-2025-2026"));
  // With the whole Taizhou preset as the city's layer, its own rules replace the province's.
  std::vector<Policy> preset_chain = {jiangsu, P("taizhou-2023")};
  Policy with_preset = Resolve(preset_chain);
  EXPECT_EQ(with_preset.ShareReviewOnExpiry(), ExpiryAction::kOverdueToSupervisor);
  EXPECT_EQ(with_preset.period(Step::kAggregationDelivery), kWorking5);
  EXPECT_EQ(with_preset.period(Step::kOpenAnswer), (Period{15, DayCount::kWorking}));
  EXPECT_EQ(with_preset.copy_mode_needs_supervisor_consent, std::optional<bool>(true));
}

TEST(PolicyTest, UnsetSettingsFallBackToDocumentedDefaults) {
  // No layer anywhere: overdue is only flagged, copying needs consent, no deadline exists.
  Policy empty = Resolve({});
  EXPECT_EQ(empty.ShareReviewOnExpiry(), ExpiryAction::kOverdueFlagged);
  EXPECT_TRUE(empty.CopyModeNeedsSupervisorConsent());
  for (Step step : kAllSteps) EXPECT_FALSE(empty.period(step).has_value());
}

TEST(PolicyTest, UnknownPresetIsNotFound) {
  // Only the five regulations have presets.
  EXPECT_EQ(Preset("shanghai-2025").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(PresetNames().size(), 5u);
  for (std::string_view name : PresetNames()) EXPECT_TRUE(Preset(name).ok()) << name;
}

TEST(PolicyTest, PresetDataFilesMatchThePresetsInCode) {
  // network-configs/policies/<name>.json is the preset, value for value.
  for (std::string_view name : PresetNames()) {
    std::string path = "network-configs/policies/" + std::string(name) + ".json";
    Result<nlohmann::json> json = rules_json::ParseFile(path, 1 << 16);
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    Result<Policy> from_file = Policy::FromJson(*json, path);
    ASSERT_TRUE(from_file.ok()) << from_file.status().ToString();
    EXPECT_EQ(*from_file, P(name)) << path;
  }
}

TEST(PolicyTest, EveryPresetRoundTripsThroughJsonAndBinary) {
  // Encode/Decode and ToJson/FromJson reproduce each preset (with a calendar set).
  for (std::string_view name : PresetNames()) {
    Policy p = P(name);
    p.calendar_id = "cn-2025-2026";
    Result<Policy> binary = Policy::Decode(p.Encode());
    ASSERT_TRUE(binary.ok()) << binary.status().ToString();
    EXPECT_EQ(*binary, p);
    Result<Policy> json = Policy::FromJson(p.ToJson());
    ASSERT_TRUE(json.ok()) << json.status().ToString();
    EXPECT_EQ(*json, p);
  }
}

TEST(PolicyTest, JsonRejectsBadSettingsNamingThePath) {
  // Unknown keys, both or neither day counts, days out of 1..365 and unknown actions.
  struct Case {
    const char* json;
    const char* expected;
  };
  const Case cases[] = {
      {R"({"share_reviw": {"working_days": 5}})", "p.share_reviw: unknown key"},
      {R"({"share_review": {"working_days": 5, "calendar_days": 5}})", "p.share_review: must have exactly one"},
      {R"({"share_review": {}})", "p.share_review: must have exactly one"},
      {R"({"share_review": {"working_days": 0}})", "p.share_review.working_days: 0 is out of range"},
      {R"({"open_answer": {"calendar_days": 366}})", "p.open_answer.calendar_days: 366 is out of range"},
      {R"({"share_review": {"working_days": 2.5}})", "p.share_review.working_days: must be an integer"},
      {R"({"share_review_on_expiry": "approved"})", "p.share_review_on_expiry: \"approved\""},
      {R"({"log_retention_years": 0})", "p.log_retention_years"},
      {R"({"calendar": "CN"})", "p.calendar"},
      {R"({"copy_mode_needs_supervisor_consent": "yes"})", "must be true or false"},
  };
  for (const Case& tc : cases) {
    Result<nlohmann::json> json = rules_json::Parse(tc.json);
    ASSERT_TRUE(json.ok()) << tc.json;
    Status s = Policy::FromJson(*json, "p").status();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << tc.json;
    EXPECT_NE(s.message().find(tc.expected), std::string::npos) << tc.json << " -> " << s.message();
  }
}

TEST(PolicyTest, DecodeRejectsNonCanonicalOrOutOfRangeBytes) {
  // One policy has one byte form: steps out of order, day counts over 365 and trailing bytes fail.
  Policy p;
  p.period(Step::kShareReview) = kWorking5;
  p.period(Step::kOpenAnswer) = Period{10, DayCount::kCalendar};
  Bytes good = p.Encode();
  ASSERT_TRUE(Policy::Decode(good).ok());
  // Layout: u8 0 (no calendar) ‖ u8 2 ‖ [01 01 0005] ‖ [05 02 000a] ‖ 00 00 00.
  Bytes swapped = good;
  std::swap_ranges(swapped.begin() + 2, swapped.begin() + 6, swapped.begin() + 6);
  EXPECT_NE(Policy::Decode(swapped).status().message().find("out of order"), std::string::npos);
  Bytes too_long = good;
  too_long[4] = 0x01;
  too_long[5] = 0x6e;  // 366
  EXPECT_FALSE(Policy::Decode(too_long).ok());
  Bytes trailing = good;
  trailing.push_back(0);
  EXPECT_FALSE(Policy::Decode(trailing).ok());
}

}  // namespace
}  // namespace shulian::ledger
