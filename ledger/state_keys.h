// The state machine's key layout and record formats: every key it writes under
// the StateStore (relative to its "s/" prefix) and the canonical binary form of
// every value. docs/state-machine.md lists the layout; this header is its code.
//
// Keys are '/'-separated. Ids never contain '/' (their alphabet is [a-z0-9._-] or
// six digits), so a prefix scan over "<kind>/<id>/" is exact. Numbers inside keys
// are fixed-width big-endian, so LevelDB's byte order is numeric order:
//   gp                                  chain parameters (network id, client window)
//   au/<authority>                      AuthorityRecord
//   ak/<parent>/<child>                 child index of the authority tree
//   ac/<account>                        AccountRecord
//   po/<authority>                      Policy layer (ledger/policy.h encoding)
//   ca/<calendar>                       Calendar (ledger/calendar.h encoding)
//   va/<u64 node>                       ValidatorRecord (kept when removed: ids never reused)
//   as/<asset>                          AssetRecord, the current version
//   av/<asset>/<u32 version>            AssetRecord as it was at that version
//   ah/<asset>/<u32 seq>                HistoryEntry: every change, never overwritten
//   ds/<dataset code>                   asset id of the one source (一数一源)
//   ix/as-auth/<authority>/<asset>      every asset of a provider authority, any status (value empty)
//   rq/<request>                        RequestRecord
//   gr/<grant>                          GrantRecord (grant id = request id)
//   xr/<32 tx hash>                     AccessRecord
//   ob/<objection>                      ObjectionRecord
//   di/<dispute>                        DisputeRecord
//   dl/<u64 due>/<u8 kind>/<id>         deadline index (DeadlineKind), value empty
//   fl/<authority>/<u64 seq>            FlagRecord: an item for that authority's supervisor
//   ix/...                              secondary indexes (value: the primary id)
//   su/<authority>/<u8 counter>         u64 supervisor summary counters
//   ru/<ancestor>/<u32 day>/<u8 metric>/...  u64 roll-up counts over a subtree (RollupMetric)
// Roll-up indexes (one entry per ancestor of the authority, itself included):
//   ix/x-sub/<ancestor>/<time>/<u64 seq>            access touching the subtree (provider or user)
//   ix/xv-sub/<ancestor>/<time>/<u64 seq>           the same, violations only
//   ix/fl-sub/<ancestor>/<u8 kind>/<time>/<u64 seq> flag of the subtree (value: flag authority)
//   sq/<name>                           u64 sequence numbers
//
// Thread-safety: pure functions and values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "ledger/domain_types.h"
#include "ledger/policy.h"
#include "ledger/state_store.h"

namespace shulian::ledger {

// ---------- key building ----------

// Appends '/'-separated parts; numbers as fixed-width big-endian bytes.
class Key {
 public:
  explicit Key(std::string_view head) : key_(head) {}
  Key& Id(std::string_view part) {
    key_ += '/';
    key_ += part;
    return *this;
  }
  Key& U8(uint8_t value);
  Key& U32(uint32_t value);
  Key& U64(uint64_t value);
  // Time as u64 after offsetting so negative times still sort (block times are >= 0).
  Key& Time(int64_t time_ms) { return U64(static_cast<uint64_t>(time_ms)); }
  Key& Fixed(ByteView bytes);
  // A trailing '/' so a scan prefix does not match longer ids ("a1" vs "a10").
  std::string Prefix() const { return key_ + '/'; }
  const std::string& str() const { return key_; }
  operator std::string_view() const { return key_; }  // NOLINT: keys read naturally

