// TxOutcome: what the ledger decided about one ordered transaction. Accepted or
// rejected, every transaction of a block gets one, in block order; rejected
// transactions stay in the block and their outcome is the evidence of the attempt.
// Outcomes are the leaves of the ledger's second Merkle log (the outcome log).
//
// Canonical encoding (big-endian, common/bytes.h):
//   "shulian/outcome/v1" (18 raw bytes) ‖ 32 tx_hash ‖ u16 code ‖ str message
//   ‖ u32 count ‖ count × str note
// `code` is a stable OutcomeCode; `message` is deterministic (it depends only on
// the transaction and the state, never on the node); `notes` list what an accepted
// transaction set off besides its main effect ("violation:fields_not_granted",
// "flag:late_share_answer") and, for a rejection, any flag recorded for a
// supervisor despite the rejection ("flag:duplicate_source").
//
// Thread-safety: values.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/bytes.h"
#include "common/status.h"
#include "crypto/sha256.h"

namespace shulian::ledger {

inline constexpr std::string_view kOutcomeDomainTag = "shulian/outcome/v1";

// Stable reason codes: never renumber or reuse. 1..99 are envelope checks made
// before any rule; 100 + ErrorCode are the rules' own refusals.
enum class OutcomeCode : uint16_t {
  kAccepted = 0,
  kWrongNetwork = 1,             // network id differs from the genesis
  kUnknownSender = 2,            // no such account
  kSenderSuspended = 3,          // account suspended
  kBadSignature = 4,             // not signed by the account's current key
  kClientTimeOutsideWindow = 5,  // client time too far from block time
  kMalformedBody = 6,            // body does not decode for its type
  kReadOnlySender = 7,           // auditors write nothing
  kRuleInvalidArgument = 101,
  kRuleNotFound = 102,
  kRuleAlreadyExists = 103,
  kRulePermissionDenied = 104,
  kRuleFailedPrecondition = 105,
  kRuleOutOfRange = 106,
};
std::string_view OutcomeCodeName(OutcomeCode code);
// The rule code for a refusal status.
OutcomeCode RuleCodeOf(const Status& status);

struct TxOutcome {
  crypto::Digest tx_hash;
  OutcomeCode code = OutcomeCode::kAccepted;
  std::string message;             // empty when accepted without remark
  std::vector<std::string> notes;  // sorted as produced (deterministic order)

  bool accepted() const { return code == OutcomeCode::kAccepted; }
  Bytes Encode() const;
  static Result<TxOutcome> Decode(ByteView encoded);
  // {"tx_hash": hex, "accepted": bool, "code": number, "code_name": str,
  //  "message": str, "notes": [str]}
  nlohmann::json ToJson() const;

  friend bool operator==(const TxOutcome&, const TxOutcome&) = default;
};

}  // namespace shulian::ledger
