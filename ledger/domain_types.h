// The vocabulary of the domain shared by transaction bodies, the state machine,
// the API and the CLI: roles, share/open/resource types, classification grades,
// access modes, objection kinds and answers, decisions, and the statuses the
// state machine keeps. Also the rules for the string ids that bodies carry.
//
// Every enum here has stable numeric values (they are part of the signed body
// encoding, one byte each) and a stable wire name (used in JSON and the CLI).
// Never renumber or reuse a value; add new ones at the end. Zero is never a valid
// value, so a zero-initialised byte never decodes as a meaningful choice.
//
// Id rules (checked by ValidateEntityId / ValidateDivisionCode in ledger/bodies.h):
//   - Authority ids are administrative division codes (行政区划代码): exactly six
//     ASCII digits, not starting with "00" — "320000" Jiangsu, "321200" Taizhou,
//     "321281" Xinghua.
//   - Account, asset, dataset, request, application, demand, objection, dispute and
//     calendar ids are 1..id_bytes_max bytes of [a-z0-9._-], chosen by the submitter
//     and unique in their kind (the state machine refuses a duplicate).
//   - Ids the ledger derives rather than the submitter: a share grant's id is the id
//     of the request it grants (one request, at most one grant); an access record, a
//     dispute order and an asset version are identified by the ledger (the access's
//     transaction hash; the order's position; version numbers count from 1 at
//     registration, +1 per publish_asset_version).
//   - Validator node ids are positive integers, never reused.
//
// Thread-safety: constants and pure functions only.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>

