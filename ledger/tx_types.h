// Every kind of transaction the ledger knows. The numeric values are part of the
// signed encoding: never renumber or reuse one; add new kinds at the end of a group.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace shulian::ledger {

enum class TxType : uint16_t {
  // Governance (100s)
  kRegisterAuthority = 100,
  kRegisterAccount = 101,
  kSuspendAccount = 102,
  kReinstateAccount = 103,
  kRotateKey = 104,
  kSetPolicy = 105,
  kSetCalendar = 106,
  kAddValidator = 107,
  kRemoveValidator = 108,
  kRotateValidatorKey = 109,
  // Assets and the catalog (200s)
  kRegisterAsset = 200,
  kPublishAssetVersion = 201,
  kChangeAssetTypes = 202,
  kRetireAsset = 203,
  kDestroyAsset = 204,
  // Sharing (300s)
  kRequestShare = 300,
  kApproveShare = 301,
  kRefuseShare = 302,
  kConsentCopy = 303,
  kDecideOverdueShare = 304,
  kSuspendGrant = 305,
  kResumeGrant = 306,
  kRevokeGrant = 307,
  kDeliverShare = 308,
  kRequestAggregation = 310,
  kAnswerAggregation = 311,
  kDeliverAggregation = 312,
  // Opening (400s)
  kApplyOpen = 400,
  kDecideOpen = 401,
  kRequestOpenReview = 402,
  kDecideOpenReview = 403,
  // Use (500s)
  kRecordAccess = 500,
  // Objections and disputes (600s)
  kRaiseObjection = 600,
  kAnswerObjection = 601,
  kEscalateObjection = 602,
  kOpenDispute = 610,
  kCloseDispute = 611,
};

// The wire name ("register_asset"), used in JSON and the CLI.
std::string_view TxTypeName(TxType type);
std::optional<TxType> TxTypeFromName(std::string_view name);
// True iff `value` is one of the enumerators above.
bool IsKnownTxType(uint16_t value);

}  // namespace shulian::ledger
