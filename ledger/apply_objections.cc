// Objections and disputes.
//   - An objection (error, omission, privacy, trade secret: 000 §45, 003 §19,
//     004 §27) is raised by a user agency or a data subject (public); a quality
//     rectification task (002 §12) by a supervisor over the asset. The asset is
//     marked disputed (标注) while any objection is open or escalated.
//   - A user agency reports a problem with shared data within the report period of
//     its own authority's policy from when it found it (004 §27: 5 working days),
//     declared in the body; a later report is accepted, marked and flagged to that
//     authority's supervisor; a discovery after the block time is refused.
//   - The provider answers (corrected with a new version, deleted, or rejected with
//     reasons) within the policy's deadline (003 §19: 10 working days; 002 §12: 7;
//     004 §27: 10); an objection still open at its deadline is flagged overdue, and
//     a late answer is flagged. Either side may escalate to the supervisor (000 §45).
//   - A dispute is opened by a supervisor, court or arbitrator (000 §45, 003 §20,
//     004 §28), linking the transactions it concerns — each must be in the ledger
//     before the dispute (a stored block, or earlier in the same block) — and
//     closed with a ruling whose orders the ledger carries out: a revocation
//     revokes a grant (or retires an
//     asset, or suspends an account), a correction opens a correction duty on the
//     asset, a sanction is recorded and flagged.
#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

bool Counts(ObjectionStatus status) {
  return status == ObjectionStatus::kOpen || status == ObjectionStatus::kEscalated;
}

// A catalog update task (004 §14) is a duty, not a doubt about the data: it does
// not mark the asset disputed (标注) nor count as an open objection.
bool MarksDisputed(ObjectionKind kind) { return kind != ObjectionKind::kCatalogUpdate; }

DeadlineKind DeadlineKindOf(ObjectionKind kind) {
  return kind == ObjectionKind::kCatalogUpdate ? DeadlineKind::kCatalogUpdate : DeadlineKind::kObjectionAnswer;
}

Step StepOf(ObjectionKind kind) {
  switch (kind) {
    case ObjectionKind::kQuality: return Step::kQualityTask;
    case ObjectionKind::kCatalogUpdate: return Step::kCatalogUpdate;
    default: return Step::kObjectionAnswer;
  }
}

void StoreObjection(ApplyEnv& env, const ObjectionRecord& objection, std::optional<ObjectionStatus> old) {
  StoreRecord(env.state, Key("ob").Id(objection.id), objection);
  std::optional<uint8_t> old_raw;
  if (old) old_raw = static_cast<uint8_t>(*old);
  MoveStatusIndex(env, "ob", old_raw, static_cast<uint8_t>(objection.status), objection.id);
  const std::string& authority = objection.provider_authority;
  if (old_raw) env.state.Delete(Key("ix").Id("ob-auth").Id(authority).U8(*old_raw).Id(objection.id));
  env.state.Put(Key("ix").Id("ob-auth").Id(authority).U8(static_cast<uint8_t>(objection.status)).Id(objection.id), "");
  if (objection.kind != ObjectionKind::kCatalogUpdate) return;
  // Catalog update tasks still to be done on an asset, for FulfilCatalogUpdates.
  std::string open_key = Key("ix").Id("cu-open").Id(objection.asset_id).Id(objection.id).str();
  if (Counts(objection.status)) {
    env.state.Put(open_key, "");
  } else {
    env.state.Delete(open_key);
  }
}

// Adds `delta` to the asset's open objections (the disputed mark) and to the
// provider authority's gauge, with a history entry. A catalog update task only
// leaves the history entry.
Status MarkDisputed(ApplyEnv& env, AssetRecord& asset, ObjectionKind kind, int delta, std::string summary) {
  if (!MarksDisputed(kind)) {
    AppendHistory(env, asset, std::move(summary));
    StoreRecord(env.state, Key("as").Id(asset.id), asset);
    return Status::Ok();
  }
  if (delta < 0 && asset.open_objections == 0) return Status::Internal("open objection count underflow");
  asset.open_objections = static_cast<uint32_t>(static_cast<int64_t>(asset.open_objections) + delta);
  AppendHistory(env, asset, std::move(summary));
  StoreRecord(env.state, Key("as").Id(asset.id), asset);
  return BumpCounter(env.state, asset.provider_authority, Counter::kOpenObjections, delta);
}

