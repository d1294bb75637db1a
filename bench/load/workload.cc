#include "bench/load/workload.h"

#include <algorithm>

#include "common/bytes.h"
#include "crypto/sha256.h"
#include "ledger/bodies.h"

namespace shulian::load {
namespace {

constexpr std::string_view kKeyDerivationTag = "shulian/load/v1";
constexpr uint32_t kGrantDurationDays = 365;

// Field names of the load assets: an enterprise register's columns.
const std::vector<std::string>& AssetFields() {
  static const std::vector<std::string> kFields = {
      "credit_code", "name", "legal_person", "registered_capital", "address", "business_scope", "status", "founded_on",
  };
  return kFields;
}

// Scenarios a user states when it requests a share; access records repeat them.
const std::vector<std::string>& Scenarios() {
  static const std::vector<std::string> kScenarios = {
      "企业开办一件事 — 核验营业执照",
      "个人所得税专项附加扣除核验",
      "社会保险参保登记核验",
      "不动产登记 — 核验申请人身份",
      "政府采购供应商资格审查",
  };
  return kScenarios;
}

bool IsTagCharacter(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

Result<crypto::KeyPair> DeriveKey(const std::string& seed, const std::string& tag, const std::string& account_id) {
  ByteWriter writer(128);
  writer.PutFixed(AsBytes(kKeyDerivationTag));
  writer.PutString(seed);
  writer.PutString(tag);
  writer.PutString(account_id);
  return crypto::KeyPair::FromSeed(crypto::Sha256(writer.bytes()).view());
}

std::string Padded(uint64_t value, size_t width) {
  std::string text = std::to_string(value);
  if (text.size() < width) text.insert(0, width - text.size(), '0');
  return text;
}

}  // namespace

Status ValidateWorkloadOptions(const WorkloadOptions& options) {
  if (options.network_id.empty()) return Status::InvalidArgument("network id: empty");
  if (options.tag.empty() || options.tag.size() > kTagBytesMax ||
      !std::all_of(options.tag.begin(), options.tag.end(), IsTagCharacter)) {
    return Status::InvalidArgument("--tag: 1.." + std::to_string(kTagBytesMax) + " characters of [a-z0-9], got '" +
                                   options.tag + "'");
  }
  if (options.authorities.empty()) return Status::InvalidArgument("--authorities: at least one division code");
  for (const std::string& code : options.authorities) {
    if (code.size() != 6 || !std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; })) {
      return Status::InvalidArgument("--authorities: '" + code + "' is not a six-digit division code");
    }
  }
  if (options.providers < 1 || options.providers > kProvidersMax) {
    return Status::InvalidArgument("--providers: 1.." + std::to_string(kProvidersMax));
  }
  if (options.users < 1 || options.users > kUsersMax) {
    return Status::InvalidArgument("--users: 1.." + std::to_string(kUsersMax));
  }
  if (options.assets_per_provider < 1 || options.assets_per_provider > kAssetsPerProviderMax) {
    return Status::InvalidArgument("--assets-per-provider: 1.." + std::to_string(kAssetsPerProviderMax));
  }
  if (options.grants_per_user < 1 || options.grants_per_user > kGrantsPerUserMax) {
    return Status::InvalidArgument("--grants-per-user: 1.." + std::to_string(kGrantsPerUserMax));
  }
  const Mix& mix = options.mix;
  if (mix.access_percent + mix.register_percent + mix.request_percent != 100) {
    return Status::InvalidArgument("--mix: the percentages must add up to 100");
  }
  return Status::Ok();
}

Workload::Workload(WorkloadOptions options) : options_(std::move(options)) {
  // The random state depends on seed and tag only, so a run can be repeated.
  const crypto::Digest digest = crypto::Sha256(AsBytes(options_.seed + "/" + options_.tag));
  uint64_t state = 0;
  for (size_t i = 0; i < 8; ++i) state = (state << 8) | digest.bytes[i];
  random_.seed(state);
}

