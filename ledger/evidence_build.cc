// Evidence bundle builders (ledger/evidence.h): pure readers of a Ledger. Every
// proof is made against the given checkpoint's sizes, whatever the ledger's
// height now, so a bundle can be made against any stored cosigned checkpoint.
#include <algorithm>

#include "ledger/bodies.h"
#include "ledger/evidence.h"
#include "ledger/ledger.h"
#include "ledger/queries.h"
#include "ledger/state_keys.h"

namespace shulian::ledger {
namespace {

// Blocks one dispute look-up may read while scanning the blocks of one block time
// for the opening or closing transaction (block times are leader-stamped ms, so a
// handful of blocks share one at most).
constexpr uint64_t kSameTimeBlocksMax = 1024;

// The checkpoint must be one of this ledger's: same network, genesis and roots.
Status CheckCheckpointIsOurs(const Ledger& ledger, const Checkpoint& checkpoint) {
  if (checkpoint.height > ledger.height()) {
    return Status::OutOfRange("checkpoint height " + std::to_string(checkpoint.height) + " is above the ledger's " +
                              std::to_string(ledger.height()));
  }
  ASSIGN_OR_RETURN(Checkpoint ours, ledger.CheckpointAt(checkpoint.height));
  if (ours != checkpoint) {
    return Status::InvalidArgument("checkpoint of height " + std::to_string(checkpoint.height) +
                                   " is not this ledger's");
  }
  return Status::Ok();
}

EvidenceBundle NewBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint, EvidenceSubject subject) {
  EvidenceBundle bundle;
  bundle.network_id = ledger.network_id();
  bundle.genesis_hash = ledger.genesis_hash();
  bundle.subject = std::move(subject);
  bundle.checkpoint = checkpoint;
  return bundle;
}

Result<std::vector<EvidenceRecord>> BuildRecords(const Ledger& ledger, const Checkpoint& checkpoint,
                                                 std::vector<uint64_t> log_indexes) {
  std::sort(log_indexes.begin(), log_indexes.end());
  log_indexes.erase(std::unique(log_indexes.begin(), log_indexes.end()), log_indexes.end());
  std::vector<EvidenceRecord> records;
  records.reserve(log_indexes.size());
  for (uint64_t index : log_indexes) {
    ASSIGN_OR_RETURN(EvidenceRecord record, BuildEvidenceRecord(ledger, checkpoint, index));
    records.push_back(std::move(record));
  }
  return records;
}

// Fills in the validator history and the records, then returns the JSON.
Result<nlohmann::json> Finish(const Ledger& ledger, EvidenceBundle bundle, std::vector<uint64_t> record_indexes,
                              const EvidenceLimits& limits) {
  const Checkpoint& checkpoint = bundle.checkpoint.checkpoint;
  if (record_indexes.size() > limits.records_max) {
    return Status::ResourceExhausted("the subject has " + std::to_string(record_indexes.size()) +
                                     " records, more than records_max " + std::to_string(limits.records_max) +
                                     "; narrow the time range");
  }
  ASSIGN_OR_RETURN(std::vector<uint64_t> changes, ledger.ValidatorChangesBefore(checkpoint.tx_log_size));
  if (changes.size() > limits.validator_history_max) {
    return Status::ResourceExhausted("validator history of " + std::to_string(changes.size()) +
                                     " changes exceeds validator_history_max");
  }
  ASSIGN_OR_RETURN(bundle.validator_history, BuildRecords(ledger, checkpoint, std::move(changes)));
  ASSIGN_OR_RETURN(bundle.records, BuildRecords(ledger, checkpoint, std::move(record_indexes)));
  return bundle.ToJson();
}

// Log index of `tx_hash` if the ledger holds it under the checkpoint.
Result<std::optional<uint64_t>> CoveredIndex(const Ledger& ledger, const Checkpoint& checkpoint,
                                             const crypto::Digest& tx_hash) {
  Result<TxLocation> location = ledger.blocks().FindTransaction(tx_hash);
  if (!location.ok()) {
    if (location.status().code() == ErrorCode::kNotFound) return std::optional<uint64_t>();
    return location.status();
  }
  if (location->log_index >= checkpoint.tx_log_size) return std::optional<uint64_t>();
  return std::optional<uint64_t>(location->log_index);
}

// The first height in 1..ledger.height() whose block time is >= time_ms
// (block times never decrease), or height()+1 if none.
Result<uint64_t> FirstBlockAtOrAfter(const Ledger& ledger, int64_t time_ms) {
  uint64_t low = 1, high = ledger.height() + 1;
  while (low < high) {
    uint64_t mid = low + (high - low) / 2;
    ASSIGN_OR_RETURN(BlockHeader header, ledger.BlockHeaderAt(mid));
    if (header.time_ms < time_ms) {
      low = mid + 1;
    } else {
      high = mid;
    }
  }
  return low;
}

// Finds the transaction of `type` about `dispute_id` in the blocks stamped
// `time_ms` (the dispute record keeps the times, not the transactions): the
// accepted one whose body names the dispute.
template <typename BodyT>
Result<std::optional<uint64_t>> FindDisputeTx(const Ledger& ledger, int64_t time_ms, std::string_view dispute_id) {
  ASSIGN_OR_RETURN(uint64_t height, FirstBlockAtOrAfter(ledger, time_ms));
  for (uint64_t read = 0; height <= ledger.height(); ++height, ++read) {
    if (read == kSameTimeBlocksMax) return Status::ResourceExhausted("too many blocks share one block time");
    ASSIGN_OR_RETURN(Block block, ledger.blocks().GetBlock(height));
    if (block.header.time_ms != time_ms) break;
    uint64_t first_index = block.header.tx_log_size - block.header.tx_count;
    for (size_t i = 0; i < block.transactions.size(); ++i) {
      const Transaction& tx = block.transactions[i];
      if (tx.type != BodyT::kType) continue;
      Result<BodyT> body = BodyT::Decode(tx.body);
      if (!body.ok() || body->dispute_id != dispute_id) continue;
      ASSIGN_OR_RETURN(TxOutcome outcome, ledger.OutcomeAt(first_index + i));
      if (outcome.accepted()) return std::optional<uint64_t>(first_index + i);
    }
  }
  return std::optional<uint64_t>();
}

}  // namespace

