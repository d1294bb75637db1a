// The offline verifier of evidence bundles (ledger/evidence.h). Pure: it reads
// nothing but its arguments. Every error message starts with the name of the
// check that failed (docs/evidence.md lists them).
#include <algorithm>
#include <ctime>
#include <set>
#include <string>

#include "crypto/merkle.h"
#include "ledger/bodies.h"
#include "ledger/domain_types.h"
#include "ledger/evidence.h"
#include "ledger/genesis_import.h"

namespace shulian::ledger {
namespace {

Status Fail(std::string_view check, std::string_view where, std::string_view what) {
  return Status::InvalidArgument(std::string(check) + ": " + std::string(where) + ": " + std::string(what));
}

// BlockHeader has no decoder of its own (headers travel inside blocks); the
// block-log leaf is exactly BlockHeader::Encode(), fixed-size.
Result<BlockHeader> DecodeHeader(ByteView encoded) {
  ByteReader reader(encoded);
  ASSIGN_OR_RETURN(ByteView tag, reader.GetFixed(kBlockDomainTag.size()));
  if (AsStringView(tag) != kBlockDomainTag) return Status::InvalidArgument("block header: wrong domain tag");
  BlockHeader header;
  ASSIGN_OR_RETURN(header.height, reader.GetU64());
  ASSIGN_OR_RETURN(header.previous_hash.bytes, reader.GetArray<32>());
  ASSIGN_OR_RETURN(header.time_ms, reader.GetI64());
  ASSIGN_OR_RETURN(header.proposer, reader.GetU64());
  ASSIGN_OR_RETURN(header.tx_count, reader.GetU32());
  ASSIGN_OR_RETURN(header.tx_log_size, reader.GetU64());
  ASSIGN_OR_RETURN(header.tx_log_root.bytes, reader.GetArray<32>());
  RETURN_IF_ERROR(reader.Finish());
  return header;
}

bool SameBytes(const Bytes& a, const Bytes& b) { return a == b; }

// Decodes the record's three byte strings, canonically.
Status DecodeRecord(const EvidenceRecord& record, const EvidenceLimits& limits, std::string_view where,
                    VerifiedRecord& out) {
  Result<Transaction> tx = Transaction::Decode(record.transaction, limits.block.tx);
  if (!tx.ok()) return Fail("record.decode", where, "transaction: " + tx.status().message());
  if (!SameBytes(tx->Encode(), record.transaction)) return Fail("record.decode", where, "transaction not canonical");
  Result<TxOutcome> outcome = TxOutcome::Decode(record.outcome);
  if (!outcome.ok()) return Fail("record.decode", where, "outcome: " + outcome.status().message());
  if (!SameBytes(outcome->Encode(), record.outcome)) return Fail("record.decode", where, "outcome not canonical");
  Result<BlockHeader> header = DecodeHeader(record.block_header);
  if (!header.ok()) return Fail("record.decode", where, header.status().message());
  out.log_index = record.log_index;
  out.tx_hash = crypto::Sha256(record.transaction);
  out.transaction = std::move(tx).value();
  out.outcome = std::move(outcome).value();
  out.block = *header;
  return Status::Ok();
}

// Places a decoded record under the checkpoint: both logs at log_index, the block
// header in the block log, and the log index inside that block.
Status ProveRecord(const EvidenceRecord& record, const VerifiedRecord& decoded, const Checkpoint& cp,
                   std::string_view where) {
  if (decoded.outcome.tx_hash != decoded.tx_hash) {
    return Fail("record.outcome_hash", where, "the outcome is for transaction " + decoded.outcome.tx_hash.ToHex());
  }
  Status tx_proof = crypto::VerifyMerkleInclusion(record.log_index, cp.tx_log_size,
                                                  crypto::MerkleLeafHash(record.transaction), record.tx_proof,
                                                  cp.tx_log_root);
  if (!tx_proof.ok()) return Fail("record.tx_proof", where, tx_proof.message());
  Status outcome_proof = crypto::VerifyMerkleInclusion(record.log_index, cp.outcome_log_size,
                                                       crypto::MerkleLeafHash(record.outcome), record.outcome_proof,
                                                       cp.outcome_log_root);
  if (!outcome_proof.ok()) return Fail("record.outcome_proof", where, outcome_proof.message());
  const BlockHeader& header = decoded.block;
  if (header.height == 0 || header.height > cp.height) {
    return Fail("record.block_height", where,
                "block " + std::to_string(header.height) + " is not in 1.." + std::to_string(cp.height));
  }
  Status block_proof = crypto::VerifyMerkleInclusion(header.height - 1, cp.height,
                                                     crypto::MerkleLeafHash(record.block_header), record.block_proof,
                                                     cp.block_log_root);
  if (!block_proof.ok()) return Fail("record.block_proof", where, block_proof.message());
  if (header.tx_count > header.tx_log_size || record.log_index < header.tx_log_size - header.tx_count ||
      record.log_index >= header.tx_log_size) {
    return Fail("record.block_range", where,
                "log index " + std::to_string(record.log_index) + " is not among block " +
                    std::to_string(header.height) + "'s transactions");
  }
  if (header.height == cp.height && header.Hash() != cp.block_hash) {
    return Fail("record.block_checkpoint", where, "the checkpoint's block hash differs from this header's");
  }
  if (header.time_ms > cp.block_time_ms) return Fail("record.block_checkpoint", where, "block time after the checkpoint's");
  return Status::Ok();
}

Result<VerifiedRecord> VerifyRecord(const EvidenceRecord& record, const Checkpoint& cp, const ImportedGenesis& genesis,
                                    const EvidenceLimits& limits, std::string_view where) {
  VerifiedRecord out;
  RETURN_IF_ERROR(DecodeRecord(record, limits, where, out));
  if (out.transaction.network_id != genesis.network_id) {
    return Fail("record.network", where, "transaction of another network");
  }
  RETURN_IF_ERROR(ProveRecord(record, out, cp, where));
  for (const ImportedGenesis::AccountEntry& account : genesis.accounts) {
    if (account.id == out.transaction.sender) {
      out.sender_authority = account.authority_id;
      out.sender_in_genesis = true;
    }
  }
  return out;
}

// Last, with the other signatures: a record's own signature, where the genesis file
// establishes the sender's key. It says who signed independently of the validators.
void CheckSenderSignature(const ImportedGenesis& genesis, VerifiedRecord& record) {
  for (const ImportedGenesis::AccountEntry& account : genesis.accounts) {
    if (account.id == record.transaction.sender) {
      record.sender_signature_verified = record.transaction.VerifySignature(account.public_key, genesis.hash);
    }
  }
}

std::string Where(std::string_view list, size_t index, uint64_t log_index) {
  return std::string(list) + "[" + std::to_string(index) + "] (log index " + std::to_string(log_index) + ")";
}

// The ledger accepts a membership change only from an operator account, so a
// history record must be signed by an account the genesis file makes an operator,
// with the key the genesis file gives it. Without this, anyone could write a ledger
// whose history "adds" made-up keys and sign a checkpoint with them. An operator
// registered after genesis, or whose key was rotated, cannot be established from
// the bundle, so such a history is refused rather than trusted.
Status CheckHistorySigner(const Transaction& tx, const ImportedGenesis& genesis, std::string_view where) {
  const ImportedGenesis::AccountEntry* sender = nullptr;
  for (const ImportedGenesis::AccountEntry& account : genesis.accounts) {
    if (account.id == tx.sender) sender = &account;
  }
  if (sender == nullptr) {
    return Fail("validator_history_signer", where,
                "sender \"" + tx.sender + "\" is not a genesis account (an operator registered later cannot be "
                "established by this bundle)");
  }
  if (!tx.VerifySignature(sender->public_key, genesis.hash)) {
    return Fail("validator_history_signer", where,
                "the transaction is not signed with the genesis key of \"" + tx.sender +
                    "\" (a rotated key cannot be established by this bundle)");
  }
  const uint8_t operator_role = static_cast<uint8_t>(Role::kOperator);
  if (std::find(sender->roles.begin(), sender->roles.end(), operator_role) == sender->roles.end()) {
    return Fail("validator_history_operator", where,
                "sender \"" + tx.sender + "\" does not hold the operator role in the genesis file");
  }
  return Status::Ok();
}

// Folds the validator history from the genesis set; the result must be the set
// the checkpoint names.
Result<ValidatorSet> FoldValidatorHistory(const EvidenceBundle& bundle, const ImportedGenesis& genesis,
                                          const EvidenceLimits& limits) {
  Result<ValidatorSet> set = ValidatorSet::FromGenesis(genesis);
  if (!set.ok()) return Fail("validator_history", "genesis", set.status().message());
  const Checkpoint& cp = bundle.checkpoint.checkpoint;
  for (size_t i = 0; i < bundle.validator_history.size(); ++i) {
    const EvidenceRecord& record = bundle.validator_history[i];
    std::string where = Where("validator_history", i, record.log_index);
    if (i > 0 && record.log_index <= bundle.validator_history[i - 1].log_index) {
      return Fail("validator_history", where, "log indexes must strictly increase");
    }
    ASSIGN_OR_RETURN(VerifiedRecord change, VerifyRecord(record, cp, genesis, limits, where));
    if (!IsValidatorChange(change.transaction.type)) return Fail("validator_history", where, "not a membership change");
    if (!change.outcome.accepted()) return Fail("validator_history", where, "the change was not accepted");
    RETURN_IF_ERROR(CheckHistorySigner(change.transaction, genesis, where));
    Status applied = set->Apply(change.transaction);
    if (!applied.ok()) return Fail("validator_history", where, applied.message());
  }
  if (set->Id() != cp.validator_set_id) {
    return Fail("validator_history", "checkpoint.validator_set_id",
                "the set folded from genesis has id " + set->Id().ToHex() + ", not the checkpoint's (a change is "
                "missing or extra)");
  }
  return set;
}

Status CheckSubjectTransaction(const EvidenceSubject& subject, const std::vector<VerifiedRecord>& records) {
  if (records.size() != 1) return Fail("subject", "records", "a transaction bundle holds exactly one record");
  if (records[0].tx_hash != subject.tx_hash) return Fail("subject", "records[0]", "not the transaction asked for");
  return Status::Ok();
}

Status CheckSubjectAccess(const EvidenceSubject& subject, const std::vector<VerifiedRecord>& records) {
  if (subject.from_ms >= subject.to_ms) return Fail("subject", "subject", "from_ms must be before to_ms");
  for (size_t i = 0; i < records.size(); ++i) {
    const VerifiedRecord& record = records[i];
    std::string where = Where("records", i, record.log_index);
    if (record.transaction.type != TxType::kRecordAccess) return Fail("subject", where, "not a record_access");
    Result<RecordAccessBody> body = RecordAccessBody::Decode(record.transaction.body);
    if (!body.ok()) return Fail("subject", where, "body: " + body.status().message());
    if (body->asset_id != subject.asset_id) return Fail("subject", where, "an access to another asset");
    if (record.block.time_ms < subject.from_ms || record.block.time_ms >= subject.to_ms) {
      return Fail("subject", where, "block time outside [from_ms, to_ms)");
    }
  }
  return Status::Ok();
}

Status CheckSubjectDispute(const EvidenceSubject& subject, const std::vector<VerifiedRecord>& records) {
  const VerifiedRecord* opening = nullptr;
  std::set<crypto::Digest> refs;
  for (const VerifiedRecord& record : records) {
    if (record.transaction.type != TxType::kOpenDispute || !record.outcome.accepted()) continue;
    Result<OpenDisputeBody> body = OpenDisputeBody::Decode(record.transaction.body);
    if (body.ok() && body->dispute_id == subject.dispute_id) {
      if (opening != nullptr) return Fail("subject", "records", "two accepted openings of one dispute");
      opening = &record;
      refs.insert(body->record_refs.begin(), body->record_refs.end());
    }
  }
  if (opening == nullptr) return Fail("subject", "records", "no accepted open_dispute of this dispute");
  for (size_t i = 0; i < records.size(); ++i) {
    const VerifiedRecord& record = records[i];
    if (&record == opening || refs.count(record.tx_hash) > 0) continue;
    if (record.transaction.type == TxType::kCloseDispute) {
      Result<CloseDisputeBody> body = CloseDisputeBody::Decode(record.transaction.body);
      if (body.ok() && body->dispute_id == subject.dispute_id) continue;
    }
    return Fail("subject", Where("records", i, record.log_index), "neither the dispute's nor referenced by it");
  }
  return Status::Ok();
}

Status CheckSubject(const EvidenceSubject& subject, const std::vector<VerifiedRecord>& records) {
  switch (subject.kind) {
    case SubjectKind::kTransaction:
      return CheckSubjectTransaction(subject, records);
    case SubjectKind::kAssetAccess:
      return CheckSubjectAccess(subject, records);
    case SubjectKind::kDispute:
      return CheckSubjectDispute(subject, records);
  }
  return Fail("subject", "kind", "unknown");
}

Result<VerifiedBundle> VerifyParsed(const EvidenceBundle& bundle, const ImportedGenesis& genesis,
                                    const EvidenceLimits& limits) {
  const Checkpoint& cp = bundle.checkpoint.checkpoint;
  if (bundle.genesis_hash != genesis.hash) return Fail("genesis", "genesis_hash", "not this genesis file's");
  if (bundle.network_id != genesis.network_id) return Fail("genesis", "network_id", "not this genesis file's");
  if (cp.network_id != genesis.network_id) return Fail("genesis", "checkpoint.network_id", "not this genesis file's");
  if (cp.outcome_log_size != cp.tx_log_size) {
    return Fail("checkpoint_sizes", "checkpoint", "outcome log size differs from the transaction log size");
  }
  // Hashing checks first, signatures last: every check must pass, and a tampered
  // bundle is refused without paying for Ed25519 where a proof already fails.
  VerifiedBundle out;
  out.subject = bundle.subject;
  out.checkpoint = cp;
  for (size_t i = 0; i < bundle.records.size(); ++i) {
    const EvidenceRecord& record = bundle.records[i];
    std::string where = Where("records", i, record.log_index);
    if (i > 0 && record.log_index <= bundle.records[i - 1].log_index) {
      return Fail("record.order", where, "log indexes must strictly increase");
    }
    ASSIGN_OR_RETURN(VerifiedRecord verified, VerifyRecord(record, cp, genesis, limits, where));
    out.records.push_back(std::move(verified));
  }
  RETURN_IF_ERROR(CheckSubject(bundle.subject, out.records));
  ASSIGN_OR_RETURN(ValidatorSet set, FoldValidatorHistory(bundle, genesis, limits));
  Status cosigned = VerifyCosigned(bundle.checkpoint, set);
  if (!cosigned.ok()) return Fail("checkpoint_signatures", "checkpoint", cosigned.message());
  for (const CheckpointSignature& signature : bundle.checkpoint.signatures) out.signers.push_back(signature.node_id);
  for (VerifiedRecord& record : out.records) CheckSenderSignature(genesis, record);
  out.validator_set = std::move(set);
  out.validator_changes = bundle.validator_history.size();
  return out;
}

std::string FormatTime(int64_t time_ms) {
  std::time_t seconds = static_cast<std::time_t>(time_ms / 1000);
  std::tm utc{};
  if (gmtime_r(&seconds, &utc) == nullptr) return std::to_string(time_ms) + " ms";
  char text[64];
  std::strftime(text, sizeof(text), "%Y-%m-%d %H:%M:%S UTC", &utc);
  return std::string(text) + " (" + std::to_string(time_ms) + " ms)";
}

std::string JoinIds(const std::vector<uint64_t>& ids) {
  std::string out;
  for (uint64_t id : ids) out += (out.empty() ? "" : ", ") + std::to_string(id);
  return out;
}

}  // namespace

Result<VerifiedBundle> VerifyBundle(const nlohmann::json& json, const ImportedGenesis& genesis,
                                    const EvidenceLimits& limits) {
  Result<EvidenceBundle> bundle = ParseBundle(json, limits);
  if (!bundle.ok()) {
    std::string check = bundle.status().message().rfind("format", 0) == 0 ? "format" : "parse";
    return Status::InvalidArgument(check + ": " + bundle.status().message());
  }
  // Every field of the input must be accounted for: what was parsed must serialise
  // back to the same JSON value (no second spelling of any field). Whitespace and
  // key order are JSON's, not the bundle's, and are not compared.
  if (bundle->ToJson() != json) {
    return Status::InvalidArgument("canonical: the bundle is not in canonical form (hex case, key set or number form)");
  }
  return VerifyParsed(*bundle, genesis, limits);
}

Result<VerifiedBundle> VerifyBundleText(std::string_view text, const ImportedGenesis& genesis,
                                        const EvidenceLimits& limits) {
  if (text.size() > limits.bundle_text_bytes_max) {
    return Status::InvalidArgument("parse: bundle larger than " + std::to_string(limits.bundle_text_bytes_max) +
                                   " bytes");
  }
  nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (json.is_discarded()) return Status::InvalidArgument("parse: not valid JSON");
  return VerifyBundle(json, genesis, limits);
}

std::string VerifiedBundle::Describe() const {
  std::string out;
  out += "VERIFIED: every record below is in the ledger of network \"" + checkpoint.network_id + "\" at height " +
         std::to_string(checkpoint.height) + " (block " + checkpoint.block_hash.ToHex() + ", " +
         FormatTime(checkpoint.block_time_ms) + ", " + std::to_string(checkpoint.tx_log_size) + " transactions).\n";
  out += "Cosigned by validators " + JoinIds(signers) + " (quorum " + std::to_string(validator_set.Quorum()) + " of " +
         std::to_string(validator_set.members.size()) + "), a set established from the genesis file through " +
         std::to_string(validator_changes) + " membership change(s).\n";
  for (const VerifiedRecord& record : records) {
    out += "- transaction " + record.tx_hash.ToHex() + " (" + std::string(TxTypeName(record.transaction.type)) +
           ") sent by account \"" + record.transaction.sender + "\"";
    if (record.sender_in_genesis) {
      out += record.sender_authority.empty() ? " (no authority)" : " of authority " + record.sender_authority;
    } else {
      out += " (account registered after genesis; its authority is not part of this proof)";
    }
    out += ", log index " + std::to_string(record.log_index) + ", block " + std::to_string(record.block.height) +
           " at " + FormatTime(record.block.time_ms) + "; outcome: " +
           (record.outcome.accepted() ? std::string("accepted")
                                      : "rejected (" + std::string(OutcomeCodeName(record.outcome.code)) + ": " +
                                            record.outcome.message + ")") +
           "; sender's signature " +
           (record.sender_signature_verified ? std::string("verified with its genesis key")
                                             : std::string("not established by this bundle (not signed with a key "
                                                           "the genesis file gives the sender)")) +
           "\n";
  }
  switch (subject.kind) {
    case SubjectKind::kTransaction:
      out += "Subject: transaction " + subject.tx_hash.ToHex() + ".\n";
      break;
    case SubjectKind::kAssetAccess:
      out += "Subject: " + std::to_string(records.size()) + " access record(s) of asset \"" + subject.asset_id +
             "\" with block time in [" + FormatTime(subject.from_ms) + ", " + FormatTime(subject.to_ms) +
             "). Not proven: that the ledger holds no other access in that range.\n";
      break;
    case SubjectKind::kDispute:
      out += "Subject: dispute \"" + subject.dispute_id + "\": its opening, its closing if included, and the " +
             "records it refers to that are included.\n";
      break;
  }
  return out;
}

nlohmann::json VerifiedBundle::ToJson() const {
  nlohmann::json items = nlohmann::json::array();
  for (const VerifiedRecord& record : records) {
    items.push_back({{"log_index", record.log_index},
                     {"tx_hash", record.tx_hash.ToHex()},
                     {"type", TxTypeName(record.transaction.type)},
                     {"sender", record.transaction.sender},
                     {"sender_authority", record.sender_in_genesis ? nlohmann::json(record.sender_authority)
                                                                   : nlohmann::json(nullptr)},
                     {"sender_signature_verified", record.sender_signature_verified},
                     {"block_height", record.block.height},
                     {"block_time_ms", record.block.time_ms},
                     {"outcome", record.outcome.ToJson()}});
  }
  return {{"verified", true},
          {"subject_kind", SubjectKindName(subject.kind)},
          {"checkpoint", checkpoint.ToJson()},
          {"signers", signers},
          {"validator_set", validator_set.ToJson()},
          {"validator_changes", validator_changes},
          {"records", std::move(items)}};
}

}  // namespace shulian::ledger
