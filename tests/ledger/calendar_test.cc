#include "ledger/calendar.h"

#include <gtest/gtest.h>

#include <string>

namespace shulian::ledger {
namespace {

constexpr char kNationalCalendarPath[] = "network-configs/calendars/cn-2025-2026.json";
// 2026-01-01T00:00:00Z, an independent anchor for the date arithmetic.
constexpr int64_t kJan1st2026UtcMs = 1'767'225'600'000;
constexpr int64_t kHourMs = 3'600'000;

Calendar NationalCalendar() {
  Result<nlohmann::json> json = rules_json::ParseFile(kNationalCalendarPath, 1 << 20);
  EXPECT_TRUE(json.ok()) << json.status().ToString();
  Result<Calendar> calendar = Calendar::FromJson(*json);
  EXPECT_TRUE(calendar.ok()) << calendar.status().ToString();
  return *calendar;
}

Date D(std::string_view text) {
  Result<Date> date = Date::Parse(text);
  EXPECT_TRUE(date.ok()) << text;
  return *date;
}

// A block time at `hour`:00 CST on a civil date.
int64_t CstTime(std::string_view date, int hour) {
  return D(date).ToDays() * kMillisPerDay - kCstOffsetMs + hour * kHourMs;
}

TEST(CalendarTest, CivilDateArithmeticRoundTripsEveryDayFrom1970To2200) {
  // Proves ToDays/FromDays are inverse bijections and agree with day-by-day counting.
  Date expected{1970, 1, 1};
  const int64_t last = Date{2200, 12, 31}.ToDays();
  for (int64_t days = 0; days <= last; ++days) {
    Date d = Date::FromDays(days);
    ASSERT_EQ(d, expected) << days;
    ASSERT_EQ(d.ToDays(), days);
    expected = (d.day < DaysInMonth(d.year, d.month)) ? Date{d.year, d.month, d.day + 1}
               : (d.month < 12)                       ? Date{d.year, d.month + 1, 1}
                                                      : Date{d.year + 1, 1, 1};
  }
  const Date jan1st_2026{2026, 1, 1};
  EXPECT_EQ(jan1st_2026.ToDays() * kMillisPerDay, kJan1st2026UtcMs);
  EXPECT_EQ(Date::FromDays(0).Weekday(), 4);  // 1970-01-01 was a Thursday
  EXPECT_EQ(D("2026-02-17").Weekday(), 2);    // Spring Festival 2026 is a Tuesday
  EXPECT_EQ(D("2000-02-29").ToString(), "2000-02-29");
  EXPECT_FALSE(Date::Parse("2100-02-29").ok());  // not a leap year
}

TEST(CalendarTest, CivilDateIsTakenInChinaStandardTime) {
  // 16:00 UTC is midnight in Beijing: the civil date changes there, not at 00:00 UTC.
  int64_t feb13_utc = kJan1st2026UtcMs + 43 * kMillisPerDay;
  EXPECT_EQ(CivilDateOf(feb13_utc + 16 * kHourMs - 1).ToString(), "2026-02-13");
  EXPECT_EQ(CivilDateOf(feb13_utc + 16 * kHourMs).ToString(), "2026-02-14");
  EXPECT_EQ(EndOfDayMs(D("2026-02-13")), feb13_utc + 16 * kHourMs);
}

TEST(CalendarTest, NationalDataFileMatchesStateCouncilNotices) {
  // The data file lists every rest day of both years inclusive and the 11 make-up days.
  Calendar c = NationalCalendar();
  EXPECT_EQ(c.rest_days.size(), 61u);
  EXPECT_EQ(c.working_days.size(), 11u);
  for (const char* rest : {"2025-01-01", "2025-02-04", "2025-10-08", "2026-01-03", "2026-02-15",
                           "2026-02-23", "2026-06-19", "2026-09-25", "2026-10-07"}) {
    EXPECT_FALSE(c.IsWorkingDay(D(rest))) << rest;
  }
  for (const char* work : {"2025-01-26", "2025-02-08", "2025-09-28", "2026-01-04", "2026-02-14",
                           "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}) {
    EXPECT_TRUE(c.IsWorkingDay(D(work))) << work;
  }
  EXPECT_TRUE(c.IsWorkingDay(D("2026-02-24")));   // first day back
  EXPECT_FALSE(c.IsWorkingDay(D("2026-03-07")));  // an ordinary Saturday
}

TEST(CalendarTest, WorkingDaysSkipSpringFestival2026AndCountItsMakeUpSaturdays) {
  // Friday 2026-02-13 + 5: 02-14 (make-up Sat), 02-24, 25, 26, 27; rest 02-15..02-23 skipped.
  Calendar c = NationalCalendar();
  Result<Deadline> five = c.AddWorkingDays(CstTime("2026-02-13", 10), 5);
  ASSERT_TRUE(five.ok()) << five.status().ToString();
  EXPECT_EQ(five->due_date.ToString(), "2026-02-27");
  EXPECT_EQ(five->due_ms, CstTime("2026-02-28", 0));  // 24:00 CST on the 27th
  EXPECT_TRUE(five->calendar_covered);
  // +10 also counts the make-up Saturday 02-28 as the sixth day.
  Result<Deadline> ten = c.AddWorkingDays(CstTime("2026-02-13", 10), 10);
  ASSERT_TRUE(ten.ok());
  EXPECT_EQ(ten->due_date.ToString(), "2026-03-05");
  // An event during the holiday starts counting on the first working day after it.
  Result<Deadline> during = c.AddWorkingDays(CstTime("2026-02-17", 9), 1);
  ASSERT_TRUE(during.ok());
  EXPECT_EQ(during->due_date.ToString(), "2026-02-24");
}

TEST(CalendarTest, WorkingDaysAcrossNationalDay2026CountMakeUpDays0920And1010) {
  // 09-20 is a make-up Sunday; 09-25..27 and 10-01..07 are rest; 10-10 is a make-up Saturday.
  Calendar c = NationalCalendar();
  Result<Deadline> before = c.AddWorkingDays(CstTime("2026-09-18", 15), 5);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->due_date.ToString(), "2026-09-24");  // 20, 21, 22, 23, 24
  Result<Deadline> across = c.AddWorkingDays(CstTime("2026-09-30", 15), 3);
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across->due_date.ToString(), "2026-10-10");  // 08, 09, 10 (Sat, make-up)
  Result<Deadline> after = c.AddWorkingDays(CstTime("2026-09-24", 15), 2);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(after->due_date.ToString(), "2026-09-29");  // 25..27 rest, 28, 29
}

TEST(CalendarTest, EventTimeWithinTheDayDoesNotMoveTheDeadline) {
  // The day of the event is not counted, whatever its hour (Civil Code art. 201).
  Calendar c = NationalCalendar();
  Result<Deadline> early = c.AddWorkingDays(CstTime("2026-03-02", 0), 3);
  Result<Deadline> late = c.AddWorkingDays(CstTime("2026-03-03", 0) - 1, 3);
  ASSERT_TRUE(early.ok() && late.ok());
  EXPECT_EQ(*early, *late);
  EXPECT_EQ(early->due_date.ToString(), "2026-03-05");
}

TEST(CalendarTest, UncoveredYearFallsBackToWeekendsAndSaysSo) {
  // 2027 is not yet published: only weekends are days off, and the deadline is marked.
  Calendar c = NationalCalendar();
  EXPECT_TRUE(c.Covers(2026));
  EXPECT_FALSE(c.Covers(2027));
  Result<Deadline> in_2027 = c.AddWorkingDays(CstTime("2027-02-05", 10), 5);
  ASSERT_TRUE(in_2027.ok());
  EXPECT_EQ(in_2027->due_date.ToString(), "2027-02-12");
  EXPECT_FALSE(in_2027->calendar_covered);
  // Across the year end: 12-31, then 2027-01-01 (unknown holiday, counted), 01-04, 05, 06.
  Result<Deadline> across = c.AddWorkingDays(CstTime("2026-12-30", 10), 5);
  ASSERT_TRUE(across.ok());
  EXPECT_EQ(across->due_date.ToString(), "2027-01-06");
  EXPECT_FALSE(across->calendar_covered);
  Calendar weekends = Calendar::WeekendsOnly();
  EXPECT_TRUE(weekends.Validate().ok());
  EXPECT_FALSE(weekends.Covers(2026));
  EXPECT_TRUE(weekends.IsWorkingDay(D("2026-02-17")));
}

TEST(CalendarTest, CalendarDaysEndingOnADayOffRunToTheNextWorkingDay_004_34) {
  // Chengdu's "10日内": plain days, extended past a closing holiday (Civil Code art. 203).
  Calendar c = NationalCalendar();
  Result<Deadline> plain = c.AddCalendarDays(CstTime("2026-03-02", 11), 10);
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->due_date.ToString(), "2026-03-12");
  Result<Deadline> weekend = c.AddCalendarDays(CstTime("2026-03-04", 11), 10);
  ASSERT_TRUE(weekend.ok());
  EXPECT_EQ(weekend->due_date.ToString(), "2026-03-16");  // 03-14 is a Saturday
  Result<Deadline> holiday = c.AddCalendarDays(CstTime("2026-09-21", 11), 10);
  ASSERT_TRUE(holiday.ok());
  EXPECT_EQ(holiday->due_date.ToString(), "2026-10-08");  // 10-01 opens National Day
  Result<Deadline> make_up = c.AddCalendarDays(CstTime("2026-02-04", 11), 10);
  ASSERT_TRUE(make_up.ok());
  EXPECT_EQ(make_up->due_date.ToString(), "2026-02-14");  // a make-up Saturday is a working day
}

