#include "ledger/queries.h"

#include <optional>

namespace shulian::ledger {
namespace {

std::string TimeBytes(int64_t time_ms) {
  std::string out;
  auto value = static_cast<uint64_t>(time_ms < 0 ? 0 : time_ms);
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xff);
  return out;
}

int64_t TimeAt(std::string_view key, size_t offset) {
  if (key.size() < offset + 8) return 0;
  uint64_t value = 0;
  for (size_t i = offset; i < offset + 8; ++i) value = (value << 8) | static_cast<uint8_t>(key[i]);
  return static_cast<int64_t>(value);
}

template <typename T>
Result<T> DecodeValue(std::string_view value) {
  ByteReader r(AsBytes(value));
  Result<T> record = T::DecodeFrom(r);
  if (!record.ok() || !r.Finish().ok()) return Status::Corruption("state record does not decode");
  return record;
}

}  // namespace

// ---------- scope ----------

Result<Viewer> Queries::ViewerFor(std::string_view account_id) const {
  Result<AccountRecord> account = LoadRecord<AccountRecord>(state_, Key("ac").Id(account_id));
  if (!account.ok()) {
    if (account.status().code() == ErrorCode::kNotFound) {
      return Status::NotFound("account \"" + std::string(account_id) + "\" does not exist");
    }
    return account.status();
  }
  Viewer viewer{account->id, account->authority_id, ViewScope::kPublic};
  if (account->HasRole(Role::kCourt) || account->HasRole(Role::kArbitrator) || account->HasRole(Role::kAuditor) ||
      account->HasRole(Role::kOperator)) {
    viewer.scope = ViewScope::kEverything;
  } else if (account->HasRole(Role::kSupervisor)) {
    viewer.scope = ViewScope::kSubtree;
  } else if (!account->authority_id.empty()) {
    viewer.scope = ViewScope::kOwnAuthority;
  }
  return viewer;
}

Result<bool> Queries::Within(std::string_view authority_id, std::string_view ancestor_id) const {
  std::string current(authority_id);
  for (size_t depth = 0; depth <= limits_.authority_depth_max && !current.empty(); ++depth) {
    if (current == ancestor_id) return true;
    Result<AuthorityRecord> authority = LoadRecord<AuthorityRecord>(state_, Key("au").Id(current));
    if (!authority.ok()) {
      if (authority.status().code() == ErrorCode::kNotFound) return false;
      return authority.status();
    }
    current = authority->parent_id;
  }
  return false;
}

Result<bool> Queries::SeesAuthority(const Viewer& viewer, std::string_view authority_id) const {
  switch (viewer.scope) {
    case ViewScope::kEverything: return true;
    case ViewScope::kSubtree: return Within(authority_id, viewer.authority_id);
    case ViewScope::kOwnAuthority: return authority_id == viewer.authority_id;
    case ViewScope::kPublic: return false;
  }
  return false;
}

// A missing authority is refused like one outside the scope (Within finds no path).
Status Queries::RequireAuthority(const Viewer& viewer, std::string_view authority_id) const {
  ASSIGN_OR_RETURN(bool sees, SeesAuthority(viewer, authority_id));
  if (!sees) return Refusal(viewer, "authority \"" + std::string(authority_id) + "\"");
  return Status::Ok();
}

Result<bool> Queries::SeesAsset(const Viewer& viewer, const AssetRecord& asset, AssetPart part) const {
  if (part == AssetPart::kRecord) {
    if (viewer.scope == ViewScope::kPublic) {
      return asset.open_type == OpenType::kUnconditional && asset.status == AssetStatus::kActive;
    }
    if (viewer.scope == ViewScope::kOwnAuthority) return true;  // the catalog is shared among agencies
  }
  return SeesAuthority(viewer, asset.provider_authority);
}

