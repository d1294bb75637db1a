#include "ledger/calendar.h"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <set>

namespace shulian::ledger {
namespace {

constexpr int32_t kEpochYear = 1970;
constexpr int32_t kYearMin = 1970;
constexpr int32_t kYearMax = 9999;
constexpr std::array<int32_t, 12> kDaysBeforeMonth = {0,   31,  59,  90,  120, 151,
                                                      181, 212, 243, 273, 304, 334};

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

// Leap days in years 1..year (year >= 0).
int64_t LeapDaysThrough(int64_t year) { return year / 4 - year / 100 + year / 400; }

// Days from 1970-01-01 to January 1st of `year` (year >= 1).
int64_t DaysToYearStart(int64_t year) {
  return 365 * (year - kEpochYear) + LeapDaysThrough(year - 1) - LeapDaysThrough(kEpochYear - 1);
}

bool IsRealDate(const Date& d) {
  return d.month >= 1 && d.month <= 12 && d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

Date NextDay(Date d) {
  if (d.day < DaysInMonth(d.year, d.month)) {
    ++d.day;
  } else if (d.month < 12) {
    ++d.month;
    d.day = 1;
  } else {
    ++d.year;
    d.month = 1;
    d.day = 1;
  }
  return d;
}

Status CheckDeadlineInputs(int64_t start_ms, int32_t n, std::string_view unit) {
  if (start_ms < 0 || start_ms > kBlockTimeMsMax) {
    return Status::InvalidArgument("start time " + std::to_string(start_ms) +
                                   " ms is outside 0.." + std::to_string(kBlockTimeMsMax));
  }
  if (n < 1 || n > kDeadlineDaysMax) {
    return Status::InvalidArgument(std::string(unit) + " must be in 1.." +
                                   std::to_string(kDeadlineDaysMax) + ", got " + std::to_string(n));
  }
  return Status::Ok();
}

// Checks one sorted, unique, in-range date list; `path` names the list.
Status ValidateDateList(const std::vector<Date>& dates, const Calendar& calendar,
                        const std::string& path) {
  for (size_t i = 0; i < dates.size(); ++i) {
    const Date& d = dates[i];
    std::string where = path + "[" + std::to_string(i) + "]";
    if (!IsRealDate(d)) return Status::InvalidArgument(where + ": not a real date");
    if (!calendar.Covers(d.year)) {
      return Status::InvalidArgument(where + ": " + d.ToString() + " is outside the covered years " +
                                     std::to_string(calendar.first_year) + ".." +
                                     std::to_string(calendar.last_year));
    }
    if (i > 0 && !(dates[i - 1] < d)) {
      return Status::InvalidArgument(where + ": " + d.ToString() +
                                     " is not after the previous date (dates must be sorted and unique)");
    }
  }
  return Status::Ok();
}

void PutDate(ByteWriter& writer, const Date& d) {
  writer.PutU16(static_cast<uint16_t>(d.year));
  writer.PutU8(static_cast<uint8_t>(d.month));
  writer.PutU8(static_cast<uint8_t>(d.day));
}

Result<std::vector<Date>> GetDates(ByteReader& reader, size_t dates_max, std::string_view field) {
  ASSIGN_OR_RETURN(uint32_t count, reader.GetU32());
  if (count > dates_max) {
    return Status::InvalidArgument(std::string(field) + ": " + std::to_string(count) +
                                   " dates exceed the limit " + std::to_string(dates_max));
  }
  std::vector<Date> dates;
  dates.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(uint16_t year, reader.GetU16());
    ASSIGN_OR_RETURN(uint8_t month, reader.GetU8());
    ASSIGN_OR_RETURN(uint8_t day, reader.GetU8());
    dates.push_back(Date{year, month, day});
  }
  return dates;
}

Result<std::vector<Date>> DatesFromJson(rules_json::ObjectReader& object, const std::string& key,
                                        size_t dates_max) {
  std::string path;
  ASSIGN_OR_RETURN(const nlohmann::json* array, object.Array(key, &path, dates_max));
  std::vector<Date> dates;
  for (size_t i = 0; i < array->size(); ++i) {
    std::string item_path = path + "[" + std::to_string(i) + "]";
    ASSIGN_OR_RETURN(std::string text, rules_json::StringAt((*array)[i], item_path, 10));
    Result<Date> date = Date::Parse(text);
    if (!date.ok()) return Status::InvalidArgument(item_path + ": " + date.status().message());
    dates.push_back(*date);
  }
  return dates;
}

nlohmann::json DatesToJson(const std::vector<Date>& dates) {
  nlohmann::json array = nlohmann::json::array();
  for (const Date& d : dates) array.push_back(d.ToString());
  return array;
}

}  // namespace

bool IsLeapYear(int32_t year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int32_t DaysInMonth(int32_t year, int32_t month) {
  static constexpr std::array<int32_t, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  assert(month >= 1 && month <= 12);
  return (month == 2 && IsLeapYear(year)) ? 29 : kDays[static_cast<size_t>(month - 1)];
}

int64_t Date::ToDays() const {
  assert(year >= 1 && month >= 1 && month <= 12);
  int64_t days = DaysToYearStart(year) + kDaysBeforeMonth[static_cast<size_t>(month - 1)] + day - 1;
  if (month > 2 && IsLeapYear(year)) ++days;
  return days;
}

Date Date::FromDays(int64_t days) {
  // Start from an estimate and correct it: the estimate is off by at most a year.
  int64_t year = kEpochYear + FloorDiv(days, 365);
  while (DaysToYearStart(year) > days) --year;
  while (DaysToYearStart(year + 1) <= days) ++year;
  Date date{static_cast<int32_t>(year), 1, 1};
  int64_t day_of_year = days - DaysToYearStart(year);
  while (date.month < 12) {
    int32_t length = DaysInMonth(date.year, date.month);
    if (day_of_year < length) break;
    day_of_year -= length;
    ++date.month;
  }
  date.day = static_cast<int32_t>(day_of_year) + 1;
  return date;
}

std::string Date::ToString() const {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", year, month, day);
  return buffer;
}

Result<Date> Date::Parse(std::string_view text) {
  auto digits = [&](size_t from, size_t count, int32_t* out) {
    int32_t value = 0;
    for (size_t i = from; i < from + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      value = value * 10 + (text[i] - '0');
    }
    *out = value;
    return true;
  };
  Date d;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' || !digits(0, 4, &d.year) ||
      !digits(5, 2, &d.month) || !digits(8, 2, &d.day)) {
    return Status::InvalidArgument("\"" + std::string(text) + "\" is not a date of the form YYYY-MM-DD");
  }
  if (d.year < kYearMin || d.year > kYearMax) {
    return Status::InvalidArgument("\"" + std::string(text) + "\": year must be in 1970..9999");
  }
  if (!IsRealDate(d)) return Status::InvalidArgument("\"" + std::string(text) + "\" is not a real date");
  return d;
}

int Date::Weekday() const {
  int64_t w = (ToDays() % 7 + 7 + 4) % 7;  // 1970-01-01 was a Thursday
  return static_cast<int>(w);
}

bool Date::IsWeekend() const {
  int w = Weekday();
  return w == 0 || w == 6;
}

Date CivilDateOf(int64_t time_ms) {
  assert(time_ms >= 0 && time_ms <= kBlockTimeMsMax);
  return Date::FromDays((time_ms + kCstOffsetMs) / kMillisPerDay);
}

int64_t EndOfDayMs(Date date) { return (date.ToDays() + 1) * kMillisPerDay - kCstOffsetMs; }

Calendar Calendar::WeekendsOnly() {
  Calendar calendar;
  calendar.id = "weekends-only";
  calendar.name = "Weekends only (no holiday schedule)";
  return calendar;
}

bool Calendar::IsRestDay(Date date) const {
  return std::binary_search(rest_days.begin(), rest_days.end(), date);
}

bool Calendar::IsMakeUpDay(Date date) const {
  return std::binary_search(working_days.begin(), working_days.end(), date);
}

bool Calendar::IsWorkingDay(Date date) const {
  if (IsRestDay(date)) return false;
  if (IsMakeUpDay(date)) return true;
  return !date.IsWeekend();
}

Result<Deadline> Calendar::AddWorkingDays(int64_t start_ms, int32_t n) const {
  RETURN_IF_ERROR(CheckDeadlineInputs(start_ms, n, "working days"));
  // Each week holds at least 5 working days unless a rest day takes one, so this
  // many days always suffice; the bound is a loop limit, not a guess.
  const size_t scan_days_max = 2 * static_cast<size_t>(n) + 7 + rest_days.size();
  Deadline deadline;
  Date day = CivilDateOf(start_ms);
  int32_t counted = 0;
  for (size_t scanned = 0; counted < n; ++scanned) {
    assert(scanned < scan_days_max);
    (void)scan_days_max;
    day = NextDay(day);
    if (!Covers(day.year)) deadline.calendar_covered = false;
    if (IsWorkingDay(day)) ++counted;
  }
  deadline.due_date = day;
  deadline.due_ms = EndOfDayMs(day);
  return deadline;
}

Result<Deadline> Calendar::AddCalendarDays(int64_t start_ms, int32_t n) const {
  RETURN_IF_ERROR(CheckDeadlineInputs(start_ms, n, "calendar days"));
  Deadline deadline;
  Date start = CivilDateOf(start_ms);
  Date day = Date::FromDays(start.ToDays() + n);
  for (int32_t year = start.year; year <= day.year; ++year) {
    if (!Covers(year)) deadline.calendar_covered = false;
  }
  // A period ending on a day off runs to the end of the next working day.
  const size_t scan_days_max = rest_days.size() + 3;
  for (size_t scanned = 0; !IsWorkingDay(day); ++scanned) {
    assert(scanned < scan_days_max);
    (void)scan_days_max;
    day = NextDay(day);
    if (!Covers(day.year)) deadline.calendar_covered = false;
  }
  deadline.due_date = day;
  deadline.due_ms = EndOfDayMs(day);
  return deadline;
}

Status Calendar::Validate(const CalendarLimits& limits, const std::string& path) const {
  RETURN_IF_ERROR(ValidateRulesId(path + ".id", id, limits.id_bytes_max));
  RETURN_IF_ERROR(ValidateName(path + ".name", name, limits.name_bytes_max));
  bool covers_none = first_year == 0 && last_year == 0;
  if (!covers_none) {
    if (first_year < kYearMin || first_year > kYearMax) {
      return Status::InvalidArgument(path + ".first_year: must be in 1970..9999 (or 0 with last_year 0)");
    }
    if (last_year < first_year || last_year > kYearMax) {
      return Status::InvalidArgument(path + ".last_year: must be in first_year..9999");
    }
    if (last_year - first_year + 1 > limits.years_max) {
      return Status::InvalidArgument(path + ".last_year: a calendar covers at most " +
                                     std::to_string(limits.years_max) + " years");
    }
  }
  if (rest_days.size() + working_days.size() > limits.dates_max) {
    return Status::InvalidArgument(path + ": more than " + std::to_string(limits.dates_max) + " dates");
  }
  RETURN_IF_ERROR(ValidateDateList(rest_days, *this, path + ".rest_days"));
  RETURN_IF_ERROR(ValidateDateList(working_days, *this, path + ".working_days"));
  for (size_t i = 0; i < working_days.size(); ++i) {
    std::string where = path + ".working_days[" + std::to_string(i) + "]";
    if (!working_days[i].IsWeekend()) {
      return Status::InvalidArgument(where + ": make-up working day " + working_days[i].ToString() +
                                     " is not a Saturday or Sunday");
    }
    if (IsRestDay(working_days[i])) {
      return Status::InvalidArgument(where + ": " + working_days[i].ToString() +
                                     " is also a rest day");
    }
  }
  return Status::Ok();
}

void Calendar::EncodeTo(ByteWriter& writer) const {
  writer.PutString(id);
  writer.PutString(name);
  writer.PutU16(static_cast<uint16_t>(first_year));
  writer.PutU16(static_cast<uint16_t>(last_year));
  writer.PutU32(static_cast<uint32_t>(rest_days.size()));
  for (const Date& d : rest_days) PutDate(writer, d);
  writer.PutU32(static_cast<uint32_t>(working_days.size()));
  for (const Date& d : working_days) PutDate(writer, d);
}

Bytes Calendar::Encode() const {
  ByteWriter writer;
  EncodeTo(writer);
  return writer.Take();
}

Result<Calendar> Calendar::DecodeFrom(ByteReader& reader, const CalendarLimits& limits) {
  Calendar calendar;
  ASSIGN_OR_RETURN(calendar.id, reader.GetString(limits.id_bytes_max));
  ASSIGN_OR_RETURN(calendar.name, reader.GetString(limits.name_bytes_max));
  ASSIGN_OR_RETURN(uint16_t first_year, reader.GetU16());
  ASSIGN_OR_RETURN(uint16_t last_year, reader.GetU16());
  calendar.first_year = first_year;
  calendar.last_year = last_year;
  ASSIGN_OR_RETURN(calendar.rest_days, GetDates(reader, limits.dates_max, "calendar.rest_days"));
  ASSIGN_OR_RETURN(calendar.working_days, GetDates(reader, limits.dates_max, "calendar.working_days"));
  RETURN_IF_ERROR(calendar.Validate(limits));
  return calendar;
}

Result<Calendar> Calendar::Decode(ByteView encoded, const CalendarLimits& limits) {
  ByteReader reader(encoded);
  ASSIGN_OR_RETURN(Calendar calendar, DecodeFrom(reader, limits));
  RETURN_IF_ERROR(reader.Finish());
  return calendar;
}

Result<Calendar> Calendar::FromJson(const nlohmann::json& json, const std::string& path,
                                    const CalendarLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader object, rules_json::ObjectReader::Open(json, path));
  Calendar calendar;
  ASSIGN_OR_RETURN(calendar.id, object.String("id", limits.id_bytes_max));
  ASSIGN_OR_RETURN(calendar.name, object.String("name", limits.name_bytes_max));
  ASSIGN_OR_RETURN(int64_t first_year, object.Int("first_year", 0, kYearMax));
  ASSIGN_OR_RETURN(int64_t last_year, object.Int("last_year", 0, kYearMax));
  calendar.first_year = static_cast<int32_t>(first_year);
  calendar.last_year = static_cast<int32_t>(last_year);
  ASSIGN_OR_RETURN(calendar.rest_days, DatesFromJson(object, "rest_days", limits.dates_max));
  ASSIGN_OR_RETURN(calendar.working_days, DatesFromJson(object, "working_days", limits.dates_max));
  RETURN_IF_ERROR(object.Finish());
  RETURN_IF_ERROR(calendar.Validate(limits, path));
  return calendar;
}

