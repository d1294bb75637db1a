// Shared checks of the state machine's rules: loading, scopes, policies,
// deadlines, flags and history (declared in ledger/apply_context.h).
#include <algorithm>
#include <set>
#include <span>

#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

template <typename T>
Result<T> LoadNamed(const StateStore& state, std::string_view head, std::string_view what,
                    std::string_view id) {
  Result<T> record = LoadRecord<T>(state, Key(head).Id(id));
  if (!record.ok() && record.status().code() == ErrorCode::kNotFound) {
    return Status::NotFound(std::string(what) + " \"" + std::string(id) + "\" does not exist");
  }
  return record;
}

}  // namespace

Result<AuthorityRecord> LoadAuthority(const StateStore& state, std::string_view id) {
  return LoadNamed<AuthorityRecord>(state, "au", "authority", id);
}
Result<AccountRecord> LoadAccount(const StateStore& state, std::string_view id) {
  return LoadNamed<AccountRecord>(state, "ac", "account", id);
}
Result<AssetRecord> LoadAsset(const StateStore& state, std::string_view id) {
  return LoadNamed<AssetRecord>(state, "as", "asset", id);
}
Result<RequestRecord> LoadRequest(const StateStore& state, std::string_view id) {
  return LoadNamed<RequestRecord>(state, "rq", "request", id);
}
Result<GrantRecord> LoadGrant(const StateStore& state, std::string_view id) {
  return LoadNamed<GrantRecord>(state, "gr", "grant", id);
}
Result<ObjectionRecord> LoadObjection(const StateStore& state, std::string_view id) {
  return LoadNamed<ObjectionRecord>(state, "ob", "objection", id);
}

Status RequireAbsent(const StateStore& state, std::string_view key, std::string_view what,
                     std::string_view id) {
  Result<std::string> existing = state.Get(key);
  if (existing.ok()) {
    return Status::AlreadyExists(std::string(what) + " \"" + std::string(id) + "\" already exists");
  }
  if (existing.status().code() != ErrorCode::kNotFound) return existing.status();
  return Status::Ok();
}

// ---------- scopes ----------

Result<bool> IsWithin(const ApplyEnv& env, std::string_view authority_id, std::string_view ancestor_id) {
  if (authority_id.empty() || ancestor_id.empty()) return false;
  std::string current(authority_id);
  for (size_t depth = 0; depth <= env.options.authority_depth_max; ++depth) {
    if (current == ancestor_id) return true;
    ASSIGN_OR_RETURN(AuthorityRecord authority, LoadAuthority(env.state, current));
    if (authority.parent_id.empty()) return false;
    current = authority.parent_id;
  }
  return Status::Corruption("authority tree deeper than authority_depth_max at " + std::string(authority_id));
}

Result<bool> IsSupervisorOver(TxContext& ctx, std::string_view authority_id) {
  if (!ctx.sender.HasRole(Role::kSupervisor)) return false;
  return IsWithin(ctx.env, authority_id, ctx.sender.authority_id);
}

Status RequireSupervisorOver(TxContext& ctx, std::string_view authority_id) {
  ASSIGN_OR_RETURN(bool ok, IsSupervisorOver(ctx, authority_id));
  if (!ok) {
    return Status::PermissionDenied("sender \"" + ctx.sender.id +
                                    "\" is not a supervisor whose scope holds authority \"" +
                                    std::string(authority_id) + "\"");
  }
  return Status::Ok();
}

Status RequireProviderOf(TxContext& ctx, std::string_view authority_id) {
  if (!ctx.sender.HasRole(Role::kProvider) || ctx.sender.authority_id != authority_id) {
    return Status::PermissionDenied("sender \"" + ctx.sender.id + "\" is not a provider of authority \"" +
                                    std::string(authority_id) + "\"");
  }
  return Status::Ok();
}

Status RequireRole(TxContext& ctx, Role role, std::string_view action) {
  if (!ctx.sender.HasRole(role)) {
    return Status::PermissionDenied(std::string(action) + " needs the " + std::string(EnumName(role)) +
                                    " role; sender \"" + ctx.sender.id + "\" lacks it");
  }
  return Status::Ok();
}

// ---------- policies and deadlines ----------

Result<Policy> ResolvePolicy(const ApplyEnv& env, std::string_view authority_id) {
  return LoadResolvedPolicy(env.state, authority_id, env.options.authority_depth_max);
}

Result<Calendar> CalendarOf(const ApplyEnv& env, const Policy& policy) {
  return LoadCalendarOf(env.state, policy);
}

Result<int64_t> DueTimeAt(const ApplyEnv& env, std::string_view authority_id, Step step) {
  return DueTimeFrom(env, authority_id, step, env.time_ms);
}

Result<int64_t> DueTimeFrom(const ApplyEnv& env, std::string_view authority_id, Step step, int64_t start_ms) {
  ASSIGN_OR_RETURN(Policy policy, ResolvePolicy(env, authority_id));
  if (!policy.period(step)) return int64_t{0};
  ASSIGN_OR_RETURN(Calendar calendar, CalendarOf(env, policy));
  return DueTime(policy, step, start_ms, calendar);
}

void AddDeadline(ApplyEnv& env, int64_t due_ms, DeadlineKind kind, std::string_view id) {
  env.state.Put(DeadlineKey(due_ms, kind, id), "");
}

void RemoveDeadline(ApplyEnv& env, int64_t due_ms, DeadlineKind kind, std::string_view id) {
  env.state.Delete(DeadlineKey(due_ms, kind, id));
}