// Creates an open objection with its deadline; shared by raise_objection and
// correction orders.
Status OpenObjection(ApplyEnv& env, ObjectionRecord objection, AssetRecord& asset) {
  ASSIGN_OR_RETURN(objection.due_ms, DueTimeAt(env, asset.provider_authority, StepOf(objection.kind)));
  if (objection.due_ms != 0) AddDeadline(env, objection.due_ms, DeadlineKindOf(objection.kind), objection.id);
  objection.asset_version = asset.version;
  objection.provider_authority = asset.provider_authority;
  objection.raised_ms = env.time_ms;
  objection.status = ObjectionStatus::kOpen;
  StoreObjection(env, objection, std::nullopt);
  env.state.Put(Key("ix").Id("ob-asset").Id(asset.id).Id(objection.id), "");
  std::string summary = "objection " + objection.id + " (" + std::string(EnumName(objection.kind)) + ") opened" +
                        (MarksDisputed(objection.kind) ? ": disputed" : "");
  return MarkDisputed(env, asset, objection.kind, +1, std::move(summary));
}

// Records the answer of an open or escalated objection: late answers are flagged,
// timely ones take their deadline out of the index.
Status CloseObjection(TxContext& ctx, ObjectionRecord& objection, ObjectionAnswer answer, std::string reason) {
  if (objection.due_ms != 0 && ctx.now() >= objection.due_ms) {
    objection.answered_late = true;
    ctx.notes.push_back("flag:late_objection_answer");
    RETURN_IF_ERROR(WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kLateObjectionAnswer, objection.provider_authority,
                                                TargetKind::kObjection, objection.id, "answered after the deadline")));
  } else if (objection.due_ms != 0) {
    RemoveDeadline(ctx.env, objection.due_ms, DeadlineKindOf(objection.kind), objection.id);
    RETURN_IF_ERROR(RollUpDeadlineMet(ctx.env, objection.provider_authority));
  }
  ObjectionStatus old = objection.status;
  objection.status = ObjectionStatus::kAnswered;
  objection.answer = answer;
  objection.answer_reason = std::move(reason);
  StoreObjection(ctx.env, objection, old);
  return Status::Ok();
}