nlohmann::json Calendar::ToJson() const {
  return nlohmann::json{{"id", id},
                        {"name", name},
                        {"first_year", first_year},
                        {"last_year", last_year},
                        {"rest_days", DatesToJson(rest_days)},
                        {"working_days", DatesToJson(working_days)}};
}

// ---------------------------------------------------------------------------
// Strict JSON helpers.

namespace rules_json {

Result<nlohmann::json> Parse(std::string_view text) {
  // Track the keys of every open object so a repeated key is an error rather
  // than a silent "last one wins".
  std::vector<std::set<std::string>> open_objects;
  std::string duplicate;
  auto callback = [&](int /*depth*/, nlohmann::json::parse_event_t event, nlohmann::json& parsed) {
    using Event = nlohmann::json::parse_event_t;
    if (event == Event::object_start) {
      open_objects.emplace_back();
    } else if (event == Event::object_end) {
      if (!open_objects.empty()) open_objects.pop_back();
    } else if (event == Event::key && !open_objects.empty()) {
      const std::string& key = parsed.get_ref<const std::string&>();
      if (!open_objects.back().insert(key).second && duplicate.empty()) duplicate = key;
    }
    return true;
  };
  nlohmann::json json;
  try {
    json = nlohmann::json::parse(text.begin(), text.end(), callback);
  } catch (const nlohmann::json::exception& e) {
    return Status::InvalidArgument(std::string("JSON syntax error: ") + e.what());
  }
  if (!duplicate.empty()) {
    return Status::InvalidArgument("JSON object has the key \"" + duplicate + "\" more than once");
  }
  return json;
}

Result<nlohmann::json> ParseFile(const std::string& path, size_t bytes_max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IoError("cannot open " + path);
  std::string text;
  char buffer[4096];
  while (in.read(buffer, sizeof buffer) || in.gcount() > 0) {
    text.append(buffer, static_cast<size_t>(in.gcount()));
    if (text.size() > bytes_max) {
      return Status::InvalidArgument(path + ": larger than " + std::to_string(bytes_max) + " bytes");
    }
  }
  if (in.bad()) return Status::IoError("cannot read " + path);
  Result<nlohmann::json> json = Parse(text);
  if (!json.ok()) return json.status().WithContext(path);
  return json;
}

Result<ObjectReader> ObjectReader::Open(const nlohmann::json& json, std::string path) {
  if (!json.is_object()) {
    return Status::InvalidArgument((path.empty() ? std::string("document") : path) + ": must be a JSON object");
  }
  return ObjectReader(&json, std::move(path));
}

bool ObjectReader::Has(const std::string& key) const { return json_->contains(key); }

Result<const nlohmann::json*> ObjectReader::Get(const std::string& key) {
  auto it = json_->find(key);
  if (it == json_->end()) return Status::InvalidArgument(PathOf(key) + ": missing");
  auto pos = std::lower_bound(read_keys_.begin(), read_keys_.end(), key);
  if (pos == read_keys_.end() || *pos != key) read_keys_.insert(pos, key);
  return &*it;
}

Result<std::string> ObjectReader::String(const std::string& key, size_t bytes_max) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, Get(key));
  return StringAt(*value, PathOf(key), bytes_max);
}

