// Transaction bodies: one plain struct per TxType carrying everything the domain
// records for that kind of transaction, with its canonical binary encoding.
//
// A Transaction's `body` bytes (ledger/transaction.h) are exactly Encode() of the
// struct whose kType equals the transaction's type. The layout of every body is
// its fields in declaration order, encoded as common/bytes.h describes:
//   id, division code, text   u32 length ‖ UTF-8 bytes
//   enum                      u8 (the values of ledger/domain_types.h)
//   bool                      u8 0 or 1
//   u32 / u64                 fixed-width big-endian
//   digest, public key        32 raw bytes
//   opaque bytes              u32 length ‖ bytes
//   optional<T>               u8 0 (absent) or u8 1 ‖ T
//   trailing optional<T>      nothing (absent) or u8 1 ‖ T — only a body's last
//                             field, for fields added after the body was defined
//   list<T>                   u32 count ‖ count × T
//   nested struct             its fields in order, no length
// docs/transactions.md lists each layout and its JSON form.
//
// Decode() checks everything that can be checked without ledger state and rejects,
// with an InvalidArgument naming the field ("body.fields[2]: ..."): truncation and
// trailing bytes, a length or count over its BodyLimits maximum (before allocating),
// an unknown enum value, a bool other than 0/1, an id outside its alphabet, invalid
// UTF-8 or control characters in text, an empty required field, duplicates in a
// list that is a set, and integers outside their range. Decode-then-Encode returns
// the input bytes exactly (one value, one encoding). Rules that need state — who may
// send what, whether a legal basis is required for this share type, deadlines —
// belong to the state machine, which records a rejected transaction with its reason.
//
// Deadlines and expiry times are never in bodies: the ledger computes them from
// block time; bodies carry durations in days. The one instant a body declares is a
// past fact the ledger cannot know (when an objection's problem was found, 004 §27);
// it may not lie after the block time. Personal data never enters a body:
// objections and rulings carry document hashes, not contents.
//
// Ownership: plain values (std::string, std::vector, std::optional). Thread-safety:
// values; functions are reentrant.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/keys.h"
#include "crypto/sha256.h"
#include "ledger/domain_types.h"
#include "ledger/tx_types.h"

namespace shulian::ledger {

// Bounds on every variable-length part of a body. Every node of a network must use
// the same values (they decide which transactions are valid), so a network sets
// them once; the defaults suit the regulations' catalogs.
struct BodyLimits {
  size_t id_bytes_max = 64;             // account, asset, request, ... ids
  size_t name_bytes_max = 256;          // names, field names, formats, subjects
  size_t text_bytes_max = 4096;         // descriptions, purposes, reasons, legal bases
  size_t list_items_max = 256;          // fields, roles, record refs, orders
  size_t opaque_bytes_max = 32 * 1024;  // encoded policy or calendar
  uint32_t duration_days_max = 3650;    // a grant or use lasts at most ten years
};

// Integers in bodies stay at or below 2^53 - 1 so that their JSON form is exact
// in every JSON implementation.
inline constexpr uint64_t kJsonIntegerMax = (uint64_t{1} << 53) - 1;

// 1..max_bytes of [a-z0-9._-]. `what` names the field in the error.
Status ValidateEntityId(std::string_view what, std::string_view id, size_t max_bytes);
// Exactly six ASCII digits, not starting with "00".
Status ValidateDivisionCode(std::string_view what, std::string_view code);
// Well-formed UTF-8 (no overlongs, surrogates or values past U+10FFFF) of at most
// max_bytes, with no control characters other than tab and newline; non-empty if
// `required`.
Status ValidateText(std::string_view what, std::string_view text, size_t max_bytes, bool required);

// Encode/Decode/Validate shared by every body. Validate checks an in-memory value
// against the same rules Decode applies; Encode does not check (encode what you
// validated or decoded).
template <typename Derived, TxType kTypeValue>
struct BodyBase {
  static constexpr TxType kType = kTypeValue;

  Bytes Encode() const;
  static Result<Derived> Decode(ByteView encoded, const BodyLimits& limits = {});
  Status Validate(const BodyLimits& limits = {}) const;

