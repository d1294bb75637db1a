#include "ledger/checkpoint.h"

#include <algorithm>
#include <initializer_list>
#include <limits>
#include <string>

#include "crypto/merkle.h"
#include "ledger/transaction.h"

namespace shulian::ledger {
namespace {

using nlohmann::json;

constexpr size_t kDigestBytes = 32;
constexpr size_t kSignatureBytes = 64;

std::string Num(uint64_t value) { return std::to_string(value); }

// ---- Strict JSON reading: exact key sets, exact types, lower-case hex ----

Status RequireObject(const json& value, std::string_view what, std::initializer_list<std::string_view> keys) {
  if (!value.is_object()) return Status::InvalidArgument(std::string(what) + ": expected an object");
  for (std::string_view key : keys) {
    if (!value.contains(std::string(key))) {
      return Status::InvalidArgument(std::string(what) + "." + std::string(key) + ": missing");
    }
  }
  if (value.size() != keys.size()) {
    for (const auto& item : value.items()) {
      if (std::find(keys.begin(), keys.end(), item.key()) == keys.end()) {
        return Status::InvalidArgument(std::string(what) + "." + item.key() + ": unknown field");
      }
    }
  }
  return Status::Ok();
}

Result<uint64_t> ReadU64(const json& object, std::string_view what, std::string_view key) {
  const json& value = object.at(std::string(key));
  if (!value.is_number_unsigned()) {
    return Status::InvalidArgument(std::string(what) + "." + std::string(key) + ": expected an unsigned integer");
  }
  return value.get<uint64_t>();
}

Result<int64_t> ReadI64(const json& object, std::string_view what, std::string_view key) {
  const json& value = object.at(std::string(key));
  const std::string where = std::string(what) + "." + std::string(key);
  if (value.is_number_unsigned()) {
    if (value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Status::InvalidArgument(where + ": out of range");
    }
    return static_cast<int64_t>(value.get<uint64_t>());
  }
  if (!value.is_number_integer()) return Status::InvalidArgument(where + ": expected an integer");
  return value.get<int64_t>();
}

// Lower-case hex of exactly N bytes: one text form per value.
template <size_t N>
Result<std::array<uint8_t, N>> ReadHex(const json& value, const std::string& where) {
  if (!value.is_string()) return Status::InvalidArgument(where + ": expected a hex string");
  const std::string& text = value.get_ref<const std::string&>();
  if (text.size() != 2 * N) {
    return Status::InvalidArgument(where + ": expected " + Num(2 * N) + " hex characters, got " + Num(text.size()));
  }
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
      return Status::InvalidArgument(where + ": expected lower-case hex");
    }
  }
  Result<std::array<uint8_t, N>> bytes = FixedFromHex<N>(text);
  if (!bytes.ok()) return bytes.status().WithContext(where);
  return bytes;
}

Result<crypto::Digest> ReadDigest(const json& object, std::string_view what, std::string_view key) {
  ASSIGN_OR_RETURN(auto bytes, ReadHex<kDigestBytes>(object.at(std::string(key)),
                                                     std::string(what) + "." + std::string(key)));
  crypto::Digest digest;
  digest.bytes = bytes;
  return digest;
}

Result<std::vector<crypto::Digest>> ReadProof(const json& object, std::string_view what, std::string_view key,
                                              const CheckpointLimits& limits) {
  const json& list = object.at(std::string(key));
  const std::string where = std::string(what) + "." + std::string(key);
  if (!list.is_array()) return Status::InvalidArgument(where + ": expected an array");
  if (list.size() > limits.proof_hashes_max) {
    return Status::InvalidArgument(where + ": " + Num(list.size()) + " hashes, limit is " +
                                   Num(limits.proof_hashes_max));
  }
  std::vector<crypto::Digest> proof;
  proof.reserve(list.size());
  for (size_t i = 0; i < list.size(); ++i) {
    ASSIGN_OR_RETURN(auto bytes, ReadHex<kDigestBytes>(list[i], where + "[" + Num(i) + "]"));
    proof.push_back(crypto::Digest{bytes});
  }
  return proof;
}

json ProofToJson(const std::vector<crypto::Digest>& proof) {
  json list = json::array();
  for (const crypto::Digest& hash : proof) list.push_back(hash.ToHex());
  return list;
}

Result<crypto::Digest> ReadDigestBytes(ByteReader& reader) {
  ASSIGN_OR_RETURN(auto bytes, reader.GetArray<kDigestBytes>());
  return crypto::Digest{bytes};
}

}  // namespace

// ---- Checkpoint ----