Result<int64_t> ObjectReader::Int(const std::string& key, int64_t min, int64_t max) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, Get(key));
  std::string range = " (allowed " + std::to_string(min) + ".." + std::to_string(max) + ")";
  if (value->is_number_unsigned()) {
    uint64_t v = value->get<uint64_t>();
    if (v > static_cast<uint64_t>(max) || static_cast<int64_t>(v) < min) {
      return Status::InvalidArgument(PathOf(key) + ": " + std::to_string(v) + " is out of range" + range);
    }
    return static_cast<int64_t>(v);
  }
  if (value->is_number_integer()) {
    int64_t v = value->get<int64_t>();
    if (v < min || v > max) {
      return Status::InvalidArgument(PathOf(key) + ": " + std::to_string(v) + " is out of range" + range);
    }
    return v;
  }
  return Status::InvalidArgument(PathOf(key) + ": must be an integer");
}

Result<uint64_t> ObjectReader::Unsigned(const std::string& key, uint64_t min, uint64_t max) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, Get(key));
  // Parsed text gives non-negative numbers the unsigned type, but values built in
  // code may carry them as signed: accept either when not negative.
  bool non_negative = value->is_number_unsigned() ||
                      (value->is_number_integer() && value->get<int64_t>() >= 0);
  if (!non_negative) return Status::InvalidArgument(PathOf(key) + ": must be a non-negative integer");
  uint64_t v = value->get<uint64_t>();
  if (v < min || v > max) {
    return Status::InvalidArgument(PathOf(key) + ": " + std::to_string(v) + " is out of range (allowed " +
                                   std::to_string(min) + ".." + std::to_string(max) + ")");
  }
  return v;
}

