// The state-machine queries the node offers the API (ledger/queries.h), their
// parameters, and the JSON form of the records they return.
#include <charconv>
#include <limits>

#include "ledger/calendar.h"
#include "ledger/domain_types.h"
#include "ledger/queries.h"
#include "ledger/state_keys.h"
#include "node/node_impl.h"

namespace shulian::node {
namespace {

using nlohmann::json;
using ledger::EnumName;

std::string Name(auto value) { return std::string(EnumName(value)); }

json ToJson(const ledger::AssetRecord& a) {
  return {{"asset_id", a.id},
          {"provider_authority", a.provider_authority},
          {"registrar", a.registrar},
          {"source_department", a.source_department},
          {"dataset_code", a.dataset_code},
          {"name", a.name},
          {"description", a.description},
          {"resource_type", Name(a.resource_type)},
          {"grade", Name(a.grade)},
          {"contains_personal_data", a.contains_personal_data},
          {"fields", a.fields},
          {"format", a.format},
          {"update_frequency", Name(a.update_frequency)},
          {"share_type", Name(a.share_type)},
          {"open_type", Name(a.open_type)},
          {"content_hash", a.content_hash.ToHex()},
          {"size_bytes", a.size_bytes},
          {"version", a.version},
          {"status", Name(a.status)},
          {"disputed", a.disputed()},
          {"registered_ms", a.registered_ms},
          {"updated_ms", a.updated_ms}};
}

json ToJson(const ledger::HistoryEntry& h) {
  return {{"seq", h.seq},         {"time_ms", h.time_ms}, {"height", h.height}, {"tx_hash", h.tx_hash.ToHex()},
          {"tx_type", h.tx_type}, {"version", h.version}, {"summary", h.summary}};
}

json ToJson(const ledger::AccessRecord& r) {
  return {{"tx_hash", r.tx_hash.ToHex()},
          {"accessor", r.accessor},
          {"accessor_authority", r.accessor_authority},
          {"asset_id", r.asset_id},
          {"provider_authority", r.provider_authority},
          {"grant_id", r.grant_id.empty() ? json(nullptr) : json(r.grant_id)},
          {"purpose", r.purpose},
          {"business_scenario", r.business_scenario},
          {"fields", r.fields},
          {"row_count", r.row_count},
          {"result_digest", r.result_digest.ToHex()},
          {"mode", Name(r.mode)},
          {"third_party", r.third_party},
          {"subject_authorisation_hash",
           r.subject_authorisation_hash ? json(r.subject_authorisation_hash->ToHex()) : json(nullptr)},
          {"time_ms", r.time_ms},
          {"height", r.height},
          {"violations", r.violations}};
}

json ToJson(const ledger::GrantRecord& g) {
  return {{"grant_id", g.id},
          {"asset_id", g.asset_id},
          {"grantee", g.grantee},
          {"grantee_authority", g.grantee_authority},
          {"provider_authority", g.provider_authority},
          {"fields", g.terms.fields},
          {"business_scenario", g.terms.business_scenario},
          {"duration_days", g.terms.duration_days},
          {"mode", Name(g.terms.mode)},
          {"desensitised", g.terms.desensitised},
          {"conditions", g.conditions},
          {"granted_ms", g.granted_ms},
          {"expiry_ms", g.expiry_ms},
          {"status", Name(g.status)},
          {"deemed", g.deemed},
          {"last_reason", g.last_reason},
          {"delivery_due_ms", g.delivery_due_ms},
          {"delivered_ms", g.delivered() ? json(g.delivered_ms) : json(nullptr)},
          {"delivery_overdue", g.delivery_overdue},
          {"delivered_late", g.delivered_late},
          {"delivery_digest", g.delivery_digest ? json(g.delivery_digest->ToHex()) : json(nullptr)},
          {"delivery_note", g.delivery_note}};
}

json ToJson(const ledger::RequestRecord& r) {
  return {{"request_id", r.id},
          {"requester", r.requester},
          {"requester_authority", r.requester_authority},
          {"asset_id", r.asset_id},
          {"provider_authority", r.provider_authority},
          {"purpose", r.purpose},
          {"business_scenario", r.business_scenario},
          {"fields", r.fields},
          {"mode", Name(r.mode)},
          {"duration_days", r.duration_days},
          {"status", Name(r.status)},
          {"created_ms", r.created_ms},
          {"due_ms", r.due_ms},
          {"decided_ms", r.decided_ms},
          {"answered_late", r.answered_late},
          {"deemed", r.deemed},
          {"decision_reason", r.decision_reason}};
}

json ToJson(const ledger::ObjectionRecord& o) {
  return {{"objection_id", o.id},
          {"asset_id", o.asset_id},
          {"provider_authority", o.provider_authority},
          {"raiser", o.raiser},
          {"kind", Name(o.kind)},
          {"fields", o.fields},
          {"description_hash", o.description_hash.ToHex()},
          {"status", Name(o.status)},
          {"asset_version", o.asset_version},
          {"raised_ms", o.raised_ms},
          {"due_ms", o.due_ms},
          {"overdue", o.overdue},
          {"answered_late", o.answered_late},
          {"answer", o.answer ? json(Name(*o.answer)) : json(nullptr)},
          {"answer_reason", o.answer_reason},
          {"discovered_ms", o.discovered_ms ? json(*o.discovered_ms) : json(nullptr)},
          {"report_due_ms", o.report_due_ms},
          {"reported_late", o.reported_late}};
}

json ToJson(const ledger::FlagRecord& f) {
  return {{"seq", f.seq},
          {"kind", std::string(ledger::FlagKindName(f.kind))},
          {"authority_id", f.authority_id},
          {"subject_kind", Name(f.subject_kind)},
          {"subject_id", f.subject_id},
          {"detail", f.detail},
          {"time_ms", f.time_ms},
          {"tx_hash", f.tx_hash.ToHex()}};
}

json ToJson(const ledger::DisputeRecord& d) {
  json refs = json::array();
  for (const crypto::Digest& ref : d.record_refs) refs.push_back(ref.ToHex());
  json orders = json::array();
  for (const ledger::DisputeOrder& o : d.orders) {
    orders.push_back({{"kind", Name(o.kind)},
                      {"target_kind", Name(o.target_kind)},
                      {"target_id", o.target_id},
                      {"detail", o.detail}});
  }
  bool closed = d.status == ledger::DisputeStatus::kClosed;
  return {{"dispute_id", d.id},
          {"opener", d.opener},
          {"subject", d.subject},
          {"record_refs", refs},
          {"status", Name(d.status)},
          {"opened_ms", d.opened_ms},
          {"closed_ms", closed ? json(d.closed_ms) : json(nullptr)},
          {"closer", closed ? json(d.closer) : json(nullptr)},
          {"ruling_hash", closed ? json(d.ruling_hash.ToHex()) : json(nullptr)},
          {"summary", d.summary},
          {"orders", orders}};
}

template <typename T>
api::QueryPage PageJson(const ledger::Page<T>& page) {
  api::QueryPage out{json::array(), std::nullopt};
  for (const T& item : page.items) out.result.push_back(ToJson(item));
  if (!page.next_cursor.empty()) out.next_cursor = page.next_cursor;
  return out;
}

const std::string& Param(const api::QueryRequest& r, const std::string& name) {
  static const std::string kEmpty;
  auto it = r.params.find(name);
  return it == r.params.end() ? kEmpty : it->second;
}

Result<int64_t> ParseTime(const api::QueryRequest& r, const std::string& name, int64_t fallback) {
  const std::string& text = Param(r, name);
  if (text.empty()) return fallback;
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value < 0) {
    return Status::InvalidArgument(name + ": expected non-negative Unix milliseconds");
  }
  return value;
}

Result<ledger::TimeRange> Range(const api::QueryRequest& r) {
  ledger::TimeRange range;
  ASSIGN_OR_RETURN(range.from_ms, ParseTime(r, "from_ms", 0));
  ASSIGN_OR_RETURN(range.to_ms, ParseTime(r, "to_ms", std::numeric_limits<int64_t>::max()));
  return range;
}

template <typename E>
Result<E> ParseEnum(const std::string& field, const std::string& text) {
  std::optional<E> value = ledger::EnumFromName<E>(text);
  if (!value) return Status::InvalidArgument(field + ": unknown value \"" + text + "\"");
  return *value;
}

// Flag kinds have their own wire names (ledger/state_keys.h), numbered from 1.
Result<ledger::FlagKind> ParseFlagKind(const std::string& text) {
  for (uint8_t raw = 1; raw <= ledger::kFlagKindMax; ++raw) {
    auto kind = static_cast<ledger::FlagKind>(raw);
    if (ledger::FlagKindName(kind) == text) return kind;
  }
  return Status::InvalidArgument("kind: unknown flag kind \"" + text + "\"");
}

// The court-wide queries (every authority; courts, arbitrators, auditors and
// operators only). Nullopt: `name` is not one of them.
std::optional<Result<api::QueryPage>> RunCourtWideQuery(const ledger::Queries& queries, const ledger::Viewer& viewer,
                                                        const api::QueryRequest& request,
                                                        const ledger::PageRequest& page) {
  const std::string& name = request.name;
  auto paged = [](auto result) -> Result<api::QueryPage> {
    if (!result.ok()) return result.status();
    return PageJson(*result);
  };
  if (name == "access_all" || name == "violations_all") {
    Result<ledger::TimeRange> range = Range(request);
    if (!range.ok()) return range.status();
    if (name == "access_all") return paged(queries.AllAccess(viewer, *range, page));
    return paged(queries.AllViolations(viewer, *range, page));
  }
  if (name == "overdue_all") return paged(queries.AllOverdue(viewer, page));
  if (name == "flags_by_kind") {
    Result<ledger::FlagKind> kind = ParseFlagKind(Param(request, "kind"));
    if (!kind.ok()) return kind.status();
    return paged(queries.FlagsByKind(viewer, *kind, page));
  }
  if (name == "requests_by_status_all") {
    Result<ledger::RequestStatus> status = ParseEnum<ledger::RequestStatus>("status", Param(request, "status"));
    if (!status.ok()) return status.status();
    return paged(queries.AllRequestsByStatus(viewer, *status, page));
  }
  if (name == "objections_by_status_all") {
    Result<ledger::ObjectionStatus> status = ParseEnum<ledger::ObjectionStatus>("status", Param(request, "status"));
    if (!status.ok()) return status.status();
    return paged(queries.AllObjectionsByStatus(viewer, *status, page));
  }
  if (name == "disputes_by_status") {
    Result<ledger::DisputeStatus> status = ParseEnum<ledger::DisputeStatus>("status", Param(request, "status"));
    if (!status.ok()) return status.status();
    return paged(queries.DisputesByStatus(viewer, *status, page));
  }
  if (name == "dispute") {
    Result<ledger::DisputeRecord> dispute = queries.Dispute(viewer, Param(request, "dispute_id"));
    if (!dispute.ok()) return dispute.status();
    return api::QueryPage{ToJson(*dispute), std::nullopt};
  }
  return std::nullopt;
}

// A CST civil date "YYYY-MM-DD" as days since 1970-01-01.
Result<uint32_t> ParseDay(const api::QueryRequest& r, const std::string& name) {
  Result<ledger::Date> date = ledger::Date::Parse(Param(r, name));
  if (!date.ok()) return Status::InvalidArgument(name + ": expected a date YYYY-MM-DD (China Standard Time)");
  return static_cast<uint32_t>(date->ToDays());
}

json ToJson(const ledger::RollupCounts& c) {
  json days = json::array();
  json totals = {{"uses", 0}, {"violating_uses", 0}, {"deadlines_met", 0}, {"deadlines_missed", 0}};
  for (const ledger::RollupDay& d : c.days) {
    const ledger::Date date = ledger::Date::FromDays(d.day);
    days.push_back({{"day", date.ToString()},
                    {"from_ms", ledger::EndOfDayMs(date) - ledger::kMillisPerDay},
                    {"to_ms", ledger::EndOfDayMs(date)},
                    {"uses", d.uses},
                    {"violating_uses", d.violating_uses},
                    {"deadlines_met", d.deadlines_met},
                    {"deadlines_missed", d.deadlines_missed}});
    totals["uses"] = totals["uses"].get<uint64_t>() + d.uses;
    totals["violating_uses"] = totals["violating_uses"].get<uint64_t>() + d.violating_uses;
    totals["deadlines_met"] = totals["deadlines_met"].get<uint64_t>() + d.deadlines_met;
    totals["deadlines_missed"] = totals["deadlines_missed"].get<uint64_t>() + d.deadlines_missed;
  }
  return {{"authority_id", c.authority_id},   {"days", days},
          {"totals", totals},                 {"flags_by_kind", c.flags_by_kind},
          {"violations_by_code", c.violations_by_code}, {"by_authority", c.by_authority}};
}

// The roll-ups over an authority's subtree. Nullopt: `name` is not one of them.
std::optional<Result<api::QueryPage>> RunRollupQuery(const ledger::Queries& queries, const ledger::Viewer& viewer,
                                                     const api::QueryRequest& request,
                                                     const ledger::PageRequest& page) {
  const std::string& name = request.name;
  const std::string& authority = Param(request, "authority_id");
  auto paged = [](auto result) -> Result<api::QueryPage> {
    if (!result.ok()) return result.status();
    return PageJson(*result);
  };
  if (name == "rollup_counts") {
    Result<uint32_t> from = ParseDay(request, "from_day");
    if (!from.ok()) return from.status();
    Result<uint32_t> to = ParseDay(request, "to_day");
    if (!to.ok()) return to.status();
    Result<ledger::RollupCounts> counts = queries.RollupCountsOf(viewer, authority, *from, *to);
    if (!counts.ok()) return counts.status();
    return api::QueryPage{ToJson(*counts), std::nullopt};
  }
  if (name != "rollup_access" && name != "rollup_violations" && name != "rollup_flags") return std::nullopt;
  Result<ledger::TimeRange> range = Range(request);
  if (!range.ok()) return range.status();
  if (name == "rollup_flags") {
    Result<ledger::FlagKind> kind = ParseFlagKind(Param(request, "kind"));
    if (!kind.ok()) return kind.status();
    return paged(queries.RollupFlags(viewer, authority, *kind, *range, page));
  }
  return paged(queries.RollupAccess(viewer, authority, name == "rollup_violations", *range, page));
}

json ToJson(const ledger::AccountRecord& a) {
  json roles = json::array();
  for (ledger::Role role : a.roles) roles.push_back(Name(role));
  return {{"account_id", a.id},
          {"authority_id", a.authority_id},
          {"roles", roles},
          {"name", a.name},
          {"organisation", a.organisation},
          {"status", Name(a.status)},
          {"public_key", a.public_key.ToHex()}};
}

json ToJson(const ledger::CalendarDays& c) {
  json days = json::array();
  for (const ledger::CalendarDay& d : c.days) {
    const ledger::Date date = ledger::Date::FromDays(d.day);
    days.push_back({{"day", date.ToString()},
                    {"from_ms", ledger::EndOfDayMs(date) - ledger::kMillisPerDay},
                    {"to_ms", ledger::EndOfDayMs(date)},
                    {"working", d.working},
                    {"covered", d.covered}});
  }
  return {{"authority_id", c.authority_id},
          {"calendar_id", c.calendar_id},
          {"calendar_name", c.calendar_name},
          {"first_year", c.first_year == 0 ? json(nullptr) : json(c.first_year)},
          {"last_year", c.last_year == 0 ? json(nullptr) : json(c.last_year)},
          {"days", days}};
}

// What an authority's page reads of itself: its assets, an account, its calendar.
// Nullopt: `name` is not one of them.
std::optional<Result<api::QueryPage>> RunAuthorityQuery(const ledger::Queries& queries,
                                                        const ledger::Viewer& viewer,
                                                        const api::QueryRequest& request,
                                                        const ledger::PageRequest& page) {
  const std::string& name = request.name;
  if (name == "assets_by_authority") {
    Result<ledger::Page<ledger::AssetRecord>> assets =
        queries.AssetsByAuthority(viewer, Param(request, "authority_id"), page);
    if (!assets.ok()) return assets.status();
    return PageJson(*assets);
  }
  if (name == "account") {
    Result<ledger::AccountRecord> account = queries.Account(viewer, Param(request, "account_id"));
    if (!account.ok()) return account.status();
    return api::QueryPage{ToJson(*account), std::nullopt};
  }
  if (name == "calendar") {
    Result<uint32_t> from = ParseDay(request, "from_day");
    if (!from.ok()) return from.status();
    Result<uint32_t> to = ParseDay(request, "to_day");
    if (!to.ok()) return to.status();
    Result<ledger::CalendarDays> days =
        queries.WorkingDays(viewer, Param(request, "authority_id"), *from, *to);
    if (!days.ok()) return days.status();
    return api::QueryPage{ToJson(*days), std::nullopt};
  }
  return std::nullopt;
}

}  // namespace