Result<EvidenceRecord> BuildEvidenceRecord(const Ledger& ledger, const Checkpoint& checkpoint, uint64_t log_index) {
  if (log_index >= checkpoint.tx_log_size) {
    return Status::OutOfRange("log index " + std::to_string(log_index) + " is not below the checkpoint's size " +
                              std::to_string(checkpoint.tx_log_size));
  }
  ASSIGN_OR_RETURN(LoggedTransaction logged, ledger.TransactionAt(log_index));
  ASSIGN_OR_RETURN(TxOutcome outcome, ledger.OutcomeAt(log_index));
  ASSIGN_OR_RETURN(BlockHeader header, ledger.BlockHeaderAt(logged.location.height));
  EvidenceRecord record;
  record.log_index = log_index;
  record.transaction = logged.transaction.Encode();
  record.outcome = outcome.Encode();
  record.block_header = header.Encode();
  ASSIGN_OR_RETURN(record.tx_proof, ledger.tx_log().InclusionProof(log_index, checkpoint.tx_log_size));
  ASSIGN_OR_RETURN(record.outcome_proof, ledger.outcome_log().InclusionProof(log_index, checkpoint.outcome_log_size));
  ASSIGN_OR_RETURN(record.block_proof, ledger.block_log().InclusionProof(header.height - 1, checkpoint.height));
  return record;
}

Result<nlohmann::json> BuildTransactionBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                              const crypto::Digest& tx_hash, const EvidenceLimits& limits) {
  RETURN_IF_ERROR(CheckCheckpointIsOurs(ledger, checkpoint.checkpoint));
  ASSIGN_OR_RETURN(TxLocation location, ledger.blocks().FindTransaction(tx_hash));
  if (location.log_index >= checkpoint.checkpoint.tx_log_size) {
    return Status::OutOfRange("transaction " + tx_hash.ToHex() + " was ordered after the checkpoint at height " +
                              std::to_string(checkpoint.checkpoint.height));
  }
  EvidenceSubject subject;
  subject.kind = SubjectKind::kTransaction;
  subject.tx_hash = tx_hash;
  return Finish(ledger, NewBundle(ledger, checkpoint, subject), {location.log_index}, limits);
}

