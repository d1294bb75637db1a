#include "ledger/transaction.h"

#include <string>

namespace shulian::ledger {
namespace {

// Prefixes a decoding error with the field it concerns, so a caller sees
// "transaction.body: field at offset 40 is ..." rather than a bare offset.
Status InField(const Status& status, std::string_view field) {
  return status.WithContext("transaction." + std::string(field));
}

bool IsIdCharacter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

// Length of the UTF-8 sequence introduced by `lead`, or 0 if `lead` cannot start one.
size_t Utf8SequenceBytes(uint8_t lead) {
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 0;  // continuation byte, overlong 2-byte lead (C0, C1) or beyond U+10FFFF
}

// The allowed range of the second byte, which is where overlong forms, UTF-16
// surrogates and code points past U+10FFFF are excluded (RFC 3629 §4).
bool SecondByteValid(uint8_t lead, uint8_t second) {
  if (lead == 0xE0) return second >= 0xA0 && second <= 0xBF;
  if (lead == 0xED) return second >= 0x80 && second <= 0x9F;
  if (lead == 0xF0) return second >= 0x90 && second <= 0xBF;
  if (lead == 0xF4) return second >= 0x80 && second <= 0x8F;
  return second >= 0x80 && second <= 0xBF;
}

// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing past U+10FFFF.
Status ValidateUtf8(std::string_view what, std::string_view text) {
  const ByteView bytes = AsBytes(text);
  size_t i = 0;
  while (i < bytes.size()) {
    const size_t length = Utf8SequenceBytes(bytes[i]);
    bool valid = length != 0 && i + length <= bytes.size();
    if (valid && length > 1) valid = SecondByteValid(bytes[i], bytes[i + 1]);
    for (size_t k = 2; valid && k < length; ++k) valid = bytes[i + k] >= 0x80 && bytes[i + k] <= 0xBF;
    if (!valid) {
      return Status::InvalidArgument(std::string(what) + ": invalid UTF-8 at byte " + std::to_string(i));
    }
    i += length;
  }
  return Status::Ok();
}

// Everything but the signature, in encoding order; shared by SigningBytes and Encode.
void PutUnsignedFields(const Transaction& tx, ByteWriter& writer) {
  writer.PutU16(static_cast<uint16_t>(tx.type));
  writer.PutU16(tx.version);
  writer.PutString(tx.network_id);
  writer.PutString(tx.sender);
  writer.PutI64(tx.client_time_ms);
  writer.PutU64(tx.nonce);
  writer.PutBytes(tx.body);
}

size_t UnsignedFieldsBytes(const Transaction& tx) {
  return 2 + 2 + 4 + tx.network_id.size() + 4 + tx.sender.size() + 8 + 8 + 4 + tx.body.size();
}

Result<std::string> GetId(ByteReader& reader, std::string_view field, size_t max_bytes) {
  auto text = reader.GetString(max_bytes);
  if (!text.ok()) return InField(text.status(), field);
  RETURN_IF_ERROR(ValidateUtf8("transaction." + std::string(field), *text));
  RETURN_IF_ERROR(ValidateId("transaction." + std::string(field), *text, max_bytes));
  return std::move(text).value();
}

}  // namespace

Status ValidateId(std::string_view what, std::string_view id, size_t max_bytes) {
  const std::string name(what);
  if (id.empty()) return Status::InvalidArgument(name + ": must not be empty");
  if (id.size() > max_bytes) {
    return Status::InvalidArgument(name + ": " + std::to_string(id.size()) + " bytes, limit is " +
                                   std::to_string(max_bytes));
  }
  for (size_t i = 0; i < id.size(); ++i) {
    if (!IsIdCharacter(id[i])) {
      return Status::InvalidArgument(name + ": byte 0x" + ToHex(AsBytes(id.substr(i, 1))) + " at offset " +
                                     std::to_string(i) + " is not in [a-z0-9._-]");
    }
  }
  return Status::Ok();
}

Bytes Transaction::SigningBytes(const crypto::Digest& genesis_hash) const {
  const bool legacy = version == kTxVersionLegacy;
  ByteWriter writer(kTxDomainTagV2.size() + (legacy ? 0 : genesis_hash.bytes.size()) + UnsignedFieldsBytes(*this));
  if (legacy) {
    writer.PutFixed(AsBytes(kTxDomainTagV1));
  } else {
    writer.PutFixed(AsBytes(kTxDomainTagV2));
    writer.PutFixed(genesis_hash.view());
  }
  PutUnsignedFields(*this, writer);
  return writer.Take();
}

Bytes Transaction::Encode() const {
  ByteWriter writer(UnsignedFieldsBytes(*this) + signature.bytes.size());
  PutUnsignedFields(*this, writer);
  writer.PutFixed(signature.view());
  return writer.Take();
}

crypto::Digest Transaction::Hash() const {
  return crypto::Sha256(Encode());
}

void Transaction::Sign(const crypto::KeyPair& key, const crypto::Digest& genesis_hash) {
  signature = key.Sign(SigningBytes(genesis_hash));
}

bool Transaction::VerifySignature(const crypto::PublicKey& key, const crypto::Digest& genesis_hash,
                                  crypto::SignatureCache* cache) const {
  return crypto::VerifyWith(cache, key, SigningBytes(genesis_hash), signature);
}

Result<Transaction> Transaction::Decode(ByteView encoded, const TxLimits& limits) {
  ByteReader reader(encoded);
  Transaction tx;

  auto type = reader.GetU16();
  if (!type.ok()) return InField(type.status(), "type");
  if (!IsKnownTxType(*type)) {
    return Status::InvalidArgument("transaction.type: unknown type " + std::to_string(*type));
  }
  tx.type = static_cast<TxType>(*type);

  auto version = reader.GetU16();
  if (!version.ok()) return InField(version.status(), "version");
  if (*version != kTxVersion && *version != kTxVersionLegacy) {
    return Status::InvalidArgument("transaction.version: unsupported version " + std::to_string(*version) +
                                   ", expected " + std::to_string(kTxVersionLegacy) + " or " +
                                   std::to_string(kTxVersion));
  }
  tx.version = *version;

  ASSIGN_OR_RETURN(tx.network_id, GetId(reader, "network_id", limits.network_id_bytes_max));
  ASSIGN_OR_RETURN(tx.sender, GetId(reader, "sender", limits.account_id_bytes_max));

  auto client_time_ms = reader.GetI64();
  if (!client_time_ms.ok()) return InField(client_time_ms.status(), "client_time_ms");
  tx.client_time_ms = *client_time_ms;

  auto nonce = reader.GetU64();
  if (!nonce.ok()) return InField(nonce.status(), "nonce");
  tx.nonce = *nonce;

  auto body = reader.GetBytes(limits.body_bytes_max);
  if (!body.ok()) return InField(body.status(), "body");
  tx.body.assign(body->begin(), body->end());

  auto signature = reader.GetArray<64>();
  if (!signature.ok()) return InField(signature.status(), "signature");
  tx.signature.bytes = *signature;

  Status finished = reader.Finish();
  if (!finished.ok()) return finished.WithContext("transaction");
  return tx;
}

}  // namespace shulian::ledger
