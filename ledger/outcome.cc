#include "ledger/outcome.h"

namespace shulian::ledger {
namespace {
constexpr size_t kOutcomeTextBytesMax = 64 * 1024;
constexpr uint32_t kOutcomeNotesMax = 1024;
}  // namespace

std::string_view OutcomeCodeName(OutcomeCode code) {
  switch (code) {
    case OutcomeCode::kAccepted: return "accepted";
    case OutcomeCode::kWrongNetwork: return "wrong_network";
    case OutcomeCode::kUnknownSender: return "unknown_sender";
    case OutcomeCode::kSenderSuspended: return "sender_suspended";
    case OutcomeCode::kBadSignature: return "bad_signature";
    case OutcomeCode::kClientTimeOutsideWindow: return "client_time_outside_window";
    case OutcomeCode::kMalformedBody: return "malformed_body";
    case OutcomeCode::kReadOnlySender: return "read_only_sender";
    case OutcomeCode::kRuleInvalidArgument: return "invalid_argument";
    case OutcomeCode::kRuleNotFound: return "not_found";
    case OutcomeCode::kRuleAlreadyExists: return "already_exists";
    case OutcomeCode::kRulePermissionDenied: return "permission_denied";
    case OutcomeCode::kRuleFailedPrecondition: return "failed_precondition";
    case OutcomeCode::kRuleOutOfRange: return "out_of_range";
  }
  return "unknown";
}

OutcomeCode RuleCodeOf(const Status& status) {
  switch (status.code()) {
    case ErrorCode::kInvalidArgument: return OutcomeCode::kRuleInvalidArgument;
    case ErrorCode::kNotFound: return OutcomeCode::kRuleNotFound;
    case ErrorCode::kAlreadyExists: return OutcomeCode::kRuleAlreadyExists;
    case ErrorCode::kPermissionDenied: return OutcomeCode::kRulePermissionDenied;
    case ErrorCode::kOutOfRange: return OutcomeCode::kRuleOutOfRange;
    default: return OutcomeCode::kRuleFailedPrecondition;
  }
}

Bytes TxOutcome::Encode() const {
  ByteWriter w;
  w.PutFixed(AsBytes(kOutcomeDomainTag));
  w.PutFixed(tx_hash.bytes);
  w.PutU16(static_cast<uint16_t>(code));
  w.PutString(message);
  w.PutU32(static_cast<uint32_t>(notes.size()));
  for (const auto& note : notes) w.PutString(note);
  return w.Take();
}

Result<TxOutcome> TxOutcome::Decode(ByteView encoded) {
  ByteReader r(encoded);
  ASSIGN_OR_RETURN(ByteView tag, r.GetFixed(kOutcomeDomainTag.size()));
  if (AsStringView(tag) != kOutcomeDomainTag) return Status::InvalidArgument("outcome: wrong domain tag");
  TxOutcome out;
  ASSIGN_OR_RETURN(out.tx_hash.bytes, r.GetArray<32>());
  ASSIGN_OR_RETURN(uint16_t code, r.GetU16());
  out.code = static_cast<OutcomeCode>(code);
  if (OutcomeCodeName(out.code) == "unknown") {
    return Status::InvalidArgument("outcome.code: unknown value " + std::to_string(code));
  }
  ASSIGN_OR_RETURN(out.message, r.GetString(kOutcomeTextBytesMax));
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > kOutcomeNotesMax) return Status::InvalidArgument("outcome.notes: too many");
  for (uint32_t i = 0; i < count; ++i) {
    ASSIGN_OR_RETURN(std::string note, r.GetString(kOutcomeTextBytesMax));
    out.notes.push_back(std::move(note));
  }
  RETURN_IF_ERROR(r.Finish());
  return out;
}

nlohmann::json TxOutcome::ToJson() const {
  return nlohmann::json{{"tx_hash", tx_hash.ToHex()},
                        {"accepted", accepted()},
                        {"code", static_cast<uint16_t>(code)},
                        {"code_name", std::string(OutcomeCodeName(code))},
                        {"message", message},
                        {"notes", notes}};
}

}  // namespace shulian::ledger
