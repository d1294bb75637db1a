// The JSON form of evidence bundles (ledger/evidence.h): ToJson and the strict
// parser. The parser never throws: every access checks the JSON type first.
#include <set>
#include <string>
#include <string_view>

#include "ledger/evidence.h"

namespace shulian::ledger {
namespace {

using nlohmann::json;

// The encoded BlockHeader is fixed-size: tag ‖ u64 ‖ 32 ‖ i64 ‖ u64 ‖ u32 ‖ u64 ‖ 32.
constexpr size_t kBlockHeaderBytes = kBlockDomainTag.size() + 8 + 32 + 8 + 8 + 4 + 8 + 32;
// An encoded outcome: tag, hash, code, message and notes; far below this.
constexpr size_t kOutcomeBytesMax = 64 * 1024;
// Envelope fields of a transaction besides its body: types, ids, times, signature.
constexpr size_t kTxEnvelopeBytesMax = 1024;

Status Bad(std::string_view path, std::string_view what) {
  return Status::InvalidArgument(std::string(path) + ": " + std::string(what));
}

std::string Child(std::string_view path, std::string_view key) {
  return path.empty() ? std::string(key) : std::string(path) + "." + std::string(key);
}
std::string Item(std::string_view path, size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

// `value` must be an object holding exactly `keys`.
Status ExpectKeys(const json& value, std::string_view path, std::initializer_list<std::string_view> keys) {
  if (!value.is_object()) return Bad(path.empty() ? "bundle" : path, "expected an object");
  for (std::string_view key : keys) {
    if (!value.contains(key)) return Bad(Child(path, key), "missing");
  }
  if (value.size() != keys.size()) {
    // The key itself is not echoed: it is untrusted text.
    return Bad(path.empty() ? "bundle" : path, "unknown key (expected exactly " + std::to_string(keys.size()) + ")");
  }
  return Status::Ok();
}

Result<std::string> GetString(const json& object, std::string_view key, std::string_view path, size_t bytes_max) {
  const json& value = object[std::string(key)];
  if (!value.is_string()) return Bad(Child(path, key), "expected a string");
  const std::string& s = value.get_ref<const std::string&>();
  if (s.size() > bytes_max) return Bad(Child(path, key), "longer than " + std::to_string(bytes_max) + " bytes");
  return s;
}

Result<uint64_t> GetU64(const json& object, std::string_view key, std::string_view path) {
  const json& value = object[std::string(key)];
  if (!value.is_number_unsigned()) return Bad(Child(path, key), "expected a non-negative integer");
  return value.get<uint64_t>();
}

Result<int64_t> GetI64(const json& object, std::string_view key, std::string_view path) {
  const json& value = object[std::string(key)];
  if (value.is_number_unsigned()) {
    uint64_t u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(INT64_MAX)) return Bad(Child(path, key), "out of the signed 64-bit range");
    return static_cast<int64_t>(u);
  }
  if (!value.is_number_integer()) return Bad(Child(path, key), "expected an integer");
  return value.get<int64_t>();
}

// Lower-case hex only, so one value has one text.
Result<Bytes> StrictHex(const json& value, std::string_view path, size_t bytes_max) {
  if (!value.is_string()) return Bad(path, "expected a hex string");
  const std::string& s = value.get_ref<const std::string&>();
  if (s.size() > 2 * bytes_max) return Bad(path, "longer than " + std::to_string(bytes_max) + " bytes");
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return Bad(path, "not lower-case hex");
  }
  Result<Bytes> bytes = FromHex(s);
  if (!bytes.ok()) return Bad(path, bytes.status().message());
  return bytes;
}

Result<crypto::Digest> StrictDigest(const json& value, std::string_view path) {
  ASSIGN_OR_RETURN(Bytes bytes, StrictHex(value, path, 32));
  if (bytes.size() != 32) return Bad(path, "expected 64 hex characters");
  crypto::Digest digest;
  std::copy(bytes.begin(), bytes.end(), digest.bytes.begin());
  return digest;
}

Result<std::vector<crypto::Digest>> GetProof(const json& object, std::string_view key, std::string_view path,
                                             size_t hashes_max) {
  const json& value = object[std::string(key)];
  std::string here = Child(path, key);
  if (!value.is_array()) return Bad(here, "expected an array");
  if (value.size() > hashes_max) return Bad(here, "more than " + std::to_string(hashes_max) + " hashes");
  std::vector<crypto::Digest> proof;
  proof.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Digest digest, StrictDigest(value[i], Item(here, i)));
    proof.push_back(digest);
  }
  return proof;
}