// Those who see everything read every asset, and agencies every asset record, so
// for them a missing asset is plainly missing; anyone else gets the one refusal
// whether the asset is missing or outside their scope.
Result<AssetRecord> Queries::AssetFor(const Viewer& viewer, std::string_view asset_id, AssetPart part) const {
  static constexpr std::string_view kPartNames[] = {"asset", "the accesses of asset", "the grants of asset"};
  Result<AssetRecord> asset = LoadRecord<AssetRecord>(state_, Key("as").Id(asset_id));
  if (!asset.ok() && asset.status().code() != ErrorCode::kNotFound) return asset.status();
  const bool sees_every_record = viewer.scope == ViewScope::kEverything ||
                                 (viewer.scope == ViewScope::kOwnAuthority && part == AssetPart::kRecord);
  if (!asset.ok() && sees_every_record) {
    return Status::NotFound("asset \"" + std::string(asset_id) + "\" does not exist");
  }
  if (asset.ok()) {
    ASSIGN_OR_RETURN(bool sees, SeesAsset(viewer, *asset, part));
    if (sees) return asset;
  }
  return Refusal(viewer, std::string(kPartNames[static_cast<size_t>(part)]) + " \"" + std::string(asset_id) + "\"");
}

// An account reads its own records; another account's only when that account's
// authority is in scope. A missing account is refused like an out-of-scope one.
Result<bool> Queries::SeesAccount(const Viewer& viewer, std::string_view account_id) const {
  if (account_id == viewer.account_id || viewer.scope == ViewScope::kEverything) return true;
  Result<AccountRecord> account = LoadRecord<AccountRecord>(state_, Key("ac").Id(account_id));
  if (!account.ok()) {
    if (account.status().code() == ErrorCode::kNotFound) return false;
    return account.status();
  }
  return SeesAuthority(viewer, account->authority_id);
}

Status Queries::RequireAccount(const Viewer& viewer, std::string_view account_id, std::string_view what) const {
  if (viewer.scope == ViewScope::kEverything && account_id != viewer.account_id) {
    RETURN_IF_ERROR(LoadRecord<AccountRecord>(state_, Key("ac").Id(account_id)).status());
  }
  ASSIGN_OR_RETURN(bool sees, SeesAccount(viewer, account_id));
  if (sees) return Status::Ok();
  return Refusal(viewer, std::string(what) + " of account \"" + std::string(account_id) + "\"");
}

Status Queries::Refusal(const Viewer& viewer, std::string_view what) {
  return Status::PermissionDenied("account \"" + viewer.account_id + "\" may not read " + std::string(what) +
                                  " (outside its scope, or no such record)");
}

Status Queries::CheckPage(const PageRequest& page) const {
  if (page.limit == 0 || page.limit > limits_.page_items_max) {
    return Status::InvalidArgument("page.limit: must be 1.." + std::to_string(limits_.page_items_max));
  }
  return Status::Ok();
}

// ---------- scanning ----------

template <typename T, typename Decode>
Result<Page<T>> Queries::ScanPage(const std::string& prefix, const PageRequest& page, const std::string& start_after,
                                  Decode decode) const {
  RETURN_IF_ERROR(CheckPage(page));
  std::string after = start_after;
  if (!page.cursor.empty()) {
    Result<Bytes> cursor = FromHex(page.cursor);
    if (!cursor.ok()) return Status::InvalidArgument("page.cursor: " + cursor.status().message());
    after = std::string(cursor->begin(), cursor->end());
    if (after.compare(0, prefix.size(), prefix) != 0) {
      return Status::InvalidArgument("page.cursor: does not belong to this query");
    }
  }
  Page<T> out;
  Status error;
  std::string last_key;
  RETURN_IF_ERROR(state_.Scan(prefix, after, page.limit + 1, [&](std::string_view key, std::string_view value) {
    if (out.items.size() == page.limit) {
      out.next_cursor = ToHex(AsBytes(last_key));
      return false;
    }
    Result<std::optional<T>> item = decode(key, value);
    if (!item.ok()) {
      error = item.status();
      return false;
    }
    if (!item->has_value()) return false;  // past the end of the range
    out.items.push_back(std::move(**item));
    last_key = std::string(key);
    return true;
  }));
  RETURN_IF_ERROR(error);
  return out;
}