Status CarryOutOrder(TxContext& ctx, const std::string& dispute_id, size_t index, const DisputeOrder& order) {
  std::string where = "body.orders[" + std::to_string(index) + "]";
  switch (order.kind) {
    case OrderKind::kRevocation:
      if (order.target_kind == TargetKind::kGrant) {
        ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(ctx.state(), order.target_id));
        return RevokeGrantRecord(ctx.env, grant, "ruling " + dispute_id + ": " + order.detail).WithContext(where);
      }
      if (order.target_kind == TargetKind::kAccount) {
        ASSIGN_OR_RETURN(AccountRecord account, LoadAccount(ctx.state(), order.target_id));
        account.status = AccountStatus::kSuspended;
        StoreRecord(ctx.state(), Key("ac").Id(account.id), account);
        return Status::Ok();
      }
      if (order.target_kind == TargetKind::kAsset) {
        ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), order.target_id));
        if (asset.status != AssetStatus::kActive) return Status::FailedPrecondition(where + ": asset is not active");
        asset.status = AssetStatus::kRetired;
        ctx.state().Delete(Key("ix").Id("as-open").Id(asset.id));
        AppendHistory(ctx.env, asset, "retired by ruling " + dispute_id + ": " + order.detail);
        StoreRecord(ctx.state(), Key("as").Id(asset.id), asset);
        return Status::Ok();
      }
      return Status::InvalidArgument(where + ".target_kind: a revocation targets a grant, an account or an asset");
    case OrderKind::kCorrection: {
      if (order.target_kind != TargetKind::kAsset) {
        return Status::InvalidArgument(where + ".target_kind: a correction targets an asset");
      }
      ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), order.target_id));
      ObjectionRecord duty;
      duty.id = dispute_id + ".c" + std::to_string(index);
      duty.asset_id = asset.id;
      duty.raiser = ctx.sender.id;
      duty.kind = ObjectionKind::kError;
      duty.description_hash = crypto::Sha256(AsBytes(order.detail));
      RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("ob").Id(duty.id), "objection", duty.id));
      return OpenObjection(ctx.env, std::move(duty), asset);
    }
    case OrderKind::kSanction: {
      std::string authority = order.target_id;
      if (order.target_kind == TargetKind::kAccount) {
        ASSIGN_OR_RETURN(AccountRecord account, LoadAccount(ctx.state(), order.target_id));
        authority = account.authority_id;
      } else if (order.target_kind == TargetKind::kAsset) {
        ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), order.target_id));
        authority = asset.provider_authority;
      } else if (order.target_kind == TargetKind::kGrant) {
        ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(ctx.state(), order.target_id));
        authority = grant.grantee_authority;
      } else if (order.target_kind == TargetKind::kAuthority) {
        RETURN_IF_ERROR(LoadAuthority(ctx.state(), order.target_id).status().WithContext(where));
      } else {
        return Status::InvalidArgument(where + ".target_kind: a sanction targets an account, asset, grant or authority");
      }
      ctx.state().Put(Key("sn").U8(static_cast<uint8_t>(order.target_kind)).Id(order.target_id).Id(dispute_id),
                      order.detail);
      return WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kSanction, authority, order.target_kind, order.target_id,
                                         "ruling " + dispute_id + ": " + order.detail));
    }
  }
  return Status::InvalidArgument(where + ".kind: unknown");
}

// 004 §27 binds the user agency (使用部门) reporting a doubt about shared data, so the
// period is its own authority's and a late report goes to its own supervisor.
// Others' discovery times (the public, supervisors' tasks) are recorded only.
Status CheckReportPeriod(TxContext& ctx, ObjectionRecord& objection) {
  bool doubt = objection.kind != ObjectionKind::kQuality && objection.kind != ObjectionKind::kCatalogUpdate;
  const std::string& authority = ctx.sender.authority_id;
  if (!objection.discovered_ms || !doubt || !ctx.sender.HasRole(Role::kUser) || authority.empty()) {
    return Status::Ok();
  }
  ASSIGN_OR_RETURN(objection.report_due_ms,
                   DueTimeFrom(ctx.env, authority, Step::kObjectionReport, *objection.discovered_ms));
  if (objection.report_due_ms == 0 || ctx.now() < objection.report_due_ms) return Status::Ok();
  objection.reported_late = true;
  ctx.notes.push_back("flag:late_objection_report");
  return WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kLateObjectionReport, authority, TargetKind::kObjection,
                                     objection.id, "reported after the period from the discovery of the problem at " +
                                                       std::to_string(*objection.discovered_ms) + " (004 §27)"));
}

}  // namespace

Status ApplyBody(TxContext& ctx, const RaiseObjectionBody& body) {
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("ob").Id(body.objection_id), "objection", body.objection_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  if (body.kind == ObjectionKind::kQuality) {
    RETURN_IF_ERROR(RequireSupervisorOver(ctx, asset.provider_authority).WithContext("quality task (002 §12)"));
  } else if (body.kind == ObjectionKind::kCatalogUpdate) {
    RETURN_IF_ERROR(RequireSupervisorOver(ctx, asset.provider_authority).WithContext("catalog update task (004 §14)"));
    if (asset.status != AssetStatus::kActive) {
      return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)) +
                                        ": its catalog entry is no longer kept up to date");
    }
  } else if (!ctx.sender.HasRole(Role::kUser) && !ctx.sender.HasRole(Role::kPublic) &&
             !ctx.sender.HasRole(Role::kSupervisor)) {
    return Status::PermissionDenied("raise_objection needs a user, public or supervisor account");
  }
  if (asset.status == AssetStatus::kDestroyed) return Status::FailedPrecondition("asset \"" + asset.id + "\" is destroyed");
  if (!IsSubset(body.fields, asset.fields)) {
    return Status::InvalidArgument("body.fields: every field must be a field of asset \"" + asset.id + "\"");
  }
  if (body.discovered_ms && *body.discovered_ms > static_cast<uint64_t>(ctx.now())) {
    return Status::InvalidArgument("body.discovered_ms: " + std::to_string(*body.discovered_ms) +
                                   " is after the block time " + std::to_string(ctx.now()) +
                                   ": a problem cannot be found in the future");
  }
  ObjectionRecord objection;
  objection.id = body.objection_id;
  objection.asset_id = asset.id;
  objection.raiser = ctx.sender.id;
  objection.kind = body.kind;
  objection.fields = body.fields;
  objection.description_hash = body.description_hash;
  if (body.discovered_ms) objection.discovered_ms = static_cast<int64_t>(*body.discovered_ms);
  RETURN_IF_ERROR(CheckReportPeriod(ctx, objection));
  return OpenObjection(ctx.env, std::move(objection), asset);
}