json ProofToJson(const std::vector<crypto::Digest>& proof) {
  json out = json::array();
  for (const crypto::Digest& digest : proof) out.push_back(digest.ToHex());
  return out;
}

json RecordToJson(const EvidenceRecord& record) {
  return json{{"log_index", record.log_index},
              {"transaction", ToHex(record.transaction)},
              {"outcome", ToHex(record.outcome)},
              {"tx_proof", ProofToJson(record.tx_proof)},
              {"outcome_proof", ProofToJson(record.outcome_proof)},
              {"block_header", ToHex(record.block_header)},
              {"block_proof", ProofToJson(record.block_proof)}};
}

Result<EvidenceRecord> ParseRecord(const json& value, std::string_view path, const EvidenceLimits& limits) {
  RETURN_IF_ERROR(ExpectKeys(value, path,
                             {"log_index", "transaction", "outcome", "tx_proof", "outcome_proof", "block_header",
                              "block_proof"}));
  EvidenceRecord record;
  ASSIGN_OR_RETURN(record.log_index, GetU64(value, "log_index", path));
  size_t tx_bytes_max = limits.block.tx.body_bytes_max + kTxEnvelopeBytesMax;
  ASSIGN_OR_RETURN(record.transaction, StrictHex(value["transaction"], Child(path, "transaction"), tx_bytes_max));
  ASSIGN_OR_RETURN(record.outcome, StrictHex(value["outcome"], Child(path, "outcome"), kOutcomeBytesMax));
  ASSIGN_OR_RETURN(record.tx_proof, GetProof(value, "tx_proof", path, limits.proof_hashes_max));
  ASSIGN_OR_RETURN(record.outcome_proof, GetProof(value, "outcome_proof", path, limits.proof_hashes_max));
  ASSIGN_OR_RETURN(record.block_header,
                   StrictHex(value["block_header"], Child(path, "block_header"), kBlockHeaderBytes));
  ASSIGN_OR_RETURN(record.block_proof, GetProof(value, "block_proof", path, limits.proof_hashes_max));
  return record;
}

Result<std::vector<EvidenceRecord>> ParseRecords(const json& object, std::string_view key, size_t items_max,
                                                 const EvidenceLimits& limits) {
  const json& value = object[std::string(key)];
  if (!value.is_array()) return Bad(key, "expected an array");
  if (value.size() > items_max) return Bad(key, "more than " + std::to_string(items_max) + " records");
  std::vector<EvidenceRecord> records;
  records.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    ASSIGN_OR_RETURN(EvidenceRecord record, ParseRecord(value[i], Item(key, i), limits));
    records.push_back(std::move(record));
  }
  return records;
}

json SubjectToJson(const EvidenceSubject& subject) {
  switch (subject.kind) {
    case SubjectKind::kTransaction:
      return json{{"kind", SubjectKindName(subject.kind)}, {"tx_hash", subject.tx_hash.ToHex()}};
    case SubjectKind::kAssetAccess:
      return json{{"kind", SubjectKindName(subject.kind)},
                  {"asset_id", subject.asset_id},
                  {"from_ms", subject.from_ms},
                  {"to_ms", subject.to_ms}};
    case SubjectKind::kDispute:
      return json{{"kind", SubjectKindName(subject.kind)}, {"dispute_id", subject.dispute_id}};
  }
  return json::object();
}