  friend bool operator==(const BodyBase&, const BodyBase&) = default;
};

// ======================= Governance (100s) =======================

// A node of the authority tree: province → municipality → county.
struct RegisterAuthorityBody : BodyBase<RegisterAuthorityBody, TxType::kRegisterAuthority> {
  std::string division_code;               // "321200"
  std::string name;                        // "泰州市数据局"
  AuthorityLevel level = AuthorityLevel::kProvince;
  std::optional<std::string> parent_code;  // absent only for a root (a province)
  friend bool operator==(const RegisterAuthorityBody&, const RegisterAuthorityBody&) = default;
};

struct RegisterAccountBody : BodyBase<RegisterAccountBody, TxType::kRegisterAccount> {
  std::string account_id;
  std::string authority;     // division code of the authority it belongs to
  std::vector<Role> roles;   // a set: 1..list_items_max, no duplicates
  crypto::PublicKey public_key;
  std::string display_name;  // required
  std::string organisation;  // agency or department; may be empty for the public
  friend bool operator==(const RegisterAccountBody&, const RegisterAccountBody&) = default;
};

struct SuspendAccountBody : BodyBase<SuspendAccountBody, TxType::kSuspendAccount> {
  std::string account_id;
  std::string reason;       // required
  std::string legal_basis;  // may be empty
  friend bool operator==(const SuspendAccountBody&, const SuspendAccountBody&) = default;
};

struct ReinstateAccountBody : BodyBase<ReinstateAccountBody, TxType::kReinstateAccount> {
  std::string account_id;
  std::string reason;  // required
  friend bool operator==(const ReinstateAccountBody&, const ReinstateAccountBody&) = default;
};

// Replaces an account's key. The sender is the account itself or, for a lost key,
// an operator; the state machine decides.
struct RotateKeyBody : BodyBase<RotateKeyBody, TxType::kRotateKey> {
  std::string account_id;
  crypto::PublicKey new_public_key;
  friend bool operator==(const RotateKeyBody&, const RotateKeyBody&) = default;
};

// `policy` is a Policy's canonical encoding (ledger/policy.h); the state machine
// decodes it. Bodies treat it as opaque bytes so they do not depend on its layout.
struct SetPolicyBody : BodyBase<SetPolicyBody, TxType::kSetPolicy> {
  std::string authority;  // division code the policy applies to (and to its subtree)
  Bytes policy;           // 1..opaque_bytes_max bytes
  friend bool operator==(const SetPolicyBody&, const SetPolicyBody&) = default;
};

// `calendar` is a Calendar's canonical encoding (ledger/calendar.h), opaque here.
struct SetCalendarBody : BodyBase<SetCalendarBody, TxType::kSetCalendar> {
  std::string calendar_id;  // "cn-2025"
  Bytes calendar;           // 1..opaque_bytes_max bytes
  friend bool operator==(const SetCalendarBody&, const SetCalendarBody&) = default;
};

struct AddValidatorBody : BodyBase<AddValidatorBody, TxType::kAddValidator> {
  uint64_t node_id = 0;   // 1..kJsonIntegerMax, never reused
  std::string name;       // required
  std::string authority;  // division code of the authority running the node
  crypto::PublicKey public_key;
  friend bool operator==(const AddValidatorBody&, const AddValidatorBody&) = default;
};

struct RemoveValidatorBody : BodyBase<RemoveValidatorBody, TxType::kRemoveValidator> {
  uint64_t node_id = 0;
  std::string reason;  // required
  friend bool operator==(const RemoveValidatorBody&, const RemoveValidatorBody&) = default;
};

// Replaces a validator's node key. `proof` is the NEW key's signature over
// ValidatorKeyProofMessage(network id, node_id, new_public_key), so a key nobody
// holds cannot be installed (the node would be cut off from its peers).
struct RotateValidatorKeyBody : BodyBase<RotateValidatorKeyBody, TxType::kRotateValidatorKey> {
  uint64_t node_id = 0;
  crypto::PublicKey new_public_key;
  crypto::Signature proof;
  friend bool operator==(const RotateValidatorKeyBody&, const RotateValidatorKeyBody&) = default;
};

inline constexpr std::string_view kValidatorKeyProofDomainTag = "shulian/validator-key-proof/v1";
// str tag ‖ str network_id ‖ u64 node_id ‖ 32-byte new key.
Bytes ValidatorKeyProofMessage(std::string_view network_id, uint64_t node_id,
                               const crypto::PublicKey& new_key);

// ======================= Assets and the catalog (200s) =======================

// A catalog entry (资产登记 000 §44; 资源目录 000 §10, 004 §12). Version 1 of the asset.
struct RegisterAssetBody : BodyBase<RegisterAssetBody, TxType::kRegisterAsset> {
  std::string asset_id;
  std::string provider_authority;  // division code
  std::string source_department;   // 数源部门, required
  std::string dataset_code;        // the data item; one source per code (一数一源)
  std::string name;                // required
  std::string description;
  ResourceType resource_type = ResourceType::kBasic;
  ClassificationGrade grade = ClassificationGrade::kGeneral;
  bool contains_personal_data = false;
  std::vector<std::string> fields;  // a set of field names, 1..list_items_max
  std::string format;               // "csv", "api/json", ...; required
  UpdateFrequency update_frequency = UpdateFrequency::kIrregular;
  ShareType share_type = ShareType::kUnconditional;
  std::string share_reason;       // may be empty (the state machine requires it where
  std::string share_legal_basis;  // the share or open type needs it)
  OpenType open_type = OpenType::kNotOpen;
  std::string open_reason;
  std::string open_legal_basis;
  crypto::Digest content_hash;  // of the data set, which stays off the ledger
  uint64_t size_bytes = 0;      // 0..kJsonIntegerMax
  friend bool operator==(const RegisterAssetBody&, const RegisterAssetBody&) = default;
};

// A new version of an asset's content; metadata fields that are present replace
// the previous version's. The ledger numbers versions.
struct PublishAssetVersionBody : BodyBase<PublishAssetVersionBody, TxType::kPublishAssetVersion> {
  std::string asset_id;
  crypto::Digest content_hash;
  uint64_t size_bytes = 0;
  std::string change_note;  // required: why this version
  std::optional<std::string> name;
  std::optional<std::string> description;
  std::optional<std::vector<std::string>> fields;
  std::optional<std::string> format;
  std::optional<UpdateFrequency> update_frequency;
  std::optional<ClassificationGrade> grade;
  friend bool operator==(const PublishAssetVersionBody&, const PublishAssetVersionBody&) = default;
};

// A change of share and open type (e.g. after a change of law, 004 §14).
struct ChangeAssetTypesBody : BodyBase<ChangeAssetTypesBody, TxType::kChangeAssetTypes> {
  std::string asset_id;
  ShareType share_type = ShareType::kUnconditional;
  std::string share_reason;
  std::string share_legal_basis;
  OpenType open_type = OpenType::kNotOpen;
  std::string open_reason;
  std::string open_legal_basis;
  friend bool operator==(const ChangeAssetTypesBody&, const ChangeAssetTypesBody&) = default;
};

struct RetireAssetBody : BodyBase<RetireAssetBody, TxType::kRetireAsset> {
  std::string asset_id;
  std::string reason;  // required
  std::string legal_basis;
  friend bool operator==(const RetireAssetBody&, const RetireAssetBody&) = default;
};

// 封存销毁 (002 §22, 003 §31): the destruction record itself stays off the ledger.
struct DestroyAssetBody : BodyBase<DestroyAssetBody, TxType::kDestroyAsset> {
  std::string asset_id;
  std::string reason;  // required
  std::string legal_basis;
  crypto::Digest destruction_record_hash;
  friend bool operator==(const DestroyAssetBody&, const DestroyAssetBody&) = default;
};

// ======================= Sharing (300s) =======================

// The terms of a grant, decided on least privilege (001 §16).
struct GrantTerms {
  std::vector<std::string> fields;  // a set, 1..list_items_max; within those requested
  std::string business_scenario;    // required
  uint32_t duration_days = 0;       // 1..duration_days_max; expiry = grant time + this
  AccessMode mode = AccessMode::kRequestResponse;
  bool desensitised = false;        // required for not-shared data (000 §19)
  friend bool operator==(const GrantTerms&, const GrantTerms&) = default;
};

// One request per concrete use (001 §13).
struct RequestShareBody : BodyBase<RequestShareBody, TxType::kRequestShare> {
  std::string request_id;
  std::string asset_id;
  std::string purpose;            // required
  std::string business_scenario;  // required
  std::vector<std::string> fields;  // a set, 1..list_items_max
  AccessMode mode = AccessMode::kRequestResponse;
  uint32_t duration_days = 0;     // 1..duration_days_max
  friend bool operator==(const RequestShareBody&, const RequestShareBody&) = default;
};

// The provider grants; the grant's id is the request id.
struct ApproveShareBody : BodyBase<ApproveShareBody, TxType::kApproveShare> {
  std::string request_id;
  GrantTerms terms;
  std::string conditions;  // use restrictions agreed with the user; may be empty
  friend bool operator==(const ApproveShareBody&, const ApproveShareBody&) = default;
};

// A refusal must cite a legal basis (000 §21, 001 §15, 003 §23).
struct RefuseShareBody : BodyBase<RefuseShareBody, TxType::kRefuseShare> {
  std::string request_id;
  std::string legal_basis;  // required
  std::string reason;       // required
  friend bool operator==(const RefuseShareBody&, const RefuseShareBody&) = default;
};

// The supervisor's consent to copy mode (000 §20).
struct ConsentCopyBody : BodyBase<ConsentCopyBody, TxType::kConsentCopy> {
  std::string request_id;
  Decision decision = Decision::kApprove;
  std::string reason;
  friend bool operator==(const ConsentCopyBody&, const ConsentCopyBody&) = default;
};

// The supervisor decides an overdue request (002 §15). `terms` is present iff the
// decision is approve.
struct DecideOverdueShareBody : BodyBase<DecideOverdueShareBody, TxType::kDecideOverdueShare> {
  std::string request_id;
  Decision decision = Decision::kApprove;
  std::optional<GrantTerms> terms;
  std::string reason;  // required
  std::string legal_basis;
  friend bool operator==(const DecideOverdueShareBody&, const DecideOverdueShareBody&) = default;
};

struct SuspendGrantBody : BodyBase<SuspendGrantBody, TxType::kSuspendGrant> {
  std::string grant_id;
  std::string reason;  // required
  std::string legal_basis;
  friend bool operator==(const SuspendGrantBody&, const SuspendGrantBody&) = default;
};

struct ResumeGrantBody : BodyBase<ResumeGrantBody, TxType::kResumeGrant> {
  std::string grant_id;
  std::string reason;  // required
  friend bool operator==(const ResumeGrantBody&, const ResumeGrantBody&) = default;
};

struct RevokeGrantBody : BodyBase<RevokeGrantBody, TxType::kRevokeGrant> {
  std::string grant_id;
  std::string reason;  // required
  std::string legal_basis;
  friend bool operator==(const RevokeGrantBody&, const RevokeGrantBody&) = default;
};

// The provider records that it delivered what it granted (001 §15: within 5
// working days of its answer). The data stays off the ledger: the digest names
// what was delivered (a manifest, a receipt, the interface's handover record).
struct DeliverShareBody : BodyBase<DeliverShareBody, TxType::kDeliverShare> {
  std::string grant_id;
  std::optional<crypto::Digest> delivery_digest;
  std::string note;  // how it was delivered (channel, interface); may be empty
  friend bool operator==(const DeliverShareBody&, const DeliverShareBody&) = default;
};

// A request for data not yet aggregated (需求申请, 000 §22, 002 §11).
struct RequestAggregationBody : BodyBase<RequestAggregationBody, TxType::kRequestAggregation> {
  std::string demand_id;
  std::string provider_authority;  // division code asked to aggregate
  std::string department;          // the department believed to hold the data; required
  std::string description;         // what data is needed; required
  std::vector<std::string> fields;  // a set, 0..list_items_max
  std::string purpose;              // required
  std::string business_scenario;    // required
  friend bool operator==(const RequestAggregationBody&, const RequestAggregationBody&) = default;
};

struct AnswerAggregationBody : BodyBase<AnswerAggregationBody, TxType::kAnswerAggregation> {
  std::string demand_id;
  Decision decision = Decision::kApprove;  // approve: will deliver by the deadline
  std::string reason;
  std::string legal_basis;  // the state machine requires it on refusal
  friend bool operator==(const AnswerAggregationBody&, const AnswerAggregationBody&) = default;
};

// Delivery: the aggregated data is the registered asset `asset_id`.
struct DeliverAggregationBody : BodyBase<DeliverAggregationBody, TxType::kDeliverAggregation> {
  std::string demand_id;
  std::string asset_id;
  friend bool operator==(const DeliverAggregationBody&, const DeliverAggregationBody&) = default;
};

// ======================= Opening (400s) =======================

// An open-data application (开放申请) from a public account.
struct ApplyOpenBody : BodyBase<ApplyOpenBody, TxType::kApplyOpen> {
  std::string application_id;
  std::string asset_id;
  std::string purpose;       // required
  std::string use_scenario;  // required
  std::vector<std::string> fields;  // a set, 0..list_items_max (empty: all)
  friend bool operator==(const ApplyOpenBody&, const ApplyOpenBody&) = default;
};

// Conditional opening needs a use agreement (000 §26): its hash on approval.
struct DecideOpenBody : BodyBase<DecideOpenBody, TxType::kDecideOpen> {
  std::string application_id;
  Decision decision = Decision::kApprove;
  std::string reason;
  std::string legal_basis;
  std::optional<crypto::Digest> agreement_hash;
  friend bool operator==(const DecideOpenBody&, const DecideOpenBody&) = default;
};

// 复核 (004 §34).
struct RequestOpenReviewBody : BodyBase<RequestOpenReviewBody, TxType::kRequestOpenReview> {
  std::string application_id;
  std::string reason;  // required
  friend bool operator==(const RequestOpenReviewBody&, const RequestOpenReviewBody&) = default;
};

// The authority's review decision; approve overturns a refusal.
struct DecideOpenReviewBody : BodyBase<DecideOpenReviewBody, TxType::kDecideOpenReview> {
  std::string application_id;
  Decision decision = Decision::kApprove;
  std::string reason;  // required
  std::string legal_basis;
  std::optional<crypto::Digest> agreement_hash;
  friend bool operator==(const DecideOpenReviewBody&, const DecideOpenReviewBody&) = default;
};

// ======================= Use (500s) =======================

// One use of shared or opened data (000 §34). The accessing account is the sender;
// the record's id is its transaction hash.
struct RecordAccessBody : BodyBase<RecordAccessBody, TxType::kRecordAccess> {
  std::optional<std::string> grant_id;  // share grant or open application; absent for
                                        // unconditionally open data
  std::string asset_id;
  std::string purpose;            // required
  std::string business_scenario;  // required
  std::vector<std::string> fields;  // fields used: a set, 1..list_items_max
  uint64_t row_count = 0;           // 0..kJsonIntegerMax
  crypto::Digest result_digest;     // of the result the user received
  AccessMode mode = AccessMode::kRequestResponse;
  bool third_party = false;         // data passed on to a third party (001 §17, 003 §24)
  // The data subject's authorisation for that third party (001 §27), a document
  // hash: personal data may be passed on only with it. Added after the body's
  // first definition, so it is encoded last and only when present (no bytes when
  // absent; see body_codec.h TrailingOptionalCodec).
  std::optional<crypto::Digest> subject_authorisation_hash;
  friend bool operator==(const RecordAccessBody&, const RecordAccessBody&) = default;
};

// ======================= Objections and disputes (600s) =======================

// The asset is marked disputed while the objection is open (000 §45).
struct RaiseObjectionBody : BodyBase<RaiseObjectionBody, TxType::kRaiseObjection> {
  std::string objection_id;
  std::string asset_id;
  ObjectionKind kind = ObjectionKind::kError;
  std::vector<std::string> fields;  // fields concerned: a set, 0..list_items_max
  crypto::Digest description_hash;  // the description (may hold personal data) is off-ledger
  // When the problem was found (Unix ms), for the user agency's report period (004
  // §27: within 5 working days of finding it). Added after the body's first
  // definition: encoded last, only when present (body_codec.h TrailingOptionalCodec).
  std::optional<uint64_t> discovered_ms;
  friend bool operator==(const RaiseObjectionBody&, const RaiseObjectionBody&) = default;
};

struct AnswerObjectionBody : BodyBase<AnswerObjectionBody, TxType::kAnswerObjection> {
  std::string objection_id;
  ObjectionAnswer answer = ObjectionAnswer::kRejected;
  std::string reason;  // required
  std::optional<uint32_t> new_version;  // the asset version that corrects it (1..)
  friend bool operator==(const AnswerObjectionBody&, const AnswerObjectionBody&) = default;
};

struct EscalateObjectionBody : BodyBase<EscalateObjectionBody, TxType::kEscalateObjection> {
  std::string objection_id;
  std::string reason;  // required
  friend bool operator==(const EscalateObjectionBody&, const EscalateObjectionBody&) = default;
};

struct OpenDisputeBody : BodyBase<OpenDisputeBody, TxType::kOpenDispute> {
  std::string dispute_id;
  std::string subject;                   // required
  std::vector<crypto::Digest> record_refs;  // concerned transactions' hashes: a set, 1..
  friend bool operator==(const OpenDisputeBody&, const OpenDisputeBody&) = default;
};

// One order of a ruling; the state machine carries it out (a revocation revokes the
// grant, a correction opens a correction duty, a sanction is recorded).
struct DisputeOrder {
  OrderKind kind = OrderKind::kCorrection;
  TargetKind target_kind = TargetKind::kAsset;
  std::string target_id;  // an id of that kind (division code for an authority)
  std::string detail;
  friend bool operator==(const DisputeOrder&, const DisputeOrder&) = default;
};

struct CloseDisputeBody : BodyBase<CloseDisputeBody, TxType::kCloseDispute> {
  std::string dispute_id;
  crypto::Digest ruling_hash;  // the ruling document, off-ledger
  std::string summary;         // required
  std::vector<DisputeOrder> orders;  // 0..list_items_max
  friend bool operator==(const CloseDisputeBody&, const CloseDisputeBody&) = default;
};

// ======================= Any body =======================

using Body = std::variant<
    RegisterAuthorityBody, RegisterAccountBody, SuspendAccountBody, ReinstateAccountBody,
    RotateKeyBody, SetPolicyBody, SetCalendarBody, AddValidatorBody, RemoveValidatorBody,
    RotateValidatorKeyBody, RegisterAssetBody, PublishAssetVersionBody, ChangeAssetTypesBody, RetireAssetBody,
    DestroyAssetBody, RequestShareBody, ApproveShareBody, RefuseShareBody, ConsentCopyBody,
    DecideOverdueShareBody, SuspendGrantBody, ResumeGrantBody, RevokeGrantBody, DeliverShareBody,
    RequestAggregationBody, AnswerAggregationBody, DeliverAggregationBody, ApplyOpenBody,
    DecideOpenBody, RequestOpenReviewBody, DecideOpenReviewBody, RecordAccessBody,
    RaiseObjectionBody, AnswerObjectionBody, EscalateObjectionBody, OpenDisputeBody,
    CloseDisputeBody>;

TxType BodyType(const Body& body);
Bytes EncodeBody(const Body& body);
// Decodes `encoded` as the body of a `type` transaction. An unknown type is an
// InvalidArgument.
Result<Body> DecodeBody(TxType type, ByteView encoded, const BodyLimits& limits = {});
// OK iff `encoded` is a canonical body of a `type` transaction.
Status ValidateBody(TxType type, ByteView encoded, const BodyLimits& limits = {});

}  // namespace shulian::ledger