Result<Workload> Workload::Create(const WorkloadOptions& options) {
  RETURN_IF_ERROR(ValidateWorkloadOptions(options));
  Workload workload(options);
  const std::string prefix = "ld-" + options.tag + "-";
  const size_t authorities = options.authorities.size();
  for (uint32_t i = 0; i < options.providers; ++i) {
    std::string id = prefix + "p" + Padded(i, 4);
    ASSIGN_OR_RETURN(crypto::KeyPair key, DeriveKey(options.seed, options.tag, id));
    workload.providers_.push_back({id, options.authorities[i % authorities], true, std::move(key)});
  }
  for (uint32_t i = 0; i < options.users; ++i) {
    std::string id = prefix + "u" + Padded(i, 5);
    ASSIGN_OR_RETURN(crypto::KeyPair key, DeriveKey(options.seed, options.tag, id));
    workload.users_.push_back({id, options.authorities[i % authorities], false, std::move(key)});
  }
  const std::vector<std::string>& fields = AssetFields();
  for (size_t p = 0; p < workload.providers_.size(); ++p) {
    for (uint32_t a = 0; a < options.assets_per_provider; ++a) {
      LoadAsset asset;
      asset.id = prefix + "p" + Padded(p, 4) + ".asset" + Padded(a, 3);
      asset.provider = p;
      asset.conditional = (a % 4) == 3;
      // Five to eight fields, so requests and uses pick subsets of different sizes.
      asset.fields.assign(fields.begin(), fields.begin() + static_cast<std::ptrdiff_t>(5 + (p + a) % 4));
      workload.assets_.push_back(std::move(asset));
    }
  }
  for (size_t u = 0; u < workload.users_.size(); ++u) {
    for (uint32_t g = 0; g < options.grants_per_user; ++g) {
      LoadGrant grant;
      grant.request_id = prefix + "u" + Padded(u, 5) + ".req" + Padded(g, 3);
      grant.user = u;
      grant.asset = (u * options.grants_per_user + g) % workload.assets_.size();
      grant.business_scenario = Scenarios()[(u + g) % Scenarios().size()];
      const LoadAsset& asset = workload.assets_[grant.asset];
      grant.fields.assign(asset.fields.begin(), asset.fields.begin() + 3);
      workload.grants_.push_back(std::move(grant));
    }
  }
  return workload;
}

ledger::Transaction Workload::Sign(ledger::TxType type, Bytes body, const std::string& sender,
                                   const crypto::KeyPair& key, int64_t now_ms, uint64_t nonce) const {
  ledger::Transaction tx;
  tx.type = type;
  tx.network_id = options_.network_id;
  tx.sender = sender;
  tx.client_time_ms = now_ms;
  tx.nonce = nonce;
  tx.body = std::move(body);
  tx.Sign(key, options_.genesis_hash);
  return tx;
}

std::vector<std::vector<ledger::Transaction>> Workload::SetupPhases(const std::string& operator_id,
                                                                    const crypto::KeyPair& operator_key,
                                                                    int64_t now_ms) const {
  std::vector<std::vector<ledger::Transaction>> phases(4);
  uint64_t nonce = 0;
  for (const std::vector<LoadAccount>* group : {&providers_, &users_}) {
    for (const LoadAccount& account : *group) {
      ledger::RegisterAccountBody body;
      body.account_id = account.id;
      body.authority = account.authority;
      body.roles = account.provider ? std::vector<ledger::Role>{ledger::Role::kProvider, ledger::Role::kUser}
                                    : std::vector<ledger::Role>{ledger::Role::kUser};
      body.public_key = account.key.public_key();
      body.display_name = (account.provider ? "压测数据提供方 " : "压测数据使用方 ") + account.id;
      body.organisation = "负载测试（测试账户）";
      phases[0].push_back(
          Sign(ledger::TxType::kRegisterAccount, body.Encode(), operator_id, operator_key, now_ms, ++nonce));
    }
  }
  for (const LoadAsset& asset : assets_) {
    const LoadAccount& provider = providers_[asset.provider];
    ledger::RegisterAssetBody body;
    body.asset_id = asset.id;
    body.provider_authority = provider.authority;
    body.source_department = "压测数源部门";
    body.dataset_code = asset.id + ".ds";
    body.name = "市场主体登记信息（压测）";
    body.description = "负载测试登记的数据资源目录条目";
    body.resource_type = asset.conditional ? ledger::ResourceType::kDepartmental : ledger::ResourceType::kThematic;
    body.fields = asset.fields;
    body.format = "api/json";
    body.update_frequency = ledger::UpdateFrequency::kDaily;
    body.share_type = asset.conditional ? ledger::ShareType::kConditional : ledger::ShareType::kUnconditional;
    if (asset.conditional) {
      body.share_reason = "含企业经营信息";
      body.share_legal_basis = "《江苏省公共数据管理办法》第十九条";
    }
    body.open_type = ledger::OpenType::kConditional;
    body.open_reason = "签订开放利用协议";
    body.content_hash = crypto::Sha256(AsBytes(asset.id));
    body.size_bytes = 1u << 20;
    phases[1].push_back(
        Sign(ledger::TxType::kRegisterAsset, body.Encode(), provider.id, provider.key, now_ms, ++nonce));
  }
  for (const LoadGrant& grant : grants_) {
    const LoadAccount& user = users_[grant.user];
    ledger::RequestShareBody body;
    body.request_id = grant.request_id;
    body.asset_id = assets_[grant.asset].id;
    body.purpose = "业务办理中核验企业登记信息";
    body.business_scenario = grant.business_scenario;
    body.fields = grant.fields;
    body.duration_days = kGrantDurationDays;
    phases[2].push_back(Sign(ledger::TxType::kRequestShare, body.Encode(), user.id, user.key, now_ms, ++nonce));
    const LoadAsset& asset = assets_[grant.asset];
    if (!asset.conditional) continue;
    const LoadAccount& provider = providers_[asset.provider];
    ledger::ApproveShareBody approve;
    approve.request_id = grant.request_id;
    approve.terms.fields = grant.fields;
    approve.terms.business_scenario = grant.business_scenario;
    approve.terms.duration_days = kGrantDurationDays;
    approve.conditions = "不得向第三方提供";
    phases[3].push_back(
        Sign(ledger::TxType::kApproveShare, approve.Encode(), provider.id, provider.key, now_ms, ++nonce));
  }
  if (phases[3].empty()) phases.pop_back();
  return phases;
}

