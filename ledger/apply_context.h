// Internal to the state machine (state_machine.cc and apply_*.cc): the context a
// rule runs in, the shared checks (roles, scopes, policies, deadlines, flags,
// history) and one ApplyBody overload per transaction body.
//
// A rule reads and writes only through ctx.state, inside the savepoint the
// framework opened; returning a non-OK Status rejects the transaction and the
// framework rolls every write back. A rule never reads a clock: "now" is
// ctx.time_ms, the block time.
//
// Thread-safety: a context belongs to one apply call.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "crypto/sha256.h"
#include "ledger/bodies.h"
#include "ledger/calendar.h"
#include "ledger/policy.h"
#include "ledger/state_keys.h"
#include "ledger/state_machine.h"
#include "ledger/state_store.h"
#include "ledger/transaction.h"

namespace shulian::ledger {

// What every write needs besides the state: the block's time and height, and for
// transactions the hash that history and flags cite (zero for deadline events).
struct ApplyEnv {
  StateStore& state;
  const StateMachineOptions& options;
  int64_t time_ms = 0;
  uint64_t height = 0;
  crypto::Digest tx_hash;
  uint16_t tx_type = 0;
};

// What a rule may know of the ledger's transactions besides the state: the
// stored chain's index and the transactions ordered before this one in its block.
struct PriorTransactions {
  const StoredTxLookup* stored = nullptr;                   // null: none lent
  const std::vector<Transaction>* block_txs = nullptr;      // the block being applied
  size_t index = 0;                                         // this transaction's position
};

struct TxContext {
  ApplyEnv env;
  const Transaction& tx;
  AccountRecord sender;
  std::vector<std::string> notes;           // outcome notes of an accepted transaction
  std::vector<FlagRecord> rejection_flags;  // flags kept even if the rule rejects
  PriorTransactions prior;