Status ApplyBody(TxContext& ctx, const AnswerObjectionBody& body) {
  ASSIGN_OR_RETURN(ObjectionRecord objection, LoadObjection(ctx.state(), body.objection_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), objection.asset_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, asset.provider_authority));
  if (!Counts(objection.status)) {
    return Status::FailedPrecondition("objection \"" + objection.id + "\" is already answered");
  }
  if (body.answer == ObjectionAnswer::kCorrected) {
    if (!body.new_version || *body.new_version <= objection.asset_version || *body.new_version > asset.version) {
      return Status::InvalidArgument("body.new_version: a correction names a version published after version " +
                                     std::to_string(objection.asset_version) + " (current " +
                                     std::to_string(asset.version) + ")");
    }
    objection.corrected_version = *body.new_version;
  } else if (body.new_version) {
    return Status::InvalidArgument("body.new_version: only a correction names a version");
  }
  RETURN_IF_ERROR(CloseObjection(ctx, objection, body.answer, body.reason));
  return MarkDisputed(ctx.env, asset, objection.kind, -1,
                      "objection " + objection.id + " answered: " + std::string(EnumName(body.answer)));
}

Status ApplyBody(TxContext& ctx, const EscalateObjectionBody& body) {
  ASSIGN_OR_RETURN(ObjectionRecord objection, LoadObjection(ctx.state(), body.objection_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), objection.asset_id));
  if (ctx.sender.id != objection.raiser && !RequireProviderOf(ctx, asset.provider_authority).ok()) {
    return Status::PermissionDenied("only the objection's raiser or the provider escalates it");
  }
  if (objection.status == ObjectionStatus::kEscalated) {
    return Status::FailedPrecondition("objection \"" + objection.id + "\" is already escalated");
  }
  ObjectionStatus old = objection.status;
  objection.status = ObjectionStatus::kEscalated;
  objection.escalation_reason = body.reason;
  StoreObjection(ctx.env, objection, old);
  RETURN_IF_ERROR(WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kObjectionEscalated, asset.provider_authority,
                                              TargetKind::kObjection, objection.id, body.reason)));
  if (old == ObjectionStatus::kAnswered) {
    return MarkDisputed(ctx.env, asset, objection.kind, +1,
                        "objection " + objection.id + " escalated after its answer" +
                            (MarksDisputed(objection.kind) ? ": disputed" : ""));
  }
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const OpenDisputeBody& body) {
  if (!ctx.sender.HasRole(Role::kSupervisor) && !ctx.sender.HasRole(Role::kCourt) &&
      !ctx.sender.HasRole(Role::kArbitrator)) {
    return Status::PermissionDenied("open_dispute needs a supervisor, court or arbitrator");
  }
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("di").Id(body.dispute_id), "dispute", body.dispute_id));
  RETURN_IF_ERROR(RequireTransactionsInLedger(ctx, body.record_refs, "body.record_refs"));
  DisputeRecord dispute;
  dispute.id = body.dispute_id;
  dispute.opener = ctx.sender.id;
  dispute.subject = body.subject;
  dispute.record_refs = body.record_refs;
  dispute.opened_ms = ctx.now();
  StoreRecord(ctx.state(), Key("di").Id(dispute.id), dispute);
  MoveStatusIndex(ctx.env, "di", std::nullopt, static_cast<uint8_t>(DisputeStatus::kOpen), dispute.id);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const CloseDisputeBody& body) {
  ASSIGN_OR_RETURN(DisputeRecord dispute, LoadRecord<DisputeRecord>(ctx.state(), Key("di").Id(body.dispute_id)));
  bool judge = ctx.sender.HasRole(Role::kCourt) || ctx.sender.HasRole(Role::kArbitrator);
  if (!judge && dispute.opener != ctx.sender.id) {
    return Status::PermissionDenied("a dispute is closed by a court, an arbitrator or the supervisor that opened it");
  }
  if (dispute.status != DisputeStatus::kOpen) return Status::FailedPrecondition("dispute \"" + dispute.id + "\" is closed");
  for (size_t i = 0; i < body.orders.size(); ++i) RETURN_IF_ERROR(CarryOutOrder(ctx, dispute.id, i, body.orders[i]));
  dispute.status = DisputeStatus::kClosed;
  dispute.closed_ms = ctx.now();
  dispute.closer = ctx.sender.id;
  dispute.ruling_hash = body.ruling_hash;
  dispute.summary = body.summary;
  dispute.orders = body.orders;
  StoreRecord(ctx.state(), Key("di").Id(dispute.id), dispute);
  MoveStatusIndex(ctx.env, "di", static_cast<uint8_t>(DisputeStatus::kOpen), static_cast<uint8_t>(DisputeStatus::kClosed),
                  dispute.id);
  return Status::Ok();
}