Result<Page<AccessRecord>> Queries::AccessRange(const std::string& prefix, const TimeRange& range,
                                                const PageRequest& page) const {
  return ScanPage<AccessRecord>(
      prefix, page, prefix + TimeBytes(range.from_ms),
      [&](std::string_view key, std::string_view hash) -> Result<std::optional<AccessRecord>> {
        if (TimeAt(key, prefix.size()) >= range.to_ms) return std::optional<AccessRecord>();
        ASSIGN_OR_RETURN(std::string raw, state_.Get(std::string("xr/") + std::string(hash)));
        ASSIGN_OR_RETURN(AccessRecord record, DecodeValue<AccessRecord>(raw));
        return std::optional<AccessRecord>(std::move(record));
      });
}

// ---------- assets ----------

Result<AssetView> Queries::Asset(const Viewer& viewer, std::string_view asset_id) const {
  ASSIGN_OR_RETURN(AssetRecord asset, AssetFor(viewer, asset_id, AssetPart::kRecord));
  AssetView view{asset, {}};
  for (uint32_t v = 1; v <= asset.version; ++v) view.versions.push_back(v);
  return view;
}

Result<Page<HistoryEntry>> Queries::AssetHistory(const Viewer& viewer, std::string_view asset_id,
                                                 const PageRequest& page) const {
  RETURN_IF_ERROR(AssetFor(viewer, asset_id, AssetPart::kRecord).status());
  return ScanPage<HistoryEntry>(Key("ah").Id(asset_id).Prefix(), page, "",
                                [](std::string_view, std::string_view value) -> Result<std::optional<HistoryEntry>> {
                                  ASSIGN_OR_RETURN(HistoryEntry entry, DecodeValue<HistoryEntry>(value));
                                  return std::optional<HistoryEntry>(std::move(entry));
                                });
}

Result<Page<AssetRecord>> Queries::OpenCatalog(const PageRequest& page) const {
  return ScanPage<AssetRecord>(Key("ix").Id("as-open").Prefix(), page, "",
                               [&](std::string_view key, std::string_view) -> Result<std::optional<AssetRecord>> {
                                 std::string_view id = key.substr(key.rfind('/') + 1);
                                 ASSIGN_OR_RETURN(AssetRecord asset, LoadRecord<AssetRecord>(state_, Key("as").Id(id)));
                                 return std::optional<AssetRecord>(std::move(asset));
                               });
}

Result<Page<AssetRecord>> Queries::AssetsByAuthority(const Viewer& viewer, std::string_view authority_id,
                                                     const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return RecordsById<AssetRecord>(AssetsOfAuthorityPrefix(authority_id), "as", page);
}

// ---------- accounts and calendars ----------

Result<AccountRecord> Queries::Account(const Viewer& viewer, std::string_view account_id) const {
  Result<AccountRecord> account = LoadRecord<AccountRecord>(state_, Key("ac").Id(account_id));
  if (!account.ok() && account.status().code() != ErrorCode::kNotFound) return account.status();
  if (account_id == viewer.account_id || viewer.scope == ViewScope::kEverything) {
    if (!account.ok()) return Status::NotFound("account \"" + std::string(account_id) + "\" does not exist");
    return account;
  }
  if (account.ok() && viewer.scope == ViewScope::kSubtree && !account->authority_id.empty()) {
    ASSIGN_OR_RETURN(bool within, Within(account->authority_id, viewer.authority_id));
    if (within) return account;
  }
  return Refusal(viewer, "account \"" + std::string(account_id) + "\"");
}

