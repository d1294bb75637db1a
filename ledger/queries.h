// Queries: the read side of the state machine's state, for the API and the CLI.
// Every query walks one LevelDB index range (ledger/state_keys.h) from a cursor,
// so it answers in O(log n + results): a seek, then one step per item returned.
// Results are paginated: a Page carries next_cursor (empty at the end), which the
// caller passes back unchanged to continue.
//
// Scoping (Viewer): court, arbitrator, auditor and operator see everything; a
// supervisor sees what touches its authority's subtree; a provider or user sees
// its own authority; the public sees the open catalog and its own records. A query
// outside the viewer's scope fails with PermissionDenied naming what was asked —
// it never silently returns less — and the refusal is checked before any record is
// read, worded the same whether or not the record exists (a viewer who could see a
// record were it there, such as an agency asking for an asset, gets NotFound).
//
// Court-wide queries (the "All" family, FlagsByKind, Disputes*) read one global
// index across every authority and are for viewers who see everything; anyone
// else gets PermissionDenied (a supervisor asks per authority instead). An
// account's access history (AccessByAccount) already spans every provider
// authority, so it needs no court-wide variant.
//
// Ownership: borrows the StateStore, which must outlive it. Thread-safety: const
// methods; safe while no block is being applied to the same StateStore.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "ledger/state_keys.h"
#include "ledger/state_store.h"

namespace shulian::ledger {

struct QueryLimits {
  size_t page_items_max = 1000;
  size_t authority_depth_max = 16;
  // Roll-up counts (RollupCountsOf): CST days one query spans, and count
  // entries it reads (days x authorities x kinds) before refusing the range.
  size_t rollup_days_max = 366;
  size_t rollup_count_keys_max = 100'000;
  // Working-day calendar (WorkingDays): CST days one query marks.
  size_t calendar_days_max = 366;
};

struct PageRequest {
  std::string cursor;  // from the previous page's next_cursor; empty = first page
  size_t limit = 50;   // 1..page_items_max
};

template <typename T>
struct Page {
  std::vector<T> items;
  std::string next_cursor;  // empty when there is nothing more
};

// Half-open [from_ms, to_ms).
struct TimeRange {
  int64_t from_ms = 0;
  int64_t to_ms = std::numeric_limits<int64_t>::max();
};

enum class ViewScope : uint8_t { kEverything = 1, kSubtree = 2, kOwnAuthority = 3, kPublic = 4 };

struct Viewer {
  std::string account_id;
  std::string authority_id;
  ViewScope scope = ViewScope::kPublic;
};

struct AssetView {
  AssetRecord asset;
  std::vector<uint32_t> versions;  // 1..asset.version
};

struct AuthoritySummary {
  std::string authority_id;
  std::map<std::string, uint64_t> counters;  // by CounterName
};

// Roll-up counts over a subtree for a half-open range of CST days.
struct RollupDay {
  uint32_t day = 0;  // CST days since 1970-01-01
  uint64_t uses = 0;
  uint64_t violating_uses = 0;
  uint64_t deadlines_met = 0;
  uint64_t deadlines_missed = 0;  // flags of the IsDeadlineMiss kinds
};
struct RollupCounts {
  std::string authority_id;
  std::vector<RollupDay> days;                         // every day of the range, in order, zeros included
  std::map<std::string, uint64_t> flags_by_kind;       // FlagKindName -> count
  std::map<std::string, uint64_t> violations_by_code;  // violation code -> count
  // Flagged authority -> FlagKindName (and "deadlines_met") -> count.
  std::map<std::string, std::map<std::string, uint64_t>> by_authority;
};

// The working days of an authority's calendar over a half-open range of CST days.
struct CalendarDay {
  uint32_t day = 0;      // CST days since 1970-01-01
  bool working = false;  // Calendar::IsWorkingDay
  bool covered = false;  // the calendar's holiday schedule covers the day's year
};
struct CalendarDays {
  std::string authority_id;
  std::string calendar_id;  // what the resolved policy names, or "weekends-only"
  std::string calendar_name;
  int32_t first_year = 0;  // 0: covers no year
  int32_t last_year = 0;
  std::vector<CalendarDay> days;  // every day of the range, in order
};

class Queries {
 public:
  explicit Queries(const StateStore& state, QueryLimits limits = {}) : state_(state), limits_(limits) {}

