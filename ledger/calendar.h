// Working-day calendars and the deadline arithmetic every legal deadline uses.
//
// A Calendar is data, not code: it names the years it covers and, for those
// years, the rest days (public holidays and shifted days off, which may fall on
// any day of the week) and the make-up working days (调休, which always fall on a
// Saturday or Sunday). Outside its covered years a calendar knows only weekends,
// and says so (Covers), so the API can warn that a deadline was computed without
// the holiday schedule (the State Council publishes each year's schedule late in
// the year before).
//
// Time: every instant is a block time in Unix milliseconds (int64). Civil dates are
// taken in China Standard Time (UTC+8, no daylight saving) with integer arithmetic
// only; nothing here reads a clock, uses floating point or iterates an unordered
// container, so the results are identical on every node.
//
// Deadline rule (see docs/deadlines.md for the legal reasoning):
//   - the day of the event is not counted (Civil Code art. 201);
//   - "n working days": the deadline is the end (24:00 CST) of the n-th working day
//     after the event's civil date;
//   - "n days" (calendar days): the deadline is the end of the n-th day after the
//     event's civil date, moved to the end of the next working day when that day is
//     not a working day (Civil Code art. 203).
//   An act is on time iff its block time is strictly less than the deadline instant.
//
// Also here: the strict JSON helpers shared by calendar, policy and genesis parsing
// (unknown keys rejected, every error naming its JSON path).
//
// Thread-safety: values; const methods are safe to call concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"

namespace shulian::ledger {

inline constexpr int64_t kMillisPerDay = 86'400'000;
inline constexpr int64_t kCstOffsetMs = 8 * 3'600'000;  // UTC+8, no DST
// Block times outside [0, kBlockTimeMsMax] are rejected (up to 9999-12-31 CST).
inline constexpr int64_t kBlockTimeMsMax = 253'402'271'999'999;
// Every deadline counts at most this many days (working or calendar).
inline constexpr int32_t kDeadlineDaysMax = 365;

// A civil date in the proleptic Gregorian calendar.
struct Date {
  int32_t year = 1970;
  int32_t month = 1;  // 1..12
  int32_t day = 1;    // 1..days in month

  // Days since 1970-01-01 (negative before it).
  int64_t ToDays() const;
  static Date FromDays(int64_t days);
  // "YYYY-MM-DD".
  std::string ToString() const;
  // Accepts exactly "YYYY-MM-DD" naming a real date in years 1970..9999.
  static Result<Date> Parse(std::string_view text);
  // 0 = Sunday .. 6 = Saturday.
  int Weekday() const;
  bool IsWeekend() const;

  friend auto operator<=>(const Date&, const Date&) = default;
};

bool IsLeapYear(int32_t year);
int32_t DaysInMonth(int32_t year, int32_t month);

// The CST civil date of a block time. REQUIRES: 0 <= time_ms <= kBlockTimeMsMax.
Date CivilDateOf(int64_t time_ms);
// The instant a civil day ends in CST (24:00, i.e. the next day's 00:00 CST).
int64_t EndOfDayMs(Date date);

struct CalendarLimits {
  size_t id_bytes_max = 64;
  size_t name_bytes_max = 256;
  int32_t years_max = 50;           // last_year - first_year + 1
  size_t dates_max = 2000;          // rest days plus make-up working days
};

// A computed deadline and how much to trust it.
struct Deadline {
  int64_t due_ms = 0;      // the deadline instant: on time iff block time < due_ms
  Date due_date;           // the last civil day of the period (CST)
  bool calendar_covered = true;  // false if any day counted lies in an uncovered year
  friend bool operator==(const Deadline&, const Deadline&) = default;
};

class Calendar {
 public:
  std::string id;    // [a-z0-9._-], e.g. "cn-2025-2026"
  std::string name;  // free text (UTF-8)
  int32_t first_year = 0;
  int32_t last_year = 0;
  std::vector<Date> rest_days;     // sorted, unique, within the covered years
  std::vector<Date> working_days;  // make-up working days: sorted, unique, weekends only

  // A calendar that covers no year: weekends only. Used where no calendar is set.
  static Calendar WeekendsOnly();

  // Checks every rule above; the error names the field as "<path>.field[index]".
  // first_year = last_year = 0 is a calendar that covers no year (weekends only).
  Status Validate(const CalendarLimits& limits = {}, const std::string& path = "calendar") const;

