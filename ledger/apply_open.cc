// Requests for data not yet aggregated (需求申请, 000 §22: answer within 5
// working days, deliver within 10; 002 §11: 5 + 5) and open-data applications
// (开放申请: 000 §25-27, 003 §17-18, 004 §34):
//   - a user agency files a demand with an authority; its provider answers (a
//     refusal cites a legal basis) and, having agreed, delivers a registered asset;
//     an answer or delivery missing its deadline is flagged to the supervisor;
//   - a public account applies to use conditionally open data; unconditionally open
//     data needs no application and not-open data admits none (000 §26); approval
//     records the use agreement's hash (000 §26); a refusal cites a legal basis;
//     the applicant may ask the authority for review (复核, 004 §34), which the
//     supervisor decides within its own deadline.
#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

Result<DemandRecord> LoadDemand(const StateStore& state, std::string_view id) {
  Result<DemandRecord> d = LoadRecord<DemandRecord>(state, Key("ag").Id(id));
  if (!d.ok() && d.status().code() == ErrorCode::kNotFound) {
    return Status::NotFound("demand \"" + std::string(id) + "\" does not exist");
  }
  return d;
}

Result<OpenApplicationRecord> LoadApplication(const StateStore& state, std::string_view id) {
  Result<OpenApplicationRecord> a = LoadRecord<OpenApplicationRecord>(state, Key("op").Id(id));
  if (!a.ok() && a.status().code() == ErrorCode::kNotFound) {
    return Status::NotFound("open application \"" + std::string(id) + "\" does not exist");
  }
  return a;
}

void StoreDemand(ApplyEnv& env, const DemandRecord& d, std::optional<DemandStatus> old) {
  StoreRecord(env.state, Key("ag").Id(d.id), d);
  std::optional<uint8_t> old_raw;
  if (old) old_raw = static_cast<uint8_t>(*old);
  MoveStatusIndex(env, "ag", old_raw, static_cast<uint8_t>(d.status), d.id);
}

void StoreApplication(ApplyEnv& env, const OpenApplicationRecord& a, std::optional<OpenStatus> old) {
  StoreRecord(env.state, Key("op").Id(a.id), a);
  std::optional<uint8_t> old_raw;
  if (old) old_raw = static_cast<uint8_t>(*old);
  MoveStatusIndex(env, "op", old_raw, static_cast<uint8_t>(a.status), a.id);
}

constexpr std::string_view kAnsweredLate = "answered after the deadline";

}  // namespace

