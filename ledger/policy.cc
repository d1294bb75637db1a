#include "ledger/policy.h"

#include <cassert>

namespace shulian::ledger {
namespace {

constexpr std::array<std::string_view, kAllSteps.size()> kStepNames = {
    "share_review",   "share_delivery",   "aggregation_answer", "aggregation_delivery",
    "open_answer",    "open_review_answer", "objection_report", "objection_answer",
    "quality_task",   "catalog_update"};

constexpr std::array<std::string_view, 5> kPresetNames = {
    "jiangsu-2024", "jiangmen-2023", "taizhou-2023", "jiangxi-2022", "chengdu-draft"};

size_t StepIndex(Step step) {
  auto index = static_cast<size_t>(step);
  assert(index >= 1 && index <= kAllSteps.size());
  return index - 1;
}

Period WorkingDays(int32_t days) { return Period{days, DayCount::kWorking}; }
Period CalendarDays(int32_t days) { return Period{days, DayCount::kCalendar}; }

// 江苏省公共数据管理办法（草案）.
Policy JiangsuPreset() {
  Policy p;
  p.period(Step::kShareReview) = WorkingDays(5);                  // 000 §21
  p.share_review_on_expiry = ExpiryAction::kDeemedApproved;       // 000 §21 逾期未审的，视为同意共享
  p.period(Step::kAggregationAnswer) = WorkingDays(5);            // 000 §22
  p.period(Step::kAggregationDelivery) = WorkingDays(10);         // 000 §22 自答复之日起
  p.period(Step::kOpenAnswer) = WorkingDays(15);                  // 000 §27
  // Objections: "及时" only (000 §45): no number, left unset.
  p.copy_mode_needs_supervisor_consent = true;                    // 000 §20
  return p;
}

// 江门市公共数据共享和开放利用管理办法.
Policy JiangmenPreset() {
  Policy p;
  p.period(Step::kShareReview) = WorkingDays(5);                  // 001 §15
  p.period(Step::kShareDelivery) = WorkingDays(5);                // 001 §15 自答复之日起
  p.share_review_on_expiry = ExpiryAction::kOverdueFlagged;       // 001 §15 names no consequence
  return p;
}

// 泰州市公共数据管理办法.
Policy TaizhouPreset() {
  Policy p;
  p.period(Step::kShareReview) = WorkingDays(3);                  // 002 §15
  p.share_review_on_expiry = ExpiryAction::kOverdueToSupervisor;  // 002 §15 由大数据主管部门决定
  p.period(Step::kAggregationAnswer) = WorkingDays(5);            // 002 §11
  p.period(Step::kAggregationDelivery) = WorkingDays(5);          // 002 §11 自答复之日起
  p.period(Step::kQualityTask) = WorkingDays(7);                  // 002 §12
  return p;
}

// 江西省公共数据管理办法.
Policy JiangxiPreset() {
  Policy p;
  p.period(Step::kShareReview) = WorkingDays(10);                 // 003 §23
  p.share_review_on_expiry = ExpiryAction::kOverdueFlagged;       // 003 §23 names no consequence
  p.period(Step::kOpenAnswer) = WorkingDays(10);                  // 003 §18
  p.period(Step::kObjectionAnswer) = WorkingDays(10);             // 003 §19
  return p;
}

// 成都市公共数据管理应用暂行规定（征求意见稿）.
Policy ChengduPreset() {
  Policy p;
  p.period(Step::kShareReview) = WorkingDays(10);                 // 004 §26
  p.share_review_on_expiry = ExpiryAction::kOverdueFlagged;       // 004 §26 names no consequence
  p.period(Step::kOpenAnswer) = CalendarDays(10);                 // 004 §34 "10日内"
  p.period(Step::kOpenReviewAnswer) = CalendarDays(15);           // 004 §34 "15日内"
  p.period(Step::kObjectionReport) = WorkingDays(5);              // 004 §27
  p.period(Step::kObjectionAnswer) = WorkingDays(10);             // 004 §27
  p.period(Step::kCatalogUpdate) = WorkingDays(15);               // 004 §14
  p.log_retention_years = 5;                                      // 004 §23
  return p;
}

Result<Period> PeriodFromJson(const nlohmann::json& json, const std::string& path) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader object, rules_json::ObjectReader::Open(json, path));
  bool working = object.Has("working_days");
  bool calendar = object.Has("calendar_days");
  if (working == calendar) {
    return Status::InvalidArgument(path + ": must have exactly one of working_days and calendar_days");
  }
  const std::string key = working ? "working_days" : "calendar_days";
  ASSIGN_OR_RETURN(int64_t days, object.Int(key, 1, kDeadlineDaysMax));
  RETURN_IF_ERROR(object.Finish());
  return Period{static_cast<int32_t>(days), working ? DayCount::kWorking : DayCount::kCalendar};
}

}  // namespace

