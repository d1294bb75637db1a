// Access records (利用行为记录, 000 §34): every use of shared or opened data is
// recorded — by whom, under which grant, for what purpose, which fields, how many
// rows, and a digest of the result. A use outside its grant's scope is still
// recorded (accepted), and flagged as a violation for the supervisors of both the
// provider's and the user's authority: no active grant, expired, suspended or
// revoked, fields or scenario not granted, copy without consent (000 §20), passing
// data to a third party (001 §17, 003 §24, 004 §30) — except personal data passed
// to a third party the data subject authorised (001 §27), whose authorisation's
// hash the record keeps. An authorisation named without third-party use is bad
// input and rejects the record; one for data holding no personal data covers
// nothing, so the use stays a violation.
// The record's id is its transaction hash.
#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

void CheckAgainstGrant(const GrantRecord& grant, const TxContext& ctx, const RecordAccessBody& body,
                       std::vector<std::string>& violations) {
  auto add = [&](std::string_view code) { violations.emplace_back(code); };
  if (grant.grantee != ctx.sender.id) add(kViolationNotGrantee);
  if (grant.asset_id != body.asset_id) add(kViolationWrongAsset);
  switch (grant.status) {
    case GrantStatus::kActive:
      // Expiry is processed at the start of the block, so an active grant here is
      // within its term; the check stays for grants expiring this very instant.
      if (ctx.now() >= grant.expiry_ms) add(kViolationGrantExpired);
      break;
    case GrantStatus::kSuspended: add(kViolationGrantSuspended); break;
    case GrantStatus::kRevoked: add(kViolationGrantRevoked); break;
    case GrantStatus::kExpired: add(kViolationGrantExpired); break;
  }
  if (!IsSubset(body.fields, grant.terms.fields)) add(kViolationFieldsNotGranted);
  if (body.business_scenario != grant.terms.business_scenario) add(kViolationScenarioNotGranted);
  if (body.mode == AccessMode::kCopy && grant.terms.mode != AccessMode::kCopy) add(kViolationCopyWithoutConsent);
}

// An open-data application approved for the sender serves as its grant.
Status CheckAgainstApplication(const TxContext& ctx, const RecordAccessBody& body,
                               std::vector<std::string>& violations) {
  Result<OpenApplicationRecord> application =
      LoadRecord<OpenApplicationRecord>(ctx.env.state, Key("op").Id(*body.grant_id));
  if (!application.ok()) {
    if (application.status().code() != ErrorCode::kNotFound) return application.status();
    violations.emplace_back(kViolationNoActiveGrant);
    return Status::Ok();
  }
  if (application->status != OpenStatus::kApproved) violations.emplace_back(kViolationNoActiveGrant);
  if (application->applicant != ctx.sender.id) violations.emplace_back(kViolationNotGrantee);
  if (application->asset_id != body.asset_id) violations.emplace_back(kViolationWrongAsset);
  if (!application->fields.empty() && !IsSubset(body.fields, application->fields)) {
    violations.emplace_back(kViolationFieldsNotGranted);
  }
  if (body.business_scenario != application->use_scenario) violations.emplace_back(kViolationScenarioNotGranted);
  return Status::Ok();
}

}  // namespace