Status ExpireObjectionAnswer(ApplyEnv& env, std::string_view objection_id) {
  ASSIGN_OR_RETURN(ObjectionRecord objection, LoadObjection(env.state, objection_id));
  if (objection.status != ObjectionStatus::kOpen) return Status::Ok();
  objection.overdue = true;
  StoreObjection(env, objection, objection.status);
  return WriteFlag(env, MakeFlag(env, FlagKind::kObjectionOverdue, objection.provider_authority, TargetKind::kObjection,
                                 objection.id, "unanswered at its deadline"));
}

Status ExpireCatalogUpdate(ApplyEnv& env, std::string_view task_id) {
  ASSIGN_OR_RETURN(ObjectionRecord task, LoadObjection(env.state, task_id));
  if (task.status != ObjectionStatus::kOpen && task.status != ObjectionStatus::kEscalated) return Status::Ok();
  task.overdue = true;
  StoreObjection(env, task, task.status);
  return WriteFlag(env, MakeFlag(env, FlagKind::kCatalogUpdateOverdue, task.provider_authority, TargetKind::kObjection,
                                 task.id, "catalog entry of asset " + task.asset_id +
                                              " not updated within the period after the change (004 §14)"));
}

Status FulfilCatalogUpdates(TxContext& ctx, AssetRecord& asset, ObjectionAnswer answer, std::string_view what) {
  std::vector<std::string> open_ids;
  std::string prefix = Key("ix").Id("cu-open").Id(asset.id).Prefix();
  RETURN_IF_ERROR(ctx.state().Scan(prefix, "", ctx.env.options.catalog_tasks_per_change_max,
                                   [&](std::string_view key, std::string_view) {
                                     open_ids.emplace_back(key.substr(prefix.size()));
                                     return true;
                                   }));
  for (const std::string& id : open_ids) {
    ASSIGN_OR_RETURN(ObjectionRecord task, LoadObjection(ctx.state(), id));
    task.corrected_version = asset.version;
    RETURN_IF_ERROR(CloseObjection(ctx, task, answer, "catalog updated: " + std::string(what)));
    AppendHistory(ctx.env, asset, "catalog update task " + id + " done (004 §14)" +
                                      (task.answered_late ? ", late" : ""));
    ctx.notes.push_back("catalog_update_done:" + id);
  }
  return Status::Ok();
}

}  // namespace shulian::ledger