std::string_view StepName(Step step) { return kStepNames[StepIndex(step)]; }

std::optional<Step> StepFromName(std::string_view name) {
  for (Step step : kAllSteps) {
    if (StepName(step) == name) return step;
  }
  return std::nullopt;
}

std::string_view ExpiryActionName(ExpiryAction action) {
  switch (action) {
    case ExpiryAction::kOverdueFlagged: return "overdue_flagged";
    case ExpiryAction::kDeemedApproved: return "deemed_approved";
    case ExpiryAction::kOverdueToSupervisor: return "overdue_to_supervisor";
  }
  assert(false && "unknown ExpiryAction");
  return "";
}

std::optional<ExpiryAction> ExpiryActionFromName(std::string_view name) {
  for (ExpiryAction action : {ExpiryAction::kOverdueFlagged, ExpiryAction::kDeemedApproved,
                              ExpiryAction::kOverdueToSupervisor}) {
    if (ExpiryActionName(action) == name) return action;
  }
  return std::nullopt;
}

const std::optional<Period>& Policy::period(Step step) const { return periods[StepIndex(step)]; }
std::optional<Period>& Policy::period(Step step) { return periods[StepIndex(step)]; }

Status Policy::Validate(const PolicyLimits& limits, const std::string& path) const {
  if (calendar_id) {
    RETURN_IF_ERROR(ValidateRulesId(path + ".calendar", *calendar_id, limits.calendar_id_bytes_max));
  }
  for (Step step : kAllSteps) {
    const std::optional<Period>& p = period(step);
    if (!p) continue;
    std::string where = path + "." + std::string(StepName(step));
    if (p->days < 1 || p->days > kDeadlineDaysMax) {
      return Status::InvalidArgument(where + ": days must be in 1.." + std::to_string(kDeadlineDaysMax) +
                                     ", got " + std::to_string(p->days));
    }
    if (p->count != DayCount::kWorking && p->count != DayCount::kCalendar) {
      return Status::InvalidArgument(where + ": unknown day count");
    }
  }
  if (share_review_on_expiry && !ExpiryActionFromName(ExpiryActionName(*share_review_on_expiry))) {
    return Status::InvalidArgument(path + ".share_review_on_expiry: unknown action");
  }
  if (log_retention_years && (*log_retention_years < 1 || *log_retention_years > kLogRetentionYearsMax)) {
    return Status::InvalidArgument(path + ".log_retention_years: must be in 1.." +
                                   std::to_string(kLogRetentionYearsMax));
  }
  return Status::Ok();
}

void Policy::EncodeTo(ByteWriter& writer) const {
  writer.PutBool(calendar_id.has_value());
  if (calendar_id) writer.PutString(*calendar_id);
  uint8_t count = 0;
  for (const auto& p : periods) count = static_cast<uint8_t>(count + (p ? 1 : 0));
  writer.PutU8(count);
  for (Step step : kAllSteps) {
    const std::optional<Period>& p = period(step);
    if (!p) continue;
    writer.PutU8(static_cast<uint8_t>(step));
    writer.PutU8(static_cast<uint8_t>(p->count));
    writer.PutU16(static_cast<uint16_t>(p->days));
  }
  writer.PutBool(share_review_on_expiry.has_value());
  if (share_review_on_expiry) writer.PutU8(static_cast<uint8_t>(*share_review_on_expiry));
  writer.PutBool(log_retention_years.has_value());
  if (log_retention_years) writer.PutU16(static_cast<uint16_t>(*log_retention_years));
  writer.PutBool(copy_mode_needs_supervisor_consent.has_value());
  if (copy_mode_needs_supervisor_consent) writer.PutBool(*copy_mode_needs_supervisor_consent);
}

