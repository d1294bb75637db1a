#include "ledger/state_machine.h"

#include <utility>
#include <variant>

#include "ledger/apply_context.h"
#include "ledger/genesis_import.h"
#include "ledger/store.h"

namespace shulian::ledger {
namespace {

Result<AccountRecord> ImportAccount(const ImportedGenesis::AccountEntry& entry) {
  AccountRecord account;
  account.id = entry.id;
  account.authority_id = entry.authority_id;
  account.public_key = entry.public_key;
  account.name = entry.name;
  for (uint8_t raw : entry.roles) {
    std::optional<Role> role = EnumFromValue<Role>(raw);
    if (!role) return Status::InvalidArgument("genesis account " + entry.id + ": unknown role " + std::to_string(raw));
    account.roles.push_back(*role);
  }
  return account;
}

Status ProcessDeadline(ApplyEnv& env, DeadlineKind kind, std::string_view id) {
  switch (kind) {
    case DeadlineKind::kShareReview: return ExpireShareReview(env, id);
    case DeadlineKind::kGrantExpiry: return ExpireGrant(env, id);
    case DeadlineKind::kObjectionAnswer: return ExpireObjectionAnswer(env, id);
    case DeadlineKind::kAggregationAnswer: return ExpireAggregationAnswer(env, id);
    case DeadlineKind::kAggregationDelivery: return ExpireAggregationDelivery(env, id);
    case DeadlineKind::kOpenAnswer: return ExpireOpenAnswer(env, id);
    case DeadlineKind::kOpenReviewAnswer: return ExpireOpenReviewAnswer(env, id);
    case DeadlineKind::kCatalogUpdate: return ExpireCatalogUpdate(env, id);
    case DeadlineKind::kShareDelivery: return ExpireShareDelivery(env, id);
  }
  return Status::Corruption("deadline index holds an unknown kind");
}

// Step 1 of a block: every deadline with due <= block time, oldest first. The
// index key starts with the due time, so the scan stops at the first later one.
Status ProcessDeadlines(ApplyEnv& env) {
  struct Due {
    std::string key;
    DeadlineKind kind;
    std::string id;
  };
  std::vector<Due> due;
  bool corrupt = false;
  RETURN_IF_ERROR(env.state.Scan("dl/", "", env.options.deadlines_per_block_max,
                                 [&](std::string_view key, std::string_view) {
                                   // "dl/" ‖ u64 ‖ "/" ‖ u8 ‖ "/" ‖ id
                                   if (key.size() < 3 + 8 + 1 + 1 + 2) {
                                     corrupt = true;
                                     return false;
                                   }
                                   uint64_t due_ms = TrailingU64(key.substr(0, 11));
                                   if (static_cast<int64_t>(due_ms) > env.time_ms) return false;
                                   auto kind = static_cast<DeadlineKind>(static_cast<uint8_t>(key[12]));
                                   due.push_back({std::string(key), kind, std::string(key.substr(14))});
                                   return true;
                                 }));
  if (corrupt) return Status::Corruption("malformed deadline index key");
  for (const Due& item : due) {
    env.state.Delete(item.key);
    RETURN_IF_ERROR(ProcessDeadline(env, item.kind, item.id));
  }
  return Status::Ok();
}

// The envelope checks every transaction passes before its rules.
struct EnvelopeVerdict {
  OutcomeCode code = OutcomeCode::kAccepted;
  std::string message;
};

Result<EnvelopeVerdict> CheckEnvelope(const StateMachineOptions& options, const ChainParamsRecord& params,
                                      const Transaction& tx, int64_t block_time_ms, const StateStore& state,
                                      AccountRecord* sender) {
  if (tx.network_id != params.network_id) {
    return EnvelopeVerdict{OutcomeCode::kWrongNetwork,
                           "network_id \"" + tx.network_id + "\" is not this network's"};
  }
  Result<AccountRecord> account = LoadAccount(state, tx.sender);
  if (!account.ok()) {
    if (account.status().code() != ErrorCode::kNotFound) return account.status();
    return EnvelopeVerdict{OutcomeCode::kUnknownSender, "sender \"" + tx.sender + "\" is not an account"};
  }
  *sender = std::move(account).value();
  if (sender->status != AccountStatus::kActive) {
    return EnvelopeVerdict{OutcomeCode::kSenderSuspended, "sender \"" + tx.sender + "\" is suspended"};
  }
  if (!tx.VerifySignature(sender->public_key, params.genesis_hash, options.signature_cache)) {
    return EnvelopeVerdict{OutcomeCode::kBadSignature,
                           "signature does not verify under the current key of \"" + tx.sender + "\""};
  }
  // Bounds, not a difference: a hostile client time near INT64_MIN must not overflow.
  // Block time and the window are both bounded (calendar.h, genesis validation).
  int64_t earliest = block_time_ms - params.client_time_window_ms;
  int64_t latest = block_time_ms + params.client_time_window_ms;
  if (tx.client_time_ms < earliest || tx.client_time_ms > latest) {
    return EnvelopeVerdict{OutcomeCode::kClientTimeOutsideWindow,
                           "client_time_ms " + std::to_string(tx.client_time_ms) + " is outside [" +
                               std::to_string(earliest) + ", " + std::to_string(latest) + "] around the block time"};
  }
  if (sender->HasRole(Role::kAuditor)) {
    return EnvelopeVerdict{OutcomeCode::kReadOnlySender, "auditor \"" + tx.sender + "\" is read-only"};
  }
  return EnvelopeVerdict{};
}

// Runs the rules of one transaction inside a savepoint.
Result<TxOutcome> ApplyTransaction(const StateMachineOptions& options, const ChainParamsRecord& params,
                                   const Block& block, size_t index, const StoredTxLookup& stored_txs,
                                   StateStore& state) {
  const Transaction& tx = block.transactions[index];
  TxOutcome outcome;
  outcome.tx_hash = tx.Hash();
  ApplyEnv env{state, options, block.header.time_ms, block.header.height, outcome.tx_hash,
               static_cast<uint16_t>(tx.type)};
  TxContext ctx{env, tx, {}, {}, {}, {stored_txs ? &stored_txs : nullptr, &block.transactions, index}};
  ASSIGN_OR_RETURN(EnvelopeVerdict verdict,
                   CheckEnvelope(options, params, tx, env.time_ms, state, &ctx.sender));
  if (verdict.code != OutcomeCode::kAccepted) {
    outcome.code = verdict.code;
    outcome.message = std::move(verdict.message);
    return outcome;
  }
  Result<Body> body = DecodeBody(tx.type, tx.body, options.body_limits);
  if (!body.ok()) {
    outcome.code = OutcomeCode::kMalformedBody;
    outcome.message = body.status().message();
    return outcome;
  }
  state.BeginSavepoint();
  Status status = std::visit([&](const auto& b) { return ApplyBody(ctx, b); }, *body);
  if (status.code() == ErrorCode::kCorruption || status.code() == ErrorCode::kIoError ||
      status.code() == ErrorCode::kInternal) {
    state.RollbackSavepoint();
    return status;  // the state itself is broken: stop the block
  }
  if (status.ok()) {
    state.CommitSavepoint();
    outcome.notes = std::move(ctx.notes);
    return outcome;
  }
  state.RollbackSavepoint();
  outcome.code = RuleCodeOf(status);
  outcome.message = status.message();
  for (FlagRecord& flag : ctx.rejection_flags) {
    outcome.notes.push_back("flag:" + std::string(FlagKindName(flag.kind)));
    RETURN_IF_ERROR(WriteFlag(env, std::move(flag)));
  }
  return outcome;
}

}  // namespace

StoredTxLookup StoredTransactionsOf(const BlockStore& blocks) {
  return [&blocks](const crypto::Digest& tx_hash) -> Result<bool> {
    Result<TxLocation> found = blocks.FindTransaction(tx_hash);
    if (found.ok()) return true;
    if (found.status().code() == ErrorCode::kNotFound) return false;
    return found.status();
  };
}

Status StateMachine::ApplyGenesis(const Genesis& genesis, StateStore& state) const {
  ASSIGN_OR_RETURN(ImportedGenesis imported, ImportGenesis(genesis));
  return ApplyImportedGenesis(imported, state);
}

Status StateMachine::ApplyImportedGenesis(const ImportedGenesis& genesis, StateStore& state) const {
  if (state.Contains("gp")) return Status::FailedPrecondition("genesis: state already initialised");
  StoreRecord(state, "gp", ChainParamsRecord{genesis.network_id, genesis.client_time_window_ms, genesis.hash});
  for (const auto& entry : genesis.authorities) {
    std::optional<AuthorityLevel> level = EnumFromValue<AuthorityLevel>(entry.level);
    if (!level) return Status::InvalidArgument("genesis authority " + entry.id + ": unknown level");
    StoreRecord(state, Key("au").Id(entry.id), AuthorityRecord{entry.id, entry.name, *level, entry.parent_id});
    if (!entry.parent_id.empty()) state.Put(Key("ak").Id(entry.parent_id).Id(entry.id), "");
  }
  for (const auto& entry : genesis.accounts) {
    ASSIGN_OR_RETURN(AccountRecord account, ImportAccount(entry));
    StoreRecord(state, Key("ac").Id(account.id), account);
  }
  for (const auto& entry : genesis.validators) {
    StoreRecord(state, Key("va").U64(entry.node_id),
                ValidatorRecord{entry.node_id, entry.name, entry.authority_id, entry.public_key, false});
  }
  for (const Calendar& calendar : genesis.calendars) {
    Bytes encoded = calendar.Encode();
    state.Put(Key("ca").Id(calendar.id), AsStringView(encoded));
  }
  for (const auto& [authority_id, layer] : genesis.policies) {
    Bytes encoded = layer.Encode();
    state.Put(Key("po").Id(authority_id), AsStringView(encoded));
  }
  return Status::Ok();
}

Result<std::vector<TxOutcome>> StateMachine::ApplyBlock(const Block& block, StateStore& state,
                                                        const StoredTxLookup& stored_txs) const {
  Result<ChainParamsRecord> params = LoadRecord<ChainParamsRecord>(state, "gp");
  if (!params.ok()) return Status::FailedPrecondition("apply block: no genesis in state: " + params.status().message());
  if (block.header.time_ms < 0 || block.header.time_ms > kBlockTimeMsMax) {
    return Status::InvalidArgument("block.header.time_ms out of range");
  }
  ApplyEnv env{state, options_, block.header.time_ms, block.header.height, {}, 0};
  RETURN_IF_ERROR(ProcessDeadlines(env));
  std::vector<TxOutcome> outcomes;
  outcomes.reserve(block.transactions.size());
  for (size_t i = 0; i < block.transactions.size(); ++i) {
    ASSIGN_OR_RETURN(TxOutcome outcome, ApplyTransaction(options_, *params, block, i, stored_txs, state));
    outcomes.push_back(std::move(outcome));
  }
  return outcomes;
}

}  // namespace shulian::ledger