Status SettleDeadline(TxContext& ctx, int64_t due_ms, DeadlineKind kind, std::string_view id,
                      std::string_view authority, TargetKind subject_kind, std::string_view detail, bool* late) {
  if (due_ms == 0) return Status::Ok();
  if (ctx.now() < due_ms) {
    RemoveDeadline(ctx.env, due_ms, kind, id);
    return RollUpDeadlineMet(ctx.env, authority);
  }
  *late = true;
  ctx.notes.push_back("flag:late_answer");
  return WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kLateShareAnswer, authority, subject_kind, id,
                                     std::string(detail)));
}

// ---------- evidence ----------

FlagRecord MakeFlag(const ApplyEnv& env, FlagKind kind, std::string_view authority_id,
                    TargetKind subject_kind, std::string_view subject_id, std::string detail) {
  FlagRecord flag;
  flag.kind = kind;
  flag.authority_id = std::string(authority_id);
  flag.subject_kind = subject_kind;
  flag.subject_id = std::string(subject_id);
  flag.detail = std::move(detail);
  flag.time_ms = env.time_ms;
  flag.tx_hash = env.tx_hash;
  return flag;
}

namespace {

// The summary counter a flag of this kind counts towards, if any.
std::optional<Counter> CounterOfFlag(FlagKind kind) {
  switch (kind) {
    case FlagKind::kShareReviewOverdue: return Counter::kOverdueReviews;
    case FlagKind::kShareDeemedApproved: return Counter::kDeemedApprovals;
    case FlagKind::kDuplicateSource: return Counter::kDuplicateSources;
    case FlagKind::kLateShareAnswer:
    case FlagKind::kLateObjectionAnswer: return Counter::kLateAnswers;
    case FlagKind::kAccessViolation: return Counter::kViolations;
    case FlagKind::kObjectionOverdue: return Counter::kOverdueObjections;
    case FlagKind::kCatalogUpdateOverdue: return Counter::kOverdueCatalogUpdates;
    case FlagKind::kShareDeliveryOverdue: return Counter::kOverdueShareDeliveries;
    case FlagKind::kLateObjectionReport: return Counter::kLateObjectionReports;
    default: return std::nullopt;
  }
}

}  // namespace

Status WriteFlag(ApplyEnv& env, FlagRecord flag) {
  if (std::optional<Counter> counter = CounterOfFlag(flag.kind)) {
    RETURN_IF_ERROR(BumpCounter(env.state, flag.authority_id, *counter, 1));
  }
  ASSIGN_OR_RETURN(flag.seq, NextSequence(env.state, "flag"));
  StoreRecord(env.state, Key("fl").Id(flag.authority_id).U64(flag.seq), flag);
  // By kind, across authorities: the court's view of all flags of one kind.
  env.state.Put(Key("ix").Id("fl-kind").U8(static_cast<uint8_t>(flag.kind)).U64(flag.seq),
                flag.authority_id);
  // Every missed deadline across authorities, in order: the court's overdue list.
  if (IsDeadlineMiss(flag.kind)) env.state.Put(Key("ix").Id("fl-late").U64(flag.seq), flag.authority_id);
  return RollUpFlag(env, flag);
}

void AppendHistory(ApplyEnv& env, AssetRecord& asset, std::string summary) {
  HistoryEntry entry;
  entry.seq = asset.history_count;
  entry.time_ms = env.time_ms;
  entry.height = env.height;
  entry.tx_hash = env.tx_hash;
  entry.tx_type = env.tx_type;
  entry.version = asset.version;
  entry.summary = std::move(summary);
  StoreRecord(env.state, Key("ah").Id(asset.id).U32(entry.seq), entry);
  ++asset.history_count;
  asset.updated_ms = env.time_ms;
}

void MoveStatusIndex(ApplyEnv& env, std::string_view kind, std::optional<uint8_t> old_status,
                     uint8_t new_status, std::string_view id) {
  std::string index = std::string(kind) + "-status";
  if (old_status) env.state.Delete(Key("ix").Id(index).U8(*old_status).Id(id));
  env.state.Put(Key("ix").Id(index).U8(new_status).Id(id), "");
}

Status RequireTransactionsInLedger(const TxContext& ctx, const std::vector<crypto::Digest>& tx_hashes,
                                   std::string_view field) {
  const PriorTransactions& prior = ctx.prior;
  std::set<crypto::Digest> earlier;  // hashed once, only when some hash is to be checked
  if (prior.block_txs != nullptr && !tx_hashes.empty()) {
    for (size_t i = 0; i < prior.index && i < prior.block_txs->size(); ++i) earlier.insert((*prior.block_txs)[i].Hash());
  }
  for (size_t i = 0; i < tx_hashes.size(); ++i) {
    const crypto::Digest& hash = tx_hashes[i];
    std::string where = std::string(field) + "[" + std::to_string(i) + "]: transaction " + hash.ToHex();
    if (earlier.contains(hash)) continue;
    if (prior.stored == nullptr || !*prior.stored) {
      return Status::InvalidArgument(where + " is not earlier in this block, and no transaction index was lent "
                                             "to look up earlier blocks");
    }
    ASSIGN_OR_RETURN(bool stored, (*prior.stored)(hash));
    if (!stored) {
      return Status::InvalidArgument(where + " is not in the ledger (neither in a stored block nor earlier in "
                                             "this block)");
    }
  }
  return Status::Ok();
}

bool IsSubset(const std::vector<std::string>& subset, const std::vector<std::string>& set) {
  return std::all_of(subset.begin(), subset.end(), [&](const std::string& item) {
    return std::find(set.begin(), set.end(), item) != set.end();
  });
}

}  // namespace shulian::ledger