Status ApplyBody(TxContext& ctx, const RequestAggregationBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kUser, "request_aggregation"));
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("ag").Id(body.demand_id), "demand", body.demand_id));
  RETURN_IF_ERROR(LoadAuthority(ctx.state(), body.provider_authority).status().WithContext("body.provider_authority"));
  DemandRecord d;
  d.id = body.demand_id;
  d.requester = ctx.sender.id;
  d.requester_authority = ctx.sender.authority_id;
  d.provider_authority = body.provider_authority;
  d.department = body.department;
  d.description = body.description;
  d.fields = body.fields;
  d.purpose = body.purpose;
  d.business_scenario = body.business_scenario;
  d.created_ms = ctx.now();
  ASSIGN_OR_RETURN(d.answer_due_ms, DueTimeAt(ctx.env, d.provider_authority, Step::kAggregationAnswer));
  if (d.answer_due_ms != 0) AddDeadline(ctx.env, d.answer_due_ms, DeadlineKind::kAggregationAnswer, d.id);
  StoreDemand(ctx.env, d, std::nullopt);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const AnswerAggregationBody& body) {
  ASSIGN_OR_RETURN(DemandRecord d, LoadDemand(ctx.state(), body.demand_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, d.provider_authority));
  if (d.status != DemandStatus::kPending) {
    return Status::FailedPrecondition("demand \"" + d.id + "\" is " + std::string(DemandStatusName(d.status)));
  }
  if (body.decision == Decision::kRefuse && body.legal_basis.empty()) {
    return Status::InvalidArgument("body.legal_basis: a refusal must cite a legal basis (000 §22)");
  }
  RETURN_IF_ERROR(SettleDeadline(ctx, d.answer_due_ms, DeadlineKind::kAggregationAnswer, d.id,
                                 d.provider_authority, TargetKind::kRequest, kAnsweredLate, &d.late));
  DemandStatus old = d.status;
  d.reason = body.reason;
  d.legal_basis = body.legal_basis;
  if (body.decision == Decision::kRefuse) {
    d.status = DemandStatus::kRefused;
  } else {
    d.status = DemandStatus::kAgreed;
    ASSIGN_OR_RETURN(d.delivery_due_ms, DueTimeAt(ctx.env, d.provider_authority, Step::kAggregationDelivery));
    if (d.delivery_due_ms != 0) AddDeadline(ctx.env, d.delivery_due_ms, DeadlineKind::kAggregationDelivery, d.id);
    d.overdue = false;
  }
  StoreDemand(ctx.env, d, old);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const DeliverAggregationBody& body) {
  ASSIGN_OR_RETURN(DemandRecord d, LoadDemand(ctx.state(), body.demand_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, d.provider_authority));
  if (d.status != DemandStatus::kAgreed) {
    return Status::FailedPrecondition("demand \"" + d.id + "\" is " + std::string(DemandStatusName(d.status)) +
                                      ", not agreed");
  }
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  if (asset.provider_authority != d.provider_authority || asset.status != AssetStatus::kActive) {
    return Status::InvalidArgument("body.asset_id: must be an active asset of authority " + d.provider_authority);
  }
  RETURN_IF_ERROR(SettleDeadline(ctx, d.delivery_due_ms, DeadlineKind::kAggregationDelivery, d.id,
                                 d.provider_authority, TargetKind::kRequest, kAnsweredLate, &d.late));
  d.status = DemandStatus::kDelivered;
  d.asset_id = asset.id;
  StoreDemand(ctx.env, d, DemandStatus::kAgreed);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const ApplyOpenBody& body) {
  RETURN_IF_ERROR(RequireRole(ctx, Role::kPublic, "apply_open"));
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("op").Id(body.application_id), "open application",
                                body.application_id));
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  if (asset.open_type == OpenType::kUnconditional) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is unconditionally open: no application needed (000 §26)");
  }
  if (asset.open_type == OpenType::kNotOpen) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is not open (000 §25)");
  }
  if (!IsSubset(body.fields, asset.fields)) {
    return Status::InvalidArgument("body.fields: every field must be a field of asset \"" + asset.id + "\"");
  }
  OpenApplicationRecord a;
  a.id = body.application_id;
  a.applicant = ctx.sender.id;
  a.asset_id = asset.id;
  a.provider_authority = asset.provider_authority;
  a.purpose = body.purpose;
  a.use_scenario = body.use_scenario;
  a.fields = body.fields;
  a.created_ms = ctx.now();
  ASSIGN_OR_RETURN(a.due_ms, DueTimeAt(ctx.env, a.provider_authority, Step::kOpenAnswer));
  if (a.due_ms != 0) AddDeadline(ctx.env, a.due_ms, DeadlineKind::kOpenAnswer, a.id);
  StoreApplication(ctx.env, a, std::nullopt);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const DecideOpenBody& body) {
  ASSIGN_OR_RETURN(OpenApplicationRecord a, LoadApplication(ctx.state(), body.application_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, a.provider_authority));
  if (a.status != OpenStatus::kPending) {
    return Status::FailedPrecondition("open application \"" + a.id + "\" is " + std::string(OpenStatusName(a.status)));
  }
  if (body.decision == Decision::kApprove && !body.agreement_hash) {
    return Status::InvalidArgument("body.agreement_hash: conditional opening needs a use agreement (000 §26)");
  }
  if (body.decision == Decision::kRefuse && body.legal_basis.empty()) {
    return Status::InvalidArgument("body.legal_basis: a refusal must cite a legal basis");
  }
  RETURN_IF_ERROR(SettleDeadline(ctx, a.due_ms, DeadlineKind::kOpenAnswer, a.id, a.provider_authority,
                                 TargetKind::kRequest, kAnsweredLate, &a.late));
  a.status = body.decision == Decision::kApprove ? OpenStatus::kApproved : OpenStatus::kRefused;
  a.agreement_hash = body.agreement_hash;
  a.reason = body.reason;
  a.legal_basis = body.legal_basis;
  StoreApplication(ctx.env, a, OpenStatus::kPending);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RequestOpenReviewBody& body) {
  ASSIGN_OR_RETURN(OpenApplicationRecord a, LoadApplication(ctx.state(), body.application_id));
  if (a.applicant != ctx.sender.id) return Status::PermissionDenied("only the applicant asks for review (004 §34)");
  if (a.status != OpenStatus::kRefused) {
    return Status::FailedPrecondition("open application \"" + a.id + "\" is " + std::string(OpenStatusName(a.status)) +
                                      ", not refused");
  }
  a.status = OpenStatus::kUnderReview;
  a.reason = body.reason;
  ASSIGN_OR_RETURN(a.review_due_ms, DueTimeAt(ctx.env, a.provider_authority, Step::kOpenReviewAnswer));
  if (a.review_due_ms != 0) AddDeadline(ctx.env, a.review_due_ms, DeadlineKind::kOpenReviewAnswer, a.id);
  StoreApplication(ctx.env, a, OpenStatus::kRefused);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const DecideOpenReviewBody& body) {
  ASSIGN_OR_RETURN(OpenApplicationRecord a, LoadApplication(ctx.state(), body.application_id));
  RETURN_IF_ERROR(RequireSupervisorOver(ctx, a.provider_authority));
  if (a.status != OpenStatus::kUnderReview) {
    return Status::FailedPrecondition("open application \"" + a.id + "\" is not under review");
  }
  if (body.decision == Decision::kApprove && !body.agreement_hash) {
    return Status::InvalidArgument("body.agreement_hash: approval on review needs a use agreement (000 §26)");
  }
  bool late = false;
  RETURN_IF_ERROR(SettleDeadline(ctx, a.review_due_ms, DeadlineKind::kOpenReviewAnswer, a.id,
                                 a.provider_authority, TargetKind::kRequest, kAnsweredLate, &late));
  a.late = a.late || late;
  a.status = body.decision == Decision::kApprove ? OpenStatus::kApproved : OpenStatus::kReviewRefused;
  a.agreement_hash = body.agreement_hash;
  a.reason = body.reason;
  a.legal_basis = body.legal_basis;
  StoreApplication(ctx.env, a, OpenStatus::kUnderReview);
  return Status::Ok();
}