  // The scope an account reads with. NotFound for an unknown account.
  Result<Viewer> ViewerFor(std::string_view account_id) const;

  // Whether the viewer reads `account_id`'s records (the transactions it sent):
  // its own, or any whose authority is in its scope. False for a missing account.
  Result<bool> SeesAccount(const Viewer& viewer, std::string_view account_id) const;
  // OK when the viewer may read an asset's access records (the provider authority
  // is in its scope); the refusal is the same for a missing asset.
  Status RequireAssetAccess(const Viewer& viewer, std::string_view asset_id) const;

  // The public sees only unconditionally open assets.
  Result<AssetView> Asset(const Viewer& viewer, std::string_view asset_id) const;
  Result<Page<HistoryEntry>> AssetHistory(const Viewer& viewer, std::string_view asset_id, const PageRequest& page) const;
  Result<Page<AssetRecord>> OpenCatalog(const PageRequest& page) const;
  // Every asset whose provider is `authority_id`, in any status, by asset id
  // (authority scope, like RequestsByStatus).
  Result<Page<AssetRecord>> AssetsByAuthority(const Viewer& viewer, std::string_view authority_id,
                                              const PageRequest& page) const;

  // One account record. An account reads its own; a supervisor the accounts of its
  // subtree; those who see everything any. Anyone else, and a supervisor asking for
  // a missing account, gets the one refusal.
  Result<AccountRecord> Account(const Viewer& viewer, std::string_view account_id) const;

  // The calendar `authority_id`'s resolved policy counts deadlines in, and each CST
  // day of [from_day, to_day) marked working or not (authority scope), at most
  // calendar_days_max days.
  Result<CalendarDays> WorkingDays(const Viewer& viewer, std::string_view authority_id, uint32_t from_day,
                                   uint32_t to_day) const;

  Result<Page<AccessRecord>> AccessByAsset(const Viewer& viewer, std::string_view asset_id, const TimeRange& range,
                                           const PageRequest& page) const;
  Result<Page<AccessRecord>> AccessByAccount(const Viewer& viewer, std::string_view account_id,
                                             const TimeRange& range, const PageRequest& page) const;
  Result<Page<AccessRecord>> AccessByAuthority(const Viewer& viewer, std::string_view authority_id,
                                               const TimeRange& range, const PageRequest& page) const;
  // Accesses flagged as violations touching `authority_id` (as provider or user).
  Result<Page<AccessRecord>> ViolationsByAuthority(const Viewer& viewer, std::string_view authority_id,
                                                   const TimeRange& range, const PageRequest& page) const;

  Result<Page<GrantRecord>> GrantsByAsset(const Viewer& viewer, std::string_view asset_id, const PageRequest& page) const;
  Result<Page<GrantRecord>> GrantsByUser(const Viewer& viewer, std::string_view account_id, const PageRequest& page) const;

  // Requests / objections of a provider authority in one status.
  Result<Page<RequestRecord>> RequestsByStatus(const Viewer& viewer, std::string_view authority_id,
                                               RequestStatus status, const PageRequest& page) const;
  Result<Page<ObjectionRecord>> ObjectionsByStatus(const Viewer& viewer, std::string_view authority_id,
                                                   ObjectionStatus status, const PageRequest& page) const;

  // Items flagged to an authority's supervisor (overdue reviews and objections,
  // late answers, violations, duplicate sources, sanctions), oldest first.
  Result<Page<FlagRecord>> FlagsForAuthority(const Viewer& viewer, std::string_view authority_id,
                                             const PageRequest& page) const;

  Result<AuthoritySummary> Summary(const Viewer& viewer, std::string_view authority_id) const;

  // ---- roll-ups over the subtree of `authority_id` (it and every authority below) ----
  // For viewers who see the whole subtree: those who see everything, and a
  // supervisor at or above `authority_id`. Agencies and the public are refused.

