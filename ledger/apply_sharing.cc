// Sharing rules: requests, reviews, grants and their deadlines.
//   - one request per concrete use, with purpose and business scenario (001 §13);
//   - unconditional data is granted at once, without review (000 §21);
//   - conditional (and not-shared) data waits for the provider's review within the
//     policy's deadline (000 §21: 5 working days; 002 §15: 3; 003 §23, 004 §26: 10);
//     when it passes unanswered the request is deemed approved where the policy
//     says so (000 §21) or becomes overdue for the supervisor (002 §15); not-shared
//     data is never deemed approved, since only a review can desensitise it;
//   - approval decides the terms on least privilege (001 §16): fields within those
//     requested, the requested scenario, no longer than requested, copy only if asked;
//   - copy mode needs the supervisor's consent (000 §20);
//   - a refusal cites a legal basis (000 §21, 001 §15, 003 §23);
//   - not-shared data only in desensitised form (000 §19, 003 §22);
//   - grants are suspended, resumed and revoked by the provider or the supervisor,
//     and expire at their expiry (003 §39);
//   - a grant made after a review (by the provider, on copy consent, deemed, or by
//     the supervisor) is delivered within the policy's share_delivery period from
//     the grant (001 §15: 5 working days from the answer); undelivered at the end
//     it is flagged overdue, a later delivery is recorded late. Unconditional data
//     is fetched by the user without review (001 §15 first paragraph): no period.
#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

void StoreRequest(ApplyEnv& env, const RequestRecord& request, std::optional<RequestStatus> old_status) {
  StoreRecord(env.state, Key("rq").Id(request.id), request);
  std::optional<uint8_t> old_raw;
  if (old_status) old_raw = static_cast<uint8_t>(*old_status);
  MoveStatusIndex(env, "rq", old_raw, static_cast<uint8_t>(request.status), request.id);
  // By provider authority and status, for the supervisor's scoped queries.
  if (old_status) env.state.Delete(Key("ix").Id("rq-auth").Id(request.provider_authority).U8(*old_raw).Id(request.id));
  env.state.Put(Key("ix").Id("rq-auth").Id(request.provider_authority).U8(static_cast<uint8_t>(request.status)).Id(request.id),
                "");
}

void StoreGrant(ApplyEnv& env, const GrantRecord& grant) { StoreRecord(env.state, Key("gr").Id(grant.id), grant); }

Status CheckTerms(const RequestRecord& request, const AssetRecord& asset, const GrantTerms& terms) {
  if (!IsSubset(terms.fields, request.fields)) {
    return Status::InvalidArgument("body.terms.fields: a grant may only cover fields that were requested (001 §16)");
  }
  if (terms.business_scenario != request.business_scenario) {
    return Status::InvalidArgument("body.terms.business_scenario: must be the requested scenario \"" +
                                   request.business_scenario + "\" (001 §16)");
  }
  if (terms.duration_days > request.duration_days) {
    return Status::InvalidArgument("body.terms.duration_days: " + std::to_string(terms.duration_days) +
                                   " exceeds the requested " + std::to_string(request.duration_days));
  }
  if (terms.mode == AccessMode::kCopy && request.mode != AccessMode::kCopy) {
    return Status::InvalidArgument("body.terms.mode: copy was not requested");
  }
  if (asset.share_type == ShareType::kNotShared && !terms.desensitised) {
    return Status::InvalidArgument("body.terms.desensitised: not-shared data may only be provided desensitised (000 §19)");
  }
  return Status::Ok();
}

GrantTerms RequestedTerms(const RequestRecord& request) {
  return GrantTerms{request.fields, request.business_scenario, request.duration_days, request.mode, false};
}

Result<bool> CopyNeedsConsent(const ApplyEnv& env, const RequestRecord& request, const GrantTerms& terms) {
  if (terms.mode != AccessMode::kCopy) return false;
  ASSIGN_OR_RETURN(Policy policy, ResolvePolicy(env, request.provider_authority));
  return policy.CopyModeNeedsSupervisorConsent();
}

