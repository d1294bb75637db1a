#include "ledger/state_keys.h"

#include <algorithm>
#include <span>
#include <utility>

namespace shulian::ledger {
namespace {

// Records are written by the state machine itself; these bounds only stop a
// corrupt record from asking for absurd allocations.
constexpr size_t kRecordStringBytesMax = 1 << 20;
constexpr uint32_t kRecordListItemsMax = 1 << 16;

void PutStrings(ByteWriter& w, const std::vector<std::string>& items) {
  w.PutU32(static_cast<uint32_t>(items.size()));
  for (const auto& item : items) w.PutString(item);
}

Result<std::vector<std::string>> GetStrings(ByteReader& r) {
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > kRecordListItemsMax) return Status::Corruption("record list too long");
  std::vector<std::string> items;
  items.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::string item, r.GetString(kRecordStringBytesMax));
    items.push_back(std::move(item));
  }
  return items;
}

Result<std::string> GetStr(ByteReader& r) { return r.GetString(kRecordStringBytesMax); }

template <typename E>
void PutEnum(ByteWriter& w, E value) {
  w.PutU8(static_cast<uint8_t>(value));
}

template <typename E>
Result<E> GetEnum(ByteReader& r) {
  ASSIGN_OR_RETURN(uint8_t raw, r.GetU8());
  std::optional<E> value = EnumFromValue<E>(raw);
  if (!value) return Status::Corruption("record holds an unknown " + std::string(EnumInfo<E>::kWhat));
  return *value;
}

void PutDigest(ByteWriter& w, const crypto::Digest& d) { w.PutFixed(d.bytes); }
Result<crypto::Digest> GetDigest(ByteReader& r) {
  crypto::Digest d;
  ASSIGN_OR_RETURN(d.bytes, r.GetArray<32>());
  return d;
}

// A presence byte, then the digest when present.
void PutOptionalDigest(ByteWriter& w, const std::optional<crypto::Digest>& d) {
  w.PutBool(d.has_value());
  if (d) PutDigest(w, *d);
}
Result<std::optional<crypto::Digest>> GetOptionalDigest(ByteReader& r) {
  ASSIGN_OR_RETURN(bool present, r.GetBool());
  if (!present) return std::optional<crypto::Digest>();
  ASSIGN_OR_RETURN(crypto::Digest d, GetDigest(r));
  return std::optional<crypto::Digest>(d);
}

}  // namespace

// ---------- keys ----------

Key& Key::U8(uint8_t value) {
  key_ += '/';
  key_ += static_cast<char>(value);
  return *this;
}

Key& Key::U32(uint32_t value) {
  key_ += '/';
  for (int shift = 24; shift >= 0; shift -= 8) key_ += static_cast<char>((value >> shift) & 0xff);
  return *this;
}

Key& Key::U64(uint64_t value) {
  key_ += '/';
  for (int shift = 56; shift >= 0; shift -= 8) key_ += static_cast<char>((value >> shift) & 0xff);
  return *this;
}