Result<nlohmann::json> BuildAssetAccessBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                              std::string_view asset_id, int64_t from_ms, int64_t to_ms,
                                              const EvidenceLimits& limits) {
  if (from_ms >= to_ms) return Status::InvalidArgument("from_ms must be before to_ms");
  if (asset_id.empty() || asset_id.size() > limits.subject_id_bytes_max) {
    return Status::InvalidArgument("asset_id: 1.." + std::to_string(limits.subject_id_bytes_max) + " bytes");
  }
  const Checkpoint& cp = checkpoint.checkpoint;
  RETURN_IF_ERROR(CheckCheckpointIsOurs(ledger, cp));
  // The bundle speaks for the ledger, not for a caller: the API scopes who may ask.
  Queries queries(ledger.state());
  Viewer everything{"", "", ViewScope::kEverything};
  QueryLimits query_limits;
  PageRequest page{"", query_limits.page_items_max};
  std::vector<uint64_t> indexes;
  do {
    ASSIGN_OR_RETURN(Page<AccessRecord> found,
                     queries.AccessByAsset(everything, asset_id, TimeRange{from_ms, to_ms}, page));
    for (const AccessRecord& access : found.items) {
      ASSIGN_OR_RETURN(std::optional<uint64_t> index, CoveredIndex(ledger, cp, access.tx_hash));
      if (index) indexes.push_back(*index);
    }
    if (indexes.size() > limits.records_max) break;  // Finish reports it
    page.cursor = found.next_cursor;
  } while (!page.cursor.empty());
  EvidenceSubject subject;
  subject.kind = SubjectKind::kAssetAccess;
  subject.asset_id = std::string(asset_id);
  subject.from_ms = from_ms;
  subject.to_ms = to_ms;
  return Finish(ledger, NewBundle(ledger, checkpoint, subject), std::move(indexes), limits);
}

Result<nlohmann::json> BuildDisputeBundle(const Ledger& ledger, const CosignedCheckpoint& checkpoint,
                                          std::string_view dispute_id, const EvidenceLimits& limits) {
  if (dispute_id.empty() || dispute_id.size() > limits.subject_id_bytes_max) {
    return Status::InvalidArgument("dispute_id: 1.." + std::to_string(limits.subject_id_bytes_max) + " bytes");
  }
  const Checkpoint& cp = checkpoint.checkpoint;
  RETURN_IF_ERROR(CheckCheckpointIsOurs(ledger, cp));
  ASSIGN_OR_RETURN(DisputeRecord dispute, LoadRecord<DisputeRecord>(ledger.state(), Key("di").Id(dispute_id)));
  ASSIGN_OR_RETURN(std::optional<uint64_t> opening, FindDisputeTx<OpenDisputeBody>(ledger, dispute.opened_ms, dispute_id));
  if (!opening) return Status::Corruption("dispute " + std::string(dispute_id) + ": its opening is not in its block");
  if (*opening >= cp.tx_log_size) {
    return Status::NotFound("dispute " + std::string(dispute_id) + " was opened after the checkpoint at height " +
                            std::to_string(cp.height));
  }
  std::vector<uint64_t> indexes{*opening};
  if (dispute.status == DisputeStatus::kClosed) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> closing,
                     FindDisputeTx<CloseDisputeBody>(ledger, dispute.closed_ms, dispute_id));
    if (closing && *closing < cp.tx_log_size) indexes.push_back(*closing);
  }
  for (const crypto::Digest& ref : dispute.record_refs) {
    ASSIGN_OR_RETURN(std::optional<uint64_t> index, CoveredIndex(ledger, cp, ref));
    if (index) indexes.push_back(*index);
  }
  EvidenceSubject subject;
  subject.kind = SubjectKind::kDispute;
  subject.dispute_id = std::string(dispute_id);
  return Finish(ledger, NewBundle(ledger, checkpoint, subject), std::move(indexes), limits);
}

}  // namespace shulian::ledger