  // Accesses whose provider or user authority is in the subtree, in time order;
  // `violations_only` keeps those with a violation.
  Result<Page<AccessRecord>> RollupAccess(const Viewer& viewer, std::string_view authority_id,
                                          bool violations_only, const TimeRange& range,
                                          const PageRequest& page) const;
  // Flags of one kind raised to authorities in the subtree, in time order.
  Result<Page<FlagRecord>> RollupFlags(const Viewer& viewer, std::string_view authority_id, FlagKind kind,
                                       const TimeRange& range, const PageRequest& page) const;
  // Counts per CST day in [from_day, to_day), at most rollup_days_max days.
  Result<RollupCounts> RollupCountsOf(const Viewer& viewer, std::string_view authority_id, uint32_t from_day,
                                      uint32_t to_day) const;

  // ---- court-wide: every authority, for viewers who see everything ----

  // Every access record in a time range, in time order.
  Result<Page<AccessRecord>> AllAccess(const Viewer& viewer, const TimeRange& range, const PageRequest& page) const;
  // Every access flagged as a violation, in time order.
  Result<Page<AccessRecord>> AllViolations(const Viewer& viewer, const TimeRange& range,
                                           const PageRequest& page) const;
  // Every missed deadline (an item overdue at its deadline, or answered late), in
  // the order they were flagged.
  Result<Page<FlagRecord>> AllOverdue(const Viewer& viewer, const PageRequest& page) const;
  // Every flag of one kind, in the order they were raised.
  Result<Page<FlagRecord>> FlagsByKind(const Viewer& viewer, FlagKind kind, const PageRequest& page) const;
  // Share requests / objections in one status at every provider authority, by id.
  Result<Page<RequestRecord>> AllRequestsByStatus(const Viewer& viewer, RequestStatus status,
                                                  const PageRequest& page) const;
  Result<Page<ObjectionRecord>> AllObjectionsByStatus(const Viewer& viewer, ObjectionStatus status,
                                                      const PageRequest& page) const;
  // Dispute cases, by id. A supervisor may read the ones it opened (Dispute).
  Result<Page<DisputeRecord>> DisputesByStatus(const Viewer& viewer, DisputeStatus status,
                                               const PageRequest& page) const;
  Result<DisputeRecord> Dispute(const Viewer& viewer, std::string_view dispute_id) const;

 private:
  Status RequireAuthority(const Viewer& viewer, std::string_view authority_id) const;
  Status RequireEverything(const Viewer& viewer, std::string_view what) const;
  Status RequireSubtree(const Viewer& viewer, std::string_view authority_id) const;
  // Pages of the records an index "ix/<..>/<id>" names by the id at its end.
  template <typename T>
  Result<Page<T>> RecordsById(const std::string& prefix, std::string_view head, const PageRequest& page) const;
  // Pages of flags an index names by "<u64 seq>" at its end with the authority as value.
  Result<Page<FlagRecord>> FlagsFromIndex(const std::string& prefix, const PageRequest& page) const;
  // What of an asset is read: its record and history, its accesses, its grants.
  enum class AssetPart : uint8_t { kRecord = 0, kAccess = 1, kGrants = 2 };
  Result<bool> SeesAsset(const Viewer& viewer, const AssetRecord& asset, AssetPart part) const;
  Result<AssetRecord> AssetFor(const Viewer& viewer, std::string_view asset_id, AssetPart part) const;
  Result<bool> SeesAuthority(const Viewer& viewer, std::string_view authority_id) const;
  Status RequireAccount(const Viewer& viewer, std::string_view account_id, std::string_view what) const;
  // The one refusal of a read outside the viewer's scope. It reads the same whether
  // or not the record exists, so an out-of-scope caller cannot probe for records.
  static Status Refusal(const Viewer& viewer, std::string_view what);
  Result<bool> Within(std::string_view authority_id, std::string_view ancestor_id) const;
  Status CheckPage(const PageRequest& page) const;
  // Scans `prefix` from the page's cursor; `visit` returns false to skip an item.
  template <typename T, typename Decode>
  Result<Page<T>> ScanPage(const std::string& prefix, const PageRequest& page, const std::string& stop_at,
                           Decode decode) const;
  Result<Page<AccessRecord>> AccessRange(const std::string& prefix, const TimeRange& range,
                                         const PageRequest& page) const;

  const StateStore& state_;
  QueryLimits limits_;
};

}  // namespace shulian::ledger
