#include "ledger/bodies.h"

#include <string>
#include <utility>

#include "ledger/body_codec.h"

namespace shulian::ledger {
namespace {

using body_codec::Checker;
using body_codec::Decoder;
using body_codec::Encoder;

constexpr std::string_view kBodyPrefix = "body.";

bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// Length of the UTF-8 sequence starting at text[at], or 0 if it is malformed
// (truncated, a stray continuation byte, overlong, a surrogate, past U+10FFFF).
size_t Utf8SequenceBytes(std::string_view text, size_t at) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(at);
  if (lead < 0x80) return 1;
  size_t length = 0;
  uint32_t code_point = 0;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
    code_point = lead & 0x1Fu;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    code_point = lead & 0x0Fu;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    code_point = lead & 0x07u;
  } else {
    return 0;  // continuation byte, overlong 2-byte lead (C0, C1) or past F4
  }
  if (at + length > text.size()) return 0;
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0u) != 0x80u) return 0;
    code_point = (code_point << 6) | (byte(at + i) & 0x3Fu);
  }
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (code_point < kMinForLength[length]) return 0;                  // overlong
  if (code_point >= 0xD800 && code_point <= 0xDFFF) return 0;        // surrogate
  if (code_point > 0x10FFFF) return 0;
  return length;
}

// Tab and newline are allowed in text; every other C0 control and DEL is not.
bool IsForbiddenControl(char c) {
  auto u = static_cast<uint8_t>(c);
  return (u < 0x20 && c != '\t' && c != '\n') || u == 0x7F;
}

template <typename B>
Result<B> DecodeAs(ByteView encoded, const BodyLimits& limits) {
  B body;
  ByteReader reader(encoded);
  Decoder decoder(reader, limits, std::string(kBodyPrefix));
  body_codec::VisitFields(decoder, body);
  RETURN_IF_ERROR(decoder.status());
  Status finished = reader.Finish();
  if (!finished.ok()) return finished.WithContext("body");
  return body;
}

// Finds the Body alternative whose kType is `type`, starting at index I.
template <size_t I = 0>
Result<Body> DecodeAlternative(TxType type, ByteView encoded, const BodyLimits& limits) {
  if constexpr (I == std::variant_size_v<Body>) {
    return Status::InvalidArgument("no body is defined for transaction type " +
                                   std::to_string(static_cast<unsigned>(type)));
  } else {
    using B = std::variant_alternative_t<I, Body>;
    if (B::kType != type) return DecodeAlternative<I + 1>(type, encoded, limits);
    ASSIGN_OR_RETURN(B body, DecodeAs<B>(encoded, limits));
    return Body(std::move(body));
  }
}

}  // namespace

Status ValidateEntityId(std::string_view what, std::string_view id, size_t max_bytes) {
  if (id.empty()) return Status::InvalidArgument(std::string(what) + ": id must not be empty");
  if (id.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + ": id is " + std::to_string(id.size()) +
                                   " bytes, limit is " + std::to_string(max_bytes));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (!IsIdChar(id[i])) {
      return Status::InvalidArgument(std::string(what) + ": id has a character outside [a-z0-9._-] at offset " +
                                     std::to_string(i));
    }
  }
  return Status::Ok();
}

Status ValidateDivisionCode(std::string_view what, std::string_view code) {
  bool digits = code.size() == 6;
  for (char c : code) digits = digits && c >= '0' && c <= '9';
  if (!digits || code.substr(0, 2) == "00") {
    return Status::InvalidArgument(std::string(what) +
                                   ": an administrative division code is six digits not starting with 00, got '" +
                                   std::string(code.substr(0, 16)) + "'");
  }
  return Status::Ok();
}

Status ValidateText(std::string_view what, std::string_view text, size_t max_bytes, bool required) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + ": text is " + std::to_string(text.size()) +
                                   " bytes, limit is " + std::to_string(max_bytes));
  }
  if (required && text.empty()) return Status::InvalidArgument(std::string(what) + ": must not be empty");
  for (size_t i = 0; i < text.size();) {
    size_t length = Utf8SequenceBytes(text, i);
    if (length == 0) {
      return Status::InvalidArgument(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i));
    }
    if (length == 1 && IsForbiddenControl(text[i])) {
      return Status::InvalidArgument(std::string(what) + ": control character at byte " + std::to_string(i));
    }
    i += length;
  }
  return Status::Ok();
}

template <typename Derived, TxType kTypeValue>
Bytes BodyBase<Derived, kTypeValue>::Encode() const {
  ByteWriter writer;
  Encoder encoder(writer);
  body_codec::VisitFields(encoder, static_cast<const Derived&>(*this));
  return writer.Take();
}