Bytes Checkpoint::Encode() const {
  ByteWriter w(kCheckpointDomainTag.size() + 4 + network_id.size() + 6 * 8 + 5 * kDigestBytes);
  w.PutFixed(AsBytes(kCheckpointDomainTag));
  w.PutString(network_id);
  w.PutU64(height);
  w.PutFixed(block_hash.bytes);
  w.PutI64(block_time_ms);
  w.PutU64(tx_log_size);
  w.PutFixed(tx_log_root.bytes);
  w.PutU64(outcome_log_size);
  w.PutFixed(outcome_log_root.bytes);
  w.PutFixed(block_log_root.bytes);
  w.PutFixed(validator_set_id.bytes);
  return w.Take();
}

Result<Checkpoint> Checkpoint::Decode(ByteView encoded, const CheckpointLimits& limits) {
  ByteReader r(encoded);
  ASSIGN_OR_RETURN(ByteView tag, r.GetFixed(kCheckpointDomainTag.size()));
  if (AsStringView(tag) != kCheckpointDomainTag) return Status::InvalidArgument("checkpoint: wrong domain tag");
  Checkpoint c;
  ASSIGN_OR_RETURN(c.network_id, r.GetString(limits.network_id_bytes_max));
  RETURN_IF_ERROR(ValidateId("checkpoint.network_id", c.network_id, limits.network_id_bytes_max));
  ASSIGN_OR_RETURN(c.height, r.GetU64());
  ASSIGN_OR_RETURN(c.block_hash, ReadDigestBytes(r));
  ASSIGN_OR_RETURN(c.block_time_ms, r.GetI64());
  ASSIGN_OR_RETURN(c.tx_log_size, r.GetU64());
  ASSIGN_OR_RETURN(c.tx_log_root, ReadDigestBytes(r));
  ASSIGN_OR_RETURN(c.outcome_log_size, r.GetU64());
  ASSIGN_OR_RETURN(c.outcome_log_root, ReadDigestBytes(r));
  ASSIGN_OR_RETURN(c.block_log_root, ReadDigestBytes(r));
  ASSIGN_OR_RETURN(c.validator_set_id, ReadDigestBytes(r));
  Status finished = r.Finish();
  if (!finished.ok()) return finished.WithContext("checkpoint");
  return c;
}

json Checkpoint::ToJson() const {
  return json{{"network_id", network_id},
              {"height", height},
              {"block_hash", block_hash.ToHex()},
              {"block_time_ms", block_time_ms},
              {"tx_log_size", tx_log_size},
              {"tx_log_root", tx_log_root.ToHex()},
              {"outcome_log_size", outcome_log_size},
              {"outcome_log_root", outcome_log_root.ToHex()},
              {"block_log_root", block_log_root.ToHex()},
              {"validator_set_id", validator_set_id.ToHex()}};
}

Result<Checkpoint> Checkpoint::FromJson(const json& value, const CheckpointLimits& limits) {
  constexpr std::string_view kWhat = "checkpoint";
  RETURN_IF_ERROR(RequireObject(value, kWhat,
                                {"network_id", "height", "block_hash", "block_time_ms", "tx_log_size",
                                 "tx_log_root", "outcome_log_size", "outcome_log_root", "block_log_root",
                                 "validator_set_id"}));
  Checkpoint c;
  const json& network = value.at("network_id");
  if (!network.is_string()) return Status::InvalidArgument("checkpoint.network_id: expected a string");
  c.network_id = network.get<std::string>();
  RETURN_IF_ERROR(ValidateId("checkpoint.network_id", c.network_id, limits.network_id_bytes_max));
  ASSIGN_OR_RETURN(c.height, ReadU64(value, kWhat, "height"));
  ASSIGN_OR_RETURN(c.block_hash, ReadDigest(value, kWhat, "block_hash"));
  ASSIGN_OR_RETURN(c.block_time_ms, ReadI64(value, kWhat, "block_time_ms"));
  ASSIGN_OR_RETURN(c.tx_log_size, ReadU64(value, kWhat, "tx_log_size"));
  ASSIGN_OR_RETURN(c.tx_log_root, ReadDigest(value, kWhat, "tx_log_root"));
  ASSIGN_OR_RETURN(c.outcome_log_size, ReadU64(value, kWhat, "outcome_log_size"));
  ASSIGN_OR_RETURN(c.outcome_log_root, ReadDigest(value, kWhat, "outcome_log_root"));
  ASSIGN_OR_RETURN(c.block_log_root, ReadDigest(value, kWhat, "block_log_root"));
  ASSIGN_OR_RETURN(c.validator_set_id, ReadDigest(value, kWhat, "validator_set_id"));
  return c;
}