// Grants at once, or parks the terms for the supervisor's consent (000 §20).
Status GrantOrAwaitConsent(ApplyEnv& env, RequestRecord& request, const GrantTerms& terms, std::string conditions,
                           RequestStatus granted_status, bool deemed) {
  ASSIGN_OR_RETURN(bool needs_consent, CopyNeedsConsent(env, request, terms));
  request.deemed = deemed;
  if (!needs_consent) return IssueGrant(env, request, terms, std::move(conditions), granted_status, deemed);
  RequestStatus old = request.status;
  request.status = RequestStatus::kAwaitingConsent;
  request.pending_terms = terms;
  request.decision_reason = std::move(conditions);
  StoreRequest(env, request, old);
  return WriteFlag(env, MakeFlag(env, FlagKind::kCopyConsentNeeded, request.provider_authority, TargetKind::kRequest,
                                 request.id, "copy mode awaits the supervisor's consent (000 §20)"));
}

// A provider's answer to a pending (or, where the policy only flags lateness,
// overdue) request. Marks it late when the deadline has passed.
Status CheckProviderMayAnswer(TxContext& ctx, RequestRecord& request) {
  RETURN_IF_ERROR(RequireProviderOf(ctx, request.provider_authority));
  if (request.status == RequestStatus::kOverdue) {
    ASSIGN_OR_RETURN(Policy policy, ResolvePolicy(ctx.env, request.provider_authority));
    if (policy.ShareReviewOnExpiry() == ExpiryAction::kOverdueToSupervisor) {
      return Status::FailedPrecondition("request \"" + request.id +
                                        "\" is overdue: the supervisor decides it now (002 §15)");
    }
  } else if (request.status != RequestStatus::kPending) {
    return Status::FailedPrecondition("request \"" + request.id + "\" is " + std::string(EnumName(request.status)) +
                                      ", not pending");
  }
  if (request.due_ms != 0 && ctx.now() >= request.due_ms) {
    request.answered_late = true;
    ctx.notes.push_back("flag:late_share_answer");
    RETURN_IF_ERROR(WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kLateShareAnswer, request.provider_authority,
                                                TargetKind::kRequest, request.id, "answered after the review deadline")));
  }
  if (request.status == RequestStatus::kPending && request.due_ms != 0) {
    RemoveDeadline(ctx.env, request.due_ms, DeadlineKind::kShareReview, request.id);
    if (!request.answered_late) RETURN_IF_ERROR(RollUpDeadlineMet(ctx.env, request.provider_authority));
  }
  return Status::Ok();
}

Status RequireGrantManager(TxContext& ctx, const GrantRecord& grant) {
  if (RequireProviderOf(ctx, grant.provider_authority).ok()) return Status::Ok();
  return RequireSupervisorOver(ctx, grant.provider_authority);
}

// 001 §15: the period runs from the answer that made the grant — the provider's
// approval, or, where the grant waited for copy consent or was deemed or decided
// by the supervisor, the moment it came into force (only then can the provider
// deliver).
Status StartDeliveryPeriod(ApplyEnv& env, const RequestRecord& request, GrantRecord& grant) {
  if (request.without_review) return Status::Ok();
  ASSIGN_OR_RETURN(grant.delivery_due_ms, DueTimeAt(env, grant.provider_authority, Step::kShareDelivery));
  if (grant.delivery_due_ms != 0) AddDeadline(env, grant.delivery_due_ms, DeadlineKind::kShareDelivery, grant.id);
  return Status::Ok();
}

// Why there is no grant to deliver: the request is still undecided or refused.
Status NothingGranted(TxContext& ctx, std::string_view grant_id) {
  Result<RequestRecord> request = LoadRequest(ctx.state(), grant_id);
  if (!request.ok()) {
    if (request.status().code() != ErrorCode::kNotFound) return request.status();
    return Status::NotFound("grant \"" + std::string(grant_id) + "\" does not exist");
  }
  RETURN_IF_ERROR(RequireProviderOf(ctx, request->provider_authority));
  return Status::FailedPrecondition("request \"" + request->id + "\" is " + std::string(EnumName(request->status)) +
                                    ": nothing is granted to deliver (001 §15)");
}

}  // namespace