  bool Covers(int32_t year) const { return year >= first_year && year <= last_year && first_year != 0; }
  // A rest day is never a working day; a make-up day always is; otherwise weekdays are.
  bool IsWorkingDay(Date date) const;

  // The deadline n working days after the civil date of start_ms (rule above).
  // n must be in 1..kDeadlineDaysMax and start_ms a valid block time.
  Result<Deadline> AddWorkingDays(int64_t start_ms, int32_t n) const;
  // The deadline n calendar days after the civil date of start_ms, extended past
  // non-working days (rule above). Same bounds as AddWorkingDays.
  Result<Deadline> AddCalendarDays(int64_t start_ms, int32_t n) const;

  // Canonical binary form:
  //   str id ‖ str name ‖ u16 first_year ‖ u16 last_year
  //   ‖ u32 count ‖ count × date ‖ u32 count ‖ count × date      (date = u16 y ‖ u8 m ‖ u8 d)
  void EncodeTo(ByteWriter& writer) const;
  Bytes Encode() const;
  static Result<Calendar> DecodeFrom(ByteReader& reader, const CalendarLimits& limits = {});
  static Result<Calendar> Decode(ByteView encoded, const CalendarLimits& limits = {});

  // JSON form:
  //   {"id": "cn-2025-2026", "name": "...", "first_year": 2025, "last_year": 2026,
  //    "rest_days": ["2025-01-01", ...], "working_days": ["2025-01-26", ...]}
  // Unknown keys are rejected; `path` prefixes every error ("calendars[0]").
  static Result<Calendar> FromJson(const nlohmann::json& json, const std::string& path = "calendar",
                                   const CalendarLimits& limits = {});
  nlohmann::json ToJson() const;

  friend bool operator==(const Calendar&, const Calendar&) = default;

 private:
  bool IsRestDay(Date date) const;
  bool IsMakeUpDay(Date date) const;
};

// Strict JSON reading shared by calendar, policy and genesis. Exceptions from the
// JSON library never escape: every failure is a Status naming the JSON path.
namespace rules_json {

// Parses text; rejects syntax errors and duplicate keys within an object.
Result<nlohmann::json> Parse(std::string_view text);
// Reads a whole file (at most bytes_max) and parses it.
Result<nlohmann::json> ParseFile(const std::string& path, size_t bytes_max);

// Reads the members of one JSON object and remembers which were read, so Finish()
// can reject any key the caller did not expect.
class ObjectReader {
 public:
  // Fails if `json` is not an object.
  static Result<ObjectReader> Open(const nlohmann::json& json, std::string path);

  bool Has(const std::string& key) const;
  Result<std::string> String(const std::string& key, size_t bytes_max);
  Result<int64_t> Int(const std::string& key, int64_t min, int64_t max);
  Result<uint64_t> Unsigned(const std::string& key, uint64_t min, uint64_t max);
  Result<bool> Bool(const std::string& key);
  // The member itself, for nested objects and arrays; `*path_out` gets its path.
  Result<const nlohmann::json*> Member(const std::string& key, std::string* path_out);
  Result<const nlohmann::json*> Array(const std::string& key, std::string* path_out, size_t items_max);
  // Fails naming the first key that was never read.
  Status Finish() const;

  const std::string& path() const { return path_; }
  // "<path>.<key>", or just "<key>" at the top level (empty path).
  std::string PathOf(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

 private:
  ObjectReader(const nlohmann::json* json, std::string path) : json_(json), path_(std::move(path)) {}
  Result<const nlohmann::json*> Get(const std::string& key);

  const nlohmann::json* json_;
  std::string path_;
  std::vector<std::string> read_keys_;  // sorted
};

// Reads a string element of an array.
Result<std::string> StringAt(const nlohmann::json& json, const std::string& path, size_t bytes_max);

}  // namespace rules_json

// True iff `text` is well-formed UTF-8 without NUL or other C0 control characters.
bool IsPrintableUtf8(std::string_view text);
// Checks an id: 1..bytes_max bytes of [a-z0-9._-]. `field` names it in the error.
Status ValidateRulesId(std::string_view field, std::string_view id, size_t bytes_max);
// Checks a display name: 1..bytes_max bytes of printable UTF-8.
Status ValidateName(std::string_view field, std::string_view name, size_t bytes_max);

}  // namespace shulian::ledger