Result<bool> ObjectReader::Bool(const std::string& key) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, Get(key));
  if (!value->is_boolean()) return Status::InvalidArgument(PathOf(key) + ": must be true or false");
  return value->get<bool>();
}

Result<const nlohmann::json*> ObjectReader::Member(const std::string& key, std::string* path_out) {
  *path_out = PathOf(key);
  return Get(key);
}

Result<const nlohmann::json*> ObjectReader::Array(const std::string& key, std::string* path_out,
                                                  size_t items_max) {
  ASSIGN_OR_RETURN(const nlohmann::json* value, Member(key, path_out));
  if (!value->is_array()) return Status::InvalidArgument(*path_out + ": must be an array");
  if (value->size() > items_max) {
    return Status::InvalidArgument(*path_out + ": more than " + std::to_string(items_max) + " items");
  }
  return value;
}

Status ObjectReader::Finish() const {
  for (const auto& item : json_->items()) {
    if (!std::binary_search(read_keys_.begin(), read_keys_.end(), item.key())) {
      return Status::InvalidArgument(PathOf(item.key()) + ": unknown key");
    }
  }
  return Status::Ok();
}

Result<std::string> StringAt(const nlohmann::json& json, const std::string& path, size_t bytes_max) {
  if (!json.is_string()) return Status::InvalidArgument(path + ": must be a string");
  const std::string& s = json.get_ref<const std::string&>();
  if (s.size() > bytes_max) {
    return Status::InvalidArgument(path + ": longer than " + std::to_string(bytes_max) + " bytes");
  }
  return s;
}

}  // namespace rules_json