Status ApplyBody(TxContext& ctx, const RecordAccessBody& body) {
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  if (!IsSubset(body.fields, asset.fields)) {
    return Status::InvalidArgument("body.fields: every field used must be a field of asset \"" + asset.id + "\"");
  }
  std::vector<std::string> violations;
  if (asset.status != AssetStatus::kActive) violations.emplace_back(kViolationAssetNotActive);
  if (body.grant_id) {
    Result<GrantRecord> grant = LoadGrant(ctx.state(), *body.grant_id);
    if (grant.ok()) {
      CheckAgainstGrant(*grant, ctx, body, violations);
    } else if (grant.status().code() == ErrorCode::kNotFound) {
      RETURN_IF_ERROR(CheckAgainstApplication(ctx, body, violations));
    } else {
      return grant.status();
    }
  } else if (asset.open_type != OpenType::kUnconditional) {
    // Only unconditionally open data is used without a grant (000 §26).
    violations.emplace_back(kViolationNoActiveGrant);
  }
  if (body.subject_authorisation_hash && !body.third_party) {
    return Status::InvalidArgument(
        "body.subject_authorisation_hash: a data subject's authorisation covers passing data to a third party, "
        "but third_party is false (001 §27)");
  }
  if (body.third_party) {
    if (body.subject_authorisation_hash && asset.contains_personal_data) {
      ctx.notes.push_back("third_party_authorised_by_data_subject:001 §27");
    } else {
      violations.emplace_back(kViolationThirdParty);
    }
  }

  AccessRecord record;
  record.tx_hash = ctx.env.tx_hash;
  ASSIGN_OR_RETURN(record.seq, NextSequence(ctx.state(), "access"));
  record.accessor = ctx.sender.id;
  record.accessor_authority = ctx.sender.authority_id;
  record.asset_id = asset.id;
  record.provider_authority = asset.provider_authority;
  record.grant_id = body.grant_id.value_or("");
  record.purpose = body.purpose;
  record.business_scenario = body.business_scenario;
  record.fields = body.fields;
  record.row_count = body.row_count;
  record.result_digest = body.result_digest;
  record.mode = body.mode;
  record.third_party = body.third_party;
  record.subject_authorisation_hash = body.subject_authorisation_hash;
  record.time_ms = ctx.now();
  record.height = ctx.env.height;
  record.violations = violations;
  StoreRecord(ctx.state(), Key("xr").Fixed(record.tx_hash.bytes), record);

  // Indexes by asset, account, both authorities and time: value = the record key.
  std::string hash(reinterpret_cast<const char*>(record.tx_hash.bytes.data()), record.tx_hash.bytes.size());
  ctx.state().Put(Key("ix").Id("x-asset").Id(asset.id).Time(record.time_ms).U64(record.seq), hash);
  ctx.state().Put(Key("ix").Id("x-time").Time(record.time_ms).U64(record.seq), hash);  // all, for courts
  ctx.state().Put(Key("ix").Id("x-acct").Id(record.accessor).Time(record.time_ms).U64(record.seq), hash);
  ctx.state().Put(Key("ix").Id("x-auth").Id(asset.provider_authority).Time(record.time_ms).U64(record.seq), hash);
  if (!record.accessor_authority.empty() && record.accessor_authority != asset.provider_authority) {
    ctx.state().Put(Key("ix").Id("x-auth").Id(record.accessor_authority).Time(record.time_ms).U64(record.seq), hash);
  }
  RETURN_IF_ERROR(RollUpAccess(ctx.env, record));
  if (violations.empty()) return Status::Ok();

  ctx.state().Put(Key("ix").Id("x-viol").Time(record.time_ms).U64(record.seq), hash);
  ctx.state().Put(Key("ix").Id("x-viol-auth").Id(asset.provider_authority).Time(record.time_ms).U64(record.seq), hash);
  if (!record.accessor_authority.empty() && record.accessor_authority != asset.provider_authority) {
    ctx.state().Put(Key("ix").Id("x-viol-auth").Id(record.accessor_authority).Time(record.time_ms).U64(record.seq),
                    hash);
  }
  std::string detail = "access by " + record.accessor + " to " + asset.id + ":";
  for (const auto& v : violations) {
    detail += " " + v;
    ctx.notes.push_back("violation:" + v);
  }
  RETURN_IF_ERROR(WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kAccessViolation, asset.provider_authority,
                                              TargetKind::kAsset, asset.id, detail)));
  if (!record.accessor_authority.empty() && record.accessor_authority != asset.provider_authority) {
    RETURN_IF_ERROR(WriteFlag(ctx.env, MakeFlag(ctx.env, FlagKind::kAccessViolation, record.accessor_authority,
                                                TargetKind::kAccount, record.accessor, detail)));
  }
  return Status::Ok();
}

}  // namespace shulian::ledger