Status IssueGrant(ApplyEnv& env, RequestRecord& request, const GrantTerms& terms, std::string conditions,
                  RequestStatus status, bool deemed) {
  GrantRecord grant;
  grant.id = request.id;
  grant.asset_id = request.asset_id;
  grant.grantee = request.requester;
  grant.grantee_authority = request.requester_authority;
  grant.provider_authority = request.provider_authority;
  grant.terms = terms;
  grant.conditions = std::move(conditions);
  grant.granted_ms = env.time_ms;
  grant.expiry_ms = env.time_ms + static_cast<int64_t>(terms.duration_days) * kMillisPerDay;
  grant.deemed = deemed;
  RETURN_IF_ERROR(StartDeliveryPeriod(env, request, grant));
  StoreGrant(env, grant);
  env.state.Put(Key("ix").Id("gr-asset").Id(grant.asset_id).Id(grant.id), "");
  env.state.Put(Key("ix").Id("gr-user").Id(grant.grantee).Id(grant.id), "");
  AddDeadline(env, grant.expiry_ms, DeadlineKind::kGrantExpiry, grant.id);
  RequestStatus old = request.status;
  request.status = status;
  request.decided_ms = env.time_ms;
  request.pending_terms.reset();
  StoreRequest(env, request, old);
  return BumpCounter(env.state, request.provider_authority, Counter::kApprovals, 1);
}

Status RevokeGrantRecord(ApplyEnv& env, GrantRecord& grant, std::string reason) {
  if (grant.status == GrantStatus::kRevoked || grant.status == GrantStatus::kExpired) {
    return Status::FailedPrecondition("grant \"" + grant.id + "\" is already " + std::string(EnumName(grant.status)));
  }
  RemoveDeadline(env, grant.expiry_ms, DeadlineKind::kGrantExpiry, grant.id);
  grant.status = GrantStatus::kRevoked;
  grant.last_reason = std::move(reason);
  StoreGrant(env, grant);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RequestShareBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kUser, "request_share"));
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("rq").Id(body.request_id), "request", body.request_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  if (!IsSubset(body.fields, asset.fields)) {
    return Status::InvalidArgument("body.fields: every requested field must be a field of asset \"" + asset.id + "\"");
  }
  RequestRecord request;
  request.id = body.request_id;
  request.requester = ctx.sender.id;
  request.requester_authority = ctx.sender.authority_id;
  request.asset_id = asset.id;
  request.provider_authority = asset.provider_authority;
  request.purpose = body.purpose;
  request.business_scenario = body.business_scenario;
  request.fields = body.fields;
  request.mode = body.mode;
  request.duration_days = body.duration_days;
  request.created_ms = ctx.now();
  RETURN_IF_ERROR(BumpCounter(ctx.state(), asset.provider_authority, Counter::kRequests, 1));
  ctx.state().Put(Key("ix").Id("rq-user").Id(request.requester).Id(request.id), "");
  if (asset.share_type == ShareType::kUnconditional) {
    ctx.notes.push_back("granted_without_review");
    request.without_review = true;
    return GrantOrAwaitConsent(ctx.env, request, RequestedTerms(request), "", RequestStatus::kGranted, false);
  }
  ASSIGN_OR_RETURN(request.due_ms, DueTimeAt(ctx.env, asset.provider_authority, Step::kShareReview));
  if (request.due_ms != 0) AddDeadline(ctx.env, request.due_ms, DeadlineKind::kShareReview, request.id);
  StoreRequest(ctx.env, request, std::nullopt);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const ApproveShareBody& body) {
  ASSIGN_OR_RETURN(RequestRecord request, LoadRequest(ctx.state(), body.request_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), request.asset_id));
  RETURN_IF_ERROR(CheckProviderMayAnswer(ctx, request));
  RETURN_IF_ERROR(CheckTerms(request, asset, body.terms));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  return GrantOrAwaitConsent(ctx.env, request, body.terms, body.conditions, RequestStatus::kGranted, false);
}

Status ApplyBody(TxContext& ctx, const RefuseShareBody& body) {
  ASSIGN_OR_RETURN(RequestRecord request, LoadRequest(ctx.state(), body.request_id));
  RETURN_IF_ERROR(CheckProviderMayAnswer(ctx, request));
  if (body.legal_basis.empty()) {
    return Status::InvalidArgument("body.legal_basis: a refusal must cite a legal basis (000 §21)");
  }
  RequestStatus old = request.status;
  request.status = RequestStatus::kRefused;
  request.decided_ms = ctx.now();
  request.decision_reason = body.reason;
  request.decision_legal_basis = body.legal_basis;
  StoreRequest(ctx.env, request, old);
  return BumpCounter(ctx.state(), request.provider_authority, Counter::kRefusals, 1);
}

