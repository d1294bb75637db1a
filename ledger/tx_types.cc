#include "ledger/tx_types.h"

#include <array>
#include <utility>

namespace shulian::ledger {
namespace {

constexpr std::array<std::pair<TxType, std::string_view>, 37> kNames = {{
    {TxType::kRegisterAuthority, "register_authority"},
    {TxType::kRegisterAccount, "register_account"},
    {TxType::kSuspendAccount, "suspend_account"},
    {TxType::kReinstateAccount, "reinstate_account"},
    {TxType::kRotateKey, "rotate_key"},
    {TxType::kSetPolicy, "set_policy"},
    {TxType::kSetCalendar, "set_calendar"},
    {TxType::kAddValidator, "add_validator"},
    {TxType::kRemoveValidator, "remove_validator"},
    {TxType::kRotateValidatorKey, "rotate_validator_key"},
    {TxType::kRegisterAsset, "register_asset"},
    {TxType::kPublishAssetVersion, "publish_asset_version"},
    {TxType::kChangeAssetTypes, "change_asset_types"},
    {TxType::kRetireAsset, "retire_asset"},
    {TxType::kDestroyAsset, "destroy_asset"},
    {TxType::kRequestShare, "request_share"},
    {TxType::kApproveShare, "approve_share"},
    {TxType::kRefuseShare, "refuse_share"},
    {TxType::kConsentCopy, "consent_copy"},
    {TxType::kDecideOverdueShare, "decide_overdue_share"},
    {TxType::kSuspendGrant, "suspend_grant"},
    {TxType::kResumeGrant, "resume_grant"},
    {TxType::kRevokeGrant, "revoke_grant"},
    {TxType::kDeliverShare, "deliver_share"},
    {TxType::kRequestAggregation, "request_aggregation"},
    {TxType::kAnswerAggregation, "answer_aggregation"},
    {TxType::kDeliverAggregation, "deliver_aggregation"},
    {TxType::kApplyOpen, "apply_open"},
    {TxType::kDecideOpen, "decide_open"},
    {TxType::kRequestOpenReview, "request_open_review"},
    {TxType::kDecideOpenReview, "decide_open_review"},
    {TxType::kRecordAccess, "record_access"},
    {TxType::kRaiseObjection, "raise_objection"},
    {TxType::kAnswerObjection, "answer_objection"},
    {TxType::kEscalateObjection, "escalate_objection"},
    {TxType::kOpenDispute, "open_dispute"},
    {TxType::kCloseDispute, "close_dispute"},
}};

}  // namespace

std::string_view TxTypeName(TxType type) {
  for (const auto& [t, name] : kNames) {
    if (t == type) return name;
  }
  return "unknown";
}

std::optional<TxType> TxTypeFromName(std::string_view name) {
  for (const auto& [t, n] : kNames) {
    if (n == name) return t;
  }
  return std::nullopt;
}

bool IsKnownTxType(uint16_t value) {
  for (const auto& entry : kNames) {
    if (static_cast<uint16_t>(entry.first) == value) return true;
  }
  return false;
}

}  // namespace shulian::ledger