Key& Key::Fixed(ByteView bytes) {
  key_ += '/';
  key_.append(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  return *this;
}

uint64_t TrailingU64(std::string_view key) {
  assert(key.size() >= 8);
  uint64_t value = 0;
  for (size_t i = key.size() - 8; i < key.size(); ++i) value = (value << 8) | static_cast<uint8_t>(key[i]);
  return value;
}

std::string DeadlineKey(int64_t due_ms, DeadlineKind kind, std::string_view id) {
  return Key("dl").Time(due_ms).U8(static_cast<uint8_t>(kind)).Id(id).str();
}

uint32_t CstDay(int64_t time_ms) {
  return static_cast<uint32_t>((std::max<int64_t>(time_ms, 0) + 8 * 3'600'000) / 86'400'000);
}

std::string AssetOfAuthorityKey(std::string_view authority_id, std::string_view asset_id) {
  return Key("ix").Id("as-auth").Id(authority_id).Id(asset_id).str();
}

std::string AssetsOfAuthorityPrefix(std::string_view authority_id) {
  return Key("ix").Id("as-auth").Id(authority_id).Prefix();
}

std::string RollupCountPrefix(std::string_view ancestor) {
  return Key("ru").Id(ancestor).Prefix();
}

std::string RollupAccessPrefix(std::string_view ancestor, bool violations_only) {
  return Key("ix").Id(violations_only ? "xv-sub" : "x-sub").Id(ancestor).Prefix();
}

std::string RollupFlagPrefix(std::string_view ancestor, FlagKind kind) {
  return Key("ix").Id("fl-sub").Id(ancestor).U8(static_cast<uint8_t>(kind)).Prefix();
}

std::string_view FlagKindName(FlagKind kind) {
  switch (kind) {
    case FlagKind::kShareReviewOverdue: return "share_review_overdue";
    case FlagKind::kShareDeemedApproved: return "share_deemed_approved";
    case FlagKind::kDuplicateSource: return "duplicate_source";
    case FlagKind::kLateShareAnswer: return "late_share_answer";
    case FlagKind::kAccessViolation: return "access_violation";
    case FlagKind::kObjectionOverdue: return "objection_overdue";
    case FlagKind::kLateObjectionAnswer: return "late_objection_answer";
    case FlagKind::kObjectionEscalated: return "objection_escalated";
    case FlagKind::kSanction: return "sanction";
    case FlagKind::kAggregationOverdue: return "aggregation_overdue";
    case FlagKind::kOpenAnswerOverdue: return "open_answer_overdue";
    case FlagKind::kCopyConsentNeeded: return "copy_consent_needed";
    case FlagKind::kCatalogUpdateOverdue: return "catalog_update_overdue";
    case FlagKind::kShareDeliveryOverdue: return "share_delivery_overdue";
    case FlagKind::kLateObjectionReport: return "late_objection_report";
  }
  return "unknown";
}

bool IsDeadlineMiss(FlagKind kind) {
  switch (kind) {
    case FlagKind::kShareReviewOverdue:
    case FlagKind::kLateShareAnswer:
    case FlagKind::kObjectionOverdue:
    case FlagKind::kLateObjectionAnswer:
    case FlagKind::kAggregationOverdue:
    case FlagKind::kOpenAnswerOverdue:
    case FlagKind::kCatalogUpdateOverdue:
    case FlagKind::kShareDeliveryOverdue:
    case FlagKind::kLateObjectionReport: return true;
    default: return false;
  }
}

std::string_view CounterName(Counter counter) {
  switch (counter) {
    case Counter::kRequests: return "requests";
    case Counter::kApprovals: return "approvals";
    case Counter::kRefusals: return "refusals";
    case Counter::kDeemedApprovals: return "deemed_approvals";
    case Counter::kOverdueReviews: return "overdue_reviews";
    case Counter::kLateAnswers: return "late_answers";
    case Counter::kOpenObjections: return "open_objections";
    case Counter::kViolations: return "violations";
    case Counter::kDuplicateSources: return "duplicate_sources";
    case Counter::kOverdueObjections: return "overdue_objections";
    case Counter::kOverdueCatalogUpdates: return "overdue_catalog_updates";
    case Counter::kOverdueShareDeliveries: return "overdue_share_deliveries";
    case Counter::kLateObjectionReports: return "late_objection_reports";
  }
  return "unknown";
}

// ---------- records ----------

void ChainParamsRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(network_id);
  w.PutI64(client_time_window_ms);
  PutDigest(w, genesis_hash);
}
Result<ChainParamsRecord> ChainParamsRecord::DecodeFrom(ByteReader& r) {
  ChainParamsRecord p;
  ASSIGN_OR_RETURN(p.network_id, GetStr(r));
  ASSIGN_OR_RETURN(p.client_time_window_ms, r.GetI64());
  ASSIGN_OR_RETURN(p.genesis_hash, GetDigest(r));
  return p;
}

void AuthorityRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(name);
  PutEnum(w, level);
  w.PutString(parent_id);
}
Result<AuthorityRecord> AuthorityRecord::DecodeFrom(ByteReader& r) {
  AuthorityRecord a;
  ASSIGN_OR_RETURN(a.id, GetStr(r));
  ASSIGN_OR_RETURN(a.name, GetStr(r));
  ASSIGN_OR_RETURN(a.level, GetEnum<AuthorityLevel>(r));
  ASSIGN_OR_RETURN(a.parent_id, GetStr(r));
  return a;
}

bool AccountRecord::HasRole(Role role) const {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}
void AccountRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(authority_id);
  w.PutU32(static_cast<uint32_t>(roles.size()));
  for (Role role : roles) PutEnum(w, role);
  w.PutFixed(public_key.bytes);
  w.PutString(name);
  w.PutString(organisation);
  PutEnum(w, status);
}
Result<AccountRecord> AccountRecord::DecodeFrom(ByteReader& r) {
  AccountRecord a;
  ASSIGN_OR_RETURN(a.id, GetStr(r));
  ASSIGN_OR_RETURN(a.authority_id, GetStr(r));
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > kRecordListItemsMax) return Status::Corruption("account roles too long");
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(Role role, GetEnum<Role>(r));
    a.roles.push_back(role);
  }
  ASSIGN_OR_RETURN(a.public_key.bytes, r.GetArray<32>());
  ASSIGN_OR_RETURN(a.name, GetStr(r));
  ASSIGN_OR_RETURN(a.organisation, GetStr(r));
  ASSIGN_OR_RETURN(a.status, GetEnum<AccountStatus>(r));
  return a;
}