Status ApplyBody(TxContext& ctx, const ConsentCopyBody& body) {
  ASSIGN_OR_RETURN(RequestRecord request, LoadRequest(ctx.state(), body.request_id));
  RETURN_IF_ERROR(RequireSupervisorOver(ctx, request.provider_authority));
  if (request.status != RequestStatus::kAwaitingConsent || !request.pending_terms) {
    return Status::FailedPrecondition("request \"" + request.id + "\" does not await copy consent");
  }
  if (body.decision == Decision::kApprove) {
    GrantTerms terms = *request.pending_terms;
    std::string conditions = request.decision_reason;
    RequestStatus status = request.deemed ? RequestStatus::kDeemedGranted : RequestStatus::kGranted;
    return IssueGrant(ctx.env, request, terms, std::move(conditions), status, request.deemed);
  }
  if (body.reason.empty()) return Status::InvalidArgument("body.reason: refusing consent needs a reason");
  request.status = RequestStatus::kRefused;
  request.decided_ms = ctx.now();
  request.pending_terms.reset();
  request.decision_reason = "copy consent refused: " + body.reason;
  StoreRequest(ctx.env, request, RequestStatus::kAwaitingConsent);
  return BumpCounter(ctx.state(), request.provider_authority, Counter::kRefusals, 1);
}

Status ApplyBody(TxContext& ctx, const DecideOverdueShareBody& body) {
  ASSIGN_OR_RETURN(RequestRecord request, LoadRequest(ctx.state(), body.request_id));
  RETURN_IF_ERROR(RequireSupervisorOver(ctx, request.provider_authority));
  if (request.status != RequestStatus::kOverdue) {
    return Status::FailedPrecondition("request \"" + request.id + "\" is " + std::string(EnumName(request.status)) +
                                      ", not overdue");
  }
  if (body.decision == Decision::kApprove) {
    if (!body.terms) return Status::InvalidArgument("body.terms: an approval states the grant's terms");
    ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), request.asset_id));
    RETURN_IF_ERROR(CheckTerms(request, asset, *body.terms));
    // The supervisor deciding is itself the consent copy mode needs (000 §20).
    return IssueGrant(ctx.env, request, *body.terms, body.reason, RequestStatus::kGranted, false);
  }
  if (body.legal_basis.empty()) {
    return Status::InvalidArgument("body.legal_basis: a refusal must cite a legal basis (002 §15)");
  }
  request.status = RequestStatus::kRefused;
  request.decided_ms = ctx.now();
  request.decision_reason = body.reason;
  request.decision_legal_basis = body.legal_basis;
  StoreRequest(ctx.env, request, RequestStatus::kOverdue);
  return BumpCounter(ctx.state(), request.provider_authority, Counter::kRefusals, 1);
}

Status ApplyBody(TxContext& ctx, const SuspendGrantBody& body) {
  ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(ctx.state(), body.grant_id));
  RETURN_IF_ERROR(RequireGrantManager(ctx, grant));
  if (grant.status != GrantStatus::kActive) {
    return Status::FailedPrecondition("grant \"" + grant.id + "\" is " + std::string(EnumName(grant.status)));
  }
  grant.status = GrantStatus::kSuspended;
  grant.last_reason = body.reason;
  StoreGrant(ctx.env, grant);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const ResumeGrantBody& body) {
  ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(ctx.state(), body.grant_id));
  RETURN_IF_ERROR(RequireGrantManager(ctx, grant));
  if (grant.status != GrantStatus::kSuspended) {
    return Status::FailedPrecondition("grant \"" + grant.id + "\" is " + std::string(EnumName(grant.status)) +
                                      ", not suspended");
  }
  grant.status = GrantStatus::kActive;
  grant.last_reason = body.reason;
  StoreGrant(ctx.env, grant);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RevokeGrantBody& body) {
  ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(ctx.state(), body.grant_id));
  RETURN_IF_ERROR(RequireGrantManager(ctx, grant));
  return RevokeGrantRecord(ctx.env, grant, body.reason);
}