bool IsPrintableUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<uint8_t>(text[i]);
    if (byte < 0x80) {
      if (byte < 0x20 || byte == 0x7f) return false;
      ++i;
      continue;
    }
    size_t length = 0;
    uint32_t code = 0;
    if ((byte & 0xe0) == 0xc0) {
      length = 2;
      code = byte & 0x1fu;
    } else if ((byte & 0xf0) == 0xe0) {
      length = 3;
      code = byte & 0x0fu;
    } else if ((byte & 0xf8) == 0xf0) {
      length = 4;
      code = byte & 0x07u;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (size_t k = 1; k < length; ++k) {
      auto next = static_cast<uint8_t>(text[i + k]);
      if ((next & 0xc0) != 0x80) return false;
      code = (code << 6) | (next & 0x3fu);
    }
    static constexpr std::array<uint32_t, 5> kSmallest = {0, 0, 0x80, 0x800, 0x10000};
    if (code < kSmallest[length] || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return false;
    if (code >= 0x80 && code < 0xa0) return false;  // C1 controls
    i += length;
  }
  return true;
}

Status ValidateRulesId(std::string_view field, std::string_view id, size_t bytes_max) {
  if (id.empty() || id.size() > bytes_max) {
    return Status::InvalidArgument(std::string(field) + ": must be 1.." + std::to_string(bytes_max) +
                                   " bytes, got " + std::to_string(id.size()));
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) {
      return Status::InvalidArgument(std::string(field) + ": \"" + std::string(id) +
                                     "\" may contain only a-z, 0-9, '.', '_' and '-'");
    }
  }
  return Status::Ok();
}

Status ValidateName(std::string_view field, std::string_view name, size_t bytes_max) {
  if (name.empty() || name.size() > bytes_max) {
    return Status::InvalidArgument(std::string(field) + ": must be 1.." + std::to_string(bytes_max) +
                                   " bytes, got " + std::to_string(name.size()));
  }
  if (!IsPrintableUtf8(name)) {
    return Status::InvalidArgument(std::string(field) + ": must be printable UTF-8");
  }
  return Status::Ok();
}

}  // namespace shulian::ledger