std::vector<api::QueryInfo> LedgerQueryInfos() {
  const std::vector<std::string> range = {"from_ms", "to_ms"};
  return {
      {"asset", "One asset and its versions.", {"asset_id"}, {}, false, false},
      {"asset_history", "Every change of an asset, oldest first.", {"asset_id"}, {}, true, false},
      {"assets_by_authority", "Every asset a provider authority registered, in any status, by id.",
       {"authority_id"}, {}, true, false},
      {"account", "One account: its authority, roles, name, organisation, status and public key.",
       {"account_id"}, {}, false, false},
      {"calendar", "The working-day calendar of an authority's policy, each CST day marked working or not.",
       {"authority_id", "from_day", "to_day"}, {}, false, false},
      {"access_by_asset", "Access records of an asset in a time range.", {"asset_id"}, range, true, false},
      {"access_by_account", "Access records of an account in a time range.", {"account_id"}, range, true, false},
      {"access_by_authority", "Access records touching an authority.", {"authority_id"}, range, true, false},
      {"violations", "Access records flagged as violations touching an authority.", {"authority_id"}, range, true,
       false},
      {"grants_by_asset", "Grants of an asset.", {"asset_id"}, {}, true, false},
      {"grants_by_user", "Grants held by an account.", {"account_id"}, {}, true, false},
      {"requests_by_status", "Share requests to a provider authority in one status.", {"authority_id", "status"}, {},
       true, false},
      {"objections_by_status", "Objections to a provider authority in one status.", {"authority_id", "status"}, {},
       true, false},
      {"overdue", "Items flagged to an authority's supervisor (overdue, late, violations), oldest first.",
       {"authority_id"}, {}, true, false},
      {"supervisor_summary", "An authority's supervision counters.", {"authority_id"}, {}, false, false},
      {"rollup_access", "Roll-up: access records touching an authority's subtree, in time order.", {"authority_id"},
       range, true, false},
      {"rollup_violations", "Roll-up: accesses with a violation touching an authority's subtree, in time order.",
       {"authority_id"}, range, true, false},
      {"rollup_flags", "Roll-up: flags of one kind raised in an authority's subtree, in time order.",
       {"authority_id", "kind"}, range, true, false},
      {"rollup_counts", "Roll-up: counts per CST day over an authority's subtree (charts).",
       {"authority_id", "from_day", "to_day"}, {}, false, false},
      {"access_all", "Court-wide: every access record in a time range.", {}, range, true, false},
      {"violations_all", "Court-wide: every access flagged as a violation, in time order.", {}, range, true, false},
      {"overdue_all", "Court-wide: every missed deadline (overdue or answered late), in order.", {}, {}, true,
       false},
      {"flags_by_kind", "Court-wide: every flag of one kind (e.g. catalog_update_overdue).", {"kind"}, {}, true,
       false},
      {"requests_by_status_all", "Court-wide: share requests in one status at every authority.", {"status"}, {},
       true, false},
      {"objections_by_status_all", "Court-wide: objections and tasks in one status at every authority.",
       {"status"}, {}, true, false},
      {"disputes_by_status", "Court-wide: dispute cases in one status (open, closed).", {"status"}, {}, true,
       false},
      {"dispute", "One dispute case with its record references and ruling.", {"dispute_id"}, {}, false, false},
      {std::string(api::kCatalogQueryName), "The open catalog: unconditionally open assets.", {}, {}, true, true},
  };
}