Bytes Policy::Encode() const {
  ByteWriter writer;
  EncodeTo(writer);
  return writer.Take();
}

Result<Policy> Policy::DecodeFrom(ByteReader& reader, const PolicyLimits& limits) {
  Policy policy;
  ASSIGN_OR_RETURN(bool has_calendar, reader.GetBool());
  if (has_calendar) {
    ASSIGN_OR_RETURN(std::string calendar_id, reader.GetString(limits.calendar_id_bytes_max));
    policy.calendar_id = std::move(calendar_id);
  }
  ASSIGN_OR_RETURN(uint8_t count, reader.GetU8());
  if (count > kAllSteps.size()) return Status::InvalidArgument("policy: too many deadlines");
  uint8_t previous_step = 0;
  for (uint8_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(uint8_t step_value, reader.GetU8());
    ASSIGN_OR_RETURN(uint8_t count_value, reader.GetU8());
    ASSIGN_OR_RETURN(uint16_t days, reader.GetU16());
    if (step_value <= previous_step || step_value > kAllSteps.size()) {
      return Status::InvalidArgument("policy: deadline step " + std::to_string(step_value) +
                                     " unknown or out of order");
    }
    if (count_value != static_cast<uint8_t>(DayCount::kWorking) &&
        count_value != static_cast<uint8_t>(DayCount::kCalendar)) {
      return Status::InvalidArgument("policy: unknown day count " + std::to_string(count_value));
    }
    previous_step = step_value;
    policy.period(static_cast<Step>(step_value)) = Period{days, static_cast<DayCount>(count_value)};
  }
  ASSIGN_OR_RETURN(bool has_expiry, reader.GetBool());
  if (has_expiry) {
    ASSIGN_OR_RETURN(uint8_t action, reader.GetU8());
    if (action < 1 || action > 3) {
      return Status::InvalidArgument("policy.share_review_on_expiry: unknown action " + std::to_string(action));
    }
    policy.share_review_on_expiry = static_cast<ExpiryAction>(action);
  }
  ASSIGN_OR_RETURN(bool has_retention, reader.GetBool());
  if (has_retention) {
    ASSIGN_OR_RETURN(uint16_t years, reader.GetU16());
    policy.log_retention_years = years;
  }
  ASSIGN_OR_RETURN(bool has_copy, reader.GetBool());
  if (has_copy) {
    ASSIGN_OR_RETURN(bool copy, reader.GetBool());
    policy.copy_mode_needs_supervisor_consent = copy;
  }
  RETURN_IF_ERROR(policy.Validate(limits));
  return policy;
}

Result<Policy> Policy::Decode(ByteView encoded, const PolicyLimits& limits) {
  ByteReader reader(encoded);
  ASSIGN_OR_RETURN(Policy policy, DecodeFrom(reader, limits));
  RETURN_IF_ERROR(reader.Finish());
  return policy;
}

Result<Policy> Policy::FromJson(const nlohmann::json& json, const std::string& path,
                                const PolicyLimits& limits) {
  ASSIGN_OR_RETURN(rules_json::ObjectReader object, rules_json::ObjectReader::Open(json, path));
  Policy policy;
  if (object.Has("calendar")) {
    ASSIGN_OR_RETURN(std::string calendar_id, object.String("calendar", limits.calendar_id_bytes_max));
    policy.calendar_id = std::move(calendar_id);
  }
  for (Step step : kAllSteps) {
    std::string key(StepName(step));
    if (!object.Has(key)) continue;
    std::string member_path;
    ASSIGN_OR_RETURN(const nlohmann::json* member, object.Member(key, &member_path));
    ASSIGN_OR_RETURN(policy.period(step), PeriodFromJson(*member, member_path));
  }
  if (object.Has("share_review_on_expiry")) {
    ASSIGN_OR_RETURN(std::string name, object.String("share_review_on_expiry", 64));
    std::optional<ExpiryAction> action = ExpiryActionFromName(name);
    if (!action) {
      return Status::InvalidArgument(object.PathOf("share_review_on_expiry") + ": \"" + name +
                                     "\" is not one of overdue_flagged, deemed_approved, "
                                     "overdue_to_supervisor");
    }
    policy.share_review_on_expiry = action;
  }
  if (object.Has("log_retention_years")) {
    ASSIGN_OR_RETURN(int64_t years, object.Int("log_retention_years", 1, kLogRetentionYearsMax));
    policy.log_retention_years = static_cast<int32_t>(years);
  }
  if (object.Has("copy_mode_needs_supervisor_consent")) {
    ASSIGN_OR_RETURN(bool copy, object.Bool("copy_mode_needs_supervisor_consent"));
    policy.copy_mode_needs_supervisor_consent = copy;
  }
  RETURN_IF_ERROR(object.Finish());
  RETURN_IF_ERROR(policy.Validate(limits, path));
  return policy;
}