// Marks the days with the calendar the deadlines are counted in (ledger/calendar.h),
// so a page counts working days left exactly as the ledger counted the deadline.
Result<CalendarDays> Queries::WorkingDays(const Viewer& viewer, std::string_view authority_id,
                                          uint32_t from_day, uint32_t to_day) const {
  if (to_day <= from_day || to_day - from_day > limits_.calendar_days_max) {
    return Status::InvalidArgument("days: the range must hold 1.." +
                                   std::to_string(limits_.calendar_days_max) + " days (from before to)");
  }
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  ASSIGN_OR_RETURN(Policy policy, LoadResolvedPolicy(state_, authority_id, limits_.authority_depth_max));
  ASSIGN_OR_RETURN(Calendar calendar, LoadCalendarOf(state_, policy));
  CalendarDays out{std::string(authority_id), calendar.id,        calendar.name,
                   calendar.first_year,       calendar.last_year, {}};
  out.days.reserve(to_day - from_day);
  for (uint32_t day = from_day; day < to_day; ++day) {
    const Date date = Date::FromDays(day);
    out.days.push_back(CalendarDay{day, calendar.IsWorkingDay(date), calendar.Covers(date.year)});
  }
  return out;
}

// ---------- access ----------

Status Queries::RequireAssetAccess(const Viewer& viewer, std::string_view asset_id) const {
  return AssetFor(viewer, asset_id, AssetPart::kAccess).status();
}

Result<Page<AccessRecord>> Queries::AccessByAsset(const Viewer& viewer, std::string_view asset_id,
                                                  const TimeRange& range, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAssetAccess(viewer, asset_id));
  return AccessRange(Key("ix").Id("x-asset").Id(asset_id).Prefix(), range, page);
}

Result<Page<AccessRecord>> Queries::AccessByAccount(const Viewer& viewer, std::string_view account_id,
                                                    const TimeRange& range, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAccount(viewer, account_id, "the accesses"));
  return AccessRange(Key("ix").Id("x-acct").Id(account_id).Prefix(), range, page);
}

Result<Page<AccessRecord>> Queries::AccessByAuthority(const Viewer& viewer, std::string_view authority_id,
                                                      const TimeRange& range, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return AccessRange(Key("ix").Id("x-auth").Id(authority_id).Prefix(), range, page);
}

Result<Page<AccessRecord>> Queries::ViolationsByAuthority(const Viewer& viewer, std::string_view authority_id,
                                                          const TimeRange& range, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return AccessRange(Key("ix").Id("x-viol-auth").Id(authority_id).Prefix(), range, page);
}

// ---------- grants, requests, objections, flags ----------

Result<Page<GrantRecord>> Queries::GrantsByAsset(const Viewer& viewer, std::string_view asset_id,
                                                 const PageRequest& page) const {
  RETURN_IF_ERROR(AssetFor(viewer, asset_id, AssetPart::kGrants).status());
  return ScanPage<GrantRecord>(Key("ix").Id("gr-asset").Id(asset_id).Prefix(), page, "",
                               [&](std::string_view key, std::string_view) -> Result<std::optional<GrantRecord>> {
                                 std::string_view id = key.substr(key.rfind('/') + 1);
                                 ASSIGN_OR_RETURN(GrantRecord grant, LoadRecord<GrantRecord>(state_, Key("gr").Id(id)));
                                 return std::optional<GrantRecord>(std::move(grant));
                               });
}

Result<Page<GrantRecord>> Queries::GrantsByUser(const Viewer& viewer, std::string_view account_id,
                                                const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAccount(viewer, account_id, "the grants"));
  return ScanPage<GrantRecord>(Key("ix").Id("gr-user").Id(account_id).Prefix(), page, "",
                               [&](std::string_view key, std::string_view) -> Result<std::optional<GrantRecord>> {
                                 std::string_view id = key.substr(key.rfind('/') + 1);
                                 ASSIGN_OR_RETURN(GrantRecord grant, LoadRecord<GrantRecord>(state_, Key("gr").Id(id)));
                                 return std::optional<GrantRecord>(std::move(grant));
                               });
}