Status ApplyBody(TxContext& ctx, const DeliverShareBody& body) {
  Result<GrantRecord> loaded = LoadGrant(ctx.state(), body.grant_id);
  if (!loaded.ok() && loaded.status().code() == ErrorCode::kNotFound) return NothingGranted(ctx, body.grant_id);
  ASSIGN_OR_RETURN(GrantRecord grant, std::move(loaded));
  RETURN_IF_ERROR(RequireProviderOf(ctx, grant.provider_authority));
  if (grant.delivered()) {
    return Status::FailedPrecondition("grant \"" + grant.id + "\" was already delivered at " +
                                      std::to_string(grant.delivered_ms));
  }
  if (grant.status != GrantStatus::kActive) {
    return Status::FailedPrecondition("grant \"" + grant.id + "\" is " + std::string(EnumName(grant.status)) +
                                      ", not active: nothing may be delivered under it");
  }
  RETURN_IF_ERROR(SettleDeadline(ctx, grant.delivery_due_ms, DeadlineKind::kShareDelivery, grant.id,
                                 grant.provider_authority, TargetKind::kGrant,
                                 "delivered after the deadline (001 §15)", &grant.delivered_late));
  grant.delivered_ms = ctx.now();
  grant.delivery_digest = body.delivery_digest;
  grant.delivery_note = body.note;
  StoreGrant(ctx.env, grant);
  return Status::Ok();
}

Status ExpireShareReview(ApplyEnv& env, std::string_view request_id) {
  ASSIGN_OR_RETURN(RequestRecord request, LoadRequest(env.state, request_id));
  if (request.status != RequestStatus::kPending) return Status::Ok();  // answered in time
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(env.state, request.asset_id));
  ASSIGN_OR_RETURN(Policy policy, ResolvePolicy(env, request.provider_authority));
  // Neither not-shared data (only a review can desensitise it, 000 §19) nor core
  // data (stricter management, 003 §30) is ever granted without a review.
  bool deem = policy.ShareReviewOnExpiry() == ExpiryAction::kDeemedApproved &&
              asset.share_type != ShareType::kNotShared && asset.grade != ClassificationGrade::kCore &&
              asset.status == AssetStatus::kActive;
  if (deem) {
    RETURN_IF_ERROR(WriteFlag(env, MakeFlag(env, FlagKind::kShareDeemedApproved, request.provider_authority,
                                            TargetKind::kRequest, request.id,
                                            "unanswered at the review deadline: deemed approved (000 §21)")));
    return GrantOrAwaitConsent(env, request, RequestedTerms(request), "", RequestStatus::kDeemedGranted, true);
  }
  request.status = RequestStatus::kOverdue;
  StoreRequest(env, request, RequestStatus::kPending);
  return WriteFlag(env, MakeFlag(env, FlagKind::kShareReviewOverdue, request.provider_authority, TargetKind::kRequest,
                                 request.id, "unanswered at the review deadline: overdue (002 §15)"));
}

Status ExpireGrant(ApplyEnv& env, std::string_view grant_id) {
  ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(env.state, grant_id));
  if (grant.status != GrantStatus::kActive && grant.status != GrantStatus::kSuspended) return Status::Ok();
  grant.status = GrantStatus::kExpired;
  StoreGrant(env, grant);
  return Status::Ok();
}

Status ExpireShareDelivery(ApplyEnv& env, std::string_view grant_id) {
  ASSIGN_OR_RETURN(GrantRecord grant, LoadGrant(env.state, grant_id));
  // A revocation ended the duty to deliver; a suspension or expiry did not stop the
  // clock (the provider could otherwise suspend its own grant to escape it).
  if (grant.delivered() || grant.status == GrantStatus::kRevoked) return Status::Ok();
  grant.delivery_overdue = true;
  StoreGrant(env, grant);
  return WriteFlag(env, MakeFlag(env, FlagKind::kShareDeliveryOverdue, grant.provider_authority, TargetKind::kGrant,
                                 grant.id, "granted share undelivered at its deadline (001 §15)"));
}

}  // namespace shulian::ledger