namespace shulian::ledger {

// What an account may do. An account may hold several roles.
enum class Role : uint8_t {
  kProvider = 1,     // registers and answers for its authority's assets (提供主体)
  kUser = 2,         // requests and uses shared data (利用主体)
  kSupervisor = 3,   // the competent data authority (主管部门) of its authority's subtree
  kCourt = 4,        // opens and closes disputes; sees everything
  kArbitrator = 5,   // opens and closes disputes
  kAuditor = 6,      // reads; writes nothing but objections of kind quality
  kPublic = 7,       // citizens, legal persons, organisations: open data, objections
  kOperator = 8,     // the platform operator (运行管理机构): governance of accounts and nodes
};

// 共享类型 (000 §19, 001 §14, 002 §14, 003 §22, 004 §25).
enum class ShareType : uint8_t {
  kUnconditional = 1,  // 无条件共享
  kConditional = 2,    // 有条件共享
  kNotShared = 3,      // 不予共享
};

// 开放类型 (000 §25, 002 §16, 003 §17).
enum class OpenType : uint8_t {
  kUnconditional = 1,  // 无条件开放
  kConditional = 2,    // 有条件开放
  kNotOpen = 3,        // 不予开放
};

// 资源类型 (004 §15).
enum class ResourceType : uint8_t {
  kBasic = 1,         // 基础资源: always unconditionally shared (000 §19)
  kThematic = 2,      // 主题资源
  kDepartmental = 3,  // 部门资源
};

// 分类分级: the national three-tier grading the regulations refer to (000 §11,
// 003 §8, §30-31): general data, important data, core data (stricter rules).
// Finer provincial sub-grades stay in the provider's own catalog, off the ledger.
enum class ClassificationGrade : uint8_t {
  kGeneral = 1,    // 一般数据
  kImportant = 2,  // 重要数据
  kCore = 3,       // 核心数据
};

// 更新频率 of a data set.
enum class UpdateFrequency : uint8_t {
  kRealTime = 1,
  kDaily = 2,
  kWeekly = 3,
  kMonthly = 4,
  kQuarterly = 5,
  kYearly = 6,
  kIrregular = 7,  // 不定期
};

// How shared data is used: 接口调用 or a copy (copy needs consent, 000 §20).
enum class AccessMode : uint8_t {
  kRequestResponse = 1,
  kCopy = 2,
};

// What an objection is about (000 §45, 003 §19, 004 §27, 002 §12).
enum class ObjectionKind : uint8_t {
  kError = 1,
  kOmission = 2,
  kPrivacy = 3,
  kTradeSecret = 4,
  kQuality = 5,  // a supervisor's quality rectification task (002 §12)
  // A supervisor's notice that a change of law or of administrative functions
  // requires this catalog entry to be updated (004 §14: within 15 working days).
  // A task, not a doubt about the data: the asset is not marked disputed.
  kCatalogUpdate = 6,
};

// How a provider answers an objection.
enum class ObjectionAnswer : uint8_t {
  kCorrected = 1,  // with a new asset version
  kDeleted = 2,
  kRejected = 3,   // with reasons
};

// A reviewer's decision on a request, application, consent or review.
enum class Decision : uint8_t {
  kApprove = 1,
  kRefuse = 2,
};

// Level of an authority in the administrative tree.
enum class AuthorityLevel : uint8_t {
  kProvince = 1,
  kMunicipality = 2,
  kCounty = 3,
};

// What a dispute ruling orders (close_dispute).
enum class OrderKind : uint8_t {
  kCorrection = 1,
  kRevocation = 2,
  kSanction = 3,
};

// The kind of ledger object an order or a reference targets.
enum class TargetKind : uint8_t {
  kAsset = 1,
  kGrant = 2,
  kAccount = 3,
  kAuthority = 4,
  kRequest = 5,
  kObjection = 6,
};

// ---- Statuses the state machine keeps (not carried in bodies). ----

enum class AccountStatus : uint8_t { kActive = 1, kSuspended = 2 };

enum class AssetStatus : uint8_t {
  kActive = 1,
  kRetired = 2,
  kDestroyed = 3,
};

enum class RequestStatus : uint8_t {
  kPending = 1,          // waiting for the provider
  kAwaitingConsent = 2,  // approved in copy mode, waiting for the supervisor
  kGranted = 3,
  kDeemedGranted = 4,    // deadline passed where the policy deems approval (000 §21)
  kRefused = 5,
  kOverdue = 6,          // deadline passed; the supervisor decides (002 §15)
};

enum class GrantStatus : uint8_t {
  kActive = 1,
  kSuspended = 2,
  kRevoked = 3,
  kExpired = 4,
};

enum class ObjectionStatus : uint8_t {
  kOpen = 1,
  kAnswered = 2,
  kEscalated = 3,
};

enum class DisputeStatus : uint8_t { kOpen = 1, kClosed = 2 };

// ---- Wire names. ----

// EnumInfo<E>::kNames lists every value of E with its wire name; kWhat names the
// enum in error messages.
template <typename E>
struct EnumInfo;

#define SHULIAN_ENUM_INFO(E, what, ...)                                        \
  template <>                                                                  \
  struct EnumInfo<E> {                                                         \
    static constexpr std::string_view kWhat = what;                           \
    static constexpr auto kNames = std::to_array<std::pair<E, std::string_view>>({__VA_ARGS__}); \
  }

SHULIAN_ENUM_INFO(Role, "role", {Role::kProvider, "provider"}, {Role::kUser, "user"},
                  {Role::kSupervisor, "supervisor"}, {Role::kCourt, "court"},
                  {Role::kArbitrator, "arbitrator"}, {Role::kAuditor, "auditor"},
                  {Role::kPublic, "public"}, {Role::kOperator, "operator"});
SHULIAN_ENUM_INFO(ShareType, "share type", {ShareType::kUnconditional, "unconditional"},
                  {ShareType::kConditional, "conditional"}, {ShareType::kNotShared, "not_shared"});
SHULIAN_ENUM_INFO(OpenType, "open type", {OpenType::kUnconditional, "unconditional"},
                  {OpenType::kConditional, "conditional"}, {OpenType::kNotOpen, "not_open"});
SHULIAN_ENUM_INFO(ResourceType, "resource type", {ResourceType::kBasic, "basic"},
                  {ResourceType::kThematic, "thematic"}, {ResourceType::kDepartmental, "departmental"});
SHULIAN_ENUM_INFO(ClassificationGrade, "classification grade",
                  {ClassificationGrade::kGeneral, "general"},
                  {ClassificationGrade::kImportant, "important"}, {ClassificationGrade::kCore, "core"});
SHULIAN_ENUM_INFO(UpdateFrequency, "update frequency", {UpdateFrequency::kRealTime, "real_time"},
                  {UpdateFrequency::kDaily, "daily"}, {UpdateFrequency::kWeekly, "weekly"},
                  {UpdateFrequency::kMonthly, "monthly"}, {UpdateFrequency::kQuarterly, "quarterly"},
                  {UpdateFrequency::kYearly, "yearly"}, {UpdateFrequency::kIrregular, "irregular"});
SHULIAN_ENUM_INFO(AccessMode, "access mode", {AccessMode::kRequestResponse, "request_response"},
                  {AccessMode::kCopy, "copy"});
SHULIAN_ENUM_INFO(ObjectionKind, "objection kind", {ObjectionKind::kError, "error"},
                  {ObjectionKind::kOmission, "omission"}, {ObjectionKind::kPrivacy, "privacy"},
                  {ObjectionKind::kTradeSecret, "trade_secret"}, {ObjectionKind::kQuality, "quality"},
                  {ObjectionKind::kCatalogUpdate, "catalog_update"});
SHULIAN_ENUM_INFO(ObjectionAnswer, "objection answer", {ObjectionAnswer::kCorrected, "corrected"},
                  {ObjectionAnswer::kDeleted, "deleted"}, {ObjectionAnswer::kRejected, "rejected"});
SHULIAN_ENUM_INFO(Decision, "decision", {Decision::kApprove, "approve"}, {Decision::kRefuse, "refuse"});
SHULIAN_ENUM_INFO(AuthorityLevel, "authority level", {AuthorityLevel::kProvince, "province"},
                  {AuthorityLevel::kMunicipality, "municipality"}, {AuthorityLevel::kCounty, "county"});
SHULIAN_ENUM_INFO(OrderKind, "order kind", {OrderKind::kCorrection, "correction"},
                  {OrderKind::kRevocation, "revocation"}, {OrderKind::kSanction, "sanction"});
SHULIAN_ENUM_INFO(TargetKind, "target kind", {TargetKind::kAsset, "asset"}, {TargetKind::kGrant, "grant"},
                  {TargetKind::kAccount, "account"}, {TargetKind::kAuthority, "authority"},
                  {TargetKind::kRequest, "request"}, {TargetKind::kObjection, "objection"});
SHULIAN_ENUM_INFO(AccountStatus, "account status", {AccountStatus::kActive, "active"},
                  {AccountStatus::kSuspended, "suspended"});
SHULIAN_ENUM_INFO(AssetStatus, "asset status", {AssetStatus::kActive, "active"},
                  {AssetStatus::kRetired, "retired"}, {AssetStatus::kDestroyed, "destroyed"});
SHULIAN_ENUM_INFO(RequestStatus, "request status", {RequestStatus::kPending, "pending"},
                  {RequestStatus::kAwaitingConsent, "awaiting_consent"},
                  {RequestStatus::kGranted, "granted"}, {RequestStatus::kDeemedGranted, "deemed_granted"},
                  {RequestStatus::kRefused, "refused"}, {RequestStatus::kOverdue, "overdue"});
SHULIAN_ENUM_INFO(GrantStatus, "grant status", {GrantStatus::kActive, "active"},
                  {GrantStatus::kSuspended, "suspended"}, {GrantStatus::kRevoked, "revoked"},
                  {GrantStatus::kExpired, "expired"});
SHULIAN_ENUM_INFO(ObjectionStatus, "objection status", {ObjectionStatus::kOpen, "open"},
                  {ObjectionStatus::kAnswered, "answered"}, {ObjectionStatus::kEscalated, "escalated"});
SHULIAN_ENUM_INFO(DisputeStatus, "dispute status", {DisputeStatus::kOpen, "open"},
                  {DisputeStatus::kClosed, "closed"});

#undef SHULIAN_ENUM_INFO

// The wire name of `value`, or "unknown" for a value outside the enum.
template <typename E>
constexpr std::string_view EnumName(E value) {
  for (const auto& [v, name] : EnumInfo<E>::kNames) {
    if (v == value) return name;
  }
  return "unknown";
}

template <typename E>
constexpr std::optional<E> EnumFromName(std::string_view name) {
  for (const auto& [v, n] : EnumInfo<E>::kNames) {
    if (n == name) return v;
  }
  return std::nullopt;
}

// The enumerator whose numeric value is `raw`, if there is one.
template <typename E>
constexpr std::optional<E> EnumFromValue(uint8_t raw) {
  for (const auto& entry : EnumInfo<E>::kNames) {
    if (static_cast<uint8_t>(entry.first) == raw) return entry.first;
  }
  return std::nullopt;
}

}  // namespace shulian::ledger