void ValidatorRecord::EncodeTo(ByteWriter& w) const {
  w.PutU64(node_id);
  w.PutString(name);
  w.PutString(authority_id);
  w.PutFixed(public_key.bytes);
  w.PutBool(removed);
}
Result<ValidatorRecord> ValidatorRecord::DecodeFrom(ByteReader& r) {
  ValidatorRecord v;
  ASSIGN_OR_RETURN(v.node_id, r.GetU64());
  ASSIGN_OR_RETURN(v.name, GetStr(r));
  ASSIGN_OR_RETURN(v.authority_id, GetStr(r));
  ASSIGN_OR_RETURN(v.public_key.bytes, r.GetArray<32>());
  ASSIGN_OR_RETURN(v.removed, r.GetBool());
  return v;
}

void AssetRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(provider_authority);
  w.PutString(registrar);
  w.PutString(source_department);
  w.PutString(dataset_code);
  w.PutString(name);
  w.PutString(description);
  PutEnum(w, resource_type);
  PutEnum(w, grade);
  w.PutBool(contains_personal_data);
  PutStrings(w, fields);
  w.PutString(format);
  PutEnum(w, update_frequency);
  PutEnum(w, share_type);
  w.PutString(share_reason);
  w.PutString(share_legal_basis);
  PutEnum(w, open_type);
  w.PutString(open_reason);
  w.PutString(open_legal_basis);
  PutDigest(w, content_hash);
  w.PutU64(size_bytes);
  w.PutU32(version);
  PutEnum(w, status);
  w.PutU32(open_objections);
  w.PutU32(history_count);
  w.PutI64(registered_ms);
  w.PutI64(updated_ms);
}
Result<AssetRecord> AssetRecord::DecodeFrom(ByteReader& r) {
  AssetRecord a;
  ASSIGN_OR_RETURN(a.id, GetStr(r));
  ASSIGN_OR_RETURN(a.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(a.registrar, GetStr(r));
  ASSIGN_OR_RETURN(a.source_department, GetStr(r));
  ASSIGN_OR_RETURN(a.dataset_code, GetStr(r));
  ASSIGN_OR_RETURN(a.name, GetStr(r));
  ASSIGN_OR_RETURN(a.description, GetStr(r));
  ASSIGN_OR_RETURN(a.resource_type, GetEnum<ResourceType>(r));
  ASSIGN_OR_RETURN(a.grade, GetEnum<ClassificationGrade>(r));
  ASSIGN_OR_RETURN(a.contains_personal_data, r.GetBool());
  ASSIGN_OR_RETURN(a.fields, GetStrings(r));
  ASSIGN_OR_RETURN(a.format, GetStr(r));
  ASSIGN_OR_RETURN(a.update_frequency, GetEnum<UpdateFrequency>(r));
  ASSIGN_OR_RETURN(a.share_type, GetEnum<ShareType>(r));
  ASSIGN_OR_RETURN(a.share_reason, GetStr(r));
  ASSIGN_OR_RETURN(a.share_legal_basis, GetStr(r));
  ASSIGN_OR_RETURN(a.open_type, GetEnum<OpenType>(r));
  ASSIGN_OR_RETURN(a.open_reason, GetStr(r));
  ASSIGN_OR_RETURN(a.open_legal_basis, GetStr(r));
  ASSIGN_OR_RETURN(a.content_hash, GetDigest(r));
  ASSIGN_OR_RETURN(a.size_bytes, r.GetU64());
  ASSIGN_OR_RETURN(a.version, r.GetU32());
  ASSIGN_OR_RETURN(a.status, GetEnum<AssetStatus>(r));
  ASSIGN_OR_RETURN(a.open_objections, r.GetU32());
  ASSIGN_OR_RETURN(a.history_count, r.GetU32());
  ASSIGN_OR_RETURN(a.registered_ms, r.GetI64());
  ASSIGN_OR_RETURN(a.updated_ms, r.GetI64());
  return a;
}

void HistoryEntry::EncodeTo(ByteWriter& w) const {
  w.PutU32(seq);
  w.PutI64(time_ms);
  w.PutU64(height);
  PutDigest(w, tx_hash);
  w.PutU16(tx_type);
  w.PutU32(version);
  w.PutString(summary);
}
Result<HistoryEntry> HistoryEntry::DecodeFrom(ByteReader& r) {
  HistoryEntry h;
  ASSIGN_OR_RETURN(h.seq, r.GetU32());
  ASSIGN_OR_RETURN(h.time_ms, r.GetI64());
  ASSIGN_OR_RETURN(h.height, r.GetU64());
  ASSIGN_OR_RETURN(h.tx_hash, GetDigest(r));
  ASSIGN_OR_RETURN(h.tx_type, r.GetU16());
  ASSIGN_OR_RETURN(h.version, r.GetU32());
  ASSIGN_OR_RETURN(h.summary, GetStr(r));
  return h;
}

void EncodeTerms(ByteWriter& w, const GrantTerms& terms) {
  PutStrings(w, terms.fields);
  w.PutString(terms.business_scenario);
  w.PutU32(terms.duration_days);
  PutEnum(w, terms.mode);
  w.PutBool(terms.desensitised);
}
Result<GrantTerms> DecodeTerms(ByteReader& r) {
  GrantTerms t;
  ASSIGN_OR_RETURN(t.fields, GetStrings(r));
  ASSIGN_OR_RETURN(t.business_scenario, GetStr(r));
  ASSIGN_OR_RETURN(t.duration_days, r.GetU32());
  ASSIGN_OR_RETURN(t.mode, GetEnum<AccessMode>(r));
  ASSIGN_OR_RETURN(t.desensitised, r.GetBool());
  return t;
}

void RequestRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(requester);
  w.PutString(requester_authority);
  w.PutString(asset_id);
  w.PutString(provider_authority);
  w.PutString(purpose);
  w.PutString(business_scenario);
  PutStrings(w, fields);
  PutEnum(w, mode);
  w.PutU32(duration_days);
  PutEnum(w, status);
  w.PutI64(created_ms);
  w.PutI64(due_ms);
  w.PutI64(decided_ms);
  w.PutBool(answered_late);
  w.PutBool(deemed);
  w.PutBool(pending_terms.has_value());
  if (pending_terms) EncodeTerms(w, *pending_terms);
  w.PutString(decision_reason);
  w.PutString(decision_legal_basis);
  w.PutBool(without_review);
}
Result<RequestRecord> RequestRecord::DecodeFrom(ByteReader& r) {
  RequestRecord q;
  ASSIGN_OR_RETURN(q.id, GetStr(r));
  ASSIGN_OR_RETURN(q.requester, GetStr(r));
  ASSIGN_OR_RETURN(q.requester_authority, GetStr(r));
  ASSIGN_OR_RETURN(q.asset_id, GetStr(r));
  ASSIGN_OR_RETURN(q.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(q.purpose, GetStr(r));
  ASSIGN_OR_RETURN(q.business_scenario, GetStr(r));
  ASSIGN_OR_RETURN(q.fields, GetStrings(r));
  ASSIGN_OR_RETURN(q.mode, GetEnum<AccessMode>(r));
  ASSIGN_OR_RETURN(q.duration_days, r.GetU32());
  ASSIGN_OR_RETURN(q.status, GetEnum<RequestStatus>(r));
  ASSIGN_OR_RETURN(q.created_ms, r.GetI64());
  ASSIGN_OR_RETURN(q.due_ms, r.GetI64());
  ASSIGN_OR_RETURN(q.decided_ms, r.GetI64());
  ASSIGN_OR_RETURN(q.answered_late, r.GetBool());
  ASSIGN_OR_RETURN(q.deemed, r.GetBool());
  ASSIGN_OR_RETURN(bool has_terms, r.GetBool());
  if (has_terms) {
    ASSIGN_OR_RETURN(GrantTerms terms, DecodeTerms(r));
    q.pending_terms = std::move(terms);
  }
  ASSIGN_OR_RETURN(q.decision_reason, GetStr(r));
  ASSIGN_OR_RETURN(q.decision_legal_basis, GetStr(r));
  ASSIGN_OR_RETURN(q.without_review, r.GetBool());
  return q;
}

void GrantRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(asset_id);
  w.PutString(grantee);
  w.PutString(grantee_authority);
  w.PutString(provider_authority);
  EncodeTerms(w, terms);
  w.PutString(conditions);
  w.PutI64(granted_ms);
  w.PutI64(expiry_ms);
  PutEnum(w, status);
  w.PutBool(deemed);
  w.PutString(last_reason);
  w.PutI64(delivery_due_ms);
  w.PutI64(delivered_ms);
  w.PutBool(delivery_overdue);
  w.PutBool(delivered_late);
  PutOptionalDigest(w, delivery_digest);
  w.PutString(delivery_note);
}
Result<GrantRecord> GrantRecord::DecodeFrom(ByteReader& r) {
  GrantRecord g;
  ASSIGN_OR_RETURN(g.id, GetStr(r));
  ASSIGN_OR_RETURN(g.asset_id, GetStr(r));
  ASSIGN_OR_RETURN(g.grantee, GetStr(r));
  ASSIGN_OR_RETURN(g.grantee_authority, GetStr(r));
  ASSIGN_OR_RETURN(g.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(g.terms, DecodeTerms(r));
  ASSIGN_OR_RETURN(g.conditions, GetStr(r));
  ASSIGN_OR_RETURN(g.granted_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.expiry_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.status, GetEnum<GrantStatus>(r));
  ASSIGN_OR_RETURN(g.deemed, r.GetBool());
  ASSIGN_OR_RETURN(g.last_reason, GetStr(r));
  ASSIGN_OR_RETURN(g.delivery_due_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.delivered_ms, r.GetI64());
  ASSIGN_OR_RETURN(g.delivery_overdue, r.GetBool());
  ASSIGN_OR_RETURN(g.delivered_late, r.GetBool());
  ASSIGN_OR_RETURN(g.delivery_digest, GetOptionalDigest(r));
  ASSIGN_OR_RETURN(g.delivery_note, GetStr(r));
  return g;
}

void AccessRecord::EncodeTo(ByteWriter& w) const {
  PutDigest(w, tx_hash);
  w.PutU64(seq);
  w.PutString(accessor);
  w.PutString(accessor_authority);
  w.PutString(asset_id);
  w.PutString(provider_authority);
  w.PutString(grant_id);
  w.PutString(purpose);
  w.PutString(business_scenario);
  PutStrings(w, fields);
  w.PutU64(row_count);
  PutDigest(w, result_digest);
  PutEnum(w, mode);
  w.PutBool(third_party);
  w.PutI64(time_ms);
  w.PutU64(height);
  PutStrings(w, violations);
  PutOptionalDigest(w, subject_authorisation_hash);
}
Result<AccessRecord> AccessRecord::DecodeFrom(ByteReader& r) {
  AccessRecord a;
  ASSIGN_OR_RETURN(a.tx_hash, GetDigest(r));
  ASSIGN_OR_RETURN(a.seq, r.GetU64());
  ASSIGN_OR_RETURN(a.accessor, GetStr(r));
  ASSIGN_OR_RETURN(a.accessor_authority, GetStr(r));
  ASSIGN_OR_RETURN(a.asset_id, GetStr(r));
  ASSIGN_OR_RETURN(a.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(a.grant_id, GetStr(r));
  ASSIGN_OR_RETURN(a.purpose, GetStr(r));
  ASSIGN_OR_RETURN(a.business_scenario, GetStr(r));
  ASSIGN_OR_RETURN(a.fields, GetStrings(r));
  ASSIGN_OR_RETURN(a.row_count, r.GetU64());
  ASSIGN_OR_RETURN(a.result_digest, GetDigest(r));
  ASSIGN_OR_RETURN(a.mode, GetEnum<AccessMode>(r));
  ASSIGN_OR_RETURN(a.third_party, r.GetBool());
  ASSIGN_OR_RETURN(a.time_ms, r.GetI64());
  ASSIGN_OR_RETURN(a.height, r.GetU64());
  ASSIGN_OR_RETURN(a.violations, GetStrings(r));
  ASSIGN_OR_RETURN(a.subject_authorisation_hash, GetOptionalDigest(r));
  return a;
}

void ObjectionRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(asset_id);
  w.PutString(provider_authority);
  w.PutString(raiser);
  PutEnum(w, kind);
  PutStrings(w, fields);
  PutDigest(w, description_hash);
  PutEnum(w, status);
  w.PutU32(asset_version);
  w.PutI64(raised_ms);
  w.PutI64(due_ms);
  w.PutBool(overdue);
  w.PutBool(answered_late);
  w.PutBool(answer.has_value());
  if (answer) PutEnum(w, *answer);
  w.PutString(answer_reason);
  w.PutU32(corrected_version);
  w.PutString(escalation_reason);
  w.PutBool(discovered_ms.has_value());
  if (discovered_ms) w.PutI64(*discovered_ms);
  w.PutI64(report_due_ms);
  w.PutBool(reported_late);
}
Result<ObjectionRecord> ObjectionRecord::DecodeFrom(ByteReader& r) {
  ObjectionRecord o;
  ASSIGN_OR_RETURN(o.id, GetStr(r));
  ASSIGN_OR_RETURN(o.asset_id, GetStr(r));
  ASSIGN_OR_RETURN(o.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(o.raiser, GetStr(r));
  ASSIGN_OR_RETURN(o.kind, GetEnum<ObjectionKind>(r));
  ASSIGN_OR_RETURN(o.fields, GetStrings(r));
  ASSIGN_OR_RETURN(o.description_hash, GetDigest(r));
  ASSIGN_OR_RETURN(o.status, GetEnum<ObjectionStatus>(r));
  ASSIGN_OR_RETURN(o.asset_version, r.GetU32());
  ASSIGN_OR_RETURN(o.raised_ms, r.GetI64());
  ASSIGN_OR_RETURN(o.due_ms, r.GetI64());
  ASSIGN_OR_RETURN(o.overdue, r.GetBool());
  ASSIGN_OR_RETURN(o.answered_late, r.GetBool());
  ASSIGN_OR_RETURN(bool has_answer, r.GetBool());
  if (has_answer) {
    ASSIGN_OR_RETURN(ObjectionAnswer answer, GetEnum<ObjectionAnswer>(r));
    o.answer = answer;
  }
  ASSIGN_OR_RETURN(o.answer_reason, GetStr(r));
  ASSIGN_OR_RETURN(o.corrected_version, r.GetU32());
  ASSIGN_OR_RETURN(o.escalation_reason, GetStr(r));
  ASSIGN_OR_RETURN(bool has_discovery, r.GetBool());
  if (has_discovery) {
    ASSIGN_OR_RETURN(int64_t discovered, r.GetI64());
    o.discovered_ms = discovered;
  }
  ASSIGN_OR_RETURN(o.report_due_ms, r.GetI64());
  ASSIGN_OR_RETURN(o.reported_late, r.GetBool());
  return o;
}

void DisputeRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(opener);
  w.PutString(subject);
  w.PutU32(static_cast<uint32_t>(record_refs.size()));
  for (const auto& ref : record_refs) PutDigest(w, ref);
  PutEnum(w, status);
  w.PutI64(opened_ms);
  w.PutI64(closed_ms);
  w.PutString(closer);
  PutDigest(w, ruling_hash);
  w.PutString(summary);
  w.PutU32(static_cast<uint32_t>(orders.size()));
  for (const auto& order : orders) {
    PutEnum(w, order.kind);
    PutEnum(w, order.target_kind);
    w.PutString(order.target_id);
    w.PutString(order.detail);
  }
}
Result<DisputeRecord> DisputeRecord::DecodeFrom(ByteReader& r) {
  DisputeRecord d;
  ASSIGN_OR_RETURN(d.id, GetStr(r));
  ASSIGN_OR_RETURN(d.opener, GetStr(r));
  ASSIGN_OR_RETURN(d.subject, GetStr(r));
  ASSIGN_OR_RETURN(uint32_t refs, r.GetU32());
  if (refs > kRecordListItemsMax) return Status::Corruption("dispute refs too long");
  for (uint32_t i = 0; i < refs; ++i) {
    ASSIGN_OR_RETURN(crypto::Digest ref, GetDigest(r));
    d.record_refs.push_back(ref);
  }
  ASSIGN_OR_RETURN(d.status, GetEnum<DisputeStatus>(r));
  ASSIGN_OR_RETURN(d.opened_ms, r.GetI64());
  ASSIGN_OR_RETURN(d.closed_ms, r.GetI64());
  ASSIGN_OR_RETURN(d.closer, GetStr(r));
  ASSIGN_OR_RETURN(d.ruling_hash, GetDigest(r));
  ASSIGN_OR_RETURN(d.summary, GetStr(r));
  ASSIGN_OR_RETURN(uint32_t orders, r.GetU32());
  if (orders > kRecordListItemsMax) return Status::Corruption("dispute orders too long");
  for (uint32_t i = 0; i < orders; ++i) {
    DisputeOrder order;
    ASSIGN_OR_RETURN(order.kind, GetEnum<OrderKind>(r));
    ASSIGN_OR_RETURN(order.target_kind, GetEnum<TargetKind>(r));
    ASSIGN_OR_RETURN(order.target_id, GetStr(r));
    ASSIGN_OR_RETURN(order.detail, GetStr(r));
    d.orders.push_back(std::move(order));
  }
  return d;
}

std::string_view DemandStatusName(DemandStatus status) {
  switch (status) {
    case DemandStatus::kPending: return "pending";
    case DemandStatus::kAgreed: return "agreed";
    case DemandStatus::kRefused: return "refused";
    case DemandStatus::kDelivered: return "delivered";
  }
  return "unknown";
}

void DemandRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(requester);
  w.PutString(requester_authority);
  w.PutString(provider_authority);
  w.PutString(department);
  w.PutString(description);
  PutStrings(w, fields);
  w.PutString(purpose);
  w.PutString(business_scenario);
  w.PutU8(static_cast<uint8_t>(status));
  w.PutI64(created_ms);
  w.PutI64(answer_due_ms);
  w.PutI64(delivery_due_ms);
  w.PutBool(overdue);
  w.PutBool(late);
  w.PutString(reason);
  w.PutString(legal_basis);
  w.PutString(asset_id);
}
Result<DemandRecord> DemandRecord::DecodeFrom(ByteReader& r) {
  DemandRecord d;
  ASSIGN_OR_RETURN(d.id, GetStr(r));
  ASSIGN_OR_RETURN(d.requester, GetStr(r));
  ASSIGN_OR_RETURN(d.requester_authority, GetStr(r));
  ASSIGN_OR_RETURN(d.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(d.department, GetStr(r));
  ASSIGN_OR_RETURN(d.description, GetStr(r));
  ASSIGN_OR_RETURN(d.fields, GetStrings(r));
  ASSIGN_OR_RETURN(d.purpose, GetStr(r));
  ASSIGN_OR_RETURN(d.business_scenario, GetStr(r));
  ASSIGN_OR_RETURN(uint8_t status, r.GetU8());
  if (status < 1 || status > 4) return Status::Corruption("demand record holds an unknown status");
  d.status = static_cast<DemandStatus>(status);
  ASSIGN_OR_RETURN(d.created_ms, r.GetI64());
  ASSIGN_OR_RETURN(d.answer_due_ms, r.GetI64());
  ASSIGN_OR_RETURN(d.delivery_due_ms, r.GetI64());
  ASSIGN_OR_RETURN(d.overdue, r.GetBool());
  ASSIGN_OR_RETURN(d.late, r.GetBool());
  ASSIGN_OR_RETURN(d.reason, GetStr(r));
  ASSIGN_OR_RETURN(d.legal_basis, GetStr(r));
  ASSIGN_OR_RETURN(d.asset_id, GetStr(r));
  return d;
}

std::string_view OpenStatusName(OpenStatus status) {
  switch (status) {
    case OpenStatus::kPending: return "pending";
    case OpenStatus::kApproved: return "approved";
    case OpenStatus::kRefused: return "refused";
    case OpenStatus::kUnderReview: return "under_review";
    case OpenStatus::kReviewRefused: return "review_refused";
  }
  return "unknown";
}

void OpenApplicationRecord::EncodeTo(ByteWriter& w) const {
  w.PutString(id);
  w.PutString(applicant);
  w.PutString(asset_id);
  w.PutString(provider_authority);
  w.PutString(purpose);
  w.PutString(use_scenario);
  PutStrings(w, fields);
  w.PutU8(static_cast<uint8_t>(status));
  w.PutI64(created_ms);
  w.PutI64(due_ms);
  w.PutI64(review_due_ms);
  w.PutBool(overdue);
  w.PutBool(late);
  PutOptionalDigest(w, agreement_hash);
  w.PutString(reason);
  w.PutString(legal_basis);
}
Result<OpenApplicationRecord> OpenApplicationRecord::DecodeFrom(ByteReader& r) {
  OpenApplicationRecord a;
  ASSIGN_OR_RETURN(a.id, GetStr(r));
  ASSIGN_OR_RETURN(a.applicant, GetStr(r));
  ASSIGN_OR_RETURN(a.asset_id, GetStr(r));
  ASSIGN_OR_RETURN(a.provider_authority, GetStr(r));
  ASSIGN_OR_RETURN(a.purpose, GetStr(r));
  ASSIGN_OR_RETURN(a.use_scenario, GetStr(r));
  ASSIGN_OR_RETURN(a.fields, GetStrings(r));
  ASSIGN_OR_RETURN(uint8_t status, r.GetU8());
  if (status < 1 || status > 5) return Status::Corruption("open application record holds an unknown status");
  a.status = static_cast<OpenStatus>(status);
  ASSIGN_OR_RETURN(a.created_ms, r.GetI64());
  ASSIGN_OR_RETURN(a.due_ms, r.GetI64());
  ASSIGN_OR_RETURN(a.review_due_ms, r.GetI64());
  ASSIGN_OR_RETURN(a.overdue, r.GetBool());
  ASSIGN_OR_RETURN(a.late, r.GetBool());
  ASSIGN_OR_RETURN(a.agreement_hash, GetOptionalDigest(r));
  ASSIGN_OR_RETURN(a.reason, GetStr(r));
  ASSIGN_OR_RETURN(a.legal_basis, GetStr(r));
  return a;
}

void FlagRecord::EncodeTo(ByteWriter& w) const {
  w.PutU64(seq);
  PutEnum(w, kind);
  w.PutString(authority_id);
  PutEnum(w, subject_kind);
  w.PutString(subject_id);
  w.PutString(detail);
  w.PutI64(time_ms);
  PutDigest(w, tx_hash);
}
Result<FlagRecord> FlagRecord::DecodeFrom(ByteReader& r) {
  FlagRecord f;
  ASSIGN_OR_RETURN(f.seq, r.GetU64());
  ASSIGN_OR_RETURN(uint8_t kind, r.GetU8());
  if (kind == 0 || kind > kFlagKindMax) {
    return Status::Corruption("flag record holds an unknown kind");
  }
  f.kind = static_cast<FlagKind>(kind);
  ASSIGN_OR_RETURN(f.authority_id, GetStr(r));
  ASSIGN_OR_RETURN(f.subject_kind, GetEnum<TargetKind>(r));
  ASSIGN_OR_RETURN(f.subject_id, GetStr(r));
  ASSIGN_OR_RETURN(f.detail, GetStr(r));
  ASSIGN_OR_RETURN(f.time_ms, r.GetI64());
  ASSIGN_OR_RETURN(f.tx_hash, GetDigest(r));
  return f;
}

// ---------- counters ----------

Result<uint64_t> LoadU64(const StateStore& state, std::string_view key) {
  Result<std::string> raw = state.Get(key);
  if (!raw.ok()) {
    if (raw.status().code() == ErrorCode::kNotFound) return uint64_t{0};
    return raw.status();
  }
  ByteReader r(AsBytes(*raw));
  Result<uint64_t> value = r.GetU64();
  if (!value.ok() || !r.Finish().ok()) return Status::Corruption("counter does not decode");
  return value;
}

void StoreU64(StateStore& state, std::string_view key, uint64_t value) {
  ByteWriter w;
  w.PutU64(value);
  state.Put(key, AsStringView(w.bytes()));
}

Result<uint64_t> NextSequence(StateStore& state, std::string_view name) {
  std::string key = Key("sq").Id(name).str();
  ASSIGN_OR_RETURN(uint64_t value, LoadU64(state, key));
  StoreU64(state, key, value + 1);
  return value + 1;
}

Status BumpCounter(StateStore& state, std::string_view authority_id, Counter counter, int64_t delta) {
  std::string key = Key("su").Id(authority_id).U8(static_cast<uint8_t>(counter)).str();
  ASSIGN_OR_RETURN(uint64_t value, LoadU64(state, key));
  if (delta < 0 && value < static_cast<uint64_t>(-delta)) {
    value = 0;
  } else {
    value = static_cast<uint64_t>(static_cast<int64_t>(value) + delta);
  }
  StoreU64(state, key, value);
  return Status::Ok();
}

// ---------- policies and calendars ----------

Result<Policy> LoadResolvedPolicy(const StateStore& state, std::string_view authority_id, size_t depth_max) {
  std::vector<Policy> chain;  // leaf first while walking up
  std::string current(authority_id);
  for (size_t depth = 0; !current.empty(); ++depth) {
    if (depth > depth_max) {
      return Status::Corruption("authority tree deeper than authority_depth_max at " +
                                std::string(authority_id));
    }
    Result<AuthorityRecord> authority = LoadRecord<AuthorityRecord>(state, Key("au").Id(current));
    if (!authority.ok()) {
      if (authority.status().code() != ErrorCode::kNotFound) return authority.status();
      return Status::NotFound("authority \"" + current + "\" does not exist");
    }
    Result<std::string> raw = state.Get(Key("po").Id(current));
    if (raw.ok()) {
      Result<Policy> layer = Policy::Decode(AsBytes(*raw));
      if (!layer.ok()) return Status::Corruption("policy of " + current + ": " + layer.status().message());
      chain.push_back(std::move(layer).value());
    } else if (raw.status().code() != ErrorCode::kNotFound) {
      return raw.status();
    }
    current = authority->parent_id;
  }
  std::reverse(chain.begin(), chain.end());
  return Resolve(std::span<const Policy>(chain));
}

Result<Calendar> LoadCalendarOf(const StateStore& state, const Policy& policy) {
  if (!policy.calendar_id) return Calendar::WeekendsOnly();
  Result<std::string> raw = state.Get(Key("ca").Id(*policy.calendar_id));
  if (!raw.ok()) {
    if (raw.status().code() == ErrorCode::kNotFound) {
      return Status::Corruption("policy names calendar \"" + *policy.calendar_id + "\" which is not stored");
    }
    return raw.status();
  }
  Result<Calendar> calendar = Calendar::Decode(AsBytes(*raw));
  if (!calendar.ok())
    return Status::Corruption("calendar " + *policy.calendar_id + ": " + calendar.status().message());
  return calendar;
}

}  // namespace shulian::ledger