Result<api::QueryPage> RunLedgerQuery(const ledger::StateStore& state, const ledger::QueryLimits& limits,
                                      const api::QueryRequest& request) {
  ledger::Queries queries(state, limits);
  ledger::Viewer viewer;
  if (!request.caller.anonymous()) {
    ASSIGN_OR_RETURN(viewer, queries.ViewerFor(*request.caller.account));
  }
  const ledger::PageRequest page{request.cursor, request.limit};
  const std::string& name = request.name;
  if (std::optional<Result<api::QueryPage>> answer = RunCourtWideQuery(queries, viewer, request, page)) {
    return std::move(*answer);
  }
  if (std::optional<Result<api::QueryPage>> answer = RunRollupQuery(queries, viewer, request, page)) {
    return std::move(*answer);
  }
  if (std::optional<Result<api::QueryPage>> answer = RunAuthorityQuery(queries, viewer, request, page)) {
    return std::move(*answer);
  }
  if (name == "asset") {
    ASSIGN_OR_RETURN(ledger::AssetView view, queries.Asset(viewer, Param(request, "asset_id")));
    json out = ToJson(view.asset);
    out["versions"] = view.versions;
    return api::QueryPage{std::move(out), std::nullopt};
  }
  if (name == "asset_history") {
    ASSIGN_OR_RETURN(auto p, queries.AssetHistory(viewer, Param(request, "asset_id"), page));
    return PageJson(p);
  }
  if (name == "access_by_asset" || name == "access_by_account" || name == "access_by_authority" ||
      name == "violations") {
    ASSIGN_OR_RETURN(ledger::TimeRange range, Range(request));
    Result<ledger::Page<ledger::AccessRecord>> p = Status::Internal("unreached");
    if (name == "access_by_asset") p = queries.AccessByAsset(viewer, Param(request, "asset_id"), range, page);
    if (name == "access_by_account") p = queries.AccessByAccount(viewer, Param(request, "account_id"), range, page);
    if (name == "access_by_authority") {
      p = queries.AccessByAuthority(viewer, Param(request, "authority_id"), range, page);
    }
    if (name == "violations") p = queries.ViolationsByAuthority(viewer, Param(request, "authority_id"), range, page);
    if (!p.ok()) return p.status();
    return PageJson(*p);
  }
  if (name == "grants_by_asset") {
    ASSIGN_OR_RETURN(auto p, queries.GrantsByAsset(viewer, Param(request, "asset_id"), page));
    return PageJson(p);
  }
  if (name == "grants_by_user") {
    ASSIGN_OR_RETURN(auto p, queries.GrantsByUser(viewer, Param(request, "account_id"), page));
    return PageJson(p);
  }
  if (name == "requests_by_status") {
    ASSIGN_OR_RETURN(auto status, ParseEnum<ledger::RequestStatus>("status", Param(request, "status")));
    ASSIGN_OR_RETURN(auto p, queries.RequestsByStatus(viewer, Param(request, "authority_id"), status, page));
    return PageJson(p);
  }
  if (name == "objections_by_status") {
    ASSIGN_OR_RETURN(auto status, ParseEnum<ledger::ObjectionStatus>("status", Param(request, "status")));
    ASSIGN_OR_RETURN(auto p, queries.ObjectionsByStatus(viewer, Param(request, "authority_id"), status, page));
    return PageJson(p);
  }
  if (name == "overdue") {
    ASSIGN_OR_RETURN(auto p, queries.FlagsForAuthority(viewer, Param(request, "authority_id"), page));
    return PageJson(p);
  }
  if (name == "supervisor_summary") {
    ASSIGN_OR_RETURN(ledger::AuthoritySummary summary, queries.Summary(viewer, Param(request, "authority_id")));
    return api::QueryPage{json{{"authority_id", summary.authority_id}, {"counters", summary.counters}}, std::nullopt};
  }
  if (name == api::kCatalogQueryName) {
    ASSIGN_OR_RETURN(auto p, queries.OpenCatalog(page));
    return PageJson(p);
  }
  return Status::NotFound("unknown query \"" + name + "\"");
}

}  // namespace shulian::node