namespace {

// A demand or application still in `waiting` at its deadline is marked overdue and
// flagged to the provider's supervisors; one that moved on meanwhile is left alone.
Status ExpireDemand(ApplyEnv& env, std::string_view demand_id, DemandStatus waiting, std::string_view why) {
  ASSIGN_OR_RETURN(DemandRecord d, LoadDemand(env.state, demand_id));
  if (d.status != waiting) return Status::Ok();
  d.overdue = true;
  StoreDemand(env, d, d.status);
  return WriteFlag(env, MakeFlag(env, FlagKind::kAggregationOverdue, d.provider_authority, TargetKind::kRequest, d.id,
                                 std::string(why)));
}

Status ExpireApplication(ApplyEnv& env, std::string_view application_id, OpenStatus waiting, std::string_view why) {
  ASSIGN_OR_RETURN(OpenApplicationRecord a, LoadApplication(env.state, application_id));
  if (a.status != waiting) return Status::Ok();
  a.overdue = true;
  StoreApplication(env, a, a.status);
  return WriteFlag(env, MakeFlag(env, FlagKind::kOpenAnswerOverdue, a.provider_authority, TargetKind::kRequest, a.id,
                                 std::string(why)));
}

}  // namespace

Status ExpireAggregationAnswer(ApplyEnv& env, std::string_view demand_id) {
  return ExpireDemand(env, demand_id, DemandStatus::kPending, "demand unanswered at its deadline (000 §22)");
}

Status ExpireAggregationDelivery(ApplyEnv& env, std::string_view demand_id) {
  return ExpireDemand(env, demand_id, DemandStatus::kAgreed, "agreed demand undelivered at its deadline (000 §22)");
}

Status ExpireOpenAnswer(ApplyEnv& env, std::string_view application_id) {
  return ExpireApplication(env, application_id, OpenStatus::kPending,
                           "open application unanswered at its deadline (000 §27)");
}

Status ExpireOpenReviewAnswer(ApplyEnv& env, std::string_view application_id) {
  return ExpireApplication(env, application_id, OpenStatus::kUnderReview, "review unanswered at its deadline (004 §34)");
}

}  // namespace shulian::ledger
