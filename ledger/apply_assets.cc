// Asset and catalog rules (资产登记 000 §44, 资源目录 000 §10, 004 §12):
//   - the provider registers its own authority's assets;
//   - conditional and not-shared need a reason and a legal basis (000 §19, 002 §14,
//     003 §22); not-open needs them too (000 §25); basic resources are always
//     unconditionally shared (000 §19);
//   - core data (核心数据) is never opened (003 §30, below);
//   - one data item has one source (一数一源, 001 §8, 003 §12, 004 §17): a second
//     registration of a dataset code is refused, and flagged to the supervisor when
//     another provider attempts it;
//   - versions, type changes, retirement and destruction (003 §31, 002 §22) are kept
//     in the asset's history; nothing is overwritten;
//   - each such change carries out the catalog update tasks still open on the asset
//     (004 §14: a change of law or of functions must be reflected in the catalog
//     within the period; apply_objections.cc opens the tasks and flags overdue ones).
#include "ledger/apply_context.h"

namespace shulian::ledger {
namespace {

Status CheckTypes(ResourceType resource_type, ShareType share_type, std::string_view share_reason,
                  std::string_view share_legal_basis, OpenType open_type, std::string_view open_reason,
                  std::string_view open_legal_basis) {
  if (resource_type == ResourceType::kBasic && share_type != ShareType::kUnconditional) {
    return Status::InvalidArgument("body.share_type: basic resources are always unconditionally shared (000 §19)");
  }
  if (share_type != ShareType::kUnconditional && (share_reason.empty() || share_legal_basis.empty())) {
    return Status::InvalidArgument("body.share_legal_basis: " + std::string(EnumName(share_type)) +
                                   " sharing needs a reason and a legal basis (000 §19)");
  }
  if (open_type == OpenType::kNotOpen && (open_reason.empty() || open_legal_basis.empty())) {
    return Status::InvalidArgument("body.open_legal_basis: not_open needs a reason and a legal basis (000 §25)");
  }
  if (open_type == OpenType::kConditional && open_reason.empty()) {
    return Status::InvalidArgument("body.open_reason: conditional opening needs its conditions stated (000 §26)");
  }
  return Status::Ok();
}

// 003 §30 puts core data (国家核心数据) under "a stricter management system" and
// leaves that system to the authorities. What the ledger can hold it to: it is never
// opened to the public, and (apply_sharing.cc) a request for it is never deemed
// approved. Its share type follows the usual rules: a basic resource graded core
// (the population register) stays unconditionally shared within government (000 §19).
Status CheckCoreNotOpen(ClassificationGrade grade, OpenType open_type, std::string_view field) {
  if (grade != ClassificationGrade::kCore || open_type == OpenType::kNotOpen) return Status::Ok();
  return Status::InvalidArgument(std::string(field) + ": core data (核心数据) is never opened; the open type must be "
                                 "not_open (003 §30)");
}

// The asset's provider, or a supervisor over its authority.
Status RequireProviderOrSupervisor(TxContext& ctx, const AssetRecord& asset) {
  if (RequireProviderOf(ctx, asset.provider_authority).ok()) return Status::Ok();
  return RequireSupervisorOver(ctx, asset.provider_authority);
}

void StoreAsset(ApplyEnv& env, const AssetRecord& asset) { StoreRecord(env.state, Key("as").Id(asset.id), asset); }

void StoreVersion(ApplyEnv& env, const AssetRecord& asset) {
  StoreRecord(env.state, Key("av").Id(asset.id).U32(asset.version), asset);
}

}  // namespace

Status ApplyBody(TxContext& ctx, const RegisterAssetBody& body) {
  RETURN_IF_ERROR(RequireProviderOf(ctx, body.provider_authority).WithContext("body.provider_authority"));
  RETURN_IF_ERROR(RequireAbsent(ctx.state(), Key("as").Id(body.asset_id), "asset", body.asset_id));
  RETURN_IF_ERROR(CheckTypes(body.resource_type, body.share_type, body.share_reason, body.share_legal_basis,
                             body.open_type, body.open_reason, body.open_legal_basis));
  RETURN_IF_ERROR(CheckCoreNotOpen(body.grade, body.open_type, "body.open_type"));
  Result<std::string> source = ctx.state().Get(Key("ds").Id(body.dataset_code));
  if (source.ok()) {
    ASSIGN_OR_RETURN(AssetRecord existing, LoadAsset(ctx.state(), *source));
    if (existing.provider_authority != body.provider_authority) {
      // Both supervisors see it: the source's and the one whose provider tried.
      ctx.rejection_flags.push_back(MakeFlag(ctx.env, FlagKind::kDuplicateSource, existing.provider_authority,
                                             TargetKind::kAsset, existing.id,
                                             "authority " + body.provider_authority + " tried to register dataset " +
                                                 body.dataset_code + " as " + body.asset_id));
      ctx.rejection_flags.push_back(MakeFlag(ctx.env, FlagKind::kDuplicateSource, body.provider_authority,
                                             TargetKind::kAsset, existing.id,
                                             "dataset " + body.dataset_code + " already has source " + existing.id));
    }
    return Status::AlreadyExists("body.dataset_code: data item \"" + body.dataset_code +
                                 "\" already has its one source, asset \"" + existing.id + "\" of authority " +
                                 existing.provider_authority + " (一数一源)");
  }
  if (source.status().code() != ErrorCode::kNotFound) return source.status();

  AssetRecord asset;
  asset.id = body.asset_id;
  asset.provider_authority = body.provider_authority;
  asset.registrar = ctx.sender.id;
  asset.source_department = body.source_department;
  asset.dataset_code = body.dataset_code;
  asset.name = body.name;
  asset.description = body.description;
  asset.resource_type = body.resource_type;
  asset.grade = body.grade;
  asset.contains_personal_data = body.contains_personal_data;
  asset.fields = body.fields;
  asset.format = body.format;
  asset.update_frequency = body.update_frequency;
  asset.share_type = body.share_type;
  asset.share_reason = body.share_reason;
  asset.share_legal_basis = body.share_legal_basis;
  asset.open_type = body.open_type;
  asset.open_reason = body.open_reason;
  asset.open_legal_basis = body.open_legal_basis;
  asset.content_hash = body.content_hash;
  asset.size_bytes = body.size_bytes;
  asset.version = 1;
  asset.registered_ms = ctx.now();
  AppendHistory(ctx.env, asset, "registered version 1");
  StoreVersion(ctx.env, asset);
  StoreAsset(ctx.env, asset);
  ctx.state().Put(Key("ds").Id(body.dataset_code), asset.id);
  ctx.state().Put(AssetOfAuthorityKey(asset.provider_authority, asset.id), "");
  if (asset.open_type == OpenType::kUnconditional) ctx.state().Put(Key("ix").Id("as-open").Id(asset.id), "");
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const PublishAssetVersionBody& body) {
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, asset.provider_authority));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  asset.content_hash = body.content_hash;
  asset.size_bytes = body.size_bytes;
  if (body.name) asset.name = *body.name;
  if (body.description) asset.description = *body.description;
  if (body.fields) asset.fields = *body.fields;
  if (body.format) asset.format = *body.format;
  if (body.update_frequency) asset.update_frequency = *body.update_frequency;
  if (body.grade) asset.grade = *body.grade;
  RETURN_IF_ERROR(CheckCoreNotOpen(asset.grade, asset.open_type, "body.grade"));
  ++asset.version;
  AppendHistory(ctx.env, asset, "version " + std::to_string(asset.version) + ": " + body.change_note);
  RETURN_IF_ERROR(FulfilCatalogUpdates(ctx, asset, ObjectionAnswer::kCorrected,
                                       "version " + std::to_string(asset.version)));
  StoreVersion(ctx.env, asset);
  StoreAsset(ctx.env, asset);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const ChangeAssetTypesBody& body) {
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  RETURN_IF_ERROR(RequireProviderOf(ctx, asset.provider_authority));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  RETURN_IF_ERROR(CheckTypes(asset.resource_type, body.share_type, body.share_reason, body.share_legal_basis,
                             body.open_type, body.open_reason, body.open_legal_basis));
  RETURN_IF_ERROR(CheckCoreNotOpen(asset.grade, body.open_type, "body.open_type"));
  std::string summary = "types: share " + std::string(EnumName(asset.share_type)) + " -> " +
                        std::string(EnumName(body.share_type)) + ", open " + std::string(EnumName(asset.open_type)) +
                        " -> " + std::string(EnumName(body.open_type));
  if (asset.open_type == OpenType::kUnconditional) ctx.state().Delete(Key("ix").Id("as-open").Id(asset.id));
  asset.share_type = body.share_type;
  asset.share_reason = body.share_reason;
  asset.share_legal_basis = body.share_legal_basis;
  asset.open_type = body.open_type;
  asset.open_reason = body.open_reason;
  asset.open_legal_basis = body.open_legal_basis;
  if (asset.open_type == OpenType::kUnconditional) ctx.state().Put(Key("ix").Id("as-open").Id(asset.id), "");
  AppendHistory(ctx.env, asset, summary);
  RETURN_IF_ERROR(FulfilCatalogUpdates(ctx, asset, ObjectionAnswer::kCorrected, summary));
  StoreAsset(ctx.env, asset);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const RetireAssetBody& body) {
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  RETURN_IF_ERROR(RequireProviderOrSupervisor(ctx, asset));
  if (asset.status != AssetStatus::kActive) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is " + std::string(EnumName(asset.status)));
  }
  asset.status = AssetStatus::kRetired;
  ctx.state().Delete(Key("ix").Id("as-open").Id(asset.id));
  AppendHistory(ctx.env, asset, "retired: " + body.reason);
  RETURN_IF_ERROR(FulfilCatalogUpdates(ctx, asset, ObjectionAnswer::kDeleted, "retired"));
  StoreAsset(ctx.env, asset);
  return Status::Ok();
}

Status ApplyBody(TxContext& ctx, const DestroyAssetBody& body) {
  ASSIGN_OR_RETURN(AssetRecord asset, LoadAsset(ctx.state(), body.asset_id));
  RETURN_IF_ERROR(RequireProviderOrSupervisor(ctx, asset));
  if (asset.status == AssetStatus::kDestroyed) {
    return Status::FailedPrecondition("asset \"" + asset.id + "\" is already destroyed");
  }
  asset.status = AssetStatus::kDestroyed;
  ctx.state().Delete(Key("ix").Id("as-open").Id(asset.id));
  AppendHistory(ctx.env, asset, "destroyed (record " + body.destruction_record_hash.ToHex() + "): " + body.reason);
  RETURN_IF_ERROR(FulfilCatalogUpdates(ctx, asset, ObjectionAnswer::kDeleted, "destroyed"));
  StoreAsset(ctx.env, asset);
  return Status::Ok();
}

}  // namespace shulian::ledger