Result<Page<RequestRecord>> Queries::RequestsByStatus(const Viewer& viewer, std::string_view authority_id,
                                                      RequestStatus status, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return ScanPage<RequestRecord>(
      Key("ix").Id("rq-auth").Id(authority_id).U8(static_cast<uint8_t>(status)).Prefix(), page, "",
      [&](std::string_view key, std::string_view) -> Result<std::optional<RequestRecord>> {
        std::string_view id = key.substr(key.rfind('/') + 1);
        ASSIGN_OR_RETURN(RequestRecord request, LoadRecord<RequestRecord>(state_, Key("rq").Id(id)));
        return std::optional<RequestRecord>(std::move(request));
      });
}

Result<Page<ObjectionRecord>> Queries::ObjectionsByStatus(const Viewer& viewer, std::string_view authority_id,
                                                          ObjectionStatus status, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return ScanPage<ObjectionRecord>(
      Key("ix").Id("ob-auth").Id(authority_id).U8(static_cast<uint8_t>(status)).Prefix(), page, "",
      [&](std::string_view key, std::string_view) -> Result<std::optional<ObjectionRecord>> {
        std::string_view id = key.substr(key.rfind('/') + 1);
        ASSIGN_OR_RETURN(ObjectionRecord objection, LoadRecord<ObjectionRecord>(state_, Key("ob").Id(id)));
        return std::optional<ObjectionRecord>(std::move(objection));
      });
}

Result<Page<FlagRecord>> Queries::FlagsForAuthority(const Viewer& viewer, std::string_view authority_id,
                                                    const PageRequest& page) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  return ScanPage<FlagRecord>(Key("fl").Id(authority_id).Prefix(), page, "",
                              [](std::string_view, std::string_view value) -> Result<std::optional<FlagRecord>> {
                                ASSIGN_OR_RETURN(FlagRecord flag, DecodeValue<FlagRecord>(value));
                                return std::optional<FlagRecord>(std::move(flag));
                              });
}

Result<AuthoritySummary> Queries::Summary(const Viewer& viewer, std::string_view authority_id) const {
  RETURN_IF_ERROR(RequireAuthority(viewer, authority_id));
  AuthoritySummary summary{std::string(authority_id), {}};
  for (uint8_t raw = 1; raw <= kCounterMax; ++raw) {
    auto counter = static_cast<Counter>(raw);
    ASSIGN_OR_RETURN(uint64_t value, LoadU64(state_, Key("su").Id(authority_id).U8(raw)));
    summary.counters.emplace(std::string(CounterName(counter)), value);
  }
  return summary;
}

// ---------- court-wide ----------

Status Queries::RequireEverything(const Viewer& viewer, std::string_view what) const {
  if (viewer.scope == ViewScope::kEverything) return Status::Ok();
  return Status::PermissionDenied("account \"" + viewer.account_id + "\" may not read " + std::string(what) +
                                  " across every authority (court, arbitrator, auditor or operator only)");
}

template <typename T>
Result<Page<T>> Queries::RecordsById(const std::string& prefix, std::string_view head, const PageRequest& page) const {
  return ScanPage<T>(prefix, page, "", [&](std::string_view key, std::string_view) -> Result<std::optional<T>> {
    std::string_view id = key.substr(key.rfind('/') + 1);
    ASSIGN_OR_RETURN(T record, LoadRecord<T>(state_, Key(head).Id(id)));
    return std::optional<T>(std::move(record));
  });
}

Result<Page<FlagRecord>> Queries::FlagsFromIndex(const std::string& prefix, const PageRequest& page) const {
  return ScanPage<FlagRecord>(
      prefix, page, "", [&](std::string_view key, std::string_view authority) -> Result<std::optional<FlagRecord>> {
        uint64_t seq = TrailingU64(key);
        ASSIGN_OR_RETURN(FlagRecord flag, LoadRecord<FlagRecord>(state_, Key("fl").Id(authority).U64(seq)));
        return std::optional<FlagRecord>(std::move(flag));
      });
}

Result<Page<AccessRecord>> Queries::AllAccess(const Viewer& viewer, const TimeRange& range,
                                              const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "access records"));
  return AccessRange(Key("ix").Id("x-time").Prefix(), range, page);
}