ledger::Transaction Workload::AccessTx(int64_t now_ms) {
  const LoadGrant& grant = grants_[random_() % grants_.size()];
  const LoadAccount& user = users_[grant.user];
  ledger::RecordAccessBody body;
  body.grant_id = grant.request_id;
  body.asset_id = assets_[grant.asset].id;
  body.purpose = "办理业务时核验企业登记信息";
  body.business_scenario = grant.business_scenario;
  body.fields.assign(grant.fields.begin(), grant.fields.begin() + static_cast<std::ptrdiff_t>(1 + random_() % 3));
  body.row_count = 1 + random_() % 50;
  body.result_digest = crypto::Sha256(AsBytes("result/" + std::to_string(next_serial_)));
  body.mode = ledger::AccessMode::kRequestResponse;
  return Sign(ledger::TxType::kRecordAccess, body.Encode(), user.id, user.key, now_ms, next_serial_);
}

ledger::Transaction Workload::RegisterTx(int64_t now_ms) {
  const size_t p = random_() % providers_.size();
  const LoadAccount& provider = providers_[p];
  ledger::RegisterAssetBody body;
  body.asset_id = "ld-" + options_.tag + "-a" + std::to_string(next_serial_);
  body.provider_authority = provider.authority;
  body.source_department = "压测数源部门";
  body.dataset_code = body.asset_id + ".ds";
  body.name = "公共数据资源（压测新增）";
  body.description = "负载测试运行中登记的数据资源";
  body.resource_type = ledger::ResourceType::kThematic;
  body.fields = AssetFields();
  body.format = "csv";
  body.update_frequency = ledger::UpdateFrequency::kMonthly;
  body.share_type = ledger::ShareType::kUnconditional;
  body.open_type = ledger::OpenType::kConditional;
  body.open_reason = "签订开放利用协议";
  body.content_hash = crypto::Sha256(AsBytes(body.asset_id));
  body.size_bytes = 4096 + random_() % (1u << 24);
  return Sign(ledger::TxType::kRegisterAsset, body.Encode(), provider.id, provider.key, now_ms, next_serial_);
}

ledger::Transaction Workload::RequestTx(int64_t now_ms) {
  const LoadAccount& user = users_[random_() % users_.size()];
  const LoadAsset& asset = assets_[random_() % assets_.size()];
  ledger::RequestShareBody body;
  body.request_id = "ld-" + options_.tag + "-r" + std::to_string(next_serial_);
  body.asset_id = asset.id;
  body.purpose = "新增业务场景的数据共享申请";
  body.business_scenario = Scenarios()[random_() % Scenarios().size()];
  body.fields.assign(asset.fields.begin(), asset.fields.begin() + 2);
  body.duration_days = 90;
  return Sign(ledger::TxType::kRequestShare, body.Encode(), user.id, user.key, now_ms, next_serial_);
}

std::vector<ledger::Transaction> Workload::Generate(size_t count, int64_t now_ms) {
  std::vector<ledger::Transaction> out;
  out.reserve(count);
  for (size_t i = 0; i < count; ++i) {
    ++next_serial_;
    const uint64_t roll = random_() % 100;
    ledger::Transaction tx = roll < options_.mix.access_percent ? AccessTx(now_ms)
                             : roll < options_.mix.access_percent + options_.mix.register_percent
                                 ? RegisterTx(now_ms)
                                 : RequestTx(now_ms);
    out.push_back(std::move(tx));
  }
  return out;
}

}  // namespace shulian::load