 private:
  std::string key_;
};

// Reads the big-endian u64 at the end of a key (sequence or time suffix).
uint64_t TrailingU64(std::string_view key);

// ---------- assets of an authority ----------

// ix/as-auth/<authority>/<asset>: written when the asset is registered and kept
// whatever its status (retired and destroyed assets stay listed). An asset's
// provider authority never changes, so nothing moves the entry.
std::string AssetOfAuthorityKey(std::string_view authority_id, std::string_view asset_id);
std::string AssetsOfAuthorityPrefix(std::string_view authority_id);

// ---------- deadlines ----------

// What a deadline-index entry is for. Stable numbers (part of keys).
enum class DeadlineKind : uint8_t {
  kShareReview = 1,          // conditional share request unanswered
  kGrantExpiry = 2,          // a grant reaches its expiry
  kObjectionAnswer = 3,      // an objection or quality task unanswered
  kAggregationAnswer = 4,    // a data-not-yet-aggregated request unanswered
  kAggregationDelivery = 5,  // agreed aggregation not delivered
  kOpenAnswer = 6,           // open-data application unanswered
  kOpenReviewAnswer = 7,     // review (复核) unanswered
  kCatalogUpdate = 8,        // a catalog update task not done (004 §14)
  kShareDelivery = 9,        // a granted share not delivered (001 §15)
};

std::string DeadlineKey(int64_t due_ms, DeadlineKind kind, std::string_view id);

// ---------- flags to supervisors and summary counters ----------

// Why an item lands on a supervisor's desk. Stable numbers.
enum class FlagKind : uint8_t {
  kShareReviewOverdue = 1,     // 002 §15: overdue, the supervisor decides
  kShareDeemedApproved = 2,    // 000 §21: recorded so the supervisor sees it
  kDuplicateSource = 3,        // 一数一源: a second provider tried to register a data item
  kLateShareAnswer = 4,        // provider answered after the deadline
  kAccessViolation = 5,        // use outside a grant's scope
  kObjectionOverdue = 6,       // objection or quality task unanswered at its deadline
  kLateObjectionAnswer = 7,
  kObjectionEscalated = 8,
  kSanction = 9,               // ordered by a ruling
  kAggregationOverdue = 10,
  kOpenAnswerOverdue = 11,
  kCopyConsentNeeded = 12,     // 000 §20: a copy-mode grant waits for the supervisor
  kCatalogUpdateOverdue = 13,  // 004 §14: catalog entry not updated within the period
  kShareDeliveryOverdue = 14,  // 001 §15: a granted share not delivered within the period
  kLateObjectionReport = 15,   // 004 §27: a user agency reported a problem after its period
};
inline constexpr uint8_t kFlagKindMax = 15;  // the last FlagKind; update with a new kind
std::string_view FlagKindName(FlagKind kind);
// True for the kinds that record a missed deadline: an item unanswered at its
// deadline (overdue) or answered after it (late).
bool IsDeadlineMiss(FlagKind kind);

// Per-authority counters a supervisor's summary reads. Stable numbers.
enum class Counter : uint8_t {
  kRequests = 1,
  kApprovals = 2,
  kRefusals = 3,
  kDeemedApprovals = 4,
  kOverdueReviews = 5,
  kLateAnswers = 6,
  kOpenObjections = 7,  // a gauge: +1 on raise, -1 on answer
  kViolations = 8,
  kDuplicateSources = 9,
  kOverdueObjections = 10,
  kOverdueCatalogUpdates = 11,  // 004 §14
  kOverdueShareDeliveries = 12,  // 001 §15
  kLateObjectionReports = 13,    // 004 §27, counted at the reporting user's authority
};
inline constexpr uint8_t kCounterMax = 13;
std::string_view CounterName(Counter counter);

// ---------- roll-ups over the authority subtree ----------

// What a roll-up count counts, per ancestor and CST day. Stable numbers.
//   kUses          ru/<a>/<day>/1              accesses touching the subtree
//   kViolatingUses ru/<a>/<day>/2              those with at least one violation
//   kViolationCode ru/<a>/<day>/3/<code>       violations by code
//   kFlags         ru/<a>/<day>/4/<auth>/<u8 kind>  flags by flagged authority and kind
//   kDeadlinesMet  ru/<a>/<day>/5/<auth>       deadlines answered in time
enum class RollupMetric : uint8_t {
  kUses = 1,
  kViolatingUses = 2,
  kViolationCode = 3,
  kFlags = 4,
  kDeadlinesMet = 5,
};
// Days since 1970-01-01 in China Standard Time. REQUIRES: time_ms >= 0.
uint32_t CstDay(int64_t time_ms);
std::string RollupCountPrefix(std::string_view ancestor);
std::string RollupAccessPrefix(std::string_view ancestor, bool violations_only);
std::string RollupFlagPrefix(std::string_view ancestor, FlagKind kind);

// ---------- records ----------

struct ChainParamsRecord {
  std::string network_id;
  int64_t client_time_window_ms = 0;
  crypto::Digest genesis_hash;  // what a version-2 transaction's signature binds
  void EncodeTo(ByteWriter& w) const;
  static Result<ChainParamsRecord> DecodeFrom(ByteReader& r);
};

struct AuthorityRecord {
  std::string id;
  std::string name;
  AuthorityLevel level = AuthorityLevel::kProvince;
  std::string parent_id;  // empty for a root
  void EncodeTo(ByteWriter& w) const;
  static Result<AuthorityRecord> DecodeFrom(ByteReader& r);
};

struct AccountRecord {
  std::string id;
  std::string authority_id;  // empty outside the tree (public, court, operator)
  std::vector<Role> roles;
  crypto::PublicKey public_key;
  std::string name;
  std::string organisation;
  AccountStatus status = AccountStatus::kActive;
  bool HasRole(Role role) const;
  void EncodeTo(ByteWriter& w) const;
  static Result<AccountRecord> DecodeFrom(ByteReader& r);
};

struct ValidatorRecord {
  uint64_t node_id = 0;
  std::string name;
  std::string authority_id;
  crypto::PublicKey public_key;
  bool removed = false;
  void EncodeTo(ByteWriter& w) const;
  static Result<ValidatorRecord> DecodeFrom(ByteReader& r);
};

struct AssetRecord {
  std::string id;
  std::string provider_authority;
  std::string registrar;  // the provider account that registered it
  std::string source_department;
  std::string dataset_code;
  std::string name;
  std::string description;
  ResourceType resource_type = ResourceType::kBasic;
  ClassificationGrade grade = ClassificationGrade::kGeneral;
  bool contains_personal_data = false;
  std::vector<std::string> fields;
  std::string format;
  UpdateFrequency update_frequency = UpdateFrequency::kIrregular;
  ShareType share_type = ShareType::kUnconditional;
  std::string share_reason;
  std::string share_legal_basis;
  OpenType open_type = OpenType::kNotOpen;
  std::string open_reason;
  std::string open_legal_basis;
  crypto::Digest content_hash;
  uint64_t size_bytes = 0;
  uint32_t version = 1;
  AssetStatus status = AssetStatus::kActive;
  uint32_t open_objections = 0;  // disputed (标注) while > 0
  uint32_t history_count = 0;
  int64_t registered_ms = 0;
  int64_t updated_ms = 0;
  bool disputed() const { return open_objections > 0; }
  void EncodeTo(ByteWriter& w) const;
  static Result<AssetRecord> DecodeFrom(ByteReader& r);
};

// One change of an asset. Deadline-driven entries carry a zero tx hash.
struct HistoryEntry {
  uint32_t seq = 0;
  int64_t time_ms = 0;
  uint64_t height = 0;
  crypto::Digest tx_hash;
  uint16_t tx_type = 0;  // TxType, or 0 for an event of the ledger itself
  uint32_t version = 0;  // the asset version after the change
  std::string summary;
  void EncodeTo(ByteWriter& w) const;
  static Result<HistoryEntry> DecodeFrom(ByteReader& r);
};

struct RequestRecord {
  std::string id;
  std::string requester;
  std::string requester_authority;
  std::string asset_id;
  std::string provider_authority;
  std::string purpose;
  std::string business_scenario;
  std::vector<std::string> fields;
  AccessMode mode = AccessMode::kRequestResponse;
  uint32_t duration_days = 0;
  RequestStatus status = RequestStatus::kPending;
  int64_t created_ms = 0;
  int64_t due_ms = 0;  // 0: no deadline (unconditional, or the policy sets none)
  int64_t decided_ms = 0;
  bool answered_late = false;
  bool deemed = false;  // approved by the deadline (000 §21), not by the provider
  std::optional<GrantTerms> pending_terms;  // approved in copy mode, waiting for consent
  std::string decision_reason;
  std::string decision_legal_basis;
  // Unconditional data, granted at once (000 §21): no review, so no answer for a
  // delivery period to run from (001 §15).
  bool without_review = false;
  bool Terminal() const {
    return status == RequestStatus::kGranted || status == RequestStatus::kDeemedGranted ||
           status == RequestStatus::kRefused;
  }
  void EncodeTo(ByteWriter& w) const;
  static Result<RequestRecord> DecodeFrom(ByteReader& r);
};

struct GrantRecord {
  std::string id;  // = request id
  std::string asset_id;
  std::string grantee;
  std::string grantee_authority;
  std::string provider_authority;
  GrantTerms terms;
  std::string conditions;
  int64_t granted_ms = 0;
  int64_t expiry_ms = 0;
  GrantStatus status = GrantStatus::kActive;
  bool deemed = false;  // granted by the deadline, not by the provider
  std::string last_reason;
  // Delivery by the provider (001 §15), recorded by deliver_share.
  int64_t delivery_due_ms = 0;  // 0: no delivery period (unconditional, or the policy sets none)
  int64_t delivered_ms = 0;     // 0: not delivered yet
  bool delivery_overdue = false;  // undelivered when the period ended
  bool delivered_late = false;
  std::optional<crypto::Digest> delivery_digest;
  std::string delivery_note;
  bool delivered() const { return delivered_ms != 0; }
  void EncodeTo(ByteWriter& w) const;
  static Result<GrantRecord> DecodeFrom(ByteReader& r);
};

// Stable violation codes of an access record.
inline constexpr std::string_view kViolationNoActiveGrant = "no_active_grant";
inline constexpr std::string_view kViolationGrantExpired = "grant_expired";
inline constexpr std::string_view kViolationGrantSuspended = "grant_suspended";
inline constexpr std::string_view kViolationGrantRevoked = "grant_revoked";
inline constexpr std::string_view kViolationNotGrantee = "not_grantee";
inline constexpr std::string_view kViolationWrongAsset = "wrong_asset";
inline constexpr std::string_view kViolationFieldsNotGranted = "fields_not_granted";
inline constexpr std::string_view kViolationScenarioNotGranted = "scenario_not_granted";
inline constexpr std::string_view kViolationCopyWithoutConsent = "copy_without_consent";
inline constexpr std::string_view kViolationThirdParty = "third_party";
inline constexpr std::string_view kViolationAssetNotActive = "asset_not_active";

struct AccessRecord {
  crypto::Digest tx_hash;
  uint64_t seq = 0;
  std::string accessor;
  std::string accessor_authority;
  std::string asset_id;
  std::string provider_authority;
  std::string grant_id;  // empty: none named
  std::string purpose;
  std::string business_scenario;
  std::vector<std::string> fields;
  uint64_t row_count = 0;
  crypto::Digest result_digest;
  AccessMode mode = AccessMode::kRequestResponse;
  bool third_party = false;
  int64_t time_ms = 0;
  uint64_t height = 0;
  std::vector<std::string> violations;  // the codes above, in check order
  // The data subject's authorisation for passing personal data on (001 §27).
  std::optional<crypto::Digest> subject_authorisation_hash;
  void EncodeTo(ByteWriter& w) const;
  static Result<AccessRecord> DecodeFrom(ByteReader& r);
};

struct ObjectionRecord {
  std::string id;
  std::string asset_id;
  std::string provider_authority;
  std::string raiser;
  ObjectionKind kind = ObjectionKind::kError;
  std::vector<std::string> fields;
  crypto::Digest description_hash;
  ObjectionStatus status = ObjectionStatus::kOpen;
  uint32_t asset_version = 0;  // the version objected to
  int64_t raised_ms = 0;
  int64_t due_ms = 0;  // 0: the policy names no deadline ("promptly")
  bool overdue = false;
  bool answered_late = false;
  std::optional<ObjectionAnswer> answer;
  std::string answer_reason;
  uint32_t corrected_version = 0;
  std::string escalation_reason;
  std::optional<int64_t> discovered_ms;  // declared by the raiser (004 §27)
  int64_t report_due_ms = 0;  // 0: no report period applied
  bool reported_late = false;
  void EncodeTo(ByteWriter& w) const;
  static Result<ObjectionRecord> DecodeFrom(ByteReader& r);
};

struct DisputeRecord {
  std::string id;
  std::string opener;
  std::string subject;
  std::vector<crypto::Digest> record_refs;
  DisputeStatus status = DisputeStatus::kOpen;
  int64_t opened_ms = 0;
  int64_t closed_ms = 0;
  std::string closer;
  crypto::Digest ruling_hash;
  std::string summary;
  std::vector<DisputeOrder> orders;
  void EncodeTo(ByteWriter& w) const;
  static Result<DisputeRecord> DecodeFrom(ByteReader& r);
};

// Status of a request for data not yet aggregated (需求申请). Stable numbers.
enum class DemandStatus : uint8_t { kPending = 1, kAgreed = 2, kRefused = 3, kDelivered = 4 };
std::string_view DemandStatusName(DemandStatus status);

struct DemandRecord {
  std::string id;
  std::string requester;
  std::string requester_authority;
  std::string provider_authority;
  std::string department;
  std::string description;
  std::vector<std::string> fields;
  std::string purpose;
  std::string business_scenario;
  DemandStatus status = DemandStatus::kPending;
  int64_t created_ms = 0;
  int64_t answer_due_ms = 0;    // 0: no deadline
  int64_t delivery_due_ms = 0;  // set on agreement; 0: no deadline
  bool overdue = false;
  bool late = false;
  std::string reason;
  std::string legal_basis;
  std::string asset_id;  // the delivered asset
  void EncodeTo(ByteWriter& w) const;
  static Result<DemandRecord> DecodeFrom(ByteReader& r);
};

// Status of an open-data application (开放申请). Stable numbers.
enum class OpenStatus : uint8_t {
  kPending = 1,
  kApproved = 2,
  kRefused = 3,
  kUnderReview = 4,     // 复核 requested (004 §34)
  kReviewRefused = 5,   // refusal upheld on review
};
std::string_view OpenStatusName(OpenStatus status);

struct OpenApplicationRecord {
  std::string id;
  std::string applicant;
  std::string asset_id;
  std::string provider_authority;
  std::string purpose;
  std::string use_scenario;
  std::vector<std::string> fields;  // empty: all
  OpenStatus status = OpenStatus::kPending;
  int64_t created_ms = 0;
  int64_t due_ms = 0;
  int64_t review_due_ms = 0;
  bool overdue = false;
  bool late = false;
  std::optional<crypto::Digest> agreement_hash;  // the use agreement (000 §26)
  std::string reason;
  std::string legal_basis;
  void EncodeTo(ByteWriter& w) const;
  static Result<OpenApplicationRecord> DecodeFrom(ByteReader& r);
};

struct FlagRecord {
  uint64_t seq = 0;
  FlagKind kind = FlagKind::kAccessViolation;
  std::string authority_id;  // whose supervisor it is for
  TargetKind subject_kind = TargetKind::kAsset;
  std::string subject_id;
  std::string detail;
  int64_t time_ms = 0;
  crypto::Digest tx_hash;  // zero for deadline-driven flags
  void EncodeTo(ByteWriter& w) const;
  static Result<FlagRecord> DecodeFrom(ByteReader& r);
};

// ---------- typed access to the store ----------

template <typename T>
std::string EncodeRecord(const T& record) {
  ByteWriter w;
  record.EncodeTo(w);
  Bytes b = w.Take();
  return std::string(b.begin(), b.end());
}

// NotFound if absent; Corruption if the stored bytes do not decode.
template <typename T>
Result<T> LoadRecord(const StateStore& state, std::string_view key) {
  ASSIGN_OR_RETURN(std::string raw, state.Get(key));
  ByteReader r(AsBytes(raw));
  Result<T> record = T::DecodeFrom(r);
  if (!record.ok() || !r.Finish().ok()) {
    return Status::Corruption("state record at key of " + std::to_string(key.size()) +
                              " bytes does not decode: " + record.status().ToString());
  }
  return record;
}

template <typename T>
void StoreRecord(StateStore& state, std::string_view key, const T& record) {
  state.Put(key, EncodeRecord(record));
}

// A u64 value; absent = 0.
Result<uint64_t> LoadU64(const StateStore& state, std::string_view key);
void StoreU64(StateStore& state, std::string_view key, uint64_t value);
// Returns the next value of sequence `name` (1, 2, ...).
Result<uint64_t> NextSequence(StateStore& state, std::string_view name);
// Adds `delta` to an authority's counter (saturating at 0 for negative deltas).
Status BumpCounter(StateStore& state, std::string_view authority_id, Counter counter, int64_t delta);

// The policy in force at an authority: its layer over its ancestors' (root first),
// walking at most depth_max parents. NotFound names a missing authority.
Result<Policy> LoadResolvedPolicy(const StateStore& state, std::string_view authority_id, size_t depth_max);
// The calendar a resolved policy names, or Calendar::WeekendsOnly() if it names none.
Result<Calendar> LoadCalendarOf(const StateStore& state, const Policy& policy);

void EncodeTerms(ByteWriter& w, const GrantTerms& terms);
Result<GrantTerms> DecodeTerms(ByteReader& r);

}  // namespace shulian::ledger