Result<Page<AccessRecord>> Queries::AllViolations(const Viewer& viewer, const TimeRange& range,
                                                  const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "violations"));
  return AccessRange(Key("ix").Id("x-viol").Prefix(), range, page);
}

Result<Page<FlagRecord>> Queries::AllOverdue(const Viewer& viewer, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "overdue items"));
  return FlagsFromIndex(Key("ix").Id("fl-late").Prefix(), page);
}

Result<Page<FlagRecord>> Queries::FlagsByKind(const Viewer& viewer, FlagKind kind, const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "flags"));
  return FlagsFromIndex(Key("ix").Id("fl-kind").U8(static_cast<uint8_t>(kind)).Prefix(), page);
}

Result<Page<RequestRecord>> Queries::AllRequestsByStatus(const Viewer& viewer, RequestStatus status,
                                                         const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "share requests"));
  return RecordsById<RequestRecord>(Key("ix").Id("rq-status").U8(static_cast<uint8_t>(status)).Prefix(), "rq", page);
}

Result<Page<ObjectionRecord>> Queries::AllObjectionsByStatus(const Viewer& viewer, ObjectionStatus status,
                                                             const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "objections"));
  return RecordsById<ObjectionRecord>(Key("ix").Id("ob-status").U8(static_cast<uint8_t>(status)).Prefix(), "ob",
                                      page);
}

Result<Page<DisputeRecord>> Queries::DisputesByStatus(const Viewer& viewer, DisputeStatus status,
                                                      const PageRequest& page) const {
  RETURN_IF_ERROR(RequireEverything(viewer, "dispute cases"));
  return RecordsById<DisputeRecord>(Key("ix").Id("di-status").U8(static_cast<uint8_t>(status)).Prefix(), "di", page);
}

// Courts, arbitrators, auditors, operators and the case's opener; anyone else
// gets one refusal whether or not the case exists.
Result<DisputeRecord> Queries::Dispute(const Viewer& viewer, std::string_view dispute_id) const {
  Result<DisputeRecord> dispute = LoadRecord<DisputeRecord>(state_, Key("di").Id(dispute_id));
  if (!dispute.ok() && dispute.status().code() != ErrorCode::kNotFound) return dispute.status();
  if (viewer.scope == ViewScope::kEverything) {
    if (!dispute.ok()) return Status::NotFound("dispute \"" + std::string(dispute_id) + "\" does not exist");
    return dispute;
  }
  if (dispute.ok() && dispute->opener == viewer.account_id) return dispute;
  return Refusal(viewer, "dispute \"" + std::string(dispute_id) + "\"");
}

}  // namespace shulian::ledger