Result<EvidenceSubject> ParseSubject(const json& value, const EvidenceLimits& limits) {
  constexpr std::string_view kPath = "subject";
  if (!value.is_object() || !value.contains("kind")) return Bad(kPath, "expected an object with a kind");
  ASSIGN_OR_RETURN(std::string kind, GetString(value, "kind", kPath, 32));
  EvidenceSubject subject;
  if (kind == SubjectKindName(SubjectKind::kTransaction)) {
    RETURN_IF_ERROR(ExpectKeys(value, kPath, {"kind", "tx_hash"}));
    subject.kind = SubjectKind::kTransaction;
    ASSIGN_OR_RETURN(subject.tx_hash, StrictDigest(value["tx_hash"], "subject.tx_hash"));
  } else if (kind == SubjectKindName(SubjectKind::kAssetAccess)) {
    RETURN_IF_ERROR(ExpectKeys(value, kPath, {"kind", "asset_id", "from_ms", "to_ms"}));
    subject.kind = SubjectKind::kAssetAccess;
    ASSIGN_OR_RETURN(subject.asset_id, GetString(value, "asset_id", kPath, limits.subject_id_bytes_max));
    ASSIGN_OR_RETURN(subject.from_ms, GetI64(value, "from_ms", kPath));
    ASSIGN_OR_RETURN(subject.to_ms, GetI64(value, "to_ms", kPath));
  } else if (kind == SubjectKindName(SubjectKind::kDispute)) {
    RETURN_IF_ERROR(ExpectKeys(value, kPath, {"kind", "dispute_id"}));
    subject.kind = SubjectKind::kDispute;
    ASSIGN_OR_RETURN(subject.dispute_id, GetString(value, "dispute_id", kPath, limits.subject_id_bytes_max));
  } else {
    return Bad("subject.kind", "unknown kind (transaction, asset_access or dispute)");
  }
  return subject;
}

}  // namespace

std::string_view SubjectKindName(SubjectKind kind) {
  switch (kind) {
    case SubjectKind::kTransaction:
      return "transaction";
    case SubjectKind::kAssetAccess:
      return "asset_access";
    case SubjectKind::kDispute:
      return "dispute";
  }
  return "unknown";
}

nlohmann::json EvidenceBundle::ToJson() const {
  json history = json::array();
  for (const EvidenceRecord& record : validator_history) history.push_back(RecordToJson(record));
  json items = json::array();
  for (const EvidenceRecord& record : records) items.push_back(RecordToJson(record));
  return json{{"format", kEvidenceFormat},
              {"network_id", network_id},
              {"genesis_hash", genesis_hash.ToHex()},
              {"subject", SubjectToJson(subject)},
              {"checkpoint", checkpoint.ToJson()},
              {"validator_history", std::move(history)},
              {"records", std::move(items)}};
}

Result<EvidenceBundle> ParseBundle(const nlohmann::json& value, const EvidenceLimits& limits) {
  RETURN_IF_ERROR(ExpectKeys(value, "",
                             {"format", "network_id", "genesis_hash", "subject", "checkpoint", "validator_history",
                              "records"}));
  ASSIGN_OR_RETURN(std::string format, GetString(value, "format", "", 64));
  if (format != kEvidenceFormat) return Bad("format", "not " + std::string(kEvidenceFormat));
  EvidenceBundle bundle;
  ASSIGN_OR_RETURN(bundle.network_id, GetString(value, "network_id", "", limits.checkpoint.network_id_bytes_max));
  ASSIGN_OR_RETURN(bundle.genesis_hash, StrictDigest(value["genesis_hash"], "genesis_hash"));
  ASSIGN_OR_RETURN(bundle.subject, ParseSubject(value["subject"], limits));
  Result<CosignedCheckpoint> checkpoint = CosignedCheckpoint::FromJson(value["checkpoint"], limits.checkpoint);
  if (!checkpoint.ok()) return Bad("checkpoint", checkpoint.status().message());
  bundle.checkpoint = std::move(checkpoint).value();
  ASSIGN_OR_RETURN(bundle.validator_history,
                   ParseRecords(value, "validator_history", limits.validator_history_max, limits));
  ASSIGN_OR_RETURN(bundle.records, ParseRecords(value, "records", limits.records_max, limits));
  return bundle;
}

}  // namespace shulian::ledger