crypto::Signature Checkpoint::Sign(const crypto::KeyPair& node_key) const { return node_key.Sign(Encode()); }

bool Checkpoint::VerifySignature(const crypto::PublicKey& node_key, const crypto::Signature& signature) const {
  return crypto::Verify(node_key, Encode(), signature);
}

// ---- CosignedCheckpoint ----

Bytes CosignedCheckpoint::Encode() const {
  ByteWriter w;
  w.PutBytes(checkpoint.Encode());
  w.PutU32(static_cast<uint32_t>(signatures.size()));
  for (const CheckpointSignature& s : signatures) {
    w.PutU64(s.node_id);
    w.PutFixed(s.signature.bytes);
  }
  return w.Take();
}

Result<CosignedCheckpoint> CosignedCheckpoint::Decode(ByteView encoded, const CheckpointLimits& limits) {
  ByteReader r(encoded);
  CosignedCheckpoint c;
  const size_t checkpoint_bytes_max = kCheckpointDomainTag.size() + 4 + limits.network_id_bytes_max + 6 * 8 +
                                      5 * kDigestBytes;
  ASSIGN_OR_RETURN(ByteView checkpoint, r.GetBytes(checkpoint_bytes_max));
  ASSIGN_OR_RETURN(c.checkpoint, Checkpoint::Decode(checkpoint, limits));
  ASSIGN_OR_RETURN(uint32_t count, r.GetU32());
  if (count > limits.signatures_max) {
    return Status::InvalidArgument("cosigned checkpoint.signatures: " + Num(count) + ", limit is " +
                                   Num(limits.signatures_max));
  }
  if (r.remaining() != count * (8 + kSignatureBytes)) {
    return Status::InvalidArgument("cosigned checkpoint.signatures: " + Num(count) + " signatures need " +
                                   Num(count * (8 + kSignatureBytes)) + " bytes, " + Num(r.remaining()) + " remain");
  }
  c.signatures.resize(count);
  for (CheckpointSignature& s : c.signatures) {
    ASSIGN_OR_RETURN(s.node_id, r.GetU64());
    ASSIGN_OR_RETURN(s.signature.bytes, r.GetArray<kSignatureBytes>());
  }
  RETURN_IF_ERROR(r.Finish());
  return c;
}

json CosignedCheckpoint::ToJson() const {
  json list = json::array();
  for (const CheckpointSignature& s : signatures) {
    list.push_back({{"node_id", s.node_id}, {"signature", s.signature.ToHex()}});
  }
  return json{{"checkpoint", checkpoint.ToJson()}, {"signatures", std::move(list)}};
}

Result<CosignedCheckpoint> CosignedCheckpoint::FromJson(const json& value, const CheckpointLimits& limits) {
  RETURN_IF_ERROR(RequireObject(value, "cosigned checkpoint", {"checkpoint", "signatures"}));
  CosignedCheckpoint c;
  ASSIGN_OR_RETURN(c.checkpoint, Checkpoint::FromJson(value.at("checkpoint"), limits));
  const json& list = value.at("signatures");
  if (!list.is_array()) return Status::InvalidArgument("cosigned checkpoint.signatures: expected an array");
  if (list.size() > limits.signatures_max) {
    return Status::InvalidArgument("cosigned checkpoint.signatures: " + Num(list.size()) + ", limit is " +
                                   Num(limits.signatures_max));
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const std::string what = "cosigned checkpoint.signatures[" + Num(i) + "]";
    RETURN_IF_ERROR(RequireObject(list[i], what, {"node_id", "signature"}));
    CheckpointSignature s;
    ASSIGN_OR_RETURN(s.node_id, ReadU64(list[i], what, "node_id"));
    ASSIGN_OR_RETURN(s.signature.bytes, ReadHex<kSignatureBytes>(list[i].at("signature"), what + ".signature"));
    c.signatures.push_back(s);
  }
  return c;
}

// ---- Verification ----

Status VerifyCheckpointSignature(const Checkpoint& checkpoint, const CheckpointSignature& signature,
                                 const ValidatorSet& set) {
  const ValidatorSet::Member* member = set.Find(signature.node_id);
  if (member == nullptr) {
    return Status::PermissionDenied("checkpoint signer " + Num(signature.node_id) +
                                    " is not a member of validator set " + set.Id().ToHex());
  }
  if (!checkpoint.VerifySignature(member->key, signature.signature)) {
    return Status::PermissionDenied("checkpoint signature of validator " + Num(signature.node_id) +
                                    " does not verify");
  }
  return Status::Ok();
}