template <typename Derived, TxType kTypeValue>
Result<Derived> BodyBase<Derived, kTypeValue>::Decode(ByteView encoded, const BodyLimits& limits) {
  return DecodeAs<Derived>(encoded, limits);
}

template <typename Derived, TxType kTypeValue>
Status BodyBase<Derived, kTypeValue>::Validate(const BodyLimits& limits) const {
  Checker checker(limits, std::string(kBodyPrefix));
  body_codec::VisitFields(checker, static_cast<const Derived&>(*this));
  return checker.status();
}

// The member templates above are defined here only, so instantiate them for
// every body type.
template struct BodyBase<RegisterAuthorityBody, TxType::kRegisterAuthority>;
template struct BodyBase<RegisterAccountBody, TxType::kRegisterAccount>;
template struct BodyBase<SuspendAccountBody, TxType::kSuspendAccount>;
template struct BodyBase<ReinstateAccountBody, TxType::kReinstateAccount>;
template struct BodyBase<RotateKeyBody, TxType::kRotateKey>;
template struct BodyBase<SetPolicyBody, TxType::kSetPolicy>;
template struct BodyBase<SetCalendarBody, TxType::kSetCalendar>;
template struct BodyBase<AddValidatorBody, TxType::kAddValidator>;
template struct BodyBase<RemoveValidatorBody, TxType::kRemoveValidator>;
template struct BodyBase<RotateValidatorKeyBody, TxType::kRotateValidatorKey>;
template struct BodyBase<RegisterAssetBody, TxType::kRegisterAsset>;
template struct BodyBase<PublishAssetVersionBody, TxType::kPublishAssetVersion>;
template struct BodyBase<ChangeAssetTypesBody, TxType::kChangeAssetTypes>;
template struct BodyBase<RetireAssetBody, TxType::kRetireAsset>;
template struct BodyBase<DestroyAssetBody, TxType::kDestroyAsset>;
template struct BodyBase<RequestShareBody, TxType::kRequestShare>;
template struct BodyBase<ApproveShareBody, TxType::kApproveShare>;
template struct BodyBase<RefuseShareBody, TxType::kRefuseShare>;
template struct BodyBase<ConsentCopyBody, TxType::kConsentCopy>;
template struct BodyBase<DecideOverdueShareBody, TxType::kDecideOverdueShare>;
template struct BodyBase<SuspendGrantBody, TxType::kSuspendGrant>;
template struct BodyBase<ResumeGrantBody, TxType::kResumeGrant>;
template struct BodyBase<RevokeGrantBody, TxType::kRevokeGrant>;
template struct BodyBase<DeliverShareBody, TxType::kDeliverShare>;
template struct BodyBase<RequestAggregationBody, TxType::kRequestAggregation>;
template struct BodyBase<AnswerAggregationBody, TxType::kAnswerAggregation>;
template struct BodyBase<DeliverAggregationBody, TxType::kDeliverAggregation>;
template struct BodyBase<ApplyOpenBody, TxType::kApplyOpen>;
template struct BodyBase<DecideOpenBody, TxType::kDecideOpen>;
template struct BodyBase<RequestOpenReviewBody, TxType::kRequestOpenReview>;
template struct BodyBase<DecideOpenReviewBody, TxType::kDecideOpenReview>;
template struct BodyBase<RecordAccessBody, TxType::kRecordAccess>;
template struct BodyBase<RaiseObjectionBody, TxType::kRaiseObjection>;
template struct BodyBase<AnswerObjectionBody, TxType::kAnswerObjection>;
template struct BodyBase<EscalateObjectionBody, TxType::kEscalateObjection>;
template struct BodyBase<OpenDisputeBody, TxType::kOpenDispute>;
template struct BodyBase<CloseDisputeBody, TxType::kCloseDispute>;
static_assert(std::variant_size_v<Body> == 37);

TxType BodyType(const Body& body) {
  return std::visit([](const auto& b) { return std::decay_t<decltype(b)>::kType; }, body);
}

Bytes ValidatorKeyProofMessage(std::string_view network_id, uint64_t node_id,
                               const crypto::PublicKey& new_key) {
  ByteWriter w;
  w.PutString(kValidatorKeyProofDomainTag);
  w.PutString(network_id);
  w.PutU64(node_id);
  w.PutFixed(new_key.bytes);
  return w.bytes();
}

Bytes EncodeBody(const Body& body) {
  return std::visit([](const auto& b) { return b.Encode(); }, body);
}

Result<Body> DecodeBody(TxType type, ByteView encoded, const BodyLimits& limits) {
  return DecodeAlternative(type, encoded, limits);
}

Status ValidateBody(TxType type, ByteView encoded, const BodyLimits& limits) {
  return DecodeBody(type, encoded, limits).status();
}

}  // namespace shulian::ledger