namespace shulian::ledger {
namespace {

uint32_t DayAt(std::string_view key, size_t offset) {
  uint32_t value = 0;
  for (size_t i = offset; i < offset + 4 && i < key.size(); ++i)
    value = (value << 8) | static_cast<uint8_t>(key[i]);
  return value;
}

std::string DayBytes(uint32_t day) {
  std::string out;
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((day >> shift) & 0xff);
  return out;
}

}  // namespace

// ---------- roll-ups over a subtree ----------

// Agencies see their own authority only, never the authorities below it, so a
// roll-up is refused to them like to the public, whether or not it exists.
Status Queries::RequireSubtree(const Viewer& viewer, std::string_view authority_id) const {
  if (viewer.scope == ViewScope::kEverything) return Status::Ok();
  if (viewer.scope == ViewScope::kSubtree) {
    ASSIGN_OR_RETURN(bool within, Within(authority_id, viewer.authority_id));
    if (within) return Status::Ok();
  }
  return Refusal(viewer, "the roll-up of authority \"" + std::string(authority_id) + "\"");
}

Result<Page<AccessRecord>> Queries::RollupAccess(const Viewer& viewer, std::string_view authority_id,
                                                 bool violations_only, const TimeRange& range,
                                                 const PageRequest& page) const {
  RETURN_IF_ERROR(RequireSubtree(viewer, authority_id));
  return AccessRange(RollupAccessPrefix(authority_id, violations_only), range, page);
}

Result<Page<FlagRecord>> Queries::RollupFlags(const Viewer& viewer, std::string_view authority_id,
                                              FlagKind kind, const TimeRange& range,
                                              const PageRequest& page) const {
  RETURN_IF_ERROR(RequireSubtree(viewer, authority_id));
  const std::string prefix = RollupFlagPrefix(authority_id, kind);
  return ScanPage<FlagRecord>(
      prefix, page, prefix + TimeBytes(range.from_ms),
      [&](std::string_view key, std::string_view authority) -> Result<std::optional<FlagRecord>> {
        if (TimeAt(key, prefix.size()) >= range.to_ms) return std::optional<FlagRecord>();
        ASSIGN_OR_RETURN(FlagRecord flag,
                         LoadRecord<FlagRecord>(state_, Key("fl").Id(authority).U64(TrailingU64(key))));
        return std::optional<FlagRecord>(std::move(flag));
      });
}

// One range scan of ru/<authority>/ from the first day: the cost is the number
// of count entries in the range, bounded by rollup_count_keys_max.
Result<RollupCounts> Queries::RollupCountsOf(const Viewer& viewer, std::string_view authority_id,
                                             uint32_t from_day, uint32_t to_day) const {
  if (to_day <= from_day || to_day - from_day > limits_.rollup_days_max) {
    return Status::InvalidArgument("days: the range must hold 1.." + std::to_string(limits_.rollup_days_max) +
                                   " days (from before to)");
  }
  RETURN_IF_ERROR(RequireSubtree(viewer, authority_id));
  RollupCounts out{std::string(authority_id), {}, {}, {}, {}};
  for (uint32_t day = from_day; day < to_day; ++day) out.days.push_back(RollupDay{day, 0, 0, 0, 0});
  const std::string prefix = RollupCountPrefix(authority_id);
  const size_t metric_at = prefix.size() + 5, label_at = prefix.size() + 7;
  size_t read = 0;
  Status error;
  RETURN_IF_ERROR(state_.Scan(
      prefix, prefix + DayBytes(from_day), limits_.rollup_count_keys_max + 1,
      [&](std::string_view key, std::string_view value) {
        const uint32_t day = DayAt(key, prefix.size());
        if (day >= to_day) return false;
        if (++read > limits_.rollup_count_keys_max) {
          error =
              Status::ResourceExhausted("days: the range holds more than " +
                                        std::to_string(limits_.rollup_count_keys_max) + " counts; narrow it");
          return false;
        }
        if (key.size() <= metric_at || value.size() != 8) {
          error = Status::Corruption("roll-up count does not decode");
          return false;
        }
        uint64_t n = 0;
        for (char c : value) n = (n << 8) | static_cast<uint8_t>(c);
        RollupDay& slot = out.days[day - from_day];
        const std::string_view label = key.size() > label_at ? key.substr(label_at) : std::string_view();
        switch (static_cast<RollupMetric>(key[metric_at])) {
          case RollupMetric::kUses:
            slot.uses += n;
            break;
          case RollupMetric::kViolatingUses:
            slot.violating_uses += n;
            break;
          case RollupMetric::kViolationCode:
            out.violations_by_code[std::string(label)] += n;
            break;
          case RollupMetric::kDeadlinesMet:
            slot.deadlines_met += n;
            out.by_authority[std::string(label)]["deadlines_met"] += n;
            break;
          case RollupMetric::kFlags: {
            if (label.size() < 3) break;
            auto kind = static_cast<FlagKind>(static_cast<uint8_t>(label.back()));
            const std::string name(FlagKindName(kind));
            out.flags_by_kind[name] += n;
            out.by_authority[std::string(label.substr(0, label.size() - 2))][name] += n;
            if (IsDeadlineMiss(kind)) slot.deadlines_missed += n;
            break;
          }
        }
        return true;
      }));
  RETURN_IF_ERROR(error);
  return out;
}

}  // namespace shulian::ledger