Status VerifyCosigned(const CosignedCheckpoint& cosigned, const ValidatorSet& set) {
  const Checkpoint& checkpoint = cosigned.checkpoint;
  const std::string where = "cosigned checkpoint at height " + Num(checkpoint.height) + ": ";
  const crypto::Digest set_id = set.Id();
  if (checkpoint.validator_set_id != set_id) {
    return Status::PermissionDenied(where + "validator set id " + checkpoint.validator_set_id.ToHex() +
                                    " is not the id of the expected set " + set_id.ToHex());
  }
  const Bytes signed_bytes = checkpoint.Encode();
  for (size_t i = 0; i < cosigned.signatures.size(); ++i) {
    const CheckpointSignature& s = cosigned.signatures[i];
    if (i > 0 && s.node_id == cosigned.signatures[i - 1].node_id) {
      return Status::PermissionDenied(where + "duplicate signer " + Num(s.node_id));
    }
    if (i > 0 && s.node_id < cosigned.signatures[i - 1].node_id) {
      return Status::InvalidArgument(where + "signatures are not in increasing node id order at signer " +
                                     Num(s.node_id));
    }
    const ValidatorSet::Member* member = set.Find(s.node_id);
    if (member == nullptr) {
      return Status::PermissionDenied(where + "signer " + Num(s.node_id) + " is not in the validator set");
    }
    if (!crypto::Verify(member->key, signed_bytes, s.signature)) {
      return Status::PermissionDenied(where + "signature of validator " + Num(s.node_id) + " does not verify");
    }
  }
  if (cosigned.signatures.size() < set.Quorum()) {
    return Status::PermissionDenied(where + "quorum not reached: " + Num(cosigned.signatures.size()) +
                                    " signers, the set of " + Num(set.members.size()) + " needs " +
                                    Num(set.Quorum()));
  }
  return Status::Ok();
}

// ---- Consistency ----

json CheckpointConsistency::ToJson() const {
  return json{{"from", from.ToJson()},
              {"to", to.ToJson()},
              {"tx_proof", ProofToJson(tx_proof)},
              {"outcome_proof", ProofToJson(outcome_proof)},
              {"block_proof", ProofToJson(block_proof)}};
}

Result<CheckpointConsistency> CheckpointConsistency::FromJson(const json& value, const CheckpointLimits& limits) {
  constexpr std::string_view kWhat = "consistency";
  RETURN_IF_ERROR(RequireObject(value, kWhat, {"from", "to", "tx_proof", "outcome_proof", "block_proof"}));
  CheckpointConsistency c;
  Result<Checkpoint> from = Checkpoint::FromJson(value.at("from"), limits);
  if (!from.ok()) return from.status().WithContext("consistency.from");
  c.from = std::move(from).value();
  Result<Checkpoint> to = Checkpoint::FromJson(value.at("to"), limits);
  if (!to.ok()) return to.status().WithContext("consistency.to");
  c.to = std::move(to).value();
  ASSIGN_OR_RETURN(c.tx_proof, ReadProof(value, kWhat, "tx_proof", limits));
  ASSIGN_OR_RETURN(c.outcome_proof, ReadProof(value, kWhat, "outcome_proof", limits));
  ASSIGN_OR_RETURN(c.block_proof, ReadProof(value, kWhat, "block_proof", limits));
  return c;
}

Status VerifyCheckpointConsistency(const CheckpointConsistency& proofs) {
  const Checkpoint& from = proofs.from;
  const Checkpoint& to = proofs.to;
  if (from.network_id != to.network_id) {
    return Status::InvalidArgument("consistency: checkpoints of networks " + from.network_id + " and " +
                                   to.network_id);
  }
  if (from.height > to.height) {
    return Status::InvalidArgument("consistency: from height " + Num(from.height) + " is above to height " +
                                   Num(to.height));
  }
  if (from.height == to.height && from.block_hash != to.block_hash) {
    return Status::InvalidArgument("consistency: two different blocks at height " + Num(from.height));
  }
  Status tx = crypto::VerifyMerkleConsistency(from.tx_log_size, to.tx_log_size, from.tx_log_root, to.tx_log_root,
                                              proofs.tx_proof);
  if (!tx.ok()) return tx.WithContext("consistency: transaction log");
  Status outcome = crypto::VerifyMerkleConsistency(from.outcome_log_size, to.outcome_log_size,
                                                   from.outcome_log_root, to.outcome_log_root, proofs.outcome_proof);
  if (!outcome.ok()) return outcome.WithContext("consistency: outcome log");
  Status block = crypto::VerifyMerkleConsistency(from.height, to.height, from.block_log_root, to.block_log_root,
                                                 proofs.block_proof);
  if (!block.ok()) return block.WithContext("consistency: block log");
  return Status::Ok();
}

}  // namespace shulian::ledger