  StateStore& state() { return env.state; }
  int64_t now() const { return env.time_ms; }
};

// ---------- loading ----------

Result<AuthorityRecord> LoadAuthority(const StateStore& state, std::string_view id);
Result<AccountRecord> LoadAccount(const StateStore& state, std::string_view id);
Result<AssetRecord> LoadAsset(const StateStore& state, std::string_view id);
Result<RequestRecord> LoadRequest(const StateStore& state, std::string_view id);
Result<GrantRecord> LoadGrant(const StateStore& state, std::string_view id);
Result<ObjectionRecord> LoadObjection(const StateStore& state, std::string_view id);
// Fails with AlreadyExists naming `what` if `key` is present.
Status RequireAbsent(const StateStore& state, std::string_view key, std::string_view what,
                     std::string_view id);

// ---------- scopes ----------

// True iff `authority_id` is `ancestor_id` or lies below it.
Result<bool> IsWithin(const ApplyEnv& env, std::string_view authority_id, std::string_view ancestor_id);
// The sender is a supervisor whose authority's subtree holds `authority_id`.
Status RequireSupervisorOver(TxContext& ctx, std::string_view authority_id);
// True iff the sender is such a supervisor (no error for "no").
Result<bool> IsSupervisorOver(TxContext& ctx, std::string_view authority_id);
// The sender is a provider of exactly `authority_id`.
Status RequireProviderOf(TxContext& ctx, std::string_view authority_id);
Status RequireRole(TxContext& ctx, Role role, std::string_view action);

// ---------- policies and deadlines ----------

Result<Policy> ResolvePolicy(const ApplyEnv& env, std::string_view authority_id);
Result<Calendar> CalendarOf(const ApplyEnv& env, const Policy& policy);
// The due instant of `step` for an event now at `authority_id`, or 0 if the policy
// names no deadline for that step.
Result<int64_t> DueTimeAt(const ApplyEnv& env, std::string_view authority_id, Step step);
// The same for an event at start_ms (0 <= start_ms <= block time), e.g. a declared
// discovery (004 §27); still counted in the authority's calendar.
Result<int64_t> DueTimeFrom(const ApplyEnv& env, std::string_view authority_id, Step step, int64_t start_ms);
void AddDeadline(ApplyEnv& env, int64_t due_ms, DeadlineKind kind, std::string_view id);
void RemoveDeadline(ApplyEnv& env, int64_t due_ms, DeadlineKind kind, std::string_view id);
// Settles the deadline (0: none) of an act done now: on time, takes it out of the
// index; at or after it, sets *late and flags late_share_answer with `detail`
// (the expiry already took the index entry).
Status SettleDeadline(TxContext& ctx, int64_t due_ms, DeadlineKind kind, std::string_view id,
                      std::string_view authority, TargetKind subject_kind, std::string_view detail, bool* late);

// ---------- evidence ----------

FlagRecord MakeFlag(const ApplyEnv& env, FlagKind kind, std::string_view authority_id,
                    TargetKind subject_kind, std::string_view subject_id, std::string detail);
// Assigns the flag's sequence number and writes it under fl/<authority>/<seq>.
Status WriteFlag(ApplyEnv& env, FlagRecord flag);
// Appends to the asset's history (ah/<asset>/<seq>) and bumps its history count;
// the caller stores the asset record afterwards.
void AppendHistory(ApplyEnv& env, AssetRecord& asset, std::string summary);
// Moves a status index entry ix/<kind>-status/<old>/<id> to <new>.
void MoveStatusIndex(ApplyEnv& env, std::string_view kind, std::optional<uint8_t> old_status,
                     uint8_t new_status, std::string_view id);

// ---------- roll-ups over the authority subtree (apply_rollup.cc) ----------
// Each writes one entry per ancestor of the authorities involved (themselves
// included), so a supervisor's whole subtree is one range scan; the cost per
// write is O(tree depth) puts, at most 2 * (authority_depth_max + 1).

// The authority and its ancestors up to the root, in that order; empty for "".
Result<std::vector<std::string>> AncestorsOf(const ApplyEnv& env, std::string_view authority_id);
// An access record: ix/x-sub (and ix/xv-sub if it violates), uses and violation counts.
Status RollUpAccess(ApplyEnv& env, const AccessRecord& record);
// A flag: ix/fl-sub and the count by flagged authority and kind.
Status RollUpFlag(ApplyEnv& env, const FlagRecord& flag);
// A deadline answered in time by `authority_id`.
Status RollUpDeadlineMet(ApplyEnv& env, std::string_view authority_id);

// OK iff each of `tx_hashes` names a transaction ordered before the current one:
// in a stored block or earlier in this block. InvalidArgument naming
// `field`[i] otherwise (a later transaction of the same block is not yet in the
// ledger at this point).
Status RequireTransactionsInLedger(const TxContext& ctx, const std::vector<crypto::Digest>& tx_hashes,
                                   std::string_view field);

// True iff every item of `subset` is in `set`.
bool IsSubset(const std::vector<std::string>& subset, const std::vector<std::string>& set);

// ---------- rules: one overload per body ----------

Status ApplyBody(TxContext& ctx, const RegisterAuthorityBody& body);
Status ApplyBody(TxContext& ctx, const RegisterAccountBody& body);
Status ApplyBody(TxContext& ctx, const SuspendAccountBody& body);
Status ApplyBody(TxContext& ctx, const ReinstateAccountBody& body);
Status ApplyBody(TxContext& ctx, const RotateKeyBody& body);
Status ApplyBody(TxContext& ctx, const SetPolicyBody& body);
Status ApplyBody(TxContext& ctx, const SetCalendarBody& body);
Status ApplyBody(TxContext& ctx, const AddValidatorBody& body);
Status ApplyBody(TxContext& ctx, const RemoveValidatorBody& body);
Status ApplyBody(TxContext& ctx, const RotateValidatorKeyBody& body);

Status ApplyBody(TxContext& ctx, const RegisterAssetBody& body);
Status ApplyBody(TxContext& ctx, const PublishAssetVersionBody& body);
Status ApplyBody(TxContext& ctx, const ChangeAssetTypesBody& body);
Status ApplyBody(TxContext& ctx, const RetireAssetBody& body);
Status ApplyBody(TxContext& ctx, const DestroyAssetBody& body);

Status ApplyBody(TxContext& ctx, const RequestShareBody& body);
Status ApplyBody(TxContext& ctx, const ApproveShareBody& body);
Status ApplyBody(TxContext& ctx, const RefuseShareBody& body);
Status ApplyBody(TxContext& ctx, const ConsentCopyBody& body);
Status ApplyBody(TxContext& ctx, const DecideOverdueShareBody& body);
Status ApplyBody(TxContext& ctx, const SuspendGrantBody& body);
Status ApplyBody(TxContext& ctx, const ResumeGrantBody& body);
Status ApplyBody(TxContext& ctx, const RevokeGrantBody& body);
Status ApplyBody(TxContext& ctx, const DeliverShareBody& body);
Status ApplyBody(TxContext& ctx, const RequestAggregationBody& body);
Status ApplyBody(TxContext& ctx, const AnswerAggregationBody& body);
Status ApplyBody(TxContext& ctx, const DeliverAggregationBody& body);

Status ApplyBody(TxContext& ctx, const ApplyOpenBody& body);
Status ApplyBody(TxContext& ctx, const DecideOpenBody& body);
Status ApplyBody(TxContext& ctx, const RequestOpenReviewBody& body);
Status ApplyBody(TxContext& ctx, const DecideOpenReviewBody& body);

Status ApplyBody(TxContext& ctx, const RecordAccessBody& body);

Status ApplyBody(TxContext& ctx, const RaiseObjectionBody& body);
Status ApplyBody(TxContext& ctx, const AnswerObjectionBody& body);
Status ApplyBody(TxContext& ctx, const EscalateObjectionBody& body);
Status ApplyBody(TxContext& ctx, const OpenDisputeBody& body);
Status ApplyBody(TxContext& ctx, const CloseDisputeBody& body);

// ---------- deadline handlers (called in deadline order before transactions) ----------

Status ExpireShareReview(ApplyEnv& env, std::string_view request_id);
Status ExpireGrant(ApplyEnv& env, std::string_view grant_id);
Status ExpireShareDelivery(ApplyEnv& env, std::string_view grant_id);
Status ExpireObjectionAnswer(ApplyEnv& env, std::string_view objection_id);
Status ExpireAggregationAnswer(ApplyEnv& env, std::string_view demand_id);
Status ExpireAggregationDelivery(ApplyEnv& env, std::string_view demand_id);
Status ExpireOpenAnswer(ApplyEnv& env, std::string_view application_id);
Status ExpireOpenReviewAnswer(ApplyEnv& env, std::string_view application_id);
Status ExpireCatalogUpdate(ApplyEnv& env, std::string_view task_id);

// 004 §14: a catalog change of `asset` by its provider (new version, type change,
// retirement, destruction) carries out every catalog update task still open on
// it: each is answered `answer` (late, and flagged, after its deadline). Appends
// to the asset's history; the caller stores the asset afterwards.
Status FulfilCatalogUpdates(TxContext& ctx, AssetRecord& asset, ObjectionAnswer answer, std::string_view what);

// Creates the grant for an approved request and its indexes and expiry deadline;
// sets the request's status. Shared by approval, consent, deemed approval,
// supervisor decision.
Status IssueGrant(ApplyEnv& env, RequestRecord& request, const GrantTerms& terms,
                  std::string conditions, RequestStatus status, bool deemed);
// Revokes a grant (rulings and revoke_grant).
Status RevokeGrantRecord(ApplyEnv& env, GrantRecord& grant, std::string reason);

}  // namespace shulian::ledger
