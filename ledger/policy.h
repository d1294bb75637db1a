// Per-authority deadline policies: which legal deadlines apply to an authority,
// what happens when one passes, and which calendar counts its working days.
//
// Every setting is optional. An authority's own policy is a *layer*; the policy in
// force is the merge of the layers from the root of the authority tree down to it
// (Resolve): a lower level overrides exactly the settings it sets (Taizhou inherits
// Jiangsu's and sets its own 3-day share review). Five presets reproduce the
// deadlines of the five regulations (Preset), each value citing its article.
//
// A deadline still unset after resolution means the regulation names none (the
// table's "promptly" or "–"): the state machine then records the item without a due
// time, never marks it overdue by itself, and either side may escalate it to the
// supervisor at any time. DueTime reports such a step as NotFound so a caller cannot
// mistake "no deadline" for a number. Defaults that do apply when unset are spelled
// out in the accessors below.
//
// Thread-safety: values.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "ledger/calendar.h"

namespace shulian::ledger {

// The steps that can carry a deadline. The numeric values are part of the
// canonical encoding: never renumber or reuse one.
enum class Step : uint8_t {
  kShareReview = 1,          // provider answers a conditional share request
  kShareDelivery = 2,        // provider delivers after approving it
  kAggregationAnswer = 3,    // answer to a request for data not yet aggregated
  kAggregationDelivery = 4,  // aggregation and delivery after agreeing
  kOpenAnswer = 5,           // answer to an open-data application
  kOpenReviewAnswer = 6,     // the authority's review (复核) of that answer
  kObjectionReport = 7,      // a user reports a doubt about shared data after finding it
  kObjectionAnswer = 8,      // provider handles and answers an objection
  kQualityTask = 9,          // provider verifies and corrects a quality rectification task
  kCatalogUpdate = 10,       // catalog updated after a change of law or of functions
};
inline constexpr std::array<Step, 10> kAllSteps = {
    Step::kShareReview,     Step::kShareDelivery,    Step::kAggregationAnswer,
    Step::kAggregationDelivery, Step::kOpenAnswer,   Step::kOpenReviewAnswer,
    Step::kObjectionReport, Step::kObjectionAnswer,  Step::kQualityTask,
    Step::kCatalogUpdate};

// "share_review", ...: the JSON key of each step.
std::string_view StepName(Step step);
std::optional<Step> StepFromName(std::string_view name);

enum class DayCount : uint8_t {
  kWorking = 1,   // skip weekends and rest days, count make-up days
  kCalendar = 2,  // every day counts; a period ending on a day off is extended
};

// A deadline length: JSON {"working_days": 5} or {"calendar_days": 10}.
struct Period {
  int32_t days = 0;  // 1..kDeadlineDaysMax
  DayCount count = DayCount::kWorking;
  friend bool operator==(const Period&, const Period&) = default;
};

// What the ledger does when a conditional share review passes its deadline unanswered.
enum class ExpiryAction : uint8_t {
  kOverdueFlagged = 1,      // stays pending, flagged overdue (the default)
  kDeemedApproved = 2,      // treated as approved (Jiangsu 000 §21)
  kOverdueToSupervisor = 3, // flagged and handed to the supervisor to decide (Taizhou 002 §15)
};
std::string_view ExpiryActionName(ExpiryAction action);
std::optional<ExpiryAction> ExpiryActionFromName(std::string_view name);

inline constexpr int32_t kLogRetentionYearsMax = 100;

struct PolicyLimits {
  size_t calendar_id_bytes_max = 64;
};

struct Policy {
  std::optional<std::string> calendar_id;
  std::array<std::optional<Period>, kAllSteps.size()> periods;  // indexed by Step - 1
  std::optional<ExpiryAction> share_review_on_expiry;
  std::optional<int32_t> log_retention_years;  // 1..kLogRetentionYearsMax
  std::optional<bool> copy_mode_needs_supervisor_consent;

  const std::optional<Period>& period(Step step) const;
  std::optional<Period>& period(Step step);

  // Defaults where a resolved policy leaves a setting unset.
  ExpiryAction ShareReviewOnExpiry() const {
    return share_review_on_expiry.value_or(ExpiryAction::kOverdueFlagged);
  }
  // Least privilege: copying needs the supervisor's consent unless a policy says not.
  bool CopyModeNeedsSupervisorConsent() const { return copy_mode_needs_supervisor_consent.value_or(true); }

  // Bounds on every set value; errors name "<path>.<field>".
  Status Validate(const PolicyLimits& limits = {}, const std::string& path = "policy") const;

  // Canonical binary form (each optional is a u8 presence flag, then the value):
  //   opt str calendar_id
  //   ‖ u8 count ‖ count × (u8 step ‖ u8 day_count ‖ u16 days)   (steps strictly increasing)
  //   ‖ opt u8 share_review_on_expiry ‖ opt u16 log_retention_years
  //   ‖ opt bool copy_mode_needs_supervisor_consent
  void EncodeTo(ByteWriter& writer) const;
  Bytes Encode() const;
  static Result<Policy> DecodeFrom(ByteReader& reader, const PolicyLimits& limits = {});
  static Result<Policy> Decode(ByteView encoded, const PolicyLimits& limits = {});

  // JSON form: every key optional, unknown keys rejected:
  //   {"calendar": "cn-2025-2026", "share_review": {"working_days": 5},
  //    "share_review_on_expiry": "deemed_approved", "open_answer": {"calendar_days": 10},
  //    "log_retention_years": 5, "copy_mode_needs_supervisor_consent": true, ...}
  static Result<Policy> FromJson(const nlohmann::json& json, const std::string& path = "policy",
                                 const PolicyLimits& limits = {});
  nlohmann::json ToJson() const;

  friend bool operator==(const Policy&, const Policy&) = default;
};

// Merges `child` over `parent`: every setting the child sets wins.
Policy Merge(const Policy& parent, const Policy& child);
// Merges the layers of a chain, root first and the authority itself last.
Policy Resolve(std::span<const Policy> chain_root_to_leaf);

// The preset names, in a fixed order: jiangsu-2024, jiangmen-2023, taizhou-2023,
// jiangxi-2022, chengdu-draft.
std::span<const std::string_view> PresetNames();
// The preset layer of one regulation; NotFound for an unknown name. Presets name
// no calendar: the genesis attaches one.
Result<Policy> Preset(std::string_view name);

// The deadline for `step` started by an event at start_ms, counted in `calendar`.
// NotFound if the policy sets no deadline for the step (see the header comment).
Result<Deadline> ComputeDeadline(const Policy& policy, Step step, int64_t start_ms,
                                 const Calendar& calendar);
// The same, just the deadline instant (an act is on time iff block time < due).
Result<int64_t> DueTime(const Policy& policy, Step step, int64_t start_ms, const Calendar& calendar);

}  // namespace shulian::ledger