nlohmann::json Policy::ToJson() const {
  nlohmann::json json = nlohmann::json::object();
  if (calendar_id) json["calendar"] = *calendar_id;
  for (Step step : kAllSteps) {
    const std::optional<Period>& p = period(step);
    if (!p) continue;
    const char* key = p->count == DayCount::kWorking ? "working_days" : "calendar_days";
    json[std::string(StepName(step))] = nlohmann::json{{key, p->days}};
  }
  if (share_review_on_expiry) json["share_review_on_expiry"] = ExpiryActionName(*share_review_on_expiry);
  if (log_retention_years) json["log_retention_years"] = *log_retention_years;
  if (copy_mode_needs_supervisor_consent) {
    json["copy_mode_needs_supervisor_consent"] = *copy_mode_needs_supervisor_consent;
  }
  return json;
}

Policy Merge(const Policy& parent, const Policy& child) {
  Policy merged = parent;
  if (child.calendar_id) merged.calendar_id = child.calendar_id;
  for (size_t i = 0; i < merged.periods.size(); ++i) {
    if (child.periods[i]) merged.periods[i] = child.periods[i];
  }
  if (child.share_review_on_expiry) merged.share_review_on_expiry = child.share_review_on_expiry;
  if (child.log_retention_years) merged.log_retention_years = child.log_retention_years;
  if (child.copy_mode_needs_supervisor_consent) {
    merged.copy_mode_needs_supervisor_consent = child.copy_mode_needs_supervisor_consent;
  }
  return merged;
}

Policy Resolve(std::span<const Policy> chain_root_to_leaf) {
  Policy resolved;
  for (const Policy& layer : chain_root_to_leaf) resolved = Merge(resolved, layer);
  return resolved;
}

std::span<const std::string_view> PresetNames() { return kPresetNames; }

Result<Policy> Preset(std::string_view name) {
  if (name == "jiangsu-2024") return JiangsuPreset();
  if (name == "jiangmen-2023") return JiangmenPreset();
  if (name == "taizhou-2023") return TaizhouPreset();
  if (name == "jiangxi-2022") return JiangxiPreset();
  if (name == "chengdu-draft") return ChengduPreset();
  return Status::NotFound("unknown policy preset \"" + std::string(name) +
                          "\" (known: jiangsu-2024, jiangmen-2023, taizhou-2023, jiangxi-2022, "
                          "chengdu-draft)");
}

Result<Deadline> ComputeDeadline(const Policy& policy, Step step, int64_t start_ms,
                                 const Calendar& calendar) {
  const std::optional<Period>& p = policy.period(step);
  if (!p) {
    return Status::NotFound("the policy sets no deadline for " + std::string(StepName(step)));
  }
  if (p->count == DayCount::kCalendar) return calendar.AddCalendarDays(start_ms, p->days);
  return calendar.AddWorkingDays(start_ms, p->days);
}

Result<int64_t> DueTime(const Policy& policy, Step step, int64_t start_ms, const Calendar& calendar) {
  ASSIGN_OR_RETURN(Deadline deadline, ComputeDeadline(policy, step, start_ms, calendar));
  return deadline.due_ms;
}

}  // namespace shulian::ledger