TEST(CalendarTest, DeadlineArgumentsOutOfBoundsAreRejected) {
  // Day counts are 1..365 and start times real block times; nothing else is computed.
  Calendar c = NationalCalendar();
  EXPECT_EQ(c.AddWorkingDays(CstTime("2026-03-02", 9), 0).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.AddWorkingDays(CstTime("2026-03-02", 9), 366).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.AddCalendarDays(-1, 5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(c.AddCalendarDays(kBlockTimeMsMax + 1, 5).status().code(), ErrorCode::kInvalidArgument);
  EXPECT_TRUE(c.AddWorkingDays(CstTime("2026-03-02", 9), kDeadlineDaysMax).ok());
}

TEST(CalendarTest, MakeUpDayOnAWeekdayIsRejected) {
  // A make-up working day exists only to replace a weekend day.
  Calendar c = NationalCalendar();
  c.working_days.insert(c.working_days.begin(), D("2025-01-02"));  // a Thursday
  Status s = c.Validate();
  EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument);
  EXPECT_NE(s.message().find("calendar.working_days[0]"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("not a Saturday or Sunday"), std::string::npos);
}

TEST(CalendarTest, RestDayMayFallOnAWeekend) {
  // 2026-01-03 is a Saturday listed as a rest day; that is allowed.
  Calendar c = NationalCalendar();
  EXPECT_TRUE(D("2026-01-03").IsWeekend());
  EXPECT_TRUE(c.Validate().ok());
}

TEST(CalendarTest, MalformedDateListsAreRejectedNamingTheEntry) {
  // Unsorted, duplicate, conflicting and out-of-range dates each get a named error.
  struct Case {
    std::string name;
    void (*mutate)(Calendar&);
    std::string expected;
  };
  const Case cases[] = {
      {"unsorted", [](Calendar& c) { std::swap(c.rest_days[0], c.rest_days[1]); }, "rest_days[1]"},
      {"duplicate", [](Calendar& c) { c.rest_days[1] = c.rest_days[0]; }, "sorted and unique"},
      {"both", [](Calendar& c) { c.rest_days.push_back(Date{2026, 10, 10}); }, "is also a rest day"},
      {"outside", [](Calendar& c) { c.rest_days.push_back(Date{2027, 1, 1}); }, "outside the covered years"},
      {"unreal", [](Calendar& c) { c.rest_days.push_back(Date{2026, 11, 31}); }, "not a real date"},
      {"years", [](Calendar& c) { c.last_year = 2024; }, "calendar.last_year"},
      {"id", [](Calendar& c) { c.id = "CN 2026"; }, "calendar.id"},
  };
  for (const Case& tc : cases) {
    Calendar c = NationalCalendar();
    tc.mutate(c);
    Status s = c.Validate();
    EXPECT_EQ(s.code(), ErrorCode::kInvalidArgument) << tc.name;
    EXPECT_NE(s.message().find(tc.expected), std::string::npos) << tc.name << ": " << s.message();
  }
}

TEST(CalendarTest, JsonIsStrictAndNamesThePath) {
  // Unknown keys, unreal dates and wrong types are rejected with the JSON path.
  nlohmann::json good = NationalCalendar().ToJson();
  nlohmann::json extra = good;
  extra["holidays"] = nlohmann::json::array();
  EXPECT_NE(Calendar::FromJson(extra, "calendars[0]").status().message().find("calendars[0].holidays: unknown key"),
            std::string::npos);
  nlohmann::json bad_date = good;
  bad_date["rest_days"][3] = "2026-02-30";
  EXPECT_NE(Calendar::FromJson(bad_date).status().message().find("calendar.rest_days[3]"), std::string::npos);
  nlohmann::json bad_type = good;
  bad_type["first_year"] = "2025";
  EXPECT_NE(Calendar::FromJson(bad_type).status().message().find("calendar.first_year: must be an integer"),
            std::string::npos);
  EXPECT_FALSE(rules_json::Parse(R"({"id": "a", "id": "b"})").ok());
}

TEST(CalendarTest, JsonAndBinaryFormsRoundTrip) {
  // Encode/Decode and ToJson/FromJson reproduce the calendar exactly.
  Calendar c = NationalCalendar();
  Result<Calendar> from_binary = Calendar::Decode(c.Encode());
  ASSERT_TRUE(from_binary.ok()) << from_binary.status().ToString();
  EXPECT_EQ(*from_binary, c);
  Result<Calendar> from_json = Calendar::FromJson(c.ToJson());
  ASSERT_TRUE(from_json.ok());
  EXPECT_EQ(*from_json, c);
  Bytes trailing = c.Encode();
  trailing.push_back(0);
  EXPECT_FALSE(Calendar::Decode(trailing).ok());
  Bytes truncated = c.Encode();
  truncated.pop_back();
  EXPECT_FALSE(Calendar::Decode(truncated).ok());
}

TEST(CalendarTest, DecodeRejectsAMakeUpDayOnAWeekday) {
  // The binary decoder applies the same validation as the JSON reader.
  Calendar c = NationalCalendar();
  Bytes encoded = c.Encode();
  // The last date is 2026-10-10 (u16 year, u8 month, u8 day): make it Friday 10-09.
  ASSERT_EQ(encoded.back(), 10);
  encoded.back() = 9;
  Status s = Calendar::Decode(encoded).status();
  EXPECT_NE(s.message().find("not a Saturday or Sunday"), std::string::npos) << s.message();
}

TEST(CalendarTest, NameMustBePrintableUtf8) {
  // Invalid byte sequences and control characters in a display name are rejected.
  EXPECT_TRUE(IsPrintableUtf8("泰州市数据局"));
  EXPECT_FALSE(IsPrintableUtf8("\xe6\xb3"));        // truncated sequence
  EXPECT_FALSE(IsPrintableUtf8("\xc0\xaf"));        // overlong
  EXPECT_FALSE(IsPrintableUtf8("a\nb"));
  EXPECT_FALSE(IsPrintableUtf8("\xed\xa0\x80"));    // surrogate
}

}  // namespace
}  // namespace shulian::ledger
